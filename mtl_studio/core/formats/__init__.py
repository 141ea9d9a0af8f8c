"""Import and export formats: CoNLL/column files, JSONL/JSON (own, doccano, Label Studio, SEntFiN),
CSV/TSV/Excel (pandas), plain text.

    from mtl_studio.core.formats import import_file, export_project, detect_format
    report = import_file(store, "valid.txt")          # raises ImportFailed (nothing imported) on errors
    export_project(store, "out.conll", "conll")

Each reader is a generator `read_x(path, options, report) -> Iterator[ParsedDoc]` registered in
READERS; modules load lazily so that importing this package does not import pandas.
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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
    "text": ("text", "read_text_lines"),
    "text-folder": ("text", "read_text_folder"),
}
ALIASES = {
    "bio": "conll", "iob": "conll", "bmes": "conll", "bioes": "conll", "column": "conll", "tags": "conll",
    "ndjson": "jsonl", "doccano": "jsonl", "label-studio": "json", "labelstudio": "json", "xlsx": "excel",
    "xls": "excel", "txt": "text", "lines": "text", "folder": "text-folder",
}
EXPORT_FORMATS = ("conll", "jsonl", "csv")
EXTENSIONS = {
    ".conll": "conll", ".conll03": "conll", ".bio": "conll", ".bmes": "conll", ".bioes": "conll",
    ".iob": "conll", ".iob2": "conll", ".iobes": "conll", ".ner": "conll",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
}


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
    if by_ext in ("conll", "jsonl", "csv"):
        return by_ext
    if by_ext == "json":
        return "jsonl" if by_content == "jsonl" else "json"
    if by_ext == "tsv":
        return "conll" if by_content == "conll" else "tsv"
    return by_content


def sniff(sample: str) -> str:
    """Guess a format from the start of a file: jsonl, json, conll, tsv, csv or text."""
    from .common import decode_json
    from .conll import DOCSTART, TAG_RE, split_columns

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
    "detect_format", "sniff", "resolve_format", "get_reader", "format_names", "import_file", "export_project",
    "split_from_filename",
]
