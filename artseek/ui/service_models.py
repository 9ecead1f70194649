"""The service's model setup: adding a model file, downloading weights, the ONNX export that follows.

:class:`ModelsService` belongs to :class:`artseek.ui.service.LibraryService`
(its ``models``) and runs everything on the service's worker threads (a read
thread: it never writes to a library, only to the user model folder). Progress
arrives as signals on the UI thread. The core functions are passed in (the
defaults are ArtSeek's own), so tests inject an opener that is offline.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class Installed:
    """A model now in the user model folder."""

    model: str
    path: str
    exported: bool  # an ONNX export was made (or was what the curator brought)
    note: str = ""  # e.g. why no export was made


def _default_add(path: str, log: Callable[[str], None], prefer: str | None = None) -> tuple:
    from artseek.embedding.model_files import add_model_file

    return add_model_file(path, log=log, prefer=prefer)


def _default_fetch(model: str, open_url, progress, cancelled) -> Path:  # noqa: ANN001
    from artseek.embedding import fetch

    return fetch.fetch_weights(model, open_url=open_url or fetch.open_url, progress=progress, cancelled=cancelled)


def _default_export(model: str, weights: Path, int8: bool, log: Callable[[str], None],
                    cancelled: Callable[[], bool]) -> Path:
    """The export the window prepares; with OpenVINO installed also the static int8 tower it runs fastest."""
    from artseek.embedding.export import export_model
    from artseek.embedding.openvino_backend import openvino_version

    return export_model(model, weights, int8=int8, out_dir=weights.parent, log=log, cancelled=cancelled,
                        static_int8=openvino_version() is not None)


def _export_cancelled(exc: BaseException) -> bool:
    from artseek.embedding.export import ExportCancelled

    return isinstance(exc, ExportCancelled)


EXPORT_CANCELLED = ("The fast CPU model was not prepared: its preparation was cancelled and nothing of it was kept. "
                    "The model runs on PyTorch for now (slower on this CPU); choose the model file again to "
                    "prepare it.")


def _added_model(found, target: str | os.PathLike[str]) -> str:  # noqa: ANN001 - a model_files.Recognised
    """The model a file was added as: the one whose weights file name it was copied to."""
    from artseek.embedding.registry import MODELS

    name = Path(target).name
    return next((m for m in found.models if m in MODELS and MODELS[m].weights_filename == name), found.models[0])


def can_export() -> bool:
    """Exports need torch and open_clip (a source install; the packaged app runs ready-made exports)."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "open_clip"))


class ModelsService(QObject):
    """Adds and downloads models in the background; answers with signals."""

    progress = Signal(str, int, int)  # what is happening, done, total (0: unknown)
    cancellable = Signal(bool)  # whether Cancel can stop what runs now (a download and the export can)
    installed = Signal(object)  # Installed
    failed = Signal(str, object)  # what was being done, the exception
    EXPORT_STEPS = 4  # export_model's log lines: loading, exporting, (quantising), measuring

    def __init__(self, service: QObject, add: Callable = _default_add, fetch: Callable = _default_fetch,
                 export: Callable = _default_export, open_url: Callable | None = None) -> None:
        """``service``: the LibraryService (its ``run_background`` and ``library_options``);
        ``export(model, weights, int8, log, cancelled)``: makes the ONNX export, stops when ``cancelled()``."""
        super().__init__(service)
        self.service = service
        self.add, self.fetch, self.export, self.open_url = add, fetch, export, open_url
        self._cancel: threading.Event | None = None

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    @staticmethod
    def models_folder() -> str:
        """The user model folder (created), where added and downloaded models go."""
        from artseek import config

        folder = config.user_models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return os.fspath(folder)

    @staticmethod
    def downloadable(model: str) -> bool:
        from artseek.embedding.fetch import DOWNLOAD_URLS

        return model in DOWNLOAD_URLS

    @staticmethod
    def project_root() -> str:
        from artseek import config

        return os.fspath(config.project_root())

    @staticmethod
    def demo_available() -> bool:
        """The demo exists in a source checkout only (it uses the test model and the sample generator)."""
        from artseek import demo

        return demo.available()

    @staticmethod
    def demo_model() -> str:
        from artseek import demo

        return demo.DEMO_MODEL

    @staticmethod
    def create_demo(count: int | None = None):  # noqa: ANN205 - an artseek.demo.Demo
        """Generate the demo's sample pictures in a new temporary folder (a second or two)."""
        from artseek import demo

        return demo.create(count or demo.DEMO_IMAGES)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def add_file(self, path: str, prefer: str | None = None) -> bool:
        """Check ``path`` (weights file or export folder), copy it into the model folder, export it.

        ``prefer``: the model being set up, taken when the file fits several (the two ViT-B-32 weights).
        """
        if self.busy:
            return False
        cancel = self._cancel = threading.Event()

        def work() -> Installed:
            self.cancellable.emit(False)  # checking and copying take seconds; they are not interrupted
            found, target = self.add(path, lambda msg: self.progress.emit(msg, 0, 0), prefer)
            if found.kind == "onnx":
                return Installed(found.models[0] if found.models else "", os.fspath(target), True)
            return self._export(_added_model(found, target), Path(target), cancel)

        self._run(work, "The model file could not be added")
        return True

    def download(self, model: str) -> bool:
        """Download ``model``'s weights (progress, cancel), then export them."""
        if self.busy:
            return False
        cancel = self._cancel = threading.Event()

        def progress(done: int, total: int) -> None:
            of = f" of {total / 1e6:,.0f}" if total else ""
            self.progress.emit(f"Downloading {model}: {done / 1e6:,.0f}{of} MB", done >> 10, total >> 10)

        def work() -> Installed:
            path = self.fetch(model, self.open_url, progress, cancel.is_set)
            return self._export(model, Path(path), cancel)

        self._run(work, f"The model {model} could not be downloaded")
        return True

    def _export(self, model: str, weights: Path, cancel: threading.Event) -> Installed:
        """The ONNX export of newly added weights (worker thread); a failed or cancelled export still leaves the
        weights usable (on torch), and leaves no half-written export (the export works in a folder of its own)."""
        if not can_export():
            return Installed(model, os.fspath(weights), False, "This installation cannot make an ONNX export; "
                                                                "choose an export folder made on another computer.")
        steps = [0]
        self.cancellable.emit(True)  # stopped between its steps: each tower, quantisation, measurement

        def log(msg: str) -> None:
            steps[0] += 1
            self.progress.emit(f"Preparing the fast CPU model: {msg[0].lower()}{msg[1:]}…", steps[0],
                               self.EXPORT_STEPS + 1)

        int8 = bool(self.service.library_options.get("int8"))
        try:
            self.export(model, weights, int8, log, cancel.is_set)
        except Exception as exc:  # noqa: BLE001 - the weights are in place; the torch backend runs them
            if _export_cancelled(exc):
                return Installed(model, os.fspath(weights), False, EXPORT_CANCELLED)
            return Installed(model, os.fspath(weights), False, f"The ONNX export failed ({exc}); the model runs "
                                                               "on torch instead (slower on this CPU).")
        return Installed(model, os.fspath(weights), True)

    def _run(self, work: Callable[[], Installed], title: str) -> None:
        def done(result: Installed) -> None:
            self._cancel = None
            self.installed.emit(result)

        def fail(exc: BaseException) -> None:
            self._cancel = None
            self.failed.emit(title, exc)

        self.service.run_background(work, done, fail)
