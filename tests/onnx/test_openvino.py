"""The OpenVINO backend: an export's image tower on OpenVINO agrees with ONNX Runtime and torch, indexes and
searches torch-free, and refuses what it does not run with a reason."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from artseek.embedding.export import export_model
from artseek.embedding.loader import load_encoder
from artseek.errors import ModelLoadError
from tests.conftest import TINY_WEIGHTS
from tests.onnx.test_torch_free import index_and_search


@pytest.fixture(scope="module")
def static_export(tmp_path_factory: pytest.TempPathFactory, shapes_200) -> Path:
    """The tiny model's weights beside an export with its static int8 towers (calibrated on the shapes)."""
    folder = tmp_path_factory.mktemp("openvino")
    weights = folder / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)
    export_model("tiny-test", weights=weights, int8=True, out_dir=folder, static_int8=True,
                 calibrate=shapes_200[0][0].parent)
    return weights


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_static_int8_tower_agrees_with_onnx_runtime_and_torch(static_export: Path, tiny_torch, shape_batch) -> None:
    ov = load_encoder("tiny-test", weights=static_export, backend="openvino")
    assert ov.backend == "openvino" and ov.precision == "int8-static"  # its default where the export has it
    ort = load_encoder("tiny-test", weights=static_export, backend="onnx", variant="int8-static")
    got = ov.encode_images(shape_batch)
    assert got.shape == (len(shape_batch), ov.embed_dim) and got.dtype == np.float32
    assert _cosines(got, ort.encode_images(shape_batch)).min() > 0.99
    to_torch = _cosines(got, tiny_torch.encode_images(shape_batch))
    assert to_torch.min() > 0.97 and to_torch.mean() > 0.99  # the static int8 export's own thresholds
    texts = ["a red circle", "a blue star"]
    assert np.array_equal(ov.encode_texts(texts), ort.encode_texts(texts))  # the text tower stays on ONNX Runtime
    assert ov.encode_images(shape_batch[:0]).shape == (0, ov.embed_dim)


def test_fp32_tower_agrees_with_onnx_runtime(static_export: Path, shape_batch) -> None:
    ov = load_encoder("tiny-test", weights=static_export, backend="openvino", variant="fp32")
    ort = load_encoder("tiny-test", weights=static_export, backend="onnx", variant="fp32")
    assert ov.precision == "fp32"
    assert _cosines(ov.encode_images(shape_batch), ort.encode_images(shape_batch)).min() > 0.999  # bf16 on AMX


def test_dynamic_int8_is_refused_with_the_way_out(static_export: Path) -> None:
    with pytest.raises(ModelLoadError) as info:
        load_encoder("tiny-test", weights=static_export, backend="openvino", variant="int8")
    assert "--static-int8" in info.value.hint and "--backend onnx" in info.value.hint


def test_without_openvino_the_error_comes_at_load_and_says_what_to_do(static_export: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # as where the extra is not installed (the packaged app)
    with pytest.raises(ModelLoadError) as info:
        load_encoder("tiny-test", weights=static_export, backend="openvino")
    assert "--backend onnx" in info.value.hint and "requirements-openvino.txt" in info.value.hint


def test_index_and_search_on_openvino_without_torch(static_export: Path, shapes_200, tmp_path: Path) -> None:
    index_and_search("openvino", static_export, shapes_200, tmp_path / "lib", image_backend=("--backend", "openvino"))


def test_without_an_export_the_error_says_how_to_make_the_static_one(tmp_path: Path) -> None:
    from artseek.errors import ArtSeekError

    weights = tmp_path / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)  # weights, no export beside them
    with pytest.raises(ArtSeekError) as info:
        load_encoder("tiny-test", weights=weights, backend="openvino")
    assert "no usable ONNX export" in info.value.message
    assert "models export --model tiny-test --int8 --static-int8" in info.value.hint


