"""``bench indexing``: its figures, repeats and the overlap ceiling (run on the tiny model)."""

from __future__ import annotations

import pytest

from artseek.bench.indexing import overlap_ceiling, run
from artseek.bench.photos import generate_photos


def test_ceiling_when_model_and_decoding_share_two_cores() -> None:
    # 27.3 images/s on both cores, decode path 44/s on one: 2 / (2 + 27.3/44) = 0.763.
    assert overlap_ceiling(2, 2, 27.3, 44.0) == pytest.approx(0.763, abs=1e-3)


def test_ceiling_is_one_when_spare_cores_can_decode_everything() -> None:
    # 12 runtime threads on 16 cores leave 4 decoding cores: 4 x 44/s > 100 images/s.
    assert overlap_ceiling(16, 12, 100.0, 44.0) == 1.0


def test_ceiling_on_a_gpu_is_the_decode_rate_of_all_cores() -> None:
    # The model needs no CPU core: 16 cores x 20/s = 320 images/s against 3269 model-only.
    assert overlap_ceiling(16, 0, 3269.0, 20.0) == pytest.approx(320 / 3269, rel=1e-6)


def test_ceiling_without_figures_is_zero() -> None:
    assert overlap_ceiling(2, 2, 0.0, 44.0) == 0.0


def test_bench_prints_medians_ratio_and_ceiling(tiny_export, tmp_path) -> None:  # noqa: ANN001
    weights, _ = tiny_export
    folder = tmp_path / "photos"
    generate_photos(folder, 6, size=(1200, 800))
    lines: list[str] = []
    figures = run(model="tiny-test", weights=weights, images=folder, backends=["torch", "onnx-int8"],
                  batch_size=4, repeats=2, out=lines.append)
    text = "\n".join(lines)
    for backend in ("torch", "onnx-int8"):
        fig = figures["backends"][backend]
        assert fig["indexed"] == 6 and fig["failed"] == 0
        assert len(fig["model_only_runs"]) == 2 and len(fig["end_to_end_runs"]) == 2
        assert min(fig["end_to_end_runs"]) <= fig["end_to_end"] <= max(fig["end_to_end_runs"])
        assert fig["ratio"] == pytest.approx(fig["end_to_end"] / fig["model_only"])
        assert 0 < fig["ceiling"] <= 1
        assert f"{backend}: end_to_end/model_only = {fig['ratio']:.2f}" in text
        assert f"{backend}: ceiling of that ratio" in text
    assert "median of 2" in text
    assert "onnx_int8_end_to_end/torch_end_to_end = " in text
    assert figures["fast_vs_official_cosine"] > 0.99
    assert figures["peak_rss_mb"] > 0


def test_the_auto_arm_runs_what_the_app_runs_and_is_compared_with_the_old_path(tmp_path, monkeypatch,  # noqa: ANN001
                                                                              shapes_200) -> None:
    """``--backends onnx-int8-conv,auto``: auto runs OpenVINO where the static tower passed under OpenVINO (here
    an export calibrated on the shapes; make test installs OpenVINO), else ONNX Runtime; the speed goal's line
    names it either way. (OpenVINO is made the faster here: on the tiny model the two are about even.)"""
    import json
    import shutil

    from artseek.embedding import openvino_backend
    from artseek.embedding.export import export_model
    from artseek.embedding.openvino_backend import openvino_ready
    from tests.conftest import TINY_WEIGHTS

    monkeypatch.setenv("ARTSEEK_DATA_DIR", str(tmp_path / "user-data"))  # this test's own machine checks
    monkeypatch.setattr(openvino_backend, "machine_speed", lambda _e: {
        "openvino_ms_per_image": 1.0, "onnx_ms_per_image": 2.0, "onnx_variant": "int8"})
    folder = tmp_path / "jpegs"
    generate_photos(folder, 6, size=(1200, 800))
    for name, calibrate in (("on-shapes", shapes_200[0][0].parent), ("on-jpegs", None)):
        weights = tmp_path / name / TINY_WEIGHTS.name
        weights.parent.mkdir()
        shutil.copy2(TINY_WEIGHTS, weights)
        if calibrate is not None:  # else the benchmark exports, calibrated on its 6 photos
            export_model("tiny-test", weights=weights, int8=True, static_int8=True, calibrate=calibrate,
                         out_dir=weights.parent)
        lines: list[str] = []
        figures = run(model="tiny-test", weights=weights, images=folder, backends=["onnx-int8-conv", "auto"],
                      batch_size=4, repeats=1, out=lines.append)
        manifest = json.loads((weights.parent / "artseek-tiny.onnx" / "manifest.json").read_text())
        auto = figures["backends"]["auto"]
        chosen = "openvino int8-static" if openvino_ready(manifest) else "onnx int8"
        assert f"{auto['backend']} {auto['variant']}" == chosen and auto["indexed"] == 6
        assert calibrate is None or chosen == "openvino int8-static"
        assert any(line.startswith(f"auto [{chosen}]: model_only ") for line in lines)
        assert any(line.startswith("auto_end_to_end/onnx_int8_conv_end_to_end = ") for line in lines)
