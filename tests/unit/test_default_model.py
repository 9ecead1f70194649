"""The default model switch (issue 15): new libraries get the new default, existing ones keep their model.

A library records its model and refuses another, so a library built with the first default (ViT-B-32,
LAION-2B) keeps opening and searching with it after the switch. The ViT-B-32 here is a stand-in: the
catalogue name with the tiny test network behind it (the name is what a library records; a real
ViT-B-32 would take minutes on 2 cores and 600 MB of weights).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from artseek import config
from artseek.embedding import catalogue, registry
from artseek.embedding.model_files import ModelFileError, add_model_file, recognise
from artseek.errors import ModelMismatchError
from tests.conftest import TINY_WEIGHTS
from tests.fixtures.shapes import generate_folder

FIRST_DEFAULT = "ViT-B-32"


def test_the_default_is_the_measured_choice_and_a_catalogue_entry() -> None:
    chosen = catalogue.entry(config.DEFAULT_MODEL)
    assert chosen is not None and config.DEFAULT_MODEL != FIRST_DEFAULT
    assert registry.get_spec(config.DEFAULT_MODEL).weights_filename == f"{chosen.architecture}-{chosen.pretrained_tag}.safetensors"
    from artseek.embedding.fetch import download_url
    from artseek.ui.controllers import models as ui_models

    assert ui_models.DEFAULT_MODEL == config.DEFAULT_MODEL
    assert download_url(config.DEFAULT_MODEL) == chosen.download_url and chosen.hf_repo in chosen.download_url


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ViT-B-32`` backed by the tiny network (the first default's name, as an old library records it)."""
    monkeypatch.setitem(registry.MODELS, FIRST_DEFAULT,
                        dataclasses.replace(registry.MODELS["tiny-test"], name=FIRST_DEFAULT))


def test_a_library_of_the_first_default_keeps_its_model_and_a_new_one_gets_the_new_default(
        tmp_path: Path, stand_in: None, capsys: pytest.CaptureFixture) -> None:
    from artseek.cli import main
    from artseek.library import Library

    pictures = generate_folder(tmp_path / "pictures", 24)
    old = tmp_path / "old-library"
    with Library(old, model=FIRST_DEFAULT) as lib:  # built before the switch
        lib.index([pictures[0][0].parent])
    with Library(old) as lib:  # opened after it, without naming a model
        assert lib.model_name == FIRST_DEFAULT
        assert len(lib.search_text("a red star", top_k=5)) == 5
    with pytest.raises(ModelMismatchError) as info:
        Library(old, model=config.DEFAULT_MODEL)
    assert f"--model {FIRST_DEFAULT}" in info.value.hint
    assert main(["search", "a red star", "--library", str(old), "--json"]) == 0  # the CLI uses the recorded model
    found = json.loads(capsys.readouterr().out)
    assert found["model"] == FIRST_DEFAULT and len(found["results"]) > 0
    with Library(tmp_path / "new-library") as lib:
        assert lib.model_name == config.DEFAULT_MODEL


@pytest.fixture
def twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A second model with the tiny architecture and no published checksum, and a file of it: two fits."""
    monkeypatch.setitem(registry.MODELS, "tiny-twin", dataclasses.replace(
        registry.MODELS["tiny-test"], name="tiny-twin", weights_filename="artseek-tiny-twin.safetensors"))
    tensors = load_file(str(TINY_WEIGHTS))
    key = sorted(tensors)[0]
    tensors[key] = (tensors[key] + np.float32(1e-3)).astype(tensors[key].dtype)  # other weights, same shapes
    path = tmp_path / "incoming" / "weights.safetensors"
    path.parent.mkdir()
    save_file(tensors, str(path))
    return path


def test_a_file_that_fits_two_models_is_refused_unless_its_name_or_the_setup_says_which(
        twin: Path, tmp_path: Path) -> None:
    assert set(recognise(twin).models) == {"tiny-test", "tiny-twin"}
    with pytest.raises(ModelFileError) as info:
        add_model_file(twin, tmp_path / "m1")
    assert "fits several models" in info.value.message and "--model" in info.value.hint
    with pytest.raises(ModelFileError):  # a preference the file does not fit decides nothing
        add_model_file(twin, tmp_path / "m1", prefer="ViT-L-14")
    _, target = add_model_file(twin, tmp_path / "m2", prefer="tiny-twin")  # the window setting up tiny-twin
    assert target == tmp_path / "m2" / "artseek-tiny-twin.safetensors"
    named = twin.with_name("artseek-tiny-twin.safetensors")  # the name 'models fetch' gave it
    twin.rename(named)
    _, target = add_model_file(named, tmp_path / "m3", prefer="tiny-test")
    assert target == tmp_path / "m3" / "artseek-tiny-twin.safetensors"
    _, target = add_model_file(named, tmp_path / "m4", model="tiny-test")  # --model always wins
    assert target == tmp_path / "m4" / "artseek-tiny.safetensors"
