"""Detail indexing: tile vectors are made, mapped back to their image and region, found by a motif,
removed with their image, and their index is rebuilt when damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from artseek.library import Library
from artseek.tiles import tile_regions


def _library(tmp_path: Path, shapes_200, count: int = 6) -> tuple[Path, Path]:  # noqa: ANN001
    images = tmp_path / "images"
    images.mkdir()
    for p, _ in shapes_200[:count]:
        shutil.copy(p, images / p.name)
    return images, tmp_path / "library"


def test_tiles_map_back_and_go_with_their_image(tmp_path: Path, shapes_200) -> None:  # noqa: ANN001
    images, folder = _library(tmp_path, shapes_200)
    n_tiles = len(tile_regions())
    with Library(folder, model="tiny-test") as lib:
        lib.set_detail_indexing(True)
        lib.index([images])
        assert lib.tiles.stats() == {"enabled": True, "tiles": 6 * n_tiles, "images": 6}
        assert len(lib.tiles.index) == 6 * n_tiles
        target = lib.image_id_for_path(images / shapes_200[2][0].name)
        # a crop of one tile, as a query: its image comes first, with that tile's region outlined
        tile_id, region = lib.tiles.regions_of(target)[-1]
        pil = Image.open(images / shapes_200[2][0].name).convert("RGB")
        w, h = pil.size
        crop = pil.crop((round(region[0] * w), round(region[1] * h), round(region[2] * w), round(region[3] * h)))
        results = lib.search_image(crop, 3)
        assert results[0].image_id == target and results[0].region is not None
        removed = images / shapes_200[2][0].name
        removed.unlink()
        lib.rescan()
        assert lib.tiles.stats()["images"] == 5 and len(lib.tiles.index) == 5 * n_tiles
        assert all(h.image_id != target for h in lib.tiles.search(lib.embed_image(crop), 10))


def test_a_damaged_tile_index_is_rebuilt_and_off_forgets_tiles(tmp_path: Path, shapes_200) -> None:  # noqa: ANN001
    images, folder = _library(tmp_path, shapes_200, 3)
    with Library(folder, model="tiny-test") as lib:
        lib.set_detail_indexing(True)
        lib.index([images])
    index_file = folder / "tiles" / "vectors.hnsw"
    data = bytearray(index_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    index_file.write_bytes(bytes(data))
    with Library(folder, model="tiny-test") as lib:
        assert len(lib.tiles.index) == 3 * len(tile_regions())
        assert lib.tiles.repair_note and "checksum" in lib.tiles.repair_note
        lib.set_detail_indexing(False)
        assert lib.tiles.stats() == {"enabled": False, "tiles": 0, "images": 0}
        assert all(r.region is None for r in lib.search_text("a red circle", 3))
