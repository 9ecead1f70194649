"""Composed image+text queries in the window: the method choice and training the Pic2Word mapper."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from artseek.ui import errors
from artseek.ui.service import LibraryService
from artseek.ui.widgets.training_dialog import TrainingDialog

Status = Callable[[str, int], None]


class ComposedController(QObject):
    """Sets the service's composed method from a checkable action, and runs the training with a progress dialog."""

    def __init__(self, service: LibraryService, toggle: QAction, status: Status, parent: QWidget) -> None:
        super().__init__(parent)  # a QObject, so that the service's signals from the worker arrive on the UI thread
        self.service, self.toggle, self.status, self._parent = service, toggle, status, parent
        self.dialog: TrainingDialog | None = None
        self.options = None  # TrainingOptions for the next training (None: the defaults)
        self._control = None
        toggle.setChecked(False)  # averaging stays the default (docs/evaluation.md, "Composed queries")
        service.mapper.mapperProgress.connect(self._progress)
        service.mapper.mapperTrained.connect(self._trained)
        service.mapper.mapperFailed.connect(self._failed)
        self.choose()

    def choose(self) -> None:
        """Checked: Pic2Word when the library has a mapper; unchecked: averaging. The status bar says which ran."""
        self.service.composed_method = "pic2word" if self.toggle.isChecked() else "average"

    def train(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            return
        control = self.service.mapper.train(self.options)
        if control is None:
            return
        self._control = control
        self.dialog = TrainingDialog(self._parent)
        self.dialog.canceled.connect(control.cancel)
        self.dialog.show()
        self.status("Training the composed-query mapper in the background…", 0)

    @property
    def training(self) -> bool:
        return self.dialog is not None

    def _progress(self, p) -> None:  # noqa: ANN001 - TrainingProgress
        if self.dialog is not None:
            self.dialog.show_progress(p)

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog, self._control = None, None

    def _trained(self, info) -> None:  # noqa: ANN001 - MapperInfo or None
        self._close()
        if info is None:
            self.status("Training the composed-query mapper was cancelled; nothing changed.", 8000)
            return
        s = info.stats
        self.toggle.setChecked(True)  # the curator asked for it: use it (Search menu to go back to averaging)
        self.choose()
        self.status(f"Composed-query mapper trained on {s['images']} images in {s['seconds']:.0f} s: image + text "
                    "searches now use Pic2Word (Search menu: switch back to averaging).", 10000)

    def _failed(self, exc: BaseException) -> None:
        self._close()
        errors.report(self._parent, "Training failed", exc, self.status)
