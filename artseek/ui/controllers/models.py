"""Model setup in the window: the dialog's flows (add a file, download, open the folder, the demo).

When the library's model cannot be found, the window shows Model Setup instead
of an error (see ``errors.MODEL_SETUP``); the status bar's model label and
*Library → Model Setup…* open it at any time. A newly installed model is put to
use at once: the library's own model is loaded again, an empty library switches
to it, and otherwise the curator is told how to re-index with it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QProcess, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QWidget

from artseek import config
from artseek.errors import ArtSeekError
from artseek.ui.errors import describe_error
from artseek.ui.service import LibraryService
from artseek.ui.service_models import Installed
from artseek.ui.widgets.model_setup_dialog import ModelSetupDialog

DEFAULT_MODEL = config.DEFAULT_MODEL  # what a new library gets (the measured choice, README "Models")
MODEL_FILTER = "Model files (*.safetensors *.pt *.pth *.bin manifest.json);;All files (*)"
DEMO_LABEL = "Demo: tiny test model on generated sample pictures"


def _choose_path(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Choose a model file (or an export's manifest.json)", "",
                                          MODEL_FILTER)
    return path or None


def _open_folder(folder: str) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


def _launch_demo(args: list[str]) -> bool:
    return bool(QProcess.startDetached(args[0], args[1:]))


class ModelsController(QObject):
    """Model Setup's flows; the file chooser, folder opener and demo launcher are injectable (tests)."""

    def __init__(self, service: LibraryService, window: QMainWindow, status: Callable[[str, int], None],
                 choose_path: Callable[[QWidget], str | None] = _choose_path,
                 open_folder: Callable[[str], None] = _open_folder,
                 launch_demo: Callable[[list[str]], bool] = _launch_demo) -> None:
        super().__init__(window)
        self.service, self.window, self.status = service, window, status
        self.choose_path, self.open_folder, self.launch_demo = choose_path, open_folder, launch_demo
        self.dialog: ModelSetupDialog | None = None
        self.demo = None  # the demo this window shows (main.py --demo), else None
        self._demo_imported = False
        self.demo_label: QLabel | None = None
        models = service.models
        models.progress.connect(self._progress)
        models.installed.connect(self._installed)
        models.failed.connect(self._failed)
        models.cancellable.connect(lambda can: self.dialog is not None and self.dialog.cancel_button.setVisible(can))
        service.libraryOpened.connect(self._library_opened)

    # ------------------------------------------------------------- the dialog
    def wanted_model(self) -> str:
        lib = self.service.library
        return (lib.model_name if lib is not None else None) or self.service.model or DEFAULT_MODEL

    def offer_setup(self, exc: BaseException) -> None:
        """The presenter of a missing model (errors.MODEL_SETUP): Model Setup, with the reason in plain words."""
        message = getattr(exc, "message", None) or describe_error(exc)
        self.show_setup(f"{message}\nChoose one of the ways below. Or rebuild this library with a model that is on "
                        "this computer: Library → Re-index with Another Model….")

    def show_setup(self, reason: str | None = None) -> ModelSetupDialog:
        if self.dialog is None:
            model = self.wanted_model()
            download = f"Download {model}" if self.service.models.downloadable(model) else None
            self.dialog = ModelSetupDialog(self.service.models.models_folder(), download,
                                           self.service.models.demo_available() and self.demo is None, self.window)
            d = self.dialog
            d.chooseFileRequested.connect(self.choose_file)
            d.downloadRequested.connect(self.download)
            d.openFolderRequested.connect(lambda: self.open_folder(self.service.models.models_folder()))
            d.demoRequested.connect(self.start_demo_window)
            d.cancelRequested.connect(self.service.models.cancel)
            d.finished.connect(self._closed)
        if reason is None:
            state, model = self.service.model_state, self.wanted_model()
            reason = (f"The model {model} is ready. You can add or download another model here."
                      if state == "ready" else f"The model {model} is not available yet.")
        self.dialog.set_reason(reason)
        self.dialog.open()
        self.dialog.raise_()
        return self.dialog

    def _closed(self, *_: object) -> None:
        if self.dialog is not None and not self.service.models.busy:
            self.dialog.deleteLater()
            self.dialog = None

    def choose_file(self) -> None:
        path = self.choose_path(self.window)
        if not path:
            return
        if os.path.basename(path) == "manifest.json":
            path = os.path.dirname(path)  # an ONNX export is its folder
        if self.service.models.add_file(path, self.wanted_model()) and self.dialog is not None:
            self.dialog.set_busy(True)
            self.dialog.show_progress(f"Checking {os.path.basename(path)}…", 0, 0)

    def download(self) -> None:
        if self.service.models.download(self.wanted_model()) and self.dialog is not None:
            self.dialog.set_busy(True)
            self.dialog.show_progress("Connecting…", 0, 0)

    def _progress(self, text: str, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.show_progress(text, done, total)

    def _failed(self, title: str, exc: BaseException) -> None:
        # ArtSeek's own errors already say what happened and what to do; anything else gets the title first.
        text = describe_error(exc) if isinstance(exc, ArtSeekError) else f"{title}.\n{describe_error(exc)}"
        self.status(text.partition("\n")[0], 10000)
        if self.dialog is not None:
            self.dialog.show_outcome(text, ok=False)

    def _installed(self, result: Installed) -> None:
        """Use the new model: reload the library's own, switch an empty library to it, else say how."""
        text = f"The model {result.model} is installed ({result.path})."
        if result.note:
            text += f"\n{result.note}"
        lib, status = self.service.library, self.service.status
        if lib is not None and lib.model_name == result.model:
            text += "\nLoading it now."
            self.service.warm_up()
        elif lib is not None and status is not None and not status.indexed and not status.roots \
                and not lib.read_only:
            text += f"\nThis library is empty: it now uses {result.model}."
            self.service.reindex(result.model, None)
        elif lib is not None:
            text += (f"\nThis library was built with {lib.model_name}. To use {result.model} for it, choose "
                     "Library → Re-index with Another Model….")
        self.status(text.partition("\n")[0], 10000)
        if self.dialog is not None:
            self.dialog.show_outcome(text, ok=True)

    # ------------------------------------------------------------------ demo
    def start_demo_window(self) -> None:
        """Try the Demo: a separate ArtSeek window on the demo (this window and its library stay as they are)."""
        main = os.path.join(self.service.models.project_root(), "main.py")
        if self.launch_demo([sys.executable, main, "--demo"]):
            self.status("The demo opens in its own window…", 8000)
            if self.dialog is not None:
                self.dialog.show_outcome("The demo opens in its own window in a moment.", ok=True)
        elif self.dialog is not None:
            self.dialog.show_outcome("The demo could not be started.\nRun 'make demo' in the ArtSeek folder.", ok=False)

    def start_demo(self, demo: object) -> None:
        """Show ``demo`` (an artseek.demo.Demo) in this window: its library, with its sample pictures imported."""
        self.demo = demo
        self.service.model = self.service.models.demo_model()
        self.demo_label = QLabel(DEMO_LABEL, self.window)
        self.demo_label.setObjectName("demoLabel")
        self.demo_label.setStyleSheet("font-weight: bold; color: #8a4b00;")
        self.window.statusBar().addPermanentWidget(self.demo_label)
        self.window.setWindowTitle("Demo — ArtSeek")
        self.window.open_library(os.fspath(demo.library), strict_model=True)

    def _library_opened(self, status: object) -> None:
        demo = self.demo
        if demo is None or os.path.abspath(status.library) != os.path.abspath(os.fspath(demo.library)):
            return
        self.window.setWindowTitle("Demo — ArtSeek (tiny test model, sample pictures)")
        if not self._demo_imported:
            self._demo_imported = True
            self.service.import_folders([os.fspath(demo.images)])
            self.status("Demo: importing generated sample pictures. Try searching for 'a red star'.", 15000)
