"""scripts/pool_ratios.py reads saved `bench indexing` output and pools the per-repeat ratios."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pool_ratios.py"


@pytest.fixture(scope="module")
def pool():
    spec = importlib.util.spec_from_file_location("pool_ratios", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _log(path: Path, images: int, ratios: str) -> Path:
    return _write(path,
                  f"images: {images} JPEGs in /x (e.g. 2560x1600); model ViT-B-32; cores 2\n"
                  "onnx-int8-conv [int8]: model_only 80.3 images/s on 2 threads, end_to_end 46.4 images/s\n"
                  f"onnx_int8_end_to_end/onnx_int8_conv_end_to_end = 1.26 (median of the per-repeat ratios {ratios}); "
                  "model only 1.85; CPU per indexed image, baseline over this: 1.23 (1.20, 1.19)\n")


def test_reads_the_images_and_every_repeat(pool, tmp_path: Path) -> None:
    images, ratios = pool.read_run(_log(tmp_path / "a.log", 120, "1.22, 1.20, 1.26, 1.26, 1.28"))
    assert images == "120" and ratios == [1.22, 1.20, 1.26, 1.26, 1.28]


def test_a_run_without_the_ratio_line_is_refused_with_the_reason(pool, tmp_path: Path) -> None:
    path = _write(tmp_path / "b.log", "images: 120 JPEGs in /x\nonnx-int8 [int8]: model_only 148.4 images/s\n")
    with pytest.raises(ValueError, match="--backends onnx-int8-conv,onnx-int8"):
        pool.read_run(path)


def test_summary_pools_counts_and_brackets_the_median(pool) -> None:
    values = [1.1, 1.2, 1.3, 1.4, 1.5]
    low, high = pool.bootstrap_interval(values)
    assert 1.1 <= low <= 1.3 <= high <= 1.5
    line = pool.summary("120 images", values, 1.3)
    assert "5 repeats, median 1.30" in line and "mean 1.30" in line and "3 of 5 at 1.3 or more" in line


def test_reads_what_the_benchmark_prints(pool, tmp_path: Path) -> None:
    """The benchmark's own ratio line (not a copy of its format) is what the script parses."""
    from artseek.bench.indexing import CONV, BackendFigures, vs_conv_baseline

    old = BackendFigures(CONV, model_only=80.0, end_to_end=40.0, end_to_end_runs=[40.0, 42.0, 38.0],
                         notes={"cpu_ms_per_image_runs": [45.0, 44.0, 47.0]})
    new = BackendFigures("onnx-int8", model_only=150.0, end_to_end=52.0, end_to_end_runs=[52.0, 58.8, 49.4],
                         notes={"cpu_ms_per_image_runs": [35.0, 33.0, 38.0]})
    lines: list[str] = ["images: 120 JPEGs in /x (e.g. 2560x1600); model ViT-B-32; cores 2"]
    figures = {"backends": {CONV: {}, "onnx-int8": {}}}
    vs_conv_baseline([old, new], figures, lines.append)
    assert figures["backends"]["onnx-int8"]["vs_int8_conv_end_to_end"] == pytest.approx(1.3)
    assert any("pool_ratios.py" in line for line in lines)
    images, ratios = pool.read_run(_write(tmp_path / "run.log", "\n".join(lines)))
    assert images == "120" and ratios == [1.3, 1.4, 1.3]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_reads_the_path_asked_for(pool, tmp_path: Path) -> None:
    path = _write(tmp_path / "c.log",
                  "images: 480 JPEGs in /x\n"
                  "onnx_int8_end_to_end/onnx_int8_conv_end_to_end = 1.30 (median of the per-repeat ratios 1.3, 1.2); x\n"
                  "openvino_int8s_end_to_end/onnx_int8_conv_end_to_end = 1.40 (median of the per-repeat ratios "
                  "1.4, 1.5); x\n")
    assert pool.read_run(path) == ("480", [1.3, 1.2])
    assert pool.read_run(path, "openvino_int8s") == ("480", [1.4, 1.5])
    with pytest.raises(ValueError, match="--backends onnx-int8-conv,onnx-int8s"):
        pool.read_run(path, "onnx_int8s")
