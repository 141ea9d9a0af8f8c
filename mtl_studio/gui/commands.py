"""Undoable annotation edits.

Each command writes the project store in redo() and undo(); every store call is its own committed
transaction, so an edit is on disk by the time the status bar says "Saved".

Spans are identified by (document, start, end), not by row id: gold spans of one document never overlap,
so the offsets name a span uniquely, and they survive an undo/redo that deletes and re-inserts the row
(which gives it a new id).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand

from mtl_studio.core.schema import Span
from mtl_studio.core.splits import ResplitChange, ResplitReport, redo_resplit, undo_resplit
from mtl_studio.core.store import DocumentSnapshot, ProjectStore

from .background import BackgroundTasks

T = TypeVar("T")


class EditNotifier(QObject):
    """Tells the window which document an edit touched (to refresh it) and whether the write succeeded."""

    edited = Signal(int)  # document id, after a successful write
    failed = Signal(str)  # a user-facing message when a write was refused
    schema_changed = Signal()  # entity types or sentiment classes changed (added, renamed, recoloured, rekeyed)
    documents_changed = Signal()  # documents were deleted, restored or moved to other splits: re-list them
    busy = Signal(bool)  # a long write (a re-split) runs on a worker: hold further undo/redo back


def run_reporting(command: QUndoCommand, notifier: EditNotifier, write: Callable[[], object],
                  announce: Callable[[], object]) -> None:
    """Run a command's store write; announce success, or report the error and retire the command.

    Exceptions must not escape into Qt's C++ undo stack (redo/undo are called from there)."""
    try:
        write()
    except Exception as e:  # noqa: BLE001 - shown to the user, the edit is not applied
        command.setObsolete(True)
        notifier.failed.emit(str(e))
        return
    announce()


def find_gold_span(store: ProjectStore, doc_id: int, start: int, end: int) -> Span | None:
    for s in store.get_document(doc_id).spans:
        if s.start == start and s.end == end:
            return s
    return None


def existing_gold_span_id(store: ProjectStore, doc_id: int, start: int, end: int, missing: str) -> int:
    """The row id of the gold span at (start, end); KeyError(missing) when it is gone (edited elsewhere)."""
    span = find_gold_span(store, doc_id, start, end)
    if span is None or span.id is None:
        raise KeyError(missing)
    return span.id


class _StoreCommand(QUndoCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, text: str) -> None:
        super().__init__(text)
        self.store = store
        self.notifier = notifier
        self.doc_id = doc_id

    def _run(self, fn: Callable[[], object]) -> None:
        run_reporting(self, self.notifier, fn, lambda: self.notifier.edited.emit(self.doc_id))


class AddSpanCommand(_StoreCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, start: int, end: int,
                 label: str, preview: str = "") -> None:
        text = QCoreApplication.translate("EditCommands", "Add {label} “{text}”")
        super().__init__(store, notifier, doc_id, text.format(label=label, text=preview))
        self.start, self.end, self.label = start, end, label
        self._was_labelled = bool(store.get_document(doc_id).ner_labelled)

    def redo(self) -> None:
        self._run(lambda: self.store.add_span(self.doc_id, Span(self.start, self.end, self.label)))

    def undo(self) -> None:
        def do() -> None:
            span = find_gold_span(self.store, self.doc_id, self.start, self.end)
            if span is not None and span.id is not None:
                self.store.remove_span(span.id)
            self.store.set_ner_labelled(self.doc_id, self._was_labelled)
        self._run(do)


class RemoveSpanCommand(_StoreCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, span: Span,
                 preview: str = "") -> None:
        text = QCoreApplication.translate("EditCommands", "Remove {label} “{text}”")
        super().__init__(store, notifier, doc_id, text.format(label=span.label, text=preview))
        self.start, self.end, self.label = span.start, span.end, span.label
        self.sentiment = span.sentiment  # undo brings the entity back with its polarity

    def redo(self) -> None:
        def do() -> None:
            span = find_gold_span(self.store, self.doc_id, self.start, self.end)
            if span is not None and span.id is not None:
                self.store.remove_span(span.id)
            # The document stays "NER labelled": removing the last entity leaves a document with none.
        self._run(do)

    def undo(self) -> None:
        self._run(lambda: self.store.add_span(self.doc_id, Span(self.start, self.end, self.label,
                                                                sentiment=self.sentiment)))


class RelabelSpanCommand(_StoreCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, span: Span, new_label: str,
                 preview: str = "") -> None:
        text = QCoreApplication.translate("EditCommands", "Relabel “{text}” {old} → {new}")
        super().__init__(store, notifier, doc_id, text.format(text=preview, old=span.label, new=new_label))
        self.start, self.end = span.start, span.end
        self.old_label, self.new_label = span.label, new_label

    def _set(self, label: str) -> None:
        missing = QCoreApplication.translate("EditCommands", "the span to relabel no longer exists")
        self._run(lambda: self.store.relabel_span(
            existing_gold_span_id(self.store, self.doc_id, self.start, self.end, missing), label))

    def redo(self) -> None:
        self._set(self.new_label)

    def undo(self) -> None:
        self._set(self.old_label)


