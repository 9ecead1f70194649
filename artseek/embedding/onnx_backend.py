"""The CPU encoder: OpenCLIP towers exported to ONNX, run with ONNX Runtime. Never imports torch.

An export is a folder ``<weights-stem>.onnx/`` (written by ``main.py models
export``, see :mod:`artseek.embedding.export`) holding ``manifest.json``, the
image and text towers (``image.onnx``/``text.onnx``, and with ``--int8`` also
``image.int8.onnx``/``text.int8.onnx``) and the BPE vocabulary. Each tower
takes the same inputs as open_clip (a float32 NCHW batch from
:mod:`artseek.embedding.preprocess`; int64 token ids from
:mod:`artseek.embedding.tokenizer`) and returns L2-normalised embeddings.

An export is used only if its manifest matches the source weights: same size
and modification time, or else the same sha256 (hashed only when size or time
differ). A changed weights file therefore means re-export.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artseek import config
from artseek.files import sha256_file
from artseek.embedding.cpu_features import available_cores, threads_from_env
from artseek.embedding.encoder import Encoder
from artseek.embedding.preprocess import PreprocessConfig
from artseek.embedding.registry import ModelSpec
from artseek.embedding.tokenizer import VOCAB_FILENAME, ClipTokenizer
from artseek.errors import ModelLoadError

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
ENV_THREADS = "ARTSEEK_ONNX_THREADS"

# An int8 export becomes the default precision of ``--backend auto`` only if its agreement with
# torch fp32, measured at export time on the evaluation set, passes all of these (docs/backends.md).
INT8_MIN_COSINE = 0.97
INT8_MEAN_COSINE = 0.99
INT8_MIN_TOP10_OVERLAP = 0.80
VARIANT_PREFERENCE = ("int8", "int8-static", "fp32")  # when the default variant is not there (bundle_plan)


def export_folder_name(weights_filename: str | os.PathLike[str]) -> str:
    """``ViT-B-32-laion2b_s34b_b79k.safetensors`` -> ``ViT-B-32-laion2b_s34b_b79k.onnx``."""
    return Path(weights_filename).stem + ".onnx"


def export_candidates(spec: ModelSpec, weights_path: Path | None) -> list[Path]:
    """Where an export of ``spec`` (made from ``weights_path``) is looked for, in order.

    Beside the weights file, then ``resources/models/`` (the packaged app), then
    the user model folder, then the model's extra folders.
    """
    out: list[Path] = []
    if weights_path is not None:
        out.append(weights_path.parent / export_folder_name(weights_path.name))
    name = export_folder_name(weights_path.name if weights_path is not None else spec.weights_filename)
    for d in (config.bundled_models_dir(), config.user_models_dir(), *spec.extra_dirs):
        candidate = d / name
        if candidate not in out:
            out.append(candidate)
    return out


def source_fingerprint(path: Path, sha256: str | None = None) -> dict:
    """What the manifest records about the source weights file."""
    st = path.stat()
    return {"file": path.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256 or sha256_file(path)}


@dataclass
class OnnxExport:
    """A checked export folder and its manifest."""

    folder: Path
    manifest: dict

    @property
    def variants(self) -> dict[str, dict]:
        return self.manifest["variants"]

    @property
    def default_variant(self) -> str:
        """``int8`` if the export was made with ``--int8`` and its measured agreement passes the thresholds."""
        return self.manifest.get("default_variant", "fp32")

    def usable_variant(self) -> str:
        """The default variant, else the first listed of int8, int8-static, fp32 (a pruned, packaged export)."""
        for name in (self.default_variant, *VARIANT_PREFERENCE):
            if name in self.variants:
                return name
        raise ModelLoadError(f"The ONNX export in '{self.folder}' lists no towers ArtSeek can run.",
                             "Reinstall ArtSeek, or re-export the model with 'python main.py models export'.")

    def tower(self, variant: str, which: str) -> Path:
        return self.folder / self.variants[variant][which]


def int8_passes(agreement: dict) -> bool:
    """Whether an int8 variant's measured agreement with torch fp32 passes the documented thresholds."""
    try:
        return (min(agreement["image_cosine_min"], agreement["text_cosine_min"]) >= INT8_MIN_COSINE
                and min(agreement["image_cosine_mean"], agreement["text_cosine_mean"]) >= INT8_MEAN_COSINE
                and agreement["top10_overlap"] >= INT8_MIN_TOP10_OVERLAP)
    except (KeyError, TypeError):
        return False


