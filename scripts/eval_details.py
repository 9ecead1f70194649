"""Measure reproductions and detail indexing (issue 21) on generated data with the tiny test model.

    .venv/bin/python scripts/eval_details.py reproductions --pairs 30 --distractors 10
    .venv/bin/python scripts/eval_details.py tiles --scenes 100
    .venv/bin/python scripts/eval_details.py scale --images 10000 100000
    .venv/bin/python scripts/eval_details.py words --images 10000 100000
    .venv/bin/python scripts/eval_details.py inliers --pairs 12 --others 8

``reproductions``: photographs pasted into pages (artseek.evaluation.pages); recall@1/@10 in both directions
for whole-image embeddings, tiles alone, and local features with RANSAC verification (every image, and the
top 10 candidates of images+tiles); seconds per query. ``tiles``: a shapes motif covering 5-15 % of a
textured scene; recall@10 of the scene for the motif as the query, with and without tiles, and what tiles
cost at indexing (images/s, disk, RAM). ``scale``: candidate search time in hnswlib indexes of random
vectors the size of 10k/100k images (whole) and their 13 tiles each (the verification cost per query does
not grow with the library: a fixed number of candidates is verified). ``words``: the inverted index of
visual words at 10k/100k images on synthetic words: stored bytes per image, memory, query time.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WEIGHTS = ROOT / "tests" / "fixtures" / "tiny_model" / "artseek-tiny.safetensors"


def _open(folder: Path):  # noqa: ANN202
    from artseek.library import Library

    return Library(folder, model="tiny-test", weights=str(WEIGHTS))


def _recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r < k) / max(1, len(ranks))


def _rank(ids: list[int], target: int) -> int | None:
    return ids.index(target) if target in ids else None


def reproductions(args: argparse.Namespace) -> None:
    from PIL import Image

    from artseek.evaluation.pages import write_pairs
    from artseek.search.ranking import normalise, rank_by_vector
    from artseek.tiles import crops

    work = Path(tempfile.mkdtemp(prefix="eval-repro-"))
    truth = write_pairs(work / "set", args.pairs, seed=args.seed, distractors=args.distractors)
    from artseek.evaluation.pages import make_photo

    rng = random.Random(args.seed + 7)
    for i in range(args.distractors):  # photographs printed nowhere: distractors for Find the Source
        make_photo(rng, (rng.randint(600, 900), rng.randint(450, 700))).save(
            work / "set" / "photos" / f"extra_{i:04d}.jpg", quality=92)
    pages_lib, photos_lib = _open(work / "pages_lib"), _open(work / "photos_lib")
    pages_lib.set_detail_indexing(True)
    words_s = {}
    for lib, folder in ((pages_lib, "pages"), (photos_lib, "photos")):
        lib.index([work / "set" / folder])
        lib.set_reproduction_indexing(True)  # visual words, made after indexing (timed apart)
        t = time.perf_counter()
        lib.update_visual_words()
        words_s[folder] = (time.perf_counter() - t, lib.visual_words.stats())
    from artseek.reproductions.visual_words import extract_query
    rows = {}
    for direction, lib, query_key, target_key in (("photo → page (Find Reproductions)", pages_lib, "photo", "page"),
                                                  ("page → photo (Find the Source)", photos_lib, "page", "photo")):
        source = query_key == "page"
        ranks: dict[str, list] = {"whole-image embedding": [], "tiles alone": [], "visual words alone": [],
                                  "verified, every image": [], "verified, top-10 images+tiles": [],
                                  "verified, top-10 visual words": []}
        times: dict[str, list] = {"visual words alone": [], "verified, every image": [],
                                  "verified, top-10 images+tiles": [], "verified, top-10 visual words": []}
        for pair in truth["pairs"]:
            target = lib.image_id_for_path(pair[target_key])
            pil = Image.open(pair[query_key]).convert("RGB")
            vec = normalise(lib.embed_image(pil))
            ranks["whole-image embedding"].append(_rank([i for i, _ in rank_by_vector(lib.vectors, vec, 10)], target))
            if source:  # the query's tiles against whole photographs, best of
                best: dict[int, float] = {}
                for _, _, crop in crops(pil):
                    for i, s in rank_by_vector(lib.vectors, normalise(lib.embed_image(crop)), 10):
                        best[i] = max(best.get(i, -2), s)
                tile_ids = [i for i, _ in sorted(best.items(), key=lambda kv: -kv[1])]
            else:
                tile_ids = [h.image_id for h in lib.tiles.search(vec, 10)]
            ranks["tiles alone"].append(_rank(tile_ids, target))
            features = extract_query(pil)
            t = time.perf_counter()
            shortlist = lib.visual_words.search(features, 10)
            times["visual words alone"].append(time.perf_counter() - t)
            ranks["visual words alone"].append(_rank([i for i, _ in shortlist], target))
            for name, pool, count in (("verified, every image", "all" if not args.skip_all else None, 10**6),
                                      ("verified, top-10 images+tiles", "both", 10),
                                      ("verified, top-10 visual words", "words", 10)):
                if pool is None:
                    continue
                t = time.perf_counter()
                found = lib.reproductions.find(pil, source, 10, pool, candidates=count)
                times[name].append(time.perf_counter() - t)
                ranks[name].append(_rank([r.image_id for r in found], target))
        rows[direction] = (ranks, times)
        print(direction, {k: [r for r in v] for k, v in ranks.items()}, flush=True)
    print(f"{args.pairs} pairs (modes colour/grey/halftone in turn, 10-40 % of the page, ±6°, JPEG 55-85), "
          f"{args.distractors} distractor pages and as many distractor photographs; tiny-test model")
    for direction, (ranks, times) in rows.items():
        print(f"\n{direction}")
        for name, r in ranks.items():
            if not r:
                continue
            t = f"  {np.mean(times[name]):.2f} s/query" if name in times else ""
            print(f"  {name:32s} recall@1 {_recall(r, 1):.2f}  recall@10 {_recall(r, 10):.2f}{t}")
        for row in ("verified, every image", "verified, top-10 visual words"):
            for mode in ("colour", "grey", "halftone"):
                idx = [i for i, p in enumerate(truth["pairs"]) if p["mode"] == mode]
                r = [ranks[row][i] for i in idx if i < len(ranks[row])]
                if r:
                    print(f"    {row}, {mode:8s} recall@1 {_recall(r, 1):.2f} ({len(idx)} pairs)")
    for folder, (seconds, stats) in words_s.items():
        print(f"visual words of the {folder} library: {seconds / max(1, stats['images']):.2f} s per image "
              f"(decode + SIFT + quantise; the first run also trains the vocabulary), {stats['words']} words, "
              f"{stats['bytes_per_image']:.0f} bytes per image stored")
    from artseek.reproductions import extract

    sizes = [extract(Image.open(p["page"]).convert("RGB")).nbytes for p in truth["pairs"][:10]]
    print(f"\nSIFT features if they were stored: {np.mean(sizes) / 1024:.0f} KB per page (not stored: computed "
          "for candidates on demand)")
    pages_lib.close()
    photos_lib.close()


def _scene(rng: random.Random, motif, coverage: float):  # noqa: ANN001, ANN202
    from artseek.evaluation.pages import make_photo

    scene = make_photo(rng, (640, 480))
    side = int((coverage * 640 * 480) ** 0.5)
    m = motif.resize((side, side))
    scene.paste(m, (rng.randint(0, 640 - side), rng.randint(0, 480 - side)))
    return scene


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def tiles(args: argparse.Namespace) -> None:
    from PIL import Image

    from tests.fixtures.shapes import generate_folder

    work = Path(tempfile.mkdtemp(prefix="eval-tiles-"))
    motifs = generate_folder(work / "motifs", args.scenes, seed=args.seed + 1, size=256)
    scenes = work / "scenes"
    scenes.mkdir()
    rng = random.Random(args.seed)
    for i, (path, _) in enumerate(motifs):
        _scene(rng, Image.open(path).convert("RGB"), rng.uniform(0.05, 0.15)).save(scenes / f"scene_{i:04d}.jpg",
                                                                                 quality=90)
    lib = _open(work / "lib")
    t = time.perf_counter()
    lib.index([scenes])
    whole_s = time.perf_counter() - t
    disk_before, rss_before = _du(work / "lib"), _rss_mb()
    ranks_without = []
    for i, (path, _) in enumerate(motifs):
        target = lib.image_id_for_path(scenes / f"scene_{i:04d}.jpg")
        ranks_without.append(_rank([r.image_id for r in lib.search_image(path, 10)], target))
    lib.set_detail_indexing(True)
    t = time.perf_counter()
    lib.update_tiles()
    tiles_s = time.perf_counter() - t
    lib.close()
    lib = _open(work / "lib")
    disk_after = _du(work / "lib")
    ranks_with = []
    for i, (path, _) in enumerate(motifs):
        target = lib.image_id_for_path(scenes / f"scene_{i:04d}.jpg")
        ranks_with.append(_rank([r.image_id for r in lib.search_image(path, 10)], target))
    rss_after = _rss_mb()
    n = args.scenes
    print(f"{n} scenes 640×480 with a shapes motif over 5-15 % of the area; query = the motif; tiny-test model")
    print(f"  recall@10 without tiles {_recall(ranks_without, 10):.2f}  with tiles {_recall(ranks_with, 10):.2f}")
    print(f"  recall@1  without tiles {_recall(ranks_without, 1):.2f}  with tiles {_recall(ranks_with, 1):.2f}")
    print(f"  indexing: whole images {n / whole_s:.1f} images/s; tiles (13 per image, a second decode) "
          f"{n / tiles_s:.1f} images/s (ratio {whole_s / tiles_s:.2f}: with tiles on indexing takes "
          f"{(whole_s + tiles_s) / whole_s:.1f}× as long)")
    print(f"  disk: {disk_before / n / 1024:.1f} KB/image without tiles, {disk_after / n / 1024:.1f} KB/image with "
          f"(ratio {disk_after / disk_before:.2f})")
    print(f"  RAM (process RSS after search): {rss_before:.0f} MB without tile index, {rss_after:.0f} MB with")
    lib.close()


def scale(args: argparse.Namespace) -> None:
    from artseek.vectors import VectorIndex

    dim = args.dim
    rng = np.random.default_rng(0)
    for n in args.images:
        for label, count in (("whole images", n), ("tiles (13 per image)", n * 13)):
            if count > args.max_vectors:
                print(f"  {n} images, {label}: {count} vectors skipped (over --max-vectors {args.max_vectors})")
                continue
            index = VectorIndex(Path(tempfile.mkdtemp()), dim)
            t = time.perf_counter()
            for start in range(0, count, 20000):
                v = rng.standard_normal((min(20000, count - start), dim)).astype(np.float32)
                index.add(np.arange(start, start + len(v)), v / np.linalg.norm(v, axis=1, keepdims=True))
            build = time.perf_counter() - t
            q = rng.standard_normal((50, dim)).astype(np.float32)
            t = time.perf_counter()
            for x in q:
                index.search(x / np.linalg.norm(x), 400)
            per = (time.perf_counter() - t) / len(q)
            print(f"  {n} images, {label}: {count} vectors, built in {build:.0f} s, candidate search "
                  f"{per * 1000:.1f} ms/query (k=400)")


def words(args: argparse.Namespace) -> None:
    """The inverted index of visual words at 10k/100k images, on synthetic words (indexing 100k real images'
    SIFT is out of reach here): build, memory, query time, and the bytes per image a stored row takes."""
    import sqlite3

    from artseek.reproductions.inverted import InvertedIndex

    rng = np.random.default_rng(0)
    vocab, per = args.vocabulary, args.words_per_image
    popularity = rng.lognormal(0, 1.0, vocab)
    cdf = np.cumsum(popularity / popularity.sum())

    def image_words() -> np.ndarray:
        return np.unique(np.minimum(np.searchsorted(cdf, rng.random(per)), vocab - 1)).astype(np.uint16)

    db = Path(tempfile.mkdtemp()) / "words.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE visual_words (image_id INTEGER PRIMARY KEY, codebook_id INTEGER, source_seq BIGINT, "
                "keypoints INTEGER, words BLOB)")
    sample = 2000
    con.executemany("INSERT INTO visual_words VALUES (?, 1, ?, 3000, ?)",
                    [(i, i, image_words().tobytes()) for i in range(sample)])
    con.commit()
    con.execute("VACUUM")
    con.close()
    per_image = db.stat().st_size / sample
    print(f"synthetic: {per} words drawn per image from {vocab} (log-normal popularity); stored row "
          f"{per_image:.0f} bytes per image (SQLite, {sample} rows, after VACUUM)")
    for n in args.images:
        index = InvertedIndex(vocab)
        made = [image_words() for _ in range(n)]
        docs = made[:50]
        t = time.perf_counter()
        for i, w in enumerate(made):
            index.add(i, w, bulk=True)
        fill = time.perf_counter() - t
        del made
        t = time.perf_counter()
        index.compact()
        compact = time.perf_counter() - t
        ram = index._postings.nbytes + sum(w.nbytes for w in index._words)  # noqa: SLF001 - measuring
        hits, times = 0, []
        for target in range(50):  # a query holding a third of one image's words among others
            q = np.concatenate([docs[target][: len(docs[target]) // 3], image_words()[: per * 2 // 3]])
            t = time.perf_counter()
            found = index.query(q, 10)
            times.append(time.perf_counter() - t)
            hits += bool(found) and found[0][0] == target
        print(f"  {n} images: filled in {fill:.1f} s + compacted in {compact:.1f} s; postings and words in memory "
              f"{ram / 2**20:.0f} MB ({ram / n:.0f} bytes per image); query {np.median(times) * 1000:.0f} ms "
              f"median, {np.percentile(times, 95) * 1000:.0f} ms p95 (right image first in {hits}/50)")


def inliers(args: argparse.Namespace) -> None:
    """How many verified matches true pairs (by print mode) and unrelated pairs get: the MIN_INLIERS margin."""
    from artseek.evaluation.pages import make_page, make_photo
    from artseek.reproductions.features import extract
    from artseek.reproductions.matching import verify

    rng = random.Random(args.seed)
    modes = ("colour", "grey", "halftone")
    pairs = []
    for i in range(args.pairs):
        photo = make_photo(rng, (rng.randint(600, 900), rng.randint(450, 700)))
        page, _ = make_page(photo, rng, mode=modes[i % 3])
        pairs.append((extract(photo), extract(page), modes[i % 3]))
    others = [extract(make_page(make_photo(rng), rng)[0]) for _ in range(args.others)]
    true = [(m, verify(a, b, 4)) for a, b, m in pairs]
    false = [verify(a, o, 4) for a, _, _ in pairs for o in others]
    print("true pairs' verified matches:", [(m, v.inliers if v else 0) for m, v in true])
    print(f"unrelated pairs: the most verified matches {max([v.inliers for v in false if v] or [0])} "
          f"({len(false)} pairs)")
    for th in (8, 10, 12, 15):
        found = {m: sum(1 for mm, v in true if mm == m and v and v.inliers >= th) for m in modes}
        print(f"  at least {th:2d}: found {found} of {args.pairs // 3} each; unrelated verified "
              f"{sum(1 for v in false if v and v.inliers >= th)} of {len(false)}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    r = sub.add_parser("reproductions")
    r.add_argument("--pairs", type=int, default=30)
    r.add_argument("--distractors", type=int, default=10)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--skip-all", action="store_true", help="skip the verification of every image (slow)")
    t = sub.add_parser("tiles")
    t.add_argument("--scenes", type=int, default=100)
    t.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("scale")
    s.add_argument("--images", type=int, nargs="+", default=[10000, 100000])
    s.add_argument("--dim", type=int, default=512)
    s.add_argument("--max-vectors", type=int, default=1_400_000)
    w = sub.add_parser("words")
    w.add_argument("--images", type=int, nargs="+", default=[10000, 100000])
    w.add_argument("--vocabulary", type=int, default=65536)
    w.add_argument("--words-per-image", type=int, default=2800)
    i = sub.add_parser("inliers")
    i.add_argument("--pairs", type=int, default=12)
    i.add_argument("--others", type=int, default=8)
    i.add_argument("--seed", type=int, default=23)
    args = p.parse_args()
    os.environ.setdefault("ARTSEEK_DATA_DIR", tempfile.mkdtemp())
    {"reproductions": reproductions, "tiles": tiles, "scale": scale, "words": words,
     "inliers": inliers}[args.what](args)


if __name__ == "__main__":
    main()
