"""Shortcuts that remember how they were given: a platform's standard key or a literal key sequence.

A QAction only keeps the key sequences of the platform it runs on, so a duplicate that exists only on
another platform (X11's standard Redo is Ctrl+Shift+Z, Windows' is Ctrl+Y) cannot be seen from the
action. `set_shortcuts` also stores the specification on the action (property SPEC_PROPERTY), which
lets a test expand it with each platform's table of standard keys.
"""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence

SPEC_PROPERTY = "shortcutSpec"  # list of "std:<StandardKey name>" or a portable key sequence string

ShortcutSpec = QKeySequence.StandardKey | str


def spec_strings(specs: list[ShortcutSpec]) -> list[str]:
    return [f"std:{s.name}" if isinstance(s, QKeySequence.StandardKey) else str(s) for s in specs]


def key_sequences(specs: list[ShortcutSpec]) -> list[QKeySequence]:
    """The key sequences of `specs` on the running platform (a standard key may have several or none),
    each once: a literal key added beside a standard one ("Ctrl+Y" beside Redo) is bound only where the
    platform's standard key lacks it, so it never makes the shortcut ambiguous (dead) where it has it."""
    out: list[QKeySequence] = []
    for spec in specs:
        found = QKeySequence.keyBindings(spec) if isinstance(spec, QKeySequence.StandardKey) else [QKeySequence(spec)]
        out.extend(s for s in found if s not in out)
    return out


def set_shortcuts(target: QObject, specs: list[ShortcutSpec]) -> None:
    """Give an action (or anything with setShortcuts) its keys and remember how they were specified."""
    target.setShortcuts(key_sequences(specs))  # type: ignore[attr-defined]
    target.setProperty(SPEC_PROPERTY, spec_strings(specs))
