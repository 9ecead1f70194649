"""``models export``: write a model's image and text towers as ONNX files beside a manifest.

torch and open_clip are the reference: this module loads the weights with
:class:`TorchEncoder`, exports each tower (outputs L2-normalised, batch axis
dynamic) with torch's TorchScript-based exporter, optionally adds dynamically
quantised int8 towers (``onnxruntime.quantization.quantize_dynamic``), copies
the tokenizer vocabulary, measures agreement with torch on a fixed synthetic
evaluation set, and only then moves the finished folder into place. The same
weights always give byte-identical ONNX files.

Output: ``<out_dir>/<weights-stem>.onnx/`` (``out_dir`` defaults to the user
model folder); see :mod:`artseek.embedding.onnx_backend` for the layout and
where exports are looked for.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from artseek import config
from artseek.embedding.agreement import agreement, batch_sha256, cosines, evaluation_images, evaluation_texts
from artseek.embedding.onnx_backend import (
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    OnnxEncoder,
    OnnxExport,
    export_folder_name,
    int8_passes,
    sha256_file,
    source_fingerprint,
)
from artseek.embedding.preprocess import PreprocessConfig
from artseek.embedding.registry import get_spec, locate_weights
from artseek.embedding.tokenizer import VOCAB_FILENAME, open_clip_vocab_path
from artseek.errors import ArtSeekError
from artseek.files import replace_folder

OPSET = 17
FP32_MIN_COSINE = 0.9999  # an fp32 export that agrees less than this with torch is refused
PSEUDO_TEXT_FILE = "text_pseudo.onnx"  # the Pic2Word text tower (fp32 in every variant)
REFERENCE_FILE = "reference.npz"  # torch's embeddings of the evaluation set (the manifest's "reference")


class ExportCancelled(ArtSeekError):
    """The curator cancelled the export; nothing of it was kept (a previous export stays as it was)."""


def _stop_if(cancelled: Callable[[], bool] | None) -> None:
    """Between the export's steps: stop there if the curator cancelled."""
    if cancelled is not None and cancelled():
        raise ExportCancelled("The ONNX export was cancelled; nothing of it was kept.")


def _check_tokenizer(tokenizer) -> None:  # noqa: ANN001
    """Refuse models whose open_clip tokenizer is not the plain CLIP BPE our port reproduces."""
    from open_clip.tokenizer import SimpleTokenizer, _clean_lower

    if not isinstance(tokenizer, SimpleTokenizer) or tokenizer.clean_fn is not _clean_lower \
            or tokenizer.reduction_fn is not None or tokenizer.vocab_size != 49408:
        raise ArtSeekError("This model's tokenizer is not the standard CLIP BPE tokenizer, so it cannot run "
                           "on the ONNX backend.", "Use --backend torch for it.")


def reparameterised(model):  # noqa: ANN001, ANN201 - torch modules
    """``model`` with MobileOne/FastViT training branches folded (MobileCLIP), a copy; other models unchanged.

    timm's ``reparameterize_model`` merges each block's parallel branches into one
    convolution: the same function, fewer operators, and the only form that exports well.
    """
    if not any(hasattr(m, "reparameterize") for m in model.modules()):
        return model
    from timm.utils.model import reparameterize_model

    return reparameterize_model(model)  # a copy: the torch reference keeps its own


