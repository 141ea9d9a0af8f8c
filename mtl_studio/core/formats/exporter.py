"""Write a project's documents out: CoNLL (IOB2), JSONL (own format) or CSV.

Gold annotations only by default; `include=("silver", "predicted")` adds model annotations. For
CoNLL, which holds one tag per token, a document uses its gold entities when it is labelled for
NER, else the first included source that has spans for it. Documents stream from the store, and
the output is written to a temporary file that replaces OUT at the end, so an interrupted export
never leaves half a file (safe_output: no symlink, FIFO, device or folder as OUT; an existing file
only with force). CSV cells that a spreadsheet would run as formulas are neutralised unless raw_cells.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..safe_output import atomic_output, check_output_path
from ..schema import SPLITS, Document, Span, ValidationError
from ..store import ProjectStore
from ..tokenize import misaligned_spans, spans_to_tags, tokenize
from . import EXPORT_FORMATS
from .conll import write_sentence
from .jsonl import write_record
from .tabular import _raise_csv_limit, write_csv_header, write_csv_row

MODEL_SOURCES = ("silver", "predicted")


@dataclass
class ExportReport:
    file: str
    format: str
    documents: int = 0
    skipped: int = 0  # CoNLL: documents without NER labels
    entities: Counter = field(default_factory=Counter)
    sentiments: Counter = field(default_factory=Counter)
    misaligned: int = 0  # spans whose edges fall inside a token (tagged by overlap in CoNLL)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items())) or "none"
        lines = [f"wrote {self.documents} documents to {self.file} ({self.format}); entities: "
                 f"{sum(self.entities.values())} ({ents}); sentiment labels: {sum(self.sentiments.values())}"]
        if self.skipped:
            lines.append(f"  {self.skipped} documents not labelled for NER were left out (CoNLL holds NER only)")
        if self.misaligned:
            lines.append(f"  {self.misaligned} spans do not start and end on token boundaries: their tokens "
                         f"were tagged by overlap")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "documents": self.documents, "skipped": self.skipped,
                "entities": sum(self.entities.values()), "entities_per_type": dict(sorted(self.entities.items())),
                "sentiment_per_class": dict(sorted(self.sentiments.items())), "misaligned": self.misaligned,
                "notes": self.notes}


def export_project(store: ProjectStore, out: str | Path, fmt: str, include: tuple[str, ...] = (),
                   split: str | None = None, *, force: bool = False, raw_cells: bool = False) -> ExportReport:
    """Write the project's documents to `out`; `force` overwrites an existing file, `raw_cells`
    writes CSV cells as they are (formulas included)."""
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"export format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
    bad = [s for s in include if s not in MODEL_SOURCES]
    if bad:
        raise ValidationError(f"--include takes silver and/or predicted, not {', '.join(bad)}")
    if split is not None and split not in SPLITS:
        raise ValidationError(f"--split must be one of {', '.join(SPLITS)}")
    out = check_output_path(out, force=force)  # before reading the project: a refusal costs nothing
    report = ExportReport(str(out), fmt)
    sources = ("gold", *include)
    with atomic_output(out, force=force) as f:
        docs = store.iter_documents(split, sources=sources)
        if fmt == "conll":
            _write_conll(f, docs, include, report)
        elif fmt == "jsonl":
            for doc in docs:
                f.write(json.dumps(write_record(doc, sources), ensure_ascii=False) + "\n")
                _count(report, doc.spans, doc)
        else:
            _raise_csv_limit()
            # CRLF row ends (RFC 4180): the csv module quotes a cell holding any character of the
            # line terminator, so with "\n" alone a cell with a carriage return went out unquoted.
            writer = csv.writer(f, lineterminator="\r\n")
            write_csv_header(writer, sources)
            for doc in docs:
                write_csv_row(writer, doc, sources, raw_cells=raw_cells)
                _count(report, doc.spans, doc)
    if include:
        report.notes.append(f"model annotations included: {', '.join(include)}")
    return report


def _count(report: ExportReport, spans: list[Span], doc: Document) -> None:
    report.documents += 1
    report.entities.update(s.label for s in spans)
    if doc.sentiment:
        report.sentiments[doc.sentiment.label] += 1


def _write_conll(f: IO[str], docs, include: tuple[str, ...], report: ExportReport) -> None:  # type: ignore[no-untyped-def]
    for doc in docs:
        spans = doc.spans if doc.ner_labelled else []
        if not doc.ner_labelled:
            spans = next(([s for s in doc.other_spans if s.source == src] for src in include
                          if any(s.source == src for s in doc.other_spans)), [])
            if not spans:
                report.skipped += 1
                continue
        tokens = [t for t in (doc.tokens or tokenize(doc.text)) if doc.text[t[0]:t[1]].strip()]
        if not tokens:
            report.skipped += 1
            continue
        report.misaligned += len(misaligned_spans(spans, tokens))
        write_sentence(f, [doc.text[s:e] for s, e in tokens], spans_to_tags(spans, tokens))
        report.documents += 1
        report.entities.update(s.label for s in spans)
