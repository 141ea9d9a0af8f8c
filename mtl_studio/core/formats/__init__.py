"""Import and export formats: CoNLL/column files, JSONL/JSON (own, doccano, Label Studio, SEntFiN,
FinEntity), CSV/TSV/Excel (pandas), SemEval-2014 ABSA XML, plain text (docs/formats.md).

    from mtl_studio.core.formats import import_file, export_project, detect_format
    report = import_file(store, "valid.txt")          # raises ImportFailed (nothing imported) on errors
    export_project(store, "out.conll", "conll")

Each reader is a generator `read_x(path, options, report) -> Iterator[ParsedDoc]` registered in
READERS; modules load lazily so that importing this package does not import pandas. A file whose
content is no known format (XML that is not ABSA, HTML, binary data) is refused by `detect_format`
with UnknownFormat, never read as lines of text.
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..schema import ValidationError
from .common import ImportOptions, ParsedDoc, split_from_filename
from .report import ImportFailed, ImportProblem, ImportReport

if TYPE_CHECKING:
    from ..store import ProjectStore
    from .exporter import ExportReport

Reader = Callable[[Path, ImportOptions, ImportReport], Iterator[ParsedDoc]]

# format name -> (module, function); modules are imported on first use.
READERS: dict[str, tuple[str, str]] = {
    "conll": ("conll", "read_conll"),
    "jsonl": ("jsonl", "read_jsonl"),
    "json": ("jsonl", "read_json"),
    "csv": ("tabular", "read_csv"),
    "tsv": ("tabular", "read_tsv"),
    "excel": ("tabular", "read_excel"),
    "absa": ("absa", "read_absa"),
    "text": ("text", "read_text_lines"),
    "text-folder": ("text", "read_text_folder"),
}
ALIASES = {
    "bio": "conll", "iob": "conll", "bmes": "conll", "bioes": "conll", "column": "conll", "tags": "conll",
    "ndjson": "jsonl", "doccano": "jsonl", "label-studio": "json", "labelstudio": "json", "xlsx": "excel",
    "xls": "excel", "txt": "text", "lines": "text", "folder": "text-folder",
    "finentity": "json", "sentfin": "jsonl", "absa-xml": "absa", "semeval": "absa", "semeval-absa": "absa",
}
# What each format name reads, for messages that list the known formats.
FORMAT_DESCRIPTIONS = {
    "conll": "CoNLL / BIO / BIOES column files", "jsonl": "JSON Lines: own, doccano, Label Studio, SEntFiN, FinEntity",
    "json": "a JSON array: Label Studio, doccano, FinEntity", "csv": "CSV with a text column",
    "tsv": "TSV with a text column", "excel": "Excel workbooks", "absa": "SemEval-2014 ABSA XML",
    "text": "plain text, one document per line", "text-folder": "a folder of .txt files",
}
EXPORT_FORMATS = ("conll", "jsonl", "csv", "label-studio", "finentity", "absa")
EXPORT_ALIASES = {"labelstudio": "label-studio", "json": "label-studio", "absa-xml": "absa", "semeval": "absa",
                  "ndjson": "jsonl"}
# Output file name endings -> export format (`export` without --format).
EXPORT_EXTENSIONS = {".conll": "conll", ".txt": "conll", ".bio": "conll", ".jsonl": "jsonl", ".csv": "csv",
                     ".xml": "absa", ".json": "label-studio"}
EXTENSIONS = {
    ".conll": "conll", ".conll03": "conll", ".bio": "conll", ".bmes": "conll", ".bioes": "conll",
    ".iob": "conll", ".iob2": "conll", ".iobes": "conll", ".ner": "conll",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".xml": "absa",
}


class UnknownFormat(ValidationError):
    """The file is in no format the importer reads; `line` is where that shows (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.reason = reason or message  # the message without the file and line it is about


def known_formats() -> str:
    """The formats the importer reads, for a refusal message."""
    return "; ".join(f"{name} = {FORMAT_DESCRIPTIONS[name]}" for name in READERS)


def resolve_export_format(name: str) -> str:
    key = name.strip().lower()
    key = EXPORT_ALIASES.get(key, key)
    if key not in EXPORT_FORMATS:
        raise ValidationError(f"export format {name!r} is not one of {', '.join(EXPORT_FORMATS)}")
    return key


def format_names() -> list[str]:
    return sorted(READERS)


def resolve_format(name: str) -> str:
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in READERS:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(format_names())}")
    return key


def get_reader(name: str) -> Reader:
    module, func = READERS[resolve_format(name)]
    return getattr(importlib.import_module(f"{__name__}.{module}"), func)


def detect_format(path: str | Path) -> str:
    """The format of a file from its extension and its first lines (content wins where they disagree
    in a known way: a .txt holding CoNLL rows, a .tsv holding char<TAB>tag rows, JSONL named .json)."""
    from .common import peek_text

    path = Path(path)
    if path.is_dir():
        return "text-folder"
    ext = path.suffix.lower()
    by_ext = EXTENSIONS.get(ext)
    if by_ext == "excel":
        return "excel"
    sample = peek_text(path)
    by_content = sniff(sample)
    if by_content in UNKNOWN_CONTENT or (by_ext == "absa" and by_content == "text"):
        _refuse(path, sample, by_content)
    if by_ext == "absa":
        return by_content  # ABSA, or JSON / CSV / CoNLL content in a file named .xml
    if by_ext in ("conll", "jsonl", "csv"):
        return by_ext
    if by_ext == "json":
        return "jsonl" if by_content == "jsonl" else "json"
    if by_ext == "tsv":
        return "conll" if by_content == "conll" else "tsv"
    return by_content


