"""Incremental indexing: changed, deleted and moved files; pause/resume/cancel; progress events."""

import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np

from artseek.ingest.progress import JobControl
from artseek.library import Library
from artseek.storage import Image, ImageStatus
from tests.fixtures.shapes import ShapeSpec, generate_folder, render


def _copy(src_items, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for path, _ in src_items:
        shutil.copy2(path, dest / path.name)
    return dest


def _rows(lib: Library) -> dict[str, tuple[int, str]]:
    with lib.db.session() as s:
        return {r.path: (r.id, r.status) for r in s.query(Image)}


def test_changed_deleted_and_moved_files(tmp_path, shapes_200) -> None:
    folder = _copy(shapes_200[:40], tmp_path / "imgs")
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        assert lib.index([folder]).indexed == 40
        before = _rows(lib)
        old_vector = lib.stored_vector(before[str(folder / shapes_200[0][0].name)][0]).copy()

        # Changed: overwrite a red circle with a blue star (new mtime and size).
        changed = folder / shapes_200[0][0].name
        render(ShapeSpec("blue", "star", "plain", "yellow"), size=96, seed=5).save(changed)
        os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
        # Deleted.
        deleted = folder / shapes_200[1][0].name
        deleted.unlink()
        # Moved (renamed into a subfolder): same content.
        moved_from = folder / shapes_200[2][0].name
        (folder / "sub").mkdir()
        moved_to = folder / "sub" / "renamed.png"
        shutil.move(moved_from, moved_to)

        report = lib.index([folder])
        assert (report.indexed, report.missing, report.moved, report.skipped) == (2, 2, 1, 37)
        after = _rows(lib)
        assert after[str(changed)][0] == before[str(changed)][0]  # same record, re-embedded
        assert after[str(deleted)][1] == ImageStatus.MISSING
        assert after[str(moved_to)] == (before[str(moved_from)][0], ImageStatus.INDEXED)  # record kept
        assert str(moved_from) not in after or after[str(moved_from)][1] == ImageStatus.MISSING
        assert not np.allclose(lib.stored_vector(after[str(changed)][0]), old_vector)
        blue_stars = [r.path for r in lib.search_text("a blue star", top_k=3)]
        assert str(changed) in blue_stars
        # Deleted files never come back in results; the index agrees with the database.
        ids = {r.image_id for r in lib.search_text("a red square", top_k=100)}
        assert before[str(deleted)][0] not in ids
        assert len(lib.vectors) == lib.status().indexed == 39


def test_pause_resume_cancel_and_progress(tmp_path, shapes_200) -> None:
    folder = shapes_200[0][0].parent
    events = []
    control = JobControl()
    paused_seen = threading.Event()

    resumed = threading.Event()

    def listener(p):
        events.append((p.phase, p.done, p.total, p.rate, p.eta_s, p.current))
        if p.phase == "indexing" and p.done >= 64 and not paused_seen.is_set():
            control.pause()
            paused_seen.set()
        # Cancel a little after the resume, at a point of the run rather than after a sleep: a fast
        # machine indexes the tiny model's remaining images in well under the 0.2 s this once waited.
        if resumed.is_set() and p.phase == "indexing" and p.done >= 96 and not control.cancelled:
            control.cancel()

    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.encoder  # noqa: B018 - load the model before timing
        result = {}
        worker = threading.Thread(target=lambda: result.setdefault("r", lib.index([folder], listener=listener,
                                                                                  control=control)))
        worker.start()
        assert paused_seen.wait(60)
        done_at_pause = events[-1][1]
        time.sleep(0.5)
        assert events[-1][1] == done_at_pause and worker.is_alive()  # nothing moves while paused
        resumed.set()
        control.resume()
        worker.join(60)
        report = result["r"]
        assert report.cancelled and report.indexed < 200
        phases = [e[0] for e in events]
        assert phases[0] == "scanning" and "indexing" in phases and phases[-1] == "cancelled"
        assert any(e[3] > 0 and e[4] is not None and e[5] for e in events)
        # Resume: a new run finishes the rest, each image exactly once.
        report2 = lib.index([folder])
        assert report2.indexed + report.indexed == 200
        assert lib.status().indexed == 200 and len(lib.vectors) == 200


def test_index_grows_beyond_initial_capacity(tmp_path) -> None:
    from artseek.vectors.hnsw_index import INITIAL_CAPACITY

    folder = tmp_path / "many"
    generate_folder(folder, INITIAL_CAPACITY + 100, size=48)
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        report = lib.index([folder])
        assert report.indexed == INITIAL_CAPACITY + 100 and report.failed == 0
        assert len(lib.vectors) == INITIAL_CAPACITY + 100
    with Library(tmp_path / "lib") as lib:
        assert len(lib.vectors) == INITIAL_CAPACITY + 100
        vec = lib.stored_vector(5)
        assert np.isclose(np.linalg.norm(vec), 1.0, atol=1e-3)
