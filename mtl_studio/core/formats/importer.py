"""Write parsed documents into a project, all or nothing.

The reader streams documents; each one is checked (spans in range and not overlapping, labels
known or added, not empty, duplicates noted) and written into a staging project beside the target
(formats/staging.py), which is merged into the project in one short transaction once the whole file
is known to be good. So memory stays flat, a file with any error leaves the project exactly as it was,
and the project's write lock is held only for the merge: an annotator's edits go on while a big file
is being read. A file rejected by a reader's first pass (CoNLL checks every line before building
documents) does not even create the staging file.
"""
from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import OperationCancelled
from ..schema import ValidationError, validate_document
from ..splits import ImportSplitter
from ..store import ProjectStore
from ..store_faults import NoSpaceLeft, ProjectReadOnly, StorageError, no_space_message, read_only_message
from ..tokenize import normalize
from . import detect_format, get_reader, resolve_format, sniff
from .common import ImportOptions, ParsedDoc, peek_text
from .report import ImportFailed, ImportProblem, ImportReport, Severity
from .staging import StagingProject

PROGRESS_EVERY = 1000


class ImportCancelled(OperationCancelled):
    """The progress callback asked to stop; nothing was imported."""


def import_file(store: ProjectStore, path: str | Path, options: ImportOptions | None = None,
                progress: Callable[[int], bool | None] | None = None) -> ImportReport:
    """Import one file (or a folder of .txt files) into `store`.

    Returns the report of a committed import; raises ImportFailed (with the report) when the file
    had errors, ImportCancelled when `progress` returned False. Either way nothing was written.
    """
    options = options or ImportOptions()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    fmt = resolve_format(options.format) if options.format else detect_format(path)
    if fmt in ("json", "jsonl") and path.is_file():
        # doccano and Label Studio export both JSON arrays and JSON Lines: the content decides.
        fmt = sniff_json(path, fmt)
    splitter = ImportSplitter(store, path, options.split_rule, fixed=options.split,
                              use_file_name=options.split_from_name,
                              training_documents=options.training_documents)
    report = ImportReport(file=str(path), format=fmt, split_rule=splitter.rule)
    try:
        codecs.lookup(options.encoding)
    except LookupError:
        raise ValidationError(f"unknown encoding {options.encoding!r} (e.g. utf-8, latin-1, gbk)") from None
    if store.read_only:
        raise ProjectReadOnly(read_only_message(store.path))
    docs = get_reader(fmt)(path, options, report)
    first = next(docs, None)  # a reader's first pass runs here, before anything is written
    if first is not None and report.error_count < options.max_errors:
        try:
            with StagingProject(store) as staging:
                _stage(_Writer(staging.store, store, splitter, options, report), _chain(first, docs), path,
                       options, progress)
                staging.merge()
        except (ValidationError, StorageError) as e:
            if isinstance(e, NoSpaceLeft):  # name the project, not the staging file the user never saw
                raise NoSpaceLeft(no_space_message(store.path)) from e
            if isinstance(e, (ImportFailed, StorageError)):
                raise  # the file system's condition, not a problem of the file's data
            report.error(str(e), kind="store")
            raise ImportFailed(report) from e
    else:
        for _ in docs:  # drain so the reader reports everything it found
            pass
        _Writer(store, store, splitter, options, report).finish()
    if not report.ok:
        raise ImportFailed(report)
    if report.documents == 0 and not report.skipped and not report.duplicates:
        report.error("no documents found in the file", kind="empty")
        raise ImportFailed(report)
    report.committed = True
    return report


def _stage(writer: "_Writer", docs: Iterator[ParsedDoc], path: Path, options: ImportOptions,
           progress: Callable[[int], bool | None] | None) -> None:
    """Check and write every document into the writer's staging project (one transaction of a file no
    one else uses); raises ImportFailed / ImportCancelled when the import must not be merged."""
    report = writer.report
    with writer.store.bulk():
        for n, parsed in enumerate(docs, 1):
            writer.add(parsed)
            if report.error_count >= options.max_errors:
                report.note(f"stopped reading after {report.error_count} errors")
                break
            if progress is not None and n % PROGRESS_EVERY == 0 and progress(n) is False:
                raise ImportCancelled(f"import of {path} cancelled; nothing was imported")
        writer.finish()
        if not report.ok:
            raise ImportFailed(report)


def sniff_json(path: Path, fmt: str) -> str:
    found = sniff(peek_text(path))
    return found if found in ("json", "jsonl") else fmt


def _chain(first: ParsedDoc, rest: Iterator[ParsedDoc]) -> Iterator[ParsedDoc]:
    yield first
    yield from rest


