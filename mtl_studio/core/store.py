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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MtlStudioError
from .run_record import ConflictSummary, RunRecord
from .schema import (
    DEFAULT_COLOURS, DEFAULT_MULTI_LABEL_THRESHOLD, DEFAULT_POLARITIES, ENTITY_KEYS, ENTITY_SENTIMENT_KEYS,
    KIND_DOCUMENT, KIND_ENTITY_SENTIMENT, KIND_SPANS, LABEL_SET_KEYS, SENTIMENT_KEYS, SOURCES, SPLITS,
    TASK_ENTITY_SENTIMENT, TASK_NER, TASK_SENTIMENT, Document, DocumentLabel, EntityType, LabelClass, LabelSet,
    SentimentClass, SentimentLabel, Span, TaskSpec, ValidationError, check_label_form, check_task_name,
    validate_spans,
)
from . import store_files
from .paths import has_resume_point
from .run_liveness import INTERRUPTED, current_process, interrupted_message, observed_status
from .store_faults import ProjectBusy, ProjectReadOnly, os_storage_error, read_only_message, storage_error
from .store_files import (
    check_name_fits, has_unmerged_wal, is_locked, is_writable, remove_project_files, rollback_quietly,
)

SCHEMA_VERSION = 6
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
    # 4: the gradient-conflict meter's readings (core/gradient_conflict.py), one row per measurement.
    """
    CREATE TABLE gradient_conflict (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        cosine REAL,                     -- NULL when undefined (a zero gradient)
        per_group TEXT NOT NULL DEFAULT '{}',
        steps_apart INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, step));
    """,
    # 5: model in the loop (core/suggestions.py, core/active_learning.py). Run ids are not foreign
    # keys: a suggestion model may be an exported folder that is no run of this project.
    """
    CREATE TABLE suggestion_documents (   -- documents a model's suggestions were computed for
        run_id TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, document_id));
    CREATE TABLE rejected_suggestions (   -- never shown again for that run
        run_id TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        task TEXT NOT NULL CHECK (task IN ('ner', 'sentiment')),
        start INTEGER NOT NULL,           -- -1 for a sentiment
        "end" INTEGER NOT NULL,
        label TEXT NOT NULL,
        annotator TEXT, created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, document_id, task, start, "end", label));
    CREATE TABLE document_scores (        -- active-learning scores of the unlabelled pool, per run
        run_id TEXT NOT NULL,
        strategy TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        score REAL NOT NULL,
        PRIMARY KEY (run_id, strategy, document_id));
    CREATE INDEX document_scores_rank ON document_scores(run_id, strategy, score DESC);
    """,
    # 6: tasks as data (docs/tasks_as_data.md): entity sentiment, a polarity on each span, and further
    # document label sets. Renames cascade through the foreign keys; a removed polarity clears the spans'
    # (they stay). rejected_suggestions is rebuilt without its CHECK on the two old task names, so a
    # suggestion of any task can be rejected.
    """
    CREATE TABLE entity_sentiment_classes (
        name TEXT PRIMARY KEY, position INTEGER NOT NULL, key TEXT);
    ALTER TABLE spans ADD COLUMN sentiment TEXT REFERENCES entity_sentiment_classes(name)
        ON UPDATE CASCADE ON DELETE SET NULL;
    ALTER TABLE spans ADD COLUMN sentiment_confidence REAL;
    CREATE TABLE label_sets (
        name TEXT PRIMARY KEY,
        multi_label INTEGER NOT NULL DEFAULT 0,
        position INTEGER NOT NULL,
        threshold REAL NOT NULL DEFAULT 0.5);
    CREATE TABLE label_set_classes (
        label_set TEXT NOT NULL REFERENCES label_sets(name) ON UPDATE CASCADE ON DELETE CASCADE,
        name TEXT NOT NULL, position INTEGER NOT NULL, key TEXT,
        PRIMARY KEY (label_set, name));
    CREATE TABLE document_labels (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        label_set TEXT NOT NULL,
        label TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('gold', 'silver', 'predicted')),
        confidence REAL, annotator TEXT, run_id TEXT, created_at TEXT NOT NULL,
        FOREIGN KEY (label_set, label) REFERENCES label_set_classes(label_set, name)
            ON UPDATE CASCADE ON DELETE CASCADE);
    CREATE UNIQUE INDEX document_labels_one_gold ON document_labels(document_id, label_set, label)
        WHERE source = 'gold';
    CREATE INDEX document_labels_doc ON document_labels(document_id, source);
    CREATE INDEX document_labels_set ON document_labels(label_set, label);
    CREATE TABLE rejected_suggestions_6 (
        run_id TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        task TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        label TEXT NOT NULL,
        annotator TEXT, created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, document_id, task, start, "end", label));
    INSERT INTO rejected_suggestions_6 SELECT * FROM rejected_suggestions;
    DROP TABLE rejected_suggestions;
    ALTER TABLE rejected_suggestions_6 RENAME TO rejected_suggestions;
    """,
]

# (table, its key alphabet) of the label tables; keys are unique within a table (the classes of every
# further label set share one pool: LABEL_SET_KEYS).
_LABEL_KEYS = {"entity_types": ENTITY_KEYS, "sentiment_classes": SENTIMENT_KEYS,
               "entity_sentiment_classes": ENTITY_SENTIMENT_KEYS, "label_set_classes": LABEL_SET_KEYS}