class SetSentimentCommand(_StoreCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, old: str | None,
                 new: str | None) -> None:
        if new:
            text = QCoreApplication.translate("EditCommands", "Set sentiment {label}").format(label=new)
        else:
            text = QCoreApplication.translate("EditCommands", "Clear sentiment")
        super().__init__(store, notifier, doc_id, text)
        self.old, self.new = old, new

    def redo(self) -> None:
        self._run(lambda: self.store.set_sentiment(self.doc_id, self.new))

    def undo(self) -> None:
        self._run(lambda: self.store.set_sentiment(self.doc_id, self.old))


class SetSpanSentimentCommand(_StoreCommand):
    """Set or clear the polarity of one gold entity (entity sentiment), found by its offsets."""

    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, span: Span, new: str | None,
                 preview: str = "") -> None:
        if new:
            text = QCoreApplication.translate("EditCommands", "Polarity {polarity} for “{text}”").format(
                polarity=new, text=preview)
        else:
            text = QCoreApplication.translate("EditCommands", "Clear the polarity of “{text}”").format(text=preview)
        super().__init__(store, notifier, doc_id, text)
        self.start, self.end = span.start, span.end
        self.old, self.new = span.sentiment, new

    def _set(self, label: str | None) -> None:
        missing = QCoreApplication.translate("EditCommands", "the entity no longer exists")
        self._run(lambda: self.store.set_span_sentiment(
            existing_gold_span_id(self.store, self.doc_id, self.start, self.end, missing), label))

    def redo(self) -> None:
        self._set(self.new)

    def undo(self) -> None:
        self._set(self.old)


def document_labels_text(label_set: str, old: tuple[str, ...], new: tuple[str, ...]) -> str:
    """What a label-set edit did, for the undo stack and the status bar ("topic + sports")."""
    added = [x for x in new if x not in old]
    removed = [x for x in old if x not in new]
    if not new:
        return QCoreApplication.translate("EditCommands", "Clear {label_set}").format(label_set=label_set)
    if len(added) == 1 and not removed and old:
        return QCoreApplication.translate("EditCommands", "{label_set} + {label}").format(
            label_set=label_set, label=added[0])
    if len(removed) == 1 and not added:
        return QCoreApplication.translate("EditCommands", "{label_set} − {label}").format(
            label_set=label_set, label=removed[0])
    return QCoreApplication.translate("EditCommands", "Set {label_set} {labels}").format(
        label_set=label_set, labels=", ".join(new))


class SetDocumentLabelsCommand(_StoreCommand):
    """Replace a document's gold labels of one further document label set (`()` clears them)."""

    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, label_set: str,
                 old: tuple[str, ...], new: tuple[str, ...]) -> None:
        super().__init__(store, notifier, doc_id, document_labels_text(label_set, old, new))
        self.label_set = label_set
        self.old, self.new = tuple(old), tuple(new)

    def redo(self) -> None:
        self._run(lambda: self.store.set_document_labels(self.doc_id, self.label_set, list(self.new)))

    def undo(self) -> None:
        self._run(lambda: self.store.set_document_labels(self.doc_id, self.label_set, list(self.old)))


class SetNerLabelledCommand(_StoreCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, labelled: bool) -> None:
        if labelled:
            text = QCoreApplication.translate("EditCommands", "Mark NER done")
        else:
            text = QCoreApplication.translate("EditCommands", "Mark NER not done")
        super().__init__(store, notifier, doc_id, text)
        self.labelled = labelled

    def redo(self) -> None:
        self._run(lambda: self.store.set_ner_labelled(self.doc_id, self.labelled))

    def undo(self) -> None:
        self._run(lambda: self.store.set_ner_labelled(self.doc_id, not self.labelled))


class SchemaCommand(QUndoCommand):
    """A reversible label-schema change (add, rename, recolour, key): `apply` and `revert` write the store.

    Renames are safe on the shared stack: an older command naming the old label is only undone after
    this one has renamed it back.
    """

    def __init__(self, notifier: EditNotifier, text: str, apply: Callable[[], object],
                 revert: Callable[[], object]) -> None:
        super().__init__(text)
        self.notifier = notifier
        self._apply, self._revert = apply, revert

    def _run(self, fn: Callable[[], object]) -> None:
        run_reporting(self, self.notifier, fn, self.notifier.schema_changed.emit)

    def redo(self) -> None:
        self._run(self._apply)

    def undo(self) -> None:
        self._run(self._revert)


class _DocumentsCommand(QUndoCommand):
    """A change to which documents exist or where they are; the window re-lists them afterwards."""

    def __init__(self, store: ProjectStore, notifier: EditNotifier, text: str) -> None:
        super().__init__(text)
        self.store = store
        self.notifier = notifier

    def _run(self, fn: Callable[[], object]) -> None:
        run_reporting(self, self.notifier, fn, self.notifier.documents_changed.emit)


