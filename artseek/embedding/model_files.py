"""Model files a curator brings: recognise what a file holds, then put it where ArtSeek looks.

:func:`recognise` tells which known model a file is for, from the tensors it
holds (never from its name alone):

* a ``.safetensors`` file: its header (names, shapes) is read without torch and
  compared with each known architecture's *signature* (every tensor name with
  its shape, hashed), so the packaged app recognises files too;
* a torch checkpoint (``.pt``/``.pth``/``.bin``): read with
  ``torch.load(weights_only=True)`` (never runs code from the file);
* an ONNX export folder (from ``models export``): its ``manifest.json`` names
  the model and lists the tower files, which must all be there.

The pretrained tag (e.g. ``laion2b_s34b_b79k``) is reported only when the
file's sha256 is a published one (:data:`KNOWN_SHA256`).

:func:`add_model_file` checks the file, then copies it atomically into the user
model folder under the name ArtSeek looks for (a torch checkpoint is converted
to safetensors on the way). Signatures of the registry's architectures are
precomputed in ``model_signatures.json``; an architecture missing there is
built on torch's meta device (no memory, no weights) when torch is installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from artseek import config
from artseek.embedding import catalogue
from artseek.embedding.registry import MODELS, ModelSpec
from artseek.errors import ModelLoadError
from artseek.files import replace_folder, sha256_file

SIGNATURES_FILE = Path(__file__).resolve().parent / "model_signatures.json"
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt")
MAX_HEADER = 100 << 20  # a safetensors header larger than this is not a weights file
PROBE_KEYS = ("visual.conv1.weight", "positional_embedding", "token_embedding.weight", "text_projection",
              "visual.proj")

# Published sha256 of weights files, by file name (the catalogue's, where known).
KNOWN_SHA256: dict[str, str] = {
    "artseek-tiny.safetensors": "73e8f7e898c5d12b78d26eabdceaf9752d12620cfae60f7ba6f5c5515f1a07a8",
    **catalogue.known_sha256(),
}

_WHAT_TO_DO = ("Choose the .safetensors weights file of an OpenCLIP model ArtSeek knows ({known}), or the "
               "folder of an ONNX export made by ArtSeek; on a networked machine, Download gets the right file.")


class ModelFileError(ModelLoadError):
    """A file offered as a model cannot be used (unreadable, damaged, unknown architecture, wrong checksum)."""


def _hint() -> str:
    return _WHAT_TO_DO.format(known=", ".join(sorted(MODELS)))


@dataclass(frozen=True)
class Recognised:
    """What a model file holds."""

    path: Path
    kind: str  # "safetensors" | "torch" | "onnx"
    architecture: str
    models: tuple[str, ...]  # the known model names with this architecture
    pretrained_tag: str | None = None  # only when the sha256 is a published one
    sha256: str | None = None  # of the file (None for an export folder)

    @property
    def model(self) -> str | None:
        """The model this file is for, when that is unambiguous."""
        return self.models[0] if len(self.models) == 1 else None


# ------------------------------------------------------------------ signatures
def signature(shapes: dict[str, tuple[int, ...]]) -> dict:
    """A state dict's identity: tensor count, a digest of every name with its shape, and a few probe shapes."""
    lines = "\n".join(f"{k}:{'x'.join(str(d) for d in shape)}" for k, shape in sorted(shapes.items()))
    return {"tensors": len(shapes), "digest": hashlib.sha256(lines.encode()).hexdigest(),
            "probes": {k: list(shapes[k]) for k in PROBE_KEYS if k in shapes}}


