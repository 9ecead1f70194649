"""A guard against a reference-count bug of PySide6 6.12.0 on Python 3.11.

In this build every PySide6 method that returns nothing (``QPainter.drawRect``,
``QLabel.setText``, ``QPainter.setPen`` ...) hands back ``None`` without taking a
reference to it, so each call lowers ``None``'s reference count by one
(``sys.getrefcount(None)`` falls by 200 over 200 ``QLabel.setText`` calls; it
starts near 5,000). Painting a map of thumbnails makes thousands of such calls
a frame, and the process then aborts with "Fatal Python error: none_dealloc:
deallocating None". From Python 3.12 on, ``None`` is immortal and the bug is
harmless.

:func:`guard` raises ``None``'s count once by 2**40 on Python < 3.12 (CPython's
``ob_refcnt`` is the first field of every object), so the process would need
about 10**12 such calls to reach zero. It is called when the map view is made;
calling it again does nothing.
"""

from __future__ import annotations

import ctypes
import sys

BOOST = 1 << 40
_done = False


def guard() -> bool:
    """Make ``None``'s reference count too large to reach zero (Python < 3.12, CPython); True if it was raised."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += BOOST
    _done = True
    return True
