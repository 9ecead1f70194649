"""Benchmark and equivalence-test images: large photo-like JPEGs, generated or varied from real photos.

Real photographs (e.g. Debian's wallpaper packages) often come as byte-identical
copies; :func:`unique_variants` deduplicates them by content and derives unique
crops/flips/tones so that no figure is measured on repeated files.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

PHOTO_EXTENSIONS = (".jpg", ".jpeg")


def synthetic_photo(width: int, height: int, seed: int) -> Image.Image:
    """A photo-like image: smooth colour fields, a few soft shapes, sensor-like noise."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (6, 9, 3)).astype(np.uint8)
    image = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(0.05, 0.2) * min(width, height)
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        draw.ellipse([x - r, y - r, x + r, y + r * rng.uniform(0.5, 1.5)], fill=colour)
    noisy = np.asarray(image, dtype=np.int16) + rng.normal(0, 6, (height, width, 3)).astype(np.int16)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def generate_photos(folder: Path, count: int, size: tuple[int, int] = (2560, 1600), seed: int = 0) -> list[Path]:
    """Write ``count`` synthetic JPEGs (quality 90) into ``folder`` (reusing existing ones)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"synthetic_{size[0]}x{size[1]}_{seed}_{i:04d}.jpg"
        if not path.exists():
            synthetic_photo(size[0], size[1], seed * 100_003 + i).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def unique_sources(folder: Path, min_bytes: int = 200_000) -> list[Path]:
    """Photos below ``folder``, one per distinct content (byte-identical copies dropped)."""
    seen: set[str] = set()
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in PHOTO_EXTENSIONS):
        if path.stat().st_size < min_bytes:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            out.append(path)
    return out


def unique_variants(sources: list[Path], folder: Path, count: int, min_size: tuple[int, int] = (2560, 1600),
                    seed: int = 0) -> list[Path]:
    """Derive ``count`` distinct JPEGs of at least ``min_size`` from ``sources`` (crop, flip, tone)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        path = folder / f"variant_{i:04d}.jpg"
        paths.append(path)
        src = sources[i % len(sources)]
        if path.exists():
            continue
        with Image.open(src) as im:
            image = ImageOps.exif_transpose(im).convert("RGB")
        w, h = image.size
        scale = max(min_size[0] / w, min_size[1] / h, 1.0) * rng.uniform(1.0, 1.15)
        if scale > 1.0:
            image = image.resize((int(w * scale) + 1, int(h * scale) + 1), Image.Resampling.BICUBIC)
            w, h = image.size
        cw, ch = max(min_size[0], int(w * rng.uniform(0.8, 1.0))), max(min_size[1], int(h * rng.uniform(0.8, 1.0)))
        left, top = rng.randint(0, w - cw), rng.randint(0, h - ch)
        image = image.crop((left, top, left + cw, top + ch))
        if rng.random() < 0.5:
            image = ImageOps.mirror(image)
        image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.85, 1.15))
        image = ImageEnhance.Color(image).enhance(rng.uniform(0.8, 1.2))
        image.save(path, "JPEG", quality=rng.randint(85, 95))
    return paths
