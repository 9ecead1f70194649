"""The numpy preprocessing equals open_clip's official inference transform."""

import numpy as np
import pytest
from PIL import Image

from artseek.embedding.preprocess import PreprocessConfig, to_model_input


@pytest.mark.parametrize("size", [(96, 96), (300, 200), (123, 457), (64, 64), (50, 30)])
def test_matches_open_clip_transform(size: tuple[int, int]) -> None:
    import open_clip

    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    official = open_clip.image_transform(64, is_train=False)
    expected = official(image).numpy()
    got = to_model_input(image, PreprocessConfig(64))
    assert got.shape == expected.shape == (3, 64, 64)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_non_rgb_input_is_converted() -> None:
    got = to_model_input(Image.new("L", (80, 80), 128), PreprocessConfig(64))
    assert got.shape == (3, 64, 64) and got.dtype == np.float32


@pytest.mark.parametrize("mean,std", [((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)),
                                      ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))])
def test_lookup_is_bit_identical_to_the_arithmetic(mean: tuple, std: tuple) -> None:
    """The per-channel lookup gives exactly the float32 arithmetic's values, for every 8-bit level."""
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    pixels[:4] = np.arange(256, dtype=np.uint8).reshape(4, 64)[:, :, None]  # every level in every channel
    array = np.asarray(pixels, dtype=np.float32) / 255.0
    expected = ((array - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)).transpose(2, 0, 1)
    got = to_model_input(Image.fromarray(pixels), PreprocessConfig(64, mean, std))
    assert got.dtype == np.float32 and got.flags["C_CONTIGUOUS"]
    assert np.array_equal(got, expected)
