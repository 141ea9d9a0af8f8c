"""Faults of the file system under a project: a full disk, read-only media, a name too long.

Each one must name its real cause and leave a true state: nothing half-written, no file left behind.
The full-disk tests use SQLite's own limit on the file size (PRAGMA max_page_count: the same
SQLITE_FULL path a full disk takes), which works everywhere; one test fills a real tiny tmpfs and runs
only where mounting is permitted (root on Linux).
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from mtl_studio.cli import main as cli_main
from mtl_studio.core import store_files
from mtl_studio.core.formats import ImportFailed, export_project, import_file
from mtl_studio.core.formats.staging import staging_files
from mtl_studio.core.schema import Document, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.store_faults import NameTooLong, NoSpaceLeft, ProjectReadOnly
from project_helpers import SMALL, make_project


def _lines(tmp_path: Path, n: int, name: str = "many.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"document number {i} with a few words to fill the pages\n" for i in range(n)),
                    encoding="utf-8")
    return path


def _limit_growth(conn) -> None:
    """Let the connection's file grow by a few pages only: then SQLite fails as on a full disk."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {max(pages, 12) + 4}")


@pytest.fixture
def fill_disk(monkeypatch):
    """fill_disk(): from now on every new connection (the CLI's, the staging file's) can barely grow."""
    real = store_files.open_connection

    def limited(path, *, read_only):
        conn = real(path, read_only=read_only)
        _limit_growth(conn)
        return conn

    return lambda: monkeypatch.setattr(store_files, "open_connection", limited)


# ---- disk full -----------------------------------------------------------------------------------------

def test_a_full_disk_during_an_import_names_the_cause_and_changes_nothing(tmp_path, fill_disk, capsys):
    project = tmp_path / "p.mtl"
    make_project(project, SMALL).close()
    before = ProjectStore.open(project)
    stats = before.stats()
    before.close()
    fill_disk()
    assert cli_main(["import", str(project), str(_lines(tmp_path, 3000))]) == 1
    err = capsys.readouterr().err
    assert "no space left on device" in err and str(project) in err
    assert "rollback" not in err and "Traceback" not in err
    with ProjectStore.open(project) as store:
        assert store.stats() == stats
    assert staging_files(tmp_path) == []


def test_a_full_disk_in_one_edit_keeps_the_original_error_and_the_store_usable(tmp_path):
    store = make_project(tmp_path / "p.mtl", SMALL)
    _limit_growth(store.conn)
    text = "x" * 200_000  # more than the pages left
    with pytest.raises(NoSpaceLeft, match="no space left on device"):
        store.add_document(Document(text=text, tokens=[(0, len(text))], split="train"))
    assert store.count_documents() == len(SMALL.docs)
    span_id = store.add_span(5, Span(4, 8, "ORG"))  # the next small edit still works
    assert span_id
    store.close()


def test_a_full_disk_inside_a_nested_transaction_is_not_masked(tmp_path):
    store = make_project(tmp_path / "p.mtl", SMALL)
    _limit_growth(store.conn)
    with pytest.raises(NoSpaceLeft):
        with store.bulk():
            store.add_entity_type("NEW")
            with store.bulk():  # a savepoint: SQLite may roll the whole transaction back under it
                store.add_document(Document(text="y" * 200_000, tokens=[(0, 200_000)], split="train"))
    assert "NEW" not in store.entity_type_names()
    store.close()


