"""``eval retrieval`` (R@1/5/10 both ways, Artpedia protocol), ``eval feedback`` (simulated curator),
``eval composed`` (image+text queries: averaging against Pic2Word), ``eval ann`` (hnswlib recall@10 against exact
search)."""

from __future__ import annotations

import argparse
from pathlib import Path

from artseek.commands.common import emit_json, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ev = sub.add_parser("eval", parents=[common], help="measure retrieval, relevance feedback and ANN recall")
    esub = ev.add_subparsers(dest="eval_command", metavar="WHAT", required=True)

    p = esub.add_parser("retrieval", parents=[common],
                        help="text->image and image->text R@1/5/10 on a captioned dataset (Artpedia JSON or CSV)")
    p.add_argument("--dataset", type=Path, required=True, metavar="FILE",
                   help="Artpedia JSON, or CSV with columns image,text[,type]")
    p.add_argument("--images", type=Path, required=True, metavar="DIR", help="folder with the dataset's images")
    p.add_argument("--split", help="Artpedia split to use (train, val, test; default all)")
    p.add_argument("--aggregate", choices=["max", "mean", "maxmean"], default="max",
                   help="how a long text's parts are scored together (default max)")
    p.set_defaults(handler=cmd_eval_retrieval)

    p = esub.add_parser("feedback", parents=[common],
                        help="simulate a curator refining a query with +/- marks; precision@k per round and method")
    p.add_argument("--images", type=int, default=640, metavar="N", help="generated shape images (default 640)")
    p.add_argument("--k", type=int, default=10, help="results the curator looks at per round (default 10)")
    p.add_argument("--rounds", type=int, default=4, help="feedback rounds (default 4)")
    p.set_defaults(handler=cmd_eval_feedback)

    p = esub.add_parser("composed", parents=[common],
                        help="composed image+text retrieval R@1/5/10 on generated shapes: image only, text only, "
                             "averaging and Pic2Word")
    p.add_argument("--images", type=int, default=1024, metavar="N", help="generated gallery images (default 1024)")
    p.add_argument("--queries", type=int, default=100, metavar="N", help="queries per task (default 100)")
    p.add_argument("--steps", type=int, default=None, help="mapper training steps (default: as 'train mapper')")
    p.add_argument("--prompt", default=None, help='mapper training prompt (default "a photo of *")')
    p.add_argument("--threads", type=int, default=None, help="torch threads while training (default: all cores)")
    p.set_defaults(handler=cmd_eval_composed)

    p = esub.add_parser("ann", parents=[common], help="hnswlib recall@10 against exact search on clustered vectors")
    p.add_argument("--size", type=int, default=20000)
    p.add_argument("--dim", type=int, default=512)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--ef", type=int, default=None, help="hnswlib ef (default: the one ArtSeek searches with)")
    p.set_defaults(handler=cmd_eval_ann)
    # duplicate finder (issue 21): handler in commands/duplicates.py
    from artseek.commands.duplicates import cmd_eval_duplicates

    p = esub.add_parser("duplicates", parents=[common],
                        help="duplicate tiers: precision/recall per transformation (copies, re-encodes, resizes, "
                             "crops, rotation, greyscale, tone) of generated scenes or photographs")
    p.add_argument("--originals", type=Path, metavar="DIR", help="photographs to start from (default: generated)")
    p.add_argument("--count", type=int, default=200, help="originals (default 200); half get transformed copies")
    p.add_argument("--similar-threshold", type=float, default=None, metavar="X", help="default: the finder's")
    p.add_argument("--seed", type=int, default=99, help="generated scenes' seed (default 99; 7 is the held-out "
                                                        "set the thresholds were tuned on)")
    p.set_defaults(handler=cmd_eval_duplicates)


def _table(title: str, rows: list[tuple[str, list]]) -> None:
    print(title)
    for name, values in rows:
        print(f"  {name:<28s}" + "".join(f"{v:>9}" for v in values))


