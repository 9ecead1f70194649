"""``main.py bench huge-image``: time and peak memory of indexing one huge 16-bit TIFF, against a small one.

Writes a ``side`` x ``side`` RGB 16-bit TIFF (12000 -> 144 megapixels, 864 MB,
strip by strip so the writer stays small; never kept after the run) and a
1000 x 1000 one of the same kind, then, each in a fresh child process:

- the decode alone (``decode_for_index``: hash, decode, model input, thumbnail);
- a whole indexing job (``index`` into a fresh library: start-up, model, scan, decode,
  inference, SQLite, hnswlib) of a folder holding only that image.

Peak RSS is each child's own high-water mark (``VmHWM``, read as it exits). The small image's job is
the baseline: the huge image's extra memory and time are the differences.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from artseek import config

BASELINE_SIDE = 1000
_DECODE_CHILD = """
import json, sys, time
from artseek.embedding.preprocess import PreprocessConfig
from artseek.ingest.decode import decode_for_index
t = time.perf_counter()
d = decode_for_index(sys.argv[1], PreprocessConfig(int(sys.argv[2])))
print(json.dumps({"seconds": time.perf_counter() - t, "width": d.width, "height": d.height}))
"""


def write_tiff16(path: Path, side: int, rows: int = 500) -> Path:
    """An RGB 16-bit uncompressed TIFF of ``side`` x ``side`` with smooth gradients, written strip by strip."""
    import tifffile  # a development dependency (requirements-dev.txt)

    rows = min(rows, side)

    def strips():  # noqa: ANN202
        x = np.arange(side, dtype=np.int64)[None, :]
        for top in range(0, side, rows):
            y = np.arange(top, min(top + rows, side), dtype=np.int64)[:, None]
            r = (x * 65535 // side + y) % 65536
            g = np.broadcast_to(y * 65535 // side, r.shape)
            b = ((x + y) * 40) % 65536
            yield np.stack([r, g, b], -1).astype(np.uint16)

    tifffile.imwrite(path, strips(), shape=(side, side, 3), dtype=np.uint16, photometric="rgb", rowsperstrip=rows)
    return path


# Runs a script (argv[1]: a path, or "-c" and code) and writes its own peak RSS (VmHWM) to stderr at exit.
# The child's rusage is no use here: Linux carries the parent's peak across fork and exec into ru_maxrss.
_PEAK_WRAPPER = """
import atexit, runpy, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("ARTSEEK_PEAK_KB", line.split()[1], file=sys.stderr)
atexit.register(_peak)
if sys.argv[1] == "-c":
    code = sys.argv[2]
    sys.argv = ["-c", *sys.argv[3:]]
    exec(compile(code, "<child>", "exec"), {"__name__": "__main__"})
else:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _child(args: list[str]) -> tuple[float, float, str]:
    """Run ``python args`` from the project root: (wall seconds, the child's own peak RSS in MB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *args], cwd=config.project_root(), capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"the measured command failed: {' '.join(args)}\n{proc.stderr[-2000:]}")
    peaks = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("ARTSEEK_PEAK_KB")]
    return seconds, (peaks[-1] / 1024 if peaks else float("nan")), proc.stdout


def measure(image: Path, model: str, weights: Path | None, image_size: int, work: Path,
            backend: str = "auto") -> dict[str, float]:
    """Decode alone and a whole indexing job of ``image``, each in its own process."""
    decode_s, decode_mb, out = _child(["-c", _DECODE_CHILD, str(image), str(image_size)])
    inner = json.loads(out.strip().splitlines()[-1])
    folder = work / f"only-{image.stem}"
    folder.mkdir()
    os.link(image, folder / image.name)
    command = ["main.py", "index", str(folder), "--library", str(work / f"library-{image.stem}"), "--model", model]
    if weights:
        command += ["--weights", str(weights)]
    command += ["--backend", backend]
    job_s, job_mb, _ = _child(command)
    return {"decode_s": round(inner["seconds"], 2), "decode_peak_mb": round(decode_mb),
            "job_s": round(job_s, 2), "job_peak_mb": round(job_mb)}


def run(side: int = 12000, model: str = "ViT-B-32", weights: Path | None = None, workdir: Path | None = None,
        image_size: int = 224, backend: str = "auto", out: Callable[[str], None] = print) -> dict[str, object]:
    """Measure, print and return the figures (the images are deleted afterwards)."""
    if weights is None and model != "tiny-test":
        from artseek.bench.indexing import ensure_export, random_weights

        weights = random_weights(model)  # speed and memory do not depend on the weights
        if backend == "onnx":
            ensure_export(model, weights, int8=True, out=out)
    with tempfile.TemporaryDirectory(prefix="artseek-huge-", dir=workdir) as tmp:
        work = Path(tmp)
        out(f"writing a {side}x{side} 16-bit RGB TIFF ({side * side * 6 / 1e6:.0f} MB)...")
        huge = write_tiff16(work / "huge.tif", side)
        small = write_tiff16(work / "small.tif", BASELINE_SIDE)
        base = measure(small, model, weights, image_size, work, backend)
        big = measure(huge, model, weights, image_size, work, backend)
    figures = {"megapixels": round(side * side / 1e6), "file_mb": round(side * side * 6 / 1e6), "model": model,
               "backend": backend,
               "baseline_1mp": base, "huge": big,
               "job_extra_mb": big["job_peak_mb"] - base["job_peak_mb"],
               "job_peak_ratio": round(big["job_peak_mb"] / base["job_peak_mb"], 2),
               "job_time_ratio": round(big["job_s"] / base["job_s"], 2)}
    out(f"{figures['megapixels']} MP 16-bit TIFF ({figures['file_mb']} MB), model {model}, backend {backend}:")
    out(f"  decode alone: {big['decode_s']} s, peak RSS {big['decode_peak_mb']} MB "
        f"(1 MP baseline: {base['decode_s']} s, {base['decode_peak_mb']} MB)")
    out(f"  indexing job: {big['job_s']} s, peak RSS {big['job_peak_mb']} MB "
        f"(1 MP baseline: {base['job_s']} s, {base['job_peak_mb']} MB; ratio {figures['job_peak_ratio']}, "
        f"+{figures['job_extra_mb']} MB for the huge image)")
    return figures
