"""Catalogue texts from the window alone (issue #22, item 3): File → Import Descriptions… with a preview and a
CSV column mapping, a bad file refused with its line, Search in Descriptions with the matched sentence, and the
curator's own description."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from tests.gui.conftest import copy_shapes, search, wait_indexed

pytestmark = pytest.mark.gui

COUNT = 8


@pytest.fixture
def texts_window(qtbot, window, shapes_200, tmp_path: Path):  # noqa: ANN001, ANN201
    folder = copy_shapes(shapes_200, tmp_path / "images", 0, COUNT)
    window.import_folders([str(folder)])
    wait_indexed(qtbot, window, COUNT)
    return window


def _catalogue(path: Path, shapes_200, rows: int = COUNT) -> Path:  # noqa: ANN001
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Inventar", "Beschreibung", "Art", "Titel"])  # names that no guess recognises
        for p, spec in shapes_200[:rows]:
            w.writerow([p.name, f"Bought at an auction in Paris. {spec.short_caption.capitalize()}.", "visual",
                        f"Sheet {p.stem}"])
    return path


def _open_import(qtbot, window, path: Path):  # noqa: ANN001, ANN202
    window.actions["import_descriptions"].trigger()
    dialog = window.texts.import_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.set_file(str(path))
    qtbot.waitUntil(lambda: dialog.kind_of_file is not None or bool(dialog.error.text()), timeout=20_000)
    return dialog


def test_csv_imported_through_the_column_mapping(qtbot, texts_window, shapes_200, tmp_path: Path) -> None:  # noqa: ANN001
    window = texts_window
    dialog = _open_import(qtbot, window, _catalogue(tmp_path / "catalogue.csv", shapes_200))
    # The preview shows the first rows; the column mapping appears because nothing could be guessed.
    assert dialog.kind_of_file == "csv" and dialog.mapping_box.isVisible()
    assert dialog.table.columnCount() == 4 and dialog.table.rowCount() == COUNT
    assert dialog.table.item(0, 0).text() == shapes_200[0][0].name
    assert "choose the columns" in dialog.note.text()
    dialog.columns["text"].setCurrentText("Beschreibung")
    dialog.columns["file"].setCurrentText("Inventar")
    dialog.columns["kind"].setCurrentText("Art")
    dialog.columns["title"].setCurrentText("Titel")
    with qtbot.waitSignal(window.service.texts.imported, timeout=60_000) as done:
        dialog.import_button.click()
    report = done.args[1]
    assert (report.added, report.attached) == (COUNT, COUNT)
    assert not dialog.isVisible() and f"Imported {COUNT} descriptions" in window.statusBar().currentMessage()
    own = window.service.library.texts.describe(1, 2).own
    assert own[0]["kind"] == "visual" and own[0]["title"].startswith("Sheet ")


def test_a_bad_csv_is_refused_with_its_line_and_nothing_imported(qtbot, texts_window, shapes_200,  # noqa: ANN001
                                                                  tmp_path: Path) -> None:
    window = texts_window
    bad = tmp_path / "bad.csv"
    bad.write_text(f"image,text\n{shapes_200[0][0].name},a red star\n{shapes_200[1][0].name},\n", encoding="utf-8")
    dialog = _open_import(qtbot, window, bad)
    assert dialog.kind_of_file == "csv" and not dialog.mapping_box.isHidden()
    assert dialog.columns["text"].currentText() == "text"  # guessed from the header
    with qtbot.waitSignal(window.service.texts.failed, timeout=60_000):
        dialog.import_button.click()
    assert "line 3 has no text" in dialog.error.text() and "Nothing was imported" in dialog.error.text()
    assert dialog.isVisible() and dialog.import_button.isEnabled()
    assert window.service.library.texts.text_count()["texts"] == 0
    # A file that is not a texts file at all is refused at the preview.
    dialog.set_file(str(tmp_path / "notes.pdf"))
    qtbot.waitUntil(lambda: bool(dialog.error.text()) and "neither a CSV nor a JSON" in dialog.error.text(),
                    timeout=20_000)
    assert not dialog.import_button.isEnabled()


def test_search_in_descriptions_shows_the_matched_sentence_and_a_description_is_edited(  # noqa: ANN001
        qtbot, texts_window, shapes_200, tmp_path: Path) -> None:
    from artseek.ui.widgets.caption_view import MATCHED_STYLE
    from artseek.ui.widgets.rich_text_delegate import HtmlRole
    from artseek.ui.widgets.results_view import SentenceRole

    window = texts_window
    with qtbot.waitSignal(window.service.texts.imported, timeout=60_000):
        window.service.texts.import_file(str(_catalogue(tmp_path / "catalogue.csv", shapes_200)),
                                         {"text": "Beschreibung", "file": "Inventar"})
    window.actions["search_descriptions"].trigger()
    assert window.actions["search_descriptions"].isChecked() and window.service.texts.in_descriptions
    target = shapes_200[2][1].short_caption
    search(qtbot, window, target)
    assert "in descriptions" in window.statusBar().currentMessage()
    sentences = [window.model.data(window.model.index(r), SentenceRole) for r in range(window.model.rowCount())]
    assert all(s is not None for s in sentences)  # every image has a description here
    top = window.model.result(0)
    assert top.sentence in (f"{target.capitalize()}.", f"Bought at an auction in Paris. {target.capitalize()}.")
    window.view.grab()  # the sentence is painted under the thumbnail
    # The Descriptions panel shows the image's text with the matched sentence emphasised.
    window.view.setCurrentIndex(window.model.index(0))
    captions = window.inspector.captions
    qtbot.waitUntil(lambda: captions.texts.count() and not captions.texts.item(0).text().startswith("Looking"),
                    timeout=20_000)
    html = captions.texts.item(0).data(HtmlRole)
    assert MATCHED_STYLE in html and "matched your search" in html

    # Image → Edit Description…: the curator's text, saved, shown first and found by a search in descriptions.
    window.actions["edit_description"].trigger()
    editor = window.texts.editor
    qtbot.waitUntil(lambda: editor.text.isEnabled(), timeout=20_000)
    assert editor.text.toPlainText() == ""
    editor.text.setPlainText("Gift of the Duchess. A golden unicorn.")
    with qtbot.waitSignal(window.service.texts.descriptionSaved, timeout=60_000):
        editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert window.service.library.texts.description(top.image_id) == "Gift of the Duchess. A golden unicorn."
    qtbot.waitUntil(lambda: captions.texts.count() and "Your description" in (captions.texts.item(0).data(HtmlRole)
                                                                              or ""), timeout=20_000)
    results = search(qtbot, window, "Gift of the Duchess. A golden unicorn.")
    assert any(r.image_id == top.image_id and r.sentence for r in results)
    # Unchecked: text searches look at the images only again.
    window.actions["search_descriptions"].trigger()
    results = search(qtbot, window, target)
    assert all(getattr(r, "sentence", None) is None for r in results)


def test_search_in_descriptions_honours_the_filters(qtbot, window, shapes_200, tmp_path: Path) -> None:  # noqa: ANN001
    """The filter chips restrict a search in descriptions as any other search: a folder filter that excludes the
    best match leaves only images of that folder, ranked by the same texts."""
    from artseek.search.filters import SearchFilter

    first = copy_shapes(shapes_200, tmp_path / "images" / "first", 0, COUNT // 2)
    second = copy_shapes(shapes_200, tmp_path / "images" / "second", COUNT // 2, COUNT)
    window.import_folders([str(tmp_path / "images")])
    wait_indexed(qtbot, window, COUNT)
    with qtbot.waitSignal(window.service.texts.imported, timeout=60_000):
        window.service.texts.import_file(str(_catalogue(tmp_path / "catalogue.csv", shapes_200)),
                                         {"text": "Beschreibung", "file": "Inventar"})
    window.actions["search_descriptions"].trigger()
    target = shapes_200[2]
    results = search(qtbot, window, target[1].short_caption)
    assert Path(results[0].path).name == target[0].name and Path(results[0].path).parent == first
    assert {Path(r.path).parent for r in results} == {first, second}

    window.filters.set_filters(SearchFilter.build(folders=[str(second)]))
    results = search(qtbot, window, target[1].short_caption)
    assert "in descriptions" in window.statusBar().currentMessage()
    assert results and all(Path(r.path).parent == second for r in results)
    assert len(results) == COUNT - COUNT // 2 and all(r.sentence for r in results)  # each with its sentence
    # The same filter without descriptions: the same images (ranked by their pictures alone).
    window.actions["search_descriptions"].trigger()
    plain = search(qtbot, window, target[1].short_caption)
    assert {r.image_id for r in plain} == {r.image_id for r in results}


def _catalogue_8bit(path: Path, shapes_200, rows: int = COUNT) -> tuple[Path, list[str]]:  # noqa: ANN001
    """A catalogue as a spreadsheet saves plain 'CSV' on Western European Windows: Windows-1252, accents."""
    texts = [f"Gravure à l'eau-forte, épreuve rehaussée — Œuvre n° {i}: {spec.short_caption}, Ägypten-Reise."
             for i, (_, spec) in enumerate(shapes_200[:rows])]
    with path.open("w", newline="", encoding="cp1252") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Inventar", "Beschreibung", "Art", "Titel"])
        for (p, _), text in zip(shapes_200[:rows], texts, strict=True):
            w.writerow([p.name, text, "visual", f"Blatt {p.stem} (Öl auf Leinwand)"])
    return path, texts


def test_an_8bit_catalogue_is_previewed_as_windows_1252_and_imported_with_its_accents(  # noqa: ANN001
        qtbot, texts_window, shapes_200, tmp_path: Path) -> None:

    window = texts_window
    path, texts = _catalogue_8bit(tmp_path / "katalog.csv", shapes_200)
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    dialog = _open_import(qtbot, window, path)
    assert dialog.error.text() == "" and dialog.kind_of_file == "csv"
    # The guess is shown: the encoding list says Windows-1252, the note asks to check the accents ...
    assert dialog.encoding_value() == "cp1252" and dialog.guessed
    assert "not UTF-8" in dialog.note.text() and "Windows-1252" in dialog.note.text()
    assert "--encoding" not in dialog.note.text()
    # ... and the preview shows them decoded.
    assert dialog.table.horizontalHeaderItem(1).text() == "Beschreibung"
    assert dialog.table.item(0, 1).text() == texts[0] and dialog.table.item(0, 3).text().endswith("(Öl auf Leinwand)")
    dialog.columns["text"].setCurrentText("Beschreibung")
    dialog.columns["file"].setCurrentText("Inventar")
    dialog.columns["title"].setCurrentText("Titel")
    with qtbot.waitSignal(window.service.texts.imported, timeout=60_000) as done:
        dialog.import_button.click()
    assert (done.args[1].added, done.args[1].attached) == (COUNT, COUNT)
    own = window.service.library.texts.describe(1, 2).own  # image 1: the first row's file
    assert own[0]["text"] == texts[0] and own[0]["title"].endswith("(Öl auf Leinwand)")
    window.actions["search_descriptions"].trigger()
    results = search(qtbot, window, "Gravure à l'eau-forte, épreuve rehaussée")
    assert results and all(r.sentence for r in results) and any("Œuvre" in r.sentence or "à l'eau-forte" in
                                                              r.sentence for r in results)

    # The guess holds for its file only: the next file starts from Automatic again.
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text("file,text\nx.png,Bleistift über Kreide\n", encoding="utf-8")
    dialog.set_file(str(utf8))
    qtbot.waitUntil(lambda: dialog.kind_of_file is not None, timeout=20_000)
    assert dialog.encoding_value() is None and not dialog.guessed and dialog.table.item(0, 1).text() == \
        "Bleistift über Kreide"


def test_a_file_neither_utf8_nor_windows_1252_says_what_to_choose_in_the_dialog(  # noqa: ANN001
        qtbot, texts_window, tmp_path: Path) -> None:
    window = texts_window
    path = tmp_path / "mac.csv"
    path.write_bytes("file,text\nx.png,caf".encode() + b"\x8e\x81\n")  # 0x81: undefined in Windows-1252
    dialog = _open_import(qtbot, window, path)
    text = dialog.error.text()
    assert "is not UTF-8 text" in text and "Choose its encoding under Encoding above" in text
    assert "--encoding" not in text and dialog.kind_of_file is None and not dialog.import_button.isEnabled()
    dialog.encoding.setCurrentIndex(dialog.encoding.findData("mac-roman"))
    dialog.encoding.activated.emit(dialog.encoding.currentIndex())
    qtbot.waitUntil(lambda: dialog.kind_of_file is not None, timeout=20_000)
    assert dialog.error.text() == "" and dialog.table.item(0, 1).text() == "caf\u00e9\u00c5"  # 0x8e 0x81 in Mac Roman
