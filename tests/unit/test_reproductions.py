"""Reproductions: a photograph pasted (rotated, rescaled, greyscale) into a page is found and outlined;
an unrelated page is not; the library finds it both ways and the CLI prints it."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from artseek.evaluation.pages import make_page, make_photo, write_pairs
from artseek.reproductions import extract, verify
from tests.conftest import run_cli

pytest.importorskip("cv2")


def test_a_pasted_rotated_photo_is_found_and_outlined_an_unrelated_page_is_not() -> None:
    rng = random.Random(7)
    photo = make_photo(rng)
    page, truth = make_page(photo, rng, coverage=0.2, angle=6, mode="grey", quality=70)
    other, _ = make_page(make_photo(rng), rng, coverage=0.3, angle=-4, mode="colour")
    features = extract(photo)
    found = verify(features, extract(page))
    assert found is not None and found.inliers >= 20
    for (x, y), (tx, ty) in zip(found.quad, truth):  # the outline lies around the pasted region
        assert abs(x - tx) < 0.02 and abs(y - ty) < 0.02
    assert verify(features, extract(other)) is None


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("pages")
    return folder, write_pairs(folder, 2, seed=5, distractors=1)


@pytest.mark.slow
def test_library_finds_reproductions_and_sources(pairs, tmp_path: Path) -> None:  # noqa: ANN001
    from artseek.library import Library

    folder, truth = pairs
    with Library(tmp_path / "pages_lib", model="tiny-test") as lib:
        lib.index([folder / "pages"])
        photo = truth["pairs"][0]
        found = lib.find_reproductions(photo["photo"])
        assert [r.path for r in found] == [photo["page"]]
        assert found[0].quad_in == "result" and found[0].inliers >= 15
    with Library(tmp_path / "photos_lib", model="tiny-test") as lib:
        lib.index([folder / "photos"])
        found = lib.find_reproductions(photo["page"], source=True)
        assert [r.path for r in found] == [photo["photo"]] and found[0].quad_in == "query"
        assert lib.find_reproductions(truth["distractors"][0], source=True) == []


@pytest.mark.slow
def test_cli_reproductions_json_and_a_bad_file(pairs, tmp_path: Path) -> None:  # noqa: ANN001
    folder, truth = pairs
    lib = str(tmp_path / "cli_lib")
    assert run_cli("--library", lib, "--model", "tiny-test", "index", str(folder / "pages")).returncode == 0
    photo = truth["pairs"][1]
    out = run_cli("--library", lib, "--model", "tiny-test", "reproductions", photo["photo"], "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["direction"] == "reproductions" and data["results"][0]["path"] == photo["page"]
    assert len(data["results"][0]["quad"]) == 4
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    out = run_cli("--library", lib, "--model", "tiny-test", "reproductions", str(bad))
    assert out.returncode != 0 and "cannot be used" in out.stderr
