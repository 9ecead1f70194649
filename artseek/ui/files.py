"""Opening an image in the default viewer and showing it in the file manager."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from artseek.ui import errors


def open_file(parent: QWidget | None, path: str) -> None:
    if not os.path.exists(path):
        errors.show_error(parent, "File not found", f"'{path}' no longer exists.\nRe-scan the library (F5).")
        return
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
        errors.show_error(parent, "Cannot open the file", f"No program is set up to open '{path}'.")


def reveal_file(parent: QWidget | None, path: str) -> None:
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        errors.show_error(parent, "Folder not found", f"'{folder}' no longer exists.\nRe-scan the library (F5).")
        return
    if sys.platform.startswith("win"):
        QProcess.startDetached("explorer.exe", ["/select,", os.path.normpath(path)])
    elif sys.platform == "darwin":
        QProcess.startDetached("open", ["-R", path])
    elif not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
        errors.show_error(parent, "Cannot show the folder", f"No file manager could open '{folder}'.")
