"""Launch the real ArtSeek window, index generated shapes with the tiny model, search, and save screenshots.

Runs under Xvfb (started here if no DISPLAY is set; install it with
``apt-get install -y xvfb`` plus the xcb libraries Qt needs), or with
``--offscreen`` on Qt's offscreen platform. Writes docs/screenshots/*.png:

    .venv/bin/python scripts/screenshots.py            # Xvfb, 1400x880 window
    .venv/bin/python scripts/screenshots.py --offscreen
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_BYTES = 300_000


def start_xvfb(width: int, height: int) -> subprocess.Popen | None:
    """Start Xvfb on a free display and point DISPLAY at it (None if a display is already there)."""
    if os.environ.get("DISPLAY"):
        return None
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is not installed: apt-get install -y xvfb (or use --offscreen).")
    for display in range(99, 120):
        if Path(f"/tmp/.X11-unix/X{display}").exists() or Path(f"/tmp/.X{display}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{display}").exists():
                os.environ["DISPLAY"] = f":{display}"
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
    sys.exit("Could not start Xvfb.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--offscreen", action="store_true", help="use Qt's offscreen platform instead of Xvfb")
    parser.add_argument("--count", type=int, default=320, help="generated images to index")
    parser.add_argument("--only-setup", action="store_true",
                        help="only the Model Setup and Preferences dialogs (no indexing: a few seconds)")
    parser.add_argument("--only-details", action="store_true",
                        help="only the reproduction and detail-query scenes (generated pages, about a minute)")
    parser.add_argument("--scene", action="append", default=None,
                        help="save only this screenshot (repeatable), e.g. --scene map.png; the flow runs as always")
    args = parser.parse_args()

    width, height = 1400, 880
    xvfb = None
    if args.offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    else:
        xvfb = start_xvfb(width + 200, height + 200)
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    work = Path(tempfile.mkdtemp(prefix="artseek-shots-"))
    os.environ["ARTSEEK_DATA_DIR"] = str(work / "user-data")
    try:
        return _run(args.out, args.count, work, width, height, args.only_setup, args.scene, args.only_details)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()


def _run(out: Path, count: int, work: Path, width: int, height: int, only_setup: bool = False,
         scenes: list[str] | None = None, only_details: bool = False) -> int:
    from PIL import Image
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from artseek.ui.app import create_app
    from artseek.ui.main_window import MainWindow
    from artseek.ui.query_state import NOT_RELEVANT, RELEVANT, Example
    from artseek.ui.service import LibraryService
    from tests.fixtures.shapes import generate_folder

    collection = work / "Collection" / "Shapes"
    generate_folder(collection, count, seed=2024, size=256)
    formats_example = _write_formats(collection / "Formats", work)
    (collection / "scan_0413_damaged.tif").write_bytes(b"II*\x00 truncated scan")
    weights = ROOT / "tests" / "fixtures" / "tiny_model" / "artseek-tiny.safetensors"

    app = create_app(["artseek"])
    font = app.font()
    font.setPointSizeF(10)
    app.setFont(font)
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    service = LibraryService(model="tiny-test", weights=str(weights))
    window = MainWindow(service, settings)
    window.resize(width, height)
    window.show()
    out.mkdir(parents=True, exist_ok=True)

    def pump(ms: int = 50) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait(cond: Callable[[], bool], timeout: float = float(os.environ.get("SHOTS_TIMEOUT", 120)),
             what: str = "") -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError(f"timed out waiting for {what}")
            pump(30)

    def compress(path: Path) -> None:
        if path.stat().st_size > MAX_BYTES:  # quantise (screenshots have few colours) to stay small
            image = Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            buf = io.BytesIO()
            image.save(buf, "PNG", optimize=True)
            path.write_bytes(buf.getvalue())

    def shoot(widget, name: str, area=None) -> None:  # noqa: ANN001 - area: a screen QRect (popups included)
        if scenes and name not in scenes:
            return
        pump(400)  # let thumbnails arrive and repaint
        if area is not None:
            pixmap = app.primaryScreen().grabWindow(0, area.x(), area.y(), area.width(), area.height())
        else:
            pixmap = widget.grab()
        path = out / name
        pixmap.save(str(path), "PNG")
        compress(path)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")

    window.open_library(str(work / "Library"), strict_model=True)
    wait(lambda: service.is_open, what="the library")
    wait(lambda: service.model_state == "ready", what="the model")
    if only_details:
        window.close()
        _details(work, shoot, wait)
        return 0
    if only_setup:
        _setup_dialogs(window, shoot)
        window.close()
        _demo(work, shoot, wait)
        return 0
    shoot(window, "empty-library.png")

    # Import (as File -> Import Folder does) and catch the indexing panel mid-way.
    window.import_folders([str(collection)])
    wait(lambda: service.last_progress is not None and service.last_progress.done >= count // 3,
         what="indexing progress")
    window.index_panel.pause.click()
    pump(300)
    window.search_area.field.setText("a yellow star")
    window.run_search()
    wait(lambda: window.model.rowCount() > 0, what="a search during indexing")
    shoot(window, "indexing.png")
    window.index_panel.pause.click()
    wait(lambda: not service.indexing, what="indexing to finish")

    # A text search with the inspector on the second result.
    window.search_area.field.setText("a red circle")
    window.run_search()
    wait(lambda: not service.searching and window.model.rowCount() > 0 and "red" in window.model.result(0).path,
         what="the text search")
    window.view.setCurrentIndex(window.model.index(1))
    wait(lambda: not window.inspector.captions.texts.item(0).text().startswith("Looking"), what="captions")
    shoot(window, "search.png")

    # Relevance feedback: red squares +, a red circle -, then Refine.
    results = window.model.results()
    squares = [r.image_id for r in results if "red_square" in r.path][:2]
    circles = [r.image_id for r in results if "red_circle" in r.path][:1]
    window.mark(squares, RELEVANT)
    window.mark(circles, NOT_RELEVANT)
    token = service.search_token
    window.refine()
    wait(lambda: service.search_token > token and not service.searching, what="the refined search")
    window.view.setCurrentIndex(window.model.index(0))
    shoot(window, "feedback.png")

    # View -> Map: the collection map beside the grid, the refined results ringed with their rank (issue 18).
    built: list = []
    service.map.built.connect(built.append)
    window.actions["show_map"].trigger()
    wait(lambda: bool(built) and len(window.map.view.item.ids) > 0, timeout=1200, what="the map")
    window.toggle_inspector()
    window.splitter.setSizes([560, window.splitter.width() - 560, 0])
    pump(600)
    window.map.view.fit_all()
    shoot(window, "map.png")
    view, first = window.map.view, window.model.result(0).image_id
    for _ in range(12):  # zoom in on the first result until thumbnails show
        view.zoom_by(1.25)
        view.centerOn(view.item.scene_pos(first))
        view.viewport().repaint()
        pump(50)
        if view.item.last_mode == "thumbnails":
            break
    view.zoom_by(1.5)
    view.centerOn(view.item.scene_pos(first))
    shoot(window.map.panel, "map-zoomed.png")
    window.actions["show_map"].trigger()
    window.toggle_inspector()
    window.clear_marks()

    # Query by example: an image dropped on the search area.
    example = sorted(collection.glob("*_blue_triangle.png"))[3]
    window.search_area.field.clear()
    token = service.search_token
    window.set_example(Example.from_file(example))
    wait(lambda: service.search_token > token and not service.searching, what="the example search")
    shoot(window, "query-by-example.png")

    # The detail view.
    window.open_details(window.model.index(2))
    detail = window.detail
    detail.resize(1100, 680)
    wait(lambda: detail.fields["format"].text() not in ("…", ""), what="details")
    wait(lambda: not detail.captions.texts.item(0).text().startswith("Looking"), what="detail captions")
    shoot(detail, "detail.png")
    detail.close()

    # Every common format: an example search finds the HEIC, RAW, PSB and AVIF copies; the detail view of the HEIC.
    window.search_area.field.clear()
    token = service.search_token
    window.set_example(Example.from_file(formats_example))
    wait(lambda: service.search_token > token and not service.searching, what="the formats search")
    row = next(i for i, r in enumerate(window.model.results()) if r.path.endswith(".heic"))
    window.view.setCurrentIndex(window.model.index(row))
    wait(lambda: not window.inspector.captions.texts.item(0).text().startswith("Looking"), what="captions")
    shoot(window, "formats.png")
    window.open_details(window.model.index(row))
    detail = window.detail
    detail.resize(1100, 680)
    wait(lambda: detail.fields["format"].text() == "HEIF", what="the HEIC details")
    wait(lambda: not detail.captions.texts.item(0).text().startswith("Looking"), what="detail captions")
    shoot(detail, "formats-detail.png")
    detail.close()
    # A HEIC dropped as the example: Qt cannot read it, the chip shows the core's decoding of it.
    heic = collection / "Formats" / "IMG_2041.heic"
    token = service.search_token
    window.set_example(Example.from_file(heic))
    wait(lambda: service.search_token > token and not service.searching, what="the HEIC example search")
    thumb = window.search_area.example_thumb
    wait(lambda: thumb.pixmap() is not None and not thumb.pixmap().isNull(), what="the HEIC example chip")
    shoot(window.search_area, "example-chip-heic.png")
    # Filters (issue 14): chips under the search field, and the filter dialog that adds them.
    from artseek.search.filters import SearchFilter

    lib = service.library
    for image_id in sorted(lib.vectors.ids)[::3]:
        lib.texts.set_tag(image_id, "medium", "print")
    window.state.set_example(None)
    window.search_area.field.setText("a red circle")
    token = service.search_token
    window.filters.set_filters(SearchFilter.build(folders=[str(collection)], formats=["png"], taken_after="2020",
                                                  tags=["medium=print"]))
    wait(lambda: service.search_token > token and not service.searching, what="the filtered search")
    window.view.setCurrentIndex(window.model.index(0))
    shoot(window, "filter-chips.png")
    window.actions["add_filter"].trigger()
    wait(lambda: window.filters.dialog is not None, what="the filter dialog")
    shoot(window.filters.dialog, "filter-dialog.png")
    window.filters.dialog.reject()
    window.filters.clear()
    wait(lambda: not service.searching, what="the unfiltered search")

    # Library -> Backups...: a manual backup next to the automatic one, and a check's report.
    service.care.backup_now()
    wait(lambda: not service.busy, what="the backup")
    window.backups.show_dialog()
    dialog = window.backups.dialog
    wait(lambda: dialog.table.rowCount() > 0 and dialog.check_button.isEnabled(), what="the backups")
    dialog.check_button.click()
    wait(lambda: bool(dialog.report.toPlainText()), what="the library check")
    shoot(dialog, "backups.png")
    dialog.close()

    # Collections: one opened as the result view, with its note and an item's note; a page of its contact sheet.
    from artseek.ui.contact_sheet import ContactSheet, render_page_image

    window.search_area.field.setText("a blue star")
    window.state.set_example(None)
    token = service.search_token
    window.run_search()
    wait(lambda: service.search_token > token and not service.searching, what="the search for the collection")
    picked = window.model.results()[:9]
    catalogue = work / "catalogue.csv"
    catalogue.write_text("image,text\n" + "".join(
        f"{Path(r.path).name},\"A {' '.join(Path(r.path).stem.split('_')[1:])} printed on a patterned ground; "
        f"proof impression from the 1890s portfolio, plate {n + 12}.\"\n" for n, r in enumerate(picked)))
    service.library.texts.import_file(catalogue)
    name = "Loan request: Stars of Print"
    window.collections.new_collection(name, [r.image_id for r in picked])
    wait(lambda: bool(window.collections.infos) and window.collections.infos[0].items == 9, what="the collection")
    cid = window.collections.infos[0].id
    items = service.library.collections.items(cid)
    service.collections.set_note(cid, "For the Rijksmuseum exhibition 'Stars of Print', due 1 March. "
                                      "Check the frames before packing.")
    service.collections.set_item_note(cid, items[1].id, "Needs a new scan at 600 dpi")
    service.collections.set_item_note(cid, items[4].id, "Fragile: lend behind glass only")
    wait(lambda: not service.busy, what="the notes")
    window.search_area.field.clear()
    window.state.set_text("")
    window.collections.open(cid)
    wait(lambda: window.collections.opened is not None and window.model.rowCount() == 9, what="the open collection")
    window.collections_panel.items.setCurrentRow(1)
    shoot(window, "collection.png")
    lib = service.library
    sheet = ContactSheet(name, lib.collections.sheet_entries(lib.collections.entries(cid)), "a4")
    render_page_image(sheet, 0, 1000).save(str(out / "contact-sheet.png"), "PNG")
    compress(out / "contact-sheet.png")
    print(f"contact-sheet.png: {(out / 'contact-sheet.png').stat().st_size // 1024} KB")
    window.collections.close()
    window.collections_dock.hide()
    # Library -> Find Duplicates...: a scan's copy, re-encode, greyscale copy and crop, one group under review.
    scans = work / "Collection" / "Scans"
    scans.mkdir()
    original = Image.open(sorted(collection.glob("*_orange_star.png"))[1]).convert("RGB")
    original.save(scans / "print_0412.png")
    shutil.copy(scans / "print_0412.png", scans / "print_0412 (copy).png")
    original.save(scans / "print_0412_web.jpg", quality=60)
    original.convert("L").save(scans / "print_0412_bw.png")
    original.crop((13, 13, 243, 243)).resize((460, 460)).save(scans / "print_0412_detail_rescan.png")
    window.import_folders([str(scans)])
    wait(lambda: not service.indexing and service.status.indexed >= count + 5, what="the scans")
    window.duplicates.show_dialog()
    dups = window.duplicates.dialog
    wait(lambda: dups.report is not None, what="the duplicate groups")
    dups.list.setCurrentRow(next(i for i, g in enumerate(dups.groups)
                                 if g.tier == "near" and any("print_0412" in m.path for m in g.members)))
    dups.resize(1180, 600)
    wait(lambda: all(c.thumb.pixmap() is not None and not c.thumb.pixmap().isNull() for c in dups.cards),
         what="the group's thumbnails")
    shoot(dups, "duplicates.png")
    dups.close()

    # The window at its minimum size: the side panel's preview shrinks and the panel scrolls.
    window.view.setCurrentIndex(window.model.index(0))
    window.resize(window.minimumSize())
    wait(lambda: window.size() == window.minimumSize(), what="the minimum size")
    wait(lambda: not window.inspector.captions.texts.item(0).text().startswith("Looking"), what="captions")
    shoot(window, "minimum-size.png")
    _setup_dialogs(window, shoot)

    _texts_and_tags(window, service, collection, work, wait, shoot)

    window.close()
    _demo(work, shoot, wait)
    _details(work, shoot, wait)
    QApplication.processEvents()
    return 0


def _setup_dialogs(window, shoot: Callable) -> None:  # noqa: ANN001
    """Model Setup as a curator without the default model's weights sees it, and Preferences."""
    from artseek.config import DEFAULT_MODEL
    from artseek.embedding.registry import get_spec, locate_weights
    from artseek.errors import ModelNotFoundError

    window.resize(1400, 880)
    spec = get_spec(DEFAULT_MODEL)
    try:
        locate_weights(spec)
        missing = ModelNotFoundError(f"The weights for model '{DEFAULT_MODEL}' were not found (expected a file "
                                     f"named '{spec.weights_filename}').")
    except ModelNotFoundError as exc:
        missing = exc
    window.service.model = DEFAULT_MODEL  # what the dialog offers to download: the library's (here: the default) model
    window.models.dialog = None
    window.models.wanted_model = lambda: DEFAULT_MODEL
    window.models.offer_setup(missing)
    shoot(window.models.dialog, "model-setup.png")
    # The state the dialog is in while a chosen file's ONNX export runs (the service's own signals drive it):
    # progress, and Cancel, which stops the export between its steps.
    models, dialog = window.service.models, window.models.dialog
    dialog.set_busy(True)
    models.cancellable.emit(True)
    models.progress.emit("Preparing the fast CPU model: exporting the image and text towers…", 2,
                         models.EXPORT_STEPS + 1)
    dialog.adjustSize()  # room for the progress row (as the window manager gives it on screen)
    shoot(dialog, "model-setup-export.png")
    dialog.set_busy(False)
    models.cancellable.emit(False)
    window.models.dialog.reject()
    dialog = window.preferences.show_dialog()
    shoot(dialog, "preferences.png")
    dialog.backend.showPopup()  # where the model runs: OpenVINO, ONNX Runtime, PyTorch (greyed out if not installed)
    popup = dialog.backend.view().window()
    shoot(dialog, "preferences-backends.png", area=dialog.frameGeometry().united(popup.frameGeometry()))
    dialog.backend.hidePopup()
    dialog.reject()


