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
AMX: cosine 0.99995 to fp32 measured).

``--backend auto`` picks this backend on the CPU (:func:`auto_encoder`) when
OpenVINO is installed (``requirements-openvino.txt``; the packaged app bundles
it), the export has a static int8 tower whose agreement with torch, measured
under OpenVINO at export, passes the int8 thresholds, and, measured once on
*this* machine, the same agreement passes and the tower costs less CPU per
image than ONNX Runtime's own choice: OpenVINO computes the unquantised parts
in bf16 where the CPU has it and its int8 kernels differ between CPUs, so an
export's figures vouch for no other machine, and it is not faster for every
model (MobileCLIP2-B ran slower, docs/performance.md). The machine's result is
kept in the user's ``cpu_calibration.json`` per CPU, OpenVINO version and
tower. ``ARTSEEK_OPENVINO=0`` keeps ``auto`` on ONNX Runtime; ``=1`` skips
the speed comparison (OpenVINO wherever it agrees).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
import threading
import time

import numpy as np

from artseek.embedding.agreement import agreement, batch_sha256, evaluation_images, evaluation_texts
from artseek.embedding.cpu_features import cpu_identity, load_calibration, save_calibration
from artseek.embedding.onnx_backend import OnnxEncoder, OnnxExport, int8_passes
from artseek.embedding.registry import ModelSpec
from artseek.errors import ArtSeekError, ModelLoadError
from artseek.files import sha256_file

STATIC = "int8-static"
RUNS = (STATIC, "fp32")  # the variants this backend runs, preferred first
INSTALL = "pip install -r requirements-openvino.txt"
ENV_OPENVINO = "ARTSEEK_OPENVINO"  # "0": --backend auto never picks OpenVINO; "1": wherever it agrees
CHECK = 2  # the machine check's form in the cache (1: agreement only)
FASTER = 0.95  # OpenVINO must cost at most this share of ONNX Runtime's CPU per image


def openvino_version() -> str | None:
    """The installed OpenVINO's version, or None when it is not installed (nothing is imported)."""
    if importlib.util.find_spec("openvino") is None:
        return None
    try:
        return importlib.metadata.version("openvino")
    except importlib.metadata.PackageNotFoundError:  # a frozen app may lack the distribution's metadata
        import openvino

        return str(openvino.__version__).split("-")[0]


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
            raise ModelLoadError("OpenVINO is not installed here, so the OpenVINO backend cannot run.",
                                 f"Use --backend onnx, or install it with '{INSTALL}'.") from None
        super().__init__(spec, export, threads=threads, variant=variant)
        self._openvino = openvino
        self._lock = threading.Lock()  # one infer request: OpenVINO's requests are not thread-safe
        self._request = None
        self._output = None
        self.inference_precision = ""  # what OpenVINO computes the unquantised parts in (bf16, f32), once compiled

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
            precision = compiled.get_property("INFERENCE_PRECISION_HINT")
            self.inference_precision = getattr(precision, "get_type_name", lambda: str(precision))()
            self._request = compiled.create_infer_request()
        return self._request

    def _run(self, which: str, array: np.ndarray) -> np.ndarray:
        """The image tower on OpenVINO; the text towers as :class:`OnnxEncoder` runs them."""
        if which != "image":
            return super()._run(which, array)
        with self._lock:
            out = self._image_request().infer({0: array})[self._output]
        return np.ascontiguousarray(out, dtype=np.float32)


def openvino_ready(manifest: dict) -> bool:
    """Whether an export's static int8 tower passed the int8 thresholds under OpenVINO, with the reference kept."""
    static = manifest.get("variants", {}).get(STATIC) or {}
    return bool((manifest.get("reference") or {}).get("file")) and int8_passes(
        (static.get("openvino") or {}).get("agreement"))


def machine_key(export: OnnxExport) -> str:
    """Names one (CPU, OpenVINO version, static int8 tower) combination in the calibration cache."""
    tower = export.variants[STATIC]["sha256"]["image"]
    return f"openvino {openvino_version()}|{cpu_identity()}|{tower}"


def machine_agreement(encoder: OpenVinoEncoder) -> dict:
    """The static int8 tower's agreement with torch as OpenVINO computes it on this machine.

    Rebuilds the export's evaluation set, checks it is the one torch embedded (the
    manifest's ``reference``), and compares. Raises :class:`ArtSeekError` when the
    export has no usable reference.
    """
    export = encoder.export
    ref = export.manifest.get("reference") or {}
    path = export.folder / str(ref.get("file", ""))
    if not ref.get("file") or not path.is_file() or sha256_file(path) != ref.get("sha256"):
        raise ArtSeekError(f"The ONNX export in '{export.folder}' has no intact reference embeddings.",
                           f"Re-export it with 'python main.py models export --model {encoder.spec.name} "
                           "--int8 --static-int8'.")
    images = evaluation_images(encoder.preprocess_cfg, n=int(ref["images"]))
    if batch_sha256(images) != ref.get("inputs_sha256"):
        raise ArtSeekError("The evaluation pictures rebuilt here differ from those the export was measured on "
                           "(another numpy or Pillow).", "Re-export the model with this installation.")
    with np.load(path, allow_pickle=False) as stored:
        ref_images, ref_texts = stored["images"], stored["texts"]
    texts = evaluation_texts()[:len(ref_texts)]
    return agreement(ref_images, ref_texts, encoder.encode_images(images), encoder.encode_texts(texts))


