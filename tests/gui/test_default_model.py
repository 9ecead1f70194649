"""The window after the default model switch (issue 15): a new library asks for the new default by name;
a library of the first default (ViT-B-32) opens with its own model and searches.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from artseek import config
from tests.gui.conftest import copy_shapes, search

pytestmark = pytest.mark.gui

FIRST_DEFAULT = "ViT-B-32"


def _window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: Path):  # noqa: ANN001, ANN202
    """The window as ``python main.py`` opens it: no --model, so the library's (or the default) model."""
    from artseek.ui import errors
    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "show_error", lambda _parent, title, text, *a: boxes.append((title, text)))
    window = MainWindow(LibraryService(), QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.open_library(str(library))
    return window, boxes


def test_a_new_library_asks_for_the_new_default_by_name(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from artseek.embedding.registry import get_spec

    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr("artseek.config.bundled_models_dir", lambda: tmp_path / "no-bundle")
    window, boxes = _window(qtbot, tmp_path, monkeypatch, tmp_path / "library")
    qtbot.waitUntil(lambda: window.models.dialog is not None and window.models.dialog.isVisible(), timeout=60_000)
    dialog = window.models.dialog
    assert window.service.library.model_name == config.DEFAULT_MODEL != FIRST_DEFAULT
    assert get_spec(config.DEFAULT_MODEL).weights_filename in dialog.reason.text()
    assert dialog.download_button.text() == f"Download {config.DEFAULT_MODEL}"
    assert window.model_label.text() == f"Model: {config.DEFAULT_MODEL} not available"
    assert boxes == []


def test_a_library_of_the_first_default_opens_with_its_model(qtbot, tmp_path, monkeypatch,  # noqa: ANN001
                                                            shapes_200) -> None:
    """ViT-B-32 here is the tiny network under the first default's name (what an old library records)."""
    from artseek.embedding import registry
    from artseek.library import Library

    monkeypatch.setitem(registry.MODELS, FIRST_DEFAULT,
                        dataclasses.replace(registry.MODELS["tiny-test"], name=FIRST_DEFAULT))
    folder = tmp_path / "old-library"
    with Library(folder, model=FIRST_DEFAULT) as lib:
        lib.index([copy_shapes(shapes_200, tmp_path / "pictures", 0, 30)])
    window, boxes = _window(qtbot, tmp_path, monkeypatch, folder)
    qtbot.waitUntil(lambda: window.service.model_state == "ready", timeout=60_000)
    assert window.model_label.text() == f"Model: {FIRST_DEFAULT}" and window.models.wanted_model() == FIRST_DEFAULT
    assert len(search(qtbot, window, "a red star")) > 0
    assert boxes == [] and window.models.dialog is None
