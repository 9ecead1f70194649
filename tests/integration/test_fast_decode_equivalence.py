"""The fast decode path (draft + numpy preprocessing) embeds like open_clip's official transform."""

import io

import numpy as np
from PIL import Image

from artseek.bench.photos import generate_photos
from artseek.embedding.loader import load_encoder
from artseek.ingest.decode import decode_for_index


def official_embeddings(encoder, paths) -> np.ndarray:
    import open_clip

    transform = open_clip.image_transform(encoder.preprocess_cfg.image_size, is_train=False,
                                          mean=encoder.preprocess_cfg.mean, std=encoder.preprocess_cfg.std)
    batch = np.stack([transform(Image.open(p).convert("RGB")).numpy() for p in paths])
    return encoder.encode_images(batch)


def test_fast_path_matches_official_preprocessing(tmp_path) -> None:
    encoder = load_encoder("tiny-test")
    paths = generate_photos(tmp_path, 8, size=(1600, 1000))
    fast = encoder.encode_images(np.stack([decode_for_index(str(p), encoder.preprocess_cfg).model_input
                                           for p in paths]))
    cosines = np.sum(fast * official_embeddings(encoder, paths), axis=1)
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.98, cosines


def test_draft_really_reduces_the_decode(tmp_path) -> None:
    from artseek.ingest.decode import open_image, read_file

    path = generate_photos(tmp_path, 1, size=(2560, 1600))[0]
    image, width, height, fmt = open_image(read_file(str(path)), min_short_side=224, min_long_side=256)
    assert (width, height, fmt) == (2560, 1600, "JPEG")
    assert image.size == (640, 400)  # 1/4 scale still covers 224 px; 1/8 would not


def test_the_perceptual_hashes_come_from_the_thumbnail_whatever_the_model(tmp_path) -> None:
    """The hashes are taken from the 256 px thumbnail (issue 15: a third of the CPU of hashing the decoded
    image), so a picture hashes alike for a 64 px and a 224 px model, and like its stored thumbnail."""
    from artseek.embedding.preprocess import PreprocessConfig
    from artseek.ingest.decode import THUMBNAIL_SIZE, phash_for_thumbnail
    from artseek.ingest.phash import hamming

    for path in generate_photos(tmp_path, 4, size=(2560, 1600)):
        small = decode_for_index(str(path), PreprocessConfig(image_size=64))
        large = decode_for_index(str(path), PreprocessConfig(image_size=224))
        assert max(Image.open(io.BytesIO(large.thumbnail_jpeg)).size) == THUMBNAIL_SIZE
        assert hamming(small.phash, large.phash) <= 2 and hamming(small.phash_crop, large.phash_crop) <= 2
        stored = phash_for_thumbnail(large.thumbnail_jpeg)  # what a library's backfill computes
        assert hamming(stored[0], large.phash) <= 2 and hamming(stored[1], large.phash_crop) <= 2
