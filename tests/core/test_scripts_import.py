"""The benchmark and documentation scripts are not run by the suite: check that every name they import
from mtl_studio still exists (a moved class broke bench/train_speed.py once without any test noticing)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted([*ROOT.glob("bench/*.py"), *ROOT.glob("docs/*.py")])


def mtl_studio_imports(source: str) -> list[tuple[str, str, int]]:
    """(module, name, line) of every `from mtl_studio... import name`, at any depth of the script."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mtl_studio":
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def test_the_check_sees_nested_imports():
    src = "def f():\n    from mtl_studio.core.config import Nope\n"
    assert mtl_studio_imports(src) == [("mtl_studio.core.config", "Nope", 2)]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_imported_name_exists(script: Path):
    missing = []
    for module, name, line in mtl_studio_imports(script.read_text(encoding="utf-8")):
        if module.startswith("mtl_studio.gui"):
            continue  # Qt may not load where the core tests run; the GUI tests cover these modules
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                missing.append(f"line {line}: {module}.{name}")
    assert not missing, f"{script.name} imports names that no longer exist:\n" + "\n".join(missing)
