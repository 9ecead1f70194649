"""Lazy thumbnail loading off the UI thread, with an LRU cache of pixmaps.

The grid asks for a thumbnail only when it paints an item (so with 100k
results only the visible ones are ever loaded). Requests go on a stack: the
most recently requested (what the curator is looking at now) loads first, and
old requests are dropped when scrolling fast.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable

from PIL import Image
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

MAX_PENDING = 600


class _Drain(QRunnable):
    def __init__(self, loader: ThumbnailLoader) -> None:
        super().__init__()
        self._loader = loader

    def run(self) -> None:
        self._loader._drain()


class ThumbnailLoader(QObject):
    """Loads JPEG thumbnails by image id on worker threads; emits ``ready(image_id)``."""

    ready = Signal(int)
    _loaded = Signal(int, int, object)  # generation, image id, QImage or None

    def __init__(self, fetch: Callable[[int], bytes | None], capacity: int = 4000, workers: int = 2,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._capacity = capacity
        self._workers = workers
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(workers)
        self._cache: OrderedDict[int, QPixmap | None] = OrderedDict()
        self._pending: OrderedDict[int, None] = OrderedDict()
        self._inflight: set[int] = set()
        self._active = 0
        self._generation = 0
        self._lock = threading.Lock()
        self._loaded.connect(self._on_loaded)

    # ------------------------------------------------------------- UI thread
    def pixmap(self, image_id: int) -> QPixmap | None:
        """The cached thumbnail, or None (a load is then queued if none was tried)."""
        if image_id in self._cache:
            self._cache.move_to_end(image_id)
            return self._cache[image_id]
        self.request(image_id)
        return None

    def cached(self, image_id: int) -> bool:
        return image_id in self._cache

    def request(self, image_id: int) -> None:
        start = False
        with self._lock:
            if image_id in self._inflight:
                return
            self._pending[image_id] = None
            self._pending.move_to_end(image_id)
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)
            if self._active < self._workers:
                self._active += 1
                start = True
        if start:
            self._pool.start(_Drain(self))

    def reset(self) -> None:
        """Forget everything (another library was opened, or thumbnails changed)."""
        with self._lock:
            self._generation += 1
            self._pending.clear()
        self._cache.clear()

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    @Slot(int, int, object)
    def _on_loaded(self, generation: int, image_id: int, image: QImage | None) -> None:
        with self._lock:
            self._inflight.discard(image_id)
            if generation != self._generation:
                return
        self._cache[image_id] = QPixmap.fromImage(image) if image is not None else None
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        self.ready.emit(image_id)

    # --------------------------------------------------------- worker threads
    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._active -= 1
                    return
                image_id, _ = self._pending.popitem(last=True)
                self._inflight.add(image_id)
                generation = self._generation
            image = None
            try:
                data = self._fetch(image_id)
                if data:
                    image = decode_thumbnail(data)
            except Exception:  # noqa: BLE001 - a broken thumbnail just shows the placeholder
                image = None
            self._loaded.emit(generation, image_id, image)


def decode_thumbnail(data: bytes) -> QImage | None:
    """A stored thumbnail (JPEG) as a QImage, decoded by Pillow: safe on a worker thread.

    Not ``QImage.fromData``: Qt then probes its image plugins, and the SVG one builds a
    QTextStream, which connects a signal under Qt's connection mutex while this thread
    holds Python's lock. A main thread disconnecting a Python object at that moment holds
    that mutex and waits for Python's lock: the window froze (seen in the GUI tests).
    """
    with Image.open(io.BytesIO(data)) as pil:
        rgb = pil.convert("RGB")
    if not rgb.width or not rgb.height:
        return None
    return QImage(rgb.tobytes(), rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()
