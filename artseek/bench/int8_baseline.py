"""Issue 15's baseline, "today's int8 path": dynamic int8 with the convolutions quantised too.

Exports now leave convolutions in fp32 (``export.dynamic_int8_ops``: ONNX Runtime's ConvInteger is slow).
To measure that change and the static int8 tower against the int8 path as it was, in the same run,
``bench indexing --backends onnx-int8-conv,...`` needs the old tower beside the new one. The loader finds an
export by its weights file, so the baseline gets its own name: a hard link of the benchmark's weights
(``<stem>-int8conv.safetensors``, no extra disk) whose export folder shares every file with the real one
except the int8 image tower, quantised as before. Benchmark-only: nothing outside ``.bench/`` sees it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from artseek.embedding.export import quantise_dynamic
from artseek.embedding.onnx_backend import MANIFEST_NAME, export_folder_name, source_fingerprint

SUFFIX = "-int8conv"


def conv_baseline(weights: Path, out=print) -> Path:  # noqa: ANN001
    """The baseline's weights path (made once beside ``weights``, whose export must have its int8 variant)."""
    link = weights.with_name(weights.stem + SUFFIX + weights.suffix)
    folder = link.parent / export_folder_name(link.name)
    if (folder / MANIFEST_NAME).is_file() and link.is_file():
        return link
    source = weights.parent / export_folder_name(weights.name)
    manifest = json.loads((source / MANIFEST_NAME).read_text(encoding="utf-8"))
    int8 = manifest["variants"]["int8"]
    out("quantising the baseline int8 image tower (convolutions too, as exports did before)...")
    if not link.exists():
        try:
            os.link(weights, link)
        except OSError:
            shutil.copy2(weights, link)
    work = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for f in source.iterdir():
        if f.is_file() and f.name not in (MANIFEST_NAME, int8["image"]):
            os.link(f, work / f.name)
    quantise_dynamic(source / manifest["variants"]["fp32"]["image"], work / int8["image"], None)  # Conv too
    int8 = dict(int8, sizes=dict(int8["sizes"], image=(work / int8["image"]).stat().st_size),
                quantisation="dynamic int8 with ConvInteger (the export before issue 15's change; benchmark only)")
    int8.pop("sha256", None)
    manifest.update(source_weights=source_fingerprint(link, manifest["source_weights"].get("sha256")),
                    variants={"fp32": manifest["variants"]["fp32"], "int8": int8}, default_variant="int8")
    manifest.pop("pseudo_text", None)
    (work / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    return link

