"""Precision and recall of the duplicate finder's tiers on transformations made from originals.

From each of some originals (generated scenes, or real photographs from a
folder) it writes an exact copy, JPEG re-encodes at qualities 90, 70 and 50,
resizes to 50 % and 25 %, 90 % and 75 % centre crops, a 90° rotation, a
greyscale copy and a brightness/contrast change; the other originals are
unrelated distractors. It indexes them all, runs the finder and scores every
tier *cumulatively* (identical, then identical + near-identical, then all):

* recall of a transformation: the share of (original, transformed copy) pairs
  put in one group (of that tier or a stronger one);
* precision: the share of the pairs put together that come from one original
  (per transformation: the pairs holding a copy made that way).
"""

from __future__ import annotations

import hashlib
import random
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from artseek.duplicates import IDENTICAL, NEAR, SIMILAR, Thresholds
from artseek.duplicates.unionfind import UnionFind
from artseek.errors import ArtSeekError
from artseek.ingest.phash import hamming, phash

TRANSFORMS = ("copy", "jpeg90", "jpeg70", "jpeg50", "resize50", "resize25", "crop90", "crop75", "rotate90",
              "greyscale", "tone")
TARGET = ("jpeg90", "jpeg70", "jpeg50", "resize50", "resize25", "crop90", "greyscale")  # near tier: P>=.98 R>=.95
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def _crop(image: Image.Image, keep: float) -> Image.Image:
    w, h = image.size
    dx, dy = int(w * (1 - keep) / 2), int(h * (1 - keep) / 2)
    return image.crop((dx, dy, w - dx, h - dy))


def make_variant(image: Image.Image, name: str) -> tuple[Image.Image, dict]:
    """The transformed image and how to save it."""
    w, h = image.size
    jpeg = {"format": "JPEG", "quality": 92}
    if name.startswith("jpeg"):
        return image, {"format": "JPEG", "quality": int(name[4:])}
    if name.startswith("resize"):
        f = int(name[6:]) / 100
        return image.resize((max(8, int(w * f)), max(8, int(h * f))), Image.Resampling.LANCZOS), jpeg
    if name.startswith("crop"):
        return _crop(image, int(name[4:]) / 100), jpeg
    if name == "rotate90":
        return image.transpose(Image.Transpose.ROTATE_90), jpeg
    if name == "greyscale":
        return ImageOps.grayscale(image), jpeg
    if name == "tone":
        return ImageEnhance.Contrast(ImageEnhance.Brightness(image).enhance(1.15)).enhance(1.2), jpeg
    raise ValueError(name)


@dataclass
class TierScore:
    precision: float | None
    recall: float | None
    pairs: int = 0  # pairs put together that hold a copy of this kind (precision's denominator)


@dataclass
class DuplicateEvalReport:
    originals: int
    distractors: int
    files: int
    source: str
    model: str
    thresholds: dict
    per_transform: dict[str, dict[str, TierScore]] = field(default_factory=dict)
    overall: dict[str, TierScore] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    find_s: float = 0.0

    def target_met(self) -> bool:
        near = [self.per_transform[t][NEAR] for t in TARGET]
        return all((s.precision is None or s.precision >= 0.98) and (s.recall or 0) >= 0.95 for s in near)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["target_met"] = self.target_met()
        return d


def read_originals(folder: Path, limit: int, max_side: int = 1024) -> list[Image.Image]:
    """Distinct pictures of ``folder`` (recursively): byte-identical files and the same picture at several
    sizes (within 10 perceptual-hash bits, as wallpaper packages ship them) are kept once."""
    seen_bytes: set[str] = set()
    hashes: list[int] = []
    out: list[Image.Image] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file()):
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if digest in seen_bytes:
            continue
        seen_bytes.add(digest)
        try:
            with Image.open(path) as im:
                im.draft("RGB", (max_side, max_side))
                image = ImageOps.exif_transpose(im).convert("RGB")
        except Exception:  # noqa: BLE001 - not a usable picture: skipped
            continue
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        h = phash(image)
        if hashes and int(hamming(np.array(hashes), h).min()) <= 10:
            continue
        hashes.append(h)
        out.append(image)
        if len(out) >= limit:
            break
    return out


def generated_originals(count: int, size: int = 256, seed: int = 99) -> list[Image.Image]:
    try:
        from tests.fixtures.shapes import random_spec, render
    except ImportError as exc:  # the packaged app ships no test fixtures
        raise ArtSeekError("The generated evaluation data needs the source tree (tests/fixtures).",
                           "Run it from a source checkout, or give --originals DIR.") from exc
    rng = random.Random(seed)
    return [render(random_spec(rng), size=size, seed=rng.randrange(1 << 30)) for _ in range(count)]


