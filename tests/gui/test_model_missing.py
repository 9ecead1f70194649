"""Without model weights the window says so, once, with what a curator can do (never a silent failure).

Since Model Setup exists, "what a curator can do" is that dialog (choose a file, download, open the models
folder, the demo; tests/gui/test_model_setup.py drives it), in place of an error box with advice.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from artseek import config

pytestmark = pytest.mark.gui


def test_missing_weights_are_explained_once_and_the_library_can_be_reindexed(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import artseek.ui.main_window as main_window
    from artseek.ui import errors
    from artseek.ui.service import LibraryService

    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(tmp_path / "no-models"))
    monkeypatch.setattr("artseek.config.bundled_models_dir", lambda: tmp_path / "no-bundle")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "show_error", lambda _parent, title, text, *a: shown.append((title, text)))
    service = LibraryService(model=config.DEFAULT_MODEL)
    window = main_window.MainWindow(service, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.search_area.field.setText("a harbour at night")  # a search typed at once runs when the library opens
    window.open_library(str(tmp_path / "lib"))
    qtbot.waitUntil(lambda: window.models.dialog is not None and window.models.dialog.isVisible(), timeout=60_000)
    qtbot.waitUntil(lambda: not service.busy, timeout=60_000)
    qtbot.wait(300)
    assert shown == []  # one dialog: Model Setup, not an error box and not a second "Search failed"
    setup = window.models.dialog
    assert setup.windowTitle() == "Model Setup"
    text = setup.reason.text()
    assert "ViT-B-32-datacomp_xl_s13b_b90k.safetensors" in text  # the default model's file (issue 15)
    assert "--weights" not in text and "python main.py" not in text  # advice for a curator, not the CLI
    assert "Re-index with Another Model" in text
    assert window.model_label.text() == f"Model: {config.DEFAULT_MODEL} not available"
    # Importing cannot work without a model: it is disabled (with the empty library's Import button).
    assert not window.actions["import_folder"].isEnabled() and not window.stack.empty_import.isEnabled()
    window.run_search()
    assert shown == [] and "Re-index with Another Model" in window.statusBar().currentMessage()
    assert window.models.dialog is setup
    setup.reject()

    # Library → Re-index with Another Model… rebuilds it with a model that is on this computer.
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    offered: list[list[str]] = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *a: (offered.append(items) or
                                                                                 ("tiny-test", True)))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert window.actions["reindex"].isEnabled()
    window.actions["reindex"].trigger()
    assert offered == [["tiny-test"]]
    qtbot.waitUntil(lambda: service.model_state == "ready", timeout=60_000)
    assert window.model_label.text() == "Model: tiny-test"
    assert service.library.model_name == "tiny-test"
    assert window.actions["import_folder"].isEnabled()
    assert shown == []