# Meta key saying that the project declares entity sentiment ("on").
ENTITY_SENTIMENT_META = "entity_sentiment"


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
                    for table in ("entity_types", "sentiment_classes"):
                        keys = _LABEL_KEYS[table]
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

    # ---- the task list (docs/tasks_as_data.md) ---------------------------------------------------------

    def _has_task_tables(self) -> bool:
        """Whether the file has schema 6's tables: a read-only project of an older schema is browsed
        without upgrading, and has only the two old tasks."""
        if getattr(self, "_task_tables", False):
            return True
        found = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'label_sets'"
                                  ).fetchone() is not None
        self._task_tables = found
        return found

    def tasks(self) -> list[TaskSpec]:
        """The tasks this project declares, in training order: ner, entity_sentiment (when switched on),
        sentiment, then the further document label sets in their order."""
        out = [TaskSpec(TASK_NER, KIND_SPANS, tuple(self.entity_type_names()))]
        if self.has_entity_sentiment():
            out.append(TaskSpec(TASK_ENTITY_SENTIMENT, KIND_ENTITY_SENTIMENT,
                                tuple(self.entity_sentiment_class_names())))
        out.append(TaskSpec(TASK_SENTIMENT, KIND_DOCUMENT, tuple(self.sentiment_class_names())))
        for ls in self.label_sets():
            out.append(TaskSpec(ls.name, KIND_DOCUMENT, ls.class_names, ls.multi_label, ls.threshold))
        return out

    def task_names(self) -> list[str]:
        return [t.name for t in self.tasks()]

    # ---- entity sentiment: a polarity on each span -------------------------------------------------------

    def has_entity_sentiment(self) -> bool:
        return self.get_meta(ENTITY_SENTIMENT_META) == "on"

    def enable_entity_sentiment(self, classes: Iterable[str] = DEFAULT_POLARITIES) -> list[LabelClass]:
        """Declare the entity-sentiment task with `classes` (when it is already declared, nothing changes)."""
        names = [check_label_form(c) for c in classes]
        with self.bulk():
            if not self.has_entity_sentiment():
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, 'on')", (ENTITY_SENTIMENT_META,))
                for name in names:
                    self._add_entity_sentiment_class(name)
        return self.entity_sentiment_classes()

    def disable_entity_sentiment(self) -> int:
        """Drop the task: every span's polarity is cleared and the classes go. Returns spans cleared."""
        with self.bulk():
            n = self.conn.execute("UPDATE spans SET sentiment = NULL, sentiment_confidence = NULL "
                                  "WHERE sentiment IS NOT NULL").rowcount
            self.conn.execute("DELETE FROM entity_sentiment_classes")
            self.conn.execute("DELETE FROM meta WHERE key = ?", (ENTITY_SENTIMENT_META,))
        return n

    def entity_sentiment_classes(self) -> list[LabelClass]:
        if not self._has_task_tables():
            return []
        rows = self.conn.execute("SELECT name, position, key FROM entity_sentiment_classes ORDER BY position, name")
        return [LabelClass(r["name"], r["position"], r["key"]) for r in rows]

    def entity_sentiment_class_names(self) -> list[str]:
        return [c.name for c in self.entity_sentiment_classes()]

    def add_entity_sentiment_class(self, name: str) -> LabelClass:
        """Add a polarity (an existing one is returned as it is); a class declares the task."""
        name = check_label_form(name)
        with self.bulk():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, 'on')", (ENTITY_SENTIMENT_META,))
            return self._add_entity_sentiment_class(name)

    def _add_entity_sentiment_class(self, name: str) -> LabelClass:
        row = self.conn.execute("SELECT position, key FROM entity_sentiment_classes WHERE name = ?",
                                (name,)).fetchone()
        if row:
            return LabelClass(name, row[0], row[1])
        position = self.conn.execute(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM entity_sentiment_classes").fetchone()[0]
        key = self._free_key("entity_sentiment_classes")
        self.conn.execute("INSERT INTO entity_sentiment_classes (name, position, key) VALUES (?, ?, ?)",
                          (name, position, key))
        return LabelClass(name, position, key)

    def rename_entity_sentiment_class(self, old: str, new: str) -> None:
        """Rename a polarity; the spans that have it follow (ON UPDATE CASCADE)."""
        new = check_label_form(new)
        with self.bulk():
            if self.conn.execute("SELECT 1 FROM entity_sentiment_classes WHERE name = ?", (new,)).fetchone():
                raise ValidationError(f"an entity sentiment class named {new!r} already exists")
            cur = self.conn.execute("UPDATE entity_sentiment_classes SET name = ? WHERE name = ?", (new, old))
            if cur.rowcount == 0:
                raise ValidationError(f"no entity sentiment class named {old!r}")

    def remove_entity_sentiment_class(self, name: str) -> int:
        """Remove a polarity: the spans that had it stay, without a polarity. Returns spans cleared."""
        with self.bulk():
            n = self.conn.execute("UPDATE spans SET sentiment = NULL, sentiment_confidence = NULL "
                                  "WHERE sentiment = ?", (name,)).rowcount
            self.conn.execute("DELETE FROM entity_sentiment_classes WHERE name = ?", (name,))
        return n

    def set_entity_sentiment_class_key(self, name: str, key: str | None) -> None:
        """The editor key of a polarity (one of ENTITY_SENTIMENT_KEYS, or None for none)."""
        self._set_label_key("entity_sentiment_classes", name, key)

    def count_span_sentiments(self, source: str | None = "gold") -> dict[str, int]:
        """Spans per polarity (every class, 0 included), of one source (None: every source)."""
        counts = {name: 0 for name in self.entity_sentiment_class_names()}
        if not counts:
            return counts
        where, args = ("AND source = ?", (source,)) if source else ("", ())
        for r in self.conn.execute(f"SELECT sentiment, COUNT(*) FROM spans WHERE sentiment IS NOT NULL {where} "
                                   "GROUP BY sentiment", args):
            counts[r[0]] = r[1]
        return counts

    def set_span_sentiment(self, span_id: int, label: str | None, *, annotator: str | None = None) -> None:
        """Set or clear (None) a span's polarity (a person's: no model confidence)."""
        with self.bulk():
            try:
                cur = self.conn.execute(
                    "UPDATE spans SET sentiment = ?, sentiment_confidence = NULL, annotator = ?, created_at = ? "
                    "WHERE id = ?", (label, annotator or _user(), _now(), span_id))
            except sqlite3.IntegrityError as e:
                raise ValidationError(f"unknown entity sentiment class {label!r} (the project has: "
                                      f"{', '.join(self.entity_sentiment_class_names()) or 'none'})") from e
            if cur.rowcount == 0:
                raise KeyError(f"no span {span_id}")

    # ---- further document label sets ---------------------------------------------------------------------

    def label_sets(self) -> list[LabelSet]:
        if not self._has_task_tables():
            return []
        classes: dict[str, list[LabelClass]] = {}
        for r in self.conn.execute("SELECT label_set, name, position, key FROM label_set_classes "
                                   "ORDER BY position, name"):
            classes.setdefault(r["label_set"], []).append(LabelClass(r["name"], r["position"], r["key"]))
        return [LabelSet(r["name"], bool(r["multi_label"]), tuple(classes.get(r["name"], ())), r["position"],
                         float(r["threshold"]))
                for r in self.conn.execute("SELECT * FROM label_sets ORDER BY position, name")]

    def label_set_names(self) -> list[str]:
        return [ls.name for ls in self.label_sets()]

    def label_set(self, name: str) -> LabelSet:
        found = next((ls for ls in self.label_sets() if ls.name == name), None)
        if found is None:
            raise ValidationError(f"no label set named {name!r}")
        return found

    def add_label_set(self, name: str, *, multi_label: bool = False, classes: Iterable[str] = (),
                      threshold: float = DEFAULT_MULTI_LABEL_THRESHOLD) -> LabelSet:
        """A new document label set with its classes. A set of that name that exists already is kept as
        it is (its flag and threshold), and gets those of `classes` it lacks."""
        name = check_task_name(name)
        threshold = _check_threshold(threshold)
        names = [check_label_form(c) for c in classes]
        with self.bulk():
            if not self.conn.execute("SELECT 1 FROM label_sets WHERE name = ?", (name,)).fetchone():
                position = self.conn.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM label_sets").fetchone()[0]
                self.conn.execute("INSERT INTO label_sets (name, multi_label, position, threshold) VALUES (?, ?, ?, ?)",
                                  (name, int(bool(multi_label)), position, threshold))
            for c in names:
                self._add_label_set_class(name, c)
        return self.label_set(name)

    def rename_label_set(self, old: str, new: str) -> None:
        """Rename a label set; its classes and every document label follow (ON UPDATE CASCADE)."""
        new = check_task_name(new)
        with self.bulk():
            if self.conn.execute("SELECT 1 FROM label_sets WHERE name = ?", (new,)).fetchone():
                raise ValidationError(f"a label set named {new!r} already exists")
            cur = self.conn.execute("UPDATE label_sets SET name = ? WHERE name = ?", (new, old))
            if cur.rowcount == 0:
                raise ValidationError(f"no label set named {old!r}")

    def remove_label_set(self, name: str) -> int:
        """Delete a label set, its classes and every label of it (any source). Returns labels removed."""
        with self.bulk():
            n = self.conn.execute("DELETE FROM document_labels WHERE label_set = ?", (name,)).rowcount
            self.conn.execute("DELETE FROM label_set_classes WHERE label_set = ?", (name,))
            self.conn.execute("DELETE FROM label_sets WHERE name = ?", (name,))
        return n

    def set_label_set_multi_label(self, name: str, multi_label: bool) -> None:
        """Make a set multi- or single-label; refused (nothing changes) for single-label while a document
        holds several gold labels of it."""
        with self.bulk():
            self._require_label_set(name)
            if not multi_label:
                crowded = self.conn.execute(
                    "SELECT COUNT(*) FROM (SELECT document_id FROM document_labels WHERE label_set = ? AND "
                    "source = 'gold' GROUP BY document_id HAVING COUNT(*) > 1)", (name,)).fetchone()[0]
                if crowded:
                    raise ValidationError(f"label set {name!r} cannot be single-label: {crowded} document"
                                          f"{'s hold' if crowded > 1 else ' holds'} several of its labels")
            self.conn.execute("UPDATE label_sets SET multi_label = ? WHERE name = ?", (int(bool(multi_label)), name))

    def set_label_set_threshold(self, name: str, threshold: float) -> None:
        """The probability a multi-label set's sigmoid must pass for a label to be predicted."""
        threshold = _check_threshold(threshold)
        with self.bulk():
            self._require_label_set(name)
            self.conn.execute("UPDATE label_sets SET threshold = ? WHERE name = ?", (threshold, name))

    def _require_label_set(self, name: str) -> None:
        if not self.conn.execute("SELECT 1 FROM label_sets WHERE name = ?", (name,)).fetchone():
            raise ValidationError(f"no label set named {name!r}")

    def add_label_set_class(self, label_set: str, name: str) -> LabelClass:
        """Add a class to a set (an existing one is returned as it is); it takes the first free key of
        the pool the sets share."""
        name = check_label_form(name)
        with self.bulk():
            self._require_label_set(label_set)
            return self._add_label_set_class(label_set, name)

    def _add_label_set_class(self, label_set: str, name: str) -> LabelClass:
        row = self.conn.execute("SELECT position, key FROM label_set_classes WHERE label_set = ? AND name = ?",
                                (label_set, name)).fetchone()
        if row:
            return LabelClass(name, row[0], row[1])
        position = self.conn.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM label_set_classes "
                                     "WHERE label_set = ?", (label_set,)).fetchone()[0]
        key = self._free_key("label_set_classes")
        self.conn.execute("INSERT INTO label_set_classes (label_set, name, position, key) VALUES (?, ?, ?, ?)",
                          (label_set, name, position, key))
        return LabelClass(name, position, key)

    def rename_label_set_class(self, label_set: str, old: str, new: str) -> None:
        new = check_label_form(new)
        with self.bulk():
            self._require_label_set(label_set)
            if self.conn.execute("SELECT 1 FROM label_set_classes WHERE label_set = ? AND name = ?",
                                 (label_set, new)).fetchone():
                raise ValidationError(f"label set {label_set!r} already has a class named {new!r}")
            cur = self.conn.execute("UPDATE label_set_classes SET name = ? WHERE label_set = ? AND name = ?",
                                    (new, label_set, old))
            if cur.rowcount == 0:
                raise ValidationError(f"label set {label_set!r} has no class named {old!r}")

    def remove_label_set_class(self, label_set: str, name: str) -> int:
        """Delete a class and every label of it (any source). Returns labels removed."""
        with self.bulk():
            n = self.conn.execute("DELETE FROM document_labels WHERE label_set = ? AND label = ?",
                                  (label_set, name)).rowcount
            self.conn.execute("DELETE FROM label_set_classes WHERE label_set = ? AND name = ?", (label_set, name))
        return n

    def set_label_set_class_key(self, label_set: str, name: str, key: str | None) -> None:
        """The editor key of a label set class (one of LABEL_SET_KEYS, shared by every set, or None); a
        class of any set that had the key takes this class's old key (the two swap)."""
        if key is not None and key not in LABEL_SET_KEYS:
            raise ValidationError(f"key {key!r} is not one of {', '.join(LABEL_SET_KEYS)}")
        with self.bulk():
            row = self.conn.execute("SELECT key FROM label_set_classes WHERE label_set = ? AND name = ?",
                                    (label_set, name)).fetchone()
            if row is None:
                raise ValidationError(f"label set {label_set!r} has no class named {name!r}")
            if key is not None:
                self.conn.execute("UPDATE label_set_classes SET key = ? WHERE key = ? AND NOT (label_set = ? AND "
                                  "name = ?)", (row[0], key, label_set, name))
            self.conn.execute("UPDATE label_set_classes SET key = ? WHERE label_set = ? AND name = ?",
                              (key, label_set, name))

    def count_labels_of_class(self, label_set: str, name: str | None = None) -> dict[str, int]:
        """Labels of a set (or of one class of it) per source, for the schema dialog's confirmations."""
        if not self._has_task_tables():
            return {}
        extra, args = (" AND label = ?", (label_set, name)) if name is not None else ("", (label_set,))
        rows = self.conn.execute(f"SELECT source, COUNT(*) FROM document_labels WHERE label_set = ?{extra} "
                                 "GROUP BY source", args)
        return {r[0]: r[1] for r in rows}

    def set_document_labels(self, doc_id: int, label_set: str, labels: Iterable[str], *,
                            annotator: str | None = None, run_id: str | None = None) -> None:
        """Replace the gold labels of one set on a document (`[]` clears: not labelled for the set).
        A single-label set takes at most one; run_id: the run whose suggestion is accepted."""
        wanted = list(dict.fromkeys(labels))  # a label twice is the label once
        with self.bulk():
            ls = self.conn.execute("SELECT multi_label FROM label_sets WHERE name = ?", (label_set,)).fetchone()
            if ls is None:
                raise ValidationError(f"no label set named {label_set!r}")
            if not ls[0] and len(wanted) > 1:
                raise ValidationError(f"label set {label_set!r} is single-label: a document takes one of its "
                                      f"labels, not {len(wanted)} ({', '.join(wanted)})")
            self._text(doc_id)  # KeyError for a document that does not exist
            self.conn.execute("DELETE FROM document_labels WHERE document_id = ? AND label_set = ? AND "
                              "source = 'gold'", (doc_id, label_set))
            now = _now()
            for label in wanted:
                self._insert_label(doc_id, DocumentLabel(label_set, label, "gold", None, annotator, run_id), now)

    def _insert_label(self, doc_id: int, x: DocumentLabel, now: str) -> None:
        try:
            self.conn.execute(
                "INSERT INTO document_labels (document_id, label_set, label, source, confidence, annotator, run_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, x.label_set, x.label, x.source, x.confidence, x.annotator or _user(), x.run_id, now))
        except sqlite3.IntegrityError as e:
            if "UNIQUE" in str(e):
                raise ValidationError(f"label {x.label!r} of set {x.label_set!r} is given twice") from e
            raise ValidationError(f"unknown label {x.label!r} of label set {x.label_set!r}") from e

    def document_label_counts(self, source: str = "gold") -> dict[str, dict[str, int]]:
        """Labels per class of every further label set (0 included), of one source."""
        counts = {ls.name: {c: 0 for c in ls.class_names} for ls in self.label_sets()}
        if not counts:
            return counts
        for r in self.conn.execute("SELECT label_set, label, COUNT(*) FROM document_labels WHERE source = ? "
                                   "GROUP BY label_set, label", (source,)):
            counts.setdefault(r[0], {})[r[1]] = r[2]
        return counts

    def missing_task_labels(self, doc: Document) -> list[tuple[str, str]]:
        """(what, name) of the polarities, label sets and label set classes `doc` uses that the project
        lacks: what add_document would add (an importer told not to add labels refuses them)."""
        missing: list[tuple[str, str]] = []
        polarities = set(self.entity_sentiment_class_names())
        for s in list(doc.spans) + list(doc.other_spans):
            if s.sentiment is not None and s.sentiment not in polarities:
                missing.append(("entity sentiment class", s.sentiment))
                polarities.add(s.sentiment)
        sets = {ls.name: set(ls.class_names) for ls in self.label_sets()}
        for x in list(doc.labels) + list(doc.other_labels):
            if x.label_set not in sets:
                missing.append(("label set", x.label_set))
                sets[x.label_set] = set()
            if x.label not in sets[x.label_set]:
                missing.append((f"class of label set {x.label_set}", x.label))
                sets[x.label_set].add(x.label)
        return missing

    def _add_task_labels(self, doc: Document) -> None:
        """Declare what `doc` brings of the new tasks (inside add_document's transaction): its polarities
        (switching entity sentiment on), its label sets and their classes. A set first met here becomes
        multi-label when a document holds several gold labels of it; a set the project declared keeps
        its flag (a single-label one refuses such a document)."""
        polarities = [s.sentiment for s in list(doc.spans) + list(doc.other_spans) if s.sentiment is not None]
        if polarities:
            known = set(self.entity_sentiment_class_names())
            if not self.has_entity_sentiment():
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, 'on')", (ENTITY_SENTIMENT_META,))
            for p in dict.fromkeys(polarities):
                if p not in known:
                    self._add_entity_sentiment_class(check_label_form(p))
        if not doc.labels and not doc.other_labels:
            return
        met = getattr(self, "_sets_met_on_import", None)
        if met is None:
            met = self._sets_met_on_import = set()
        sets = {r[0]: bool(r[1]) for r in self.conn.execute("SELECT name, multi_label FROM label_sets")}
        gold_per_set: dict[str, set[str]] = {}
        for x in doc.labels:
            gold_per_set.setdefault(x.label_set, set()).add(x.label)
        for x in list(doc.labels) + list(doc.other_labels):
            if x.label_set not in sets:
                name = check_task_name(x.label_set)
                position = self.conn.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM label_sets").fetchone()[0]
                self.conn.execute("INSERT INTO label_sets (name, multi_label, position, threshold) VALUES "
                                  "(?, 0, ?, ?)", (name, position, DEFAULT_MULTI_LABEL_THRESHOLD))
                sets[name] = False
                met.add(name)
            self._add_label_set_class(x.label_set, check_label_form(x.label))
        for name, labels in gold_per_set.items():
            if len(labels) > 1 and not sets[name]:
                if name not in met:
                    raise ValidationError(f"label set {name!r} is single-label: a document takes one of its "
                                          f"labels, not {len(labels)} ({', '.join(sorted(labels))})")
                self.conn.execute("UPDATE label_sets SET multi_label = 1 WHERE name = ?", (name,))
                sets[name] = True

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
            if source.has_entity_sentiment():
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, 'on')", (ENTITY_SENTIMENT_META,))
            for c in source.entity_sentiment_classes():
                self.conn.execute("INSERT INTO entity_sentiment_classes (name, position, key) VALUES (?, ?, ?)",
                                  (c.name, c.position, c.key))
            for ls in source.label_sets():
                self.conn.execute("INSERT INTO label_sets (name, multi_label, position, threshold) VALUES (?, ?, ?, ?)",
                                  (ls.name, int(ls.multi_label), ls.position, ls.threshold))
                for c in ls.classes:
                    self.conn.execute("INSERT INTO label_set_classes (label_set, name, position, key) "
                                      "VALUES (?, ?, ?, ?)", (ls.name, c.name, c.position, c.key))
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
                        'run_id, created_at, sentiment, sentiment_confidence) SELECT document_id + ?, start, "end", '
                        "label, source, confidence, annotator, run_id, created_at, sentiment, sentiment_confidence "
                        "FROM staged.spans ORDER BY id", (base,))
                    conn.execute(
                        "INSERT INTO document_labels (document_id, label_set, label, source, confidence, annotator, "
                        "run_id, created_at) SELECT document_id + ?, label_set, label, source, confidence, annotator, "
                        "run_id, created_at FROM staged.document_labels ORDER BY id", (base,))
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
        # The new tasks: polarities (and the task itself), label sets with their flags, their classes.
        staged_on = conn.execute("SELECT value FROM staged.meta WHERE key = ?", (ENTITY_SENTIMENT_META,)).fetchone()
        if staged_on and staged_on[0] == "on":
            conn.execute("INSERT OR REPLACE INTO main.meta VALUES (?, 'on')", (ENTITY_SENTIMENT_META,))
        for (name,) in conn.execute(
                "SELECT name FROM staged.entity_sentiment_classes WHERE name NOT IN "
                "(SELECT name FROM main.entity_sentiment_classes) ORDER BY position, name").fetchall():
            self._add_entity_sentiment_class(name)
        for name, multi_label, threshold in conn.execute(
                "SELECT name, multi_label, threshold FROM staged.label_sets WHERE name NOT IN "
                "(SELECT name FROM main.label_sets) ORDER BY position, name").fetchall():
            position = conn.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM main.label_sets").fetchone()[0]
            conn.execute("INSERT INTO main.label_sets (name, multi_label, position, threshold) VALUES (?, ?, ?, ?)",
                         (name, multi_label, position, threshold))
        for label_set, name in conn.execute(
                "SELECT c.label_set, c.name FROM staged.label_set_classes c JOIN staged.label_sets ls "
                "ON ls.name = c.label_set WHERE NOT EXISTS (SELECT 1 FROM main.label_set_classes m WHERE "
                "m.label_set = c.label_set AND m.name = c.name) ORDER BY ls.position, c.position").fetchall():
            self._add_label_set_class(label_set, name)

    # ---- documents -------------------------------------------------------------------------------

    def add_document(self, doc: Document, *, split_key: str | None = None) -> int:
        """Store a document with its gold annotations; entity types and sentiment classes must exist in
        the schema already. Span polarities, label sets and their classes the project lacks are added
        (an import meets them; see _add_task_labels).

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
            self._add_task_labels(doc)
            for s in list(doc.spans) + list(doc.other_spans):
                self._insert_span(doc_id, s, now)
            for sl in ([doc.sentiment] if doc.sentiment else []) + list(doc.other_sentiments):
                self._insert_sentiment(doc_id, sl, now)
            for x in doc.labels:
                if x.source != "gold":
                    raise ValidationError("a document's gold labels hold a silver or predicted label")
            for x in list(doc.labels) + list(doc.other_labels):
                self._insert_label(doc_id, x, now)
        return doc_id

    def _insert_span(self, doc_id: int, s: Span, now: str) -> int:
        try:
            cur = self.conn.execute(
                'INSERT INTO spans (document_id, start, "end", label, source, confidence, annotator, run_id, '
                "created_at, sentiment, sentiment_confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, s.start, s.end, s.label, s.source, s.confidence, s.annotator or _user(), s.run_id, now,
                 s.sentiment, s.sentiment_confidence),
            )
        except sqlite3.IntegrityError as e:
            if s.sentiment is not None and s.sentiment not in self.entity_sentiment_class_names():
                raise ValidationError(f"span {s.start}-{s.end}: unknown entity sentiment class "
                                      f"{s.sentiment!r}") from e
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

    def ranked_document_ids(self, ranked: Sequence[int] = (), *, among: Iterable[int] | None = None,
                            split: str | None = None, task: str | None = None, labelled: bool | None = None,
                            source_filter: str | None = None, search: str | None = None,
                            sort: str = "id") -> tuple[list[int], int]:
        """The filtered documents (as document_ids; of those, only the ids in `among` when given) with the
        `ranked` ones first, in the order given, then the rest by `sort` ("id", "text", "split"; ties by
        id); and how many came from `ranked`. For a list ordered by an active-learning strategy (the ranks
        come from core.active_learning) or by a column: the whole order in two queries, no row read."""
        if sort not in _SORT_SQL:
            raise ValueError(f"sort must be one of {', '.join(_SORT_SQL)}, not {sort!r}")
        where, args = _document_filter(split, task, labelled, source_filter, search)
        if among is not None:
            # One JSON parameter: a list of any length (no limit on the number of SQL variables).
            where += (" AND" if where else " WHERE") + " documents.id IN (SELECT value FROM json_each(?))"
            args = args + [json.dumps([int(i) for i in among])]
        glue = " AND" if where else " WHERE"
        ranked_json = json.dumps([int(i) for i in ranked])
        # json_each walks the array in order (its key is the position): one primary-key probe per ranked id.
        first = [r[0] for r in self.conn.execute(
            f"SELECT j.value FROM json_each(?) AS j WHERE EXISTS (SELECT 1 FROM documents{where}{glue} "
            f"documents.id = j.value) ORDER BY j.key", [ranked_json, *args])] if ranked else []
        rest = [r[0] for r in self.conn.execute(
            f"SELECT id FROM documents{where}{glue} id NOT IN (SELECT value FROM json_each(?)) "
            f"ORDER BY {_SORT_SQL[sort]}", [*args, ranked_json])]
        return first + rest, len(first)

    def first_needing_label(self, ids: Sequence[int]) -> int | None:
        """The first of `ids`, in the order given, that misses a label for a task the project uses (as
        next_unlabelled_document_id): "next unlabelled" in a list that is not in id order."""
        clauses, task_args = self._needs_label_clauses()
        if not clauses or not ids:
            return None
        row = self.conn.execute(
            "SELECT j.value FROM json_each(?) AS j WHERE EXISTS (SELECT 1 FROM documents WHERE documents.id = j.value "
            "AND (" + " OR ".join(clauses) + ")) ORDER BY j.key LIMIT 1",
            [json.dumps([int(i) for i in ids]), *task_args]).fetchone()
        return row[0] if row else None

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

    def get_documents(self, ids: Iterable[int], *, sources: tuple[str, ...] = ("gold",),
                      run_id: str | None = None) -> list[Document]:
        """Documents by id (in the order given; ids that do not exist are left out), loaded in chunks."""
        wanted = [int(i) for i in ids]
        found: dict[int, Document] = {}
        for chunk in _chunks(sorted(set(wanted))):
            rows = self.conn.execute(f"SELECT * FROM documents WHERE id IN ({','.join('?' * len(chunk))})",
                                     chunk).fetchall()
            if rows:
                found.update((d.id, d) for d in self._load_documents(rows, sources, run_id))
        return [found[i] for i in wanted if i in found]

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
            spans[s["document_id"]].append(_span_of_row(s))
        sents: dict[int, list[SentimentLabel]] = {i: [] for i in ids}
        for s in self.conn.execute(
                f"SELECT * FROM sentiments WHERE document_id IN ({marks}) AND source IN ({src_marks}){run_clause}",
                ids + list(sources) + extra):
            sents[s["document_id"]].append(SentimentLabel(s["label"], s["source"], s["confidence"], s["annotator"],
                                                          s["run_id"]))
        labels: dict[int, list[DocumentLabel]] = {i: [] for i in ids}
        if self._has_task_tables():
            # In the sets' and classes' order, so a multi-label document lists its labels as the schema does.
            for x in self.conn.execute(
                    f"SELECT x.* FROM document_labels x JOIN label_sets ls ON ls.name = x.label_set "
                    f"JOIN label_set_classes c ON c.label_set = x.label_set AND c.name = x.label "
                    f"WHERE x.document_id IN ({marks}) AND x.source IN ({src_marks})"
                    f"{run_clause.replace('source', 'x.source').replace('run_id', 'x.run_id')} "
                    "ORDER BY ls.position, c.position, x.id", ids + list(sources) + extra):
                labels[x["document_id"]].append(DocumentLabel(x["label_set"], x["label"], x["source"], x["confidence"],
                                                              x["annotator"], x["run_id"]))
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
                labels=[x for x in labels[r["id"]] if x.source == "gold"],
                other_labels=[x for x in labels[r["id"]] if x.source != "gold"],
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
        return _span_of_row(row)

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

    def set_sentiment(self, doc_id: int, label: str | None, *, annotator: str | None = None,
                      run_id: str | None = None) -> None:
        """Set or clear (None) the gold sentiment of a document; run_id: the run whose suggestion it accepts."""
        with self.bulk():
            self.conn.execute("DELETE FROM sentiments WHERE document_id = ? AND source = 'gold'", (doc_id,))
            if label is not None:
                self._insert_sentiment(doc_id, SentimentLabel(label, "gold", None, annotator, run_id), _now())

    def replace_model_annotations(self, doc_id: int, source: str, run_id: str, spans: Iterable[Span],
                                  sentiment: SentimentLabel | None,
                                  labels: Iterable[DocumentLabel] | None = None) -> None:
        """Replace the silver or predicted annotations that `run_id` made on a document: spans (with
        their predicted polarity and its confidence), the sentiment and the labels of further sets."""
        assert source in ("silver", "predicted")
        now = _now()
        with self.bulk():
            for table in ("spans", "sentiments", "document_labels"):
                self.conn.execute(f"DELETE FROM {table} WHERE document_id = ? AND source = ? AND run_id = ?",
                                  (doc_id, source, run_id))
            for s in spans:
                self._insert_span(doc_id, Span(s.start, s.end, s.label, source, s.confidence, f"model:{run_id}",
                                               run_id=run_id, sentiment=s.sentiment,
                                               sentiment_confidence=s.sentiment_confidence), now)
            if sentiment is not None:
                self._insert_sentiment(doc_id, SentimentLabel(sentiment.label, source, sentiment.confidence,
                                                              f"model:{run_id}", run_id), now)
            for x in labels or ():
                self._insert_label(doc_id, DocumentLabel(x.label_set, x.label, source, x.confidence,
                                                         f"model:{run_id}", run_id), now)

    def clear_model_annotations(self, source: str, run_id: str | None = None) -> None:
        with self.bulk():
            for table in ("spans", "sentiments", "document_labels"):
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
            "UNION SELECT run_id FROM sentiments WHERE source = 'predicted' "
            "UNION SELECT run_id FROM document_labels WHERE source = 'predicted') "
            "ORDER BY runs.created_at DESC, runs.rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def prediction_runs(self) -> list[dict[str, Any]]:
        """Finished runs (not 'running') that stored predictions, newest first: id, created_at, status, tasks."""
        rows = self.conn.execute(
            "SELECT * FROM runs WHERE status != 'running' AND runs.id IN (SELECT run_id FROM spans WHERE "
            "source = 'predicted' UNION SELECT run_id FROM sentiments WHERE source = 'predicted' "
            "UNION SELECT run_id FROM document_labels WHERE source = 'predicted') "
            "ORDER BY runs.created_at DESC, runs.rowid DESC").fetchall()
        return [{"id": r["id"], "created_at": r["created_at"], "status": r["status"],
                 "tasks": list(json.loads(r["config"]).get("tasks") or ())} for r in rows]

    def count_predicted_documents(self, run_id: str, split: str | None = None) -> int:
        """Documents (of a split) that hold any prediction of the run (0: the run predicted nothing there)."""
        split_clause = " AND d.split = ?" if split else ""
        args: list[Any] = [run_id, run_id, run_id] + ([split] if split else [])
        return self.conn.execute(
            "SELECT COUNT(*) FROM documents d WHERE (EXISTS (SELECT 1 FROM spans s WHERE s.document_id = d.id "
            "AND s.source = 'predicted' AND s.run_id = ?) OR EXISTS (SELECT 1 FROM sentiments t WHERE "
            "t.document_id = d.id AND t.source = 'predicted' AND t.run_id = ?) OR EXISTS (SELECT 1 FROM "
            "document_labels l WHERE l.document_id = d.id AND l.source = 'predicted' AND l.run_id = ?))"
            f"{split_clause}", args).fetchone()[0]

    def mismatched_document_ids(self, run_id: str, tasks: Iterable[str], split: str | None = None) -> set[int]:
        """Documents (of a split) where the run's prediction differs from gold for one of `tasks`.

        NER: a gold span the run did not predict with the same boundaries and label, or a predicted span
        gold does not have, counted only on NER-labelled documents. Sentiment: a gold sentiment the run
        did not predict, counted only where gold exists. Entity sentiment: a gold span with a polarity that
        the run predicted (same boundaries and type) with another or no polarity, on NER-labelled documents.
        A further label set (any other task name): where the document has gold labels of it, the run's
        labels of it are not exactly those. One query, so a 100k-document project is cheap;
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
        if "entity_sentiment" in tasks:
            clauses.append(
                """(d.ner_labelled = 1 AND EXISTS (
                    SELECT 1 FROM spans g JOIN spans p ON p.document_id = g.document_id AND p.start = g.start
                      AND p."end" = g."end" AND p.label = g.label AND p.source = 'predicted' AND p.run_id = ?
                    WHERE g.document_id = d.id AND g.source = 'gold' AND g.sentiment IS NOT NULL
                      AND (p.sentiment IS NULL OR p.sentiment != g.sentiment)))""")
            args.append(run_id)
        for label_set in sorted(tasks - {"ner", "sentiment", "entity_sentiment"}):
            clauses.append(
                """(EXISTS (SELECT 1 FROM document_labels g WHERE g.document_id = d.id AND g.source = 'gold'
                            AND g.label_set = ?)
                    AND (EXISTS (SELECT 1 FROM document_labels g WHERE g.document_id = d.id AND g.source = 'gold'
                                 AND g.label_set = ? AND NOT EXISTS (
                                   SELECT 1 FROM document_labels p WHERE p.document_id = d.id
                                   AND p.source = 'predicted' AND p.run_id = ? AND p.label_set = g.label_set
                                   AND p.label = g.label))
                         OR EXISTS (SELECT 1 FROM document_labels p WHERE p.document_id = d.id
                                    AND p.source = 'predicted' AND p.run_id = ? AND p.label_set = ?
                                    AND NOT EXISTS (
                                      SELECT 1 FROM document_labels g WHERE g.document_id = d.id
                                      AND g.source = 'gold' AND g.label_set = p.label_set AND g.label = p.label))))""")
            args += [label_set, label_set, run_id, run_id, label_set]
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
        the project uses: NER when it has entity types, sentiment when it has sentiment classes, entity
        sentiment when it has polarities (entities of which none has one), a label set with classes.

        Only documents of a list are candidates when given: the ones matching the filter arguments (as
        document_ids), and of those only the ids in `among` when it is given."""
        clauses, task_args = self._needs_label_clauses()
        if not clauses:
            return None
        where, args = _document_filter(split, task, labelled, source_filter, search)
        args += task_args
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

    def _needs_label_clauses(self) -> tuple[list[str], list[Any]]:
        """SQL tests on `documents`, one per task the project uses, true when the document misses that
        task's label (any true: the document still needs labelling); with their args."""
        clauses = []
        if self.entity_type_names():
            clauses.append("documents.ner_labelled = 0")
        if self.sentiment_class_names():
            clauses.append("NOT EXISTS (SELECT 1 FROM sentiments t WHERE t.document_id = documents.id "
                           "AND t.source = 'gold')")
        task_args: list[Any] = []
        if self.entity_sentiment_class_names():
            # Entities found but none given a polarity (a document without entities has nothing to label).
            clauses.append("(EXISTS (SELECT 1 FROM spans p WHERE p.document_id = documents.id AND p.source = 'gold') "
                           "AND NOT " + _labelled_test(TASK_ENTITY_SENTIMENT, "documents")[0] + ")")
        for ls in self.label_sets():
            if ls.classes:
                test, extra = _labelled_test(ls.name, "documents")
                clauses.append("NOT " + test)
                task_args += extra
        return clauses, task_args

    # ---- model in the loop: suggestions, rejections, active-learning scores ---------------------------
    # What they mean lives in core/suggestions.py and core/active_learning.py; the SQL lives here.

    def mark_suggested(self, run_id: str, doc_ids: Iterable[int]) -> None:
        """Record that `run_id`'s suggestions (its predicted annotations) were computed for these documents."""
        now = _now()
        with self.bulk():
            self.conn.executemany("INSERT OR REPLACE INTO suggestion_documents VALUES (?, ?, ?)",
                                  [(run_id, int(i), now) for i in doc_ids])

    def suggested_document_ids(self, run_id: str, ids: Iterable[int] | None = None) -> set[int]:
        """Documents (of `ids`, or all) that hold `run_id`'s computed suggestions."""
        if ids is None:
            return {r[0] for r in self.conn.execute(
                "SELECT document_id FROM suggestion_documents WHERE run_id = ?", (run_id,))}
        found: set[int] = set()
        for chunk in _chunks(sorted(set(int(i) for i in ids))):
            found |= {r[0] for r in self.conn.execute(
                f"SELECT document_id FROM suggestion_documents WHERE run_id = ? AND document_id IN "
                f"({','.join('?' * len(chunk))})", [run_id, *chunk])}
        return found

    def reject_suggestion(self, run_id: str, doc_id: int, task: str, label: str, start: int = -1, end: int = -1,
                          *, annotator: str | None = None) -> None:
        with self.bulk():
            self.conn.execute("INSERT OR REPLACE INTO rejected_suggestions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (run_id, doc_id, task, start, end, label, annotator or _user(), _now()))

    def unreject_suggestion(self, run_id: str, doc_id: int, task: str, label: str, start: int = -1,
                            end: int = -1) -> None:
        with self.bulk():
            self.conn.execute('DELETE FROM rejected_suggestions WHERE run_id = ? AND document_id = ? AND task = ? '
                              'AND start = ? AND "end" = ? AND label = ?', (run_id, doc_id, task, start, end, label))

    def rejected_suggestions(self, run_id: str, doc_id: int) -> set[tuple[str, int, int, str]]:
        """(task, start, end, label) of the suggestions of `run_id` rejected on a document (-1, -1 for sentiment)."""
        return {(r[0], r[1], r[2], r[3]) for r in self.conn.execute(
            'SELECT task, start, "end", label FROM rejected_suggestions WHERE run_id = ? AND document_id = ?',
            (run_id, doc_id))}

    def replace_document_scores(self, run_id: str, rows: Iterable[tuple[str, int, float]]) -> None:
        """Replace every active-learning score of a run with (strategy, document id, score) rows."""
        with self.bulk():
            self.conn.execute("DELETE FROM document_scores WHERE run_id = ?", (run_id,))
            self.conn.executemany("INSERT INTO document_scores VALUES (?, ?, ?, ?)",
                                  [(run_id, strategy, int(doc_id), float(score)) for strategy, doc_id, score in rows])

    def document_scores(self, run_id: str, strategy: str) -> list[tuple[int, float]]:
        """(document id, score) of a run's strategy, the highest score first (ties: lower id first)."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT document_id, score FROM document_scores WHERE run_id = ? AND strategy = ? "
            "ORDER BY score DESC, document_id", (run_id, strategy))]

    def scored_run_ids(self) -> list[str]:
        """Runs (or model folders) with stored active-learning scores."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT run_id FROM document_scores ORDER BY run_id")]

    def copy_to(self, path: str | os.PathLike[str]) -> "ProjectStore":
        """A consistent copy of the whole project in a new file (SQLite's online backup), opened."""
        target = Path(path)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return ProjectStore.open(target)

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
        """Documents with a gold label for any of `tasks` (NER-labelled, a gold sentiment, a span with a
        gold polarity, a gold label of the named set), per split; tasks the project lacks count nothing."""
        chosen, args = [], []
        declared = set(self.task_names())
        for task in dict.fromkeys(tasks):
            if task in declared or task in (TASK_NER, TASK_SENTIMENT):
                test, task_args = _labelled_test(task, "d")
                chosen.append(test)
                args += task_args
        if not chosen:
            return {split: 0 for split in SPLITS}
        rows = self.conn.execute(f"SELECT d.split, COUNT(*) FROM documents d WHERE {' OR '.join(chosen)} "
                                 "GROUP BY d.split", args)
        counts = {split: 0 for split in SPLITS}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    def labelled_kind_counts(self, tasks: Iterable[str], split: str = "train") -> dict[tuple[str, ...], int]:
        """Documents of `split` per kind: the tuple of `tasks` (in the given order) each is labelled for;
        documents labelled for none of them are not counted. For the budget preview of a partially
        labelled project (core/budget.plan_passes), which batches each kind apart."""
        declared = set(self.task_names()) | {TASK_NER, TASK_SENTIMENT}
        chosen = [t for t in dict.fromkeys(tasks) if t in declared]
        if not chosen:
            return {}
        tests, args = [], []
        for task in chosen:
            test, task_args = _labelled_test(task, "d")
            tests.append(f"({test})")
            args += task_args
        rows = self.conn.execute(f"SELECT {', '.join(tests)}, COUNT(*) FROM documents d WHERE d.split = ? "
                                 f"GROUP BY {', '.join(str(i + 1) for i in range(len(tests)))}", [*args, split])
        counts: dict[tuple[str, ...], int] = {}
        for row in rows:
            kind = tuple(t for t, has in zip(chosen, row[:-1]) if has)
            if kind:
                counts[kind] = counts.get(kind, 0) + int(row[-1])
        return counts

    def delete_documents(self, ids: Iterable[int]) -> DeletedDocuments:
        """Delete documents with all their annotations (gold, silver, predicted) in one transaction."""
        wanted = sorted(set(int(i) for i in ids))
        found: list[int] = []
        spans = sentiments = labels = 0
        with self.bulk():
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                found += [r[0] for r in self.conn.execute(f"SELECT id FROM documents WHERE id IN ({marks})", chunk)]
                spans += self.conn.execute(f"SELECT COUNT(*) FROM spans WHERE document_id IN ({marks})",
                                           chunk).fetchone()[0]
                sentiments += self.conn.execute(f"SELECT COUNT(*) FROM sentiments WHERE document_id IN ({marks})",
                                                chunk).fetchone()[0]
                labels += self.conn.execute(f"SELECT COUNT(*) FROM document_labels WHERE document_id IN ({marks})",
                                            chunk).fetchone()[0]
                # Spans and sentiments go with their document (ON DELETE CASCADE, foreign keys are on).
                self.conn.execute(f"DELETE FROM documents WHERE id IN ({marks})", chunk)
            # SQLite may hand a deleted id to the next new document: it must not inherit the mark.
            self.mark_split_assigned(found)
        missing = sorted(set(wanted) - set(found))
        return DeletedDocuments(ids=sorted(found), missing=missing, spans=spans, sentiments=sentiments, labels=labels)

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
            labels: dict[int, list[dict[str, Any]]] = {}
            if self._has_task_tables():
                for r in self.conn.execute(f"SELECT * FROM document_labels WHERE document_id IN ({marks}) "
                                           "ORDER BY id", chunk):
                    labels.setdefault(r["document_id"], []).append(dict(r))
            for r in self.conn.execute(f"SELECT * FROM documents WHERE id IN ({marks}) ORDER BY id", chunk):
                snapshots.append(DocumentSnapshot(dict(r), spans.get(r["id"], []), sentiments.get(r["id"], []),
                                                  r["id"] in unassigned, labels.get(r["id"], [])))
        return snapshots

    def restore_documents(self, snapshots: Iterable[DocumentSnapshot]) -> list[int]:
        """Put snapshotted documents back with their ids and annotations, in one transaction; refused
        (nothing restored) when an id is taken again or a label of an annotation no longer exists."""
        snapshots = list(snapshots)
        with self.bulk():
            try:
                for snap in snapshots:
                    for table, rows in (("documents", [snap.document]), ("spans", snap.spans),
                                        ("sentiments", snap.sentiments), ("document_labels", snap.labels)):
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
        # The declared further tasks (gold counts): spans per polarity, and per label set its flag, the
        # documents labelled for it and the labels per class.
        out["entity_sentiment"] = self.count_span_sentiments() if self.has_entity_sentiment() else {}
        label_docs = {r[0]: r[1] for r in c.execute(
            "SELECT label_set, COUNT(DISTINCT document_id) FROM document_labels WHERE source = 'gold' "
            "GROUP BY label_set")} if self._has_task_tables() else {}
        counts = self.document_label_counts()
        out["label_sets"] = {ls.name: {"multi_label": ls.multi_label, "documents": label_docs.get(ls.name, 0),
                                       "labels": counts.get(ls.name, {})} for ls in self.label_sets()}
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
        if self._has_task_tables():
            # Only what exists is hashed: a project without polarities or label sets keeps its old hash.
            for r in self.conn.execute('SELECT document_id, start, "end", sentiment FROM spans WHERE source = '
                                       "'gold' AND sentiment IS NOT NULL ORDER BY document_id, start"):
                h.update(f"p{r[0]}:{r[1]}:{r[2]}:{r[3]}\x1e".encode())
            for r in self.conn.execute("SELECT document_id, label_set, label FROM document_labels WHERE source = "
                                       "'gold' ORDER BY document_id, label_set, label"):
                h.update(f"l{r[0]}\x1f{r[1]}\x1f{r[2]}\x1e".encode())
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
        records = [self._run_record(r) for r in self.conn.execute("SELECT * FROM runs ORDER BY created_at, rowid")]
        summaries = self._conflict_summaries()
        for record in records:
            record.gradient_conflict = summaries.get(record.id)
        return records

    # ---- gradient-conflict meter ---------------------------------------------------------------------

    def add_conflict_measurement(self, run_id: str, step: int, cosine: float, per_group: dict[str, float],
                                 steps_apart: int = 0) -> None:
        """One meter reading; a resumed run that measures a step again replaces the reading."""
        with self.bulk():
            self.conn.execute("INSERT OR REPLACE INTO gradient_conflict VALUES (?, ?, ?, ?, ?)",
                              (run_id, step, cosine if cosine == cosine else None,
                               json.dumps(per_group), steps_apart))

    def _has_conflict_table(self) -> bool:
        # A read-only project of an older schema is browsed without upgrading: it has no meter table.
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gradient_conflict'"
                                 ).fetchone() is not None

    def conflict_measurements(self, run_id: str) -> list[dict[str, Any]]:
        """The run's meter readings in step order: {step, cosine, per_group, steps_apart}."""
        if not self._has_conflict_table():
            return []
        rows = self.conn.execute("SELECT * FROM gradient_conflict WHERE run_id = ? ORDER BY step", (run_id,))
        return [{"step": r["step"], "cosine": r["cosine"] if r["cosine"] is not None else float("nan"),
                 "per_group": json.loads(r["per_group"]), "steps_apart": r["steps_apart"]} for r in rows]

    def _conflict_summaries(self, run_id: str | None = None) -> dict[str, ConflictSummary]:
        if not self._has_conflict_table():
            return {}
        where, args = ("WHERE run_id = ?", (run_id,)) if run_id else ("", ())
        rows = self.conn.execute(
            "SELECT run_id, COUNT(cosine), AVG(cosine), SUM(cosine < 0) * 1.0 / COUNT(cosine) "
            f"FROM gradient_conflict {where} GROUP BY run_id HAVING COUNT(cosine) > 0", args)
        return {r[0]: ConflictSummary(int(r[1]), float(r[2]), float(r[3])) for r in rows}

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
        run.gradient_conflict = self._conflict_summaries(run.id).get(run.id)
        run.epochs = [
            {"epoch": r["epoch"], **json.loads(r["metrics"])}
            for r in self.conn.execute("SELECT * FROM run_epochs WHERE run_id = ? ORDER BY epoch", (run.id,))]
        return run

    def delete_run(self, run_id: str) -> None:
        with self.bulk():
            self.conn.execute("DELETE FROM spans WHERE run_id = ? AND source = 'predicted'", (run_id,))
            self.conn.execute("DELETE FROM sentiments WHERE run_id = ? AND source = 'predicted'", (run_id,))
            self.conn.execute("DELETE FROM document_labels WHERE run_id = ? AND source = 'predicted'", (run_id,))
            self.conn.execute("DELETE FROM gradient_conflict WHERE run_id = ?", (run_id,))
            for table in ("suggestion_documents", "rejected_suggestions", "document_scores"):
                self.conn.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
            self.conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    @staticmethod
    def _run_record(r: sqlite3.Row) -> RunRecord:
        status, message = _observed_run_status(r)
        return RunRecord(id=r["id"], created_at=r["created_at"], status=status, config=json.loads(r["config"]),
                         dataset_hash=r["dataset_hash"], artefact_dir=r["artefact_dir"],
                         metrics=json.loads(r["metrics"]), message=message)


