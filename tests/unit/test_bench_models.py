"""``bench models``: every catalogue model measured once per repeat, in alternating order, with the
per-repeat ratio to ViT-B-32, one failing model not stopping the rest, the table written to .bench/.

The child processes are stood in for (their real run takes minutes per model): this checks the
orchestration, the combining of repeats and the table, not the speeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from artseek.bench import models as bench_models
from artseek.embedding import catalogue


def _figures(rate: float) -> dict:
    backends = {b: {"model_only": rate * 2, "end_to_end": rate * (1.2 if b == "onnx-int8s" else 1.0)}
                for b in bench_models.BACKENDS.split(",")}
    return {"backends": backends, "peak_rss_mb": 1000 + rate, "load_before": 5.0, "load_after": 6.0}


def test_the_whole_catalogue_interleaved_with_ratios_to_the_baseline(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("artseek.bench.indexing.BENCH_DIR", tmp_path)
    calls: list[str] = []
    speed = {"ViT-B-32": 5.0, "ViT-B-32-256": 4.0}

    def measure(name: str, count: int, repeats: int, images, out) -> dict:  # noqa: ANN001
        calls.append(name)
        if name == "ViT-L-14":
            return {"error": "out of memory"}
        drift = 1.0 if len(calls) <= len(catalogue.entries()) else 0.5  # the machine slows down in repeat 2
        return _figures(speed.get(name, 3.0) * drift)

    monkeypatch.setattr(bench_models, "measure", measure)
    monkeypatch.setattr(bench_models, "prepare", lambda *a, **k: None)
    lines: list[str] = []
    results = bench_models.run(None, count=8, repeats=2, out=lines.append)
    names = [e.name for e in catalogue.entries()]
    assert calls == names + names[::-1]  # every model once per repeat, the order reversed in the second
    assert results["ViT-B-32"]["vs_baseline"] == 1.0
    assert results["ViT-B-32-256"]["vs_baseline"] == pytest.approx(0.8)  # load drift cancels out per repeat
    assert results["ViT-B-32-256"]["backends"]["onnx-int8s"]["end_to_end_runs"] == pytest.approx([4.8, 2.4])
    assert results["ViT-L-14"] == {"error": "out of memory", "export_bytes": {}}
    table = (tmp_path / "bench-models.md").read_text(encoding="utf-8")
    assert table.count("\n| ") == len(names) + 1  # the header and one row per model
    assert "| ViT-L-14 | 79.2 | 0.663 | not measured: out of memory |" in table
    assert "baseline ViT-B-32" in table.splitlines()[0] and table.splitlines()[0] in lines
    assert "| 0.80 |" in next(line for line in table.splitlines() if line.startswith("| ViT-B-32-256 |"))
