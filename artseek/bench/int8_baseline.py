"""Issue 15's baseline, "today's int8 path": the int8 image tower as exports made it when the issue was filed.

Exports now fuse the image tower's attention (``export_model(fuse_attention=True)``) and leave convolutions in
fp32 (``export.dynamic_int8_ops``: ONNX Runtime's ConvInteger is slow). To measure those changes against the
int8 path as it was, in the same run, ``bench indexing --backends onnx-int8-conv,...`` needs the old tower beside
the new one. The loader finds an export by its weights file, so the baseline gets its own name: a hard link of the
benchmark's weights (``<stem>-int8conv.safetensors``, no extra disk) exported without fused attention, whose int8
image tower is then quantised as before (convolutions too). Benchmark-only: nothing outside ``.bench/`` sees it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from artseek.embedding.export import export_model, quantise_dynamic
from artseek.embedding.onnx_backend import MANIFEST_NAME, export_folder_name

SUFFIX = "-int8conv"
DESCRIPTION = "dynamic int8 with ConvInteger, attention unfused (the export before issue 15's changes; benchmark only)"


def _current(folder: Path) -> bool:
    """The baseline in ``folder`` was made by this code (unfused attention recorded, the old int8 tower)."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return manifest["image_attention"]["fused_layers"] == 0 and \
            manifest["variants"]["int8"]["quantisation"] == DESCRIPTION
    except (OSError, ValueError, KeyError, TypeError):
        return False


def conv_baseline(model: str, weights: Path, out=print) -> Path:  # noqa: ANN001
    """The baseline's weights path, its export made once beside ``weights``."""
    link = weights.with_name(weights.stem + SUFFIX + weights.suffix)
    folder = link.parent / export_folder_name(link.name)
    if link.is_file() and _current(folder):
        return link
    out("exporting the baseline (attention unfused, int8 convolutions, as exports did before issue 15)...")
    if not link.exists():
        try:
            os.link(weights, link)
        except OSError:
            shutil.copy2(weights, link)
    export_model(model, weights=link, int8=True, out_dir=link.parent, fuse_attention=False)
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    int8 = manifest["variants"]["int8"]
    tmp = folder / (int8["image"] + ".tmp")
    quantise_dynamic(folder / manifest["variants"]["fp32"]["image"], tmp, None)  # Conv too
    tmp.replace(folder / int8["image"])
    int8.update(sizes=dict(int8["sizes"], image=(folder / int8["image"]).stat().st_size), quantisation=DESCRIPTION)
    int8.pop("sha256", None)
    manifest.update(variants={"fp32": manifest["variants"]["fp32"], "int8": int8}, default_variant="int8")
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return link