def test_a_full_disk_during_an_export_names_the_cause(tmp_path, monkeypatch, small_store):
    real_fdopen = os.fdopen

    class FullFile:
        """A file on a disk that is full: every write fails as the OS reports it."""

        def __init__(self, f):
            self.f = f

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: FullFile(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space left on device"):
        export_project(small_store, tmp_path / "out.jsonl", "jsonl")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.mtl", "small.mtl-shm", "small.mtl-wal"]


@contextlib.contextmanager
def _tmpfs(tmp_path: Path, size: str):
    """A tiny tmpfs mounted under tmp_path, or skip where mounting is not permitted."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount_point = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_really_full_tmpfs_during_an_import(tmp_path, capsys):
    source = _lines(tmp_path, 20_000)
    with _tmpfs(tmp_path, "300k") as fs:
        project = fs / "p.mtl"
        assert cli_main(["new", str(project), "--entity-types", "PER"]) == 0
        capsys.readouterr()
        assert cli_main(["import", str(project), str(source)]) == 1
        err = capsys.readouterr().err
        assert "no space left on device" in err and "rollback" not in err
        with ProjectStore.open(project) as store:
            assert store.count_documents() == 0 and store.entity_type_names() == ["PER"]
        assert staging_files(fs) == []


def test_a_really_full_tmpfs_during_an_export(tmp_path, small_store, capsys):
    with _tmpfs(tmp_path, "8k") as fs:
        with small_store.bulk():
            for i in range(200):
                small_store.add_document(Document(text=f"filler document {i} " * 20, tokens=[], split="train"))
        assert cli_main(["export", str(small_store.path), str(fs / "out.jsonl")]) == 1
        err = capsys.readouterr().err
        assert "No space left on device" in err and "Traceback" not in err
        assert list(fs.iterdir()) == []  # the partial file is removed


# ---- read-only media --------------------------------------------------------------------------------------

def _pretend_not_writable(monkeypatch, path: Path) -> None:
    """os.access says "not writable" for the project, as it does on read-only media and for a file
    without write permission (root passes every permission check, so chmod alone cannot show it)."""
    real = os.access

    def access(p, mode, *args, **kwargs):
        if mode & os.W_OK and Path(p).absolute() == path.absolute():
            return False
        return real(p, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_a_project_that_cannot_be_written_opens_read_only(tmp_path, monkeypatch, capsys):
    project = tmp_path / "p.mtl"
    make_project(project, SMALL).close()
    _pretend_not_writable(monkeypatch, project)
    with ProjectStore.open(project) as store:
        assert store.read_only and "read-only" in store.read_only_notice
        assert store.count_documents() == len(SMALL.docs)
        with pytest.raises(ProjectReadOnly, match="read-only"):
            store.add_span(5, Span(4, 8, "ORG"))
        with pytest.raises(ProjectReadOnly):
            store.add_entity_type("NEW")
    assert cli_main(["stats", str(project), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["documents"] == len(SMALL.docs) and "read-only" in err  # a notice, on stderr
    assert cli_main(["export", str(project), str(tmp_path / "out.jsonl")]) == 0
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == len(SMALL.docs)
    capsys.readouterr()
    assert cli_main(["import", str(project), str(_lines(tmp_path, 3))]) == 1
    assert "is read-only" in capsys.readouterr().err
    assert staging_files(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not stop root")
def test_a_project_without_write_permission_opens_read_only(tmp_path):
    project = tmp_path / "p.mtl"
    make_project(project, SMALL).close()
    project.chmod(0o444)
    try:
        with ProjectStore.open(project) as store:
            assert store.read_only and store.count_documents() == len(SMALL.docs)
            with pytest.raises(ProjectReadOnly):
                store.set_sentiment(1, "neutral")
    finally:
        project.chmod(0o644)


def test_a_project_on_a_read_only_mount_opens_for_browsing(tmp_path, capsys):
    with _tmpfs(tmp_path, "2m") as fs:
        project = fs / "p.mtl"
        make_project(project, SMALL).close()
        subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
        with ProjectStore.open(project) as store:  # mode=ro cannot open a WAL file here: immutable
            assert store.read_only
            assert store.stats()["documents"] == len(SMALL.docs)
            with pytest.raises(ProjectReadOnly):
                store.set_sentiment(1, "neutral")
        assert cli_main(["stats", str(project)]) == 0
        assert cli_main(["export", str(project), str(tmp_path / "out.conll")]) == 0


def test_a_new_project_on_read_only_media_says_so(tmp_path, capsys):
    with _tmpfs(tmp_path, "1m") as fs:
        subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
        assert cli_main(["new", str(fs / "p.mtl")]) == 1
        err = capsys.readouterr().err
        assert "cannot create a project there: the folder is read-only" in err


# ---- names too long ---------------------------------------------------------------------------------------

def test_a_project_name_too_long_is_a_clean_error_and_leaves_nothing(tmp_path, capsys):
    name = "n" * 300 + ".mtl"
    assert cli_main(["new", str(tmp_path / name)]) == 1
    err = capsys.readouterr().err
    assert "file name too long" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_name_that_leaves_no_room_for_the_companion_files_is_refused(tmp_path):
    # The file alone would fit, but SQLite's <name>-wal / -journal would not: refuse it up front.
    name = "m" * 250
    with pytest.raises(NameTooLong, match="file name too long"):
        ProjectStore.create(tmp_path / name)
    with pytest.raises(NameTooLong):
        ProjectStore.create(tmp_path / ("d" * 300) / "p.mtl")
    assert list(tmp_path.iterdir()) == []


def test_a_new_project_that_fails_half_way_leaves_no_file(tmp_path, monkeypatch):
    def fail(self, *, fresh):
        self.conn.execute("CREATE TABLE half (x)")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ProjectStore, "_migrate", fail)
    with pytest.raises(OSError):
        ProjectStore.create(tmp_path / "p.mtl")
    assert list(tmp_path.iterdir()) == []


def test_import_failed_still_reports_data_errors_normally(tmp_path):
    # The staging path must keep the importer's own validation: a bad file is ImportFailed, not a fault.
    store = make_project(tmp_path / "p.mtl", SMALL)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "abc", "entities": [[0, 9, "ORG"]]}\n', encoding="utf-8")
    with pytest.raises(ImportFailed) as e:
        import_file(store, bad)
    assert e.value.report.errors and e.value.report.errors[0].line == 1
    assert staging_files(tmp_path) == []
    store.close()
