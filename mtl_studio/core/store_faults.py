"""Conditions of the file system under a project, named for the user.

SQLite reports a full disk as "database or disk is full", a read-only medium as "attempt to write a
readonly database" or "unable to open database file", and another writer as "database is locked"; when
it rolls a transaction back by itself (it may on a full disk) the caller's own ROLLBACK then fails with
"cannot rollback - no transaction is active", which used to hide the cause. The store turns these into
the errors below, each naming the project and what the user can do.
"""
from __future__ import annotations

import errno
import os
import sqlite3

from .errors import MtlStudioError


class StorageError(MtlStudioError, OSError):
    """The project cannot be written or read for a reason outside the data (disk, permissions, another
    writer); nothing of the failed operation was saved. An OSError too: a condition of the file system,
    caught where callers already catch those."""


class NoSpaceLeft(StorageError):
    """The file system holding the project (or a file being written) is full."""


class ProjectReadOnly(StorageError):
    """The project is on read-only media or not writable: it opens for browsing, stats and export."""


class ProjectBusy(StorageError):
    """Another writer (an import, a training run in another program) held the project too long."""


class NameTooLong(StorageError):
    """A project name the file system cannot store."""


def no_space_message(path: str | os.PathLike[str]) -> str:
    return (f"{path}: no space left on device (the disk holding it is full); nothing of this change was "
            "saved: free some space and try again")


def read_only_message(path: str | os.PathLike[str]) -> str:
    return (f"{path} is read-only (read-only media or no write permission): it opens for browsing, stats "
            "and export; copy it to a writable folder to edit it")


def storage_error(error: sqlite3.Error, path: str | os.PathLike[str]) -> StorageError | None:
    """The user-facing error for an SQLite error caused by the file system, or None for any other."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        return NoSpaceLeft(no_space_message(path))
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return ProjectReadOnly(read_only_message(path))
    return None


def os_storage_error(error: OSError, path: str | os.PathLike[str]) -> StorageError | None:
    """The user-facing error for an OSError of the file system (full, read-only, name too long)."""
    if error.errno == errno.ENOSPC:
        return NoSpaceLeft(no_space_message(path))
    if error.errno == errno.EROFS:
        return ProjectReadOnly(read_only_message(path))
    if error.errno == errno.ENAMETOOLONG:
        return NameTooLong(f"{path}: file name too long for this file system")
    return None
