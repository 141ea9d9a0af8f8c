"""The project store: one SQLite file per project.

Every public method that changes data runs in its own transaction and commits before returning, so
whatever a caller has reported as saved survives a crash or a kill (WAL mode, synchronous=FULL).
Bulk imports use `bulk()` so that a failing file imports nothing.

Connections are per thread (sqlite3 objects must not cross threads): the GUI thread and a training
worker each get their own connection to the same file.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import getpass
import hashlib
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import MtlStudioError
from .run_record import RunRecord
from .schema import (
    DEFAULT_COLOURS, ENTITY_KEYS, SENTIMENT_KEYS, SPLITS, Document, EntityType, SentimentClass, SentimentLabel, Span, ValidationError,
    check_label_form, validate_spans,
)
from . import store_files
from .paths import has_resume_point
from .run_liveness import INTERRUPTED, current_process, interrupted_message, observed_status
from .store_faults import ProjectBusy, ProjectReadOnly, os_storage_error, read_only_message, storage_error
from .store_files import (
    check_name_fits, has_unmerged_wal, is_locked, is_writable, remove_project_files, rollback_quietly,
)

SCHEMA_VERSION = 3
# The longest an edit waits for the write lock in all (telling `on_wait` every store_files.BUSY_TIMEOUT_S):
# staged imports hold the lock only for their short merge (formats/staging.py).
WRITE_WAIT_LIMIT_S = 60.0

# Ordered migrations: MIGRATIONS[i] brings a database from version i to i + 1.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE entity_types (
        name TEXT PRIMARY KEY, colour TEXT NOT NULL, position INTEGER NOT NULL);
    CREATE TABLE sentiment_classes (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        tokens TEXT NOT NULL,            -- JSON [[start, end], ...] in code points
        split TEXT NOT NULL CHECK (split IN ('train', 'dev', 'test')),
        source TEXT NOT NULL DEFAULT '',
        meta TEXT NOT NULL DEFAULT '{}',
        ner_labelled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL);
    CREATE INDEX documents_split ON documents(split);
    CREATE TABLE spans (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        label TEXT NOT NULL REFERENCES entity_types(name) ON UPDATE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('gold', 'silver', 'predicted')),
        confidence REAL, annotator TEXT, run_id TEXT, created_at TEXT NOT NULL,
        CHECK (start >= 0 AND "end" > start));
    CREATE INDEX spans_doc ON spans(document_id, source);
    CREATE TABLE sentiments (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        label TEXT NOT NULL REFERENCES sentiment_classes(name) ON UPDATE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('gold', 'silver', 'predicted')),
        confidence REAL, annotator TEXT, run_id TEXT, created_at TEXT NOT NULL);
    CREATE UNIQUE INDEX sentiments_one_gold ON sentiments(document_id) WHERE source = 'gold';
    CREATE INDEX sentiments_doc ON sentiments(document_id, source);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        config TEXT NOT NULL,
        dataset_hash TEXT NOT NULL,
        artefact_dir TEXT,
        metrics TEXT NOT NULL DEFAULT '{}',
        message TEXT NOT NULL DEFAULT '');
    CREATE TABLE run_epochs (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        metrics TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch));
    """,
    # 2: who trains a run and when it last gave a sign of life (core/run_liveness.py), so that a run whose
    # process died reads as interrupted instead of running forever.
    """
    ALTER TABLE runs ADD COLUMN owner TEXT;
    ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
    """,
    # 3: each label's editor key is stored (filled from the old position order: keys stay as they were).
    """
    ALTER TABLE entity_types ADD COLUMN key TEXT;
    ALTER TABLE sentiment_classes ADD COLUMN key TEXT;
    """,
]

# (table, its key alphabet) of the two label tables; keys are unique within a table.
_LABEL_KEYS = {"entity_types": ENTITY_KEYS, "sentiment_classes": SENTIMENT_KEYS}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=1)
def _user() -> str:
    # Cached: getpass looks the user up in the password database, once per span otherwise.
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def assign_split(key: str, seed: int = 13, ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)) -> str:
    """Deterministic split from a document key and a seed: the same file always splits the same way."""
    h = int.from_bytes(hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest(), "big")
    x = h / 2**64
    if x < ratios[0]:
        return "train"
    return "dev" if x < ratios[0] + ratios[1] else "test"


# Why a project file cannot be opened or created: the file system (missing, no permission), SQLite
# (locked, read-only, not a database) or the project itself (core.errors). The GUI catches these
# without knowing that the store is SQLite.
PROJECT_FILE_ERRORS: tuple[type[Exception], ...] = (OSError, sqlite3.Error, MtlStudioError)


