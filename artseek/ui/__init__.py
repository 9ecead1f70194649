"""The desktop window: the only package that imports Qt (see docs/gui.md, "For developers").

``main_window`` assembles; ``actions`` declares what the curator can do; ``query_state``
is the observable query; ``controllers/`` hold the flows; ``widgets/`` one widget per file.

Widgets reach the core only through :class:`artseek.ui.service.LibraryService`,
which owns the :class:`artseek.library.Library` and runs every long operation
on worker threads. Nothing here imports torch, open_clip or hnswlib at module
import time: the core is imported lazily on a worker thread after the window
is shown.
"""
