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
