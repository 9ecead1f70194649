"""OpenVINO running an ONNX export's image tower: an optional CPU backend (issue 15's speed goal).

OpenVINO reads ArtSeek's ONNX exports as they are (the fused ``Attention``
operator included) and executes a static QDQ int8 tower (``models export
--static-int8``) in int8. Measured on ViT-B-32 (docs/performance.md, seventh
session): that tower costs a fifth less CPU per image than ONNX Runtime's
dynamic int8 one, and a real indexing job runs 1.10x as fast (1.40x the int8
path as it was before issue 15). Only the image tower runs here; the text
towers stay on ONNX Runtime (one query at a time, where OpenVINO gains nothing).

The dynamic int8 towers (``MatMulInteger``) run slowly under OpenVINO (76
against 14 ms per image), so this backend runs the static int8 variant, or
fp32 when the export has none (OpenVINO may then compute in bf16 on CPUs with
AMX: cosine 0.99995 to fp32 measured). ``openvino`` is an optional extra
(``requirements-openvino.txt``), not yet in the packaged app: choose it with
``--backend openvino``; ``auto`` does not pick it.
"""

from __future__ import annotations

import threading

import numpy as np

from artseek.embedding.onnx_backend import OnnxEncoder, OnnxExport, int8_passes
from artseek.embedding.registry import ModelSpec
from artseek.errors import ModelLoadError

STATIC = "int8-static"
RUNS = (STATIC, "fp32")  # the variants this backend runs, preferred first
INSTALL = "pip install -r requirements-openvino.txt"


def preferred_variant(export: OnnxExport) -> str:
    """The export's variant this backend runs by default: static int8 where it passed its checks, else fp32."""
    static = export.variants.get(STATIC)
    return STATIC if static is not None and int8_passes(static.get("agreement")) else "fp32"


class OpenVinoEncoder(OnnxEncoder):
    """:class:`OnnxEncoder` whose image tower runs on OpenVINO's CPU plugin (compiled on first use)."""

    backend = "openvino"

    def __init__(self, spec: ModelSpec, export: OnnxExport, threads: int | None = None,
                 variant: str | None = None) -> None:
        variant = variant or preferred_variant(export)
        if variant not in RUNS:
            raise ModelLoadError(
                f"The OpenVINO backend does not run the {variant} towers (OpenVINO runs dynamic int8 "
                "several times slower than ONNX Runtime).",
                f"Use --backend onnx for them, or export the static int8 towers with 'python main.py models "
                f"export --model {spec.name} --static-int8' and run those.")
        try:  # here, not at the first batch: an indexing job should not start on a backend that cannot run
            import openvino
        except ImportError:
            raise ModelLoadError("OpenVINO is not installed (the packaged app does not include it), so the "
                                 "OpenVINO backend cannot run.",
                                 f"Use --backend onnx, or install it with '{INSTALL}'.") from None
        super().__init__(spec, export, threads=threads, variant=variant)
        self._openvino = openvino
        self._lock = threading.Lock()  # one infer request: OpenVINO's requests are not thread-safe
        self._request = None
        self._output = None

    def _image_request(self):  # noqa: ANN202 - openvino.InferRequest
        if self._request is None:
            path = self.export.tower(self.precision, "image")
            try:
                core = self._openvino.Core()
                compiled = core.compile_model(core.read_model(str(path)), "CPU",
                                              {"INFERENCE_NUM_THREADS": int(self.threads),
                                               "PERFORMANCE_HINT": "LATENCY"})
            except Exception as exc:  # noqa: BLE001 - OpenVINO raises its own exception types
                raise ModelLoadError(f"OpenVINO could not load the image tower '{path}' "
                                     f"({str(exc).splitlines()[0][:200]}).",
                                     f"Re-export it with 'python main.py models export --model {self.spec.name}"
                                     f"{' --static-int8' if self.precision == STATIC else ''}', "
                                     "or use --backend onnx.") from exc
            self._output = compiled.output(0)
            self._request = compiled.create_infer_request()
        return self._request

    def _run(self, which: str, array: np.ndarray) -> np.ndarray:
        """The image tower on OpenVINO; the text towers as :class:`OnnxEncoder` runs them."""
        if which != "image":
            return super()._run(which, array)
        with self._lock:
            out = self._image_request().infer({0: array})[self._output]
        return np.ascontiguousarray(out, dtype=np.float32)
