"""Model Setup from the window alone: a copied model file, an offline download, the folder, the demo.

The file chooser, the folder opener and the demo launcher are injected (no native dialogs, no file manager,
no second process); downloads go through an injected opener that is offline (never the network).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import urllib.error
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from artseek import config
from tests.conftest import TINY_WEIGHTS
from tests.gui.conftest import search, wait_indexed

pytestmark = pytest.mark.gui


@pytest.fixture
def no_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No model's weights anywhere: an empty user model folder, no bundle, the tiny model not in the checkout."""
    from artseek.embedding import registry

    models = tmp_path / "models"
    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(models))
    monkeypatch.setenv("ARTSEEK_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setattr("artseek.config.bundled_models_dir", lambda: tmp_path / "no-bundle")
    monkeypatch.setitem(registry.MODELS, "tiny-test", dataclasses.replace(registry.MODELS["tiny-test"], extra_dirs=()))
    return models


def _window(qtbot, tmp_path: Path, model: str, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN202
    from artseek.ui import errors
    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "show_error", lambda _parent, title, text, *a: boxes.append((title, text)))
    window = MainWindow(LibraryService(model=model), QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.open_library(str(tmp_path / "library"), strict_model=True)
    qtbot.waitUntil(lambda: window.models.dialog is not None and window.models.dialog.isVisible(), timeout=60_000)
    return window, window.models.dialog, boxes


@pytest.mark.parametrize("real_export", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_a_copied_model_file_is_set_up_from_the_window_alone(qtbot, tmp_path, no_models, monkeypatch,  # noqa: ANN001
                                                             shapes_200, real_export: bool) -> None:
    """The default suite stands in for the ONNX export (its steps only: 40 s less); the slow suite runs it."""
    window, dialog, boxes = _window(qtbot, tmp_path, "tiny-test", monkeypatch)
    if not real_export:
        def export(model: str, weights: Path, int8: bool, log, cancelled) -> None:  # noqa: ANN001
            for step in ("Loading", "Exporting", "Measuring"):
                log(f"{step} {model}")

        window.service.models.export = export
    assert "artseek-tiny.safetensors" in dialog.reason.text() and boxes == []
    assert window.model_label.text() == "Model: tiny-test not available"
    assert not dialog.download_button.isVisibleTo(dialog)  # the tiny model has no download

    brought = tmp_path / "usb stick" / "model from the IT department.safetensors"
    brought.parent.mkdir()
    shutil.copyfile(TINY_WEIGHTS, brought)
    chosen: list[object] = []
    window.models.choose_path = lambda parent: chosen.append(parent) or str(brought)
    steps: list[tuple[str, int, int]] = []
    window.service.models.progress.connect(lambda text, done, total: steps.append((text, done, total)))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert chosen == [window] and not dialog.choose_button.isEnabled() and dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: window.service.model_state == "ready", timeout=120_000)

    # Checked, copied under the expected name, exported for the fast CPU backend (with progress), then loaded.
    assert (no_models / "artseek-tiny.safetensors").read_bytes() == TINY_WEIGHTS.read_bytes()
    assert (no_models / "artseek-tiny.onnx" / "manifest.json").is_file() == real_export
    assert steps[0][0].startswith("Checking") and any("Preparing the fast CPU model" in t for t, _, _ in steps)
    assert [d for t, d, n in steps if n] == sorted(d for t, d, n in steps if n)  # the export's steps go forward
    outcome = dialog.outcome.text()
    assert "The model tiny-test is installed" in outcome and "Loading it now" in outcome
    assert dialog.choose_button.isEnabled() and not dialog.cancel_button.isVisible()
    assert window.model_label.text() == "Model: tiny-test"
    assert window.service.library.encoder.backend == ("onnx" if real_export else "torch") and boxes == []

    # The window works: import and search.
    from tests.gui.conftest import copy_shapes

    dialog.reject()
    window.import_folders([str(copy_shapes(shapes_200, tmp_path / "images", 0, 32))])
    wait_indexed(qtbot, window, 32)
    assert search(qtbot, window, "a red star")


def test_download_offline_says_so_in_the_dialog_and_keeps_nothing(qtbot, tmp_path, no_models,  # noqa: ANN001
                                                                  monkeypatch) -> None:
    window, dialog, boxes = _window(qtbot, tmp_path, config.DEFAULT_MODEL, monkeypatch)
    asked: list[str] = []

    def offline(url: str):  # noqa: ANN202
        asked.append(url)
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    window.service.models.open_url = offline
    assert dialog.download_button.isVisibleTo(dialog) and dialog.download_button.text() == f"Download {config.DEFAULT_MODEL}"
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.outcome.text()), timeout=30_000)
    text = dialog.outcome.text()
    assert text.startswith(f"The weights of '{config.DEFAULT_MODEL}' could not be downloaded: this computer cannot reach the "
                           "download server (") and "Network is unreachable" in text.partition("\n")[0]
    assert "Choose a model file" in text  # what to do instead
    assert asked and asked[0].startswith("https://huggingface.co/")
    assert boxes == [] and dialog.download_button.isEnabled() and not dialog.progress.isVisible()
    assert not no_models.exists() or not any(no_models.iterdir())
    assert "could not be downloaded" in window.statusBar().currentMessage()
    assert window.service.models.busy is False


