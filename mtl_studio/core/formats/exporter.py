"""Write a project's documents out: CoNLL (IOB2), JSONL (own format), CSV, Label Studio JSON, FinEntity
JSON or SemEval-2014 ABSA XML (docs/formats.md says what each holds).

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
from . import resolve_export_format
from .absa import ASPECT_TYPE, CATEGORY_POLARITY_SET, CATEGORY_SET, write_absa_footer, write_absa_header, \
    write_absa_sentence
from .conll import write_sentence
from .jsonl import UNTYPED_ENTITY, write_finentity_record, write_label_studio_task, write_record
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
    span_sentiments: Counter = field(default_factory=Counter)  # entity polarity -> spans
    label_counts: dict[str, Counter] = field(default_factory=dict)  # label set -> class -> documents
    misaligned: int = 0  # spans whose edges fall inside a token (tagged by overlap in CoNLL)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items())) or "none"
        lines = [f"wrote {self.documents} documents to {self.file} ({self.format}); entities: "
                 f"{sum(self.entities.values())} ({ents}); sentiment labels: {sum(self.sentiments.values())}"]
        if self.span_sentiments:
            pols = ", ".join(f"{k} {v}" for k, v in sorted(self.span_sentiments.items()))
            lines.append(f"  entity sentiment: {sum(self.span_sentiments.values())} ({pols})")
        for name, counts in self.label_counts.items():
            lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if self.skipped:
            holds = "FinEntity holds entities only" if self.format == "finentity" else "CoNLL holds NER only"
            lines.append(f"  {self.skipped} documents not labelled for NER were left out ({holds})")
        if self.misaligned:
            lines.append(f"  {self.misaligned} spans do not start and end on token boundaries: their tokens "
                         f"were tagged by overlap")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "documents": self.documents, "skipped": self.skipped,
                "entities": sum(self.entities.values()), "entities_per_type": dict(sorted(self.entities.items())),
                "sentiment_per_class": dict(sorted(self.sentiments.items())), "misaligned": self.misaligned,
                "entity_sentiment_per_class": dict(sorted(self.span_sentiments.items())),
                "labels_per_set": {k: dict(sorted(v.items())) for k, v in self.label_counts.items()},
                "notes": self.notes}


def export_project(store: ProjectStore, out: str | Path, fmt: str, include: tuple[str, ...] = (),
                   split: str | None = None, *, force: bool = False, raw_cells: bool = False) -> ExportReport:
    """Write the project's documents to `out`; `force` overwrites an existing file, `raw_cells`
    writes CSV cells as they are (formulas included)."""
    fmt = resolve_export_format(fmt)
    bad = [s for s in include if s not in MODEL_SOURCES]
    if bad:
        raise ValidationError(f"--include takes silver and/or predicted, not {', '.join(bad)}")
    if split is not None and split not in SPLITS:
        raise ValidationError(f"--split must be one of {', '.join(SPLITS)}")
    out = check_output_path(out, force=force)  # before reading the project: a refusal costs nothing
    report = ExportReport(str(out), fmt)
    sources = ("gold", *include)
    label_sets = store.label_sets()
    multi = frozenset(x.name for x in label_sets if x.multi_label)
    with atomic_output(out, force=force) as f:
        docs = store.iter_documents(split, sources=sources)
        if fmt == "conll":
            _write_conll(f, docs, include, report)
        elif fmt == "jsonl":
            for doc in docs:
                f.write(json.dumps(write_record(doc, sources, multi), ensure_ascii=False) + "\n")
                _count(report, doc.spans, doc)
        elif fmt == "csv":
            _raise_csv_limit()
            # CRLF row ends (RFC 4180): the csv module quotes a cell holding any character of the
            # line terminator, so with "\n" alone a cell with a carriage return went out unquoted.
            writer = csv.writer(f, lineterminator="\r\n")
            write_csv_header(writer, sources, label_sets)
            for doc in docs:
                write_csv_row(writer, doc, sources, raw_cells=raw_cells, label_sets=label_sets)
                _count(report, doc.spans, doc)
        elif fmt in ("label-studio", "finentity"):
            _write_json_array(f, docs, fmt, report)
        else:
            _write_absa(f, docs, report)
    if include:
        if fmt in ("label-studio", "finentity", "absa"):
            report.notes.append(f"{fmt} holds gold annotations only: --include {', '.join(include)} was not written")
        else:
            report.notes.append(f"model annotations included: {', '.join(include)}")
    return report


def _count(report: ExportReport, spans: list[Span], doc: Document, labels: bool = True) -> None:
    report.documents += 1
    report.entities.update(s.label for s in spans)
    report.span_sentiments.update(s.sentiment for s in spans if s.sentiment is not None)
    if doc.sentiment:
        report.sentiments[doc.sentiment.label] += 1
    for x in doc.labels if labels else []:
        report.label_counts.setdefault(x.label_set, Counter())[x.label] += 1


def _write_json_array(f: IO[str], docs, fmt: str, report: ExportReport) -> None:  # type: ignore[no-untyped-def]
    """A JSON array, one task or record a line (Label Studio imports it; so does our importer)."""
    f.write("[")
    first = True
    types: set[str] = set()
    for n, doc in enumerate(docs, 1):
        if fmt == "finentity" and not doc.ner_labelled:
            report.skipped += 1
            continue
        rec = write_label_studio_task(doc, n) if fmt == "label-studio" else write_finentity_record(doc)
        f.write(("\n" if first else ",\n") + json.dumps(rec, ensure_ascii=False))
        first = False
        _count(report, doc.spans if doc.ner_labelled else [], doc)
        types.update(s.label for s in doc.spans)
    f.write("\n]\n")
    if fmt == "finentity" and types - {UNTYPED_ENTITY}:
        report.notes.append(f"FinEntity has one entity type: the types {', '.join(sorted(types - {UNTYPED_ENTITY}))} "
                            f"are kept in each annotation's \"type\", which other FinEntity tools ignore")


def _write_absa(f: IO[str], docs, report: ExportReport) -> None:  # type: ignore[no-untyped-def]
    """SemEval-2014 ABSA XML: spans as aspect terms, the aspect category sets as aspect categories; the
    sentiment and other label sets have no place in it (a note says how many were left out)."""
    write_absa_header(f)
    left_out: Counter = Counter()
    types: set[str] = set()
    for n, doc in enumerate(docs, 1):
        write_absa_sentence(f, doc, str(doc.id if doc.id is not None else n))
        report.documents += 1
        report.entities.update(s.label for s in doc.spans)
        report.span_sentiments.update(s.sentiment for s in doc.spans if s.sentiment is not None)
        types.update(s.label for s in doc.spans)
        for x in doc.labels:
            if x.label_set in (CATEGORY_SET, CATEGORY_POLARITY_SET):
                report.label_counts.setdefault(x.label_set, Counter())[x.label] += 1
            else:
                left_out[x.label_set] += 1
        if doc.sentiment:
            left_out["sentiment"] += 1
    write_absa_footer(f)
    if left_out:
        report.notes.append("ABSA XML has no place for " + ", ".join(f"{k} ({v} labels)" for k, v in
                                                                  sorted(left_out.items())) + ": not written")
    if types - {ASPECT_TYPE}:
        report.notes.append(f"entity types other than {ASPECT_TYPE} ({', '.join(sorted(types - {ASPECT_TYPE}))}) "
                            f"are written as aspect terms with a \"type\" attribute")


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
