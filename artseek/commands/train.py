"""``train mapper``: train (or retrain) the library's Pic2Word mapper for composed image+text queries.

``python main.py train mapper [--steps N] [--batch B] [--prompt "a photo of *"]`` trains on the
library's own stored image embeddings (no captions; the text tower stays frozen), prints progress with
a time estimate, and saves the mapper in the library folder. See :mod:`artseek.composed.training`.
"""

from __future__ import annotations

import argparse
import sys
import time

from artseek.commands.common import emit_json, open_library, opt
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    tr = sub.add_parser("train", parents=[common], help="train the library's composed-query mapper (Pic2Word)")
    tsub = tr.add_subparsers(dest="train_command", metavar="WHAT", required=True)
    p = tsub.add_parser("mapper", parents=[common],
                        help="train the Pic2Word mapper on the library's images, for composed image+text queries")
    p.add_argument("--steps", type=int, default=None,
                   help="training steps (default: about 30 passes over the library, 300 to 3000)")
    p.add_argument("--batch", type=int, default=256, help="images per step (default 256)")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate (default 0.001)")
    p.add_argument("--prompt", default=None, help='training prompt with a "*" for the image (default "a photo of *")')
    p.set_defaults(handler=cmd_train_mapper)


class _Printer:
    """Progress on stderr, at most every two seconds (and the last line)."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, p) -> None:  # noqa: ANN001 - TrainingProgress
        now = time.monotonic()
        if p.phase == "training" and now - self.last < 2.0 and p.step != p.steps:
            return
        self.last = now
        eta = f", about {p.eta_s:.0f} s left" if p.eta_s is not None and p.phase == "training" else ""
        print(f"{p.phase}: step {p.step}/{p.steps}, loss {p.loss}{eta}", file=sys.stderr, flush=True)


def cmd_train_mapper(args: argparse.Namespace) -> int:
    from artseek.composed.training import TrainingOptions

    if (args.steps is not None and args.steps < 1) or args.batch < 2 or args.lr <= 0:
        raise ArtSeekError("--steps must be at least 1, --batch at least 2 and --lr positive.")
    options = TrainingOptions(steps=args.steps, batch=args.batch, lr=args.lr)
    if args.prompt:
        options.prompt = args.prompt
    with open_library(args) as lib:
        info = lib.train_mapper(options, listener=None if opt(args, "json") else _Printer())
    assert info is not None
    if opt(args, "json"):
        emit_json(info.to_dict())
    else:
        s = info.stats
        print(f"Trained the composed-query mapper for {info.model} on {s['images']} images: {s['steps']} steps in "
              f"{s['seconds']} s ({s['seconds_per_step']} s a step, {s['threads']} threads), final loss "
              f"{s['final_loss']}. Use it with 'search --image FILE TEXT --composed pic2word'.")
    return 0
