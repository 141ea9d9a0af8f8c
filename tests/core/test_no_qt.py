"""The headless core never imports Qt: checked in a fresh interpreter, module by module."""
from __future__ import annotations

import pkgutil
import subprocess
import sys

import mtl_studio.core

# Light modules imported one by one (all of them, so a Qt import anywhere in core is caught), plus
# the data commands and the CLI entry module, which must also stay headless.
EXTRA = ["mtl_studio", "mtl_studio.cli", "mtl_studio.commands.data", "mtl_studio.core.formats.importer",
         "mtl_studio.core.formats.exporter", "mtl_studio.core.formats.tabular"]


def _core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(mtl_studio.core.__path__, "mtl_studio.core."))


def test_core_imports_no_qt():
    modules = ["mtl_studio.core", *_core_modules(), *EXTRA]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'))\n"
        "print(','.join(bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"Qt imported by the headless core: {r.stdout.strip()}"


def test_importing_core_is_light():
    """`import mtl_studio.core` (what the CLI's data commands need) loads neither torch nor pandas."""
    code = "import sys, mtl_studio.core, mtl_studio.core.formats; print(sorted(m for m in ('torch', 'pandas', " \
           "'transformers') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
