"""The one family of errors the user can fix.

Every exception class of the project derives from `MtlStudioError`, so the CLI and the GUI catch the
whole family by class (one line on stderr, one dialog) instead of matching class names. This module
imports nothing heavy, so the CLI catches EncoderNotFound and TrainingError through the base without
importing torch; those two live here for the same reason (the GUI names them), the others stay beside
the code that raises them. Each class keeps the builtin base it had (ValueError, RuntimeError) for
callers that catch those.
"""
from __future__ import annotations


class MtlStudioError(Exception):
    """A problem the user can fix; its message is shown as one line (what went wrong, what to do)."""


class OperationCancelled(MtlStudioError):
    """The user asked to stop and nothing was written. Part of the family so that it is shown as its one
    line (the import page: "Nothing was imported: ..."), never as an unexpected error."""


class TrainingError(MtlStudioError, RuntimeError):
    """A run cannot go on (NaN loss, out of memory, missing device); the message says what to do."""


class EncoderNotFound(MtlStudioError, RuntimeError):
    """The configured encoder cannot be loaded (not a folder, not reachable on the hub)."""
