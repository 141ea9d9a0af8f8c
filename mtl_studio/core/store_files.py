"""The files of a project on disk: its name, whether it can be written, SQLite connections to it, and
SQLite's companion files beside it (<name>-wal, -shm, -journal).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from .store_faults import NameTooLong

# A connection waits this long for a lock before SQLite gives up; the store's write loop (store.bulk)
# then tells its on_wait callback and tries again, so no edit waits longer than this without a word.
BUSY_TIMEOUT_S = 1.0
# What SQLite puts after a project's file name; a project name must leave room for the longest, or a
# later write would fail with a half-made project on disk.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


def check_name_fits(path: Path) -> None:
    """Raise NameTooLong unless every part of `path` that does not exist yet fits the file system,
    with room for SQLite's companion files after the project's own name. Checked before anything is
    created, so a refused name leaves nothing behind."""
    path = path.absolute()
    existing = path.parent
    while not _exists(existing) and existing != existing.parent:
        existing = existing.parent
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    new_parts = path.relative_to(existing).parts
    for i, part in enumerate(new_parts):
        room = name_max - (max(map(len, COMPANION_SUFFIXES)) if i == len(new_parts) - 1 else 0)
        size = len(os.fsencode(part))
        if size > room:
            raise NameTooLong(f"{path}: file name too long ({size} bytes; this file system allows {room} for "
                              f"{'a project name' if i == len(new_parts) - 1 else 'a folder name'})")


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long to stat does not exist
        return False


def is_writable(path: Path) -> bool:
    """Whether SQLite can write the project: the file and its folder (WAL keeps -wal and -shm beside it).
    os.access sees read-only mounts and permissions (for root only the former)."""
    return os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)


def open_connection(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection with the project's settings. Read-only: mode=ro where SQLite can still keep its
    shared-memory file beside the project (a file without write permission), else immutable=1 (read-only
    media: nothing can change the file while it is open, and mode=ro cannot open a WAL file there)."""
    if read_only:
        uri = path.absolute().as_uri()
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def rollback_quietly(conn: sqlite3.Connection) -> None:
    """Undo the open transaction; the error that caused the rollback is the one to report, so a failing
    rollback (SQLite already rolled back after a full disk) must not replace it."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def is_locked(error: sqlite3.OperationalError) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith("SQLITE_BUSY") or "database is locked" in str(error).lower()


def has_unmerged_wal(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.is_file() and wal.stat().st_size > 0


def remove_project_files(path: str | os.PathLike[str]) -> None:
    """Delete a project file and SQLite's companion files (a project that was never finished). Called
    after a failure: a file that cannot be removed (read-only media, where none was made) must not
    replace the error that is being reported."""
    for suffix in ("", *COMPANION_SUFFIXES):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")