def read_export(folder: Path, spec: ModelSpec, weights_path: Path | None) -> tuple[OnnxExport | None, str]:
    """Check one export folder against the model and its source weights; returns (export, reason if unusable)."""
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        return None, f"{folder}: no {MANIFEST_NAME}"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        variants = manifest["variants"]
        source = manifest["source_weights"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"{folder}: unreadable manifest ({exc})"
    if manifest.get("format") != MANIFEST_FORMAT:
        return None, f"{folder}: manifest format {manifest.get('format')!r}, expected {MANIFEST_FORMAT} (re-export)"
    if manifest.get("model") != spec.name or manifest.get("architecture") != spec.architecture:
        return None, f"{folder}: exported from model '{manifest.get('model')}', not '{spec.name}'"
    if not variants:  # the packaged app may hold only its default variant (artseek.embedding.bundle_plan)
        return None, f"{folder}: the manifest lists no towers"
    for variant in variants.values():
        for key in ("image", "text"):
            f = folder / variant[key]
            if not f.is_file() or f.stat().st_size != variant["sizes"][key]:
                return None, f"{folder}: '{variant[key]}' is missing or incomplete (re-export)"
    if not (folder / VOCAB_FILENAME).is_file():
        return None, f"{folder}: the tokenizer vocabulary {VOCAB_FILENAME} is missing (re-export)"
    if weights_path is not None:
        try:
            st = weights_path.stat()
        except OSError as exc:
            return None, f"{folder}: the source weights cannot be read ({exc})"
        if st.st_size != source["size"]:
            return None, f"{folder}: the weights file '{weights_path}' changed since the export (re-export)"
        if st.st_mtime_ns != source.get("mtime_ns") and sha256_file(weights_path) != source["sha256"]:
            return None, f"{folder}: the weights file '{weights_path}' changed since the export (re-export)"
    return OnnxExport(folder, manifest), ""


def find_export(spec: ModelSpec, weights_path: Path | None) -> tuple[OnnxExport | None, list[str]]:
    """The first export of ``spec`` that passes its check, and why the others were refused."""
    reasons: list[str] = []
    for folder in export_candidates(spec, weights_path):
        if not folder.is_dir():
            continue
        export, reason = read_export(folder, spec, weights_path)
        if export is not None:
            return export, reasons
        reasons.append(reason)
    return None, reasons


def default_threads(cores: int | None = None) -> int:
    """ONNX Runtime intra-op threads, from the core count (``ARTSEEK_ONNX_THREADS`` overrides).

    Indexing decodes JPEGs on worker threads while the model runs. On two
    cores the runtime takes both (its threads do not spin, so the decoders get
    the cores between and during batches): measured on an idle 2-core machine,
    two runtime threads and two decoders indexed 17-60 % faster end to end than
    one runtime thread (``bench indexing``, docs/backends.md). From four cores up the
    runtime leaves a quarter of the cores (at least one) to the decoders:
    4 -> 3, 8 -> 6, 16 -> 12. Spinning threads lost most (scripts/onnx_threads.py).
    """
    override = threads_from_env(ENV_THREADS)
    if override:
        return override
    cores = cores or available_cores()
    if cores <= 2:
        return cores
    return cores - max(1, cores // 4)


class OnnxEncoder(Encoder):
    """Encodes preprocessed images and texts into L2-normalised embeddings with ONNX Runtime (CPU).

    Implements :class:`artseek.embedding.encoder.Encoder`, like the torch backend.
    The towers are opened on first use, so a text search never loads the image tower.
    """

    backend = "onnx"
    device = "cpu"

    def __init__(self, spec: ModelSpec, export: OnnxExport, int8: bool = False, threads: int | None = None,
                 spinning: bool = False, variant: str | None = None) -> None:
        self.spec = spec
        self.export = export
        self.precision = variant or ("int8" if int8 else "fp32")  # the manifest variant: fp32, int8, int8-static
        if self.precision not in export.variants:
            flag = {"int8-static": " --static-int8", "int8": " --int8"}.get(self.precision, "")
            raise ModelLoadError(
                f"The ONNX export in '{export.folder}' has no {self.precision} towers "
                f"(it holds: {', '.join(export.variants) or 'none'}).",
                f"Use --backend auto, or re-export with 'python main.py models export --model {spec.name}{flag}'.")
        m = export.manifest
        self.preprocess_cfg = PreprocessConfig(int(m["image_size"]), tuple(m["mean"]), tuple(m["std"]))  # type: ignore[arg-type]
        self.embed_dim = int(m["embed_dim"])
        self.context_length = int(m["context_length"])
        self.threads = threads or default_threads()
        self.spinning = spinning
        self.calibration: dict[str, float | str] = {}  # nothing to calibrate: the export fixed the precision
        self.tokenizer = ClipTokenizer(export.folder / VOCAB_FILENAME, self.context_length)
        self._sessions: dict[str, object] = {}
        pseudo = m.get("pseudo_text") or {}  # the Pic2Word text tower; older exports have none
        self._pseudo = pseudo if (export.folder / str(pseudo.get("file", ""))).is_file() and "file" in pseudo else {}
        self.token_width = int(self._pseudo.get("token_width", 0))

    # ----------------------------------------------------------- sessions
    def _session(self, which: str):  # noqa: ANN202 - onnxruntime.InferenceSession
        session = self._sessions.get(which)
        if session is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            # Idle runtime threads must not spin: decode workers need those cores between batches.
            opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if self.spinning else "0")
            path = (self.export.folder / self._pseudo["file"] if which == "pseudo_text"
                    else self.export.tower(self.precision, which))
            try:
                session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
                raise ModelLoadError(f"The ONNX model '{path}' could not be loaded ({str(exc).splitlines()[0][:200]}).",
                                     f"Re-export it with 'python main.py models export --model {self.spec.name}'.") from exc
            self._sessions[which] = session
        return session

    def _run(self, which: str, array: np.ndarray) -> np.ndarray:
        session = self._session(which)
        name = session.get_inputs()[0].name  # type: ignore[attr-defined]
        out = session.run(None, {name: array})[0]  # type: ignore[attr-defined]
        return np.ascontiguousarray(out, dtype=np.float32)

    # ------------------------------------------------------------- encode
    def encode_images(self, batch: np.ndarray) -> np.ndarray:
        """Embed a float32 ``(N, 3, S, S)`` batch from :mod:`preprocess`; returns ``(N, D)``."""
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if len(batch) == 0:
            return np.zeros((0, self.embed_dim), dtype=np.float32)
        return self._run("image", batch)

    def tokenize(self, texts: Sequence[str]) -> np.ndarray:
        """Token ids ``(N, context_length)`` as int64, identical to open_clip's."""
        return self.tokenizer(list(texts))

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns L2-normalised ``(N, D)`` float32."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.embed_dim), dtype=np.float32)
        return np.concatenate([self._run("text", self.tokenize(texts[i:i + 256])) for i in range(0, len(texts), 256)])

    def encode_texts_with_tokens(self, texts: Sequence[str], tokens: np.ndarray) -> np.ndarray:
        """Embed ``texts`` with each ``*`` standing for ``tokens[i]`` (Pic2Word); L2-normalised ``(N, D)``."""
        if not self._pseudo:
            return super().encode_texts_with_tokens(texts, tokens)  # raises: this export has no such tower
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.embed_dim), dtype=np.float32)
        session = self._session("pseudo_text")
        out = session.run(None, {"input_ids": self.tokenize(texts),  # type: ignore[attr-defined]
                                 "pseudo_tokens": np.ascontiguousarray(tokens, dtype=np.float32)})[0]
        return np.ascontiguousarray(out, dtype=np.float32)
