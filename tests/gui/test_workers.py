"""The task runner hands results and errors to the UI thread; the newest-only queue drops superseded requests."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread, QThreadPool

from artseek.ui.workers import LatestOnly, TaskRunner

pytestmark = pytest.mark.gui


def test_runner_delivers_on_the_ui_thread(qtbot) -> None:  # noqa: ANN001
    runner, pool = TaskRunner(), QThreadPool()
    ui = QThread.currentThread()
    got: list = []
    runner.run(pool, lambda: QThread.currentThread() is not ui,
               lambda r: got.append(("done", r, QThread.currentThread() is ui)))
    runner.run(pool, lambda: 1 / 0, on_error=lambda e: got.append(("error", type(e), QThread.currentThread() is ui)))
    unhandled: list = []
    runner.unhandled.connect(unhandled.append)
    runner.run(pool, lambda: [][1])
    qtbot.waitUntil(lambda: len(got) == 2 and unhandled and not runner.pending, timeout=5_000)
    assert ("done", True, True) in got and ("error", ZeroDivisionError, True) in got
    assert isinstance(unhandled[0], IndexError)


def test_newest_only_drops_superseded_requests(qtbot) -> None:  # noqa: ANN001
    pool = QThreadPool()
    queue = LatestOnly(TaskRunner(), pool)
    release = threading.Event()
    ran, started, delivered, errors = [], [], [], []

    def work(n: int):  # noqa: ANN202
        def run() -> int:
            ran.append(n)
            if n == 1:
                release.wait(5)
            if n == 5:
                raise ValueError("five")
            return n
        return run

    tokens = [queue.submit(work(n), delivered.append, errors.append, lambda n=n: started.append(n)) for n in (1, 2, 3)]
    assert tokens == [1, 2, 3] and queue.running and started == [1]
    release.set()
    qtbot.waitUntil(lambda: delivered == [3] and not queue.running, timeout=5_000)
    assert ran == [1, 3] and started == [1, 3]  # 2 never ran; 1 ran but was superseded, so not delivered

    # A failing newest request delivers its error; invalidate() drops a running request's answer.
    queue.submit(work(5), delivered.append, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], ValueError)
    release.clear()
    queue.submit(work(1), delivered.append, errors.append)
    queue.submit(work(6), delivered.append, errors.append)
    queue.invalidate()
    release.set()
    qtbot.waitUntil(lambda: not queue.running and pool.activeThreadCount() == 0, timeout=5_000)
    qtbot.wait(50)
    assert delivered == [3] and ran[-1] == 1 and 6 not in ran