def _export_towers(encoder, folder: Path, opset: int,  # noqa: ANN001
                   cancelled: Callable[[], bool] | None = None, fuse_attention: bool = True) -> dict:
    """Export the image and text towers (and the pseudo-token tower) into ``folder``.

    Returns what was exported in a faster form (the manifest's ``image_attention``; :func:`_export_both`).
    """
    import torch
    import torch.nn.functional as F  # noqa: N812

    model = reparameterised(encoder.model.to("cpu").eval())

    class ImageTower(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
            return F.normalize(self.model.encode_image(pixel_values), dim=-1)

    class TextTower(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
            return F.normalize(self.model.encode_text(input_ids), dim=-1)

    pseudo_tower = None
    if encoder.token_width:
        from artseek.embedding.pseudo_token import build_tower, pseudo_token_id

        pseudo_tower = build_tower(model, pseudo_token_id(encoder.tokenizer), truncate=False)
    size = encoder.preprocess_cfg.image_size
    pixels = torch.zeros(2, 3, size, size, dtype=torch.float32)
    tokens = torch.from_numpy(encoder.tokenize(["a photo of a ship", "an engraving"]))
    common = dict(opset_version=opset, do_constant_folding=True, dynamo=False, export_params=True)
    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)  # the fused attention kernel has no ONNX form
    fuse = getattr(model, "visual", model) if fuse_attention else None
    try:
        forms = _export_both(ImageTower(), TextTower(), pixels, tokens, folder, common, cancelled, fuse)
        if pseudo_tower is not None:
            _stop_if(cancelled)
            _export_pseudo(pseudo_tower, encoder, folder, common)
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)
    return forms


def _export_both(image_tower, text_tower, pixels, tokens, folder: Path, common: dict,  # noqa: ANN001
                 cancelled: Callable[[], bool] | None = None, fuse=None) -> dict:  # noqa: ANN001
    """Both towers. ``fuse``: the vision tower whose attention layers and patch embedding are exported in
    ONNX Runtime's faster forms (:mod:`fused_attention`, :mod:`patch_embedding`); None: as they are.

    Returns the manifest's ``image_attention`` entry: what was changed.
    """
    import warnings
    from contextlib import nullcontext

    import torch

    from artseek.embedding.fused_attention import ONNX_OP, fused_attention
    from artseek.embedding.patch_embedding import patch_matmul

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fused_attention(fuse) if fuse is not None else nullcontext(0) as fused, \
                patch_matmul(fuse) if fuse is not None else nullcontext(0) as patches:
            torch.onnx.export(image_tower.eval(), (pixels,), str(folder / "image.onnx"),
                              input_names=["pixel_values"], output_names=["embeddings"],
                              dynamic_axes={"pixel_values": {0: "batch"}, "embeddings": {0: "batch"}}, **common)
        _stop_if(cancelled)
        torch.onnx.export(text_tower.eval(), (tokens,), str(folder / "text.onnx"), input_names=["input_ids"],
                          output_names=["embeddings"], dynamic_axes={"input_ids": {0: "batch"},
                                                                   "embeddings": {0: "batch"}}, **common)
    return {"fused_layers": fused, "form": ONNX_OP if fused else "plain",
            "patch_embedding": "matmul" if patches else "as in the model"}


def _export_pseudo(tower, encoder, folder: Path, common: dict) -> None:  # noqa: ANN001
    """The text tower with a pseudo-token input (Pic2Word, :mod:`artseek.embedding.pseudo_token`)."""
    import warnings

    import torch

    tokens = torch.from_numpy(encoder.tokenize(["a * as an engraving", "a photo of *"]))
    pseudo = torch.zeros(2, encoder.token_width, dtype=torch.float32)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(tower.eval(), (tokens, pseudo), str(folder / PSEUDO_TEXT_FILE),
                          input_names=["input_ids", "pseudo_tokens"], output_names=["embeddings"],
                          dynamic_axes={"input_ids": {0: "batch"}, "pseudo_tokens": {0: "batch"},
                                        "embeddings": {0: "batch"}}, **common)


def _pseudo_entry(encoder, work: Path) -> dict | None:  # noqa: ANN001
    """The manifest's ``pseudo_text`` entry, with the export's agreement with torch measured."""
    if not (work / PSEUDO_TEXT_FILE).is_file():
        return None
    from artseek.embedding.pseudo_token import pseudo_token_id

    return {"file": PSEUDO_TEXT_FILE, "size": (work / PSEUDO_TEXT_FILE).stat().st_size,
            "sha256": sha256_file(work / PSEUDO_TEXT_FILE), "token_id": pseudo_token_id(encoder.tokenizer),
            "token_width": encoder.token_width,
            "inputs": "input_ids int64 [batch, context_length], pseudo_tokens float32 [batch, token_width]"}


