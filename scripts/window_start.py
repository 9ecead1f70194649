"""Window start: seconds from launching a fresh Python to the main window shown (offscreen), and what it imported.

Each run is a new process that builds the window as ``run_app`` does (the
QApplication, the service, ``MainWindow``, ``show()`` and one pass of the event
loop) without opening a library, and reports whether numpy, the map's widgets
and the model stack were imported. With ``--compare DIR`` (another source tree,
e.g. ``git archive HEAD~1 | tar -x -C /tmp/before``) both trees are timed in
the same run, alternating, and the ratio of their medians is printed.

    .venv/bin/python scripts/window_start.py [--runs 7] [--compare /tmp/before]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QSettings
from artseek.ui.app import create_app
from artseek.ui.main_window import MainWindow
from artseek.ui.service import LibraryService
app = create_app()
window = MainWindow(LibraryService(model="tiny-test"), QSettings(sys.argv[2], QSettings.Format.IniFormat))
window.show()
app.processEvents()
print("shown", ",".join(m for m in ("numpy", "artseek.ui.widgets.map_view", "onnxruntime", "torch")
                         if m in sys.modules), flush=True)
"""


def one_start(root: Path, tmp: Path) -> tuple[float, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "data"),
           "XDG_CONFIG_HOME": str(tmp / "config"), "ARTSEEK_LIBRARY": str(tmp / "library")}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root), str(tmp / "window.ini")], env=env, cwd=root,
                          capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    line = next((x for x in proc.stdout.splitlines() if x.startswith("shown")), None)
    if line is None:
        raise RuntimeError(f"the window did not start from {root}: {proc.stderr[-2000:]}")
    return elapsed, line.removeprefix("shown").strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", type=Path, help="another source tree to time in the same run (the baseline)")
    args = parser.parse_args()
    trees = {"this tree": ROOT, **({"baseline": args.compare.resolve()} if args.compare else {})}
    times: dict[str, list[float]] = {name: [] for name in trees}
    imported: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="artseek-window-start-") as tmp:
        for name, root in trees.items():
            one_start(root, Path(tmp))  # warm the file cache (and .pyc files) once
        for _ in range(args.runs):
            for name, root in trees.items():
                seconds, imported[name] = one_start(root, Path(tmp))
                times[name].append(seconds)
    for name in trees:
        t = times[name]
        print(f"{name}: median {statistics.median(t):.2f} s (min {min(t):.2f}, max {max(t):.2f}, {len(t)} runs); "
              f"imported at start: {imported[name] or 'none of numpy/map view/onnxruntime/torch'}")
    if args.compare:
        ratio = statistics.median(times["this tree"]) / statistics.median(times["baseline"])
        print(f"ratio this tree / baseline: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