class DeleteDocumentsCommand(_DocumentsCommand):
    """Delete a few documents with every annotation; undo puts them back with the same ids. Written on
    the GUI thread (milliseconds); many documents go through LargeDeleteCommand instead."""

    def __init__(self, store: ProjectStore, notifier: EditNotifier, ids: list[int]) -> None:
        text = QCoreApplication.translate("EditCommands", "Delete {n} document(s)").format(n=len(ids))
        super().__init__(store, notifier, text)
        self.ids = sorted(ids)
        self._snapshots: list[DocumentSnapshot] = []

    def redo(self) -> None:
        def do() -> None:
            # Taken at each redo: a redo after an undo deletes what the undo restored.
            self._snapshots = snapshot_and_delete(self.store, self.ids)
        self._run(do)

    def undo(self) -> None:
        self._run(lambda: self.store.restore_documents(self._snapshots))


class _WorkerWriteCommand(QUndoCommand):
    """An undo step whose writes take seconds (moving or deleting many thousand documents), so each runs
    on a worker thread: the first one before the command is pushed (the window does it), undo and redo
    later. The notifier's `busy` says while a write runs (the window holds further undo/redo back), and
    `documents_changed` when it has landed."""

    def __init__(self, text: str, project: str, notifier: EditNotifier, tasks: BackgroundTasks) -> None:
        super().__init__(text)
        self.project, self.notifier, self.tasks = project, notifier, tasks
        self._already_written = True  # push() calls redo() at once: the worker has written it already

    def redo(self) -> None:
        if self._already_written:
            self._already_written = False
            return
        self._write(self._redo_write, self._redo_landed)

    def undo(self) -> None:
        self._write(self._undo_write, lambda _result: None)

    def _redo_write(self, store: ProjectStore) -> object:
        raise NotImplementedError

    def _undo_write(self, store: ProjectStore) -> object:
        raise NotImplementedError

    def _redo_landed(self, result: object) -> None:
        """The redo's result, back on the GUI thread (e.g. fresh snapshots of deleted documents)."""

    def _write(self, write: Callable[[ProjectStore], object], keep: Callable[[object], None]) -> None:
        self.notifier.busy.emit(True)

        def landed(result: object) -> None:
            keep(result)
            self.notifier.busy.emit(False)
            self.notifier.documents_changed.emit()

        def refused(error: BaseException) -> None:
            self.notifier.busy.emit(False)
            self.notifier.failed.emit(str(error))

        project = self.project
        self.tasks.run(lambda: in_project(project, write), landed, refused)


class ResplitCommand(_WorkerWriteCommand):
    """A re-split as an undo step (100k documents move in seconds)."""

    def __init__(self, project: str, notifier: EditNotifier, tasks: BackgroundTasks, report: ResplitReport,
                 change: ResplitChange) -> None:
        text = QCoreApplication.translate("EditCommands", "Re-split {ratios} (seed {seed})").format(
            ratios="/".join(f"{r * 100:g}" for r in report.ratios), seed=report.seed)
        super().__init__(text, project, notifier, tasks)
        self.report, self.change = report, change

    def _redo_write(self, store: ProjectStore) -> object:
        return redo_resplit(store, self.change)

    def _undo_write(self, store: ProjectStore) -> object:
        return undo_resplit(store, self.change)


def snapshot_and_delete(store: ProjectStore, ids: list[int]) -> list[DocumentSnapshot]:
    """Delete documents and return what an undo needs to put them back (taken just before)."""
    snapshots = store.snapshot_documents(ids)
    store.delete_documents(ids)
    return snapshots


class LargeDeleteCommand(_WorkerWriteCommand):
    """Deleting many documents (a whole filtered list): snapshot and delete take about a second for 14k
    documents, so they run on a worker; undo restores them there too."""

    def __init__(self, project: str, notifier: EditNotifier, tasks: BackgroundTasks, ids: list[int],
                 snapshots: list[DocumentSnapshot]) -> None:
        text = QCoreApplication.translate("EditCommands", "Delete {n} document(s)").format(n=len(ids))
        super().__init__(text, project, notifier, tasks)
        self.ids, self._snapshots = sorted(ids), snapshots

    def _redo_write(self, store: ProjectStore) -> object:
        # Taken at each redo: a redo after an undo deletes what the undo restored.
        return snapshot_and_delete(store, self.ids)

    def _redo_landed(self, result: object) -> None:
        self._snapshots = result  # type: ignore[assignment]

    def _undo_write(self, store: ProjectStore) -> object:
        return store.restore_documents(self._snapshots)


def in_project(project: str, work: Callable[[ProjectStore], T]) -> T:
    """Run `work` with a store connection of the calling thread (a worker's), closed afterwards."""
    store = ProjectStore.open(project)
    try:
        return work(store)
    finally:
        store.close()
