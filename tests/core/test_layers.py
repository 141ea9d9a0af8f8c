"""The layer order, read from every module's import statements: core <- commands, inference <- gui.

The core never imports upward (the CLI, the commands, the GUI, or the top-level inference re-export);
the commands never import the GUI. Imports inside functions count too: a lazy import is still a
dependency. (test_no_qt.py checks the same boundary at run time for Qt.)
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import mtl_studio

PACKAGE_ROOT = Path(mtl_studio.__file__).parent

# Package prefix -> the modules it must never import (a name and everything under it).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "mtl_studio.core": ("mtl_studio.cli", "mtl_studio.commands", "mtl_studio.gui", "mtl_studio.inference"),
    "mtl_studio.commands": ("mtl_studio.gui",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved to absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from mtl_studio import inference` imports the module mtl_studio.inference
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def violations(path: Path) -> list[str]:
    name = module_name(path)
    rules = [banned for prefix, banned in FORBIDDEN.items() if name == prefix or name.startswith(prefix + ".")]
    return sorted(f"{name} imports {imported}" for imported in imported_modules(path) for banned in rules
                  for b in banned if imported == b or imported.startswith(b + "."))


MODULES = sorted(PACKAGE_ROOT.rglob("*.py"))


def test_every_module_is_checked():
    names = {module_name(p) for p in MODULES}
    assert {"mtl_studio.core.train", "mtl_studio.core.inference", "mtl_studio.commands.engine",
            "mtl_studio.gui.training"} <= names


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_module_imports_a_layer_above_it(path):
    assert violations(path) == []


def test_the_check_sees_relative_lazy_and_from_package_imports(tmp_path, monkeypatch):
    """The rule catches the three spellings of an upward import (so a passing suite means something)."""
    fake_root = tmp_path / "mtl_studio"
    (fake_root / "core").mkdir(parents=True)
    offender = fake_root / "core" / "offender.py"
    offender.write_text("from ..gui import worker\n"
                        "def f():\n    import mtl_studio.cli\n"
                        "from mtl_studio import inference\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE_ROOT", fake_root)
    assert violations(offender) == ["mtl_studio.core.offender imports mtl_studio.cli",
                                    "mtl_studio.core.offender imports mtl_studio.gui",
                                    "mtl_studio.core.offender imports mtl_studio.gui.worker",
                                    "mtl_studio.core.offender imports mtl_studio.inference"]
