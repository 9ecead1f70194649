"""The advice when a model has no Pic2Word text tower depends on where ArtSeek runs."""
from artseek.composed.composer import pic2word_advice


def test_packaged_app_advises_averaging_not_a_command():
    advice = pic2word_advice(frozen=True)
    assert advice.startswith("Use averaging")
    assert "python main.py" not in advice  # a curator in the packaged app has no terminal


def test_source_checkout_advises_the_export():
    assert "models export" in pic2word_advice(frozen=False)
