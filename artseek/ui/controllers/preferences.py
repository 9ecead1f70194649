"""Preferences in the window: the dialog, saving, and applying what can apply at once."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMainWindow

from artseek.ui.service import LibraryService
from artseek.ui.service_prefs import LIMITS, PreferencesStore
from artseek.ui.widgets.preferences_dialog import RESTART_THREADS, PreferencesDialog


class PreferencesController(QObject):
    """Shows Preferences, saves them, applies them to the service and the results grid."""

    def __init__(self, service: LibraryService, window: QMainWindow, set_thumbnail_size: Callable[[int], None],
                 status: Callable[[str, int], None]) -> None:
        super().__init__(window)
        self.service, self.window, self.status = service, window, status
        self.set_thumbnail_size = set_thumbnail_size
        self.store = PreferencesStore(service)
        self.dialog: PreferencesDialog | None = None
        self.apply()

    @property
    def prefs(self):  # noqa: ANN201 - settings.Preferences
        return self.store.prefs

    def start(self, overrides: dict[str, str]) -> None:
        """At start-up: note what the command line set (it wins this session), then apply the rest."""
        self.store.overrides.update(overrides)
        self.apply()

    def apply(self) -> None:
        prefs = self.store.apply()
        self.set_thumbnail_size(prefs.thumbnail_size)

    def show_dialog(self) -> PreferencesDialog:
        """Open Preferences (window-modal, not blocking); OK saves and applies."""
        self.dialog = PreferencesDialog(self.store.reload(), LIMITS, self.store.overrides, self.window,
                                        restart_for_threads=self.store.threads_need_restart,
                                        unavailable=self.store.unavailable_backends())
        self.dialog.finished.connect(self._finished)
        self.dialog.open()
        return self.dialog

    def _finished(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        if result == QDialog.DialogCode.Accepted:
            before = self.store.prefs
            after = self.store.save(dialog.values())
            self.apply()
            later = (before.backend, before.int8, before.threads) != (after.backend, after.int8, after.threads)
            restart = after.threads != before.threads and self.store.threads_need_restart(after.threads)
            self.status("Preferences saved." + (" The model settings apply when a library is next opened."
                                                if later else "") + (f" {RESTART_THREADS}" if restart else ""), 8000)
        dialog.deleteLater()
