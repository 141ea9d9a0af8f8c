"""File work the GUI runs on a worker thread: inspect, check (dry run), import, export.

These are plain functions over paths and plain data (no Qt). Each opens its own ProjectStore (SQLite
connections are per thread) and returns dataclasses the GUI thread can read.
"""
from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from mtl_studio.core.formats import (
    ImportFailed, ImportOptions, ImportReport, detect_format, export_project, import_file, resolve_format,
)
from mtl_studio.core.store import ProjectStore

PREVIEW_DOCS = 30
TABULAR = ("csv", "tsv", "excel")


@dataclass
class FileInfo:
    """What the wizard needs to offer choices for a file."""

    path: str
    format: str
    columns: list[str] = field(default_factory=list)  # tabular formats: the header
    text_column: str | None = None  # the guesses the reader would make
    label_column: str | None = None


@dataclass
class PreviewDoc:
    text: str
    spans: list[tuple[int, int, str]]
    sentiment: str | None
    ner_labelled: bool
    split: str | None


@dataclass
class CheckResult:
    """A dry run of the import: what would be imported, and every problem found, before anything is written."""

    report: ImportReport
    preview: list[PreviewDoc]
    colours: dict[str, str]  # entity type -> colour (new types get the colour the project would give them)
    failed: bool


def inspect_file(path: str) -> FileInfo:
    fmt = detect_format(path)
    info = FileInfo(path=path, format=fmt)
    if fmt in TABULAR:
        info.columns = read_columns(path, fmt)
        from mtl_studio.core.formats.tabular import LABEL_NAMES, TEXT_NAMES

        lower = {c.strip().lower(): c for c in info.columns}
        info.text_column = next((lower[n] for n in TEXT_NAMES if n in lower), None)
        info.label_column = next((lower[n] for n in LABEL_NAMES if n in lower and lower[n] != info.text_column),
                                 None)
    return info


def read_columns(path: str, fmt: str) -> list[str]:
    import pandas as pd

    if fmt == "excel":
        frame = pd.read_excel(path, nrows=0)
    else:
        frame = pd.read_csv(path, sep="\t" if fmt == "tsv" else ",", nrows=0, encoding="utf-8-sig",
                            quoting=3 if fmt == "tsv" else 0)
    return [str(c) for c in frame.columns]


def check_import(project: str, path: str, options: ImportOptions) -> CheckResult:
    """Import into a scratch project that has the same label schema, and report what happened.

    The real project is not touched (nor locked) while the user looks at the preview. Duplicates of
    documents already in the project are only found by the real import (it reports them as warnings).
    """
    with tempfile.TemporaryDirectory(prefix="mtl-import-check-") as tmp:
        src = ProjectStore.open(project)
        try:
            types = src.entity_types()
            classes = src.sentiment_class_names()
            seed = src.get_meta("split_seed", "13") or "13"
            # The split rule looks at the project's training documents: the scratch one has none.
            options = replace(options, training_documents=src.count_documents("train"))
        finally:
            src.close()
        scratch = ProjectStore.create(Path(tmp) / "check.mtl")
        try:
            scratch.set_meta("split_seed", seed)
            for t in types:
                scratch.add_entity_type(t.name, t.colour)
            for c in classes:
                scratch.add_sentiment_class(c)
            failed = False
            try:
                report = import_file(scratch, path, options)
            except ImportFailed as e:
                report, failed = e.report, True
            preview: list[PreviewDoc] = []
            if not failed:
                for doc in scratch.iter_documents(batch=PREVIEW_DOCS):
                    preview.append(PreviewDoc(doc.text, [(s.start, s.end, s.label) for s in doc.spans],
                                              doc.sentiment.label if doc.sentiment else None,
                                              bool(doc.ner_labelled), doc.split))
                    if len(preview) >= PREVIEW_DOCS:
                        break
            else:
                preview = _preview_from_reader(path, options)
            colours = {t.name: t.colour for t in scratch.entity_types()}
        finally:
            scratch.close()
    return CheckResult(report, preview, colours, failed)


def _preview_from_reader(path: str, options: ImportOptions) -> list[PreviewDoc]:
    """First documents as the reader parses them (the import failed, but the user still sees the data)."""
    from mtl_studio.core.formats import get_reader

    fmt = resolve_format(options.format) if options.format else detect_format(path)
    scratch_report = ImportReport(file=path, format=fmt)
    out: list[PreviewDoc] = []
    try:
        for parsed in get_reader(fmt)(Path(path), options, scratch_report):
            d = parsed.doc
            out.append(PreviewDoc(d.text, [(s.start, s.end, s.label) for s in d.spans],
                                  d.sentiment.label if d.sentiment else None, bool(d.ner_labelled or d.spans),
                                  d.split))
            if len(out) >= PREVIEW_DOCS:
                break
    except Exception:  # noqa: BLE001 - a preview is best effort; the problems list says what is wrong
        pass
    return out


def run_import(project: str, path: str, options: ImportOptions, cancel: threading.Event) -> ImportReport:
    """The real import (all or nothing). Raises ImportFailed / ImportCancelled with nothing written."""
    store = ProjectStore.open(project)
    try:
        return import_file(store, path, options, progress=lambda _n: not cancel.is_set())
    finally:
        store.close()


def export_annotations(project: str, out: str, fmt: str) -> int:
    """Write gold annotations; returns the number of documents written."""
    store = ProjectStore.open(project)
    try:
        # force: QFileDialog.getSaveFileName has already asked before choosing an existing file.
        report = export_project(store, out, fmt, force=True)
    finally:
        store.close()
    return report.documents


def export_model(project: str, run_id: str | None, folder: str, onnx: bool) -> str:
    from mtl_studio.core.export import export_model as _export

    return str(_export(project, run_id, folder, onnx=onnx))
