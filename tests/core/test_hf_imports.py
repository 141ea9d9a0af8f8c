"""transformers names are imported one thread at a time (core/hf_imports.py says why)."""
from __future__ import annotations

import ast
import subprocess
import sys
import threading
import time
from pathlib import Path

from mtl_studio.core.hf_imports import import_lock, transformers_names

PACKAGE = Path(__file__).resolve().parents[2] / "mtl_studio"


def _top_level_transformers_imports(path: Path) -> list[int]:
    """Lines of `import transformers` / `from transformers import ...` (submodules such as
    transformers.utils are ordinary imports and allowed)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "transformers":
            lines.append(node.lineno)
        elif isinstance(node, ast.Import) and any(alias.name == "transformers" for alias in node.names):
            lines.append(node.lineno)
    return lines


def test_only_hf_imports_imports_transformers_names():
    found = {str(p.relative_to(PACKAGE)): lines for p in PACKAGE.rglob("*.py")
             if (lines := _top_level_transformers_imports(p))}
    assert found == {"core/hf_imports.py": found.get("core/hf_imports.py")}, found
    assert found["core/hf_imports.py"]


def test_the_scan_sees_both_import_forms(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom transformers import AutoConfig\nimport transformers\n"
                      "from transformers.utils import logging\n", encoding="utf-8")
    assert _top_level_transformers_imports(module) == [2, 3]


def test_a_name_waits_while_another_thread_imports_under_the_lock():
    resolved = threading.Event()

    def resolve():
        transformers_names("AutoConfig")
        resolved.set()

    with import_lock:  # as the start-up preload holds it
        worker = threading.Thread(target=resolve)
        worker.start()
        time.sleep(0.3)
        assert not resolved.is_set()
    worker.join(30)
    assert resolved.is_set()


def test_names_resolve_from_many_threads_in_a_fresh_interpreter():
    """The failing situation: first use of several lazy names at once, while a preload imports model
    code. Run in a fresh interpreter, where nothing of transformers is loaded yet."""
    script = """
import importlib, threading
from mtl_studio.core.hf_imports import import_lock, transformers_names
errors = []
def preload():
    with import_lock:
        importlib.import_module("transformers.models.bert.modeling_bert")
def use(names):
    try:
        transformers_names(*names)
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=preload)] + [
    threading.Thread(target=use, args=(n,)) for n in
    (("AutoConfig",), ("AutoTokenizer",), ("AutoModel",), ("AutoConfig", "AutoModel"), ("BertConfig",))]
for t in threads: t.start()
for t in threads: t.join()
print("errors", errors)
assert not errors, errors
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