def machine_speed(encoder: OpenVinoEncoder) -> dict:
    """CPU milliseconds per image of this tower and of what ONNX Runtime would run, on this machine.

    One indexing batch of evaluation pictures (32), each runtime warmed up on it,
    then two alternating rounds, the better round of each (process CPU time: what
    indexing shares with the decoders). Smaller batches understate OpenVINO's
    gain (ViT-B-32: 0.92 of ONNX Runtime's CPU at 16 pictures, 0.86 at 32).
    """
    export = encoder.export
    variant = export.usable_variant()
    onnx = OnnxEncoder(encoder.spec, export, threads=encoder.threads, variant=variant)
    batch = evaluation_images(encoder.preprocess_cfg, n=int(encoder.preferred_batch_size), seed=11)
    best = {"openvino": float("inf"), "onnx": float("inf")}
    for warm in (encoder, onnx):
        warm.encode_images(batch)
    for _ in range(2):
        for name, run in (("openvino", encoder), ("onnx", onnx)):
            start = time.process_time()
            run.encode_images(batch)
            best[name] = min(best[name], (time.process_time() - start) * 1000 / len(batch))
    return {"openvino_ms_per_image": round(best["openvino"], 3), "onnx_ms_per_image": round(best["onnx"], 3),
            "onnx_variant": variant}


def auto_encoder(spec: ModelSpec, export: OnnxExport, threads: int | None = None,
                 log=None) -> OpenVinoEncoder | None:  # noqa: ANN001 - a print-like callable
    """OpenVINO's static int8 path where ``--backend auto`` should run it, else None (ONNX Runtime runs).

    Yes only when OpenVINO is installed, ``ARTSEEK_OPENVINO`` is not "0", the export's
    static int8 tower passed the int8 thresholds under OpenVINO at export, and on
    this machine it passes them too and costs at most :data:`FASTER` of ONNX
    Runtime's CPU per image (measured once, a few seconds, then cached;
    ``ARTSEEK_OPENVINO=1`` skips the speed part).
    """
    setting = os.environ.get(ENV_OPENVINO, "").strip()
    if setting == "0" or openvino_version() is None or not openvino_ready(export.manifest):
        return None
    say = log or (lambda message: print(message, file=sys.stderr))
    key = machine_key(export)
    cached = load_calibration(key)
    if cached is not None and cached.get("check") == CHECK:
        use = cached["agrees"] and (cached["faster"] or setting == "1")
        return OpenVinoEncoder(spec, export, threads, variant=STATIC) if use else None
    try:
        encoder = OpenVinoEncoder(spec, export, threads, variant=STATIC)
        start = time.perf_counter()
        measured = machine_agreement(encoder)
        speed = machine_speed(encoder) if int8_passes(measured) else {}
    except Exception as exc:  # noqa: BLE001 - any failure here only means ONNX Runtime runs (not cached: fixable)
        reason = exc.message.rstrip(".") if isinstance(exc, ArtSeekError) else f"{type(exc).__name__}: {exc}"
        hint = f" {exc.hint}" if isinstance(exc, ArtSeekError) and exc.hint else ""
        say(f"note: OpenVINO is not used for '{spec.name}' ({reason}); running on ONNX Runtime.{hint}")
        return None
    agrees = int8_passes(measured)
    faster = agrees and speed["openvino_ms_per_image"] <= FASTER * speed["onnx_ms_per_image"]
    save_calibration(key, {"check": CHECK, "agrees": agrees, "faster": faster, "agreement": measured, **speed,
                           "inference_precision": encoder.inference_precision,
                           "seconds": round(time.perf_counter() - start, 2)})
    if not agrees:
        say(f"note: OpenVINO's int8 '{spec.name}' agrees too little with the reference on this CPU "
            f"(cosine min {measured['image_cosine_min']}); running on ONNX Runtime.")
        return None
    if not faster and setting != "1":
        say(f"note: OpenVINO is not faster than ONNX Runtime for '{spec.name}' on this CPU "
            f"({speed['openvino_ms_per_image']:.1f} against {speed['onnx_ms_per_image']:.1f} ms of CPU per image); "
            "running on ONNX Runtime.")
        return None
    return encoder
