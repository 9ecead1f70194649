"""``main.py bench indexing``: model-only vs end-to-end indexing throughput, in one run.

For each backend it measures, on the same folder of large JPEGs:
- model-only images/s on pre-decoded tensors (batches of ``batch_size``);
- end-to-end images/s of a real indexing job into a fresh library (scan,
  decode with ``Image.draft``, thumbnails, inference, SQLite, hnswlib);
and prints their ratio, the ceiling that ratio can reach on this machine's
cores (decoding and the model share them), the ratio between backends,
decode-only rates, the fast-path equivalence to open_clip's preprocessing, and
the peak RSS. With ``repeats`` > 1 both rates are measured that many times,
alternating, and their medians are reported (shared virtual CPUs are noisy).
Random weights are fine for speed: without ``--weights`` a seeded random
ViT-B-32 is written to ``.bench/`` once.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artseek import config
from artseek.bench.int8_baseline import conv_baseline
from artseek.bench.photos import generate_photos, unique_sources, unique_variants
from artseek.embedding.cpu_features import available_cores
from artseek.embedding.encoder import Encoder

BENCH_DIR = config.project_root() / ".bench"


@dataclass
class BackendFigures:
    name: str
    model_only: float = 0.0
    end_to_end: float = 0.0
    notes: dict[str, object] = field(default_factory=dict)
    model_only_runs: list[float] = field(default_factory=list)
    end_to_end_runs: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.end_to_end / self.model_only if self.model_only else 0.0


STATIC = "onnx-int8s"  # the static int8 image tower (artseek.embedding.optimise)
CONV = "onnx-int8-conv"  # dynamic int8 as exported before its convolutions stayed fp32 (artseek.bench.int8_baseline)
OPENVINO = "openvino-int8s"  # the static int8 image tower run by OpenVINO (artseek.embedding.openvino_backend)
AUTO = "auto"  # what the app runs: the loader's own choice on an export with every variant (OpenVINO where it passes)


def random_weights(model: str) -> Path:
    """A seeded random-weight checkpoint of ``model`` in ``.bench/`` (made once)."""
    path = BENCH_DIR / f"{model}-random.safetensors"
    if not path.exists():
        import open_clip
        import torch
        from safetensors.torch import save_file

        from artseek.embedding.registry import MODELS

        torch.manual_seed(0)
        net = open_clip.create_model(MODELS[model].architecture if model in MODELS else model, pretrained=None)
        BENCH_DIR.mkdir(exist_ok=True)
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(path))
    return path


def current_forms(manifest: dict) -> bool:
    """The export was made with the image tower's current forms (fused attention, patch embedding as MatMul)."""
    return "patch_embedding" in (manifest.get("image_attention") or {})


def ensure_export(model: str, weights: Path, int8: bool, out=print, static: bool = False,  # noqa: ANN001
                  calibrate: Path | None = None, openvino: bool = False) -> None:
    """Export ``weights`` to ONNX beside them (once) so the onnx backends can run.

    ``static``: with the static int8 image tower too, calibrated on ``calibrate`` (the benchmark's pictures).
    ``openvino``: that tower measured under OpenVINO too (where installed), as ``auto`` needs to choose it.
    """
    from artseek.embedding.export import INT8_DESCRIPTION
    from artseek.embedding.onnx_backend import find_export
    from artseek.embedding.openvino_backend import openvino_ready, openvino_version
    from artseek.embedding.registry import get_spec

    export, _ = find_export(get_spec(model), weights)
    stale = export is not None and (
        not current_forms(export.manifest)  # made before the image tower's faster export forms
        or (int8 and "int8" in export.variants
            and export.variants["int8"].get("quantisation") != INT8_DESCRIPTION))  # before convolutions stayed fp32
    if export is not None and openvino and openvino_version() is not None and not openvino_ready(export.manifest):
        stale = True  # made before the export measured OpenVINO (or where it was not installed)
    if export is None or stale or (int8 and "int8" not in export.variants) or \
            (static and "int8-static" not in export.variants):
        from artseek.embedding.export import export_model

        out(f"exporting {weights.name} to ONNX (once)...")
        export_model(model, weights=weights, int8=int8, out_dir=weights.parent, static_int8=static,
                     calibrate=calibrate)


