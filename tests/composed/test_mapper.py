"""The mapper file in the library: safetensors + JSON, tied to the model, never a pickle; numpy equals torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from artseek.composed.mapper import (
    META_FILE,
    WEIGHTS_FILE,
    Mapper,
    MapperError,
    MapperInfo,
    load_mapper,
    read_info,
    save_mapper,
)


def _weights(dim: int = 8, hidden: int = 16, width: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"fc1.weight": rng.normal(size=(hidden, dim)), "fc1.bias": rng.normal(size=hidden),
            "fc2.weight": rng.normal(size=(hidden, hidden)), "fc2.bias": rng.normal(size=hidden),
            "fc3.weight": rng.normal(size=(width, hidden)), "fc3.bias": rng.normal(size=width)}


def _info(model: str = "tiny-test") -> MapperInfo:
    return MapperInfo(model=model, embed_dim=8, token_width=4, hidden=16, prompt="a photo of *", stats={"steps": 1})


def test_the_numpy_mapper_computes_the_torch_mlp() -> None:
    import torch

    w = _weights()
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                              torch.nn.Linear(16, 4))
    with torch.no_grad():
        for layer, name in zip([net[0], net[2], net[4]], ("fc1", "fc2", "fc3"), strict=True):
            layer.weight.copy_(torch.from_numpy(w[f"{name}.weight"]))
            layer.bias.copy_(torch.from_numpy(w[f"{name}.bias"]))
        x = np.random.default_rng(1).normal(size=(5, 8)).astype(np.float32)
        expected = net(torch.from_numpy(x)).numpy()
    assert np.allclose(Mapper(w, _info())(x), expected, atol=1e-4)


def test_saved_as_safetensors_and_json_and_read_back(tmp_path: Path) -> None:
    save_mapper(tmp_path, _weights(), _info())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([WEIGHTS_FILE, META_FILE])  # no temp files left
    assert (tmp_path / WEIGHTS_FILE).read_bytes()[8:9] == b"{"  # a safetensors header, not a pickle
    meta = json.loads((tmp_path / META_FILE).read_text())
    assert meta["model"] == "tiny-test" and meta["embed_dim"] == 8 and meta["stats"] == {"steps": 1}
    mapper = load_mapper(tmp_path, "tiny-test", 8, 4)
    assert mapper is not None
    assert np.allclose(mapper.weights["fc2.weight"], _weights()["fc2.weight"])
    assert load_mapper(tmp_path / "nothing", "tiny-test", 8, 4) is None


def test_a_model_change_invalidates_the_mapper(tmp_path: Path) -> None:
    save_mapper(tmp_path, _weights(), _info())
    with pytest.raises(MapperError, match="(?s)trained for the model 'tiny-test'.*Retrain"):
        load_mapper(tmp_path, "ViT-B-32", 8, 4)
    with pytest.raises(MapperError, match="Retrain"):
        load_mapper(tmp_path, "tiny-test", 16, 4)


def test_damaged_files_give_a_readable_error(tmp_path: Path) -> None:
    save_mapper(tmp_path, _weights(), _info())
    (tmp_path / WEIGHTS_FILE).write_bytes(b"\x00" * 20)
    with pytest.raises(MapperError, match="(?s)unreadable.*train mapper"):
        load_mapper(tmp_path, "tiny-test", 8, 4)
    (tmp_path / META_FILE).write_text("{not json")
    with pytest.raises(MapperError, match="unreadable"):
        read_info(tmp_path)


def test_a_failed_save_keeps_the_previous_mapper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    save_mapper(tmp_path, _weights(seed=0), _info())
    calls = []

    def failing_replace(src, dst):  # noqa: ANN001, ANN202
        calls.append(dst)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(MapperError, match="(?s)could not be saved.*disk space"):
        save_mapper(tmp_path, _weights(seed=5), _info())
    monkeypatch.undo()
    assert calls
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([WEIGHTS_FILE, META_FILE])
    mapper = load_mapper(tmp_path, "tiny-test", 8, 4)
    assert mapper is not None and np.allclose(mapper.weights["fc1.bias"], _weights(seed=0)["fc1.bias"])


def test_weights_that_do_not_match_the_description_are_refused() -> None:
    w = _weights()
    del w["fc3.bias"]
    with pytest.raises(MapperError, match="no 'fc3' layer"):
        Mapper(w, _info())
    with pytest.raises(MapperError, match="do not match"):
        Mapper(_weights(dim=6), _info())