class ProjectStore:
    """A project: documents, label schema, annotations with provenance, runs."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False,
                 read_only: bool | None = None) -> None:
        """Open (or with create=True make) a project. read_only=None decides from the file system: a
        project whose file or folder cannot be written opens read-only (browse, stats, export; every
        edit raises ProjectReadOnly)."""
        self.path = Path(path)
        if create:
            check_name_fits(self.path)  # first: stat() of an over-long name fails with a bare OSError
            if self.path.exists():
                raise FileExistsError(f"{self.path} already exists")
            self._make_parent_folder()
        elif not self.path.exists():
            raise FileNotFoundError(f"no project at {self.path}")
        elif self.path.is_dir():
            raise ValidationError(f"{self.path} is a folder, not a project file")
        self.read_only = bool(read_only) if read_only is not None else (not create and not is_writable(self.path))
        # Called with the seconds waited so far while another writer holds the project (see bulk()).
        self.on_wait: Callable[[float], None] | None = None
        self._local = threading.local()
        try:
            self._migrate(fresh=create)
        except sqlite3.OperationalError as e:
            self._abandon(created=create)
            fault = storage_error(e, self.path)
            if fault is None and create and not os.access(self.path.absolute().parent, os.W_OK):
                fault = ProjectReadOnly(f"{self.path}: cannot create a project there: the folder is read-only "
                                        "or not writable")
            if fault is not None:
                raise fault from e
            raise  # locked, unreadable: a condition of the file system, not of the file
        except sqlite3.DatabaseError as e:  # "file is not a database"
            self._abandon(created=create)
            raise ValidationError(f"{self.path} is not an MTL Studio project ({e})") from None
        except BaseException:
            self._abandon(created=create)
            raise

    def _make_parent_folder(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            fault = os_storage_error(e, self.path)
            if fault is not None:
                raise fault from e
            raise

    def _abandon(self, *, created: bool) -> None:
        """Close after a failed open; a project this call was creating is removed with its companions
        (a name or a disk that refused it must leave nothing behind)."""
        self.close()
        if created:
            remove_project_files(self.path)

    @property
    def read_only_notice(self) -> str:
        """What the GUI and CLI show about a read-only project ('' when it is writable)."""
        if not self.read_only:
            return ""
        notice = read_only_message(self.path)
        if has_unmerged_wal(self.path):
            notice += (f"; its last changes are in {self.path.name}-wal, which cannot be read without "
                       "writing: they show once the project is opened where it can be written")
        return notice

    # ---- connections and transactions ----------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> "ProjectStore":
        return cls(path, create=True)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool | None = None) -> "ProjectStore":
        return cls(path, read_only=read_only)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = store_files.open_connection(self.path, read_only=self.read_only)
            self._local.conn = conn
            self._local.depth = 0
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __enter__(self) -> "ProjectStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """One transaction around many edits. A nested call is a savepoint inside the outer transaction:
        if it fails, its own changes are undone even when the caller catches the error and goes on.

        Faults of the file system come out as the StorageError subclasses of core.store_faults (a full
        disk, read-only media, another writer holding the project too long), never as the secondary
        error of a rollback that SQLite had already done itself."""
        if self.read_only:
            raise ProjectReadOnly(read_only_message(self.path))
        conn = self.conn
        if self._local.depth:
            savepoint = f"nested_{self._local.depth}"
            conn.execute(f"SAVEPOINT {savepoint}")
            self._local.depth += 1
            try:
                yield
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled the whole transaction back already
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
                raise
            else:
                conn.execute(f"RELEASE {savepoint}")
            finally:
                self._local.depth -= 1
            return
        try:
            self._begin_immediate(conn)
            self._local.depth = 1
            try:
                yield
            except BaseException:
                rollback_quietly(conn)
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    rollback_quietly(conn)
                    raise
            finally:
                self._local.depth = 0
        except sqlite3.OperationalError as e:
            fault = storage_error(e, self.path)
            if fault is None:
                raise
            raise fault from e

    def _begin_immediate(self, conn: sqlite3.Connection) -> None:
        """Take the write lock, waiting for another writer at most WRITE_WAIT_LIMIT_S seconds and telling
        `on_wait` about it every store_files.BUSY_TIMEOUT_S (about a second), so no edit hangs silently."""
        waited = 0.0
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if not is_locked(e):
                    raise
            waited += store_files.BUSY_TIMEOUT_S  # SQLite's own busy wait of the failed BEGIN
            if waited >= WRITE_WAIT_LIMIT_S:
                raise ProjectBusy(
                    f"{self.path} is busy: another writer (an import, or another program) has held it for "
                    f"{waited:.0f} s; nothing was saved: try again when it has finished")
            if self.on_wait is not None:
                self.on_wait(waited)

    def _migrate(self, *, fresh: bool) -> None:
        conn = self.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ValidationError(
                f"{self.path} was written by a newer MTL Studio (schema {version} > {SCHEMA_VERSION})"
            )
        if version == 0 and not fresh and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            # Version 0 with tables is another program's database: creating ours in it would alter it.
            raise ValidationError(f"{self.path} is an SQLite database but not an MTL Studio project")
        if self.read_only:
            return  # an older schema is still browsable; upgrading it needs a writable project
        for target in range(version, SCHEMA_VERSION):
            with self.bulk():
                for statement in _split_sql(MIGRATIONS[target]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={target + 1}")
                if target == 0:
                    conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (_now(),))
                    conn.execute("INSERT INTO meta VALUES ('split_seed', '13')")
                if target == 2:
                    for table, keys in _LABEL_KEYS.items():
                        names = [r[0] for r in conn.execute(f"SELECT name FROM {table} ORDER BY position, name")]
                        conn.executemany(f"UPDATE {table} SET key = ? WHERE name = ?", zip(keys, names))

    # ---- metadata ------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.bulk():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def split_seed(self) -> int:
        return int(self.get_meta("split_seed", "13") or 13)

    # ---- label schema ----------------------------------------------------------------------------

    def entity_types(self) -> list[EntityType]:
        rows = self.conn.execute("SELECT name, colour, position, key FROM entity_types ORDER BY position, name")
        return [EntityType(r["name"], r["colour"], r["position"], r["key"]) for r in rows]

    def entity_type_names(self) -> list[str]:
        return [t.name for t in self.entity_types()]

    def add_entity_type(self, name: str, colour: str | None = None) -> EntityType:
        name = _check_label_name(name)
        with self.bulk():
            existing = self.conn.execute("SELECT name, colour, position, key FROM entity_types WHERE name = ?",
                                         (name,)).fetchone()
            if existing:
                return EntityType(existing["name"], existing["colour"], existing["position"], existing["key"])
            position = self.conn.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM entity_types").fetchone()[0]
            colour = colour or DEFAULT_COLOURS[position % len(DEFAULT_COLOURS)]
            key = self._free_key("entity_types")
            self.conn.execute("INSERT INTO entity_types (name, colour, position, key) VALUES (?, ?, ?, ?)",
                              (name, colour, position, key))
        return EntityType(name, colour, position, key)

    def _free_key(self, table: str) -> str | None:
        """The first key of the table's alphabet no label of it has (None when all are taken)."""
        taken = {r[0] for r in self.conn.execute(f"SELECT key FROM main.{table} WHERE key IS NOT NULL")}
        return next((k for k in _LABEL_KEYS[table] if k not in taken), None)

    def _set_label_key(self, table: str, name: str, key: str | None) -> None:
        """Give a label a key; a label that had it takes this label's old key (the two swap)."""
        if key is not None and key not in _LABEL_KEYS[table]:
            raise ValidationError(f"key {key!r} is not one of {', '.join(_LABEL_KEYS[table])}")
        with self.bulk():
            row = self.conn.execute(f"SELECT key FROM {table} WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise ValidationError(f"no label named {name!r}")
            if key is not None:
                self.conn.execute(f"UPDATE {table} SET key = ? WHERE key = ? AND name != ?", (row[0], key, name))
            self.conn.execute(f"UPDATE {table} SET key = ? WHERE name = ?", (key, name))

    def set_entity_type_key(self, name: str, key: str | None) -> None:
        """The editor key of an entity type (one of ENTITY_KEYS, or None for none)."""
        self._set_label_key("entity_types", name, key)

    def set_sentiment_class_key(self, name: str, key: str | None) -> None:
        """The editor key of a sentiment class (one of SENTIMENT_KEYS, or None for none)."""
        self._set_label_key("sentiment_classes", name, key)

    def rename_entity_type(self, old: str, new: str) -> None:
        new = _check_label_name(new)
        with self.bulk():
            if self.conn.execute("SELECT 1 FROM entity_types WHERE name = ?", (new,)).fetchone():
                raise ValidationError(f"an entity type named {new!r} already exists")
            cur = self.conn.execute("UPDATE entity_types SET name = ? WHERE name = ?", (new, old))
            if cur.rowcount == 0:
                raise ValidationError(f"no entity type named {old!r}")

    def recolour_entity_type(self, name: str, colour: str) -> None:
        with self.bulk():
            self.conn.execute("UPDATE entity_types SET colour = ? WHERE name = ?", (colour, name))

    def count_spans_of_type(self, name: str) -> dict[str, int]:
        rows = self.conn.execute("SELECT source, COUNT(*) FROM spans WHERE label = ? GROUP BY source", (name,))
        return {r[0]: r[1] for r in rows}

    def remove_entity_type(self, name: str) -> int:
        """Delete a type and every span of it (callers show count_spans_of_type first). Returns spans removed."""
        with self.bulk():
            n = self.conn.execute("DELETE FROM spans WHERE label = ?", (name,)).rowcount
            self.conn.execute("DELETE FROM entity_types WHERE name = ?", (name,))
        return n

    def sentiment_classes(self) -> list[SentimentClass]:
        rows = self.conn.execute("SELECT name, position, key FROM sentiment_classes ORDER BY position, name")
        return [SentimentClass(r["name"], r["position"], r["key"]) for r in rows]

    def sentiment_class_names(self) -> list[str]:
        return [c.name for c in self.sentiment_classes()]

    def add_sentiment_class(self, name: str) -> SentimentClass:
        name = _check_label_name(name)
        with self.bulk():
            row = self.conn.execute("SELECT position, key FROM sentiment_classes WHERE name = ?", (name,)).fetchone()
            if row:
                return SentimentClass(name, row[0], row[1])
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM sentiment_classes").fetchone()[0]
            key = self._free_key("sentiment_classes")
            self.conn.execute("INSERT INTO sentiment_classes (name, position, key) VALUES (?, ?, ?)",
                              (name, position, key))
        return SentimentClass(name, position, key)

    def rename_sentiment_class(self, old: str, new: str) -> None:
        new = _check_label_name(new)
        with self.bulk():
            if self.conn.execute("SELECT 1 FROM sentiment_classes WHERE name = ?", (new,)).fetchone():
                raise ValidationError(f"a sentiment class named {new!r} already exists")
            cur = self.conn.execute("UPDATE sentiment_classes SET name = ? WHERE name = ?", (new, old))
            if cur.rowcount == 0:
                raise ValidationError(f"no sentiment class named {old!r}")

    def count_sentiments_of_class(self, name: str) -> dict[str, int]:
        rows = self.conn.execute("SELECT source, COUNT(*) FROM sentiments WHERE label = ? GROUP BY source", (name,))
        return {r[0]: r[1] for r in rows}

    def remove_sentiment_class(self, name: str) -> int:
        with self.bulk():
            n = self.conn.execute("DELETE FROM sentiments WHERE label = ?", (name,)).rowcount
            self.conn.execute("DELETE FROM sentiment_classes WHERE name = ?", (name,))
        return n

    # ---- staged imports (core/formats/staging.py) ---------------------------------------------------

    def copy_label_schema(self, source: "ProjectStore") -> None:
        """Give this (empty, staging) project the label schema and split seed of `source`."""
        with self.bulk():
            for t in source.entity_types():
                self.conn.execute("INSERT INTO entity_types (name, colour, position, key) VALUES (?, ?, ?, ?)",
                                  (t.name, t.colour, t.position, t.key))
            for c in source.sentiment_classes():
                self.conn.execute("INSERT INTO sentiment_classes (name, position, key) VALUES (?, ?, ?)",
                                  (c.name, c.position, c.key))
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('split_seed', ?)", (str(source.split_seed),))

    def merge_staged(self, staged: str | os.PathLike[str]) -> None:
        """Add a staging project's documents, annotations and new labels in ONE transaction.

        Set-based copies (INSERT ... SELECT from the attached file), so the write lock is held for the
        copy only, not for the parsing that filled the staging file. Document ids are shifted past this
        project's; labels the staging project added are appended to the schema in their order.
        """
        if self.read_only:
            raise ProjectReadOnly(read_only_message(self.path))
        conn = self.conn
        conn.execute("ATTACH DATABASE ? AS staged", (os.fspath(staged),))  # not allowed inside a transaction
        try:
            with self.bulk():
                self._merge_new_labels()
                base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM documents").fetchone()[0]
                try:
                    conn.execute(
                        "INSERT INTO documents (id, text, tokens, split, source, meta, ner_labelled, created_at) "
                        "SELECT id + ?, text, tokens, split, source, meta, ner_labelled, created_at "
                        "FROM staged.documents ORDER BY id", (base,))
                    conn.execute(
                        'INSERT INTO spans (document_id, start, "end", label, source, confidence, annotator, '
                        'run_id, created_at) SELECT document_id + ?, start, "end", label, source, confidence, '
                        "annotator, run_id, created_at FROM staged.spans ORDER BY id", (base,))
                    conn.execute(
                        "INSERT INTO sentiments (document_id, label, source, confidence, annotator, run_id, "
                        "created_at) SELECT document_id + ?, label, source, confidence, annotator, run_id, "
                        "created_at FROM staged.sentiments ORDER BY id", (base,))
                except sqlite3.IntegrityError as e:
                    # A label removed or renamed in the studio while the file was being read.
                    raise ValidationError(f"the label schema of {self.path.name} changed during the import "
                                          f"({e}); nothing was imported: import the file again") from e
                marks = conn.execute("SELECT value FROM staged.meta WHERE key = ?",
                                     (UNASSIGNED_SPLITS_KEY,)).fetchone()
                if marks:  # splits only the seeded hash chose, under their ids in this project
                    self.mark_split_unassigned(i + base for a, b in _unpack_ranges(marks[0]) for i in range(a, b + 1))
        finally:
            conn.execute("DETACH DATABASE staged")

    def _merge_new_labels(self) -> None:
        conn = self.conn
        for table, columns in (("entity_types", "name, colour"), ("sentiment_classes", "name")):
            new = conn.execute(
                f"SELECT {columns} FROM staged.{table} WHERE name NOT IN (SELECT name FROM main.{table}) "
                "ORDER BY position, name").fetchall()
            for row in new:
                position = conn.execute(f"SELECT COALESCE(MAX(position) + 1, 0) FROM main.{table}").fetchone()[0]
                # This project's next free key, not the staging one's (keys are per project).
                conn.execute(f"INSERT INTO main.{table} ({columns}, position, key) VALUES "
                             f"({', '.join('?' * len(row))}, ?, ?)", (*row, position, self._free_key(table)))

    # ---- documents -------------------------------------------------------------------------------

    def add_document(self, doc: Document, *, split_key: str | None = None) -> int:
        """Store a document with its gold annotations; labels must exist in the schema already.

        The split is doc.split when given, else derived from the text (seeded, deterministic).
        """
        validate_spans(doc.text, [s for s in doc.spans])
        split = doc.split or assign_split(split_key or doc.text, self.split_seed)
        if split not in SPLITS:
            raise ValidationError(f"split {split!r} is not one of {', '.join(SPLITS)}")
        now = _now()
        with self.bulk():
            cur = self.conn.execute(
                "INSERT INTO documents (text, tokens, split, source, meta, ner_labelled, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc.text, json.dumps([list(t) for t in doc.tokens], separators=(",", ":")), split,
                 doc.source, json.dumps(doc.meta, ensure_ascii=False), int(doc.ner_labelled or bool(doc.spans)),
                 now),
            )
            doc_id = int(cur.lastrowid)
            for s in list(doc.spans) + list(doc.other_spans):
                self._insert_span(doc_id, s, now)
            for sl in ([doc.sentiment] if doc.sentiment else []) + list(doc.other_sentiments):
                self._insert_sentiment(doc_id, sl, now)
        return doc_id

    def _insert_span(self, doc_id: int, s: Span, now: str) -> int:
        try:
            cur = self.conn.execute(
                'INSERT INTO spans (document_id, start, "end", label, source, confidence, annotator, run_id, '
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, s.start, s.end, s.label, s.source, s.confidence, s.annotator or _user(), s.run_id, now),
            )
        except sqlite3.IntegrityError as e:
            raise ValidationError(f"span {s.start}-{s.end}: unknown entity type {s.label!r}") from e
        return int(cur.lastrowid)

    def _insert_sentiment(self, doc_id: int, sl: SentimentLabel, now: str) -> None:
        try:
            self.conn.execute(
                "INSERT INTO sentiments (document_id, label, source, confidence, annotator, run_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc_id, sl.label, sl.source, sl.confidence, sl.annotator or _user(), sl.run_id, now),
            )
        except sqlite3.IntegrityError as e:
            raise ValidationError(f"unknown sentiment class {sl.label!r}") from e

    def delete_document(self, doc_id: int) -> None:
        with self.bulk():
            self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self.mark_split_assigned([doc_id])

    def set_split(self, doc_id: int, split: str) -> None:
        if split not in SPLITS:
            raise ValidationError(f"split {split!r} is not one of {', '.join(SPLITS)}")
        with self.bulk():
            self.conn.execute("UPDATE documents SET split = ? WHERE id = ?", (split, doc_id))
            self.mark_split_assigned([doc_id])  # a person chose it: --only-unassigned leaves it alone

    def update_document_meta(self, doc_id: int, changes: dict[str, Any]) -> None:
        """Set keys of a document's meta dict; a value of None removes the key (one transaction)."""
        with self.bulk():
            row = self.conn.execute("SELECT meta FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise KeyError(f"no document {doc_id}")
            meta = json.loads(row[0])
            for key, value in changes.items():
                if value is None:
                    meta.pop(key, None)
                else:
                    meta[key] = value
            self.conn.execute("UPDATE documents SET meta = ? WHERE id = ?", (json.dumps(meta, ensure_ascii=False),
                                                                             doc_id))

    def count_documents(self, split: str | None = None) -> int:
        if split:
            return self.conn.execute("SELECT COUNT(*) FROM documents WHERE split = ?", (split,)).fetchone()[0]
        return self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def document_ids(self, split: str | None = None, *, task: str | None = None, labelled: bool | None = None,
                     source_filter: str | None = None, search: str | None = None,
                     offset: int = 0, limit: int | None = None, after_id: int | None = None) -> list[int]:
        """Ids in id order, filtered: by split, by whether labelled for `task` ('ner' / 'sentiment'),
        by having silver annotations (source_filter='silver'), by a text substring.

        A page is `limit` ids from `offset`, or (cheaper deep in a large list, no rows skipped one by one)
        the `limit` ids after `after_id`."""
        where, args = _document_filter(split, task, labelled, source_filter, search)
        if after_id is not None:
            where += (" AND" if where else " WHERE") + " id > ?"
            args.append(after_id)
        sql = f"SELECT id FROM documents{where} ORDER BY id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset if after_id is None else 0]
        return [r[0] for r in self.conn.execute(sql, args)]

    def document_position(self, doc_id: int, split: str | None = None, *, task: str | None = None,
                          labelled: bool | None = None, source_filter: str | None = None,
                          search: str | None = None) -> tuple[int, bool]:
        """Where a document stands in the filtered id order: (how many matching documents come before
        it, whether it matches itself). Two indexed queries, so a list can jump to a row in 100k."""
        where, args = _document_filter(split, task, labelled, source_filter, search)
        glue = " AND" if where else " WHERE"
        before = self.conn.execute(f"SELECT COUNT(*) FROM documents{where}{glue} id < ?", args + [doc_id]).fetchone()[0]
        matches = self.conn.execute(f"SELECT 1 FROM documents{where}{glue} id = ?", args + [doc_id]).fetchone()
        return before, matches is not None

    def count_filtered(self, split: str | None = None, *, task: str | None = None, labelled: bool | None = None,
                       source_filter: str | None = None, search: str | None = None) -> int:
        where, args = _document_filter(split, task, labelled, source_filter, search)
        return self.conn.execute(f"SELECT COUNT(*) FROM documents{where}", args).fetchone()[0]

    def document_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        """Light rows for list views: id, a text preview, split, source, span count, NER and sentiment status."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"""SELECT d.id, substr(d.text, 1, 200) AS preview, d.split, d.source, d.ner_labelled,
                (SELECT COUNT(*) FROM spans s WHERE s.document_id = d.id AND s.source = 'gold') AS n_spans,
                (SELECT label FROM sentiments t WHERE t.document_id = d.id AND t.source = 'gold') AS sentiment,
                EXISTS(SELECT 1 FROM spans s WHERE s.document_id = d.id AND s.source = 'silver')
                 OR EXISTS(SELECT 1 FROM sentiments t WHERE t.document_id = d.id AND t.source = 'silver') AS silver
                FROM documents d WHERE d.id IN ({marks}) ORDER BY d.id""", ids)
        return [dict(r) for r in rows]

    def get_document(self, doc_id: int, *, sources: tuple[str, ...] = ("gold",), run_id: str | None = None) -> Document:
        """A document with its gold annotations; silver/predicted ones (optionally of one run) in other_*."""
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(f"no document {doc_id}")
        return self._load_documents([row], sources, run_id)[0]

    def iter_documents(self, split: str | None = None, *, sources: tuple[str, ...] = ("gold",),
                       batch: int = 500) -> Iterator[Document]:
        """Stream documents in id order (memory stays flat for large projects)."""
        last = 0
        while True:
            if split:
                rows = self.conn.execute("SELECT * FROM documents WHERE id > ? AND split = ? ORDER BY id LIMIT ?",
                                         (last, split, batch)).fetchall()
            else:
                rows = self.conn.execute("SELECT * FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                                         (last, batch)).fetchall()
            if not rows:
                return
            yield from self._load_documents(rows, sources, None)
            last = rows[-1]["id"]

    def _load_documents(self, rows: list[sqlite3.Row], sources: tuple[str, ...], run_id: str | None) -> list[Document]:
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        src_marks = ",".join("?" * len(sources))
        run_clause = " AND (source = 'gold' OR run_id = ?)" if run_id else ""
        extra = [run_id] if run_id else []
        spans: dict[int, list[Span]] = {i: [] for i in ids}
        for s in self.conn.execute(
                f'SELECT * FROM spans WHERE document_id IN ({marks}) AND source IN ({src_marks}){run_clause} '
                "ORDER BY start", ids + list(sources) + extra):
            spans[s["document_id"]].append(Span(s["start"], s["end"], s["label"], s["source"], s["confidence"],
                                                s["annotator"], s["id"], s["run_id"]))
        sents: dict[int, list[SentimentLabel]] = {i: [] for i in ids}
        for s in self.conn.execute(
                f"SELECT * FROM sentiments WHERE document_id IN ({marks}) AND source IN ({src_marks}){run_clause}",
                ids + list(sources) + extra):
            sents[s["document_id"]].append(SentimentLabel(s["label"], s["source"], s["confidence"], s["annotator"],
                                                          s["run_id"]))
        docs = []
        for r in rows:
            gold_sent = next((x for x in sents[r["id"]] if x.source == "gold"), None)
            docs.append(Document(
                text=r["text"], tokens=[tuple(t) for t in json.loads(r["tokens"])],
                spans=[s for s in spans[r["id"]] if s.source == "gold"], sentiment=gold_sent,
                ner_labelled=bool(r["ner_labelled"]), split=r["split"], source=r["source"],
                meta=json.loads(r["meta"]), id=r["id"],
                other_spans=[s for s in spans[r["id"]] if s.source != "gold"],
                other_sentiments=[x for x in sents[r["id"]] if x.source != "gold"],
            ))
        return docs

    # ---- annotation edits (each one committed at once) ---------------------------------------------

    def add_span(self, doc_id: int, span: Span) -> int:
        """Add a gold span (or silver/predicted); refuses overlaps with spans of the same source."""
        # The overlap check reads inside the write transaction, so two writers cannot both pass it.
        with self.bulk():
            text = self._text(doc_id)
            validate_spans(text, self._spans(doc_id, span.source) + [span], where=f"document {doc_id}")
            span_id = self._insert_span(doc_id, span, _now())
            if span.source == "gold":
                self.conn.execute("UPDATE documents SET ner_labelled = 1 WHERE id = ?", (doc_id,))
        return span_id

    def remove_span(self, span_id: int) -> Span | None:
        with self.bulk():
            row = self.conn.execute("SELECT * FROM spans WHERE id = ?", (span_id,)).fetchone()
            self.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
        if row is None:
            return None
        return Span(row["start"], row["end"], row["label"], row["source"], row["confidence"], row["annotator"],
                    row["id"], row["run_id"])

    def relabel_span(self, span_id: int, label: str) -> None:
        with self.bulk():
            try:
                self.conn.execute("UPDATE spans SET label = ?, annotator = ?, created_at = ? WHERE id = ?",
                                  (label, _user(), _now(), span_id))
            except sqlite3.IntegrityError as e:
                raise ValidationError(f"unknown entity type {label!r}") from e

    def set_ner_labelled(self, doc_id: int, labelled: bool) -> None:
        with self.bulk():
            self.conn.execute("UPDATE documents SET ner_labelled = ? WHERE id = ?", (int(labelled), doc_id))

    def set_sentiment(self, doc_id: int, label: str | None, *, annotator: str | None = None) -> None:
        """Set or clear (None) the gold sentiment of a document."""
        with self.bulk():
            self.conn.execute("DELETE FROM sentiments WHERE document_id = ? AND source = 'gold'", (doc_id,))
            if label is not None:
                self._insert_sentiment(doc_id, SentimentLabel(label, "gold", None, annotator), _now())

    def replace_model_annotations(self, doc_id: int, source: str, run_id: str, spans: Iterable[Span],
                                  sentiment: SentimentLabel | None) -> None:
        """Replace the silver or predicted annotations that `run_id` made on a document."""
        assert source in ("silver", "predicted")
        now = _now()
        with self.bulk():
            self.conn.execute("DELETE FROM spans WHERE document_id = ? AND source = ? AND run_id = ?",
                              (doc_id, source, run_id))
            self.conn.execute("DELETE FROM sentiments WHERE document_id = ? AND source = ? AND run_id = ?",
                              (doc_id, source, run_id))
            for s in spans:
                self._insert_span(doc_id, Span(s.start, s.end, s.label, source, s.confidence, f"model:{run_id}",
                                               run_id=run_id), now)
            if sentiment is not None:
                self._insert_sentiment(doc_id, SentimentLabel(sentiment.label, source, sentiment.confidence,
                                                              f"model:{run_id}", run_id), now)

    def clear_model_annotations(self, source: str, run_id: str | None = None) -> None:
        with self.bulk():
            for table in ("spans", "sentiments"):
                if run_id:
                    self.conn.execute(f"DELETE FROM {table} WHERE source = ? AND run_id = ?", (source, run_id))
                else:
                    self.conn.execute(f"DELETE FROM {table} WHERE source = ?", (source,))

    def _text(self, doc_id: int) -> str:
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(f"no document {doc_id}")
        return row[0]

    def _spans(self, doc_id: int, source: str) -> list[Span]:
        return [Span(r["start"], r["end"], r["label"], r["source"], id=r["id"]) for r in self.conn.execute(
            "SELECT * FROM spans WHERE document_id = ? AND source = ?", (doc_id, source))]

    # ---- review queries (prediction errors, navigation) --------------------------------------------
    # Queries the GUI needs for reviewing a run's predictions and for moving through the documents.
    # They live here so that no GUI module writes SQL; core/review.py defines what they mean.

    def latest_prediction_run_id(self) -> str | None:
        """The newest run that stored predictions in this project (None when there is none)."""
        row = self.conn.execute(
            "SELECT runs.id FROM runs WHERE runs.id IN (SELECT run_id FROM spans WHERE source = 'predicted' "
            "UNION SELECT run_id FROM sentiments WHERE source = 'predicted') "
            "ORDER BY runs.created_at DESC, runs.rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def prediction_runs(self) -> list[dict[str, Any]]:
        """Finished runs (not 'running') that stored predictions, newest first: id, created_at, status, tasks."""
        rows = self.conn.execute(
            "SELECT * FROM runs WHERE status != 'running' AND runs.id IN (SELECT run_id FROM spans WHERE "
            "source = 'predicted' UNION SELECT run_id FROM sentiments WHERE source = 'predicted') "
            "ORDER BY runs.created_at DESC, runs.rowid DESC").fetchall()
        return [{"id": r["id"], "created_at": r["created_at"], "status": r["status"],
                 "tasks": list(json.loads(r["config"]).get("tasks") or ())} for r in rows]

    def count_predicted_documents(self, run_id: str, split: str | None = None) -> int:
        """Documents (of a split) that hold any prediction of the run (0: the run predicted nothing there)."""
        split_clause = " AND d.split = ?" if split else ""
        args: list[Any] = [run_id, run_id] + ([split] if split else [])
        return self.conn.execute(
            "SELECT COUNT(*) FROM documents d WHERE (EXISTS (SELECT 1 FROM spans s WHERE s.document_id = d.id "
            "AND s.source = 'predicted' AND s.run_id = ?) OR EXISTS (SELECT 1 FROM sentiments t WHERE "
            f"t.document_id = d.id AND t.source = 'predicted' AND t.run_id = ?)){split_clause}", args).fetchone()[0]

    def mismatched_document_ids(self, run_id: str, tasks: Iterable[str], split: str | None = None) -> set[int]:
        """Documents (of a split) where the run's prediction differs from gold for one of `tasks`.

        NER: a gold span the run did not predict with the same boundaries and label, or a predicted span
        gold does not have, counted only on NER-labelled documents. Sentiment: a gold sentiment the run
        did not predict, counted only where gold exists. One query, so a 100k-document project is cheap;
        core.review.diff_spans is the same comparison span by span (tests check that they agree).
        """
        tasks = set(tasks)
        clauses = []
        args: list[Any] = []
        if "ner" in tasks:
            clauses.append(
                """(d.ner_labelled = 1 AND (
                    EXISTS (SELECT 1 FROM spans p WHERE p.document_id = d.id AND p.source = 'predicted'
                            AND p.run_id = ? AND NOT EXISTS (
                              SELECT 1 FROM spans g WHERE g.document_id = d.id AND g.source = 'gold'
                              AND g.start = p.start AND g."end" = p."end" AND g.label = p.label))
                 OR EXISTS (SELECT 1 FROM spans g WHERE g.document_id = d.id AND g.source = 'gold'
                            AND NOT EXISTS (
                              SELECT 1 FROM spans p WHERE p.document_id = d.id AND p.source = 'predicted'
                              AND p.run_id = ? AND p.start = g.start AND p."end" = g."end"
                              AND p.label = g.label))))""")
            args += [run_id, run_id]
        if "sentiment" in tasks:
            clauses.append(
                """EXISTS (SELECT 1 FROM sentiments g WHERE g.document_id = d.id AND g.source = 'gold'
                           AND NOT EXISTS (SELECT 1 FROM sentiments p WHERE p.document_id = d.id
                                           AND p.source = 'predicted' AND p.run_id = ? AND p.label = g.label))""")
            args.append(run_id)
        if not clauses:
            return set()
        where = "(" + " OR ".join(clauses) + ")"
        if split:
            where += " AND d.split = ?"
            args.append(split)
        return {r[0] for r in self.conn.execute(f"SELECT d.id FROM documents d WHERE {where}", args)}

    def next_unlabelled_document_id(self, after: int | None = None, *, among: Iterable[int] | None = None,
                                    split: str | None = None, task: str | None = None,
                                    labelled: bool | None = None, source_filter: str | None = None,
                                    search: str | None = None) -> int | None:
        """The next document after `after` (in id order, wrapping round) that misses a label for a task
        the project uses: NER when it has entity types, sentiment when it has sentiment classes.

        Only documents of a list are candidates when given: the ones matching the filter arguments (as
        document_ids), and of those only the ids in `among` when it is given."""
        clauses = []
        if self.entity_type_names():
            clauses.append("ner_labelled = 0")
        if self.sentiment_class_names():
            clauses.append("NOT EXISTS (SELECT 1 FROM sentiments t WHERE t.document_id = documents.id "
                           "AND t.source = 'gold')")
        if not clauses:
            return None
        where, args = _document_filter(split, task, labelled, source_filter, search)
        where += (" AND" if where else " WHERE") + " (" + " OR ".join(clauses) + ")"
        if among is not None:
            # One JSON parameter: a list of any length (no limit on the number of SQL variables).
            where += " AND id IN (SELECT value FROM json_each(?))"
            args.append(json.dumps(list(among)))
        row = self.conn.execute(f"SELECT id FROM documents{where} AND id > ? ORDER BY id LIMIT 1",
                                args + [after if after is not None else 0]).fetchone()
        if row is None:
            row = self.conn.execute(f"SELECT id FROM documents{where} ORDER BY id LIMIT 1", args).fetchone()
        return row[0] if row else None

    # ---- splits and deletion in bulk (re-split, delete many, which splits no one chose) ---------------
    # A document's split is "unassigned" when only the seeded hash gave it (an import that followed the
    # random rule or found no split in the file): `mtl-studio split --only-unassigned` moves those and
    # leaves the splits that a file, a flag or a person chose. Kept as id ranges in the meta table so
    # that no schema migration is needed.

    def split_keys(self, ids: Iterable[int] | None = None) -> list[SplitKey]:
        """Id, split and the labels a stratified re-split balances, for every document (or for `ids`)."""
        sql = ("SELECT d.id, d.split, d.ner_labelled, (SELECT t.label FROM sentiments t WHERE t.document_id = d.id "
               "AND t.source = 'gold') AS sentiment FROM documents d")
        if ids is None:
            rows = self.conn.execute(sql + " ORDER BY d.id").fetchall()
        else:
            rows = []
            for chunk in _chunks(sorted(set(ids))):
                rows += self.conn.execute(f"{sql} WHERE d.id IN ({','.join('?' * len(chunk))}) ORDER BY d.id",
                                          chunk).fetchall()
        return [SplitKey(r["id"], r["split"], bool(r["ner_labelled"]), r["sentiment"]) for r in rows]

    def set_splits(self, assignment: dict[int, str]) -> None:
        """Move many documents to new splits in one transaction; they count as assigned afterwards."""
        bad = sorted({s for s in assignment.values() if s not in SPLITS})
        if bad:
            raise ValidationError(f"split {bad[0]!r} is not one of {', '.join(SPLITS)}")
        with self.bulk():
            self.conn.executemany("UPDATE documents SET split = ? WHERE id = ?",
                                  [(split, doc_id) for doc_id, split in assignment.items()])
            self.mark_split_assigned(assignment)

    def labelled_counts_per_split(self, tasks: Iterable[str] = ("ner", "sentiment")) -> dict[str, int]:
        """Documents with a gold label for any of `tasks` (NER-labelled, or a gold sentiment), per split."""
        tests = {"ner": "d.ner_labelled = 1",
                 "sentiment": "EXISTS (SELECT 1 FROM sentiments t WHERE t.document_id = d.id AND t.source = 'gold')"}
        chosen = [tests[t] for t in tasks if t in tests]
        if not chosen:
            return {split: 0 for split in SPLITS}
        rows = self.conn.execute(f"SELECT d.split, COUNT(*) FROM documents d WHERE {' OR '.join(chosen)} "
                                 "GROUP BY d.split")
        counts = {split: 0 for split in SPLITS}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    def delete_documents(self, ids: Iterable[int]) -> DeletedDocuments:
        """Delete documents with all their annotations (gold, silver, predicted) in one transaction."""
        wanted = sorted(set(int(i) for i in ids))
        found: list[int] = []
        spans = sentiments = 0
        with self.bulk():
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                found += [r[0] for r in self.conn.execute(f"SELECT id FROM documents WHERE id IN ({marks})", chunk)]
                spans += self.conn.execute(f"SELECT COUNT(*) FROM spans WHERE document_id IN ({marks})",
                                           chunk).fetchone()[0]
                sentiments += self.conn.execute(f"SELECT COUNT(*) FROM sentiments WHERE document_id IN ({marks})",
                                                chunk).fetchone()[0]
                # Spans and sentiments go with their document (ON DELETE CASCADE, foreign keys are on).
                self.conn.execute(f"DELETE FROM documents WHERE id IN ({marks})", chunk)
            # SQLite may hand a deleted id to the next new document: it must not inherit the mark.
            self.mark_split_assigned(found)
        missing = sorted(set(wanted) - set(found))
        return DeletedDocuments(ids=sorted(found), missing=missing, spans=spans, sentiments=sentiments)

    def snapshot_documents(self, ids: Iterable[int]) -> list[DocumentSnapshot]:
        """Everything delete_documents would remove, row for row, so restore_documents can put it back
        (an undo of a deletion): the document rows with their ids, every span and sentiment of any
        source, and whether the split was still unassigned."""
        wanted = sorted(set(int(i) for i in ids))
        unassigned = set(self.unassigned_split_ids()) if self.get_meta(UNASSIGNED_SPLITS_KEY) else set()
        snapshots: list[DocumentSnapshot] = []
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            spans: dict[int, list[dict[str, Any]]] = {}
            for r in self.conn.execute(f"SELECT * FROM spans WHERE document_id IN ({marks}) ORDER BY id", chunk):
                spans.setdefault(r["document_id"], []).append(dict(r))
            sentiments: dict[int, list[dict[str, Any]]] = {}
            for r in self.conn.execute(f"SELECT * FROM sentiments WHERE document_id IN ({marks}) ORDER BY id",
                                       chunk):
                sentiments.setdefault(r["document_id"], []).append(dict(r))
            for r in self.conn.execute(f"SELECT * FROM documents WHERE id IN ({marks}) ORDER BY id", chunk):
                snapshots.append(DocumentSnapshot(dict(r), spans.get(r["id"], []), sentiments.get(r["id"], []),
                                                  r["id"] in unassigned))
        return snapshots

    def restore_documents(self, snapshots: Iterable[DocumentSnapshot]) -> list[int]:
        """Put snapshotted documents back with their ids and annotations, in one transaction; refused
        (nothing restored) when an id is taken again or a label of an annotation no longer exists."""
        snapshots = list(snapshots)
        with self.bulk():
            try:
                for snap in snapshots:
                    for table, rows in (("documents", [snap.document]), ("spans", snap.spans),
                                        ("sentiments", snap.sentiments)):
                        for row in rows:
                            columns = ", ".join(f'"{c}"' for c in row)
                            self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES "
                                              f"({', '.join('?' * len(row))})", list(row.values()))
            except sqlite3.IntegrityError as e:
                raise ValidationError(f"the deleted documents cannot be restored: {e}") from e
            unassigned = [s.document["id"] for s in snapshots if s.split_unassigned]
            if unassigned:
                self.mark_split_unassigned(unassigned)
        return [s.document["id"] for s in snapshots]

    def unassigned_split_ids(self) -> list[int]:
        """Ids of documents whose split only the seeded hash chose (see the comment above)."""
        ranges = _unpack_ranges(self.get_meta(UNASSIGNED_SPLITS_KEY))
        if not ranges:
            return []
        marked = [i for a, b in ranges for i in range(a, b + 1)]
        return [k.id for k in self.split_keys(marked)]  # only those that still exist

    def mark_split_unassigned(self, ids: Iterable[int]) -> None:
        current = set(i for a, b in _unpack_ranges(self.get_meta(UNASSIGNED_SPLITS_KEY)) for i in range(a, b + 1))
        self._save_unassigned(current | set(ids))

    def mark_split_assigned(self, ids: Iterable[int]) -> None:
        raw = self.get_meta(UNASSIGNED_SPLITS_KEY)
        if not raw:
            return  # the common case: nothing is marked, nothing to read
        current = set(i for a, b in _unpack_ranges(raw) for i in range(a, b + 1))
        self._save_unassigned(current - set(ids))

    def _save_unassigned(self, ids: set[int]) -> None:
        with self.bulk():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                              (UNASSIGNED_SPLITS_KEY, json.dumps(id_ranges(ids), separators=(",", ":"))))

    # ---- statistics ------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts per split and task: documents, labelled documents, entities per type, sentiment per class."""
        c = self.conn
        out: dict[str, Any] = {"documents": self.count_documents(), "splits": {}, "totals": {}}
        for split in SPLITS:
            docs = c.execute("SELECT COUNT(*) FROM documents WHERE split = ?", (split,)).fetchone()[0]
            ner_docs = c.execute("SELECT COUNT(*) FROM documents WHERE split = ? AND ner_labelled = 1",
                                 (split,)).fetchone()[0]
            ents = {r[0]: r[1] for r in c.execute(
                "SELECT s.label, COUNT(*) FROM spans s JOIN documents d ON d.id = s.document_id "
                "WHERE d.split = ? AND s.source = 'gold' GROUP BY s.label ORDER BY s.label", (split,))}
            sents = {r[0]: r[1] for r in c.execute(
                "SELECT t.label, COUNT(*) FROM sentiments t JOIN documents d ON d.id = t.document_id "
                "WHERE d.split = ? AND t.source = 'gold' GROUP BY t.label ORDER BY t.label", (split,))}
            both = c.execute(
                "SELECT COUNT(*) FROM documents d WHERE d.split = ? AND d.ner_labelled = 1 AND EXISTS "
                "(SELECT 1 FROM sentiments t WHERE t.document_id = d.id AND t.source = 'gold')", (split,)).fetchone()[0]
            out["splits"][split] = {
                "documents": docs,
                "ner": {"documents": ner_docs, "entities": sum(ents.values()), "entities_per_type": ents},
                "sentiment": {"documents": sum(sents.values()), "labels_per_class": sents},
                "both_tasks": both,
                "unlabelled": c.execute(
                    "SELECT COUNT(*) FROM documents d WHERE d.split = ? AND d.ner_labelled = 0 AND NOT EXISTS "
                    "(SELECT 1 FROM sentiments t WHERE t.document_id = d.id AND t.source = 'gold')",
                    (split,)).fetchone()[0],
            }
        ents_total = {r[0]: r[1] for r in c.execute(
            "SELECT label, COUNT(*) FROM spans WHERE source = 'gold' GROUP BY label ORDER BY label")}
        sents_total = {r[0]: r[1] for r in c.execute(
            "SELECT label, COUNT(*) FROM sentiments WHERE source = 'gold' GROUP BY label ORDER BY label")}
        silver = {r[0]: r[1] for r in c.execute("SELECT 'spans', COUNT(*) FROM spans WHERE source = 'silver' "
                                                 "UNION ALL SELECT 'sentiments', COUNT(*) FROM sentiments "
                                                 "WHERE source = 'silver'")}
        out["totals"] = {
            "documents": out["documents"],
            "ner_documents": sum(s["ner"]["documents"] for s in out["splits"].values()),
            "entities": sum(ents_total.values()),
            "entities_per_type": ents_total,
            "sentiment_documents": sum(sents_total.values()),
            "sentiment_per_class": sents_total,
            "silver": silver,
        }
        out["entity_types"] = self.entity_type_names()
        out["sentiment_classes"] = self.sentiment_class_names()
        # Documents per source file: tells imports apart in a project that mixes several files.
        out["sources"] = {r[0]: r[1] for r in c.execute(
            "SELECT source, COUNT(*) FROM documents GROUP BY source ORDER BY source")}
        return out

    def dataset_hash(self) -> str:
        """A hash of the gold data and splits (recorded with each run to tell which data it saw)."""
        h = hashlib.sha256()
        for r in self.conn.execute("SELECT id, text, split, ner_labelled FROM documents ORDER BY id"):
            h.update(f"{r[0]}\x1f{r[1]}\x1f{r[2]}\x1f{r[3]}\x1e".encode())
        for r in self.conn.execute('SELECT document_id, start, "end", label FROM spans WHERE source = \'gold\' '
                                   "ORDER BY document_id, start"):
            h.update(f"s{r[0]}:{r[1]}:{r[2]}:{r[3]}\x1e".encode())
        for r in self.conn.execute("SELECT document_id, label FROM sentiments WHERE source = 'gold' "
                                   "ORDER BY document_id"):
            h.update(f"t{r[0]}:{r[1]}\x1e".encode())
        return h.hexdigest()[:16]

    # ---- runs ------------------------------------------------------------------------------------

    def create_run(self, config: dict[str, Any], *, run_id: str | None = None) -> str:
        """A new run, 'running' and owned by this process (core/run_liveness.py tells when it died)."""
        run_id = run_id or _dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        now = _now()
        with self.bulk():
            self.conn.execute(
                "INSERT INTO runs (id, created_at, status, config, dataset_hash, owner, heartbeat_at) "
                "VALUES (?, ?, 'running', ?, ?, ?, ?)",
                (run_id, now, json.dumps(config, ensure_ascii=False), self.dataset_hash(),
                 current_process().to_json(), now))
        return run_id

    def claim_run(self, run_id: str) -> None:
        """A resumed run: running again, owned by this process."""
        with self.bulk():
            self.conn.execute("UPDATE runs SET status = 'running', message = '', owner = ?, heartbeat_at = ? "
                              "WHERE id = ?", (current_process().to_json(), _now(), run_id))

    def beat_run(self, run_id: str) -> None:
        """The heartbeat of a running run (run_liveness.Heartbeat calls it every few seconds)."""
        with self.bulk():
            self.conn.execute("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
                              (_now(), run_id))

    def update_run(self, run_id: str, *, status: str | None = None, metrics: dict[str, Any] | None = None,
                   artefact_dir: str | None = None, message: str | None = None) -> None:
        sets, args = [], []
        for col, val in (("status", status), ("artefact_dir", artefact_dir), ("message", message)):
            if val is not None:
                sets.append(f"{col} = ?")
                args.append(val)
        if metrics is not None:
            sets.append("metrics = ?")
            args.append(json.dumps(metrics, ensure_ascii=False))
        if not sets:
            return
        with self.bulk():
            self.conn.execute(f"UPDATE runs SET {', '.join(sets)} WHERE id = ?", args + [run_id])

    def add_epoch_metrics(self, run_id: str, epoch: int, metrics: dict[str, Any]) -> None:
        with self.bulk():
            self.conn.execute("INSERT OR REPLACE INTO run_epochs VALUES (?, ?, ?)",
                              (run_id, epoch, json.dumps(metrics, ensure_ascii=False)))

    def run_records(self) -> list[RunRecord]:
        """Every run, oldest first (without per-epoch metrics)."""
        return [self._run_record(r) for r in self.conn.execute("SELECT * FROM runs ORDER BY created_at, rowid")]

    def list_runs(self) -> list[dict[str, Any]]:
        """run_records() in their JSON form."""
        return [r.to_dict() for r in self.run_records()]

    def get_run(self, run_id: str | None = None) -> dict[str, Any]:
        """run_record() in its JSON form."""
        return self.run_record(run_id).to_dict()

    def run_record(self, run_id: str | None = None) -> RunRecord:
        """A run by id, or the latest one when run_id is None, with its per-epoch metrics."""
        if run_id is None:
            row = self.conn.execute("SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1").fetchone()
            if row is None:
                raise KeyError("this project has no training runs yet")
        else:
            row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise KeyError(f"no run {run_id!r}")
        run = self._run_record(row)
        run.epochs = [
            {"epoch": r["epoch"], **json.loads(r["metrics"])}
            for r in self.conn.execute("SELECT * FROM run_epochs WHERE run_id = ? ORDER BY epoch", (run.id,))]
        return run

    def delete_run(self, run_id: str) -> None:
        with self.bulk():
            self.conn.execute("DELETE FROM spans WHERE run_id = ? AND source = 'predicted'", (run_id,))
            self.conn.execute("DELETE FROM sentiments WHERE run_id = ? AND source = 'predicted'", (run_id,))
            self.conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    @staticmethod
    def _run_record(r: sqlite3.Row) -> RunRecord:
        status, message = _observed_run_status(r)
        return RunRecord(id=r["id"], created_at=r["created_at"], status=status, config=json.loads(r["config"]),
                         dataset_hash=r["dataset_hash"], artefact_dir=r["artefact_dir"],
                         metrics=json.loads(r["metrics"]), message=message)


def _observed_run_status(r: sqlite3.Row) -> tuple[str, str]:
    """(status, message) of a run row as readers see it: 'running' only while its process lives. Rows of
    a schema-1 project opened read-only have no owner or heartbeat columns."""
    keys = r.keys()
    status = observed_status(r["status"], r["owner"] if "owner" in keys else None,
                             r["heartbeat_at"] if "heartbeat_at" in keys else None, r["created_at"])
    if status == INTERRUPTED and not r["message"]:
        return status, interrupted_message(r["id"], has_checkpoint=has_resume_point(r["artefact_dir"]))
    return status, r["message"]


# ---- helpers of the bulk split and delete section ---------------------------------------------------

UNASSIGNED_SPLITS_KEY = "unassigned_splits"
SQL_CHUNK = 500  # ids per IN (...) list: far below SQLite's limit on bound parameters


@dataclass(frozen=True)
class SplitKey:
    """What a re-split needs to know of a document: where it is and what it is labelled with."""

    id: int
    split: str
    ner_labelled: bool
    sentiment: str | None


@dataclass(frozen=True)
class DocumentSnapshot:
    """A stored document as rows (its own, its spans', its sentiments'), for restore_documents."""

    document: dict[str, Any]
    spans: list[dict[str, Any]]
    sentiments: list[dict[str, Any]]
    split_unassigned: bool = False


@dataclass(frozen=True)
class DeletedDocuments:
    """What delete_documents removed: the ids it found, those it did not, and their annotations."""

    ids: list[int]
    missing: list[int]
    spans: int
    sentiments: int


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), SQL_CHUNK):
        yield ids[start:start + SQL_CHUNK]


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """[1, 2, 3, 7] -> [[1, 3], [7, 7]]: an import of 100,000 documents is one pair."""
    ranges: list[list[int]] = []
    for i in sorted(ids):
        if ranges and i == ranges[-1][1] + 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    return ranges


def _unpack_ranges(raw: str | None) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in json.loads(raw)] if raw else []


def _split_sql(script: str) -> list[str]:
    # executescript() would COMMIT the migration's transaction, so statements run one by one.
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _check_label_name(name: str) -> str:
    return check_label_form(name)


def _document_filter(split: str | None, task: str | None, labelled: bool | None, source_filter: str | None,
                     search: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if split:
        clauses.append("split = ?")
        args.append(split)
    if task == "ner" and labelled is not None:
        clauses.append("ner_labelled = ?")
        args.append(int(labelled))
    elif task == "sentiment" and labelled is not None:
        clauses.append(("" if labelled else "NOT ") +
                       "EXISTS (SELECT 1 FROM sentiments t WHERE t.document_id = documents.id AND t.source = 'gold')")
    if source_filter in ("silver", "predicted"):
        clauses.append(f"(EXISTS (SELECT 1 FROM spans s WHERE s.document_id = documents.id AND s.source = "
                       f"'{source_filter}') OR EXISTS (SELECT 1 FROM sentiments t WHERE "
                       f"t.document_id = documents.id AND t.source = '{source_filter}'))")
    if search:
        clauses.append("instr(lower(text), lower(?)) > 0")
        args.append(search)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args
