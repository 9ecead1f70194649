"""The torch backend decides CPU bf16 by measurement, keeps it only if it agrees, and remembers it."""

import json

import numpy as np

from artseek.embedding.loader import load_encoder


def test_bf16_never_tried_without_native_support(monkeypatch, tmp_path) -> None:
    from artseek.embedding.cpu_features import calibration_key, save_calibration

    monkeypatch.setenv("ARTSEEK_DATA_DIR", str(tmp_path))
    save_calibration(calibration_key("ArtSeek-Tiny"), {"chosen": "bf16"})  # an earlier decision on this machine
    monkeypatch.setenv("ARTSEEK_BF16", "0")
    enc = load_encoder("tiny-test", backend="torch", device="cpu")
    batch = np.random.default_rng(0).normal(size=(8, 3, 64, 64)).astype(np.float32)
    enc.calibrate(batch)
    assert enc.precision == "fp32" and enc.calibration["chosen"] == "fp32"


def test_bf16_measured_cached_and_equivalent(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ARTSEEK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ARTSEEK_BF16", "1")  # pretend native bf16: the measurement decides
    batch = np.random.default_rng(1).normal(size=(16, 3, 64, 64)).astype(np.float32)
    enc = load_encoder("tiny-test", backend="torch", device="cpu")
    fp32 = enc.calibrate(batch)
    cal = enc.calibration
    assert cal["chosen"] in ("fp32", "bf16") and enc.precision == cal["chosen"]
    assert cal["bf16_min_cosine"] > 0.99
    if cal["chosen"] == "bf16":
        assert cal["bf16_images_per_s"] > cal["fp32_images_per_s"] and cal["bf16_min_cosine"] >= 0.995
    assert np.min(np.sum(fp32 * enc.encode_images(batch), axis=1)) > 0.99
    saved = json.loads((tmp_path / "cpu_calibration.json").read_text())
    assert list(saved.values())[0]["chosen"] == cal["chosen"]
    again = load_encoder("tiny-test", backend="torch", device="cpu")
    again.calibrate(batch)
    assert again.precision == cal["chosen"] and "bf16_images_per_s" in again.calibration  # from the cache
