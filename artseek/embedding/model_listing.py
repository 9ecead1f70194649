"""What ``models list`` shows: each known model (the catalogue and the test model) and what of it is installed."""

from __future__ import annotations

from artseek.embedding.catalogue import entry
from artseek.embedding.registry import MODELS, candidate_paths


def installed_models() -> list[dict]:
    """One dict per known model: catalogue facts, the weights file found (or ``None``) and the export folder found."""
    from artseek.embedding.onnx_backend import export_candidates

    rows = []
    for spec in MODELS.values():
        found = next((p for p in candidate_paths(spec) if p.is_file()), None)
        export = next((p for p in export_candidates(spec, found) if (p / "manifest.json").is_file()), None)
        e = entry(spec.name)
        rows.append({
            "name": spec.name, "architecture": spec.architecture, "pretrained": spec.pretrained_tag,
            "file": spec.weights_filename, "found": str(found) if found else None,
            "export": str(export) if export else None, "description": spec.description,
            "embed_dim": e.embed_dim if e else None, "image_size": e.image_size if e else None,
            "licence": e.licence if e else None, "sha256": e.sha256 if e else None,
            "download": e.download_url if e else None, "params_m": e.params_m if e else None,
            "published": ({"imagenet_top1": e.published.imagenet_top1, "average_38": e.published.average_38,
                           "source": e.published.source} if e else None),
            "measured": dict(e.measured) if e else {},
        })
    return rows
