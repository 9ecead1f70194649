"""Before the window opens on Linux/X11: are the xcb libraries Qt's platform plugin needs installed?

Without them Qt aborts with only "Could not load the Qt platform plugin "xcb""
(a bare Debian or Ubuntu lacks ``libxcb-cursor0`` in particular). This check
loads each library first and, when one is missing, gives the curator the
package names and the one command that installs them. Qt-free on purpose: it
runs before any QApplication exists.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping

# library Qt's xcb plugin loads -> the Debian/Ubuntu package that provides it
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
}
APT_LINE = "sudo apt-get install " + " ".join(XCB_LIBRARIES.values())
EXIT_CODE = 3
# Desktop tools that show a message box without Qt, tried in order when no terminal shows stderr
DIALOGS = (("zenity", "--error", "--no-wrap", "--title=ArtSeek", "--text={message}"),
           ("kdialog", "--title", "ArtSeek", "--error", "{message}"),
           ("xmessage", "-center", "{message}"))


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when Qt would use its xcb (X11) platform plugin: Linux, a DISPLAY, and no other platform chosen."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":")[0].split(";")[0] == "xcb"
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def can_load(name: str) -> bool:
    """True when the dynamic loader finds the shared library ``name`` (or the packaged app bundles it)."""
    places = [name]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        places.insert(0, os.path.join(bundle, name))
    for place in places:
        try:
            ctypes.CDLL(place)
            return True
        except OSError:
            continue
    return False


def missing_xcb_libraries(load: Callable[[str], bool] = can_load) -> list[str]:
    """The xcb libraries ``load`` cannot load (an empty list: the window can open)."""
    return [name for name in XCB_LIBRARIES if not load(name)]


def missing_message(missing: list[str]) -> str:
    """What the curator reads: what is missing, and the one command that installs it."""
    packages = ", ".join(XCB_LIBRARIES[name] for name in missing)
    return (f"ArtSeek's window cannot open: this Linux desktop lacks system libraries that Qt needs for X11 "
            f"({', '.join(missing)}; Debian/Ubuntu packages: {packages}).\n"
            f"Install them with:\n    {APT_LINE}\n"
            "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms), then start ArtSeek again. "
            "The command line (ArtSeek --help) works without them.")


def check_xcb(environ: Mapping[str, str] | None = None, load: Callable[[str], bool] = can_load,
              platform: str = sys.platform) -> str | None:
    """The message to show when the window would need xcb libraries that are missing; None when all is well."""
    if not uses_xcb(os.environ if environ is None else environ, platform):
        return None
    missing = missing_xcb_libraries(load)
    return missing_message(missing) if missing else None


def show_without_qt(message: str, which: Callable[[str], str | None] = shutil.which,
                    run: Callable[..., object] = subprocess.run) -> bool:
    """Show ``message`` in the first desktop message tool found (zenity, kdialog, xmessage); False when none is."""
    for command in DIALOGS:
        if which(command[0]):
            try:
                run([part.replace("{message}", message) for part in command], check=False, timeout=600)
                return True
            except (OSError, subprocess.SubprocessError):
                continue
    return False
