"""Cancelling an ONNX export (Model Setup's Cancel): it stops between its steps, keeps nothing of itself and
leaves a previous export as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import TINY_WEIGHTS


def _cancel_at(call: int, asked: list[str]):  # noqa: ANN202
    """A ``cancelled()`` that answers True from its ``call``-th question on (and notes where it was asked)."""
    import traceback

    def cancelled() -> bool:
        asked.append(traceback.extract_stack(limit=3)[0].name)
        return len(asked) >= call

    return cancelled


@pytest.mark.parametrize("call", [1, 2, 3])
def test_a_cancelled_export_keeps_nothing_and_the_previous_export_stays(tmp_path: Path, call: int) -> None:
    from artseek.embedding.export import ExportCancelled, export_model

    models = tmp_path / "models"
    models.mkdir()
    weights = models / TINY_WEIGHTS.name
    shutil.copyfile(TINY_WEIGHTS, weights)
    previous = models / "artseek-tiny.onnx"
    previous.mkdir()
    (previous / "manifest.json").write_text('{"previous": true}', encoding="utf-8")
    asked: list[str] = []
    steps: list[str] = []
    with pytest.raises(ExportCancelled) as caught:
        export_model("tiny-test", weights, int8=True, out_dir=models, log=steps.append,
                     cancelled=_cancel_at(call, asked))
    assert "cancelled" in str(caught.value) and "nothing of it was kept" in str(caught.value)
    assert len(asked) == call  # it stopped at the first question answered yes
    # 1: after loading (no work folder yet); 2: between the image and the text tower; 3: before the pseudo-token
    # text tower (the tiny model has one).
    assert asked[-1] == ["export_model", "_export_both", "_export_towers"][call - 1]
    assert sorted(p.name for p in models.iterdir()) == ["artseek-tiny.onnx", TINY_WEIGHTS.name]
    assert [p.name for p in previous.iterdir()] == ["manifest.json"]
    assert (previous / "manifest.json").read_text(encoding="utf-8") == '{"previous": true}'
    assert weights.read_bytes() == TINY_WEIGHTS.read_bytes()


@pytest.mark.slow  # a whole export (12 s); the default suite's exports run through tests/onnx/conftest.py
def test_an_export_never_cancelled_asks_between_every_step(tmp_path: Path) -> None:
    from artseek.embedding.export import export_model

    asked: list[str] = []
    folder = export_model("tiny-test", TINY_WEIGHTS, int8=True, out_dir=tmp_path, cancelled=_cancel_at(10_000, asked))
    assert (folder / "manifest.json").is_file()
    # after loading, between the towers, after them, before each quantisation, before measuring, per variant, last
    assert len(asked) >= 8 and asked.count("_quantise") == 2