def _pseudo_agreement(encoder, onnx) -> float:  # noqa: ANN001
    """Minimum cosine between torch's and the export's pseudo-token text embeddings on fixed prompts."""
    rng = np.random.default_rng(99)
    prompts = ["a * as an engraving", "a photo of *", "a blue *", "a * on a striped background"] * 3
    tokens = rng.normal(0, 0.02, (len(prompts), encoder.token_width)).astype(np.float32)
    return float(np.min(cosines(encoder.encode_texts_with_tokens(prompts, tokens),
                                 onnx.encode_texts_with_tokens(prompts, tokens))))


INT8_DESCRIPTION = ("dynamic int8 (onnxruntime quantize_dynamic, QInt8 weights, uint8 activations; "
                    "convolutions fp32)")


def dynamic_int8_ops(registry) -> list[str]:  # noqa: ANN001 - onnxruntime's IntegerOpsRegistry
    """The operators dynamic int8 quantises: all that ONNX Runtime can, except convolutions.

    ONNX Runtime runs a dynamically quantised convolution (ConvInteger) far slower than the fp32 one:
    ViT-B-32's one patch-embedding convolution took about a third of its int8 image tower's time, and
    MobileCLIP2-S0's int8 tower ran at a tenth of its fp32 rate (docs/performance.md, issue 15). Their
    weights are a small part of the model, so leaving them in fp32 costs little size.
    """
    return sorted(op for op in registry if op != "Conv")


def _quantise(folder: Path, cancelled: Callable[[], bool] | None = None) -> None:
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    for which in ("image", "text"):
        _stop_if(cancelled)
        quantise_dynamic(folder / f"{which}.onnx", folder / f"{which}.int8.onnx", dynamic_int8_ops(IntegerOpsRegistry))


