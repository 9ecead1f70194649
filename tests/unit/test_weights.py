"""Weights are found in the documented order, loaded safely, and refused with clear messages."""

import pickle
from pathlib import Path

import pytest
import torch

from artseek import config
from artseek.embedding.loader import load_encoder
from artseek.embedding.registry import get_spec, locate_weights
from artseek.errors import ArtSeekError, ModelLoadError, ModelNotFoundError
from tests.conftest import TINY_WEIGHTS


def test_missing_weights_names_file_and_folders(monkeypatch, tmp_path) -> None:
    with pytest.raises(ModelNotFoundError) as err:
        locate_weights(get_spec(config.DEFAULT_MODEL))
    text = str(err.value)
    assert "ViT-B-32-datacomp_xl_s13b_b90k.safetensors" in text  # the default's file (issue 15)
    assert "resources/models" in text.replace("\\", "/") and "--weights" in text


def test_explicit_and_env_weights_take_priority(monkeypatch, tmp_path) -> None:
    copy = tmp_path / "mine.safetensors"
    copy.write_bytes(TINY_WEIGHTS.read_bytes())
    assert locate_weights(get_spec("tiny-test"), copy) == copy
    monkeypatch.setenv("ARTSEEK_WEIGHTS", str(copy))
    assert locate_weights(get_spec("tiny-test")) == copy
    monkeypatch.setenv("ARTSEEK_WEIGHTS", str(tmp_path / "nope.safetensors"))
    with pytest.raises(ModelNotFoundError):
        locate_weights(get_spec("tiny-test"))


def test_user_model_folder_is_searched(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(tmp_path))
    target = tmp_path / "artseek-tiny.safetensors"
    target.write_bytes(TINY_WEIGHTS.read_bytes())
    assert locate_weights(get_spec("tiny-test")) == target


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ArtSeekError, match="Known models"):
        get_spec("ViT-Z-99")


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "cut.safetensors"
    bad.write_bytes(TINY_WEIGHTS.read_bytes()[: 100_000])
    with pytest.raises(ModelLoadError, match="damaged or truncated"):
        load_encoder("tiny-test", weights=bad)


def test_other_architecture_is_refused(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    bad = tmp_path / "other.safetensors"
    save_file({"visual.conv1.weight": torch.zeros(3, 3)}, str(bad))
    with pytest.raises(ModelLoadError, match="another model architecture"):
        load_encoder("tiny-test", weights=bad)


class _Evil:
    def __reduce__(self):
        return (exec, ("open('PWNED','w').write('x')",))


def test_pickle_with_code_is_never_executed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "evil.pt"
    with open(bad, "wb") as fh:
        pickle.dump({"state_dict": _Evil()}, fh)
    with pytest.raises(ModelLoadError):
        load_encoder("tiny-test", weights=bad)
    torch.save({"x": _Evil()}, tmp_path / "evil2.pt")
    with pytest.raises(ModelLoadError, match="refused|damaged"):
        load_encoder("tiny-test", weights=tmp_path / "evil2.pt")
    assert not (tmp_path / "PWNED").exists()


def test_torch_checkpoint_loads_with_weights_only(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    ckpt = tmp_path / "tiny.pt"
    torch.save({"state_dict": load_file(str(TINY_WEIGHTS))}, ckpt)
    enc = load_encoder("tiny-test", weights=ckpt)
    assert enc.encode_texts(["a red star"]).shape == (1, 64)
