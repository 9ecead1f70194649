"""One million vectors: open < 10 s and query p95 < 50 ms (slow: builds the library once, ~40 min on 2 cores).

The library is cached in .bench/scale-N; ARTSEEK_SCALE_VECTORS sets N (default 1,000,000).
"""

import os

import pytest

pytestmark = pytest.mark.slow


def test_million_vector_library_opens_and_answers_fast() -> None:
    from artseek.bench.scale import run

    figures = run(int(os.environ.get("ARTSEEK_SCALE_VECTORS", "1000000")), out=lambda _line: None)
    assert figures["open_s"] < 10.0, figures
    assert figures["query_p95_ms"] < 50.0, figures
