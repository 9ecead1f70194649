"""Fault injection on the ingest side (issue 20): hostile names, folders, files, texts and signals.

Each test injects one fault the way it happens on a curator's machine and checks
that it ends in a readable message or an automatic repair, with nothing lost.
See docs/reliability.md, "Fault injection: files, names, folders, texts, signals".
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from artseek.captions import corpus
from artseek.captions.importers import TextImportError, read_file
from artseek.csv_safe import csv_safe
from artseek.errors import LibraryError
from artseek.library import Library
from artseek.storage import Image
from artseek.storage.migrations import SCHEMA_VERSION, missing_columns
from tests.conftest import ROOT, run_cli

NO_TRACEBACK = "Traceback"


def _copy(items, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path, _ in items:
        shutil.copy2(path, dest / path.name)
    return dest


# ------------------------------------------------------------------ 1. names
@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="only Linux file systems allow non-UTF-8 names")
def test_non_utf8_names_are_failed_records_and_the_run_goes_on(tmp_path, shapes_200) -> None:
    folder = _copy(shapes_200[:12], tmp_path / "imgs")
    bad_dir = os.path.join(os.fsencode(folder), b"s\xe9")
    os.mkdir(bad_dir)
    shutil.copy2(shapes_200[12][0], os.path.join(bad_dir, b"ok.png"))
    shutil.copy2(shapes_200[13][0], os.path.join(os.fsencode(folder), b"caf\xe9.png"))
    library = tmp_path / "lib"

    r = run_cli("index", str(folder), "--library", str(library), "--model", "tiny-test")
    assert r.returncode == 0 and NO_TRACEBACK not in r.stderr, r.stderr
    assert "Indexed 12" in r.stdout and "failed 2" in r.stdout
    r = run_cli("status", "--library", str(library))
    assert r.returncode == 0 and NO_TRACEBACK not in r.stderr
    assert f"{folder}/s\\xe9/ok.png: file name is not valid UTF-8" in r.stdout
    assert f"{folder}/caf\\xe9.png: file name is not valid UTF-8" in r.stdout
    with Library(library) as lib:
        # Every later rescan works too (the bad names stay failed, the healthy folder is unchanged).
        report = lib.rescan()
        assert (report.skipped, report.failed, report.indexed) == (12, 2, 0)
        st = lib.status()
        assert (st.indexed, st.failed) == (12, 2)
        assert all("rename it" in f["reason"] for f in st.failures)
        assert len(lib.search_text("a red circle", top_k=50)) == 12


def test_non_utf8_root_given_on_the_command_line_is_a_scan_problem(tmp_path) -> None:
    bad = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"r\xff"))
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        report = lib.index([bad])
        assert report.problems and "not valid UTF-8" in report.problems[0].reason
        assert lib.roots() == []


# --------------------------------------------------------- 7. offline folders
def test_offline_folder_keeps_its_images_and_only_changed_files_are_read_back(tmp_path, shapes_200) -> None:
    drive = _copy(shapes_200[:20], tmp_path / "drive")
    local = _copy(shapes_200[20:30], tmp_path / "local")
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        assert lib.index([drive, local]).indexed == 30
        red_before = [r.path for r in lib.search_text("a red circle", top_k=30)]

        away = tmp_path / "unplugged"
        drive.rename(away)  # the drive is unplugged (or the share unmounted)
        report = lib.rescan()
        assert report.missing == 0 and report.offline_images == 20
        assert [p.path for p in report.offline] == [str(drive)] and "offline" in report.offline[0].reason
        st = lib.status()
        assert st.indexed == 30 and st.missing == 0
        assert st.offline == [str(drive)]
        assert {f["path"]: (f["offline"], f["images"]) for f in st.folders} == {
            str(drive): (True, 20), str(local): (False, 10)}
        results = lib.search_text("a red circle", top_k=30)
        assert [r.path for r in results] == red_before  # still searchable, same ranking
        offline_hit = next(r for r in results if r.path.startswith(str(drive)))
        assert lib.thumbnail(offline_hit.image_id)  # with its thumbnail

        # An empty mount point in its place (the drive not mounted) is offline too, not "all deleted".
        drive.mkdir()
        report = lib.rescan()
        assert report.missing == 0 and [p.path for p in report.offline] == [str(drive)]
        assert "empty" in report.offline[0].reason
        drive.rmdir()

        away.rename(drive)  # back; one file changed while away
        changed = drive / shapes_200[0][0].name
        shutil.copy2(shapes_200[50][0], changed)
        report = lib.rescan()
        assert (report.indexed, report.skipped, report.missing, report.offline) == (1, 29, 0, [])
        assert lib.status().offline == []


def test_folder_renamed_for_good_keeps_its_records_texts_and_embeddings(tmp_path, shapes_200) -> None:
    old = _copy(shapes_200[:10], tmp_path / "Prints")
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([old])
        first = old / shapes_200[0][0].name
        image_id = lib.image_id_for_path(first)
        catalogue = tmp_path / "c.csv"
        catalogue.write_text(f"image,text\n{first.name},a note by the curator\n")
        lib.texts.import_file(catalogue)
        new = tmp_path / "Prints 1850-1900"
        old.rename(new)  # renamed: the old folder is offline, the new one is imported
        report = lib.index([new])
        assert (report.moved, report.indexed) == (10, 10) and [p.path for p in report.offline] == [str(old)]
        assert lib.image_id_for_path(new / first.name) == image_id  # same record: no model work, texts kept
        assert [t["text"] for t in corpus.texts_of_image(lib.db, image_id)] == ["a note by the curator"]
        assert {f["path"]: f["images"] for f in lib.status().folders} == {str(old): 0, str(new): 10}
        assert lib.status().indexed == 10 and len(lib.vectors) == 10


def test_offline_folder_through_the_cli(tmp_path, shapes_200) -> None:
    drive = _copy(shapes_200[:10], tmp_path / "drive")
    lib = str(tmp_path / "lib")
    assert run_cli("index", str(drive), "--library", lib, "--model", "tiny-test").returncode == 0
    drive.rename(tmp_path / "away")
    r = run_cli("rescan", "--library", lib)
    assert r.returncode == 0 and NO_TRACEBACK not in r.stderr
    assert "offline" in r.stdout and str(drive) in r.stdout
    r = run_cli("search", "a red circle", "--library", lib, "--top", "3")
    assert r.returncode == 0 and "No indexed images" not in r.stdout and str(drive) in r.stdout
    st = json.loads(run_cli("status", "--library", lib, "--json").stdout)
    assert st["folders"] == [{"path": str(drive), "offline": True, "images": 10}]


# ------------------------------------------------ 8. same size, same mtime
def _same_size_replacement(target: Path, other: Path) -> None:
    """Overwrite ``target`` with the image ``other``, padded to the same size, and give it the old mtime."""
    st = target.stat()
    data, new = target.read_bytes(), other.read_bytes()
    assert len(new) <= len(data)
    target.write_bytes(new + b"\0" * (len(data) - len(new)))  # bytes after PNG's IEND are ignored
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def _pair(shapes_200) -> tuple[Path, Path]:
    """Two images of different content, the second no larger than the first."""
    a, b = sorted((shapes_200[0][0], shapes_200[5][0]), key=lambda p: -p.stat().st_size)
    return a, b


def test_same_size_and_mtime_replacement_is_caught_by_ctime(tmp_path, shapes_200) -> None:
    big, small = _pair(shapes_200)
    folder = _copy([(big, None), *[(p, s) for p, s in shapes_200[10:20]]], tmp_path / "imgs")
    target = folder / big.name
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
        image_id = lib.image_id_for_path(target)
        old = lib.stored_vector(image_id).copy()
        _same_size_replacement(target, small)
        report = lib.rescan()
        assert (report.indexed, report.replaced, report.checked, report.skipped) == (1, 1, 1, 10)
        assert lib.image_id_for_path(target) == image_id  # same record, new embedding
        assert not (lib.stored_vector(image_id) == old).all()
        # A touch (new mtime, same content) is read and hashed, but costs no model work.
        os.utime(target, ns=(time.time_ns(), time.time_ns()))
        report = lib.rescan()
        assert (report.indexed, report.checked, report.skipped) == (0, 1, 11)


def test_rescan_verify_compares_content_hashes(tmp_path, shapes_200) -> None:
    big, small = _pair(shapes_200)
    folder = _copy([(big, None), *[(p, s) for p, s in shapes_200[10:20]]], tmp_path / "imgs")
    target = folder / big.name
    lib_dir = tmp_path / "lib"
    with Library(lib_dir, model="tiny-test") as lib:
        lib.index([folder])
        _same_size_replacement(target, small)
        # A file system that reports no ctime or inode (recorded as 0: unknown) hides the change...
        with lib.db.session() as s:
            s.query(Image).update({Image.ctime_ns: 0, Image.inode: 0})
        report = lib.rescan()
        assert (report.indexed, report.skipped) == (0, 11)
    # ... which rescan --verify finds by content.
    r = run_cli("rescan", "--verify", "--library", str(lib_dir), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert (report["indexed"], report["replaced"], report["checked"], report["skipped"]) == (1, 1, 11, 10)
    r = run_cli("rescan", "--verify", "--library", str(lib_dir))
    assert r.returncode == 0 and "checked 11 by content" in r.stdout, r.stdout


def test_old_library_gets_the_new_columns_in_place(tmp_path, shapes_200) -> None:
    folder = _copy(shapes_200[:5], tmp_path / "imgs")
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
    con = sqlite3.connect(tmp_path / "lib" / "library.sqlite")
    con.execute("ALTER TABLE images DROP COLUMN ctime_ns")
    con.execute("ALTER TABLE images DROP COLUMN inode")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with Library(tmp_path / "lib", read_only=True) as lib:  # read-only: cannot upgrade, still reads
        assert lib.image_record(1)["path"].startswith(str(folder))
    with Library(tmp_path / "lib") as lib:
        assert missing_columns(lib.db.engine) == []
        assert lib.db.get_meta("schema_version") == SCHEMA_VERSION == "3"
        report = lib.rescan()
        assert (report.skipped, report.indexed) == (5, 0)
        with lib.db.session() as s:
            assert all(r.ctime_ns and r.inode for r in s.query(Image))  # filled in by the rescan


# ------------------------------------------------------------- 9. text import
def test_deeply_nested_json_is_refused_clearly(tmp_path) -> None:
    for depth in (10_000, 200):
        f = tmp_path / f"deep{depth}.json"
        f.write_text('{"a.jpg": ' + "[" * depth + '"x"' + "]" * depth + "}")
        with pytest.raises(TextImportError, match="nests lists or objects more than 64 levels"):
            read_file(f)
    huge = tmp_path / "bigint.json"
    huge.write_text('{"a.jpg": ' + "1" * 5000 + "}")
    with pytest.raises(TextImportError, match="cannot be read as JSON"):
        read_file(huge)


def test_encodings_are_detected_or_named(tmp_path) -> None:
    rows = "image,text\nshape_0001.png,une gravure à l'eau-forte\n"
    for encoding in ("utf-16-le", "utf-16-be", "utf-16", "utf-8-sig", "utf-32"):
        f = tmp_path / f"{encoding}.csv"
        f.write_bytes(rows.encode(encoding))
        notes: list[str] = []
        records = read_file(f, notes=notes)
        assert [r.text for r in records] == ["une gravure à l'eau-forte"], encoding
    latin = tmp_path / "latin.csv"
    latin.write_bytes(rows.encode("cp1252"))
    with pytest.raises(TextImportError, match="(?s)not UTF-8.*Windows-1252.*--encoding cp1252"):
        read_file(latin)
    assert [r.text for r in read_file(latin, encoding="cp1252")] == ["une gravure à l'eau-forte"]
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(TextImportError, match="not a text file"):
        read_file(binary)


def test_utf16_without_bom_imports_through_the_cli(tmp_path, shapes_200) -> None:
    lib = str(tmp_path / "lib")
    folder = _copy(shapes_200[:3], tmp_path / "imgs")
    assert run_cli("index", str(folder), "--library", lib, "--model", "tiny-test").returncode == 0
    f = tmp_path / "catalogue.csv"
    f.write_bytes("image,text\n" .encode("utf-16-le") + "".join(
        f"{p.name},{spec.caption}\n" for p, spec in shapes_200[:3]).encode("utf-16-le"))
    r = run_cli("texts", "import", str(f), "--library", lib)
    assert r.returncode == 0, r.stderr
    assert "read as UTF-16" in r.stdout + r.stderr and "attached to images 3" in r.stdout


def test_large_import_reports_progress_and_resumes_embedding(tmp_path, shapes_200) -> None:
    folder = _copy(shapes_200[:4], tmp_path / "imgs")
    f = tmp_path / "many.csv"
    with f.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["image", "text"])
        for i in range(1500):
            w.writerow([f"img_{i}.png", f"description number {i} of a red star on a dotted background"])
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
        seen: list[tuple[str, int, int]] = []

        def stop_midway(phase: str, done: int, total: int) -> None:
            seen.append((phase, done, total))
            if phase == "embedding" and done >= 256:
                raise KeyboardInterrupt  # Ctrl+C while embedding

        with pytest.raises(KeyboardInterrupt):
            lib.texts.import_file(f, progress=stop_midway)
        phases = {p for p, _, _ in seen}
        assert phases == {"storing", "embedding"} and ("storing", 1500, 1500) in seen
        assert 0 < corpus.pending_count(lib.db, lib.model_name) < 1500  # stored; part embedded, kept
        report = lib.texts.import_file(f)  # the same import again resumes
        assert (report.added, report.duplicates) == (0, 1500)
        assert corpus.pending_count(lib.db, lib.model_name) == 0


def test_texts_remove(tmp_path, shapes_200) -> None:
    lib_dir = tmp_path / "lib"
    folder = _copy(shapes_200[:3], tmp_path / "imgs")
    a, b = tmp_path / "a.csv", tmp_path / "b.json"
    a.write_text("image,text\n" + "".join(f"{p.name},{s.caption}\n" for p, s in shapes_200[:3]))
    b.write_text(json.dumps({p.name: s.short_caption for p, s in shapes_200[:3]}))
    with Library(lib_dir, model="tiny-test") as lib:
        lib.index([folder])
        for f in (a, b):
            lib.texts.import_file(f)
        assert lib.texts.text_sources() == {"csv:a.csv": 3, "json:b.json": 3}
    r = run_cli("texts", "remove", str(a), "--library", str(lib_dir))  # the file's name or path
    assert r.returncode == 0 and "Removed 3 texts (csv:a.csv)" in r.stdout, r.stdout + r.stderr
    with Library(lib_dir) as lib:
        assert lib.texts.text_count() == {"texts": 3, "attached": 3, "free": 0, "parts": 3}
    r = run_cli("texts", "remove", "nothing.csv", "--library", str(lib_dir))
    assert r.returncode == 2 and "json:b.json (3)" in r.stderr and NO_TRACEBACK not in r.stderr
    r = run_cli("texts", "remove", "--all", "--library", str(lib_dir))
    assert r.returncode == 0 and "Removed 3 texts" in r.stdout
    with Library(lib_dir) as lib:
        assert lib.texts.text_count()["texts"] == 0
        assert lib.status().indexed == 3  # images untouched


# ----------------------------------------------------------- CSV injection
HOSTILE = ["=HYPERLINK(\"http://example.com\",\"x\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\tcmd", "\r=1", "＝1+1"]


def test_csv_safe_cells() -> None:
    for value in HOSTILE:
        assert csv_safe(value) == "'" + value
    for value in ("engraving", "-0.25", "+3", "1e5", 0.5, -1, None, ""):
        assert csv_safe(value) == value


def test_tag_export_neutralises_formulas(tmp_path, shapes_200) -> None:
    folder = tmp_path / "imgs"
    folder.mkdir()
    names = ["=cmd.png", "@evil.png", "plain.png"]
    for name, (src, _) in zip(names, shapes_200[:3], strict=True):
        shutil.copy2(src, folder / name)
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([folder])
        ids = [lib.image_id_for_path(folder / n) for n in names]
        for image_id, value in zip(ids, HOSTILE, strict=False):
            lib.texts.set_tag(image_id, "=category", value)
        lib.texts.set_tag(ids[2], "technique", "-0.5")
        out = tmp_path / "tags.csv"
        assert lib.texts.export_tags(out) == 4
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r", "＝")), row
            assert not cell.startswith("-") or cell == "-0.5", row
    assert {r["value"] for r in rows} >= {"'" + v for v in HOSTILE[:3]} | {"-0.5"}
    assert all(r["category"] in ("'=category", "technique") for r in rows)


# ---------------------------------------------------- 10. lock, crash log, signals
def test_library_lock_that_is_a_folder(tmp_path, shapes_200) -> None:
    lib_dir = tmp_path / "lib"
    with Library(lib_dir, model="tiny-test"):
        pass
    lock = lib_dir / "library.lock"
    lock.unlink()
    lock.mkdir()  # e.g. left by a sync or copy tool: empty, repaired silently
    with Library(lib_dir) as lib:
        assert lock.is_file() and lib.status().library == str(lib_dir)
    lock.unlink()
    lock.mkdir()
    (lock / "something").write_text("not ArtSeek's")
    with pytest.raises(LibraryError, match="is a folder"):
        Library(lib_dir)
    r = run_cli("index", str(shapes_200[0][0].parent), "--library", str(lib_dir))
    assert r.returncode == 2 and "is a folder" in r.stderr and NO_TRACEBACK not in r.stderr
    assert (lock / "something").read_text() == "not ArtSeek's"  # nothing of the curator's removed


def test_unexpected_error_is_one_line_with_a_log(tmp_path, monkeypatch, capsys) -> None:
    from artseek import cli, config, crash_log

    with Library(tmp_path / "lib", model="tiny-test"):
        pass

    def broken(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise ValueError("something nobody expected")

    monkeypatch.setattr(Library, "status", broken)
    code = cli.main(["status", "--library", str(tmp_path / "lib")])
    err = capsys.readouterr().err
    assert code == 1 and NO_TRACEBACK not in err
    assert len(err.strip().splitlines()) == 1
    log = config.user_data_dir() / "logs" / "artseek.log"
    assert str(log) in err and "ValueError: something nobody expected" in err
    assert crash_log.log_path() == log
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "something nobody expected" in text


def _start_indexing(tmp_path: Path, folder: Path, library: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "index", str(folder), "--library", str(library), "--model",
         "tiny-test", "--batch-size", "4", "--workers", "1", "--save-interval", "1000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _wait_until_indexed(library: Path, at_least: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    db = library / "library.sqlite"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, proc.communicate()
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            n = con.execute("SELECT count(*) FROM images WHERE status = 'indexed'").fetchone()[0]
            con.close()
            if n >= at_least:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    raise AssertionError("indexing did not start")


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_termination_signals_stop_indexing_cleanly(tmp_path, shapes_200, sig) -> None:
    folder = shapes_200[0][0].parent
    library = tmp_path / "lib"
    proc = _start_indexing(tmp_path, folder, library)
    _wait_until_indexed(library, 8, proc)
    proc.send_signal(getattr(signal, sig))
    out, err = proc.communicate(timeout=120)
    assert NO_TRACEBACK not in err, err
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Stopped" in out + err and "resume with" in out + err, out + err
    with Library(library) as lib:
        st = lib.status()
        assert 8 <= st.indexed < 200
        assert lib.vectors.loaded_from_disk and len(lib.vectors) == st.indexed  # the index was saved
        assert lib.repair() == (0, 0)
    r = run_cli("index", str(folder), "--library", str(library), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["skipped"] == st.indexed


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("delay", [0.05, 0.3, 1.0])
def test_ctrl_c_during_start_up_prints_no_traceback(tmp_path, shapes_200, delay) -> None:
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "search", "a red circle", "--library",
                             str(tmp_path / "lib"), "--model", "tiny-test"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert NO_TRACEBACK not in err, err
    assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, err)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_ctrl_c_at_many_moments_prints_no_traceback(tmp_path, shapes_200) -> None:
    folder = shapes_200[0][0].parent
    for i, delay in enumerate([0.0, 0.02, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]):
        proc = _start_indexing(tmp_path, folder, tmp_path / f"lib{i}")
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert NO_TRACEBACK not in err, (delay, err)
        # -SIGINT: stopped before Python installed its handler, silently (the default action)
        assert proc.returncode in (0, 130, -signal.SIGINT), (delay, proc.returncode, err)
        assert "KeyboardInterrupt" not in err and "Exception ignored" not in err, (delay, err)
