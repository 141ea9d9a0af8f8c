"""Spreadsheet cells that cannot run: formula injection neutralised on export, undone on import.

A CSV cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (`=HYPERLINK(...)` in an annotated tweet runs when the export is
opened). OWASP's advice is to prefix such a cell with `'`, which spreadsheets show as text and hide.
A cell that already begins with `'` gets one more, so `restore_formula` gives back exactly what was
exported and an export imports back unchanged.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise_formula(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text."""
    return QUOTE + cell if cell.startswith(FORMULA_STARTS + (QUOTE,)) else cell


def restore_formula(cell: str) -> str:
    """The value `neutralise_formula` was given (a cell of another tool loses its text marker `'`)."""
    if cell.startswith(QUOTE) and cell[1:2] and cell[1:].startswith(FORMULA_STARTS + (QUOTE,)):
        return cell[1:]
    return cell