def test_a_download_shows_progress_and_cancel_keeps_nothing(qtbot, tmp_path, no_models, monkeypatch) -> None:  # noqa: ANN001
    import time

    from artseek.embedding import fetch

    window, dialog, boxes = _window(qtbot, tmp_path, config.DEFAULT_MODEL, monkeypatch)

    class Endless:  # a slow, large download
        def read(self, n: int) -> bytes:
            time.sleep(0.01)
            return b"\0" * 65536

        def close(self) -> None:
            pass

    window.service.models.open_url = lambda url: fetch._Response(Endless(), 600_000_000, None)
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.maximum() > 0 and dialog.progress.value() > 0, timeout=30_000)
    assert f"Downloading {config.DEFAULT_MODEL}" in dialog.progress_label.text() and " of 600 MB" in dialog.progress_label.text()
    assert dialog.cancel_button.isVisible() and not dialog.download_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.outcome.text()), timeout=30_000)
    assert dialog.outcome.text() == "The download was cancelled; nothing was kept."
    assert boxes == [] and dialog.download_button.isEnabled() and not any(no_models.iterdir())


def test_the_model_label_and_the_menu_open_setup_with_the_folder_and_the_demo(qtbot, window, monkeypatch,  # noqa: ANN001
                                                                               tmp_path) -> None:
    import sys

    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(tmp_path / "models"))
    qtbot.waitUntil(lambda: window.service.model_state == "ready", timeout=60_000)
    qtbot.mouseClick(window.model_label, Qt.MouseButton.LeftButton)
    dialog = window.models.dialog
    assert dialog is not None and dialog.isVisible() and "tiny-test is ready" in dialog.reason.text()
    opened: list[str] = []
    launched: list[list[str]] = []
    window.models.open_folder = opened.append
    window.models.launch_demo = lambda args: launched.append(args) or True
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(tmp_path / "models")] and (tmp_path / "models").is_dir()
    assert dialog.demo_button.isVisibleTo(dialog)  # a source checkout
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert launched == [[sys.executable, str(Path(__file__).resolve().parents[2] / "main.py"), "--demo"]]
    assert "own window" in dialog.outcome.text()
    dialog.reject()
    qtbot.waitUntil(lambda: window.models.dialog is None)
    window.actions["model_setup"].trigger()
    assert window.models.dialog is not None and window.models.dialog.isVisible()


