"""Safe loading of model weights from local files (safetensors, or torch with weights_only)."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from artseek.errors import ModelLoadError

if TYPE_CHECKING:
    import torch

_REPAIR_HINT = (
    "Replace it with a complete copy of the weights file (re-download it on a networked "
    "machine with 'python main.py models fetch', or re-export it), then try again."
)


def load_state_dict(path: Path) -> dict[str, "torch.Tensor"]:
    """Read a state dict without ever executing code from the file.

    ``.safetensors`` files are read with safetensors; anything else with
    ``torch.load(weights_only=True)``, which refuses pickled code.
    """
    import torch

    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path), device="cpu")
        else:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ModelLoadError(
            f"The weights file '{path}' contains more than plain tensors (possibly code), "
            "so ArtSeek refused to load it.",
            "Use a .safetensors file or a checkpoint saved as a plain state dict. " + _REPAIR_HINT,
        ) from exc
    except (OSError, RuntimeError, ValueError, EOFError, zipfile.BadZipFile, Exception) as exc:  # noqa: BLE001
        raise ModelLoadError(
            f"The weights file '{path}' could not be read: it is damaged or truncated ({_short(exc)}).",
            _REPAIR_HINT,
        ) from exc
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise ModelLoadError(f"The weights file '{path}' does not hold a model state dict.", _REPAIR_HINT)
    if state and next(iter(state)).startswith("module."):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def apply_state_dict(model: "torch.nn.Module", state: dict[str, "torch.Tensor"], path: Path, architecture: str) -> None:
    """Load ``state`` into ``model`` strictly, turning mismatches into a clear error."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong_shape = [k for k in expected if k in state and tuple(state[k].shape) != tuple(expected[k].shape)]
    if missing or unexpected or wrong_shape:
        details = []
        if missing:
            details.append(f"{len(missing)} missing tensors (e.g. {missing[0]})")
        if unexpected:
            details.append(f"{len(unexpected)} unexpected tensors (e.g. {unexpected[0]})")
        if wrong_shape:
            details.append(f"{len(wrong_shape)} tensors of another shape (e.g. {wrong_shape[0]})")
        raise ModelLoadError(
            f"The weights file '{path}' is for another model architecture than '{architecture}' "
            f"({'; '.join(details)}).",
            "Choose the matching --model, or give the weights file made for this model with --weights.",
        )
    converted = {k: v.to(dtype=expected[k].dtype) for k, v in state.items()}
    model.load_state_dict(converted, strict=True)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
