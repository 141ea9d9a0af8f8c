"""The modules a training run imports, loaded on a background thread soon after the window opens.

A first run imports torch's compiler stack, transformers' model code, the tokenizer bindings and
seqeval -> scikit-learn: over a thousand modules, seconds of work. Inside a run that work happened on
the training thread, but imports and the loading of shared libraries hold the interpreter lock for
long stretches, so the window froze for up to a second at a time (measured with bench/gui_stall.py).
Done early, while the user reads the first document, the run finds them loaded.
"""
from __future__ import annotations

import importlib
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from mtl_studio.core.hf_imports import import_lock

log = logging.getLogger(__name__)

TRAINING_MODULES = (
    "torch",
    "mtl_studio.core.train",
    "seqeval.metrics",
    "safetensors.torch",
    "transformers.modeling_utils",
    "transformers.tokenization_utils_tokenizers",
    "transformers.models.auto.modeling_auto",
    "transformers.models.bert.modeling_bert",
    "torch._dynamo",
)


def compile_package(folder: Path | None = None, timeout: float = 120.0) -> bool:
    """Byte-compile the studio's own modules in a child process; True when it ran and succeeded.

    An editable install (the README's) has no .pyc files until a module is first imported, and compiling
    holds the interpreter lock: on a first start every module the training thread or the window imported
    lazily during the first run froze the window (bench/gui_stall.py with the caches removed: stalls of
    75-290 ms in the run's first second). A child process compiles without our lock; modules already
    compiled are only stat()ed. A read-only install is left as it is (compileall then fails quietly)."""
    if getattr(sys, "frozen", False):
        return False  # a packaged app: sys.executable is the studio itself, and its modules are compiled
    folder = folder or Path(__file__).resolve().parents[1]
    if not os.access(folder, os.W_OK):
        return False  # nowhere to write .pyc files (a system-wide install is compiled by pip)
    try:
        done = subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], capture_output=True,
                              timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        log.info("compiling %s failed", folder, exc_info=True)
        return False
    return done.returncode == 0


def _import_all(names: tuple[str, ...]) -> None:
    compile_package()  # first, outside the import lock: it takes the child process's time, not ours
    # Under the engine's import lock: a worker that needs a transformers name meanwhile waits for the
    # whole preload instead of meeting its half-imported modules (core/hf_imports.py says why).
    with import_lock:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a missing optional module is the run's business, not start-up's
                log.info("preloading %s failed", name, exc_info=True)


_preloading: threading.Thread | None = None


def preload_training_modules(names: tuple[str, ...] = TRAINING_MODULES) -> threading.Thread:
    """Start importing `names` on a daemon thread; the thread is returned so a caller can wait for it."""
    global _preloading
    thread = threading.Thread(target=_import_all, args=(names,), name="mtl-preload", daemon=True)
    _preloading = thread
    thread.start()
    return thread


def preload_finished() -> bool:
    """The preload was started and has ended (its modules are imported, or failed to be)."""
    thread = _preloading
    return thread is not None and not thread.is_alive()


def wait_for_preload(timeout: float | None = 120.0) -> None:
    """Block (a worker thread, never the GUI thread) until the preload has finished.

    A transformers name is safe to resolve meanwhile (core/hf_imports.py serialises those imports);
    the training worker still waits for all of it, so the run's first steps do not compete with the
    preload's imports for the interpreter lock and the run's timings are not skewed by them."""
    thread = _preloading
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)