def test_the_demo_opens_labelled_imports_its_pictures_and_searches(qtbot, tmp_path) -> None:  # noqa: ANN001
    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    service = LibraryService()
    demo = service.models.create_demo(48)
    assert demo.images.is_dir() and len(list(demo.images.iterdir())) == 48 and not demo.library.exists()
    window = MainWindow(service, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.models.start_demo(demo)
    qtbot.waitUntil(lambda: service.is_open and service.status.indexed == 48, timeout=90_000)
    wait_indexed(qtbot, window, 48)
    assert window.windowTitle().startswith("Demo — ArtSeek")
    assert window.models.demo_label.isVisible() and "Demo" in window.models.demo_label.text()
    assert service.library.model_name == "tiny-test" and Path(service.library.folder) == demo.library
    results = search(qtbot, window, "a red star")
    assert any("red_star" in r.path for r in results[:3])  # 2 of the 48 pictures are red stars
    window.close()
    shutil.rmtree(demo.folder)


def test_with_bundled_weights_it_never_shows(qtbot, tmp_path, no_models, monkeypatch) -> None:  # noqa: ANN001
    """The packaged app bundles its model in resources/models: the window starts straight into a usable model."""
    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copyfile(TINY_WEIGHTS, bundle / "artseek-tiny.safetensors")
    monkeypatch.setattr("artseek.config.bundled_models_dir", lambda: bundle)
    window = MainWindow(LibraryService(model="tiny-test"), QSettings(str(tmp_path / "w.ini"),
                                                                     QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.open_library(str(tmp_path / "library"), strict_model=True)
    qtbot.waitUntil(lambda: window.service.model_state == "ready", timeout=60_000)
    qtbot.wait(200)
    assert window.models.dialog is None and window.model_label.text() == "Model: tiny-test"


def test_cancel_stops_the_export_after_a_chosen_file_and_keeps_no_half_export(qtbot, tmp_path, no_models,  # noqa: ANN001
                                                                               monkeypatch) -> None:
    """The real ONNX export, cancelled between its image and text towers: the weights stay (torch runs them), no
    export folder or work folder is left, and the dialog says what happened and how to prepare it later."""
    import threading

    from artseek.ui import service_models

    window, dialog, boxes = _window(qtbot, tmp_path, "tiny-test", monkeypatch)
    at_gate, asked = threading.Event(), []

    def export(model, weights, int8, log, cancelled):  # noqa: ANN001, ANN202 - the real one, held between towers
        def held() -> bool:
            asked.append(1)
            if len(asked) == 2:  # between the image tower (written) and the text tower
                at_gate.set()
                for _ in range(600):
                    if cancelled():
                        break
                    threading.Event().wait(0.05)
            return cancelled()

        return service_models._default_export(model, weights, int8, log, held)

    window.service.models.export = export
    brought = tmp_path / "usb" / "tiny.safetensors"
    brought.parent.mkdir()
    shutil.copyfile(TINY_WEIGHTS, brought)
    window.models.choose_path = lambda parent: str(brought)
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(at_gate.is_set, timeout=120_000)
    qtbot.waitUntil(lambda: "Preparing the fast CPU model" in dialog.progress_label.text(), timeout=10_000)
    assert dialog.cancel_button.isVisible() and not dialog.choose_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.service.model_state == "ready", timeout=120_000)

    outcome = dialog.outcome.text()
    assert "The model tiny-test is installed" in outcome
    assert "its preparation was cancelled and nothing of it was kept" in outcome
    assert "choose the model file again" in outcome
    assert sorted(p.name for p in no_models.iterdir()) == ["artseek-tiny.safetensors"]  # no export, no work folder
    assert window.service.library.encoder.backend == "torch" and boxes == []
    assert dialog.choose_button.isEnabled() and not dialog.cancel_button.isVisible()
    assert window.service.models.busy is False


def test_the_window_prepares_the_openvino_tower_where_openvino_is_installed(tmp_path: Path, monkeypatch) -> None:
    """With OpenVINO installed (make test installs it) the window's preparation adds the static int8 tower, measured
    under OpenVINO, so --backend auto runs it after its check on this machine (made the faster here: on the tiny
    model the two runtimes are about even)."""
    from artseek.embedding import openvino_backend
    from artseek.embedding.loader import load_encoder
    from artseek.ui import service_models

    monkeypatch.setattr(openvino_backend, "machine_speed", lambda _e: {
        "openvino_ms_per_image": 1.0, "onnx_ms_per_image": 2.0, "onnx_variant": "int8"})

    weights = tmp_path / TINY_WEIGHTS.name
    shutil.copyfile(TINY_WEIGHTS, weights)
    lines: list[str] = []
    folder = service_models._default_export("tiny-test", weights, False, lines.append, lambda: False)
    static = json.loads((folder / "manifest.json").read_text())["variants"]["int8-static"]
    assert static["openvino"]["agreement"]["image_cosine_min"] > 0.97
    assert any("Measuring OpenVINO" in line for line in lines)
    assert load_encoder("tiny-test", weights=weights, backend="auto", device="cpu").backend == "openvino"
