"""The fastest CPU path of an export: the image tower quantised statically to int8, calibrated on real pictures.

Dynamic int8 (``quantize_dynamic``, the ``int8`` variant) quantises the
weights ahead of time but measures every activation's range again on every
batch and converts back to float around each matrix product. Static int8
(``quantize_static``, QDQ format, weights per channel) fixes the activation
ranges once, from calibration pictures, so ONNX Runtime can fuse the
quantise/dequantise pairs into integer kernels (VNNI/AMX where the CPU has them).
The calibration pictures are, in order of preference, the library's own
images (``models export --calibrate FOLDER``) or the export's synthetic
evaluation set.

Only the image tower is quantised statically: indexing spends its model time
there. The variant's text tower (one query at a time) is the dynamic int8 one
when the export has it, else fp32 (:mod:`artseek.embedding.export`). The
variant becomes ``--backend auto``'s default on ONNX Runtime only when its
measured agreement with torch passes the int8 thresholds of :mod:`onnx_backend`;
OpenVINO runs it under its own checks (:mod:`openvino_backend`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np

STATIC_IMAGE = "image.int8s.onnx"
VARIANT = "int8-static"
CALIBRATION_BATCH = 8
MAX_CALIBRATION = 64


def calibration_inputs(folder: Path, cfg, limit: int = MAX_CALIBRATION) -> np.ndarray:  # noqa: ANN001
    """Up to ``limit`` pictures below ``folder`` as a model-input batch (preprocessed as for indexing)."""
    from PIL import Image

    from artseek.embedding.preprocess import to_model_input

    suffixes = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"}
    paths = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in suffixes)
    step = max(1, len(paths) // limit)
    batch = []
    for p in paths[::step][:limit]:
        try:
            with Image.open(p) as image:
                image.draft("RGB", (cfg.image_size * 2, cfg.image_size * 2))  # JPEGs: decode at reduced size
                batch.append(to_model_input(image.convert("RGB"), cfg))
        except Exception:  # noqa: BLE001 - an unreadable picture is simply not used for calibration
            continue
    return np.stack(batch) if batch else np.zeros((0, 3, cfg.image_size, cfg.image_size), np.float32)


def quantise_image_static(fp32: Path, out: Path, inputs: np.ndarray) -> None:
    """Write ``out``: ``fp32`` (an image tower) with static int8 QDQ MatMul/Conv/Gemm, calibrated on ``inputs``."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches: Iterator[dict] = iter(
                {"pixel_values": np.ascontiguousarray(inputs[i:i + CALIBRATION_BATCH], np.float32)}
                for i in range(0, len(inputs), CALIBRATION_BATCH))

        def get_next(self) -> dict | None:
            return next(self.batches, None)

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser logs advice on the root logger
    try:
        quantize_static(str(fp32), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax, op_types_to_quantize=["MatMul", "Conv", "Gemm"],
                        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)
