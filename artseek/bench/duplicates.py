"""Speed of the duplicate finder on a synthetic library: 100k images grouped, then new images checked.

Synthetic vectors (clustered, 512-d like ViT-B-32), perceptual hashes and 256 px
thumbnails, with planted near-duplicates (a vector plus a little noise, a hash
with a few bits flipped, the thumbnail re-encoded a little brighter) and
identical copies, stored in a real library database and vector index. So the
near tier's pixel check (:mod:`artseek.duplicates.pixels`) runs on every pair
the hashes bring together, as in a real library. The index build and the
thumbnails are made apart: a library already has them.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from artseek.duplicates import DuplicateFinder
from artseek.storage import Database, ImageStatus
from artseek.vectors import VectorIndex


@dataclass
class DuplicateBench:
    images: int
    dim: int
    planted_near: int
    planted_copies: int
    index_build_s: float
    full_s: float  # first run: every image checked against the library, then grouped
    full_cpu_s: float  # its CPU time, all threads (on a busy shared machine: what it costs, not how it waited)
    groups: dict
    added: int
    incremental_s: float  # ``added`` new images checked, then everything grouped again
    incremental_cpu_s: float
    regroup_s: float  # nothing new: grouping only
    regroup_cpu_s: float
    pairs: int

    def to_dict(self) -> dict:
        return asdict(self)


def _data(n: int, dim: int, rng: np.random.Generator,
          start: int) -> tuple[np.ndarray, np.ndarray, list[str], list[tuple[int, bool]]]:
    """Vectors, hashes, content hashes and each image's picture: (the picture it shows, altered or not)."""
    centres = rng.normal(size=(max(1, n // 50), dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), n)] + 0.8 * rng.normal(size=(n, dim)).astype(np.float32)
    hashes = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, n, dtype=np.int64)
    contents = [f"c{start + i:012d}" for i in range(n)]
    near = max(1, n // 20)  # 5 % near-duplicates of another image
    src, dst = rng.integers(0, n, near), rng.integers(0, n, near)
    vectors[dst] = vectors[src] + 0.05 * rng.normal(size=(near, dim)).astype(np.float32)
    flips = np.zeros(near, dtype=np.uint64)
    for _ in range(3):
        flips |= np.uint64(1) << rng.integers(0, 64, near).astype(np.uint64)
    hashes[dst] = (hashes[src].view(np.uint64) ^ flips).view(np.int64)
    source = [(i, False) for i in range(n)]
    for i, j in zip(src.tolist(), dst.tolist()):
        source[j] = (source[i][0], True)  # a near copy: its source's picture, altered
    copies = max(1, n // 100)  # 1 % identical copies
    a, b = rng.integers(0, n, copies), rng.integers(0, n, copies)
    vectors[b], hashes[b] = vectors[a], hashes[a]
    for i, j in zip(a.tolist(), b.tolist()):
        contents[j] = contents[i]
        source[j] = source[i]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, hashes, contents, source


def _thumbnail(source: tuple[int, bool], seed: int) -> bytes:
    """A 256 x 160 JPEG of smooth random colours, one per picture; an altered copy is a little brighter and
    re-encoded at a lower quality (a near-identical copy)."""
    from PIL import Image, ImageEnhance

    from artseek.ingest.decode import jpeg_bytes

    picture, altered = source
    cells = np.random.default_rng([seed, picture]).integers(0, 256, (5, 8, 3), dtype=np.uint8)
    image = Image.fromarray(cells).resize((256, 160), Image.Resampling.BICUBIC)
    if altered:
        image = ImageEnhance.Brightness(image).enhance(1.08)
    return jpeg_bytes(image, quality=70 if altered else 85)


def _store(db: Database, start: int, hashes: np.ndarray, contents: list[str], vectors: np.ndarray,
           sources: list[tuple[int, bool]], seed: int) -> None:
    with db.session() as s:
        conn = s.connection()
        ids = range(start, start + len(hashes))
        conn.exec_driver_sql(
            "INSERT INTO images (id, path, size, mtime_ns, content_hash, status, phash, phash_crop, width, height, "
            "format) VALUES (?, ?, 0, 0, ?, ?, ?, ?, 1, 1, 'JPEG')",
            [(i, f"/synthetic/{i}.jpg", c, ImageStatus.INDEXED, int(h), int(h))
             for i, c, h in zip(ids, contents, hashes.tolist())])
        conn.exec_driver_sql("INSERT INTO embeddings (image_id, vector, seq) VALUES (?, ?, ?)",
                             [(i, v.tobytes(), i) for i, v in zip(ids, vectors)])
        conn.exec_driver_sql("INSERT INTO thumbnails (image_id, jpeg) VALUES (?, ?)",
                             [(i, _thumbnail(src, seed)) for i, src in zip(ids, sources)])


def run(images: int = 100_000, dim: int = 512, added: int = 1000, seed: int = 0,
        workdir: Path | None = None) -> DuplicateBench:
    rng = np.random.default_rng(seed)
    vectors, hashes, contents, sources = _data(images + added, dim, rng, 1)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        db = Database(Path(tmp))
        _store(db, 1, hashes[:images], contents[:images], vectors[:images], sources[:images], seed)
        index = VectorIndex(Path(tmp), dim)
        t = time.perf_counter()
        index.add(np.arange(1, images + 1), vectors[:images])
        build = time.perf_counter() - t
        finder = DuplicateFinder(db, lambda: index, lambda: False, lambda: None)
        t, c = time.perf_counter(), time.process_time()
        report = finder.find()
        full, full_cpu = time.perf_counter() - t, time.process_time() - c
        _store(db, images + 1, hashes[images:], contents[images:], vectors[images:], sources[images:], seed)
        index.add(np.arange(images + 1, images + added + 1), vectors[images:])
        t, c = time.perf_counter(), time.process_time()
        again = finder.find()
        incremental, incremental_cpu = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        finder.find()
        regroup, regroup_cpu = time.perf_counter() - t, time.process_time() - c
        with db.session() as s:
            pairs = s.connection().exec_driver_sql("SELECT COUNT(*) FROM duplicate_pairs").scalar()
        db.close()
    assert again.checked == added
    return DuplicateBench(images, dim, images // 20, images // 100, round(build, 2), round(full, 2),
                          round(full_cpu, 2), report.counts(), added, round(incremental, 2),
                          round(incremental_cpu, 2), round(regroup, 2), round(regroup_cpu, 2), int(pairs))


@dataclass
class BackfillBench:
    images: int
    model: str
    index_s: float  # indexing the folder (decode, embed, store)
    backfill_s: float  # a re-scan giving every image its perceptual hashes (reduced decode, no model)
    rescan_s: float  # a re-scan with nothing to do (the baseline a re-scan always costs)
    hashed: int

    def to_dict(self) -> dict:
        return asdict(self)


def backfill(folder: Path, model: str = "tiny-test", weights: str | None = None,
             workdir: Path | None = None) -> BackfillBench:
    """What a library indexed before the perceptual hashes pays on its next re-scan, against indexing."""
    from sqlalchemy import update

    from artseek.library import Library
    from artseek.storage import Image

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        with Library(Path(tmp) / "library", model=model, weights=weights) as lib:
            lib.encoder  # noqa: B018 - load the model first: its load is not indexing
            t = time.perf_counter()
            report = lib.index([folder])
            index_s = time.perf_counter() - t
            t = time.perf_counter()
            lib.rescan()
            rescan_s = time.perf_counter() - t
            with lib.db.session() as s:
                s.execute(update(Image).values(phash=None, phash_crop=None))
            t = time.perf_counter()
            again = lib.rescan()
            backfill_s = time.perf_counter() - t
    return BackfillBench(report.indexed, model, round(index_s, 2), round(backfill_s, 2), round(rescan_s, 2),
                         again.hashed)
