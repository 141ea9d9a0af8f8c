"""CSV, TSV and Excel through pandas: a text column, an optional sentiment column, more if present.

Columns are found by common names (text, sentence, content, review, text_a, ...; label, sentiment,
polarity, ...), or given with --text-column / --label-column. Optional `entities` (a JSON list of
{"start", "end", "label", "sentiment"}, as MTL Studio's CSV export writes; `sentiment` is the polarity
toward the entity; empty cell = not labelled for NER), `split`, and one column per further document
label set: `label:NAME` (single-label: one class a cell) or `labels:NAME` (multi-label: classes joined
by MULTI_LABEL_DELIMITER "|"; an empty cell = not labelled for the set). Any other column is kept in
the document's metadata.

CSV is read in chunks (memory stays flat). TSV is read without quote handling, because real TSV
files such as ChnSentiCorp have unbalanced quotes inside texts: each line is split on tabs. Rows
are numbered as in a spreadsheet (the header is row 1), which is the line number for files whose
cells hold no line breaks; rows pandas cannot split into the header's columns are errors with
their line number.
"""
from __future__ import annotations

import csv
import json
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..schema import (
    MAX_DOCUMENT_CHARS, MULTI_LABEL_DELIMITER, SOURCES, Document, DocumentLabel, LabelSet, SentimentLabel, Span,
    ValidationError, check_document_length, confidence_from_value, offset_from_value, shown,
)
from ..tokenize import retokenize_for_spans
from .cells import neutralise_formula, restore_formula
from .common import (
    ImportOptions, ParsedDoc, check_split, clean_label, decode_json, label_set_name, polarity_from_value, read_lines,
    starts_with_utf16_bom,
)
from .report import ImportReport

TEXT_NAMES = ("text", "sentence", "content", "review", "text_a", "document", "body", "message", "tweet",
              "headline", "title", "comment", "utterance", "sentence1")
LABEL_NAMES = ("sentiment", "label", "polarity", "labels", "class", "category", "target", "sentiment_label",
               "emotion", "stance")
CHUNK_ROWS = 20_000
# No line of a document's row is longer than this: the text is at most MAX_DOCUMENT_CHARS, and an
# entities cell of a document at that limit stays within a few times its length. A longer line is
# refused before the csv module (which buffers a cell as 4 bytes a character) or pandas reads it.
MAX_LINE_CHARS = 5 * MAX_DOCUMENT_CHARS
# Header prefixes of the document label set columns: `label:topic` single-label, `labels:topic` multi-label.
SINGLE_LABEL_PREFIX = "label:"
MULTI_LABEL_PREFIX = "labels:"


def label_set_column(name: str) -> tuple[str, bool] | None:
    """(label set, multi-label) of a `label:NAME` / `labels:NAME` header, None for any other column."""
    lower = name.strip().lower()
    for prefix, multi in ((MULTI_LABEL_PREFIX, True), (SINGLE_LABEL_PREFIX, False)):
        if lower.startswith(prefix):
            return label_set_name(name.strip()[len(prefix):].strip()), multi
    return None


def find_column(names: list[str], given: str | None, candidates: tuple[str, ...],
                exclude: str | None = None) -> str | None:
    """The column the user named (exactly, else ignoring case and spaces), or else the first of
    `candidates` present (ignoring case and spaces) that is not `exclude`; None when there is none."""
    lower = {n.strip().lower(): n for n in names}
    if given is not None:
        return given if given in names else lower.get(given.strip().lower())
    for c in candidates:
        if c in lower and lower[c] != exclude:
            return lower[c]
    return None


def _raise_csv_limit() -> None:
    # pandas' python engine and our CSV export use the csv module, whose default field limit
    # (128 KiB) is smaller than a long document.
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


