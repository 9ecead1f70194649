"""The window shows the new formats: thumbnails in the grid and the full image in the detail view (issue 22.5)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from tests.fixtures import formats as fx
from tests.fixtures.shapes import ShapeSpec, render
from tests.gui.conftest import copy_shapes, drop, file_mime, search, wait_indexed

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


def test_the_example_chip_shows_files_qt_cannot_read(qtbot, window, tmp_path, shapes_200) -> None:  # noqa: ANN001
    """A HEIC, RAW, PSD or PSB dropped as the example: Qt has no reader, so the core decodes the chip's picture."""
    window.import_folders([str(copy_shapes(shapes_200, tmp_path / "library images", 0, 12))])
    wait_indexed(qtbot, window, 12)
    folder = tmp_path / "examples"
    folder.mkdir()
    thumb = window.search_area.example_thumb
    for i, name in enumerate(("phone.heic", "camera.dng", "deep.psd", "poster.psb")):
        path = FILES[name][1](render(ShapeSpec("red", "circle", "plain", "white"), size=300, seed=i), folder / name)
        assert QPixmap(str(path)).isNull(), name  # what the chip showed before: nothing
        with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
            assert drop(window.search_area, file_mime(path))
        assert window.state.example is not None and window.state.example.path == str(path)
        assert window.search_area.example_chip.isVisible() and window.search_area.example_label.text() == name
        qtbot.waitUntil(lambda: thumb.pixmap() is not None and not thumb.pixmap().isNull(), timeout=20_000)
        image = thumb.pixmap().toImage()
        assert max(image.width(), image.height()) == 32, name
        centre = image.pixelColor(image.width() // 2, image.height() // 2)
        # red (a synthetic RAW develops a little pink: its Bayer data has no real camera's colour matrix)
        assert centre.red() > 180 and centre.red() - max(centre.green(), centre.blue()) > 120, (name, centre.name())
        window.search.clear_example()
        assert not window.search_area.example_chip.isVisible()


def test_an_undecodable_example_keeps_a_blank_chip_and_says_why(qtbot, window, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from artseek.ui import errors

    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "show_error", lambda _parent, title, text, *a: boxes.append((title, text)))
    bad = tmp_path / "broken.heic"
    bad.write_bytes(b"\0\0\0\x18ftypheic" + b"\0" * 40)
    answers: list[tuple[str, object]] = []
    window.service.previews.ready.connect(lambda path, image: answers.append((path, image)))
    with qtbot.waitSignal(window.service.searchFailed, timeout=30_000):
        drop(window.search_area, file_mime(bad))
    qtbot.waitUntil(lambda: bool(answers), timeout=20_000)
    assert answers == [(str(bad), None)]
    thumb = window.search_area.example_thumb
    assert window.search_area.example_chip.isVisible() and (thumb.pixmap() is None or thumb.pixmap().isNull())
    # the search says why (the chip only stays blank)
    qtbot.waitUntil(lambda: bool(boxes) or "damaged" in window.statusBar().currentMessage(), timeout=10_000)
    assert "damaged or truncated" in (boxes[0][1] if boxes else window.statusBar().currentMessage())


def test_the_detail_view_gets_its_descriptions_when_the_side_panel_asks_after_it(qtbot, window, tmp_path,  # noqa: ANN001
                                                                                shapes_200) -> None:
    """Only the newest description request is answered: the side panel's request, made after the detail view's
    (as the selection settles), must not leave the detail view 'Looking for matching descriptions…'."""
    window.import_folders([str(copy_shapes(shapes_200, tmp_path / "images", 0, 12))])
    wait_indexed(qtbot, window, 12)
    search(qtbot, window, "a red star")
    window.results.show_current()  # the panel's request runs (row 0) ...
    window.open_details(window.model.index(2))  # ... the detail's waits (row 2) ...
    window.results.show_current()  # ... and a newer one for the panel replaces it
    detail = window.detail
    assert detail.image_id == window.model.result(2).image_id != window.inspector.image_id
    qtbot.waitUntil(lambda: not detail.captions.texts.item(0).text().startswith("Looking"), timeout=20_000)
    detail.close()
