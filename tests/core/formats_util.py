"""Helpers shared by the format tests: a fresh project, importing with options, reading CoNLL rows."""
from __future__ import annotations

from pathlib import Path

from mtl_studio.core.formats import ImportOptions, ImportReport, import_file
from mtl_studio.core.store import ProjectStore


def new_store(tmp_path: Path, name: str = "p.mtl") -> ProjectStore:
    return ProjectStore.create(tmp_path / name)


def imp(store: ProjectStore, path: Path, **options) -> ImportReport:  # type: ignore[no-untyped-def]
    return import_file(store, path, ImportOptions(**options))


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


def conll_rows(path: Path) -> list[tuple[str, str]]:
    """(token, tag) rows as the acceptance check reads them: first and last column, DOCSTART skipped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t") if "\t" in line else line.split()
        if parts and parts[0].strip() and parts[0] != "-DOCSTART-":
            rows.append((parts[0], parts[-1]))
    return rows
