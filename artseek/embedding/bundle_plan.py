"""What the packaged app bundles of an ONNX export: the towers it runs, and a manifest naming only those.

An export folder (:mod:`artseek.embedding.export`) holds every variant it was
made with: fp32, int8 (dynamic) and int8-static towers, plus the Pic2Word
pseudo-text tower; for ViT-B-32 that is 1.1 GB, most of which the packaged app
never opens. ``--backend auto`` runs the manifest's ``default_variant`` only
(its image tower and the text tower that variant names: int8-static names the
fp32 text tower), and Pic2Word runs only for a library that has a trained
mapper, which needs torch to train (so never made by the packaged app; "auto"
composes by averaging, :data:`artseek.composed.AUTO_USES_MAPPER`).

:func:`plan_export` picks those files and rewrites the manifest to list only the
variants whose towers are all bundled (and no ``pseudo_text`` unless its tower
is bundled), so the frozen loader never looks for a missing file.
When the build bundles OpenVINO (``openvino=True``), the static int8 variant
whose agreement under OpenVINO passed at export is bundled too, with the
reference embeddings the loader checks it against on each machine
(:func:`artseek.embedding.openvino_backend.auto_encoder`); the default variant
stays as the fallback for CPUs where that check fails.
``pyinstaller.spec`` calls :func:`bundle_datas`. Environment overrides at build
time: ``ARTSEEK_BUNDLE_ALL_VARIANTS=1`` bundles every file as exported;
``ARTSEEK_BUNDLE_PIC2WORD=1`` adds the pseudo-text tower.

No Qt, no torch: the spec imports this module with the build's Python.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from artseek.embedding.onnx_backend import MANIFEST_NAME
from artseek.embedding.openvino_backend import STATIC, openvino_ready
from artseek.embedding.tokenizer import VOCAB_FILENAME
from artseek.errors import ModelLoadError

ENV_ALL = "ARTSEEK_BUNDLE_ALL_VARIANTS"
ENV_PIC2WORD = "ARTSEEK_BUNDLE_PIC2WORD"
BUNDLE_DEST = "resources/models"  # where config.bundled_models_dir() looks in the packaged app


@dataclass(frozen=True)
class BundlePlan:
    """One export folder's bundle: the files copied as they are, and the manifest written in its place."""

    folder: Path
    files: tuple[str, ...]  # names inside ``folder``, the manifest excluded
    manifest: dict  # the rewritten manifest (the original one when everything is bundled)
    left_out: tuple[str, ...]  # files of the export that are not bundled

    @property
    def size(self) -> int:
        """Bytes of the bundled files (the manifest not counted)."""
        return sum((self.folder / name).stat().st_size for name in self.files)


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        if not isinstance(manifest["variants"], dict):
            raise TypeError("'variants' is not a table")
        return manifest
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"The ONNX export '{folder}' has no readable {MANIFEST_NAME} ({exc}).",
                             "Re-export it with 'python main.py models export' before packaging.") from exc


def plan_export(folder: Path, everything: bool = False, pic2word: bool = False,
                openvino: bool = False) -> BundlePlan:
    """The files of ``folder`` the packaged app runs, and the manifest that lists only them.

    ``everything``: every file of the export, manifest unchanged. ``pic2word``:
    keep the pseudo-text tower too. ``openvino``: the build bundles OpenVINO, so
    keep the static int8 variant and the reference embeddings where the export
    measured that variant under OpenVINO and it passed. Raises
    :class:`ModelLoadError` when the manifest is unreadable, its default variant
    is not listed, or a file it names is missing.
    """
    folder = Path(folder)
    manifest = _read_manifest(folder)
    variants: dict[str, dict] = manifest["variants"]
    default = manifest.get("default_variant", "fp32")
    if default not in variants:
        raise ModelLoadError(f"The ONNX export '{folder}' names '{default}' as its default towers but lists none "
                             "by that name.", "Re-export it with 'python main.py models export' before packaging.")
    vocab = str((manifest.get("tokenizer") or {}).get("vocab") or VOCAB_FILENAME)
    pseudo = manifest.get("pseudo_text") or {}
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST_NAME)
    if everything:
        wanted = set(present)
    else:
        wanted = {vocab, variants[default]["image"], variants[default]["text"]}
        if openvino and openvino_ready(manifest):
            wanted |= {variants[STATIC]["image"], variants[STATIC]["text"], str(manifest["reference"]["file"])}
        if pic2word and pseudo.get("file"):
            wanted.add(str(pseudo["file"]))
    missing = sorted(name for name in wanted if not (folder / name).is_file())
    if missing:
        raise ModelLoadError(f"The ONNX export '{folder}' lacks {', '.join(missing)}.",
                             "Re-export it with 'python main.py models export' before packaging.")
    if everything:
        return BundlePlan(folder, tuple(present), manifest, ())
    rewritten = dict(manifest)
    rewritten["variants"] = {name: v for name, v in variants.items() if {v["image"], v["text"]} <= wanted}
    if "pseudo_text" in rewritten and str(pseudo.get("file")) not in wanted:
        del rewritten["pseudo_text"]
    left_out = tuple(name for name in present if name not in wanted)
    rewritten["bundle"] = {"variants_left_out": sorted(set(variants) - set(rewritten["variants"])),
                           "files_left_out": list(left_out)}
    return BundlePlan(folder, tuple(sorted(wanted)), rewritten, left_out)


def plan_from_env(folder: Path, env: Mapping[str, str] | None = None, openvino: bool = False) -> BundlePlan:
    """:func:`plan_export` with the overrides read from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    return plan_export(folder, everything=_flag(env, ENV_ALL), pic2word=_flag(env, ENV_PIC2WORD), openvino=openvino)


def write_manifest(plan: BundlePlan, staging: Path) -> Path:
    """Write the plan's manifest to ``staging/<export name>/manifest.json`` (the build folder); returns its path."""
    out = Path(staging) / plan.folder.name / MANIFEST_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def bundle_datas(exports: list[Path], staging: Path, env: Mapping[str, str] | None = None,
                 out=print, openvino: bool = False) -> list[tuple[str, str]]:  # noqa: ANN001 - a print-like callable
    """PyInstaller ``datas`` entries (source file, folder in the bundle) for ``exports``; prints what is left out."""
    datas: list[tuple[str, str]] = []
    for folder in exports:
        plan = plan_from_env(folder, env, openvino=openvino)
        if openvino and STATIC not in plan.manifest["variants"]:
            out(f"note: {plan.folder.name} has no static int8 towers measured under OpenVINO, so the app will run it "
                "on ONNX Runtime (export it with --int8 --static-int8 where OpenVINO is installed)")
        dest = f"{BUNDLE_DEST}/{plan.folder.name}"
        datas += [(str(plan.folder / name), dest) for name in plan.files]
        datas.append((str(write_manifest(plan, staging)), dest))
        left = f"; left out: {', '.join(plan.left_out)} (set {ENV_ALL}=1 to bundle them)" if plan.left_out else ""
        out(f"bundling {plan.folder.name}: {', '.join(plan.files)} ({plan.size / 1e6:.0f} MB){left}")
    return datas
