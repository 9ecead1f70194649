"""The window shows the new formats: thumbnails in the grid and the full image in the detail view (issue 22.5)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from tests.fixtures import formats as fx
from tests.fixtures.shapes import ShapeSpec, render
from tests.gui.conftest import search, wait_indexed

FILES = {"phone.heic": ("HEIF", fx.write_heic), "camera.dng": ("RAW", fx.write_dng),
         "poster.psb": ("PSB", lambda image, path: fx.write_psd(image, path, psb=True)),
         "deep.psd": ("PSD", fx.write_psd), "photo.avif": ("AVIF", fx.write_avif)}


def test_detail_view_and_thumbnails_show_every_new_format(qtbot, window, tmp_path) -> None:  # noqa: ANN001
    folder = tmp_path / "formats"
    folder.mkdir()
    for i, (name, (_, write)) in enumerate(FILES.items()):
        write(render(ShapeSpec("red", "circle", "plain", "white"), size=300, seed=i), folder / name)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, len(FILES))
    results = search(qtbot, window, "a red circle")
    assert len(results) == len(FILES)
    shown = {}
    window.service.detailsReady.connect(lambda d: shown.__setitem__(d.image_id, d))
    for row, result in enumerate(results):
        name = result.path.rsplit("/", 1)[-1]
        # its thumbnail (made when it was indexed) reaches the grid
        index = window.model.index(row)
        qtbot.waitUntil(lambda index=index: isinstance(index.data(Qt.ItemDataRole.DecorationRole), QPixmap)
                        and not index.data(Qt.ItemDataRole.DecorationRole).isNull(), timeout=10_000)
        window.open_details(window.model.index(row))
        detail = window.detail
        qtbot.waitUntil(lambda: result.image_id in shown, timeout=20_000)
        details = shown[result.image_id]
        assert details.error == "" and details.image is not None and not details.image.isNull(), name
        expected = 150 if name == "camera.dng" else 300  # a RAW without preview: its half-size development
        assert (details.image.width(), details.image.height()) == (expected, expected), name
        qtbot.waitUntil(lambda name=name: detail.fields["format"].text() == FILES[name][0], timeout=10_000)
    window.detail.close()
