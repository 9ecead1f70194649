"""The model catalogue: each entry is a real open_clip model whose facts match, a --model everywhere, listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artseek import config
from artseek.embedding import catalogue, fetch, model_files
from artseek.embedding.registry import MODELS, get_spec
from artseek.errors import ArtSeekError, ModelNotFoundError

REQUIRED = {("ViT-B-32", "laion2b_s34b_b79k"), ("ViT-B-32", "datacomp_xl_s13b_b90k"),
            ("ViT-B-32-256", "datacomp_s34b_b86k"), ("ViT-B-16", None), ("ViT-L-14", None),
            ("MobileCLIP2-S0", None), ("MobileCLIP2-S2", None), ("MobileCLIP2-B", None)}


def test_the_catalogue_holds_the_required_models_once_each() -> None:
    have = {(e.architecture, e.pretrained_tag) for e in catalogue.entries()}
    for arch, tag in REQUIRED:
        assert any(a == arch and (tag is None or t == tag) for a, t in have), (arch, tag)
    names = [e.name for e in catalogue.entries()]
    assert len(names) == len(set(names)) and len({e.weights_filename for e in catalogue.entries()}) == len(names)
    assert "xlm-roberta-base-ViT-B-32" in catalogue.LEFT_OUT  # and the reason it is not offline-capable


@pytest.mark.parametrize("entry", catalogue.entries(), ids=lambda e: e.name)
def test_each_entry_matches_open_clip(entry: catalogue.CatalogueEntry) -> None:
    import open_clip

    cfg = open_clip.get_model_config(entry.architecture)
    assert cfg is not None, f"open_clip does not know {entry.architecture}"
    assert cfg["embed_dim"] == entry.embed_dim
    assert cfg["vision_cfg"]["image_size"] == entry.image_size
    assert entry.pretrained_tag in open_clip.list_pretrained_tags_by_model(entry.architecture)
    pretrained = open_clip.get_pretrained_cfg(entry.architecture, entry.pretrained_tag)
    assert pretrained["hf_hub"].strip("/") == entry.hf_repo
    assert tuple(pretrained["mean"]) == entry.mean and tuple(pretrained["std"]) == entry.std
    assert not pretrained.get("quick_gelu"), "a quick_gelu weight needs its -quickgelu architecture"
    pub = entry.published
    assert 0.3 < pub.imagenet_top1 < 1 and 0.3 < pub.average_38 < 1 and pub.source
    assert entry.licence and entry.weights_filename.endswith(".safetensors")
    assert entry.sha256 is None or len(entry.sha256) == 64


@pytest.mark.parametrize("entry", catalogue.entries(), ids=lambda e: e.name)
def test_every_entry_has_the_clip_tokenizer_of_the_torch_free_backend(entry: catalogue.CatalogueEntry) -> None:
    import open_clip

    from artseek.embedding.export import _check_tokenizer
    from artseek.embedding.tokenizer import ClipTokenizer, open_clip_vocab_path

    reference = open_clip.get_tokenizer(entry.architecture)
    _check_tokenizer(reference)  # raises for anything but the plain CLIP BPE
    ours = ClipTokenizer(open_clip_vocab_path(), reference.context_length)
    texts = ["a red circle", "Gravure sur cuivre : vue du port de Marseille, vers 1750", "葛飾北斎 woodblock"]
    assert (ours(texts) == reference(texts).numpy()).all()


def test_every_entry_is_a_model_choice_with_its_download_and_checksum() -> None:
    for e in catalogue.entries():
        spec = get_spec(e.name)
        assert (spec.architecture, spec.weights_filename, spec.pretrained_tag) == (e.architecture,
                                                                                   e.weights_filename, e.pretrained_tag)
        assert spec.mean == e.mean and spec.std == e.std
        assert fetch.DOWNLOAD_URLS[e.name].startswith(f"https://huggingface.co/{e.hf_repo}/")
        if e.sha256:
            assert model_files.KNOWN_SHA256[e.weights_filename] == e.sha256
    assert set(MODELS) == {e.name for e in catalogue.entries()} | {"tiny-test"}
    with pytest.raises(ArtSeekError) as info:
        get_spec("ViT-Z-99")
    assert "MobileCLIP2-S0" in info.value.hint and "ViT-B-32-256" in info.value.hint


def test_models_list_shows_the_catalogue_and_what_is_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture) -> None:
    from artseek.cli import main

    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(tmp_path))
    (tmp_path / "MobileCLIP2-S0-dfndr2b.safetensors").write_bytes(b"x")
    assert main(["models", "list"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    lines = out.out.splitlines()
    for e in catalogue.entries():
        row = next(line for line in lines if line.split()[0].rstrip("*") == e.name)
        assert f"{e.published.imagenet_top1 * 100:.1f}" in row and f"{e.published.average_38:.3f}" in row
        assert row.endswith("weights") == (e.name == "MobileCLIP2-S0"), row
    marked = [w[0] for w in map(str.split, lines[1:]) if w and len(w[0]) > 1 and w[0].endswith("*")]
    assert marked == [f"{config.DEFAULT_MODEL}*"] == ["ViT-B-32-datacomp*"]  # the default, and only it, is marked
    assert str(tmp_path / "MobileCLIP2-S0-dfndr2b.safetensors") in out.out
    assert "xlm-roberta-base-ViT-B-32" in out.out
    assert main(["models", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["name"]: r for r in data["models"]}
    assert rows["MobileCLIP2-S0"]["found"] == str(tmp_path / "MobileCLIP2-S0-dfndr2b.safetensors")
    assert rows["ViT-L-14"]["found"] is None and rows["ViT-L-14"]["embed_dim"] == 768
    assert rows["ViT-B-32-256"]["published"]["imagenet_top1"] == 0.7281
    assert "transformers" in data["left_out"]["xlm-roberta-base-ViT-B-32"]


def test_a_catalogue_model_without_weights_is_named_with_its_file_not_refused_as_unknown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from artseek.cli import main
    from artseek.embedding.loader import load_encoder

    monkeypatch.setenv("ARTSEEK_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelNotFoundError) as info:
        load_encoder("MobileCLIP2-B", backend="torch")
    assert "MobileCLIP2-B-dfndr2b.safetensors" in info.value.message
    assert "models fetch --model MobileCLIP2-B" in info.value.hint
    assert main(["models", "export", "--model", "ViT-B-16", "--dest", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "ViT-B-16-datacomp_xl_s13b_b90k.safetensors" in err and "Unknown model" not in err
