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

from ..schema import SPLITS, Document, label_from_value, shown
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
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    return raw.decode(encoding, errors="replace")
