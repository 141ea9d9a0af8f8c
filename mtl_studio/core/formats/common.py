"""Pieces every reader shares: import options, a parsed document with its location, line reading.

Readers are generators of `ParsedDoc`: they never hold a whole file in memory and they record
problems in the `ImportReport` as they go. The importer validates each document and writes it into
the project inside one transaction, so a file with any error imports nothing.
"""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..schema import (
    SPLITS, TASK_SENTIMENT, Document, DocumentLabel, ValidationError, check_task_name, confidence_from_value,
    label_from_value, optional_name, shown,
)
from .report import ImportReport


@dataclass
class ImportOptions:
    """Choices a user can make on `mtl-studio import`; None means "detect"."""

    format: str | None = None
    split: str | None = None  # train / dev / test for the whole file
    split_rule: str = "auto"  # auto, file-field, file-name, random, all-train (see core/splits.py)
    # Training documents the project has before the import; None counts them. A dry run into a scratch
    # project passes the real project's count, so that its splits are those the real import will give.
    training_documents: int | None = None
    text_column: str | None = None
    label_column: str | None = None
    tag_column: int | None = None  # 1-based; negative counts from the end; default the last column
    scheme: str | None = None  # iob1 / iob2 / bioes; default detected from the tags
    add_labels: bool = True  # unknown labels join the schema (with a note) instead of failing
    encoding: str = "utf-8"
    skip_duplicates: bool = False
    max_errors: int = 100  # stop reading after this many errors (the import fails anyway)
    split_from_name: bool = True  # train*/dev*/valid*/test* file names give the split


@dataclass
class ParsedDoc:
    """A document as read from a file, with where it came from (for messages)."""

    doc: Document
    line: int | None = None
    row: int | None = None
    file: str | None = None  # for a file inside an imported folder; else the imported file
    # Document label sets this record declares multi-label (a JSON list, a `labels:NAME` column, ABSA
    # aspect categories): a set the import creates is created multi-label when any record says so.
    multi_label_sets: frozenset[str] = frozenset()


_SPLIT_WORDS = {
    "train": "train", "training": "train", "trn": "train",
    "dev": "dev", "valid": "dev", "validation": "dev", "val": "dev", "devel": "dev", "testa": "dev",
    "test": "test", "testing": "test", "tst": "test", "testb": "test",
}


def split_from_filename(path: str | Path) -> str | None:
    """'train' / 'dev' / 'test' when exactly one such word is in the file name (valid.txt -> dev,
    fpb_dev.csv -> dev, eng.testa -> dev), else None. Users expect split files to stay split."""
    words = re.split(r"[^a-z]+", Path(path).name.lower())
    found = {_SPLIT_WORDS[w] for w in words if w in _SPLIT_WORDS}
    return found.pop() if len(found) == 1 else None


def check_split(value: object) -> str | None:
    """Normalise a split name from a file ('validation' -> 'dev'); None when absent; raise on junk."""
    if value is None or value == "":
        return None
    v = str(value).strip().lower() if isinstance(value, str) else None
    v = _SPLIT_WORDS.get(v, v)
    if v not in SPLITS:
        raise ValueError(f"split {shown(value)} is not one of train, dev, test")
    return v


def clean_label(label: object) -> str:
    """A label as the schema stores it: a string without spaces (numbers become '0', '1', ...);
    ValidationError for a list, a bool, an empty or an unprintable label (see schema.label_from_value)."""
    return label_from_value(label)


_JSON = json.JSONDecoder()
_JSON_SPACE = re.compile(r"[ \t\r\n]*")


def decode_json(text: str, pos: int = 0, *, whole: bool = True) -> tuple[Any, int]:
    """(value, end) of the JSON value at `pos`; with `whole`, nothing but whitespace may follow.

    Every reader decodes JSON here so that all bad JSON is a json.JSONDecodeError with a position:
    also nesting deeper than Python's recursion limit (RecursionError) and integers of more digits
    than Python converts (ValueError), which the json module raises as other exceptions.
    """
    if whole:
        pos = _JSON_SPACE.match(text, pos).end()
    try:
        value, end = _JSON.raw_decode(text, pos)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, pos) from None
    except ValueError as e:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise json.JSONDecodeError(str(e).split(";")[0], text, pos) from None
    if whole and text[end:].strip(" \t\r\n"):
        raise json.JSONDecodeError("extra data", text, end)
    return value, end


def read_lines(path: Path, encoding: str, report: ImportReport) -> Iterator[tuple[int, str]]:
    """Yield (line number, text without the line end), decoding line by line.

    Reading bytes and decoding each line lets a bad byte be reported with its line number; a UTF-8
    byte-order mark at the start is dropped; Windows line ends lose their '\\r'.
    """
    if starts_with_utf16_bom(path):
        # UTF-16 is not ASCII-compatible, so byte lines would split characters: read as text.
        yield from _read_utf16_lines(path, report)
        return
    decoder_name = codecs.lookup(encoding).name
    is_utf8 = decoder_name in ("utf-8", "utf-8-sig")
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if lineno == 1 and is_utf8 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            # The line end (\n or \r\n) goes before decoding, and the bytes are dropped once decoded:
            # a 50 MB line is then held once as bytes and once as text, never three times.
            raw = raw.rstrip(b"\r\n")
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as e:
                bad = raw[e.start:e.start + 1].hex().upper()
                report.error(f"cannot decode byte 0x{bad} at column {e.start + 1} as {encoding} "
                             f"(is the file in another encoding? try --encoding latin-1 or --encoding gbk)",
                             kind="encoding", line=lineno)
                continue
            del raw
            yield lineno, text


