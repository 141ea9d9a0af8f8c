"""Plain text: one document per line, or a folder of .txt files with one document per file.

Documents come in unlabelled (neither task), tokenized for the annotation editor.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..schema import Document, ValidationError, check_document_length
from ..tokenize import tokenize
from .common import ImportOptions, ParsedDoc, read_lines
from .report import ImportProblem, ImportReport


def read_text_lines(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    """One document per line. A NUL byte is refused (no text file holds one: the file is binary, or
    UTF-16 without a byte-order mark); the refusal names the line, and the import stops there."""
    for lineno, line in read_lines(path, options.encoding, report):
        if "\x00" in line:
            report.error(f"binary data (a NUL byte at column {line.index(chr(0)) + 1}): this is not a text file; "
                         f"the formats MTL Studio imports: {_known()}", kind="binary", line=lineno)
            return
        try:
            check_document_length(line)  # before tokenize() spends ~25x the text on its tuples
        except ValidationError as e:
            report.error(str(e), kind="too-long", line=lineno)
            continue
        yield ParsedDoc(Document(text=line, tokens=tokenize(line), source=path.name), line=lineno)
        if report.error_count >= options.max_errors:
            return


def read_text_folder(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    """Every *.txt under the folder (sorted, sub-folders included); the whole file is one document."""
    files = sorted(p for p in path.rglob("*.txt") if p.is_file())
    if not files:
        report.error("the folder holds no .txt files", kind="empty")
        return
    for f in files:
        rel = f.relative_to(path).as_posix()
        parts: list[str] = []
        name = f"{path.name}/{rel}"
        sub = ImportReport(name)
        for lineno, line in read_lines(f, options.encoding, sub):
            if "\x00" in line:
                sub.error("binary data (a NUL byte): not a text file", kind="binary", line=lineno)
                break
            parts.append(line)
        for p in sub.problems:
            report.add(p)
        if not sub.ok:
            continue
        text = "\n".join(parts).strip("\n")
        try:
            check_document_length(text)
        except ValidationError as e:
            report.add(ImportProblem(name, str(e), "error", "too-long"))
            continue
        yield ParsedDoc(Document(text=text, tokens=tokenize(text), source=name, meta={"file": rel}), file=name)
        if report.error_count >= options.max_errors:
            return


def _known() -> str:
    from . import known_formats

    return known_formats()
