"""``ArtSeek --self-test``: prove an installation works, offline, in a few seconds.

Loads the bundled model, indexes a few generated images into a temporary
library, runs a text and an image search, lays the library out as a map, and
returns 0 only if all of it worked (the query image must come back first; every
image must be on the map). The first map of a new installation compiles
umap's numba code (about a minute on two cores); later runs load it from the cache. Used to check the packaged app.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from artseek.embedding.registry import MODELS

COLOURS = {"red": (220, 30, 30), "green": (30, 170, 40), "blue": (30, 60, 220), "yellow": (240, 220, 30)}


def _images(folder: Path) -> list[Path]:
    paths = []
    for name, rgb in COLOURS.items():
        for shape in ("circle", "square"):
            image = Image.new("RGB", (160, 120), (245, 245, 240))
            draw = ImageDraw.Draw(image)
            box = (40, 20, 120, 100)
            (draw.ellipse if shape == "circle" else draw.rectangle)(box, fill=rgb)
            path = folder / f"{name}_{shape}.jpg"
            image.save(path, "JPEG", quality=92)
            paths.append(path)
    return paths


def run(model: str | None = None, weights: str | None = None, backend: str = "auto") -> int:
    """Run the self-test and print a JSON report; returns the process exit code."""
    from artseek.errors import ArtSeekError
    from artseek.library import Library

    start = time.perf_counter()
    report: dict = {"ok": False}
    candidates = [model] if model else list(MODELS)
    with tempfile.TemporaryDirectory(prefix="artseek-selftest-") as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        paths = _images(folder)
        errors = []
        for name in candidates:
            try:
                with Library(Path(tmp) / f"library-{name}", model=name, weights=weights, backend=backend) as lib:
                    backend = lib.encoder.backend
                    indexed = lib.index([folder])
                    text = lib.search_text("a red circle", top_k=3)
                    image = lib.search_image(paths[3], top_k=3)
                    report.update(model=name, backend=backend, indexed=indexed.indexed,
                                  text_top=[Path(r.path).name for r in text],
                                  image_top=[Path(r.path).name for r in image])
                    map_start = time.perf_counter()
                    from artseek.map import for_library  # the collection map: UMAP (numba) + HDBSCAN

                    laid_out = for_library(lib).build()
                    report.update(map_points=laid_out.points, map_seconds=round(time.perf_counter() - map_start, 2))
                    report["ok"] = (indexed.indexed == len(paths) and len(text) == 3
                                    and image[0].path == str(paths[3]) and laid_out.points == len(paths))
                break
            except ArtSeekError as exc:
                errors.append(f"{name}: {exc}")
        if errors and not report.get("model"):
            report["errors"] = errors
    report["seconds"] = round(time.perf_counter() - start, 2)
    print(json.dumps(report))
    return 0 if report["ok"] else 1