def starts_with_utf16_bom(path: Path) -> bool:
    """True for UTF-16 text with a byte-order mark (Excel's "Unicode Text", Windows Notepad)."""
    with open(path, "rb") as f:
        head = f.read(2)
    return head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _read_utf16_lines(path: Path, report: ImportReport) -> Iterator[tuple[int, str]]:
    lineno = 0
    try:
        with open(path, encoding="utf-16", newline="") as f:
            for lineno, text in enumerate(f, 1):
                yield lineno, text.rstrip("\r\n")
    except UnicodeDecodeError as e:
        report.error(f"cannot decode the file as UTF-16 ({e.reason})", kind="encoding", line=lineno + 1)


def peek_text(path: Path, encoding: str = "utf-8", max_bytes: int = 64 * 1024) -> str:
    """The start of a file as text (undecodable bytes replaced), for format detection."""
    with open(path, "rb") as f:
        raw = f.read(max_bytes)
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        # As read_lines reads it; decoded as UTF-8, its NUL bytes would look like a binary file.
        return raw[:len(raw) // 2 * 2].decode("utf-16", errors="replace")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    return raw.decode(encoding, errors="replace")


# ---- entity polarity and document label sets, as every reader reads them -------------------------

def polarity_from_value(value: object, what: str = "sentiment") -> tuple[str | None, float | None]:
    """(polarity, confidence) of a span's `sentiment` value: a class name, or for model output an
    object {"label", "confidence"}; None or "" means the span has no polarity (partial labels)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, dict):
        if "label" not in value:
            raise ValidationError(f"{what}: an object needs a \"label\", found {shown(value)}")
        label, _ = polarity_from_value(value["label"], what)
        return label, confidence_from_value(value.get("confidence"))
    try:
        return label_from_value(value), None
    except ValidationError as e:
        raise ValidationError(f"{what}: {e}") from None


def label_set_name(value: object) -> str:
    """A document label set's name read from a file (a key of `labels`, a CSV header, a Label Studio
    from_name): a sane label that is not a built-in task's name."""
    if not isinstance(value, str):
        raise ValidationError(f"a label set name must be a string, not {shown(value)}")
    try:
        return check_task_name(value)
    except ValidationError as e:
        raise ValidationError(f"label set {shown(value)}: {e}") from None


def labels_of_set(name: str, value: object) -> tuple[list[str], bool]:
    """(labels, declared multi-label) of one label set's value: a class name (single-label) or a list of
    class names (multi-label; duplicates dropped, order kept); None or [] means not labelled for the set."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return [], False
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            try:
                label = label_from_value(item)
            except ValidationError as e:
                raise ValidationError(f"label set {name!r}: {e}") from None
            if label not in out:
                out.append(label)
        return out, True
    try:
        return [label_from_value(value)], False
    except ValidationError as e:
        raise ValidationError(f"label set {name!r}: {e}") from None


def document_labels(value: object) -> tuple[list[DocumentLabel], frozenset[str], object]:
    """The own format's `"labels": {"topic": ["billing", "refund"], "urgency": "high"}`:
    (gold labels, the sets given as lists, the value under "sentiment" or None). Sentiment keeps its
    own field; `labels.sentiment` is accepted as another way to write it."""
    if not isinstance(value, dict):
        raise ValidationError(f'"labels" must be an object of label set: label(s), not {shown(value)}')
    labels: list[DocumentLabel] = []
    multi: set[str] = set()
    sentiment: object = None
    for key, given in value.items():
        if isinstance(key, str) and key.strip().lower() == TASK_SENTIMENT:
            sentiment = given
            continue
        name = label_set_name(key)
        found, is_multi = labels_of_set(name, given)
        labels += [DocumentLabel(name, x) for x in found]
        if is_multi:
            multi.add(name)
    return labels, frozenset(multi), sentiment


def other_labels(value: object) -> list[DocumentLabel]:
    """`"other_labels": [{"label_set", "label", "source", "confidence", "run_id"}]`: model labels."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f'"other_labels" must be a list, not {shown(value)}')
    out = []
    for x in value:
        if not isinstance(x, dict) or x.get("source") not in ("silver", "predicted") or "label" not in x:
            raise ValidationError(f"other_labels entries need label_set, label and source silver or predicted, "
                                  f"found {shown(x)}")
        out.append(DocumentLabel(label_set_name(x.get("label_set")), label_from_value(x["label"]), x["source"],
                                 confidence_from_value(x.get("confidence")),
                                 optional_name(x.get("annotator"), "annotator"), optional_name(x.get("run_id"), "run_id")))
    return out
