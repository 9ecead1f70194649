"""int8 vs fp32 on an evaluation set: cosine and top-10 retrieval overlap (issue 9, item 4; docs/backends.md).

1. tiny-test (trained) on 200 generated shape images, 32 "a {colour} {shape}"
   queries: cosines, top-10 overlap text->image and image->image, and
   precision@5 of both precisions against the ground truth.
2. ViT-B-32 with random weights (the benchmark's, in .bench/) on generated
   photos and the export's evaluation texts: cosines and top-10 overlap.

    .venv/bin/python scripts/int8_eval.py [--photos 64]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from artseek.embedding.agreement import evaluation_texts, top_k_overlap  # noqa: E402
from artseek.embedding.export import export_model  # noqa: E402
from artseek.embedding.loader import load_encoder  # noqa: E402


def _report(name: str, f_i, q_i, f_t, q_t) -> None:  # noqa: ANN001
    ci, ct = np.sum(f_i * q_i, axis=1), np.sum(f_t * q_t, axis=1)
    print(f"{name}: image cosine min {ci.min():.4f} mean {ci.mean():.4f}; text cosine min {ct.min():.4f} "
          f"mean {ct.mean():.4f}; top-10 overlap text->image {top_k_overlap(f_t, f_i, q_t, q_i):.3f}, "
          f"image->image {top_k_overlap(f_i, f_i, q_i, q_i):.3f} ({len(f_i)} images, {len(f_t)} texts)")


def tiny() -> None:
    from PIL import Image

    from artseek.embedding.preprocess import to_model_input
    from tests.conftest import TINY_WEIGHTS
    from tests.fixtures.shapes import COLOURS, SHAPES, generate_folder

    work = Path(tempfile.mkdtemp())
    try:
        weights = work / TINY_WEIGHTS.name
        shutil.copy2(TINY_WEIGHTS, weights)
        export_model("tiny-test", weights=weights, int8=True, out_dir=work)
        fp32 = load_encoder("tiny-test", weights=weights, backend="onnx")
        int8 = load_encoder("tiny-test", weights=weights, backend="onnx", int8=True)
        shapes = generate_folder(work / "shapes", 200)
        batch = np.stack([to_model_input(Image.open(p), fp32.preprocess_cfg) for p, _ in shapes])
        queries = [(c, s) for c in COLOURS for s in SHAPES]
        texts = [f"a {c} {s}" for c, s in queries]
        f_i, q_i = fp32.encode_images(batch), int8.encode_images(batch)
        f_t, q_t = fp32.encode_texts(texts), int8.encode_texts(texts)
        _report("tiny-test int8 vs fp32", f_i, q_i, f_t, q_t)
        for name, t, i in (("fp32", f_t, f_i), ("int8", q_t, q_i)):
            top5 = np.argsort(-(t @ i.T), axis=1)[:, :5]
            p5 = np.mean([[shapes[j][1].colour == c and shapes[j][1].shape == s for j in row]
                          for row, (c, s) in zip(top5, queries, strict=True)])
            print(f"tiny-test {name}: precision@5 for 'a {{colour}} {{shape}}' = {p5:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def vit(count: int) -> None:
    from artseek.bench.indexing import BENCH_DIR, prepare_images, random_weights
    from artseek.embedding.onnx_backend import find_export
    from artseek.embedding.registry import get_spec
    from artseek.ingest.decode import decode_for_index

    weights = random_weights("ViT-B-32")
    export, _ = find_export(get_spec("ViT-B-32"), weights)
    if export is None or "int8" not in export.variants:
        export_model("ViT-B-32", weights=weights, int8=True, out_dir=BENCH_DIR)
    fp32 = load_encoder("ViT-B-32", weights=weights, backend="onnx")
    int8 = load_encoder("ViT-B-32", weights=weights, backend="onnx", int8=True)
    paths = prepare_images(None, None, count)
    batch = np.stack([decode_for_index(str(p), fp32.preprocess_cfg).model_input for p in paths])
    texts = evaluation_texts()
    f_i = np.concatenate([fp32.encode_images(batch[i:i + 32]) for i in range(0, len(batch), 32)])
    q_i = np.concatenate([int8.encode_images(batch[i:i + 32]) for i in range(0, len(batch), 32)])
    _report("ViT-B-32 random int8 vs fp32", f_i, q_i, fp32.encode_texts(texts), int8.encode_texts(texts))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=64)
    args = ap.parse_args()
    tiny()
    vit(args.photos)
