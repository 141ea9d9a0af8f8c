"""The start-up preload byte-compiles the studio's modules in a child process (an editable install has
no .pyc files, and compiling in the window's process holds the interpreter lock)."""
from __future__ import annotations

import sys

from mtl_studio.gui import preload


def test_compile_package_writes_the_bytecode_of_every_module(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    for name in ("__init__.py", "a.py", "sub/__init__.py", "sub/b.py"):
        (package / name).write_text("X = 1\n", encoding="utf-8")
    assert preload.compile_package(package)
    tag = sys.implementation.cache_tag
    for module in ("__init__", "a"):
        assert (package / "__pycache__" / f"{module}.{tag}.pyc").is_file()
    assert (package / "sub" / "__pycache__" / f"b.{tag}.pyc").is_file()


def test_a_module_that_does_not_compile_is_reported_not_raised(tmp_path):
    (tmp_path / "bad.py").write_text("def broken(:\n", encoding="utf-8")
    assert preload.compile_package(tmp_path) is False


def test_the_preload_compiles_before_it_imports(monkeypatch):
    calls = []
    monkeypatch.setattr(preload, "compile_package", lambda *a, **k: calls.append("compile") or True)
    monkeypatch.setattr(preload.importlib, "import_module", lambda name: calls.append(name))
    preload._import_all(("json", "csv"))
    assert calls == ["compile", "json", "csv"]


def test_a_packaged_app_does_not_start_itself_to_compile(monkeypatch, tmp_path):
    """In a PyInstaller app sys.executable is the studio: `-m compileall` would open another window."""
    ran = []
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(preload.subprocess, "run", lambda *a, **k: ran.append(a))
    assert preload.compile_package(tmp_path) is False and ran == []
