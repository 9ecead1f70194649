"""Text<->image retrieval R@1/5/10, as in the Artpedia study.

- text -> image: every text ranks the gallery images; a hit at K when its own
  image is in the top K.
- image -> text: every image ranks all texts; a hit at K when *any* of its
  texts is in the top K (an image may have several texts).

The gallery is the images that have at least one text (of the type being
evaluated). Texts are split into parts as the library does
(:mod:`artseek.captions.splitting`) and scored by the best part (``max``), their
mean, or a mix (``maxmean``). Results are reported for all texts and per text
type (e.g. visual / contextual) when the dataset gives types.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from artseek.captions import importers
from artseek.captions.corpus import ImageResolver
from artseek.captions.splitting import split_text, tokenizer_counter
from artseek.embedding.encoder import Encoder
from artseek.errors import ArtSeekError

KS = (1, 5, 10)
CHUNK = 512  # gallery images scored at a time (bounds memory)


@dataclass
class RetrievalScores:
    texts: int
    images: int
    text_to_image: dict[str, float]
    image_to_text: dict[str, float]
    chance_r1_text_to_image: float
    chance_r1_image_to_text: float


@dataclass
class RetrievalReport:
    dataset: str
    model: str
    aggregate: str
    images_found: int
    texts_used: int
    texts_without_image: int
    splits: dict[str, RetrievalScores] = field(default_factory=dict)  # "all", "visual", "contextual" ...

    def to_dict(self) -> dict:
        return asdict(self)


def load_dataset(path: Path | str, split: str | None = None) -> list[importers.TextRecord]:
    """Artpedia JSON (optionally one split), other JSON, or CSV, through the library's importers."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return importers.read_json(path)  # raises the readable error
        if importers.is_artpedia(data):
            return importers.read_artpedia_data(data, path, split)
        return importers.read_json(path)
    return importers.read_file(path)


def _embed_parts(encoder: Encoder, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of all parts and the index of each text's first part."""
    count = tokenizer_counter(encoder.tokenizer)
    parts, starts = [], []
    for t in texts:
        starts.append(len(parts))
        parts.extend(split_text(t, count=count) or [t])
    vectors = np.vstack([encoder.encode_texts(parts[i:i + 256]) for i in range(0, len(parts), 256)])
    return vectors.astype(np.float32), np.asarray(starts, dtype=np.int64)


def _text_scores(part_vectors: np.ndarray, starts: np.ndarray, images: np.ndarray, how: str) -> np.ndarray:
    """``(texts, images)`` scores: each text's parts aggregated per image."""
    s = part_vectors @ images.T
    best = np.maximum.reduceat(s, starts, axis=0)
    if how == "max":
        return best
    counts = np.diff(np.append(starts, len(s)))[:, None]
    mean = np.add.reduceat(s, starts, axis=0) / counts
    return mean if how == "mean" else 0.7 * best + 0.3 * mean


def recall_at_k(text_image: np.ndarray, owner: np.ndarray, ks: tuple[int, ...] = KS) -> tuple[dict, dict]:
    """R@K both ways from a ``(texts, images)`` score matrix and each text's image column."""
    n_texts, n_images = text_image.shape
    own = text_image[np.arange(n_texts), owner]
    t2i_rank = (text_image > own[:, None]).sum(axis=1)  # images scoring above the right one
    best_own = np.full(n_images, -np.inf)
    np.maximum.at(best_own, owner, own)
    i2t_rank = (text_image > best_own[None, :]).sum(axis=0)  # texts above the image's best own text
    t2i = {f"R@{k}": round(float(np.mean(t2i_rank < k)) * 100, 2) for k in ks}
    i2t = {f"R@{k}": round(float(np.mean(i2t_rank < k)) * 100, 2) for k in ks}
    return t2i, i2t


def evaluate(records: list[importers.TextRecord], image_vectors: dict[int, np.ndarray], resolver: ImageResolver,
             encoder: Encoder, how: str = "max") -> tuple[dict[str, RetrievalScores], int, int]:
    """Scores for all texts and per type; returns ``(splits, texts_used, texts_without_image)``."""
    used: list[tuple[importers.TextRecord, int]] = []
    missing = 0
    for r in records:
        image_id, _ = resolver.resolve(r.refs)
        if image_id is None or image_id not in image_vectors:
            missing += 1
        else:
            used.append((r, image_id))
    if not used:
        return {}, 0, missing
    part_vectors, starts = _embed_parts(encoder, [r.text for r, _ in used])
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (r, _) in enumerate(used):
        groups["all"].append(i)
        if r.kind:
            groups[r.kind].append(i)
    if len(groups) == 2:  # one type only: "all" says it
        groups = {"all": groups["all"]}
    splits = {}
    for name, members in groups.items():
        gallery = sorted({used[i][1] for i in members})
        column = {image_id: c for c, image_id in enumerate(gallery)}
        images = np.stack([image_vectors[i] for i in gallery]).astype(np.float32)
        member_starts = starts[members]
        ends = np.append(starts[1:], len(part_vectors))[members]
        idx = np.concatenate([np.arange(s, e) for s, e in zip(member_starts, ends, strict=True)])
        local_starts = np.r_[0, np.cumsum(ends - member_starts)[:-1]]
        parts = part_vectors[idx]
        scores = np.hstack([_text_scores(parts, local_starts, images[c:c + CHUNK], how)
                            for c in range(0, len(images), CHUNK)])
        owner = np.array([column[used[i][1]] for i in members])
        t2i, i2t = recall_at_k(scores, owner)
        own_counts = np.bincount(owner, minlength=len(gallery))
        splits[name] = RetrievalScores(len(members), len(gallery), t2i, i2t, round(100 / len(gallery), 2),
                                       round(100 * float(np.mean(own_counts)) / len(members), 2))
    return splits, len(used), missing


def run(dataset: Path | str, images: Path | str, model: str | None = None, weights: str | None = None,
        device: str | None = None, library: Path | str | None = None, split: str | None = None,
        how: str = "max") -> RetrievalReport:
    """Index ``images`` (into ``library``, else a temporary one) and evaluate ``dataset`` against it."""
    from artseek.library import Library

    dataset, images = Path(dataset), Path(images)
    if not images.is_dir():
        raise ArtSeekError(f"'{images}' is not a folder.",
                           "Pass the folder holding the dataset's images with --images.")
    if how not in ("max", "mean", "maxmean"):
        raise ArtSeekError(f"Unknown aggregation '{how}'.", "Use max, mean or maxmean.")
    records = load_dataset(dataset, split)
    tmp = None if library else tempfile.mkdtemp(prefix="artseek-eval-")
    try:
        with Library(library or Path(tmp) / "library", model=model, weights=weights, device=device) as lib:
            lib.index([images])
            resolver = ImageResolver(lib.db)
            ids = sorted(resolver.ids & lib.vectors.ids)
            vectors = dict(zip(ids, lib.vectors.get_vectors(ids), strict=True)) if ids else {}
            splits, used, missing = evaluate(records, vectors, resolver, lib.encoder, how)
            if not used:
                raise ArtSeekError(f"None of the {len(records)} texts of '{dataset.name}' names an image "
                                   f"of '{images}'.",
                                   "Check that the image column / Artpedia ids match the file names.")
            return RetrievalReport(dataset.name, lib.model_name, how, len(ids), used, missing, splits)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
