"""Where the tiles of an image lie: an n×n grid of overlapping squares per level (fractions of the image)."""

from __future__ import annotations

from PIL import Image

Region = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the width and height

LEVELS = (2, 3)  # 2×2 tiles of 3/4 the side, 3×3 tiles of half the side: 13 tiles, each overlapping its neighbours


def tile_regions(levels: tuple[int, ...] = LEVELS) -> list[tuple[int, Region]]:
    """``(level, region)`` for every tile: at level n the tile side is 1.5/n of the image, steps are even."""
    out: list[tuple[int, Region]] = []
    for n in levels:
        side = min(1.0, 1.5 / n)
        step = (1.0 - side) / (n - 1) if n > 1 else 0.0
        for row in range(n):
            for col in range(n):
                x0, y0 = round(col * step, 4), round(row * step, 4)
                out.append((n, (x0, y0, round(x0 + side, 4), round(y0 + side, 4))))
    return out


def crops(image: Image.Image, levels: tuple[int, ...] = LEVELS) -> list[tuple[int, Region, Image.Image]]:
    """The tiles of a decoded image, cropped."""
    w, h = image.size
    return [(n, r, image.crop((round(r[0] * w), round(r[1] * h), max(round(r[2] * w), round(r[0] * w) + 1),
                               max(round(r[3] * h), round(r[1] * h) + 1))))
            for n, r in tile_regions(levels)]
