"""The window at small sizes, the detail view's navigation and image scaling (issue #19, items 1, 15, 16)."""

from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QLabel, QLayout, QWidget

from artseek.ingest.progress import IndexProgress
from artseek.ui.view_data import Captions
from tests.gui.conftest import copy_shapes, search, wait_indexed

LONG_NAME = "/collections/" + "a_very_long_folder_name/" * 6 + "scan_of_a_print_with_an_extremely_long_file_name_0413.tif"


def layout_widgets(layout: QLayout) -> list[QWidget]:
    """The visible widgets a layout (and its nested layouts) places."""
    found = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is not None and item.widget().isVisible():
            found.append(item.widget())
        elif item.layout() is not None:
            found.extend(layout_widgets(item.layout()))
    return found


def overlaps(root: QWidget) -> list[str]:
    """Pairs of sibling widgets laid out over each other, anywhere under ``root`` (empty: none)."""
    problems = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.layout() is None or not widget.isVisible():
            continue
        children = layout_widgets(widget.layout())
        for a, b in combinations(children, 2):
            if a.geometry().intersects(b.geometry()):
                problems.append(f"{a.objectName() or type(a).__name__} {a.geometry()} overlaps "
                                f"{b.objectName() or type(b).__name__} {b.geometry()}")
        for a in children:
            if a.height() < a.minimumSizeHint().height() and a.minimumHeight() == 0:
                problems.append(f"{a.objectName() or type(a).__name__} squashed to {a.height()} px")
    return problems


def shown_fully(label: QLabel, part_end: str) -> bool:
    """Whether ``label`` shows its text up to the end of ``part_end`` (e.g. "ETA 45 s")."""
    text = label.text()
    end = text.index(part_end) + len(part_end)
    return label.isVisible() and label.fontMetrics().horizontalAdvance(text[:end]) <= label.contentsRect().width()


def resize(qtbot, window, width: int, height: int) -> None:  # noqa: ANN001
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == max(width, window.minimumWidth())
                    and window.height() == max(height, window.minimumHeight()), timeout=5_000)
    qtbot.wait(50)


def test_window_is_usable_at_its_minimum_size(qtbot, window, shapes_200, tmp_path) -> None:  # noqa: ANN001
    folder = tmp_path / "twenty"
    copy_shapes(shapes_200, folder, 0, 20)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, 20)
    results = search(qtbot, window, "a red circle")
    window.view.setCurrentIndex(window.model.index(0))
    qtbot.waitUntil(lambda: window.inspector.image_id == results[0].image_id, timeout=5_000)
    qtbot.waitUntil(lambda: not window.inspector.captions.texts.item(0).text().startswith("Looking"), timeout=20_000)
    window.inspector.captions.show_captions(Captions(
        results[0].image_id, texts=[("A red circle on a white ground, printed in 1921.", 0.31, "", "caption")] * 3,
        keywords=[("folk art", 0.31), ("red circle", 0.30), ("geometric abstraction", 0.29)], available=True))
    minimum = window.minimumSize()
    assert minimum.width() <= 800 and minimum.height() <= 500

    # Item 1: no part of the side panel is drawn over another, at the minimum size and at 800x500.
    for size in (QSize(800, 500), minimum):
        resize(qtbot, window, size.width(), size.height())
        assert window.inspector.isVisible() and window.inspector.width() >= 200
        assert overlaps(window.inspector) == [], size
        assert window.inspector.findChild(QLabel, "preview").height() >= 90

    # Item 15: at the narrowest, the indexing line keeps its rate and time left (the file name gives way)
    # and the grid has no horizontal scroll bar.
    panel = window.index_panel
    panel.start("Importing " + "a_long_collection_name, " * 5)
    panel.update_progress(IndexProgress(done=120, total=6000, indexed=110, skipped=10, failed=3, rate=162.3,
                                        eta_s=45, current=LONG_NAME, phase="indexing"))
    qtbot.wait(50)
    labels = [w for w in panel.findChildren(QLabel) if "files/s" in w.text()]
    assert labels and shown_fully(labels[0], "ETA 45 s"), [w.text() for w in labels]
    assert not window.view.horizontalScrollBar().isVisible()
    assert overlaps(panel) == []
    panel.finish("Finished", 0)

    # Item 16: keywords do not wrap inside a phrase.
    html = window.inspector.captions.keywords.text()
    assert "folk&nbsp;art" in html and "geometric&nbsp;abstraction" in html


def test_detail_view_navigation_ends_and_small_images(qtbot, window, shapes_200, tmp_path) -> None:  # noqa: ANN001
    folder = tmp_path / "three"
    copy_shapes(shapes_200, folder, 0, 3)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, 3)
    search(qtbot, window, "a shape")
    window.open_details(window.model.index(0))
    detail = window.detail
    assert not detail.prev_button.isEnabled() and detail.next_button.isEnabled()
    detail.next_button.click()
    assert detail.prev_button.isEnabled() and detail.next_button.isEnabled()
    detail.next_button.click()
    assert detail.prev_button.isEnabled() and not detail.next_button.isEnabled()
    detail.prev_button.click()
    assert detail.prev_button.isEnabled() and detail.next_button.isEnabled()

    # A small image is scaled smoothly and at most twice its size, in the detail view and in the side panel.
    small = QPixmap(40, 30)
    small.fill(QColor("red"))
    detail.resize(1100, 720)
    detail.show_result(window.model.result(1), small, 0)
    shown = detail.image.pixmap()
    assert (shown.width(), shown.height()) == (80, 60)
    window.inspector.set_pixmap(small)
    shown = window.inspector.findChild(QLabel, "preview").pixmap()
    assert (shown.width(), shown.height()) == (80, 60)
    detail.close()


def test_fit_pixmap_limits_enlargement_and_keeps_aspect() -> None:
    from artseek.ui.widgets.pixmaps import fit_pixmap

    big = QPixmap(1000, 500)
    big.fill(QColor("blue"))
    assert fit_pixmap(big, QSize(400, 400)).size() == QSize(400, 200)
    small = QPixmap(50, 100)
    small.fill(QColor("blue"))
    assert fit_pixmap(small, QSize(400, 400)).size() == QSize(100, 200)
    assert fit_pixmap(small, QSize(400, 400), max_enlarge=1.0).size() == QSize(50, 100)
    assert Qt.TransformationMode.SmoothTransformation  # scaling is smooth (see pixmaps.fit_pixmap)