def architecture_shapes(architecture: str) -> dict[str, tuple[int, ...]]:
    """Every tensor name and shape of an open_clip architecture, built on the meta device (needs torch)."""
    import logging

    import open_clip

    from artseek.embedding.torch_backend import register_model_configs

    register_model_configs()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        model = open_clip.create_model(architecture, pretrained=None, device="meta")
    finally:
        root.setLevel(level)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def known_signatures(compute_missing: bool = True) -> dict[str, dict]:
    """Signatures of the registry's architectures: the precomputed ones, plus those built with torch if missing."""
    try:
        stored = json.loads(SIGNATURES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    wanted = {spec.architecture for spec in MODELS.values()}
    out = {arch: sig for arch, sig in stored.items() if arch in wanted}
    missing = wanted - set(out)
    if missing and compute_missing and _torch_available():
        for arch in sorted(missing):
            try:
                out[arch] = signature(architecture_shapes(arch))
            except Exception:  # noqa: BLE001 - an architecture open_clip cannot build is simply not recognised
                continue
    return out


def write_signatures() -> Path:
    """Recompute ``model_signatures.json`` for every registry architecture (a maintenance step; needs torch)."""
    sigs = {arch: signature(architecture_shapes(arch)) for arch in sorted({s.architecture for s in MODELS.values()})}
    lines = ",\n".join(f" {json.dumps(arch)}: {json.dumps(sig, sort_keys=True)}" for arch, sig in sigs.items())
    SIGNATURES_FILE.write_text("{\n" + lines + "\n}\n", encoding="utf-8")
    return SIGNATURES_FILE


def _torch_available() -> bool:
    import importlib.util
    import sys

    if "torch" in sys.modules and sys.modules["torch"] is None:
        return False
    return importlib.util.find_spec("torch") is not None and importlib.util.find_spec("open_clip") is not None


# ------------------------------------------------------------------ reading files
def safetensors_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor names and shapes from a ``.safetensors`` header (no torch); checks the file is complete."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise ValueError("the file is shorter than a safetensors header")
            (n,) = struct.unpack("<Q", head)
            if n <= 1 or n > min(MAX_HEADER, size - 8):
                raise ValueError("it has no valid safetensors header")
            header = json.loads(f.read(n).decode("utf-8"))
    except OSError as exc:
        raise ModelFileError(f"The file '{path}' could not be read ({exc.strerror or exc}).",
                             "Check that the file is still there and readable, then try again.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"'{path.name}' is not a model weights file ({_first_line(exc)}).", _hint()) from exc
    if not isinstance(header, dict):
        raise ModelFileError(f"'{path.name}' is not a model weights file (its header is not a tensor table).",
                             _hint())
    shapes, end = {}, 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            shapes[name] = tuple(int(d) for d in entry["shape"])
            end = max(end, int(entry["data_offsets"][1]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelFileError(f"'{path.name}' has a damaged tensor table (entry '{name}').", _hint()) from exc
    if 8 + n + end > size:
        raise ModelFileError(
            f"'{path.name}' is incomplete: it holds {size:,} bytes where its own table needs {8 + n + end:,} "
            "(an interrupted download or copy).",
            "Copy or download the file again, completely, then choose it again.")
    return shapes


def torch_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor names and shapes of a torch checkpoint, loaded with ``weights_only=True`` (never runs its code)."""
    if not _torch_available():
        raise ModelFileError(f"'{path.name}' is a torch checkpoint, which this installation cannot read.",
                             "Convert it to .safetensors on a computer with a full ArtSeek (python main.py models "
                             "add FILE does that), or choose a .safetensors file.")
    from artseek.embedding.weights import load_state_dict

    try:
        state = load_state_dict(path)
    except ModelLoadError as exc:
        raise ModelFileError(exc.message, _hint()) from exc
    return {k: tuple(v.shape) for k, v in state.items() if hasattr(v, "shape")}


# ------------------------------------------------------------------ recognising
def recognise(path: str | os.PathLike[str]) -> Recognised:
    """Which known model ``path`` (a weights file or an ONNX export folder) holds; raises :class:`ModelFileError`."""
    path = Path(path).expanduser()
    if path.is_dir():
        return _recognise_export(path)
    if not path.is_file():
        raise ModelFileError(f"'{path}' does not exist.", "Choose a model file (or export folder) that is there.")
    if path.suffix.lower() == ".onnx":
        raise ModelFileError(f"'{path.name}' is a single ONNX file, not an ArtSeek export.",
                             "Choose the whole export folder (the one holding manifest.json), or the "
                             ".safetensors weights file.")
    kind = "torch" if path.suffix.lower() in TORCH_SUFFIXES else "safetensors"
    shapes = torch_shapes(path) if kind == "torch" else safetensors_shapes(path)
    sig = signature(shapes)
    matches = [arch for arch, known in known_signatures().items() if known.get("digest") == sig["digest"]]
    if not matches:
        raise ModelFileError(f"'{path.name}' holds a model ArtSeek does not know ({_describe(sig)}).", _hint())
    arch = matches[0]
    specs = [s for s in MODELS.values() if s.architecture == arch]
    digest = sha256_file(path)
    tag = None
    for spec in specs:
        expected = KNOWN_SHA256.get(spec.weights_filename)
        if expected == digest:
            specs, tag = [spec], spec.pretrained_tag
            break
        if expected and path.name == spec.weights_filename:
            raise ModelFileError(
                f"'{path.name}' has the name of the {spec.name} weights but not their checksum: the copy is "
                "damaged or altered.", "Copy or download the file again, then choose it again.")
    return Recognised(path, kind, arch, tuple(s.name for s in specs), tag, digest)


def _describe(sig: dict) -> str:
    probes = sig.get("probes") or {}
    if not probes:
        return f"{sig['tensors']} tensors, none of them an OpenCLIP model's"
    key, shape = next(iter(probes.items()))
    return f"{sig['tensors']} tensors; {key} is {'x'.join(str(d) for d in shape)}"


def _recognise_export(folder: Path) -> Recognised:
    from artseek.embedding.onnx_backend import MANIFEST_NAME, read_export

    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        raise ModelFileError(f"The folder '{folder.name}' is not an ONNX export made by ArtSeek (it has no "
                             f"{MANIFEST_NAME}).", _hint())
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        name, arch = manifest["model"], manifest["architecture"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"The export's {MANIFEST_NAME} in '{folder.name}' is damaged ({_first_line(exc)}).",
                             "Export the model again (or copy the export folder again).") from exc
    spec = MODELS.get(name) if isinstance(name, str) else None
    if spec is None or spec.architecture != arch:
        raise ModelFileError(f"The export in '{folder.name}' is of a model ArtSeek does not know ({name!r}).", _hint())
    export, reason = read_export(folder, spec, None)
    if export is None:
        raise ModelFileError(f"The export in '{folder.name}' cannot be used: {reason.split(': ', 1)[-1]}.",
                             "Copy the whole export folder again, or export the model again.")
    return Recognised(folder, "onnx", arch, (spec.name,), None, None)


# ------------------------------------------------------------------ adding
def add_model_file(path: str | os.PathLike[str], models_dir: str | os.PathLike[str] | None = None,
                   model: str | None = None, log: Callable[[str], None] | None = None,
                   prefer: str | None = None) -> tuple[Recognised, Path]:
    """Check ``path``, then copy it atomically into ``models_dir`` (the user model folder) under the name
    ArtSeek looks for. Returns what was recognised and where it now is.

    ``model`` chooses among several known models of the same architecture (needed only then). Without it,
    a file that fits several (the two ViT-B-32 weights: no checksum is published for either) is taken as
    the one whose weights file name it has (what ``models fetch`` wrote), else as ``prefer`` (the model the
    window is setting up) when it fits, else refused with what to do.
    """
    say = log or (lambda _m: None)
    say(f"Checking {Path(path).name}")
    found = recognise(path)
    spec = _choose_spec(found, model, prefer)
    dest_dir = Path(models_dir).expanduser() if models_dir else config.user_models_dir()
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        if found.kind == "onnx":
            from artseek.embedding.onnx_backend import export_folder_name

            target = dest_dir / export_folder_name(spec.weights_filename)
            say(f"Copying the export to {target}")
            _copy_folder(found.path, target)
        else:
            target = dest_dir / spec.weights_filename
            if target.resolve() != found.path.resolve():
                say(f"Copying the weights to {target}")
                _copy_weights(found, target)
    except OSError as exc:
        raise ModelFileError(f"The model could not be copied into '{dest_dir}' ({exc.strerror or exc}).",
                             "Free some disk space or choose another models folder, then try again.") from exc
    return found, target


def _choose_spec(found: Recognised, model: str | None, prefer: str | None = None) -> ModelSpec:
    if model is not None:
        if model not in found.models:
            raise ModelFileError(f"'{found.path.name}' is a {found.architecture} model, not '{model}'.",
                                 f"It fits: {', '.join(found.models)}.")
        return MODELS[model]
    named = [m for m in found.models if MODELS[m].weights_filename == found.path.name]
    if found.model is None and len(named) == 1:
        return MODELS[named[0]]
    if found.model is None and prefer in found.models:
        return MODELS[prefer]
    if found.model is None:
        raise ModelFileError(f"'{found.path.name}' fits several models ({', '.join(found.models)}) and its checksum "
                             "does not say which.", "Say which one it is (models add FILE --model NAME).")
    return MODELS[found.model]


def _copy_weights(found: Recognised, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        if found.kind == "torch":
            from safetensors.torch import save_file

            from artseek.embedding.weights import load_state_dict

            state = {k: v.detach().contiguous() for k, v in load_state_dict(found.path).items()}
            save_file(state, str(partial), metadata={"architecture": found.architecture})
        else:
            shutil.copyfile(found.path, partial)
            if sha256_file(partial) != found.sha256:
                raise ModelFileError(f"The copy of '{found.path.name}' differs from the original (a disk or "
                                     "transfer error).", "Try again; if it happens again, check the disk.")
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()


def _copy_folder(source: Path, target: Path) -> None:
    work = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    try:
        shutil.copytree(source, work)
        replace_folder(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
