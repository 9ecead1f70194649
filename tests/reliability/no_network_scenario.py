"""Run every ArtSeek activity with the network blocked; exit 0 only if nothing tried to connect.

Usage: python -m tests.reliability.no_network_scenario WORKDIR IMAGES_FOLDER
The test runs it under ``unshare -n`` (no network interfaces at all) where
available; in addition every Python-level socket creation or connection to an
internet address is refused and recorded.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

ATTEMPTS: list[str] = []
_real_socket_init = socket.socket.__init__


def _refuse(what: str):  # noqa: ANN202
    def guard(*args, **kwargs):  # noqa: ANN002, ANN003
        ATTEMPTS.append(f"{what} {args[1:] if args else ''}"[:200])
        raise OSError(101, f"ArtSeek test: network access refused ({what})")

    return guard


def _socket_init(self, family=-1, type=-1, proto=-1, fileno=None):  # noqa: ANN001
    if family in (socket.AF_INET, socket.AF_INET6):
        ATTEMPTS.append(f"socket({family})")
        raise OSError(101, "ArtSeek test: network sockets are refused")
    _real_socket_init(self, family, type, proto, fileno)


def install_guard() -> None:
    socket.socket.__init__ = _socket_init  # type: ignore[method-assign]
    socket.create_connection = _refuse("create_connection")  # type: ignore[assignment]
    socket.getaddrinfo = _refuse("getaddrinfo")  # type: ignore[assignment]
    socket.gethostbyname = _refuse("gethostbyname")  # type: ignore[assignment]


def main() -> int:
    install_guard()
    work, images = Path(sys.argv[1]), Path(sys.argv[2])
    os.environ["ARTSEEK_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from artseek.cli import main as cli

    lib_dir = str(work / "lib")
    first = sorted(images.glob("*.png"))[0]
    steps = [
        ["index", str(images), "--library", lib_dir, "--model", "tiny-test"],
        ["search", "a red circle", "--library", lib_dir, "--json"],
        ["search", "--image", str(first), "--library", lib_dir],
        ["status", "--library", lib_dir, "--json"],
    ]
    for argv in steps:
        if cli(argv) != 0:
            print(f"step failed: {argv}", file=sys.stderr)
            return 3

    from artseek.library import Library
    from artseek.search.query import Query

    csv = work / "texts.csv"
    csv.write_text("file,description\n" + f"{first.name},a red circle on a plain background. A museum print.\n")
    with Library(lib_dir) as lib:
        top = lib.search_text("a blue star", 10)
        lib.search_query(Query(text="a blue star", positive_ids=[top[0].image_id], negative_ids=[top[-1].image_id]))
        lib.search_query(Query(images=[str(first)], text="a blue star", text_weight=0.5, negative_texts=["green"]))
        for method in ("rocchio", "classifier"):
            lib.search_query(Query(positive_ids=[top[0].image_id], negative_ids=[top[-1].image_id], method=method))
        lib.texts.import_file(csv)
        lib.texts.describe(top[0].image_id)
        lib.texts.suggest_keywords(top[0].image_id)

    # The desktop window: open the library, load the model, run a search.
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from artseek.ui.app import create_app
    from artseek.ui.main_window import MainWindow
    from artseek.ui.query_state import QueryState
    from artseek.ui.service import LibraryService

    app = create_app([])
    service = LibraryService(model="tiny-test")
    window = MainWindow(service, QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window.show()
    window.open_library(lib_dir, strict_model=True)
    loop = QEventLoop()
    got: list = []
    service.searchFinished.connect(lambda outcome: (got.append(outcome), loop.quit()))
    service.searchFailed.connect(lambda exc: (got.append(exc), loop.quit()))

    def try_search() -> None:
        if service.is_open:
            service.search(QueryState(text="a red circle"))
        else:
            QTimer.singleShot(100, try_search)

    QTimer.singleShot(100, try_search)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    window.close()
    app.processEvents()
    print(json.dumps({"attempts": ATTEMPTS, "gui_search": type(got[0]).__name__ if got else None}))
    return 0 if not ATTEMPTS and got and not isinstance(got[0], BaseException) else 4


if __name__ == "__main__":
    sys.exit(main())
