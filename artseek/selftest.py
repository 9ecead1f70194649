"""``ArtSeek --self-test``: prove an installation works, offline, in a few seconds.

Loads the bundled model, indexes a few generated images into a temporary
library, runs a text and an image search, decodes an AVIF, a HEIC and a 16-bit
PSB it writes itself (the readers the packaged app must bundle) and loads the
camera RAW reader, lays the library out as a map, and returns 0 only if all of
it worked (the query image must come back first; every image must be on the
map). The first map of a new installation compiles umap's numba code (about a
minute on two cores); later runs load it from the cache. Used to check the
packaged app.
"""

from __future__ import annotations

import json
import struct
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


def _psb_bytes(image: Image.Image) -> bytes:
    """A 16-bit RGB PSB (Photoshop large document) of ``image``: the merged image only, uncompressed."""
    import numpy as np

    rgb = image.convert("RGB")
    planes = (np.asarray(rgb, dtype=np.uint16) * 257).transpose(2, 0, 1).astype(">u2").tobytes()
    header = b"8BPS" + struct.pack(">H6xHIIHH", 2, 3, rgb.height, rgb.width, 16, 3)
    return header + struct.pack(">IIQH", 0, 0, 0, 0) + planes


def check_formats(folder: Path) -> dict[str, str]:
    """Write a tiny AVIF, HEIC and PSB, decode each as indexing does: format -> "ok" or what went wrong."""
    from artseek.ingest.decode import open_image, read_file

    image = Image.new("RGB", (64, 48), (245, 245, 240))
    ImageDraw.Draw(image).ellipse((16, 8, 48, 40), fill=COLOURS["red"])

    def heic(path: Path) -> None:
        import pillow_heif

        pillow_heif.from_pillow(image).save(path, quality=90)

    writers = {"AVIF": (".avif", lambda p: image.save(p, "AVIF", quality=90)), "HEIC": (".heic", heic),
               "PSB": (".psb", lambda p: p.write_bytes(_psb_bytes(image)))}
    results = {}
    for name, (suffix, write) in writers.items():
        path = folder / f"format{suffix}"
        try:
            write(path)
            decoded, *_ = open_image(read_file(str(path)), extension=suffix)
            red = decoded.getpixel((32, 24))
            results[name] = "ok" if red[0] > 150 and red[1] < 90 else f"wrong colours {red}"
        except Exception as exc:  # noqa: BLE001 - the report names any failure
            results[name] = f"{type(exc).__name__}: {exc}"
    try:
        import rawpy

        results["RAW"] = "ok" if rawpy.libraw_version else "no LibRaw"
    except Exception as exc:  # noqa: BLE001
        results["RAW"] = f"{type(exc).__name__}: {exc}"
    return results


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
        report["formats"] = check_formats(Path(tmp))
        report["ok"] = report["ok"] and all(v == "ok" for v in report["formats"].values())
    report["seconds"] = round(time.perf_counter() - start, 2)
    print(json.dumps(report))
    return 0 if report["ok"] else 1