def test_static_int8_runs_by_default_only_where_its_agreement_passed(static_export: Path) -> None:
    from artseek.embedding.onnx_backend import OnnxExport
    from artseek.embedding.openvino_backend import preferred_variant

    good = {"image_cosine_min": 0.999, "text_cosine_min": 1.0, "image_cosine_mean": 0.9995,
            "text_cosine_mean": 1.0, "top10_overlap": 0.95}
    bad = dict(good, top10_overlap=0.2)  # as MobileCLIP2-S0's static tower with random weights
    fp32 = {"image": "image.onnx", "text": "text.onnx"}

    def export(variants: dict) -> OnnxExport:
        return OnnxExport(static_export.parent, {"variants": variants})

    assert preferred_variant(export({"fp32": fp32, "int8-static": {**fp32, "agreement": good}})) == "int8-static"
    assert preferred_variant(export({"fp32": fp32, "int8-static": {**fp32, "agreement": bad}})) == "fp32"
    assert preferred_variant(export({"fp32": fp32})) == "fp32"


@pytest.fixture
def machine_cache(tmp_path: Path, monkeypatch) -> Path:  # noqa: ANN001
    """This test's own user data folder, so each starts without a kept machine check; returns its cache file."""
    monkeypatch.setenv("ARTSEEK_DATA_DIR", str(tmp_path / "user-data"))
    return tmp_path / "user-data" / "cpu_calibration.json"


def _copy(static_export: Path, tmp_path: Path) -> Path:
    """A private copy of the weights and their export (for tests that damage or watch it)."""
    weights = tmp_path / static_export.name
    shutil.copy2(static_export, weights)
    name = f"{static_export.stem}.onnx"
    shutil.copytree(static_export.parent / name, tmp_path / name)
    return weights


def test_export_records_openvino_agreement_and_the_reference(static_export: Path) -> None:
    import json

    from artseek.embedding.onnx_backend import int8_passes

    folder = static_export.parent / f"{static_export.stem}.onnx"
    manifest = json.loads((folder / "manifest.json").read_text())
    measured = manifest["variants"]["int8-static"]["openvino"]
    assert measured["version"] == "2026.4.1" and measured["inference_precision"] in ("bf16", "f32")
    assert int8_passes(measured["agreement"]) and measured["agreement"]["n_images"] == 48
    ref = manifest["reference"]
    with np.load(folder / ref["file"]) as stored:
        assert stored["images"].shape == (48, 64) and stored["texts"].shape == (ref["texts"], 64)


def test_the_machine_check_measures_agreement_and_speed_once(static_export: Path, machine_cache: Path,
                                                             monkeypatch) -> None:
    import json

    from artseek.embedding import openvino_backend

    first = load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu")
    (key, entry), = json.loads(machine_cache.read_text()).items()
    assert key.startswith("openvino 2026.4.1|") and entry["check"] == 2 and entry["agrees"] is True
    assert entry["agreement"]["image_cosine_min"] > 0.97 and entry["inference_precision"] in ("bf16", "f32")
    assert entry["openvino_ms_per_image"] > 0 and entry["onnx_ms_per_image"] > 0 and entry["onnx_variant"] == "int8"
    assert entry["faster"] == (entry["openvino_ms_per_image"] <= 0.95 * entry["onnx_ms_per_image"])
    assert first.backend == ("openvino" if entry["faster"] else "onnx")

    def measure_again(_encoder):  # noqa: ANN001, ANN202
        raise AssertionError("measured again although the result is kept")

    monkeypatch.setattr(openvino_backend, "machine_agreement", measure_again)
    monkeypatch.setattr(openvino_backend, "machine_speed", measure_again)
    assert load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu").backend == first.backend


def _speed(openvino_ms: float, onnx_ms: float):  # noqa: ANN202
    return lambda _encoder: {"openvino_ms_per_image": openvino_ms, "onnx_ms_per_image": onnx_ms,
                             "onnx_variant": "int8"}


def test_auto_runs_openvino_where_it_agrees_and_is_faster(static_export: Path, machine_cache: Path,
                                                          monkeypatch) -> None:
    from artseek.embedding import openvino_backend

    monkeypatch.setattr(openvino_backend, "machine_speed", _speed(11.0, 13.8))  # ViT-B-32 here
    ov = load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu")
    assert ov.backend == "openvino" and ov.precision == "int8-static"


