"""The perceptual hashes: what they survive, what tells pictures apart, and their storage form."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image, ImageOps

from artseek.ingest.phash import centre, hamming, phash, phash_bits, phash_pair, to_signed, to_unsigned
from tests.duplicates.conftest import crop
from tests.fixtures.shapes import random_spec, render


def _photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (6, 8, 3)).astype(np.uint8)
    return Image.fromarray(coarse).resize(size, Image.Resampling.BICUBIC)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue()))


def test_survives_reencoding_resizing_greyscale_and_tone() -> None:
    image = _photo(1)
    h = phash(image)
    assert int(hamming(h, phash(_jpeg(image, 50)))) <= 4
    assert int(hamming(h, phash(image.resize((80, 60))))) <= 4
    assert int(hamming(h, phash(ImageOps.grayscale(image)))) <= 2
    assert int(hamming(h, phash(image.point(lambda v: min(255, int(v * 1.1) + 10))))) <= 6


def test_a_90_percent_crop_hashes_like_the_originals_centre() -> None:
    image = _photo(2)
    cropped = crop(image, 0.9)
    whole, middle = phash_pair(image)
    assert int(hamming(middle, phash(cropped))) <= 4 < int(hamming(whole, phash(cropped)))
    assert centre(image).size == (288, 216)


def test_unrelated_pictures_are_far_apart() -> None:
    hashes = np.array([phash(_photo(seed)) for seed in range(20)])
    d = hamming(hashes[:, None], hashes[None, :])
    assert d[np.triu_indices(20, 1)].min() > 8


def test_generated_scenes_and_modes() -> None:
    rng = random.Random(3)
    image = render(random_spec(rng), size=128)
    for mode in ("L", "RGBA", "P", "CMYK"):
        assert int(hamming(phash(image), phash(image.convert(mode)))) <= 4
    assert phash_bits(image).shape == (8, 8)


@pytest.mark.parametrize("value", [0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1])
def test_signed_storage_round_trip(value: int) -> None:
    signed = to_signed(value)
    assert -(1 << 63) <= signed < (1 << 63)
    assert int(to_unsigned([signed])[0]) == value
    assert int(hamming(signed, to_signed(value ^ 0b1011))) == 3


def test_equals_imagehash_where_installed() -> None:
    imagehash = pytest.importorskip("imagehash")
    for seed in range(5):
        image = _photo(seed)
        assert str(imagehash.phash(image)) == f"{int(to_unsigned([phash(image)])[0]):016x}"
