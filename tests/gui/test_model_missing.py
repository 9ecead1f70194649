"""Without model weights the window says so, once, with what to do (never a silent failure)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

pytestmark = pytest.mark.gui


def test_missing_weights_are_explained_in_a_dialog(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import artseek.ui.main_window as main_window
    from artseek.ui import errors
    from artseek.ui.service import LibraryService

    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(tmp_path / "no-models"))
    monkeypatch.setattr("artseek.config.bundled_models_dir", lambda: tmp_path / "no-bundle")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "show_error", lambda _parent, title, text, *a: shown.append((title, text)))
    service = LibraryService(model="ViT-B-32")
    window = main_window.MainWindow(service, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.open_library(str(tmp_path / "lib"))
    qtbot.waitUntil(lambda: bool(shown), timeout=60_000)
    title, text = shown[0]
    assert title == "The model could not be loaded"
    assert "ViT-B-32-laion2b_s34b_b79k.safetensors" in text and "--weights" in text
    assert window.model_label.text() == "Model: not available"
    qtbot.wait(300)
    assert len(shown) == 1
