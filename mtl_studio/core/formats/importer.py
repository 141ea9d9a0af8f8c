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
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import OperationCancelled
from ..schema import ValidationError, validate_document
from ..splits import ImportSplitter
from ..store import ProjectStore
from ..store_faults import NoSpaceLeft, ProjectReadOnly, StorageError, no_space_message, read_only_message
from ..tokenize import normalize
from ..schema import DEFAULT_POLARITIES
from . import UnknownFormat, detect_format, get_reader, resolve_format, sniff
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
    try:
        fmt = resolve_format(options.format) if options.format else detect_format(path)
    except UnknownFormat as e:  # XML that is not ABSA, HTML, binary: refused, not read as lines of text
        report = ImportReport(file=str(path), format="unknown")
        report.error(e.reason, kind="format", line=e.line)
        raise ImportFailed(report) from None
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
        # The tasks beyond NER and sentiment, read from the project only when a file has their labels
        # (a file without them imports exactly as before).
        self.polarities: set[str] | None = None  # None: not read yet
        self.entity_sentiment_on = False
        self.no_task_reported = False
        self.known_polarities: list[str] = []
        self.label_sets: dict[str, Any] | None = None  # name -> LabelSet
        self.known_label_sets: dict[str, list[str]] = {}
        self.created_sets: set[str] = set()  # label sets this import added (their multi-label flag may change)

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
        r.span_sentiments.update(s.sentiment for s in doc.spans if s.sentiment is not None)
        for x in doc.labels:
            r.label_counts.setdefault(x.label_set, Counter())[x.label] += 1
        r.splits[doc.split] += 1

    def _problem(self, parsed: ParsedDoc, message: str, severity: Severity, kind: str) -> None:
        self.report.add(ImportProblem(parsed.file or self.report.file, message, severity, kind,
                                      parsed.line, parsed.row))

    def _labels_ok(self, parsed: ParsedDoc) -> bool:
        ok = self._entity_types_and_classes_ok(parsed)
        if any(s.sentiment is not None for s in list(parsed.doc.spans) + list(parsed.doc.other_spans)):
            ok = self._polarities_ok(parsed) and ok
        if parsed.doc.labels or parsed.doc.other_labels:
            ok = self._label_sets_ok(parsed) and ok
        return ok

    def _polarities_ok(self, parsed: ParsedDoc) -> bool:
        """Every span polarity is an entity sentiment class of the project (added with add_labels; the
        task is switched on when the project does not have it yet)."""
        doc = parsed.doc
        wanted = [s.sentiment for s in list(doc.spans) + list(doc.other_spans) if s.sentiment is not None]
        if self.polarities is None:
            self.entity_sentiment_on = self.store.has_entity_sentiment()
            self.polarities = set(self.store.entity_sentiment_class_names()) if self.entity_sentiment_on else set()
            self.known_polarities = sorted(self.polarities)
        if not self.entity_sentiment_on:
            if not self.options.add_labels:
                if not self.no_task_reported:  # once, at the first document that has a polarity
                    self.no_task_reported = True
                    self._problem(parsed, "the file gives entities a polarity but the project has no entity "
                                          "sentiment task: switch it on in the schema first, or import with "
                                          "--add-labels", "error", "label")
                return False
            # The default polarities when the file uses them (their keys and order then match a project that
            # switched the task on by hand), else only the file's own classes.
            defaults = wanted[0] in DEFAULT_POLARITIES
            self.store.enable_entity_sentiment(DEFAULT_POLARITIES if defaults else ())
            self.polarities = set(DEFAULT_POLARITIES) if defaults else set()
            self.entity_sentiment_on = True
            self.report.entity_sentiment_enabled = True
        ok = True
        for label in wanted:
            if label in self.polarities:
                continue
            if self.options.add_labels:
                try:
                    self.store.add_entity_sentiment_class(label)
                except ValidationError as e:
                    self._problem(parsed, f"entity sentiment class {label!r}: {e}", "error", "label")
                    ok = False
                    continue
                self.polarities.add(label)
                self.report.added_polarities.append(label)
            else:
                entry = self.unknown.setdefault(("entity sentiment class", label), [0, parsed])
                entry[0] += 1
                ok = False
        return ok

    def _label_sets_ok(self, parsed: ParsedDoc) -> bool:
        """Every label's set and class exist (added with add_labels), and a single-label set gets at most
        one gold label per document (a set this import created becomes multi-label instead)."""
        doc = parsed.doc
        if self.label_sets is None:
            self.label_sets = {x.name: x for x in self.store.label_sets()}
            self.known_label_sets = {x.name: list(x.class_names) for x in self.label_sets.values()}
        ok = True
        for name in dict.fromkeys(x.label_set for x in list(doc.labels) + list(doc.other_labels)):
            if name not in self.label_sets:
                if not self.options.add_labels:
                    entry = self.unknown.setdefault(("label set", name), [0, parsed])
                    entry[0] += 1
                    ok = False
                    continue
                try:
                    self.store.add_label_set(name, multi_label=name in parsed.multi_label_sets)
                except ValidationError as e:
                    self._problem(parsed, f"label set {name!r}: {e}", "error", "label")
                    ok = False
                    continue
                self.label_sets[name] = self.store.label_set(name)
                self.created_sets.add(name)
                self.report.added_label_sets.append(name)
            label_set = self.label_sets[name]
            classes = set(label_set.class_names)
            gold = doc.labels_of(name)
            if not label_set.multi_label and (len(gold) > 1 or name in parsed.multi_label_sets):
                if name in self.created_sets:
                    self.store.set_label_set_multi_label(name, True)
                    self.label_sets[name] = label_set = self.store.label_set(name)
                elif len(gold) > 1:
                    self._problem(parsed, f"label set {name!r} is single-label in the project, but the document has "
                                          f"{len(gold)} labels of it ({', '.join(gold)}); make the set multi-label "
                                          f"in the schema first", "error", "label")
                    ok = False
                    continue
            for label in dict.fromkeys(x.label for x in list(doc.labels) + list(doc.other_labels)
                                       if x.label_set == name):
                if label in classes:
                    continue
                if self.options.add_labels:
                    try:
                        self.store.add_label_set_class(name, label)
                    except ValidationError as e:
                        self._problem(parsed, f"label set {name!r}, class {label!r}: {e}", "error", "label")
                        ok = False
                        continue
                    self.label_sets[name] = label_set = self.store.label_set(name)
                    classes.add(label)
                    self.report.added_label_set_classes.append(f"{name}:{label}")
                else:
                    entry = self.unknown.setdefault((f"class of label set {name!r}", label), [0, parsed])
                    entry[0] += 1
                    ok = False
        return ok

    def _entity_types_and_classes_ok(self, parsed: ParsedDoc) -> bool:
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
            known = self._known(kind)
            self._problem(parsed, f"unknown {kind} {label!r} (the project knows: {', '.join(known) or 'none'}); "
                                  f"used {count} time{'s' if count > 1 else ''}, first here. Add it to the "
                                  f"schema first, or import with --add-labels", "error", "label")
        if r.added_entity_types:
            r.note(f"entity types added to the project: {', '.join(r.added_entity_types)}")
        if r.added_sentiment_classes:
            r.note(f"sentiment classes added to the project: {', '.join(r.added_sentiment_classes)}")
        if r.entity_sentiment_enabled:
            r.note("the file gives entities a polarity: the project's entity sentiment task was switched on")
        if r.added_polarities:
            r.note(f"entity sentiment classes added to the project: {', '.join(r.added_polarities)}")
        for name in r.added_label_sets:
            label_set = self.store.label_set(name)
            kind = "multi-label" if label_set is not None and label_set.multi_label else "single-label"
            r.note(f"document label set {name!r} added to the project ({kind})")
        if r.added_label_set_classes:
            by_set: dict[str, list[str]] = {}
            for entry in r.added_label_set_classes:
                name, _, label = entry.partition(":")
                by_set.setdefault(name, []).append(label)
            r.note("label set classes added to the project: " +
                   "; ".join(f"{name} ({', '.join(labels)})" for name, labels in by_set.items()))
        for note in self.splitter.notes():
            r.note(note)
        if not r.ok or not r.documents:
            return
        if self.splitter.hashed_ids:  # `mtl-studio split --only-unassigned` may move these
            self.store.mark_split_unassigned(self.splitter.hashed_ids)
        stranded = self.splitter.stranded_warning(r.splits, str(self.target.path))
        if stranded:
            r.warn(stranded, kind="split")


    def _known(self, kind: str) -> list[str]:
        if kind == "entity type":
            return self.known_types
        if kind == "sentiment class":
            return self.known_classes
        if kind == "entity sentiment class":
            return self.known_polarities
        if kind == "label set":
            return sorted(self.known_label_sets)
        name = kind.split("'")[1] if "'" in kind else ""
        return self.known_label_sets.get(name, [])


def _digest(text: str) -> bytes:
    return hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=12).digest()