def cmd_eval_retrieval(args: argparse.Namespace) -> int:
    from artseek.evaluation.retrieval import run

    if not args.dataset.is_file():
        raise ArtSeekError(f"'{args.dataset}' is not a file.", "Give the dataset file with --dataset.")
    device = opt(args, "device")
    report = run(args.dataset, args.images, model=opt(args, "model"), weights=opt(args, "weights"),
                 device=None if device == "auto" else device, library=opt(args, "library"), split=args.split,
                 how=args.aggregate)
    if opt(args, "json"):
        emit_json(report.to_dict())
        return 0
    print(f"{report.dataset}: {report.texts_used} texts of {report.images_found} indexed images, model "
          f"{report.model}, parts scored by {report.aggregate}"
          + (f"; {report.texts_without_image} texts name no image and were left out" if report.texts_without_image
             else ""))
    for name, s in report.splits.items():
        _table(f"[{name}] {s.texts} texts, {s.images} images (chance R@1: text->image {s.chance_r1_text_to_image}%, "
               f"image->text {s.chance_r1_image_to_text}%)",
               [("", list(s.text_to_image)), ("text->image (image retrieval)", list(s.text_to_image.values())),
                ("image->text (text retrieval)", list(s.image_to_text.values()))])
    return 0


def cmd_eval_feedback(args: argparse.Namespace) -> int:
    from artseek.evaluation.feedback import run_shapes

    if args.images < 32 or args.k < 1 or args.rounds < 1:
        raise ArtSeekError("--images must be at least 32, --k and --rounds at least 1.")
    device = opt(args, "device")
    report = run_shapes(model=opt(args, "model") or "tiny-test", images=args.images, k=args.k,
                        rounds=args.rounds, weights=opt(args, "weights"),
                        device=None if device == "auto" else device)
    if opt(args, "json"):
        emit_json(report.to_dict())
        return 0
    print(f"{report.tasks} tasks (seed 'a <shape>', target '<colour> <shape>') on {report.images} generated images, "
          f"model {report.model}, {report.k} results marked per round")
    header = ("", [f"round {r}" for r in range(report.rounds + 1)])
    _table(f"precision@{report.k} of the ranking shown", [header] + [(m, c.precision) for m, c in
                                                                    report.methods.items()])
    _table(f"precision@{report.k} among unmarked images", [header] + [(m, c.new_precision) for m, c in
                                                                     report.methods.items()])
    print(f"best: {report.best}")
    if report.ann:
        a = report.ann
        print(f"ANN recall@{a['k']} at ef={a['ef']} ({a['queries']} queries): hnswlib {a['hnsw']}, "
              f"with exact re-ranking {a['pipeline']}")
    return 0


def cmd_eval_composed(args: argparse.Namespace) -> int:
    import sys

    from artseek.evaluation.composed import KS, run

    if args.images < 64 or args.queries < 1:
        raise ArtSeekError("--images must be at least 64 and --queries at least 1.")
    device = opt(args, "device")
    report = run(model=opt(args, "model") or "tiny-test", weights=opt(args, "weights"),
                 device=None if device == "auto" else device, gallery=args.images, per_task=args.queries,
                 steps=args.steps, prompt=args.prompt, threads=args.threads,
                 log=lambda m: print(m, file=sys.stderr, flush=True))
    if opt(args, "json"):
        emit_json(report.to_dict())
        return 0
    t = report.training
    print(f"{report.queries_per_task} queries per task on {report.gallery} generated images, model {report.model}; "
          f"mapper: {t['steps']} steps in {t['seconds']} s ({t['threads']} threads), prompt '{t['prompt']}'")
    for task, methods in [*report.scores.items(), ("mean", report.mean)]:
        _table(f"[{task}]", [("", [f"R@{k}" for k in KS])] + [(m, list(r.values())) for m, r in methods.items()])
    return 0


def cmd_eval_ann(args: argparse.Namespace) -> int:
    from artseek.evaluation.ann import synthetic_recall
    from artseek.vectors.hnsw_index import DEFAULT_EF

    if args.size < 20 or args.dim < 2 or args.queries < 1:
        raise ArtSeekError("--size must be at least 20, --dim at least 2, --queries at least 1.")
    r = synthetic_recall(args.size, args.dim, args.queries, ef=args.ef or DEFAULT_EF)
    if opt(args, "json"):
        emit_json(r.to_dict())
    else:
        print(f"{r.size} vectors of {r.dim} dims, {r.queries} queries: recall@{r.k} at ef={r.ef}: hnswlib {r.hnsw}, "
              f"ArtSeek ranking (ANN candidates re-ranked exactly) {r.pipeline}")
    return 0
