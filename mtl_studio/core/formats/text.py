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
    for lineno, line in read_lines(path, options.encoding, report):
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
        for _, line in read_lines(f, options.encoding, sub):
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
