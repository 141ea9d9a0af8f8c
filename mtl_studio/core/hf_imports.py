"""The one way the studio imports names from transformers: one at a time, process-wide.

transformers resolves its names lazily (`transformers.AutoConfig` imports
`transformers.models.auto.configuration_auto` on first use), and two threads doing that at once can
meet in each other's half-initialised modules: "ImportError: cannot import name 'AutoConfig' from
'transformers'" was seen when a training run, the suggestions worker or the language check started
while the window's start-up preload imported transformers' model code. Every first use goes through
`transformers_names` under one lock, and a bulk preload holds the same lock (`import_lock`), so the
imports are serialised; once loaded, a lookup costs a dictionary access and an uncontended lock.
"""
from __future__ import annotations

import threading
from typing import Any

import_lock = threading.RLock()  # re-entrant: an import under the lock may resolve further names


def transformers_names(*names: str) -> tuple[Any, ...]:
    """The named transformers attributes, e.g. `AutoConfig, AutoTokenizer = transformers_names(...)`."""
    with import_lock:
        import transformers

        return tuple(getattr(transformers, name) for name in names)