def _span_of_row(r: sqlite3.Row) -> Span:
    """A Span of a spans row (a read-only project of an older schema has no polarity columns)."""
    has_polarity = "sentiment" in r.keys()
    return Span(r["start"], r["end"], r["label"], r["source"], r["confidence"], r["annotator"], r["id"], r["run_id"],
                r["sentiment"] if has_polarity else None, r["sentiment_confidence"] if has_polarity else None)


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
    labels: list[dict[str, Any]] = field(default_factory=list)  # its rows of document_labels


@dataclass(frozen=True)
class DeletedDocuments:
    """What delete_documents removed: the ids it found, those it did not, and their annotations."""

    ids: list[int]
    missing: list[int]
    spans: int
    sentiments: int
    labels: int = 0  # labels of the further label sets


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


def _check_threshold(value: object) -> float:
    """A multi-label threshold: a number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value < 1):
        raise ValidationError(f"a threshold must be a number between 0 and 1, not {value!r}")
    return float(value)


def _labelled_test(task: str, table: str) -> tuple[str, list[Any]]:
    """SQL true for a row of `table` (documents or its alias) labelled for `task` (gold), with its args."""
    if task == TASK_NER:
        return f"{table}.ner_labelled = 1", []
    if task == TASK_SENTIMENT:
        return f"EXISTS (SELECT 1 FROM sentiments t WHERE t.document_id = {table}.id AND t.source = 'gold')", []
    if task == TASK_ENTITY_SENTIMENT:
        return (f"EXISTS (SELECT 1 FROM spans p WHERE p.document_id = {table}.id AND p.source = 'gold' "
                "AND p.sentiment IS NOT NULL)"), []
    return (f"EXISTS (SELECT 1 FROM document_labels x WHERE x.document_id = {table}.id AND x.source = 'gold' "
            "AND x.label_set = ?)"), [task]


# The orders a document list can be sorted by (ranked_document_ids), ties by id.
_SORT_SQL = {"id": "id", "text": "lower(text), id", "split": "split, id"}


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
    elif task and labelled is not None:
        # Entity sentiment, or a further label set by name: labelled = has a gold label for it.
        test, task_args = _labelled_test(task, "documents")
        clauses.append(("" if labelled else "NOT ") + test)
        args += task_args
    if source_filter in ("silver", "predicted"):
        clauses.append(f"(EXISTS (SELECT 1 FROM spans s WHERE s.document_id = documents.id AND s.source = "
                       f"'{source_filter}') OR EXISTS (SELECT 1 FROM sentiments t WHERE "
                       f"t.document_id = documents.id AND t.source = '{source_filter}'))")
    if search:
        clauses.append("instr(lower(text), lower(?)) > 0")
        args.append(search)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args
