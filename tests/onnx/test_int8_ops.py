"""Dynamic int8 leaves convolutions in fp32 (ONNX Runtime's ConvInteger is slow); the benchmark can rebuild the old tower."""
import collections
import json

import onnx

from artseek.embedding.export import INT8_DESCRIPTION, dynamic_int8_ops


def _ops(path) -> collections.Counter:
    return collections.Counter(n.op_type for n in onnx.load(str(path)).graph.node)


def test_the_operator_list_keeps_everything_but_conv():
    assert dynamic_int8_ops({"Conv", "MatMul", "Gather", "Attention"}) == ["Attention", "Gather", "MatMul"]


def test_int8_image_tower_has_int8_matmuls_and_no_int8_convolution(tiny_export):
    _, folder = tiny_export
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["variants"]["int8"]["quantisation"] == INT8_DESCRIPTION
    fp32, int8 = _ops(folder / "image.onnx"), _ops(folder / "image.int8.onnx")
    assert int8["ConvInteger"] == 0 and int8["Conv"] == fp32["Conv"]
    assert int8["MatMulInteger"] + int8["DynamicQuantizeMatMul"] > 0


def test_dynamic_int8_leaves_a_convolution_fp32(tiny_export, tmp_path):
    """The plain export's patch embedding is a convolution: quantised with the export's operators, it stays fp32."""
    import os
    import shutil

    from onnxruntime.quantization.registry import IntegerOpsRegistry

    from artseek.embedding.export import export_model, quantise_dynamic

    weights, _ = tiny_export
    local = tmp_path / weights.name
    os.link(weights, local) if weights.stat().st_dev == tmp_path.stat().st_dev else shutil.copy2(weights, local)
    plain = export_model("tiny-test", weights=local, out_dir=tmp_path, fuse_attention=False)
    quantise_dynamic(plain / "image.onnx", tmp_path / "image.int8.onnx", dynamic_int8_ops(IntegerOpsRegistry))
    fp32, int8 = _ops(plain / "image.onnx"), _ops(tmp_path / "image.int8.onnx")
    assert fp32["Conv"] >= 1 and int8["Conv"] == fp32["Conv"] and int8["ConvInteger"] == 0


def test_the_benchmark_baseline_is_the_tower_as_exports_made_it_before(tiny_export, tmp_path):
    """Unfused attention (Transpose/Softmax chains, no Attention node) and int8 convolutions, as before issue 15."""
    import os
    import shutil

    from artseek.bench.int8_baseline import conv_baseline
    from artseek.embedding.loader import load_encoder

    weights, folder = tiny_export
    local = tmp_path / weights.name
    os.link(weights, local) if weights.stat().st_dev == tmp_path.stat().st_dev else shutil.copy2(weights, local)
    link = conv_baseline("tiny-test", local, out=lambda *_: None)
    base = link.parent / (link.stem + ".onnx")
    old = _ops(base / "image.int8.onnx")
    assert old["ConvInteger"] >= 1
    assert old["Attention"] == old["QAttention"] == 0 and old["Softmax"] >= 1
    new = _ops(folder / "image.int8.onnx")
    assert new["QAttention"] >= 1 and new["ConvInteger"] == 0
    encoder = load_encoder("tiny-test", weights=link, backend="onnx", int8=True)
    assert encoder.precision == "int8" and encoder.export.folder == base
    made = (base / "manifest.json").stat().st_mtime_ns
    assert conv_baseline("tiny-test", local, out=lambda *_: None) == link  # made once
    assert (base / "manifest.json").stat().st_mtime_ns == made