def read_csv(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    yield from _read_delimited(path, options, report, sep=",")


def read_tsv(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    yield from _read_delimited(path, options, report, sep="\t")


def _read_delimited(path: Path, options: ImportOptions, report: ImportReport, sep: str) -> Iterator[ParsedDoc]:
    import pandas as pd

    _raise_csv_limit()
    quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
    check_rows(path, options, report, sep, quoting)
    if not report.ok:
        return
    if starts_with_utf16_bom(path):
        encoding = "utf-16"  # as read_lines (check_rows) read it
    elif options.encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    else:
        encoding = options.encoding
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            chunks = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[],
                                 skip_blank_lines=False, on_bad_lines="warn", encoding=encoding, quoting=quoting,
                                 chunksize=CHUNK_ROWS)
            mapper: _Columns | None = None
            for chunk in chunks:
                if mapper is None:
                    mapper = _Columns(list(chunk.columns), options, report)
                    if not report.ok:
                        return
                yield from mapper.documents(chunk, path)
                _bad_lines(caught, report)
                if report.error_count >= options.max_errors:
                    return
            if mapper is None:
                report.error("the file has a header but no rows", kind="empty", row=1)
        except pd.errors.EmptyDataError:
            report.error("the file is empty", kind="empty", line=1)
        except pd.errors.ParserError as e:
            line = _line_in(str(e))
            row = re.search(r"starting at row (\d+)", str(e))  # "EOF inside string starting at row N"
            if line is None and row is not None:
                line = _record_start_line(path, options, sep, quoting, int(row.group(1)))
            report.error(f"cannot read the file as {'TSV' if sep == chr(9) else 'CSV'}: {e}"
                         f"{' (a quote opened here is never closed)' if row is not None else ''}", kind="bad-row",
                         line=line)
        _bad_lines(caught, report)


def check_rows(path: Path, options: ImportOptions, report: ImportReport, sep: str, quoting: int) -> None:
    """First pass over a CSV/TSV file: every line decodes, and every record has the header's number
    of fields. pandas cannot tell a short row from one with empty cells (it pads both with ""), so
    the csv module counts the fields; errors name the line where the record starts."""
    numbered = read_lines(path, options.encoding, report)
    line_of_record: list[int] = []

    def lines() -> Iterator[str]:
        for lineno, line in numbered:
            line_of_record.append(lineno)
            if len(line) > MAX_LINE_CHARS:
                report.error(f"a line of {len(line):,} characters: longer than a row of one document can be "
                             f"(its text may have {MAX_DOCUMENT_CHARS:,}); split it into several documents",
                             kind="too-long", line=lineno)
                line = ""  # the csv reader sees an empty line; the import fails anyway
            yield line + "\n"

    reader = csv.reader(lines(), delimiter=sep, quoting=quoting, strict=False)
    header: list[str] | None = None
    try:
        for row in reader:
            start = line_of_record[0] if line_of_record else 1
            line_of_record.clear()
            if header is None:
                header = row
            elif row and len(row) != len(header):
                fewer = "fewer" if len(row) < len(header) else "more"
                report.error(f"{len(row)} fields where the header has {len(header)} ({fewer} than the header"
                             f"{'; quote cells that hold the separator' if fewer == 'more' else ''})",
                             kind="bad-row", line=start)
            if report.error_count >= options.max_errors:
                return
    except csv.Error as e:
        report.error(f"cannot read the file as {'TSV' if sep == chr(9) else 'CSV'}: {e}", kind="bad-row",
                     line=line_of_record[0] if line_of_record else None)


def read_excel(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    """The first sheet of an .xlsx / .xls workbook (read whole: workbooks are not streamable)."""
    import pandas as pd

    try:
        frame = pd.read_excel(path, dtype=str, keep_default_na=False, na_values=[])
    except Exception as e:  # noqa: BLE001 - openpyxl/xlrd/zipfile raise many classes for a damaged workbook
        report.error(f"cannot read the workbook: {type(e).__name__}: {e}", kind="bad-file")
        return
    mapper = _Columns(list(frame.columns), options, report)
    if report.ok:
        yield from mapper.documents(frame, path)


def _bad_lines(caught: list[warnings.WarningMessage], report: ImportReport) -> None:
    for w in caught:
        if w.category.__name__ != "ParserWarning":
            continue  # other warnings (deprecations) are not about the file
        msg = str(w.message).strip()
        # One warning may list several lines ("Skipping line 3: ...\nSkipping line 5: ...").
        found = list(re.finditer(r"line (\d+): expected (\d+) fields, saw (\d+)", msg))
        for m in found:
            report.error(f"{m.group(3)} fields where the header has {m.group(2)} (ragged row; quote cells "
                         f"that hold the separator)", kind="bad-row", line=int(m.group(1)))
        if not found and "line" in msg.lower():
            report.error(msg, kind="bad-row", line=_line_in(msg))
    caught.clear()


def _record_start_line(path: Path, options: ImportOptions, sep: str, quoting: int, record: int) -> int:
    """The line where record `record` (0 = the header) starts: pandas counts records, and a quoted cell
    may span lines. Only on the error path: it reads the file again."""
    starts: list[int] = []
    numbered = read_lines(path, options.encoding, ImportReport(str(path)))

    def lines() -> Iterator[str]:
        for lineno, line in numbered:
            starts.append(lineno)
            yield line + "\n"

    first = 1
    for index, _row in enumerate(csv.reader(lines(), delimiter=sep, quoting=quoting, strict=False)):
        if index == record:
            return starts[0] if starts else first
        first = starts[-1] + 1 if starts else first
        starts.clear()
    return starts[0] if starts else first


def _line_in(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


class _Columns:
    """Which column is which, decided once from the header."""

    def __init__(self, columns: list[Any], options: ImportOptions, report: ImportReport) -> None:
        self.report = report
        names = [str(c) for c in columns]
        lower = {n.strip().lower(): n for n in names}
        self.text = self._pick(options.text_column, TEXT_NAMES, names, "text")
        self.label = self._pick(options.label_column, LABEL_NAMES, names, "label", exclude=self.text)
        self.entities = lower.get("entities")
        self.split = lower.get("split")
        self.label_sets: dict[str, tuple[str, bool]] = {}  # column -> (label set, multi-label)
        seen: dict[str, str] = {}
        for n in names:
            try:
                found = label_set_column(n) if n not in (self.text, self.label) else None
            except ValidationError as e:
                report.error(f"column {n!r}: {e}", kind="column", row=1)
                continue
            if found is None:
                continue
            if found[0] in seen:
                report.error(f"columns {seen[found[0]]!r} and {n!r} are both label set {found[0]!r}", kind="column",
                             row=1)
                continue
            seen[found[0]] = n
            self.label_sets[n] = found
        self.multi = frozenset(name for name, multi in self.label_sets.values() if multi)
        used = {self.text, self.label, self.entities, self.split, *self.label_sets}
        self.meta = [n for n in names if n not in used and not n.startswith("Unnamed:")]
        if self.text is None and report.ok:
            report.error(f"no text column: the columns are {', '.join(names)}; choose one with --text-column "
                         f"(looked for {', '.join(TEXT_NAMES[:6])}, ...)", kind="column", row=1)
        elif self.label is None and report.ok:
            report.note(f"no sentiment column (looked for {', '.join(LABEL_NAMES[:4])}, ...): documents imported "
                        f"without sentiment labels; --label-column chooses one")
        if self.text and report.ok:
            chosen = f"text from column {self.text!r}"
            chosen += f", sentiment from column {self.label!r}" if self.label else ""
            report.note(chosen)

    def _pick(self, given: str | None, candidates: tuple[str, ...], names: list[str], what: str,
              exclude: str | None = None) -> str | None:
        column = find_column(names, given, candidates, exclude=exclude)
        if column is None and given is not None:
            self.report.error(f"--{what}-column {given!r} is not a column; the columns are {', '.join(names)}",
                              kind="column", row=1)
        return column

    def documents(self, frame: Any, path: Path) -> Iterator[ParsedDoc]:
        assert self.text is not None
        texts = frame[self.text].tolist()
        labels = frame[self.label].tolist() if self.label else [None] * len(texts)
        ents = frame[self.entities].tolist() if self.entities else [None] * len(texts)
        splits = frame[self.split].tolist() if self.split else [None] * len(texts)
        metas = frame[self.meta].to_dict("records") if self.meta else [{}] * len(texts)
        set_cells = frame[list(self.label_sets)].to_dict("records") if self.label_sets else [{}] * len(texts)
        for index, text, label, ent, split, meta, cells in zip(frame.index, texts, labels, ents, splits, metas,
                                                                set_cells):
            row = int(index) + 2  # the header is row 1
            text, label, ent, split = (None if _missing(v) else restore_formula(str(v))
                                       for v in (text, label, ent, split))
            text = text or ""
            try:
                check_document_length(text)  # before retokenize_for_spans
                spans, ner_labelled = _entities(ent)
                split = check_split(None if _missing(split) else split)
                sentiment = None if _missing(label) or str(label).strip() == "" else SentimentLabel(clean_label(label))
                doc_labels = self._labels(cells)
            except ValueError as e:  # ValidationError included: a label or offset of the wrong form
                self.report.error(str(e), kind="bad-row", row=row)
                continue
            doc = Document(text=text, tokens=retokenize_for_spans(text, spans), spans=spans, sentiment=sentiment,
                           ner_labelled=ner_labelled, split=split, source=path.name, labels=doc_labels,
                           meta={k: restore_formula(str(v)) for k, v in meta.items() if not _missing(v) and v != ""})
            yield ParsedDoc(doc, row=row, multi_label_sets=self.multi)

    def _labels(self, cells: dict[str, Any]) -> list[DocumentLabel]:
        """The row's labels of each label set column; an empty cell: not labelled for that set."""
        out: list[DocumentLabel] = []
        for column, value in cells.items():
            name, multi = self.label_sets[column]
            cell = "" if _missing(value) else restore_formula(str(value)).strip()
            if not cell:
                continue
            parts = [p.strip() for p in cell.split(MULTI_LABEL_DELIMITER)] if multi else [cell]
            if not multi and MULTI_LABEL_DELIMITER in cell:
                raise ValidationError(f"column {column!r}: {shown(cell)} holds several labels, but the column is "
                                      f"single-label; name it {MULTI_LABEL_PREFIX}{name} for a multi-label set")
            for part in parts:
                if not part:
                    raise ValidationError(f"column {column!r}: an empty label in {shown(cell)}")
                try:
                    label = DocumentLabel(name, clean_label(part))
                except ValidationError as e:
                    raise ValidationError(f"column {column!r}: {e}") from None
                if label not in out:
                    out.append(label)
        return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _entities(cell: Any) -> tuple[list[Span], bool]:
    """Spans from an `entities` cell; an empty cell means "not labelled for NER", `[]` means no entities."""
    if _missing(cell) or str(cell).strip() == "":
        return [], False
    try:
        items, _ = decode_json(str(cell))
    except json.JSONDecodeError as e:
        raise ValueError(f"entities cell is not JSON ({e.msg}): {shown(str(cell))}") from None
    if not isinstance(items, list):
        raise ValueError("entities cell must be a JSON list of {start, end, label}")
    spans = []
    for i, it in enumerate(items):
        polarity: Any = None
        if isinstance(it, dict) and {"start", "end", "label"} <= it.keys():
            start, end, label, source = it["start"], it["end"], it["label"], it.get("source", "gold")
            polarity = it.get("sentiment")
        elif isinstance(it, list) and len(it) in (3, 4):
            (start, end, label), source = it[:3], "gold"
            polarity = it[3] if len(it) == 4 else None
        else:
            raise ValueError(f"entity {i + 1} in the entities cell needs start, end and label: {shown(it)}")
        if source not in SOURCES:
            raise ValueError(f"entity {i + 1}: source {shown(source)} is not one of {', '.join(SOURCES)}")
        try:
            sentiment, sentiment_confidence = polarity_from_value(polarity, "sentiment")
            confidence = confidence_from_value(it.get("confidence")) if isinstance(it, dict) and source != "gold" \
                else None
            spans.append(Span(offset_from_value(start, "start"), offset_from_value(end, "end"), clean_label(label),
                              source, confidence, sentiment=sentiment, sentiment_confidence=sentiment_confidence))
        except ValidationError as e:
            raise ValueError(f"entity {i + 1} in the entities cell: {e}") from None
    gold = [s for s in spans if s.source == "gold"]
    # `[]` says "labelled, no entities"; a cell holding only model spans (an export with --include)
    # says nothing about gold, and reading it as labelled would turn a prediction into gold negatives.
    return gold, bool(gold) or not spans


def label_set_header(label_set: LabelSet) -> str:
    return f"{MULTI_LABEL_PREFIX if label_set.multi_label else SINGLE_LABEL_PREFIX}{label_set.name}"


def write_csv_header(writer: Any, sources: tuple[str, ...], label_sets: tuple[LabelSet, ...] | list[LabelSet] = ()) \
        -> None:
    extra = [f"{s}_sentiment" for s in sources if s != "gold"]
    writer.writerow(["text", "sentiment", "split", "entities", *map(label_set_header, label_sets), *extra])


def _entity(s: Span, model: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"start": s.start, "end": s.end, "label": s.label}
    if model:
        out.update(source=s.source, confidence=s.confidence)
    if s.sentiment is not None:
        out["sentiment"] = s.sentiment if s.sentiment_confidence is None else \
            {"label": s.sentiment, "confidence": s.sentiment_confidence}
    return out


def write_csv_row(writer: Any, doc: Document, sources: tuple[str, ...], *, raw_cells: bool = False,
                  label_sets: tuple[LabelSet, ...] | list[LabelSet] = ()) -> None:
    """One row: entities as JSON (with each entity's polarity as `sentiment`; model spans carry their
    source); empty when not labelled for NER. Then one cell per label set (classes joined by "|").
    Cells that a spreadsheet would run as formulas are neutralised unless `raw_cells`."""
    spans = [_entity(s, False) for s in doc.spans]
    model = [_entity(s, True) for s in doc.other_spans if s.source in sources]
    entities = json.dumps(spans + model, ensure_ascii=False) if (doc.ner_labelled or model) else ""
    extra = []
    for src in sources:
        if src == "gold":
            continue
        x = next((x for x in doc.other_sentiments if x.source == src), None)
        extra.append(x.label if x else "")
    set_cells = []
    for label_set in label_sets:
        labels = doc.labels_of(label_set.name)
        bad = next((x for x in labels if MULTI_LABEL_DELIMITER in x), None)
        if bad is not None:
            raise ValidationError(f"document {doc.id}: label {bad!r} of set {label_set.name!r} holds "
                                  f"{MULTI_LABEL_DELIMITER!r}, the CSV delimiter of labels; export as JSONL")
        set_cells.append(MULTI_LABEL_DELIMITER.join(labels))
    cells = [doc.text, doc.sentiment.label if doc.sentiment else "", doc.split or "", entities, *set_cells, *extra]
    writer.writerow(cells if raw_cells else [neutralise_formula(c) for c in cells])