def _demo(work: Path, shoot: Callable, wait: Callable) -> None:
    """The demo window (make demo / Try the Demo): labelled Demo, its sample pictures imported, a search."""
    from PySide6.QtCore import QSettings

    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    service = LibraryService()
    demo = service.models.create_demo()
    window = MainWindow(service, QSettings(str(work / "demo.ini"), QSettings.Format.IniFormat))
    window.resize(1400, 880)
    window.show()
    window.models.start_demo(demo)
    wait(lambda: service.is_open and service.status is not None and service.status.indexed > 0
         and not service.indexing, what="the demo's import")
    window.search_area.field.setText("a red star")
    window.run_search()
    wait(lambda: not service.searching and window.model.rowCount() > 0, what="the demo search")
    window.view.setCurrentIndex(window.model.index(0))
    shoot(window, "demo.png")
    window.close()
    shutil.rmtree(demo.folder, ignore_errors=True)


def _texts_and_tags(window, service, collection: Path, work: Path, wait, shoot) -> None:  # noqa: ANN001
    """File → Import Descriptions… (preview and column mapping), a search in descriptions, the categories
    dialog after classifying, and the tags in the detail view with the grid's tag badges (issue #22)."""
    import csv

    from artseek.ui.service_texts import category

    window.resize(1400, 880)
    catalogue = work / "catalogue.csv"
    with catalogue.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Inventory no.", "Catalogue entry", "Type", "Title"])
        for i, p in enumerate(sorted(collection.glob("*.png"))):
            words = " ".join(p.stem.split("_")[1:])
            w.writerow([p.name, f"Acquired from a private collection in Paris in {1890 + i % 60}. "
                                f"A {words} on laid paper. Pencil annotations on the verso.", "visual",
                        f"Study {i + 1}"])
    window.actions["import_descriptions"].trigger()
    dialog = window.texts.import_dialog
    dialog.resize(900, 620)
    # A plain 'CSV' from a spreadsheet on Western European Windows (Windows-1252): shown decoded, to check.
    windows_csv = work / "Katalog (Excel).csv"
    with windows_csv.open("w", newline="", encoding="cp1252") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Inventar", "Beschreibung", "Technik", "Titel"])
        for i, p in enumerate(sorted(collection.glob("*.png"))[:8]):
            w.writerow([p.name, f"Épreuve rehaussée à l'aquarelle, {1890 + i} — Geschenk der Familie Müller.",
                        "Radierung" if i % 2 else "Lithographie", f"Étude n° {i + 1}"])
    dialog.set_file(str(windows_csv))
    wait(lambda: dialog.kind_of_file == "csv", what="the Windows-1252 preview")
    for role, column in (("file", "Inventar"), ("text", "Beschreibung"), ("title", "Titel")):
        dialog.columns[role].setCurrentText(column)
    shoot(dialog, "import-descriptions-cp1252.png")
    dialog.set_file(str(catalogue))
    wait(lambda: dialog.kind_of_file == "csv", what="the preview")
    for role, column in (("file", "Inventory no."), ("text", "Catalogue entry"), ("kind", "Type"),
                         ("title", "Title")):
        dialog.columns[role].setCurrentText(column)
    shoot(dialog, "import-descriptions.png")
    dialog.import_button.click()
    wait(lambda: not dialog.isVisible(), what="the import")

    window.state.set_example(None)  # a text alone: searched in the descriptions
    window.clear_marks()
    window.actions["search_descriptions"].trigger()
    window.search_area.field.setText("a green star")
    token = service.search_token
    window.run_search()
    wait(lambda: service.search_token > token and not service.searching, what="the search in descriptions")
    window.view.setCurrentIndex(window.model.index(0))
    wait(lambda: window.inspector.captions.texts.count() > 0
         and not window.inspector.captions.texts.item(0).text().startswith("Looking"), what="captions")
    shoot(window, "descriptions-search.png")
    window.actions["search_descriptions"].trigger()

    window.actions["categories"].trigger()
    cats = window.texts.categories_dialog
    service.texts.save_category(category("technique", ["photograph", "engraving", "drawing", "painting", "map"]))
    service.texts.save_category(category("shape", ["circle", "square", "triangle", "star"]))
    wait(lambda: cats.list.count() == 2, what="the categories")
    cats.list.setCurrentRow(1)
    window.texts.classify(incremental=True)
    wait(lambda: window.texts.classify_dialog is None and not service.busy, what="the classification")
    shoot(cats, "categories.png")
    cats.close()

    window.actions["tag_badges"].trigger()
    window.search_area.field.setText("a red circle")
    token = service.search_token
    window.run_search()
    wait(lambda: service.search_token > token and not service.searching, what="the search")
    wait(lambda: bool(window.texts.grid_tags), what="the tag badges")
    window.open_details(window.model.index(0))
    detail = window.detail
    detail.resize(1100, 720)
    wait(lambda: detail.tags.image_id == detail.image_id and "shape" in detail.tags.rows, what="the tags")
    combo = detail.tags.rows["technique"][0]
    combo.setCurrentText("engraving")
    combo.activated.emit(combo.currentIndex())  # the curator corrects the model
    wait(lambda: detail.tags.rows.get("technique") and detail.tags.rows["technique"][1].text() == "curator",
         what="the corrected tag")
    shoot(detail, "detail-tags.png")
    detail.close()
    shoot(window, "tag-badges.png")