def prepare_images(images: Path | None, photos_from: Path | None, count: int) -> list[Path]:
    """The benchmark folder: given, varied from real photos, or generated."""
    if images:  # the whole folder is indexed, so every JPEG in it counts
        return sorted(p for p in images.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    if photos_from:
        sources = unique_sources(photos_from)
        if not sources:
            sys.exit(f"No photographs found below {photos_from}.")
        return unique_variants(sources, BENCH_DIR / f"variants-{count}", count)
    return generate_photos(BENCH_DIR / f"synthetic-{count}", count)


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024


def decode_rate(paths: list[Path], image_size: int, full: bool) -> float:
    """Images/s decoding on one thread, with or without reduced-size (draft) decoding."""
    from artseek.ingest.decode import THUMBNAIL_SIZE, open_image, read_file

    sample = paths[: min(16, len(paths))]
    start = time.perf_counter()
    for p in sample:
        open_image(read_file(str(p)), 0 if full else image_size, 0 if full else THUMBNAIL_SIZE)
    return len(sample) / (time.perf_counter() - start)


def decode_pool_rate(paths: list[Path], cfg, workers: int, processes: bool) -> float:  # noqa: ANN001
    """Images/s of the indexing decode path (read, hash, draft decode, thumbnail, model input) alone."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from artseek.ingest.decode import decode_for_index

    start = time.perf_counter()
    with (ProcessPoolExecutor if processes else ThreadPoolExecutor)(workers) as pool:
        n = sum(1 for _ in pool.map(decode_for_index, [str(p) for p in paths], [cfg] * len(paths)))
    return n / (time.perf_counter() - start)


def decode_path_cpu_rate(paths: list[Path], cfg) -> float:  # noqa: ANN001
    """Images per CPU-second of the whole decode path (read, hash, draft decode, thumbnail, model input).

    Measured in CPU time of the calling thread, so waiting for the disk does not count.
    """
    from artseek.ingest.decode import decode_for_index

    start = time.thread_time()
    for p in paths:
        decode_for_index(str(p), cfg)
    return len(paths) / max(time.thread_time() - start, 1e-9)


def model_only_rate(encoder: Encoder, inputs: np.ndarray, batch_size: int, repeats: int = 3) -> float:
    encoder.encode_images(inputs[:batch_size])  # warm-up
    start = time.perf_counter()
    n = 0
    for _ in range(repeats):
        for i in range(0, len(inputs), batch_size):
            n += len(encoder.encode_images(inputs[i:i + batch_size]))
    return n / (time.perf_counter() - start)


def overlap_ceiling(cores: int, model_threads: int, model_only: float, decode_per_core: float) -> float:
    """The highest ``end_to_end/model_only`` possible when decoding and the model share ``cores``.

    Each image costs ``model_threads / model_only`` core-seconds of model work
    (the model-only rate uses that many threads; 0 when the model runs on a
    GPU) plus ``1 / decode_per_core`` core-seconds of decoding. With perfect
    overlap, end to end is limited by the total work per image on ``cores``
    and by the model-only rate itself: ``min(1, cores / (model_threads +
    model_only / decode_per_core))``.
    """
    if model_only <= 0 or decode_per_core <= 0:
        return 0.0
    return min(1.0, cores / (model_threads + model_only / decode_per_core))


def fast_path_cosine(encoder: Encoder, paths: list[Path]) -> float:
    """Mean cosine between fast-path and official open_clip preprocessing embeddings."""
    import open_clip
    from PIL import Image

    from artseek.ingest.decode import decode_for_index

    cfg = encoder.preprocess_cfg
    transform = open_clip.image_transform(cfg.image_size, is_train=False, mean=cfg.mean, std=cfg.std)
    sample = paths[:16]
    fast = encoder.encode_images(np.stack([decode_for_index(str(p), cfg).model_input for p in sample]))
    official = encoder.encode_images(np.stack([transform(Image.open(p).convert("RGB")).numpy() for p in sample]))
    return float(np.mean(np.sum(fast * official, axis=1)))


def run(model: str = "ViT-B-32", weights: Path | None = None, images: Path | None = None,
        photos_from: Path | None = None, count: int = 120, backends: list[str] | None = None,
        batch_size: int | None = None, workers: int | None = None, processes: bool | None = None,
        repeats: int = 1, out=print) -> dict:  # noqa: ANN001
    """Run the benchmark and print its figures; returns them as a dict."""
    from artseek.embedding.loader import load_encoder
    from artseek.ingest.decode import decode_for_index

    weights = Path(weights or random_weights(model))
    paths = prepare_images(images, photos_from, count)
    folder = paths[0].parent
    auto = AUTO in (backends or [])  # the app's path: int8 towers for ONNX Runtime, the static one for OpenVINO
    if auto or any(b.startswith(("onnx", "openvino")) for b in backends or []):
        ensure_export(model, weights, int8=auto or any(b.endswith("-int8") for b in backends or []), out=out,
                      static=auto or bool({STATIC, OPENVINO} & set(backends or [])), calibrate=folder,
                      openvino=auto)
    backends = backends or ["torch"]
    conv_weights = conv_baseline(model, weights, out) if CONV in backends else None
    out(f"images: {len(paths)} JPEGs in {folder} (e.g. {_size(paths[0])}); model {model}; cores {available_cores()}")
    results = [BackendFigures(b) for b in backends]
    inputs: np.ndarray | None = None
    threads: dict[str, int] = {}
    figures: dict = {"images": len(paths), "folder": str(folder), "model": model, "backends": {}}
    # Repeats alternate the backends (old and new interleaved), so load drifts on a shared machine hit all alike.
    for repeat in range(max(1, repeats)):
        for fig in results:
            backend = fig.name
            name, int8, variant = _backend_args(backend)
            run_weights = conv_weights if backend == CONV else weights
            kwargs = {"int8": True} if int8 else {}
            # Model only, then (with that encoder released, as peak RSS would otherwise count
            # two models) one real indexing job.
            encoder = load_encoder(model, weights=run_weights, backend=name, variant=variant, **kwargs)
            batch_size = batch_size or int(encoder.preferred_batch_size)
            if inputs is None:  # the same pre-decoded batches for every backend and repeat
                inputs = np.stack([decode_for_index(str(p), encoder.preprocess_cfg).model_input
                                   for p in paths[: 2 * batch_size]])
            threads[backend] = int(encoder.threads)
            fig.notes["variant"] = str(encoder.precision)
            fig.notes["backend"] = str(encoder.backend)  # what auto chose
            if "decode_path_per_core" not in figures:
                _measure_decoding(figures, paths, encoder.preprocess_cfg, workers, processes)
            if backend == "torch" and repeat == 0:
                figures["fast_vs_official_cosine"] = fast_path_cosine(encoder, paths)
            fig.model_only_runs.append(model_only_rate(encoder, inputs, batch_size))
            del encoder
            fig.end_to_end_runs.append(_index_once(model, run_weights, name, int8, folder, inputs, batch_size,
                                                   workers, processes, fig.notes, variant))
    for fig in results:
        backend, model_threads = fig.name, threads[fig.name]
        fig.model_only = statistics.median(fig.model_only_runs)
        fig.end_to_end = statistics.median(fig.end_to_end_runs)
        ceiling = overlap_ceiling(available_cores(), model_threads, fig.model_only,
                                  figures["decode_path_per_core"])
        figures["backends"][backend] = {"model_only": fig.model_only, "end_to_end": fig.end_to_end,
                                        "ratio": fig.ratio, "ceiling": ceiling, "model_threads": model_threads,
                                        "model_only_runs": fig.model_only_runs,
                                        "end_to_end_runs": fig.end_to_end_runs, **fig.notes}
        spread = (f" (median of {len(fig.end_to_end_runs)}: model_only {_span(fig.model_only_runs)}, "
                  f"end_to_end {_span(fig.end_to_end_runs)})" if len(fig.end_to_end_runs) > 1 else "")
        out(f"{backend} [{fig.notes.get('backend')} {fig.notes.get('variant')}]: model_only {fig.model_only:.1f} "
            f"images/s on {model_threads} threads, end_to_end {fig.end_to_end:.1f} images/s ({fig.notes['indexed']} indexed){spread}")
        out(f"{backend}: end_to_end/model_only = {fig.ratio:.2f}; CPU per indexed image "
            f"{statistics.median(fig.notes.get('cpu_ms_per_image_runs') or [0]):.1f} ms")
        out(f"{backend}: ceiling of that ratio on {available_cores()} cores with perfect overlap = {ceiling:.2f}")
    _static_vs_dynamic(results, figures, out)
    vs_conv_baseline(results, figures, out)
    if "decode_path_per_core" in figures:
        out(f"decode on one thread: full {figures['decode_full_per_s']:.1f}/s, "
            f"reduced (draft) {figures['decode_draft_per_s']:.1f}/s")
        out(f"decode path (read, hash, draft decode, resize, thumbnail, model input) per CPU-second: "
            f"{figures['decode_path_per_core']:.1f} images")
        out(f"decode path alone on {figures['decode_pool']} (the job's pool): "
            f"{figures['decode_pool_per_s']:.1f} images/s")
    if "fast_vs_official_cosine" in figures:
        out(f"fast path vs official open_clip preprocessing: mean cosine {figures['fast_vs_official_cosine']:.4f}")
    torch_fig = next((r for r in results if r.name == "torch"), None)
    for r in results:
        if torch_fig and r is not torch_fig:
            ratio = r.end_to_end / torch_fig.end_to_end
            figures["backends"][r.name]["vs_torch_end_to_end"] = ratio
            out(f"{r.name.replace('-', '_')}_end_to_end/torch_end_to_end = {ratio:.2f}")
    figures["peak_rss_mb"] = peak_rss_mb()
    out(f"peak RSS = {figures['peak_rss_mb']:.0f} MB")
    return figures


def _static_vs_dynamic(results: list[BackendFigures], figures: dict, out) -> None:  # noqa: ANN001
    """The speed goal's ratio: static int8 over today's dynamic int8, end to end, per repeat and as a median."""
    by_name = {r.name: r for r in results}
    new, old = by_name.get(STATIC), by_name.get("onnx-int8")
    if new is None or old is None:
        return
    pairs = [a / b for a, b in zip(new.end_to_end_runs, old.end_to_end_runs, strict=True) if b]
    ratio = statistics.median(pairs) if pairs else 0.0
    figures["static_vs_dynamic_end_to_end"] = ratio
    figures["static_vs_dynamic_model_only"] = new.model_only / old.model_only if old.model_only else 0.0
    out(f"onnx_int8s_end_to_end/onnx_int8_end_to_end = {ratio:.2f} (median of the per-repeat ratios "
        f"{', '.join(f'{p:.2f}' for p in pairs)}); model only {figures['static_vs_dynamic_model_only']:.2f}")


def _backend_args(backend: str) -> tuple[str, bool, str | None]:
    """A benchmark backend as the loader's (backend, int8, explicit variant)."""
    if backend == STATIC:
        return "onnx", False, "int8-static"
    if backend == OPENVINO:
        return "openvino", False, "int8-static"
    if backend == CONV:  # the old tower's export, found through its own weights name
        return "onnx", True, None
    return (backend[:-5], True, None) if backend.endswith("-int8") else (backend, False, None)


def vs_conv_baseline(results: list[BackendFigures], figures: dict, out) -> None:  # noqa: ANN001
    """Issue 15's speed goal: each int8 path over the int8 path as it was (``onnx-int8-conv``), end to end."""
    by_name = {r.name: r for r in results}
    old = by_name.get(CONV)
    if old is None:
        return
    for new in (by_name.get("onnx-int8"), by_name.get(STATIC), by_name.get(OPENVINO), by_name.get(AUTO)):
        if new is None:
            continue
        pairs = [a / b for a, b in zip(new.end_to_end_runs, old.end_to_end_runs, strict=True) if b]
        ratio = statistics.median(pairs) if pairs else 0.0
        model_only = new.model_only / old.model_only if old.model_only else 0.0
        # CPU-seconds per indexed image, old over new: what a busy or varying machine changes least
        cpu_pairs = [a / b for a, b in zip(old.notes.get("cpu_ms_per_image_runs", []),
                                           new.notes.get("cpu_ms_per_image_runs", []), strict=True) if b]
        cpu_ratio = statistics.median(cpu_pairs) if cpu_pairs else 0.0
        figures["backends"][new.name].update(vs_int8_conv_end_to_end=ratio, vs_int8_conv_model_only=model_only,
                                             vs_int8_conv_cpu_per_image=cpu_ratio)
        out(f"{new.name.replace('-', '_')}_end_to_end/onnx_int8_conv_end_to_end = {ratio:.2f} (median of the "
            f"per-repeat ratios {', '.join(f'{p:.2f}' for p in pairs)}); model only {model_only:.2f}; "
            f"CPU per indexed image, baseline over this: {cpu_ratio:.2f} "
            f"({', '.join(f'{p:.2f}' for p in cpu_pairs)})")
    out("(on a shared machine one run's median moves by about 10 % with the machine's state: use --repeats 15 "
        "and pool several saved runs with scripts/pool_ratios.py; docs/performance.md)")


def _measure_decoding(figures: dict, paths: list[Path], cfg, workers: int | None,  # noqa: ANN001
                      processes: bool | None) -> None:
    """Decode-only rates: one thread full and reduced, the whole decode path, the job's pool."""
    from artseek.ingest.indexer import IndexOptions

    figures["decode_full_per_s"] = decode_rate(paths, cfg.image_size, full=True)
    figures["decode_draft_per_s"] = decode_rate(paths, cfg.image_size, full=False)
    figures["decode_path_per_core"] = decode_path_cpu_rate(paths[:48], cfg)
    opts = IndexOptions(decode_workers=workers, decode_processes=processes)
    figures["decode_pool"] = f"{opts.workers()} {'processes' if opts.use_processes() else 'threads'}"
    figures["decode_pool_per_s"] = decode_pool_rate(paths, cfg, opts.workers(), opts.use_processes())


def _index_once(model: str, weights: Path, backend: str, int8: bool, folder: Path, inputs: np.ndarray,
                batch_size: int, workers: int | None, processes: bool | None, notes: dict,
                variant: str | None = None) -> float:
    """Images/s of one real indexing job of ``folder`` into a fresh library; fills ``notes``."""
    from artseek.ingest.indexer import IndexOptions
    from artseek.library import Library

    lib_dir = Path(tempfile.mkdtemp(prefix="artseek-bench-"))
    try:
        lib = Library(lib_dir, model=model, weights=weights, backend=backend, int8=int8, variant=variant)
        lib.encoder.calibrate(inputs)  # load (and decide bf16) before timing, as the app does in the background
        cpu = time.process_time()  # every thread of this process: the decode threads, the model, the writer
        report = lib.index([folder], IndexOptions(batch_size=batch_size, decode_workers=workers,
                                                  decode_processes=processes))
        cpu_ms = 1000 * (time.process_time() - cpu) / max(report.indexed, 1)
        notes.setdefault("cpu_ms_per_image_runs", []).append(cpu_ms)
        notes.update({"indexed": report.indexed, "failed": report.failed,
                      "precision": lib.encoder.precision, "batch_size": batch_size,
                      "device": lib.encoder.device, "calibration": lib.encoder.calibration})
        lib.close()
        return report.indexed / report.elapsed_s
    finally:
        shutil.rmtree(lib_dir, ignore_errors=True)


def _span(values: list[float]) -> str:
    return f"{min(values):.1f}-{max(values):.1f}"


def _size(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as im:
        return f"{im.width}x{im.height}"