def write_collection(folder: Path, originals: list[Image.Image], transformed: int,
                     transforms: tuple[str, ...] = TRANSFORMS) -> dict[str, tuple[int, str]]:
    """Write the originals (JPEG 95) and the variants of the first ``transformed``; file name -> (source,
    transformation or "original")."""
    folder.mkdir(parents=True, exist_ok=True)
    truth: dict[str, tuple[int, str]] = {}
    for i, image in enumerate(originals):
        name = f"o{i:04d}.jpg"
        image.save(folder / name, "JPEG", quality=95)
        truth[name] = (i, "original")
        if i >= transformed:
            continue
        for t in transforms:
            vname = f"o{i:04d}_{t}.jpg"
            if t == "copy":
                (folder / vname).write_bytes((folder / name).read_bytes())
            else:
                variant, how = make_variant(image, t)
                variant.save(folder / vname, how["format"], quality=how["quality"])
            truth[vname] = (i, t)
    return truth


def score(groups_by_tier: dict[str, list[list[str]]], truth: dict[str, tuple[int, str]],
          transforms: tuple[str, ...] = TRANSFORMS) -> tuple[dict, dict]:
    """Cumulative pairwise precision and recall per tier and transformation (file names in groups)."""
    names = sorted(truth)
    pos = {n: i for i, n in enumerate(names)}
    uf = UnionFind(len(names))
    per: dict[str, dict[str, TierScore]] = {t: {} for t in transforms}
    overall: dict[str, TierScore] = {}
    for tier in (IDENTICAL, NEAR, SIMILAR):
        for members in groups_by_tier.get(tier, []):
            for other in members[1:]:
                uf.union(pos[members[0]], pos[other])
        clusters = uf.components()
        together: dict[str, list[bool]] = {t: [] for t in transforms}
        all_pairs: list[bool] = []
        for members in clusters.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    a, b = truth[names[members[x]]], truth[names[members[y]]]
                    same = a[0] == b[0]
                    all_pairs.append(same)
                    for kind in {a[1], b[1]} - {"original"}:
                        together[kind].append(same)
        for t in transforms:
            variants = [n for n, (_, k) in truth.items() if k == t]
            found = sum(uf.find(pos[n]) == uf.find(pos[f"o{truth[n][0]:04d}.jpg"]) for n in variants)
            pairs = together[t]
            per[t][tier] = TierScore(round(sum(pairs) / len(pairs), 4) if pairs else None,
                                     round(found / len(variants), 4) if variants else None, len(pairs))
        overall[tier] = TierScore(round(sum(all_pairs) / len(all_pairs), 4) if all_pairs else None, None,
                                  len(all_pairs))
    return per, overall


def run(originals_dir: Path | None = None, count: int = 100, transformed: int | None = None,
        model: str = "tiny-test", weights: str | None = None, device: str | None = None,
        thresholds: Thresholds | None = None, workdir: Path | None = None, seed: int = 99) -> DuplicateEvalReport:
    """Make the collection, index it with ``model``, find duplicates and score them."""
    from artseek.library import Library

    if originals_dir is not None:
        originals = read_originals(originals_dir, count)
        if len(originals) < 2:
            raise ArtSeekError(f"'{originals_dir}' holds fewer than 2 distinct pictures.",
                               "Give a folder of photographs with --originals.")
        source = f"photographs from {originals_dir}"
    else:
        originals = generated_originals(count, seed=seed)
        source = f"generated scenes (tests/fixtures/shapes.py, 256 px, seed {seed})"
    transformed = len(originals) // 2 if transformed is None else min(transformed, len(originals))
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        folder = Path(tmp) / "collection"
        truth = write_collection(folder, originals, transformed)
        with Library(Path(tmp) / "library", model=model, weights=weights, device=device) as lib:
            lib.index([folder])
            report = lib.duplicates.find(thresholds)
        groups: dict[str, list[list[str]]] = {}
        for g in report.groups:
            groups.setdefault(g.tier, []).append([Path(m.path).name for m in g.members])
    per, overall = score(groups, truth)
    return DuplicateEvalReport(len(originals), len(originals) - transformed, len(truth), source, model,
                               asdict(report.thresholds), per, overall, report.counts(), round(report.elapsed_s, 2))