# What sniff() calls content that no reader takes.
UNKNOWN_CONTENT = ("binary", "xml", "html")


def _refuse(path: Path, sample: str, kind: str) -> None:
    from .absa import root_element

    line = next((n for n, text in enumerate(sample.splitlines(), 1) if text.strip()), 1)
    if kind == "binary":
        line = sample.count("\n", 0, max(sample.find("\x00"), 0)) + 1 if "\x00" in sample else line
        what = "binary data, not text"
    elif kind == "html":
        what = "an HTML page"
    else:
        root = root_element(sample)
        what = f"XML whose root element is <{root}> (ABSA XML has <sentences>)" if root else "not ABSA XML"
    reason = (f"the file is {what}: not a format MTL Studio imports. Known formats: {known_formats()}. "
              f"Convert the file to one of them (or choose one with --format)")
    raise UnknownFormat(f"{path}:{line}: {reason}", line, reason)


def sniff(sample: str) -> str:
    """Guess a format from the start of a file: jsonl, json, conll, tsv, csv, absa or text; or what no
    reader takes (UNKNOWN_CONTENT: binary, xml, html), which detect_format refuses."""
    from .common import decode_json
    from .conll import DOCSTART, TAG_RE, split_columns

    if _looks_binary(sample):
        return "binary"
    markup = _markup(sample)
    if markup:
        return markup
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line
    lines = lines[:500]
    nonblank = [line for line in lines if line.strip()]
    if not nonblank:
        return "text"
    first = nonblank[0].lstrip()
    if first.startswith("{"):
        try:
            decode_json(nonblank[0])
            return "jsonl"
        except json.JSONDecodeError:
            return "json"
    if first.startswith("["):
        return "json"
    rows = [split_columns(line) for line in nonblank]
    rows = [r for r in rows if r and r[0] != DOCSTART]
    tagged = sum(1 for r in rows if len(r) >= 2 and TAG_RE.match(r[-1]))
    if rows and tagged >= max(1, 0.5 * len(rows)):
        return "conll"
    # A delimited file is recognised by its header naming a text column (else it is plain text:
    # a tweet may hold a tab or a comma).
    from .tabular import TEXT_NAMES

    header = nonblank[0]
    for sep, name in (("\t", "tsv"), (",", "csv")):
        if sep in header and any(c.strip().strip('"').lower() in TEXT_NAMES for c in header.split(sep)):
            return name
    return "text"


_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f"}


def _looks_binary(sample: str) -> bool:
    """NUL bytes (no text file has them; UTF-16 text is decoded before this), or control characters in
    more than 5% of the sample: an image, an archive, a PDF, a database. Undecodable bytes do not count,
    so text in another encoding (GBK, Latin-1: --encoding) is not taken for binary."""
    if "\x00" in sample:
        return True
    return bool(sample) and sum(ch in _CONTROL for ch in sample) > 0.05 * len(sample)


_HTML_START = ("<!doctype html", "<html", "<head", "<body", "<meta", "<div", "<table", "<p>", "<p ", "<title")


def _markup(sample: str) -> str | None:
    """'absa', 'html' or 'xml' when the sample starts as markup: an XML declaration, a DOCTYPE, a comment
    or an element. A plain-text line that merely begins with '<' ("<3 this phone") is not markup."""
    from .absa import is_absa, root_element

    head = sample.lstrip("\ufeff \t\r\n")
    lower = head[:200].lower()
    if lower.startswith(_HTML_START) or (root_element(head) or "").lower() == "html":
        return "html"
    if is_absa(head):
        return "absa"
    if lower.startswith(("<?xml", "<!doctype", "<!--")):
        return "xml"
    root = root_element(head)
    if root is None:
        return None
    # An element that is closed in the sample, or lines that mostly begin with a tag: markup.
    lines = [line.lstrip() for line in head.splitlines() if line.strip()]
    if f"</{root}" in head or sum(line.startswith("<") for line in lines) >= 0.5 * len(lines):
        return "xml"
    return None


def import_file(store: "ProjectStore", path: str | Path, options: ImportOptions | None = None,
                progress: Callable[[int], bool | None] | None = None) -> ImportReport:
    from .importer import import_file as _import

    return _import(store, path, options, progress)


def export_project(store: "ProjectStore", out: str | Path, fmt: str, include: tuple[str, ...] = (),
                   split: str | None = None, *, force: bool = False, raw_cells: bool = False) -> "ExportReport":
    from .exporter import export_project as _export

    return _export(store, out, fmt, include, split, force=force, raw_cells=raw_cells)


__all__ = [
    "ImportOptions", "ImportReport", "ImportProblem", "ImportFailed", "ParsedDoc", "READERS", "EXPORT_FORMATS",
    "EXPORT_EXTENSIONS", "UnknownFormat", "known_formats", "resolve_export_format",
    "detect_format", "sniff", "resolve_format", "get_reader", "format_names", "import_file", "export_project",
    "split_from_filename",
]
