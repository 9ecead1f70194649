"""The three stages a Ray Data pipeline runs on the workers, as plain callables over numpy batches.

1. :func:`decode_batch` (CPU tasks): read and decode each file with the desktop's
   own :func:`artseek.ingest.decode.decode_for_index` (reduced-size JPEG decode,
   EXIF orientation, model input, thumbnail, content hash) and record the same
   failure reasons the desktop records.
2. :class:`EmbedActor` (an actor pool, one model per actor, on a GPU or CPU):
   embeds the decoded batch through the :class:`artseek.embedding.encoder.Encoder`
   interface.
3. :func:`write_batch` (CPU tasks): writes a shard (:mod:`artseek.cluster.shards`).

Nothing here imports Ray, so the stages are tested and reused without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from artseek.embedding.preprocess import PreprocessConfig
from artseek.ingest.decode import DEFAULT_MAX_PIXELS, DecodeError, decode_for_index
from artseek.ingest.indexer import unexpected_decode_error

Batch = dict[str, np.ndarray]


def decode_batch(batch: Batch, image_size: int, mean: tuple[float, float, float], std: tuple[float, float, float],
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> Batch:
    """Decode the files of ``batch`` (columns image_id, path, size, mtime_ns); adds the decoded columns.

    A file that cannot be decoded gets its reason in ``error`` (empty when it
    decoded) and a zero model input, so one bad file never fails the batch.
    """
    cfg = PreprocessConfig(int(image_size), tuple(mean), tuple(std))  # type: ignore[arg-type]
    n = len(batch["path"])
    out = {k: batch[k] for k in ("image_id", "path", "size", "mtime_ns")}
    errors, hashes, formats, thumbs = [], [], [], []
    widths = np.zeros(n, dtype=np.int32)
    heights = np.zeros(n, dtype=np.int32)
    inputs = np.zeros((n, 3, cfg.image_size, cfg.image_size), dtype=np.float32)
    for i, path in enumerate(batch["path"]):
        try:
            d = decode_for_index(str(path), cfg, max_pixels)
        except DecodeError as exc:
            errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
            errors.append(unexpected_decode_error(exc))
        else:
            errors.append("")
            hashes.append(d.content_hash)
            formats.append(d.format)
            thumbs.append(d.thumbnail_jpeg)
            widths[i], heights[i] = d.width, d.height
            inputs[i] = d.model_input
            continue
        hashes.append("")
        formats.append("")
        thumbs.append(b"")
    out.update(error=np.array(errors, dtype=object), content_hash=np.array(hashes, dtype=object),
               format=np.array(formats, dtype=object), thumbnail=np.array(thumbs, dtype=object),
               width=widths, height=heights, model_input=inputs)
    return out


class EmbedActor:
    """One model per actor; ``__call__`` embeds a decoded batch (failed rows get a zero vector).

    ``threads``: CPU threads for the model when it runs on a CPU (the actor's
    share of the node), so several CPU actors do not oversubscribe the cores.
    """

    def __init__(self, model: str, weights: str | None, device: str | None, backend: str, threads: int = 0,
                 loader=None) -> None:  # noqa: ANN001 - the loader is injectable for tests
        if threads:
            os.environ.setdefault("ARTSEEK_ONNX_THREADS", str(threads))
        if loader is None:
            from artseek.embedding.loader import load_encoder as loader
        self.encoder = loader(model, weights, device, backend)
        if threads and self.encoder.backend == "torch" and self.encoder.threads:
            self.encoder.use_threads(threads)
        self.calibrated = False

    def __call__(self, batch: Batch) -> Batch:
        ok = np.array([not e for e in batch["error"]], dtype=bool)
        vectors = np.zeros((len(ok), self.encoder.embed_dim), dtype=np.float32)
        if ok.any():
            inputs = np.ascontiguousarray(batch["model_input"][ok], dtype=np.float32)
            if self.calibrated:
                vectors[ok] = self.encoder.encode_images(inputs)
            else:  # the desktop's first batch: torch on a CPU decides bf16 there, once
                vectors[ok] = self.encoder.calibrate(inputs)
                self.calibrated = True
        out = {k: v for k, v in batch.items() if k != "model_input"}
        out["vector"] = vectors
        return out


def write_batch(batch: Batch, folder: str) -> Batch:
    """Write ``batch`` as one shard in ``folder``; returns one row: the shard's name, rows and failures."""
    from artseek.cluster.shards import write_shard

    name, rows = write_shard(Path(folder), batch)
    failed = sum(1 for e in batch["error"] if e)
    return {"shard": np.array([name], dtype=object), "rows": np.array([rows]), "failed": np.array([failed])}
