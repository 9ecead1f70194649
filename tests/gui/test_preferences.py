"""Preferences: edited in the dialog, kept across a restart (a new window reads them), applied where they can
be at once, and the command line still wins for its session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

pytestmark = pytest.mark.gui


@pytest.fixture
def prefs_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "settings.json"
    monkeypatch.setenv("ARTSEEK_SETTINGS", str(path))
    monkeypatch.delenv("ARTSEEK_ONNX_THREADS", raising=False)  # restored after the test
    return path


def _new_window(qtbot, tmp_path: Path, backend: str = "auto"):  # noqa: ANN001, ANN202
    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    window = MainWindow(LibraryService(model="tiny-test", backend=backend),
                        QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    return window


def test_preferences_are_kept_across_a_restart_and_apply(qtbot, tmp_path, prefs_file) -> None:  # noqa: ANN001
    import os

    first = _new_window(qtbot, tmp_path)
    assert first.view.delegate.thumb == 160 and first.service.backend == "auto"
    first.actions["preferences"].trigger()
    dialog = first.preferences.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.backend.setCurrentIndex(dialog.backend.findData("onnx"))
    dialog.int8.setChecked(True)
    dialog.threads.setValue(1)
    dialog.library.setText(str(tmp_path / "my library"))
    dialog.megapixels.setValue(120)
    dialog.thumbnails.setValue(224)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert first.preferences.dialog is None

    saved = json.loads(prefs_file.read_text(encoding="utf-8"))
    assert saved == {"backend": "onnx", "int8": True, "threads": 1, "library": str(tmp_path / "my library"),
                     "max_megapixels": 120.0, "thumbnail_size": 224}
    # Applied without a restart where possible: the grid at once; the model's settings at the next opening.
    assert first.view.delegate.thumb == 224 and first.view.gridSize().height() == 224 + 44 + 6
    s = first.service
    assert (s.backend, s.library_options, s.index_options) == ("onnx", {"int8": True}, {"max_pixels": 120_000_000})
    assert os.environ["ARTSEEK_ONNX_THREADS"] == "1"
    assert "apply when a library is next opened" in first.statusBar().currentMessage()
    first.close()

    second = _new_window(qtbot, tmp_path)  # a restart: a new service and window read the file
    assert second.view.delegate.thumb == 224 and second.service.backend == "onnx"
    assert second.service.index_options == {"max_pixels": 120_000_000}
    assert second.preferences.store.start_library(None) == str(tmp_path / "my library")
    dialog = second.preferences.show_dialog()
    assert (dialog.backend.currentData(), dialog.int8.isChecked(), dialog.threads.value(), dialog.library.text(),
            dialog.megapixels.value(), dialog.thumbnails.value()) == ("onnx", True, 1, str(tmp_path / "my library"),
                                                                     120.0, 224)
    dialog.restore_defaults()
    dialog.reject()  # Cancel keeps what was saved
    assert json.loads(prefs_file.read_text(encoding="utf-8")) == saved


def test_the_command_line_wins_for_its_session(qtbot, tmp_path, prefs_file, monkeypatch) -> None:  # noqa: ANN001
    from artseek import settings

    settings.save(settings.Preferences(backend="onnx", library=str(tmp_path / "preferred")))
    window = _new_window(qtbot, tmp_path, backend="torch")  # as main.py --backend torch makes it
    assert window.service.backend == "torch"
    window.preferences.start({"library": "--library"})
    assert window.service.backend == "torch"
    dialog = window.preferences.show_dialog()
    notes = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "--backend torch given on the command line wins" in notes and "--library given" in notes
    dialog.accept()
    assert window.service.backend == "torch"  # saving the dialog does not undo the command line

    # main.py passes --backend and --demo on to the window.
    import artseek.ui.app as app
    from artseek.cli import main

    seen: list[dict] = []
    monkeypatch.setattr(app, "run_app", lambda **kw: seen.append(kw) or 0)
    assert main(["--backend", "onnx", "--demo"]) == 0
    assert seen[0]["backend"] == "onnx" and seen[0]["demo"] is True


def test_a_damaged_settings_file_gives_the_defaults_and_is_kept_aside(prefs_file) -> None:  # noqa: ANN001
    from artseek import settings

    prefs_file.parent.mkdir(parents=True)
    prefs_file.write_text("{not json", encoding="utf-8")
    assert settings.load() == settings.Preferences()
    assert prefs_file.with_name("settings.json.damaged").read_text(encoding="utf-8") == "{not json"
    prefs_file.write_text(json.dumps({"backend": "gpu", "threads": -4, "thumbnail_size": 9999, "int8": "yes",
                                      "max_megapixels": "lots", "colour": "red"}), encoding="utf-8")
    assert settings.load() == settings.Preferences(thumbnail_size=settings.THUMBNAIL_SIZES[1])


def test_the_threads_preference_applies_to_torch_and_says_when_a_restart_is_needed(qtbot, tmp_path, prefs_file,  # noqa: ANN001
                                                                                   monkeypatch) -> None:
    """Model threads: ONNX Runtime and torch alike; torch's inter-op pool is fixed once a run, and the dialog says so."""
    import torch

    from artseek.embedding import torch_backend

    monkeypatch.delenv("ARTSEEK_TORCH_THREADS", raising=False)
    monkeypatch.setattr(torch_backend, "_interop_threads", None)  # a fresh run as far as ArtSeek knows
    set_interop: list[int] = []
    monkeypatch.setattr(torch, "set_num_interop_threads", set_interop.append)  # the real one works once a process
    intra = torch.get_num_threads()
    window = _new_window(qtbot, tmp_path, backend="torch")
    try:
        window.preferences.show_dialog()
        dialog = window.preferences.dialog
        assert "PyTorch" in dialog.findChild(QLabel, "threadsRestart").parent().findChildren(QLabel)[0].text()
        dialog.threads.setValue(1)
        assert not dialog.threads_restart.isVisibleTo(dialog)  # no torch model has run yet: nothing fixed
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        import os

        assert os.environ["ARTSEEK_TORCH_THREADS"] == os.environ["ARTSEEK_ONNX_THREADS"] == "1"
        window.open_library(str(tmp_path / "library"))
        qtbot.waitUntil(lambda: window.service.model_state == "ready", timeout=60_000)
        encoder = window.service.library.encoder
        assert encoder.backend == "torch" and encoder.threads == 1
        encoder.encode_texts(["a red star"])  # on this thread, which had its own count (torch's is per thread)
        assert torch.get_num_threads() == 1
        assert set_interop == [1]

        # Another number now: the intra-op threads follow at the next opening, the inter-op pool only at a restart.
        dialog = window.preferences.show_dialog()
        dialog.threads.setValue(2)
        assert dialog.threads_restart.isVisibleTo(dialog) and "Restart ArtSeek" in dialog.threads_restart.text()
        dialog.threads.setValue(1)
        assert not dialog.threads_restart.isVisibleTo(dialog)
        dialog.threads.setValue(2)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        assert "Restart ArtSeek" in window.statusBar().currentMessage()
        assert set_interop == [1]  # never set twice
    finally:
        window.close()
        torch.set_num_threads(intra)


