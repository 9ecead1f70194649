"""``rescan --verify`` reads every file but loads the model only when some file needs embedding."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image as PILImage

from artseek.cli import main
from artseek.embedding import loader
from artseek.library import Library


def _bitmaps(folder: Path) -> list[Path]:
    """Five uncompressed 48x48 bitmaps: any other colour gives a file of the very same size."""
    folder.mkdir()
    paths = [folder / f"plate{i}.bmp" for i in range(5)]
    for i, path in enumerate(paths):
        PILImage.new("RGB", (48, 48), (40 * i, 200 - 30 * i, 90)).save(path)
    return paths


def test_a_rescan_verify_without_changes_never_loads_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture) -> None:
    paths = _bitmaps(tmp_path / "images")
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        assert lib.index([tmp_path / "images"]).indexed == 5
    loads: list[str] = []
    real_load = loader.load_encoder
    monkeypatch.setattr(loader, "load_encoder", lambda name, *a, **k: loads.append(name) or real_load(name, *a, **k))
    rescan = ["rescan", "--verify", "--library", str(tmp_path / "lib"), "--model", "tiny-test", "--json"]

    assert main(rescan) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["checked"], report["skipped"], report["indexed"], report["failed"]) == (5, 5, 0, 0)
    assert loads == []  # nothing changed: the encoder was never constructed

    # New content under the same size and modification time: that file is re-indexed, so the model loads.
    stat = paths[2].stat()
    PILImage.new("RGB", (48, 48), (255, 0, 0)).save(paths[2])
    os.utime(paths[2], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert paths[2].stat().st_size == stat.st_size
    assert main(rescan) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["checked"], report["replaced"], report["indexed"], report["skipped"]) == (5, 1, 1, 4)
    assert loads == ["tiny-test"]
    with Library(tmp_path / "lib") as lib:
        assert lib.status().indexed == 5
        assert lib.search_text("red", 5)  # the library still answers