def test_auto_stays_on_onnx_runtime_where_openvino_is_not_faster(static_export: Path, machine_cache: Path,
                                                                 monkeypatch, capsys) -> None:
    import json

    from artseek.embedding import openvino_backend

    monkeypatch.setattr(openvino_backend, "machine_speed", _speed(54.0, 48.5))  # as MobileCLIP2-B here
    encoder = load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu")
    assert encoder.backend == "onnx" and encoder.precision == "int8"
    assert "OpenVINO is not faster than ONNX Runtime for 'tiny-test' on this CPU (54.0 against 48.5 ms" in \
        capsys.readouterr().err
    (entry,) = json.loads(machine_cache.read_text()).values()
    assert entry["agrees"] is True and entry["faster"] is False
    monkeypatch.setenv("ARTSEEK_OPENVINO", "1")  # wherever it agrees: the kept check says it does
    assert load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu").backend == "openvino"


def test_auto_stays_on_onnx_runtime_without_openvino_or_when_told(static_export: Path, machine_cache: Path,
                                                                   monkeypatch) -> None:
    monkeypatch.setenv("ARTSEEK_OPENVINO", "0")
    encoder = load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu")
    assert encoder.backend == "onnx" and encoder.precision == "int8"  # the export's default on ONNX Runtime
    monkeypatch.delenv("ARTSEEK_OPENVINO")
    monkeypatch.setitem(sys.modules, "openvino", None)  # as where the extra is not installed
    assert load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu").backend == "onnx"


def test_auto_stays_on_onnx_runtime_where_openvino_disagrees_on_this_cpu(static_export: Path, machine_cache: Path,
                                                                           monkeypatch, capsys) -> None:
    import json

    from artseek.embedding import openvino_backend

    calls = []

    def poor(encoder):  # noqa: ANN001, ANN202 - as int8 kernels that saturate on a CPU without VNNI
        calls.append(encoder)
        return {"image_cosine_min": 0.8, "image_cosine_mean": 0.95, "text_cosine_min": 1.0,
                "text_cosine_mean": 1.0, "top10_overlap": 0.6}

    monkeypatch.setattr(openvino_backend, "machine_agreement", poor)
    encoder = load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu")
    assert encoder.backend == "onnx" and encoder.precision == "int8"
    assert "agrees too little" in capsys.readouterr().err
    (entry,) = json.loads(machine_cache.read_text()).values()
    assert entry["agrees"] is False and entry["faster"] is False
    assert load_encoder("tiny-test", weights=static_export, backend="auto", device="cpu").backend == "onnx"
    assert len(calls) == 1  # the machine's answer is kept


def test_a_damaged_reference_keeps_auto_on_onnx_runtime_and_says_how_to_fix_it(static_export: Path, tmp_path: Path,
                                                                                 machine_cache: Path, capsys) -> None:
    weights = _copy(static_export, tmp_path)
    reference = tmp_path / f"{weights.stem}.onnx" / "reference.npz"
    reference.write_bytes(reference.read_bytes()[:-10] + b"0123456789")
    encoder = load_encoder("tiny-test", weights=weights, backend="auto", device="cpu")
    assert encoder.backend == "onnx"
    err = capsys.readouterr().err
    assert "no intact reference embeddings" in err and "--int8 --static-int8" in err
    assert load_encoder("tiny-test", weights=weights, backend="openvino").backend == "openvino"  # asked: it runs
    assert not machine_cache.exists()  # nothing measured, nothing kept: a re-export is tried at the next start


def test_models_export_says_what_auto_will_run(tmp_path: Path, capsys) -> None:
    from artseek.cli import main

    weights = tmp_path / TINY_WEIGHTS.name
    shutil.copy2(TINY_WEIGHTS, weights)
    assert main(["models", "export", "--model", "tiny-test", "--weights", str(weights), "--int8", "--static-int8",
                 "--dest", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "  int8-static on OpenVINO 2026.4.1 (" in out
    assert "--backend auto will run the int8-static image tower on OpenVINO where it passes a one-time check on " \
           "the CPU, else the int8 towers on ONNX Runtime." in out
