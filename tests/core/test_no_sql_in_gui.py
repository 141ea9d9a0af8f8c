"""SQL lives in the store: no GUI module opens a connection, runs a statement or holds an SQL string.

Read with the tokenizer, not as plain text, so a comment may name sqlite3 while code and string
literals may not. Adjacent string literals are joined first ("SELECT ... " "FROM ..." is one query).
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

import mtl_studio.gui

GUI_SOURCES = sorted(Path(mtl_studio.gui.__file__).parent.glob("*.py"))
# Names that only database code uses: the module, the store's connection, cursor methods.
SQL_NAMES = {"sqlite3"}
SQL_ATTRIBUTES = {"conn", "execute", "executemany", "executescript", "cursor"}
# SQL statements as they are written in this code base: keywords in capitals.
SQL_STATEMENT = re.compile(r"\bSELECT\b.*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|"
                           r"\bDELETE\s+FROM\b|\bCREATE\s+(TABLE|INDEX)\b|\bPRAGMA\b|\bEXISTS\s*\(", re.DOTALL)
STRING_PARTS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
BETWEEN_STRINGS = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}


def sql_found(source: str) -> list[str]:
    """'line N: what' for each piece of SQL in a Python source."""
    found: list[str] = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    literal, literal_line = "", 0

    def end_literal() -> None:
        nonlocal literal
        if SQL_STATEMENT.search(literal):
            found.append(f"line {literal_line}: SQL string {' '.join(literal.split())[:80]!r}")
        literal = ""

    for i, tok in enumerate(tokens):
        if tok.type in STRING_PARTS:
            literal_line = literal_line if literal else tok.start[0]
            literal += " " + tok.string
            continue
        if literal and tok.type not in BETWEEN_STRINGS and tok.string not in ("(", ")"):
            end_literal()
        if tok.type == tokenize.NAME and tok.string in SQL_NAMES:
            found.append(f"line {tok.start[0]}: {tok.string}")
        elif (tok.type == tokenize.NAME and tok.string in SQL_ATTRIBUTES and i > 0
              and tokens[i - 1].string == "."):
            found.append(f"line {tok.start[0]}: .{tok.string}")
    end_literal()
    return found


@pytest.mark.parametrize("path", GUI_SOURCES, ids=lambda p: p.name)
def test_gui_module_writes_no_sql(path: Path):
    found = sql_found(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} writes SQL; add a ProjectStore method instead:\n" + "\n".join(found)


def test_all_gui_modules_are_scanned():
    assert {"main_window.py", "models.py", "predictions.py"} <= {p.name for p in GUI_SOURCES}


# The kinds of SQL the GUI used to hold (main_window._next_unlabelled, models.latest_prediction_run,
# predictions.error_document_ids): each must be caught.
CAUGHT = [
    'row = self.store.conn.execute(f"SELECT id FROM documents WHERE id > ? AND ({where}) LIMIT 1", (a,))',
    'conn = store.conn\n',
    'rows = cur.executemany(query, rows)\n',
    'import sqlite3\n',
    'clauses.append("NOT EXISTS (SELECT 1 FROM sentiments t WHERE t.document_id = documents.id "\n'
    '               "AND t.source = \'gold\')")\n',
    'q = (\n    "SELECT runs.id FROM runs WHERE runs.id IN (SELECT run_id FROM spans) "\n'
    '    "ORDER BY runs.created_at DESC LIMIT 1")\n',
    'where = f"SELECT d.id FROM documents d WHERE {where}"\n',
    'sql = "DELETE FROM spans WHERE id = ?"\n',
    'sql = "UPDATE runs SET status = ?"\n',
    'sql = "INSERT OR REPLACE INTO meta VALUES (?, ?)"\n',
]
NOT_SQL = [
    'except OSError:  # sqlite3 errors on foreign files\n    pass\n',
    'label = self.tr("Select a finished run to compare its predictions with gold.")\n',
    'self.connect(button)\nbutton.clicked.connect(slot)\n',
    'text = "Update the list from the file"\n',
]


@pytest.mark.parametrize("source", CAUGHT)
def test_the_check_catches_sql(source: str):
    assert sql_found(source)


@pytest.mark.parametrize("source", NOT_SQL)
def test_the_check_leaves_ordinary_code_alone(source: str):
    assert sql_found(source) == []