def quantise_dynamic(fp32: Path, out: Path, ops: list[str] | None) -> None:
    """One tower quantised with ``quantize_dynamic`` (QInt8 weights per tensor); ``ops``: the operator types to
    quantise (None: every one ONNX Runtime can, convolutions included, as exports did before)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic logs advice about static pre-processing on the root logger
    try:
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=False,
                         op_types_to_quantize=ops)
    finally:
        root.setLevel(level)


def _add_static(work: Path, cfg: PreprocessConfig, calibrate, variants: dict, say) -> None:  # noqa: ANN001
    """The ``int8-static`` variant: the image tower quantised statically (:mod:`optimise`).

    Its text tower is the dynamic int8 one when the export has it (``--int8``), else
    the fp32 one: a query is one text, so the text tower's precision costs no
    indexing time, only bundle size (254 against 64 MB for ViT-B-32).
    """
    from artseek.embedding.optimise import STATIC_IMAGE, VARIANT, calibration_inputs, quantise_image_static

    inputs = calibration_inputs(Path(calibrate), cfg) if calibrate else np.zeros((0,))
    source = f"{len(inputs)} pictures from {Path(calibrate).name}" if len(inputs) else "the synthetic evaluation set"
    if not len(inputs):
        inputs = evaluation_images(cfg, n=32, seed=5)
    say(f"Quantising the image tower to static int8 (calibrated on {source})")
    quantise_image_static(work / "image.onnx", work / STATIC_IMAGE, inputs)
    text = variants["int8"]["text"] if "int8" in variants else "text.onnx"
    variants[VARIANT] = _variant(work, STATIC_IMAGE, text,
                                 f"static int8 image tower (quantize_static QDQ, per-channel QInt8 weights, "
                                 f"uint8 activations calibrated on {source}); "
                                 f"{'dynamic int8' if 'int8' in variants else 'fp32'} text tower")


def _write_reference(work: Path, images: np.ndarray, ref_images: np.ndarray, ref_texts: np.ndarray) -> dict:
    """Save torch's embeddings of the evaluation set beside the towers (the manifest's ``reference``).

    The loader measures OpenVINO against them on the machine that runs the model
    (:func:`artseek.embedding.openvino_backend.auto_encoder`), without torch.
    """
    path = work / REFERENCE_FILE
    with path.open("wb") as fh:
        np.savez(fh, images=ref_images.astype(np.float32), texts=ref_texts.astype(np.float32))
    return {"file": REFERENCE_FILE, "sha256": sha256_file(path), "size": path.stat().st_size,
            "inputs_sha256": batch_sha256(images), "images": int(len(images)), "texts": int(len(ref_texts))}


def _openvino_entry(spec, export: OnnxExport, ref_i: np.ndarray, ref_t: np.ndarray,  # noqa: ANN001
                    images: np.ndarray, texts: list[str], say) -> dict | None:  # noqa: ANN001
    """OpenVINO running the static int8 tower, measured against torch here (None if OpenVINO is not installed)."""
    from artseek.embedding.openvino_backend import OpenVinoEncoder, openvino_version

    version = openvino_version()
    if version is None:
        return None
    say(f"Measuring OpenVINO {version} on the static int8 image tower")
    encoder = OpenVinoEncoder(spec, export, variant="int8-static")
    measured = agreement(ref_i, ref_t, encoder.encode_images(images), encoder.encode_texts(texts))
    return {"version": version, "inference_precision": encoder.inference_precision, "agreement": measured}


def _variant(folder: Path, image: str, text: str, quantisation: str) -> dict:
    return {"image": image, "text": text, "quantisation": quantisation,
            "sizes": {"image": (folder / image).stat().st_size, "text": (folder / text).stat().st_size},
            "sha256": {"image": sha256_file(folder / image), "text": sha256_file(folder / text)}}


def export_model(model_name: str, weights: str | os.PathLike[str] | None = None, int8: bool = False,
                 out_dir: str | os.PathLike[str] | None = None, opset: int = OPSET,
                 log: Callable[[str], None] | None = None, static_int8: bool = False,
                 calibrate: str | os.PathLike[str] | None = None, cancelled: Callable[[], bool] | None = None,
                 fuse_attention: bool = True) -> Path:
    """Export ``model_name`` (weights located as for loading) and return the export folder.

    The folder is ``<out_dir>/<weights-stem>.onnx`` (``out_dir``: the user model
    folder by default) and replaces any previous export there only once the
    new one is complete and agrees with torch (cosine >= 0.9999 for every
    evaluation image and text). With ``int8`` the export also holds dynamically
    quantised towers; they become the default precision of ``--backend auto``
    if their measured agreement passes the thresholds in :mod:`onnx_backend`.

    ``cancelled()`` is asked between the steps (each tower, each quantisation,
    each variant's measurement); when it answers True the export stops with
    :class:`ExportCancelled`, its work folder is removed and any previous export
    stays as it was.

    ``fuse_attention``: the image tower's attention layers as one ONNX Runtime
    operator each (:mod:`fused_attention`) and its patch embedding as a matrix
    product (:mod:`patch_embedding`); the manifest's ``image_attention`` says
    what was changed. False only to rebuild the plain form (benchmarks).
    """
    say = log or (lambda _msg: None)
    spec = get_spec(model_name)
    weights_path = locate_weights(spec, weights)
    target_parent = Path(out_dir).expanduser() if out_dir else config.user_models_dir()
    target = target_parent / export_folder_name(weights_path.name)
    target_parent.mkdir(parents=True, exist_ok=True)

    from artseek.embedding.torch_backend import TorchEncoder

    say(f"Loading {spec.name} from {weights_path}")
    source = source_fingerprint(weights_path)
    encoder = TorchEncoder(spec, weights_path, device="cpu")
    _check_tokenizer(encoder.tokenizer)
    _stop_if(cancelled)
    cfg = encoder.preprocess_cfg
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target_parent))
    umask = os.umask(0)
    os.umask(umask)
    work.chmod(0o777 & ~umask)
    try:
        say("Exporting the image and text towers")
        forms = _export_towers(encoder, work, opset, cancelled, fuse_attention)
        _stop_if(cancelled)
        shutil.copyfile(open_clip_vocab_path(), work / VOCAB_FILENAME)
        variants = {"fp32": _variant(work, "image.onnx", "text.onnx", "none")}
        if int8:
            say("Quantising to int8 (dynamic, weights per tensor)")
            _quantise(work, cancelled)
            variants["int8"] = _variant(work, "image.int8.onnx", "text.int8.onnx", INT8_DESCRIPTION)
        if static_int8:
            _stop_if(cancelled)
            _add_static(work, cfg, calibrate, variants, say)
        manifest = {
            "format": MANIFEST_FORMAT, "model": spec.name, "architecture": spec.architecture,
            "source_weights": source,
            "image_size": cfg.image_size, "mean": list(cfg.mean), "std": list(cfg.std),
            "embed_dim": encoder.embed_dim, "context_length": encoder.context_length,
            "tokenizer": {"type": "clip-bpe", "vocab": VOCAB_FILENAME, "clean": "lower",
                          "vocab_sha256": sha256_file(work / VOCAB_FILENAME)},
            "opset": opset, "image_attention": forms,
            "inputs": {"image": "pixel_values float32 [batch, 3, size, size]",
                                       "text": "input_ids int64 [batch, context_length]"},
            "outputs": "embeddings float32 [batch, embed_dim], L2-normalised",
            "quantisation": "dynamic-int8" if int8 else "none",
            "variants": variants, "default_variant": "fp32",
        }
        pseudo = _pseudo_entry(encoder, work)
        if pseudo is not None:
            manifest["pseudo_text"] = pseudo
        _stop_if(cancelled)
        say("Measuring agreement with torch on the evaluation set")
        images, texts = evaluation_images(cfg), evaluation_texts()
        ref_i, ref_t = encoder.encode_images(images), encoder.encode_texts(texts)
        export = OnnxExport(work, manifest)
        for name in variants:
            _stop_if(cancelled)
            onnx = OnnxEncoder(spec, export, variant=name)
            variants[name]["agreement"] = agreement(ref_i, ref_t, onnx.encode_images(images), onnx.encode_texts(texts))
            if not np.array_equal(onnx.tokenize(texts), encoder.tokenize(texts)):
                raise ArtSeekError("The ONNX tokenizer disagrees with open_clip's for this model.",
                                   "Use --backend torch; please report this.")
        manifest["reference"] = _write_reference(work, images, ref_i, ref_t)
        if "int8-static" in variants:
            _stop_if(cancelled)
            measured = _openvino_entry(spec, export, ref_i, ref_t, images, texts, say)
            if measured is not None:
                variants["int8-static"]["openvino"] = measured
        if pseudo is not None:
            pseudo["cosine_min"] = round(_pseudo_agreement(encoder, OnnxEncoder(spec, export)), 6)
            if pseudo["cosine_min"] < FP32_MIN_COSINE:
                raise ArtSeekError(f"The ONNX pseudo-token text tower disagrees with torch (cosine "
                                   f"{pseudo['cosine_min']:.6f}).", "Use --backend torch for composed queries.")
        fp32 = variants["fp32"]["agreement"]
        if min(fp32["image_cosine_min"], fp32["text_cosine_min"]) < FP32_MIN_COSINE:
            raise ArtSeekError(f"The ONNX export disagrees with torch (cosine {fp32['image_cosine_min']:.6f} for "
                               f"images, {fp32['text_cosine_min']:.6f} for texts; {FP32_MIN_COSINE} required).",
                               "Use --backend torch for this model.")
        passing = [v for v in ("int8", "int8-static") if v in variants and int8_passes(variants[v]["agreement"])]
        if passing:  # dynamic int8 with fp32 convolutions is the faster one (docs/performance.md, issue 15)
            manifest["default_variant"] = passing[0]
        (work / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _stop_if(cancelled)  # the last moment: after this the new export is in place
        replace_folder(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target