def test_openvino_is_offered_and_saved(qtbot, tmp_path, prefs_file) -> None:  # noqa: ANN001
    window = _new_window(qtbot, tmp_path)
    dialog = window.preferences.show_dialog()
    index = dialog.backend.findData("openvino")
    assert dialog.backend.itemText(index) == "OpenVINO (fastest on CPUs)"  # installed by make test
    assert dialog.backend.model().item(index).isEnabled()
    assert "OpenVINO where it is installed and its int8 model passed a check on this computer" in \
        " ".join(label.text() for label in dialog.findChildren(QLabel))
    dialog.backend.setCurrentIndex(index)
    assert dialog.backend_missing.isHidden()
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert json.loads(prefs_file.read_text(encoding="utf-8"))["backend"] == "openvino"
    assert window.service.backend == "openvino"  # the next library opening loads the model on OpenVINO


def test_a_backend_this_installation_lacks_is_greyed_out_with_what_to_do(qtbot, tmp_path, prefs_file,  # noqa: ANN001
                                                                         monkeypatch) -> None:
    import sys

    from artseek import settings

    settings.save(settings.Preferences(backend="openvino"))  # chosen where OpenVINO was installed
    monkeypatch.setitem(sys.modules, "openvino", None)  # as an installation without the extra
    window = _new_window(qtbot, tmp_path)
    dialog = window.preferences.show_dialog()
    index = dialog.backend.findData("openvino")
    assert dialog.backend.itemText(index) == "OpenVINO (fastest on CPUs) (not installed)"
    assert not dialog.backend.model().item(index).isEnabled()
    assert "requirements-openvino.txt" in dialog.backend.itemData(index, Qt.ItemDataRole.ToolTipRole)
    assert dialog.backend.currentData() == "openvino" and dialog.backend_missing.isVisible()
    assert "OpenVINO is not installed here" in dialog.backend_missing.text()
    dialog.backend.setCurrentIndex(dialog.backend.findData("auto"))
    assert dialog.backend_missing.isHidden()
    dialog.reject()
