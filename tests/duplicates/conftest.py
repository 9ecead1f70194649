"""A folder of generated originals with transformed copies, for the duplicate finder's tests."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from PIL import Image, ImageOps

from tests.fixtures.shapes import random_spec, render


def crop(image: Image.Image, keep: float) -> Image.Image:
    w, h = image.size
    dx, dy = int(w * (1 - keep) / 2), int(h * (1 - keep) / 2)
    return image.crop((dx, dy, w - dx, h - dy))


def make_collection(folder: Path, originals: int = 12, transformed: int = 3, seed: int = 7) -> dict[str, Path]:
    """``originals`` generated scenes (PNG, 256 px); the first ``transformed`` get an exact copy, a JPEG
    re-encode, a greyscale copy and a 90 % crop. Returns name -> path (e.g. ``o0_grey``)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    out: dict[str, Path] = {}
    for i in range(originals):
        image = render(random_spec(rng), size=256, seed=rng.randrange(1 << 30))
        out[f"o{i}"] = folder / f"o{i}.png"
        image.save(out[f"o{i}"])
        if i >= transformed:
            continue
        out[f"o{i}_copy"] = folder / f"o{i}_copy.png"
        shutil.copy(out[f"o{i}"], out[f"o{i}_copy"])
        out[f"o{i}_q70"] = folder / f"o{i}_q70.jpg"
        image.save(out[f"o{i}_q70"], "JPEG", quality=70)
        out[f"o{i}_grey"] = folder / f"o{i}_grey.png"
        ImageOps.grayscale(image).save(out[f"o{i}_grey"])
        out[f"o{i}_crop90"] = folder / f"o{i}_crop90.png"
        crop(image, 0.9).save(out[f"o{i}_crop90"])
    return out