def _write_formats(folder: Path, work: Path) -> Path:
    """A HEIC, a camera RAW (DNG), a 16-bit PSB and an AVIF of one motif; returns a PNG of it to search with."""
    from tests.fixtures import formats as fx
    from tests.fixtures.shapes import ShapeSpec, render

    folder.mkdir(parents=True)
    motif = ShapeSpec("green", "star", "dotted", "yellow")
    fx.write_heic(render(motif, size=900, seed=1), folder / "IMG_2041.heic")
    fx.write_dng(render(motif, size=600, seed=2), folder / "DSC_0193.dng")
    fx.write_psd(render(motif, size=700, seed=3), folder / "poster_layout.psb", psb=True)
    fx.write_avif(render(motif, size=800, seed=4), folder / "web_export.avif")
    example = work / "green_star.png"
    render(motif, size=600, seed=1).save(example)
    return example


def _details(work: Path, shoot: Callable, wait: Callable) -> None:
    """Issue 21: a reproduction found inside a page (outlined), and a detail query (a dragged rectangle)."""
    from PySide6.QtCore import QSettings

    from artseek.evaluation.pages import write_pairs
    from artseek.ui.main_window import MainWindow
    from artseek.ui.service import LibraryService

    truth = write_pairs(work / "Press", 4, seed=11, distractors=2)
    weights = ROOT / "tests" / "fixtures" / "tiny_model" / "artseek-tiny.safetensors"
    service = LibraryService(model="tiny-test", weights=str(weights))
    window = MainWindow(service, QSettings(str(work / "details.ini"), QSettings.Format.IniFormat))
    window.resize(1400, 880)
    window.show()
    window.open_library(str(work / "PressLibrary"), strict_model=True)
    wait(lambda: service.is_open, what="the press library")
    service.library.set_detail_indexing(True)
    window.import_folders([str(work / "Press" / "pages"), str(work / "Press" / "photos")])
    wait(lambda: not service.indexing and service.status is not None and service.status.indexed == 10,
         what="the press import")
    # Library -> Reproduction Indexing On/Off: the visual words made in the background; the status bar says so.
    words: list = []
    service.details.wordsSet.connect(lambda *a: words.append(a))
    window.actions["reproduction_indexing"].trigger()
    wait(lambda: bool(words), timeout=120, what="the visual words")
    shoot(window, "reproduction-indexing.png")
    # Image -> Find Reproductions on a photograph: the page that prints it, its outline in the detail view.
    window.search_area.field.setText("a photograph")
    window.run_search()
    wait(lambda: not service.searching and window.model.rowCount() > 0, what="the search")
    photo = truth["pairs"][1]["photo"]
    row = next(i for i, r in enumerate(window.model.results()) if r.path == photo)
    window.view.setCurrentIndex(window.model.index(row))
    found: list = []
    service.details.reproductionsFound.connect(lambda *a: found.append(a))
    window.actions["find_reproductions"].trigger()
    wait(lambda: bool(found), timeout=120, what="the reproductions")
    window.open_details(window.model.index(0))
    detail = window.detail
    detail.resize(1100, 760)
    wait(lambda: detail.fields["format"].text() not in ("…", ""), what="details")
    shoot(detail, "reproduction.png")
    detail.close()
    # A detail query: a rectangle dragged over a page's photograph searches with that region.
    page = truth["pairs"][2]
    window.search_area.field.clear()
    window.search.search_like(window.service.library.image_id_for_path(page["page"]), page["page"])
    wait(lambda: not service.searching and window.model.rowCount() > 0, what="more like the page")
    window.open_details(window.model.index(0))
    wait(lambda: detail.fields["format"].text() not in ("…", ""), what="details")
    xs, ys = [x for x, _ in page["quad"]], [y for _, y in page["quad"]]
    token = service.search_token
    detail.image.regionSelected.emit((min(xs), min(ys), max(xs), max(ys)))
    wait(lambda: service.search_token > token and not service.searching, what="the detail query")
    detail.close()
    window.view.setCurrentIndex(window.model.index(0))
    shoot(window, "detail-query.png")
    row = next((i for i, r in enumerate(window.model.results()) if r.region is not None), 0)
    window.open_details(window.model.index(row))  # the tile that matched, outlined
    wait(lambda: detail.fields["format"].text() not in ("…", ""), what="details")
    shoot(detail, "detail-query-region.png")
    detail.close()
    window.close()


if __name__ == "__main__":
    sys.exit(main())
