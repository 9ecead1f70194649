"""Generated "press photograph reproduced in a printed page" pairs, for reproduction tests and measures.

:func:`make_photo` draws a textured scene (overlapping shapes, lines and noise
at several scales: something local features can hold on to, as a photograph).
:func:`make_page` lays such a photograph over 10-40 % of a page filled with
text-like clutter (word blocks and printed letters), slightly rotated and
rescaled, optionally in greyscale or halftoned, and re-encoded as JPEG; it
returns the page and the photograph's corners in it (fractions of the page).
:func:`write_pairs` writes a set: ``photos/``, ``pages/`` and ``truth.json``.
"""

from __future__ import annotations

import io
import json
import math
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PAGE_SIZE = (1000, 1400)


def make_photo(rng: random.Random, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A textured, photograph-like scene."""
    w, h = size
    nrng = np.random.default_rng(rng.randrange(2**32))
    base = nrng.integers(0, 255, (h // 40 + 2, w // 40 + 2, 3), dtype=np.uint8)
    image = Image.fromarray(base).resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(40, 80)):
        x, y = rng.randrange(w), rng.randrange(h)
        r = rng.randint(8, max(9, w // 6))
        colour = tuple(rng.randrange(256) for _ in range(3))
        kind = rng.random()
        if kind < 0.4:
            draw.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=colour, outline=(0, 0, 0))
        elif kind < 0.7:
            draw.polygon([(x + rng.randint(-r, r), y + rng.randint(-r, r)) for _ in range(rng.randint(3, 6))],
                         fill=colour)
        else:
            draw.line((x, y, x + rng.randint(-2 * r, 2 * r), y + rng.randint(-2 * r, 2 * r)), fill=colour,
                      width=rng.randint(1, 6))
    noise = nrng.normal(0, 14, (h, w, 3))
    array = np.clip(np.asarray(image.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32) + noise, 0, 255)
    return Image.fromarray(array.astype(np.uint8))


def _clutter(page: Image.Image, rng: random.Random) -> None:
    """Columns of text-like lines: printed letters and word blocks."""
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default()
    w, h = page.size
    letters = "abcdefghijklmnopqrstuvwxyz ETAOINSHRDLU"
    y = 30
    while y < h - 30:
        x = 30
        if rng.random() < 0.08:  # a headline
            draw.rectangle((x, y, x + rng.randint(w // 3, w - 60), y + 18), fill=(20, 20, 20))
            y += 34
            continue
        line = "".join(rng.choice(letters) for _ in range(rng.randint(60, 150)))
        draw.text((x, y), line, fill=(25, 25, 25), font=font)
        y += 14


def _halftone(image: Image.Image, cell: int = 4) -> Image.Image:
    """Newspaper-like dots: each cell a black dot whose size follows the darkness."""
    grey = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    h, w = grey.shape
    out = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(out)
    for y in range(0, h, cell):
        for x in range(0, w, cell):
            dark = 1.0 - float(grey[y:y + cell, x:x + cell].mean())
            r = cell * 0.75 * math.sqrt(dark)
            if r > 0.3:
                c = (x + cell / 2, y + cell / 2)
                draw.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=0)
    return out.convert("RGB")


def make_page(photo: Image.Image, rng: random.Random, coverage: float | None = None, angle: float | None = None,
              mode: str | None = None, quality: int | None = None) -> tuple[Image.Image, list[tuple[float, float]]]:
    """A page holding ``photo`` over ``coverage`` of its area, rotated by ``angle`` degrees, in ``mode``
    ("colour", "grey" or "halftone"), JPEG-encoded at ``quality``; and the photograph's corners in it."""
    coverage = coverage if coverage is not None else rng.uniform(0.10, 0.40)
    angle = angle if angle is not None else rng.uniform(-6, 6)
    mode = mode or rng.choice(["colour", "grey", "halftone"])
    quality = quality or rng.randint(55, 85)
    pw, ph = PAGE_SIZE
    page = Image.new("RGB", PAGE_SIZE, (246, 243, 235))
    _clutter(page, rng)
    scale = math.sqrt(coverage * pw * ph / (photo.width * photo.height))
    w, h = max(8, round(photo.width * scale)), max(8, round(photo.height * scale))
    pasted = photo.resize((w, h), Image.Resampling.LANCZOS)
    if mode == "grey":
        pasted = pasted.convert("L").convert("RGB")
    elif mode == "halftone":
        pasted = _halftone(pasted)
    mask = Image.new("L", (w, h), 255)
    rotated = pasted.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    rmask = mask.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    x0 = rng.randint(20, max(20, pw - rotated.width - 20))
    y0 = rng.randint(20, max(20, ph - rotated.height - 20))
    page.paste(rotated, (x0, y0), rmask)
    # the corners of the photograph: rotated about the centre of the expanded image
    cx, cy = x0 + rotated.width / 2, y0 + rotated.height / 2
    a = math.radians(-angle)  # PIL rotates counter-clockwise; y points down
    corners = []
    for px, py in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        corners.append(((cx + px * math.cos(a) - py * math.sin(a)) / pw, (cy + px * math.sin(a) + py * math.cos(a)) / ph))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), corners


def write_pairs(folder: Path, count: int, seed: int = 0, distractors: int = 0) -> dict:
    """``count`` photographs and their pages (plus ``distractors`` pages without any of them) under ``folder``.

    Returns (and writes to ``truth.json``) ``{"pairs": [{"photo", "page", "quad", "mode"}], "distractors": [...]}``.
    """
    rng = random.Random(seed)
    photos, pages = folder / "photos", folder / "pages"
    photos.mkdir(parents=True, exist_ok=True)
    pages.mkdir(parents=True, exist_ok=True)
    truth: dict = {"pairs": [], "distractors": []}
    for i in range(count):
        photo = make_photo(rng, (rng.randint(600, 900), rng.randint(450, 700)))
        photo_path = photos / f"photo_{i:04d}.jpg"
        photo.save(photo_path, "JPEG", quality=92)
        mode = ("colour", "grey", "halftone")[i % 3]
        page, quad = make_page(photo, rng, mode=mode)
        page_path = pages / f"page_{i:04d}.jpg"
        page.save(page_path, "JPEG", quality=90)
        truth["pairs"].append({"photo": str(photo_path), "page": str(page_path), "quad": quad, "mode": mode})
    for i in range(distractors):
        page, _ = make_page(make_photo(rng), rng)
        path = pages / f"other_{i:04d}.jpg"
        page.save(path, "JPEG", quality=90)
        truth["distractors"].append(str(path))
    (folder / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth
