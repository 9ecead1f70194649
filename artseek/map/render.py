"""A rendered overview of the map as PNG, for reports (Pillow only, no Qt)."""

from __future__ import annotations

import colorsys
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from artseek.csv_safe import ExportError
from artseek.map.clusters import ClusterInfo
from artseek.map.store import MapPoints

NOISE = (170, 170, 170)
THUMBS_UP_TO = 400  # maps with at most this many images show thumbnails (when given), larger ones dots


def cluster_colour(c: int) -> tuple[int, int, int]:
    """A stable, well-spread colour per cluster (golden-ratio hues); grey for no cluster."""
    if c < 0:
        return NOISE
    r, g, b = colorsys.hsv_to_rgb((c * 0.618034) % 1.0, 0.65, 0.85)
    return int(r * 255), int(g * 255), int(b * 255)


def to_canvas(xy: np.ndarray, size: int, margin: int) -> np.ndarray:
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    scale = (size - 2 * margin) / float(max(hi[0] - lo[0], hi[1] - lo[1], 1e-6))
    return (xy - lo) * scale + margin


def render(points: MapPoints, clusters: Sequence[ClusterInfo], path: Path, size: int = 1600,
           thumbnails: Callable[[int], bytes | None] | None = None, highlight: Sequence[int] = ()) -> Path:
    size = max(200, int(size))
    image = Image.new("RGB", (size, size), (252, 252, 250))
    draw = ImageDraw.Draw(image)
    canvas = to_canvas(points.xy, size, margin=max(24, size // 30))
    radius = max(1.0, min(4.0, size / (6 * np.sqrt(len(points)) + 1)))
    thumb = int(size / (2.5 * np.sqrt(len(points)))) if thumbnails and len(points) <= THUMBS_UP_TO else 0
    for (x, y), c, image_id in zip(canvas.tolist(), points.cluster.tolist(), points.ids.tolist(), strict=True):
        pasted = False
        if thumb >= 12:
            data = thumbnails(int(image_id))
            if data:
                try:
                    small = Image.open(io.BytesIO(data)).convert("RGB")
                    small.thumbnail((thumb, thumb))
                    image.paste(small, (int(x - small.width / 2), int(y - small.height / 2)))
                    draw.rectangle((x - small.width / 2 - 1, y - small.height / 2 - 1, x + small.width / 2,
                                    y + small.height / 2), outline=cluster_colour(c))
                    pasted = True
                except OSError:
                    pasted = False
        if not pasted:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=cluster_colour(c))
    where = {int(i): tuple(p) for i, p in zip(points.ids.tolist(), canvas.tolist(), strict=True)}
    for rank, image_id in enumerate(highlight, 1):
        if image_id in where:
            x, y = where[image_id]
            draw.ellipse((x - 6, y - 6, x + 6, y + 6), outline=(200, 20, 20), width=2)
            draw.text((x + 7, y - 7), str(rank), fill=(200, 20, 20))
    font = _font(max(12, size // 70))
    lo, hi = points.xy.min(axis=0), points.xy.max(axis=0)
    scale = (size - 2 * max(24, size // 30)) / float(max(hi[0] - lo[0], hi[1] - lo[1], 1e-6))
    for c in clusters:
        x, y = (c.x - lo[0]) * scale + max(24, size // 30), (c.y - lo[1]) * scale + max(24, size // 30)
        text = c.label
        box = draw.textbbox((x, y), text, font=font, anchor="mm")
        draw.rectangle((box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2), fill=(255, 255, 255),
                       outline=cluster_colour(c.id))
        draw.text((x, y), text, fill=(30, 30, 30), font=font, anchor="mm")
    tmp = path.with_name(path.name + ".tmp")
    try:
        image.save(tmp, "PNG")
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"Cannot write '{path}': {getattr(exc, 'strerror', None) or exc}.",
                          "Choose a writable location ending in .png.") from None
    return path


def _font(px: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=px)
    except TypeError:  # an older Pillow without sizes
        return ImageFont.load_default()
