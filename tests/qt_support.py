"""Whether Qt's GUI modules load here. A machine without the system libraries Qt needs (libEGL,
libGL, libxkbcommon, fontconfig: see README "Install") has PySide6 installed but cannot import
QtGui; there the core tests must still run and tests/gui is skipped with the reason."""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def qt_unavailable_reason() -> str | None:
    """None when PySide6.QtGui and QtWidgets import; else why not (the loader's own message)."""
    try:
        import PySide6.QtGui  # noqa: F401
        import PySide6.QtWidgets  # noqa: F401
    except ImportError as e:  # also a missing shared library, which is an ImportError, not ModuleNotFound
        return f"Qt cannot load here ({e}); install the system libraries in README \"Install\""
    return None
