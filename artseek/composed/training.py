"""Training the Pic2Word mapper on a library's own image embeddings (the text tower stays frozen).

The loss is the paper's: for a batch of image embeddings ``v``, the mapper
gives pseudo-words ``s = f(v)``; the frozen text tower encodes the prompt
(:data:`DEFAULT_PROMPT`, ``*`` replaced by ``s``), and a symmetric contrastive
loss at the model's own temperature pulls each prompt embedding towards its
image and away from the batch's other images. No captions, no labels.

Only the mapper (a small MLP) learns; gradients flow through the frozen text
tower, cut to the prompt's length (exact with CLIP's causal mask, see
:mod:`artseek.embedding.pseudo_token`). Needs torch; an ONNX-only install
cannot train (it can use a trained mapper).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from artseek.composed.mapper import LAYERS, MapperError, MapperInfo, save_mapper
from artseek.embedding.encoder import Encoder
from artseek.ingest.progress import JobControl

DEFAULT_PROMPT = "a photo of *"
MIN_IMAGES = 16


@dataclass
class TrainingOptions:
    steps: int | None = None  # default: :func:`default_steps` for the library's size
    batch: int = 256
    lr: float = 1e-3
    hidden: int | None = None  # default: max(256, embed_dim)
    dropout: float = 0.1
    prompt: str = DEFAULT_PROMPT
    seed: int = 0
    threads: int | None = None  # torch CPU threads while training (default: the encoder's)


@dataclass
class TrainingProgress:
    """A snapshot sent to the listener after every few steps."""

    step: int = 0
    steps: int = 0
    loss: float = float("nan")
    elapsed_s: float = 0.0
    eta_s: float | None = None
    phase: str = "loading"  # loading | training | saving | done | cancelled

    def to_dict(self) -> dict:
        return asdict(self)


TrainingListener = Callable[[TrainingProgress], None]


def default_steps(images: int, batch: int) -> int:
    """About 30 passes over the library, at least 300 and at most 3000 steps."""
    return int(min(3000, max(300, 30 * math.ceil(images / max(1, batch)))))


def torch_encoder(encoder: Encoder, weights: object = None) -> Encoder:
    """``encoder`` if it runs on torch, else the same model loaded on torch (training needs gradients)."""
    from artseek.embedding.torch_backend import TorchEncoder

    if isinstance(encoder, TorchEncoder):
        return encoder
    try:
        from artseek.embedding.loader import load_encoder

        return load_encoder(encoder.spec.name, weights, "cpu", "torch")  # type: ignore[arg-type]
    except ImportError as exc:
        raise MapperError("Training the composed-query mapper needs torch, which this installation lacks.",
                          "Train it with the full (torch) installation; this one can then use it.") from exc


def train_mapper(embeddings: np.ndarray, encoder: Encoder, folder: Path, model_name: str,
                 options: TrainingOptions | None = None, listener: TrainingListener | None = None,
                 control: JobControl | None = None) -> MapperInfo | None:
    """Train a mapper on ``embeddings`` (the library's, ``(N, D)``) and save it into ``folder``.

    ``encoder`` must be a torch encoder (see :func:`torch_encoder`). Returns the
    saved mapper's description, or None when ``control`` cancelled it (nothing
    is written then; a previous mapper stays).
    """

    from artseek.embedding.torch_backend import TorchEncoder

    opts = options or TrainingOptions()
    say = listener or (lambda _p: None)
    control = control or JobControl()
    if not isinstance(encoder, TorchEncoder):
        raise MapperError("The mapper is trained on the torch backend.", "Pass a torch encoder (torch_encoder()).")
    n = len(embeddings)
    if n < MIN_IMAGES:
        raise MapperError(f"The library has {n} indexed images; the mapper needs at least {MIN_IMAGES}.",
                          "Index more images first.")
    if "*" not in opts.prompt:
        raise MapperError(f"The training prompt '{opts.prompt}' has no '*'.", "Write the prompt with a '*'.")
    threads_before = encoder.threads  # the encoder keeps its count on every thread it encodes on
    if opts.threads and encoder.device == "cpu":
        encoder.use_threads(opts.threads)
    try:
        return _train(embeddings, encoder, folder, model_name, opts, say, control)
    finally:
        encoder.use_threads(threads_before)


def _train(embeddings: np.ndarray, encoder, folder: Path, model_name: str, opts: TrainingOptions,  # noqa: ANN001
           say: TrainingListener, control: JobControl) -> MapperInfo | None:
    import torch
    import torch.nn.functional as F  # noqa: N812

    n = len(embeddings)
    device = encoder.device
    t0 = time.perf_counter()
    tower = encoder.pseudo_text_tower()
    model = encoder.model
    for p in model.parameters():
        p.requires_grad_(False)
    dim, width = int(embeddings.shape[1]), encoder.token_width
    hidden = opts.hidden or max(256, dim)
    torch.manual_seed(opts.seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(dim, hidden), torch.nn.Dropout(opts.dropout), torch.nn.ReLU(),
        torch.nn.Linear(hidden, hidden), torch.nn.Dropout(opts.dropout), torch.nn.ReLU(),
        torch.nn.Linear(hidden, width),
    ).to(device)
    batch = min(opts.batch, n)
    steps = opts.steps or default_steps(n, batch)
    optimizer = torch.optim.AdamW(net.parameters(), lr=opts.lr, weight_decay=0.1)
    data = torch.from_numpy(np.ascontiguousarray(embeddings, dtype=np.float32)).to(device)
    data = F.normalize(data, dim=-1)
    ids = encoder.tokenizer([opts.prompt]).to(device)
    scale = float(model.logit_scale.exp().clamp(max=100)) if hasattr(model, "logit_scale") else 100.0
    generator = torch.Generator(device="cpu").manual_seed(opts.seed)
    progress = TrainingProgress(steps=steps, phase="training")
    say(progress)
    train_start = time.perf_counter()
    loss_value = float("nan")
    tower.train(False)
    net.train()
    for step in range(steps):
        if not control.checkpoint():
            say(replace(progress, phase="cancelled"))
            return None
        lr = opts.lr * min(1.0, (step + 1) / 20) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for group in optimizer.param_groups:
            group["lr"] = lr
        idx = torch.randperm(n, generator=generator)[:batch].to(device)
        v = data[idx]
        text = tower(ids.expand(len(idx), -1), net(v))
        logits = scale * v @ text.t()
        target = torch.arange(len(idx), device=device)
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss_value = float(loss.detach())
        done = step + 1
        if done % 5 == 0 or done == steps or done <= 3:
            elapsed = time.perf_counter() - train_start
            progress = TrainingProgress(step=done, steps=steps, loss=round(loss_value, 4),
                                        elapsed_s=round(time.perf_counter() - t0, 2),
                                        eta_s=round(elapsed / done * (steps - done), 1), phase="training")
            say(progress)
    net.eval()
    seconds = time.perf_counter() - t0
    linear = [m for m in net if isinstance(m, torch.nn.Linear)]
    weights = {}
    for name, layer in zip(LAYERS, linear, strict=True):
        weights[f"{name}.weight"] = layer.weight.detach().cpu().numpy()
        weights[f"{name}.bias"] = layer.bias.detach().cpu().numpy()
    info = MapperInfo(model=model_name, embed_dim=dim, token_width=width, hidden=hidden, prompt=opts.prompt,
                      stats={"images": n, "steps": steps, "batch": batch, "lr": opts.lr,
                             "seconds": round(seconds, 1), "seconds_per_step": round(seconds / steps, 4),
                             "final_loss": round(loss_value, 4), "device": str(device),
                             "threads": torch.get_num_threads() if device == "cpu" else 0,
                             "created": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    say(TrainingProgress(step=steps, steps=steps, loss=round(loss_value, 4), elapsed_s=round(seconds, 2),
                         eta_s=0.0, phase="saving"))
    save_mapper(folder, weights, info)
    say(TrainingProgress(step=steps, steps=steps, loss=round(loss_value, 4), elapsed_s=round(seconds, 2),
                         eta_s=0.0, phase="done"))
    return info
