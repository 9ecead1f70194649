"""The model catalogue: every OpenCLIP model ArtSeek knows by name, with what is published about it.

One :class:`CatalogueEntry` per model: the open_clip architecture and
pretrained tag, the weights file name ArtSeek looks for, its sha256 where it
is published (else ``None``: the download is then checked against the sha256
the Hugging Face hub states for it, see :mod:`artseek.embedding.fetch`), the
licence, embedding and image size, the preprocessing the weights were trained
with, the published zero-shot figures with their source, and the speed
measured here (``main.py bench models``, docs/performance.md).

The registry (:mod:`artseek.embedding.registry`) builds its ``MODELS`` from
this table, so ``--model`` accepts every entry; :mod:`model_files` takes its
published checksums from :func:`known_sha256`. This module is plain data: it
imports neither torch nor open_clip.

Published figures: zero-shot ImageNet-1k top-1 and the average over the 38
datasets of the DataComp benchmark, from open_clip's ``docs/openclip_results.csv``
(OpenCLIP-trained models) and from apple/ml-mobileclip's README (MobileCLIP2).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
OPENCLIP_RESULTS = "open_clip docs/openclip_results.csv"
MOBILECLIP_README = "apple/ml-mobileclip README.md (MobileCLIP2 table)"
HF = "https://huggingface.co"


@dataclass(frozen=True)
class Published:
    """Published zero-shot quality: ImageNet-1k top-1 (0..1) and the 38-dataset average (0..1)."""

    imagenet_top1: float
    average_38: float
    source: str


@dataclass(frozen=True)
class CatalogueEntry:
    """One model of the catalogue."""

    name: str  # what --model takes and what a library records
    architecture: str  # open_clip model name
    pretrained_tag: str
    weights_filename: str
    hf_repo: str  # where the OpenCLIP weights are published (Hugging Face hub)
    licence: str
    embed_dim: int
    image_size: int
    published: Published
    sha256: str | None = None  # published sha256 of the weights file, where there is one
    mean: tuple[float, float, float] = OPENAI_MEAN
    std: tuple[float, float, float] = OPENAI_STD
    params_m: float | None = None  # millions of parameters (image + text)
    large: bool = False  # export and tests take minutes on 2 cores (slow suite only)
    reparameterise: bool = False  # MobileOne/FastViT blocks to fold before export (timm reparameterize_model)
    measured: dict[str, float] = field(default_factory=dict)  # images/s measured here (docs/performance.md)
    description: str = ""

    @property
    def download_url(self) -> str:
        return f"{HF}/{self.hf_repo}/resolve/main/open_clip_model.safetensors"


def _openclip(name: str, arch: str, tag: str, repo: str, dim: int, size: int, top1: float, avg: float,
              params: float, description: str, large: bool = False) -> CatalogueEntry:
    return CatalogueEntry(name=name, architecture=arch, pretrained_tag=tag, weights_filename=f"{arch}-{tag}.safetensors",
                          hf_repo=repo, licence="MIT (OpenCLIP / LAION weights)", embed_dim=dim, image_size=size,
                          published=Published(top1, avg, OPENCLIP_RESULTS), params_m=params, large=large,
                          description=description)


def _mobileclip2(variant: str, dim: int, size: int, top1: float, avg: float, params: float) -> CatalogueEntry:
    arch = f"MobileCLIP2-{variant}"
    return CatalogueEntry(name=arch, architecture=arch, pretrained_tag="dfndr2b",
                          weights_filename=f"{arch}-dfndr2b.safetensors", hf_repo=f"timm/{arch}-OpenCLIP",
                          licence="Apple ML Research Model Terms of Use (apple-amlr; research use)", embed_dim=dim,
                          image_size=size, published=Published(top1, avg, MOBILECLIP_README),
                          mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), params_m=params, reparameterise=True,
                          description=f"Apple MobileCLIP2-{variant} trained on DFNDR-2B")


_ENTRIES: tuple[CatalogueEntry, ...] = (
    _openclip("ViT-B-32", "ViT-B-32", "laion2b_s34b_b79k", "laion/CLIP-ViT-B-32-laion2B-s34B-b79K", 512, 224,
              0.6656, 0.5694, 151.28, "OpenCLIP ViT-B/32 trained on LAION-2B (the default until 2026-12; older libraries use it)"),
    _openclip("ViT-B-32-datacomp", "ViT-B-32", "datacomp_xl_s13b_b90k", "laion/CLIP-ViT-B-32-DataComp.XL-s13B-b90K",
              512, 224, 0.6917, 0.5795, 151.28, "OpenCLIP ViT-B/32 trained on DataComp-XL (the default)"),
    _openclip("ViT-B-32-256", "ViT-B-32-256", "datacomp_s34b_b86k", "laion/CLIP-ViT-B-32-256x256-DataComp-s34B-b86K",
              512, 256, 0.7281, 0.6087, 151.29, "OpenCLIP ViT-B/32 at 256 px trained on DataComp (rclip's model)"),
    _openclip("ViT-B-16", "ViT-B-16", "datacomp_xl_s13b_b90k", "laion/CLIP-ViT-B-16-DataComp.XL-s13B-b90K", 512, 224,
              0.7349, 0.6147, 149.62, "OpenCLIP ViT-B/16 trained on DataComp-XL (about 3x the work of B/32)"),
    _openclip("ViT-L-14", "ViT-L-14", "datacomp_xl_s13b_b90k", "laion/CLIP-ViT-L-14-DataComp.XL-s13B-b90K", 768, 224,
              0.7921, 0.6627, 427.62, "OpenCLIP ViT-L/14 trained on DataComp-XL (best quality, slowest)", large=True),
    _mobileclip2("S0", 512, 256, 0.715, 0.597, 11.4 + 42.4),
    _mobileclip2("S2", 512, 256, 0.772, 0.641, 35.7 + 63.4),
    _mobileclip2("B", 512, 224, 0.794, 0.658, 86.3 + 63.4),
)

# Measured here (scripts/model_cpu_cost.py, 2026-12-05, 2 loaded cores, docs/performance.md): CPU milliseconds
# per image of the fastest int8 path (model) and of the decode path; the default follows from them (README).
_B32 = {"model_cpu_ms_per_image": 36.0, "decode_cpu_ms_per_image": 28.0}
MEASURED: dict[str, dict[str, float]] = {
    "ViT-B-32": _B32, "ViT-B-32-datacomp": _B32,  # one network
    "ViT-B-32-256": {"model_cpu_ms_per_image": 49.0, "decode_cpu_ms_per_image": 35.0},
    "MobileCLIP2-S0": {"model_cpu_ms_per_image": 68.0, "decode_cpu_ms_per_image": 38.0},
}
ENTRIES: tuple[CatalogueEntry, ...] = tuple(replace(e, measured=dict(MEASURED.get(e.name, {}))) for e in _ENTRIES)

CATALOGUE: dict[str, CatalogueEntry] = {e.name: e for e in ENTRIES}

# Not in the catalogue, and why (shown by ``models list --json`` and the README).
LEFT_OUT: dict[str, str] = {
    "xlm-roberta-base-ViT-B-32": (
        "multilingual, but its text tower and tokenizer come from Hugging Face transformers (xlm-roberta-base, "
        "a SentencePiece tokenizer fetched from the hub at first use): transformers is not installed here and the "
        "tokenizer files are not bundled, so it cannot run offline, and the torch-free tokenizer would need a "
        "SentencePiece port. Published: ImageNet-1k 62.4 %, 38-dataset average 0.564 (" + OPENCLIP_RESULTS + ")."),
}


def entry(name: str) -> CatalogueEntry | None:
    """The catalogue entry named ``name``, or ``None``."""
    return CATALOGUE.get(name)


def entries() -> list[CatalogueEntry]:
    """Every entry, in catalogue order."""
    return list(ENTRIES)


def known_sha256() -> dict[str, str]:
    """Published sha256 of weights files, by file name (only the entries that have one)."""
    return {e.weights_filename: e.sha256 for e in ENTRIES if e.sha256}


def download_urls() -> dict[str, str]:
    """Where ``models fetch`` gets each entry's weights."""
    return {e.name: e.download_url for e in ENTRIES}


def quality_per_cpu_second(e: CatalogueEntry, images_per_s: float) -> float:
    """The default-model criterion: 38-dataset average times images/s (quality delivered per CPU-second)."""
    return e.published.average_38 * images_per_s
