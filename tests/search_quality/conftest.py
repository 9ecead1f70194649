"""Fixtures for the search-quality tests: a library of generated shapes with their captions imported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.fixtures.shapes import generate_folder


def label_of(path: str | Path) -> str:
    """``00012_red_star.png`` -> ``red star``."""
    return " ".join(Path(path).stem.split("_")[1:])


def write_captions_csv(path: Path, items, long: bool = True) -> Path:  # noqa: ANN001
    """A catalogue CSV: one long visual description and one contextual text per image."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["image", "text", "type"])
        for i, (p, spec) in enumerate(items):
            visual = spec.caption.capitalize() + "."
            if long:
                visual += (f" The sheet was catalogued as number {i} by St. Mark's workshop. "
                           "It was kept in a drawer of the print room for many years.")
            w.writerow([p.name, visual, "visual"])
            w.writerow([p.name, f"Acquired in {1900 + i} from a private collection in Paris.", "contextual"])
    return path


@pytest.fixture(scope="session")
def text_library(tmp_path_factory: pytest.TempPathFactory, shapes_200):
    """A library of its own (texts and tags are written into it) with the shapes' captions imported."""
    from artseek.library import Library

    base = tmp_path_factory.mktemp("textlib")
    lib = Library(base / "library", model="tiny-test")
    lib.index([shapes_200[0][0].parent])
    report = lib.texts.import_file(write_captions_csv(base / "captions.csv", shapes_200))
    assert report.attached == 400, report
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def small_shapes(tmp_path_factory: pytest.TempPathFactory):
    """64 generated images in a folder of their own (for CLI and harness runs)."""
    return generate_folder(tmp_path_factory.mktemp("small") / "images", 64, seed=99)
