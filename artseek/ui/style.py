"""The window's style sheet: resources/style.qss (bundled by pyinstaller.spec)."""

from __future__ import annotations

from functools import cache

from artseek import config


@cache
def style_sheet() -> str:
    """The style sheet's text ("" when the file is missing: the window still works, unstyled)."""
    try:
        return (config.resources_dir() / "style.qss").read_text(encoding="utf-8")
    except OSError:
        return ""
