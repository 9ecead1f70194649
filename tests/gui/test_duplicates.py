"""Library → Find Duplicates…: the review view finds the groups, marks one not duplicates (remembered),
sends one to a collection, exports CSV and changes the similar threshold, on the service's workers."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from artseek.storage import Collection, CollectionItem
from tests.duplicates.conftest import make_collection
from tests.gui.conftest import wait_indexed


def open_review(qtbot, window):  # noqa: ANN001, ANN201
    dups = window.service.duplicates
    with qtbot.waitSignal(dups.found, timeout=60_000):
        window.actions["find_duplicates"].trigger()
    dialog = window.duplicates.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_review_mark_collect_export(qtbot, make_window, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    window = make_window()
    assert window.actions["find_duplicates"].isEnabled()
    make_collection(tmp_path / "images", originals=6, transformed=2)
    window.import_folders([str(tmp_path / "images")])
    wait_indexed(qtbot, window, 6 + 2 * 4)
    dialog = open_review(qtbot, window)
    tiers = [g.tier for g in dialog.groups]
    assert tiers.count("identical") == 2 and tiers.count("near") == 2
    assert "14 images (14 checked now)" in dialog.summary.text()

    # the first group side by side: a card per image with its facts; thumbnails arrive from the loader
    dialog.list.setCurrentRow(tiers.index("near"))
    group = dialog.current_group()
    assert [c.member.image_id for c in dialog.cards] == group.image_ids and len(dialog.cards) == 4
    qtbot.waitUntil(lambda: all(c.thumb.pixmap() is not None and not c.thumb.pixmap().isNull()
                                for c in dialog.cards), timeout=10_000)
    texts = [lbl.text() for lbl in dialog.cards[0].findChildren(type(dialog.summary))]
    assert any("256 × 256 · PNG" in t for t in texts) and any(t.startswith("modified ") for t in texts)

    # Not Duplicates: the group leaves the list now, and is not found again
    with qtbot.waitSignal(window.service.duplicates.marked, timeout=20_000):
        dialog.not_duplicates.click()
    assert group.key not in [g.key for g in dialog.groups]
    with qtbot.waitSignal(window.service.duplicates.found, timeout=60_000):
        dialog.find_button.click()
    assert group.key not in [g.key for g in dialog.groups] and "1 marked not duplicates" in dialog.summary.text()

    # Add to Collection…: asks for the name, appends the images (created when new)
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Copies to weed", True))
    dialog.list.setCurrentRow(0)
    with qtbot.waitSignal(window.service.duplicates.collected, timeout=20_000):
        dialog.collect.click()
    lib = window.service.library
    with lib.db.session() as s:
        coll = s.scalar(select(Collection).where(Collection.name == "Copies to weed"))
        items = s.scalars(select(CollectionItem.image_id).where(CollectionItem.collection_id == coll.id)).all()
    assert items == dialog.groups[0].image_ids

    # Export CSV…: every group, one row per image
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "dups.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    with qtbot.waitSignal(window.service.duplicates.exported, timeout=20_000):
        dialog.export.click()
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(len(g.members) for g in dialog.report.groups)

    # the tier choice filters without a new search; the threshold runs one
    dialog.tier.setCurrentIndex(1)
    assert {g.tier for g in dialog.groups} == {"identical"}
    dialog.threshold.setValue(0.5)
    with qtbot.waitSignal(window.service.duplicates.found, timeout=60_000):
        dialog.find_button.click()
    assert dialog.report.thresholds.similar_threshold == 0.5
    dialog.reject()
    assert window.duplicates.dialog is None