class _Writer:
    """Checks and stores documents one by one, keeping the counts for the report."""

    def __init__(self, store: ProjectStore, target: ProjectStore, splitter: ImportSplitter, options: ImportOptions,
                 report: ImportReport) -> None:
        """`store` receives the documents (the staging project, with the target's labels and seed);
        `target` is the project they are for: its texts tell duplicates, its name is in messages."""
        self.store, self.splitter, self.options, self.report = store, splitter, options, report
        self.target = target
        self.entity_types = set(store.entity_type_names())
        self.classes = set(store.sentiment_class_names())
        self.known_types = sorted(self.entity_types)
        self.known_classes = sorted(self.classes)
        self.unknown: dict[tuple[str, str], list] = {}  # (kind, label) -> [count, first ParsedDoc]
        self.seen: dict[bytes, str] = {}
        self.existing: set[bytes] = set()
        for (text,) in target.conn.execute("SELECT text FROM documents"):
            self.existing.add(_digest(text))

    def add(self, parsed: ParsedDoc) -> None:
        doc, r = parsed.doc, self.report
        if not doc.text.strip():
            r.skipped += 1
            self._problem(parsed, "empty document (no text): skipped", "warning", "empty")
            return
        try:
            validate_document(doc)
        except ValidationError as e:
            self._problem(parsed, str(e), "error", "span")
            return
        if not self._labels_ok(parsed):
            return
        key = _digest(doc.text)
        place = f"line {parsed.line}" if parsed.line else (f"row {parsed.row}" if parsed.row else parsed.file or r.file)
        if key in self.existing or key in self.seen:
            r.duplicates += 1
            first = "a document already in the project" if key in self.existing else self.seen[key]
            action = "skipped" if self.options.skip_duplicates else "imported again"
            self._problem(parsed, f"duplicate text (same as {first}): {action}", "warning", "duplicate")
            if self.options.skip_duplicates:
                return
        else:
            self.seen[key] = place
        doc.split = self.splitter.choose(doc.text, doc.split)
        if not r.ok:
            return  # the import fails anyway; only keep checking
        self.splitter.stored(self.store.add_document(doc))
        r.documents += 1
        r.ner_documents += int(doc.ner_labelled or bool(doc.spans))
        r.entities.update(s.label for s in doc.spans)
        if doc.sentiment:
            r.sentiments[doc.sentiment.label] += 1
        r.splits[doc.split] += 1

    def _problem(self, parsed: ParsedDoc, message: str, severity: Severity, kind: str) -> None:
        self.report.add(ImportProblem(parsed.file or self.report.file, message, severity, kind,
                                      parsed.line, parsed.row))

    def _labels_ok(self, parsed: ParsedDoc) -> bool:
        doc = parsed.doc
        ok = True
        wanted = [("entity type", s.label) for s in list(doc.spans) + list(doc.other_spans)]
        wanted += [("sentiment class", x.label) for x in ([doc.sentiment] if doc.sentiment else []) +
                   list(doc.other_sentiments)]
        for kind, label in wanted:
            known = self.entity_types if kind == "entity type" else self.classes
            if label in known:
                continue
            if self.options.add_labels:
                try:
                    if kind == "entity type":
                        self.store.add_entity_type(label)
                        self.report.added_entity_types.append(label)
                    else:
                        self.store.add_sentiment_class(label)
                        self.report.added_sentiment_classes.append(label)
                except ValidationError as e:
                    self._problem(parsed, f"{kind} {label!r}: {e}", "error", "label")
                    ok = False
                    continue
                known.add(label)
            else:
                entry = self.unknown.setdefault((kind, label), [0, parsed])
                entry[0] += 1
                ok = False
        return ok

    def finish(self) -> None:
        r = self.report
        for (kind, label), (count, parsed) in self.unknown.items():
            known = self.known_types if kind == "entity type" else self.known_classes
            self._problem(parsed, f"unknown {kind} {label!r} (the project knows: {', '.join(known) or 'none'}); "
                                  f"used {count} time{'s' if count > 1 else ''}, first here. Add it to the "
                                  f"schema first, or import with --add-labels", "error", "label")
        if r.added_entity_types:
            r.note(f"entity types added to the project: {', '.join(r.added_entity_types)}")
        if r.added_sentiment_classes:
            r.note(f"sentiment classes added to the project: {', '.join(r.added_sentiment_classes)}")
        for note in self.splitter.notes():
            r.note(note)
        if not r.ok or not r.documents:
            return
        if self.splitter.hashed_ids:  # `mtl-studio split --only-unassigned` may move these
            self.store.mark_split_unassigned(self.splitter.hashed_ids)
        stranded = self.splitter.stranded_warning(r.splits, str(self.target.path))
        if stranded:
            r.warn(stranded, kind="split")


def _digest(text: str) -> bytes:
    return hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=12).digest()
