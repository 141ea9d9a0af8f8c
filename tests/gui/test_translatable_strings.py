"""Every literal the GUI translates reaches lupdate. lupdate collects the literals of tr(...),
translate("Context", ...) and QT_TRANSLATE_NOOP(...) calls; a helper such as
`def _tr(text): return QCoreApplication.translate("X", text)` called as `_tr("Random")` hides its
literals from it, and the strings then stay English in every language (found twice: the strategy
names and the suggestion commands' undo texts)."""
from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "mtl_studio" / "gui"
TRANSLATORS = {"tr", "translate"}


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def hiding_wrappers(source: str) -> list[str]:
    """Functions that pass one of their parameters to tr()/translate() as the text, and are called
    somewhere in the module with a string literal ("name:line" of each such call)."""
    tree = ast.parse(source)
    wrappers = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.Lambda)):
            continue
        params = {a.arg for a in fn.args.args}
        for call in ast.walk(fn):
            if isinstance(call, ast.Call) and _called_name(call) in TRANSLATORS and call.args:
                text = call.args[-1] if _called_name(call) == "translate" else call.args[0]
                if isinstance(text, ast.Name) and text.id in params and isinstance(fn, ast.FunctionDef):
                    wrappers.add(fn.name)
    return [f"{_called_name(c)}:{c.lineno}" for c in ast.walk(tree)
            if isinstance(c, ast.Call) and _called_name(c) in wrappers and c.args
            and isinstance(c.args[0], ast.Constant) and isinstance(c.args[0].value, str)]


def test_no_gui_module_hides_its_strings_from_lupdate():
    found = {p.name: hits for p in sorted(GUI.glob("*.py")) if (hits := hiding_wrappers(p.read_text("utf-8")))}
    assert found == {}


def test_the_check_sees_a_hiding_wrapper_and_lets_a_marked_table_pass():
    hidden = 'from PySide6.QtCore import QCoreApplication\n' \
             'def _tr(text):\n    return QCoreApplication.translate("X", text)\n' \
             'LABEL = _tr("Random")\n'
    assert hiding_wrappers(hidden) == ["_tr:4"]
    marked = 'TABLE = {"a": QT_TRANSLATE_NOOP("X", "A")}\n' \
             'def label(code):\n    return translate("X", TABLE[code])\n' \
             'print(label("a"))\n'
    assert hiding_wrappers(marked) == []
