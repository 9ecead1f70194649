"""The desktop window: the only package that imports Qt.

Widgets reach the core only through :class:`artseek.ui.service.LibraryService`,
which owns the :class:`artseek.library.Library` and runs every long operation
on worker threads. Nothing here imports torch, open_clip or hnswlib at module
import time: the core is imported lazily on a worker thread after the window
is shown.
"""
