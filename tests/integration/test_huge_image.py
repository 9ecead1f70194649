"""A 144-megapixel 16-bit TIFF is indexed within a small memory budget (slow: writes an 864 MB file)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

_DECODE = """
import json, sys
from artseek.embedding.preprocess import PreprocessConfig
from artseek.ingest.decode import decode_for_index
d = decode_for_index(sys.argv[1], PreprocessConfig(224))
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"width": d.width, "height": d.height, "shape": list(d.model_input.shape), "peak_mb": peak // 1024,
                  "thumbnail": len(d.thumbnail_jpeg)}))
"""


def test_a_144_megapixel_16_bit_tiff_decodes_in_under_700_mb(tmp_path) -> None:
    pytest.importorskip("tifffile")
    if not sys.platform.startswith("linux"):
        pytest.skip("reads VmHWM from /proc")
    from artseek.bench.huge_image import write_tiff16

    path = write_tiff16(tmp_path / "huge.tif", 12000)
    proc = subprocess.run([sys.executable, "-c", _DECODE, str(path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["width"], result["height"], result["shape"]) == (12000, 12000, [3, 224, 224])
    assert result["thumbnail"] > 1000
    # the file alone is 864 MB and its whole decoded image 576 MB; strip-by-strip decoding stays far below both
    assert result["peak_mb"] < 700, result
