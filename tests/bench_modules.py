"""Import a benchmark script of bench/ as a module (they are scripts, not a package), for the tests of
their pure parts (verdicts, reports, backend wrappers)."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"


def bench_module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))  # the scripts import their neighbours (bench_data, bench_runs)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))
