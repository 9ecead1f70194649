"""Load an encoder by model name: the one entry point the rest of ArtSeek uses.

Backends: ``torch`` (open_clip, CPU or CUDA; the reference), ``onnx``
(ONNX Runtime on the CPU, from an export made by ``main.py models export``)
and ``openvino`` (the same export's image tower on OpenVINO, from
``requirements-openvino.txt``; the packaged app bundles it).
``auto`` picks torch when CUDA is available; else, when the model has an export
that passes its check against the weights, OpenVINO's static int8 tower where
it is installed and, on this machine, agrees and is the faster runtime
(:func:`artseek.embedding.openvino_backend.auto_encoder`), else ONNX Runtime
with the export's default variant; else torch. The onnx and openvino paths
never import torch or open_clip, so the packaged CPU app ships neither.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from artseek import config
from artseek.embedding.encoder import Encoder
from artseek.embedding.registry import ModelSpec, get_spec, locate_weights
from artseek.errors import ArtSeekError, ModelLoadError, ModelNotFoundError

BACKENDS = ("auto", "torch", "onnx", "openvino")
_notes_shown: set[str] = set()


def load_encoder(model_name: str, weights: str | os.PathLike[str] | None = None, device: str | None = None,
                 backend: str = "auto", int8: bool = False, variant: str | None = None) -> Encoder:
    """Locate the weights (and ONNX export) of ``model_name`` and return a ready encoder.

    ``backend``: ``torch``, ``onnx``, ``openvino`` or ``auto``. ``int8``: use the export's
    int8 towers (onnx only; ignored by torch). With ``backend="onnx"`` and
    ``int8=False`` the fp32 towers run; with ``auto`` the export's default
    precision runs (int8 only if it was exported with ``--int8`` and its
    measured agreement passed the thresholds, see docs/backends.md).
    ``variant`` (onnx, or auto on the CPU): run that variant of the export
    (``fp32``, ``int8``, ``int8-static``) whatever its default.

    Raises :class:`artseek.errors.ModelNotFoundError` / ``ModelLoadError`` (or
    :class:`ArtSeekError` for a missing export) with a curator-readable message.
    """
    backend = backend or "auto"
    if backend not in BACKENDS:
        raise ArtSeekError(f"Unknown backend '{backend}'.", f"Choose one of: {', '.join(BACKENDS)}.")
    spec = get_spec(model_name)
    if backend == "torch":
        return _torch(spec, locate_weights(spec, weights), device)

    want = device or os.environ.get("ARTSEEK_DEVICE") or "auto"
    if backend in ("onnx", "openvino") and want == "cuda":
        raise ArtSeekError(f"The {'ONNX' if backend == 'onnx' else 'OpenVINO'} backend runs on the CPU only.",
                           "Use --backend torch (or auto) for CUDA.")
    weights_path, missing = _locate(spec, weights)
    if backend == "auto" and (want == "cuda" or (want == "auto" and cuda_available())):
        if weights_path is None:
            raise missing  # type: ignore[misc]
        return _torch(spec, weights_path, device)

    from artseek.embedding.onnx_backend import OnnxEncoder, export_folder_name, find_export

    export, reasons = find_export(spec, weights_path)
    if export is not None and backend == "openvino":
        from artseek.embedding.openvino_backend import OpenVinoEncoder

        return OpenVinoEncoder(spec, export, variant=variant)
    if export is not None:
        if variant is not None:
            return OnnxEncoder(spec, export, variant=variant)
        if backend == "auto":
            from artseek.embedding.openvino_backend import auto_encoder

            fastest = auto_encoder(spec, export, log=_note)
            if fastest is not None:
                return fastest
        if backend == "onnx":
            return OnnxEncoder(spec, export, int8=int8)
        wants_int8 = int8 and "int8" in export.variants  # auto: int8 only where the export has it
        return OnnxEncoder(spec, export, variant="int8" if wants_int8 else export.usable_variant())
    if backend in ("onnx", "openvino"):
        if weights_path is None and not reasons:
            raise missing  # type: ignore[misc]
        detail = ("\n".join(f"  - {r}" for r in reasons) + "\n") if reasons else ""
        hint = f" --weights {weights}" if weights else ""
        static = " --int8 --static-int8" if backend == "openvino" else ""  # the tower OpenVINO runs fastest
        raise ArtSeekError(
            f"There is no usable ONNX export of the model '{spec.name}'.",
            f"{detail}Export it once with 'python main.py models export --model {spec.name}{static}{hint}' "
            "(needs torch), or use --backend torch.")
    if weights_path is None:
        if reasons and (config.bundled_models_dir() / export_folder_name(spec.weights_filename)).is_dir():
            # The packaged app's own export is damaged: weights alone would not help it (it has no torch).
            raise ModelLoadError(f"The model '{spec.name}' that came with ArtSeek cannot be used "
                                 f"({'; '.join(reasons)}).", "Reinstall ArtSeek.")
        raise missing  # type: ignore[misc]
    if reasons:
        _note(f"note: the ONNX export of '{spec.name}' is not used ({reasons[0]}); running on torch. "
              f"Re-export with 'python main.py models export --model {spec.name}'.")
    return _torch(spec, weights_path, device)


def _locate(spec: ModelSpec, weights: str | os.PathLike[str] | None) -> tuple[Path | None, ModelNotFoundError | None]:
    """The weights path, or ``None`` and the error to raise if nothing else (an export) can stand in."""
    try:
        return locate_weights(spec, weights), None
    except ModelNotFoundError as exc:
        if weights or os.environ.get(config.ENV_WEIGHTS):
            raise  # an explicit path that does not exist is always an error
        return None, exc


def _torch(spec: ModelSpec, path: Path, device: str | None) -> Encoder:
    from artseek.embedding.torch_backend import TorchEncoder

    return TorchEncoder(spec, path, device=device)


def _note(message: str) -> None:
    if message not in _notes_shown:
        _notes_shown.add(message)
        print(message, file=sys.stderr)


def nvidia_driver_present() -> bool:
    """A cheap, torch-free look for an NVIDIA driver (so a CPU-only machine never imports torch to ask)."""
    if sys.platform.startswith("linux"):
        if Path("/proc/driver/nvidia/version").exists() or Path("/dev/nvidiactl").exists():
            return True
        return Path("/usr/lib/wsl/lib/libcuda.so.1").exists()  # WSL2 exposes the Windows driver here
    if sys.platform.startswith("win"):
        import ctypes.util

        return ctypes.util.find_library("nvcuda") is not None
    return False  # macOS: no CUDA


def cuda_available() -> bool:
    """True when torch is installed, an NVIDIA driver is present and torch can use CUDA."""
    if "torch" in sys.modules and sys.modules["torch"] is None:
        return False  # torch deliberately blocked (the torch-free test)
    if not nvidia_driver_present():
        return False
    try:
        import importlib.util

        if importlib.util.find_spec("torch") is None:
            return False
        import torch
    except (ImportError, ValueError):
        return False
    return bool(torch.cuda.is_available())
