"""The packaged app's model files (artseek/embedding/bundle_plan.py) on a fake ViT-B-32-like export folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artseek.embedding.bundle_plan import ENV_ALL, ENV_PIC2WORD, bundle_datas, plan_export, plan_from_env
from artseek.errors import ModelLoadError

VOCAB = "bpe_simple_vocab_16e6.txt.gz"
FILES = {"image.onnx": 351, "text.onnx": 254, "image.int8.onnx": 89, "text.int8.onnx": 64, "image.int8s.onnx": 90,
         "text_pseudo.onnx": 253, VOCAB: 1}


def _variant(image: str, text: str) -> dict:
    return {"image": image, "text": text, "sizes": {"image": FILES[image], "text": FILES[text]}}


def fake_export(root: Path, default: str = "int8-static") -> Path:
    folder = root / "ViT-B-32-laion2b_s34b_b79k.onnx"
    folder.mkdir()
    for name, size in FILES.items():
        (folder / name).write_bytes(b"x" * size)
    manifest = {
        "format": 1, "model": "ViT-B-32", "tokenizer": {"vocab": VOCAB}, "default_variant": default,
        "variants": {"fp32": _variant("image.onnx", "text.onnx"), "int8": _variant("image.int8.onnx", "text.int8.onnx"),
                     "int8-static": _variant("image.int8s.onnx", "text.onnx")},
        "pseudo_text": {"file": "text_pseudo.onnx", "size": 253, "token_width": 512},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_static_int8_default_bundles_its_image_tower_and_the_fp32_text_tower(tmp_path) -> None:
    plan = plan_export(fake_export(tmp_path))
    assert plan.files == ("bpe_simple_vocab_16e6.txt.gz", "image.int8s.onnx", "text.onnx")
    assert plan.size == 1 + 90 + 254
    assert set(plan.left_out) == {"image.onnx", "image.int8.onnx", "text.int8.onnx", "text_pseudo.onnx"}
    m = plan.manifest
    assert list(m["variants"]) == ["int8-static"] and m["default_variant"] == "int8-static"
    assert "pseudo_text" not in m  # the loader must not look for the Pic2Word tower
    assert m["bundle"]["variants_left_out"] == ["fp32", "int8"]
    assert m["model"] == "ViT-B-32" and m["tokenizer"] == {"vocab": VOCAB}  # the rest is as exported
    assert "pseudo_text" in json.loads((plan.folder / "manifest.json").read_text())  # the export is untouched


def test_dynamic_int8_and_fp32_defaults(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    plan = plan_export(fake_export(tmp_path / "a", default="int8"))
    assert plan.files == (VOCAB, "image.int8.onnx", "text.int8.onnx") and list(plan.manifest["variants"]) == ["int8"]
    (tmp_path / "b").mkdir()
    plan = plan_export(fake_export(tmp_path / "b", default="fp32"))
    assert plan.files == (VOCAB, "image.onnx", "text.onnx") and list(plan.manifest["variants"]) == ["fp32"]


def test_pic2word_and_everything_overrides(tmp_path) -> None:
    folder = fake_export(tmp_path)
    plan = plan_from_env(folder, {ENV_PIC2WORD: "1"})
    assert "text_pseudo.onnx" in plan.files and plan.manifest["pseudo_text"]["file"] == "text_pseudo.onnx"
    plan = plan_from_env(folder, {ENV_ALL: "1"})
    assert set(plan.files) == set(FILES) and plan.left_out == ()
    assert plan.manifest == json.loads((folder / "manifest.json").read_text())
    assert plan_from_env(folder, {ENV_ALL: "0"}).files == plan_export(folder).files


def test_bundle_datas_writes_the_rewritten_manifest_into_the_build_folder(tmp_path) -> None:
    folder = fake_export(tmp_path)
    lines: list[str] = []
    datas = bundle_datas([folder], tmp_path / "build", env={}, out=lines.append)
    dest = "resources/models/ViT-B-32-laion2b_s34b_b79k.onnx"
    assert {d for _, d in datas} == {dest}
    sources = [Path(s) for s, _ in datas]
    staged = tmp_path / "build" / folder.name / "manifest.json"
    assert sources == [folder / VOCAB, folder / "image.int8s.onnx", folder / "text.onnx", staged]
    assert list(json.loads(staged.read_text())["variants"]) == ["int8-static"]
    assert "left out" in lines[0] and ENV_ALL in lines[0]


def test_bad_exports_are_refused_with_a_clear_error(tmp_path) -> None:
    folder = fake_export(tmp_path)
    (folder / "text.onnx").unlink()
    with pytest.raises(ModelLoadError, match="lacks text.onnx"):
        plan_export(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "default_variant": "int4"}))
    with pytest.raises(ModelLoadError, match="'int4'"):
        plan_export(folder)
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="no readable manifest.json") as err:
        plan_export(folder)
    assert "models export" in str(err.value)
    (folder / "manifest.json").unlink()
    with pytest.raises(ModelLoadError, match="no readable manifest.json"):
        plan_export(folder)


PASSING = {"image_cosine_min": 0.998, "image_cosine_mean": 0.999, "text_cosine_min": 0.998,
           "text_cosine_mean": 0.999, "top10_overlap": 0.97}


def openvino_export(root: Path, agreement: dict | None = PASSING) -> Path:
    """As ``models export --int8 --static-int8`` writes it where OpenVINO is installed (int8 default)."""
    folder = fake_export(root, default="int8")
    (folder / "reference.npz").write_bytes(b"r" * 7)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["variants"]["int8-static"] = _variant("image.int8s.onnx", "text.int8.onnx")
    if agreement is not None:
        manifest["variants"]["int8-static"]["openvino"] = {"version": "2026.4.1", "agreement": agreement}
    manifest["reference"] = {"file": "reference.npz", "sha256": "0" * 64}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_an_openvino_build_adds_the_static_tower_and_the_reference(tmp_path) -> None:
    folder = openvino_export(tmp_path)
    assert plan_export(folder).files == (VOCAB, "image.int8.onnx", "text.int8.onnx")  # OpenVINO not bundled
    plan = plan_export(folder, openvino=True)
    assert plan.files == (VOCAB, "image.int8.onnx", "image.int8s.onnx", "reference.npz", "text.int8.onnx")
    assert plan.size == 1 + 89 + 90 + 7 + 64  # the shared int8 text tower once: 90 MB more than ONNX Runtime's
    assert list(plan.manifest["variants"]) == ["int8", "int8-static"] and plan.manifest["default_variant"] == "int8"
    assert plan.manifest["reference"]["file"] == "reference.npz"


def test_an_openvino_build_leaves_out_a_static_tower_that_failed_or_was_not_measured(tmp_path) -> None:
    for i, agreement in enumerate((dict(PASSING, top10_overlap=0.3), None)):
        (tmp_path / str(i)).mkdir()
        folder = openvino_export(tmp_path / str(i), agreement)
        lines: list[str] = []
        datas = bundle_datas([folder], tmp_path / f"build{i}", env={}, out=lines.append, openvino=True)
        assert not any(Path(s).name in ("image.int8s.onnx", "reference.npz") for s, _ in datas)
        assert "will run it on ONNX Runtime" in lines[0] and "--int8 --static-int8" in lines[0]
