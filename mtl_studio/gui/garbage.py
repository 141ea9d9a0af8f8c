"""Python's cyclic garbage collector, run on the GUI thread only, while the window lives.

The interpreter runs a collection in whichever thread happens to allocate when a generation's
threshold is crossed. In the studio that is often the training thread or a background job: over
tests/gui, 1,340 of 3,100 collections ran on worker threads and together freed about 80,000 objects,
among them the Python side of closed windows, dialogs and their models. A Qt object deleted on a
thread other than its own, while the GUI thread works on its neighbours, is a data race that ends in a
segmentation fault now and then (the likely cause, not reproduced here, of a CI crash while the
training thread loaded an encoder). So
while the collector runs, automatic collection is off and a timer on the GUI thread collects the
generations whose thresholds are crossed, the interpreter's own rule moved to the one safe thread
(calibre's GUI does the same). Reference counting still frees acyclic objects at once, everywhere.

A full collection scans every tracked object: with torch and transformers imported that is about
450,000 objects and 255 ms holding the interpreter lock, which stalls the window whichever thread
runs it. Once the training modules are preloaded they are frozen into the permanent generation
(gc.freeze), and a full collection then scans only what the session itself made.

The timer ticks every 100 ms: a young collection scans all that was allocated since the last one, and a
training thread setting up its data allocates fast (every 500 ms gave 63-78 ms stalls). With 100 ms,
bench/gui_stall.py --steps 30 gave longest stalls of 21, 46 and 19 ms (the interpreter's own
collection, --interpreter-gc: 48, 18 and 72 ms).
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

COLLECT_EVERY_MS = 100  # often enough that what a worker allocated in between is scanned in a few ms
FULL_SHARE = 20  # a full collection waits 20 times as long as the last one took


class GuiThreadCollector(QObject):
    """Collects garbage cycles on the thread that owns it (create it on the GUI thread).

    `freeze_when`, if given, is asked on each tick until it says yes; then what is alive is moved to the
    permanent generation once (the modules a run imports, loaded by then)."""

    def __init__(self, parent: QObject | None = None, *, freeze_when: Callable[[], bool] | None = None,
                 interval_ms: int = COLLECT_EVERY_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._freeze_when = freeze_when
        self._next_full_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Give collection back to the interpreter (as it was found at start)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def collect_due(self) -> int | None:
        """Collect as the interpreter would have since the last tick: nothing until the young generation's
        threshold is crossed, then the oldest generation whose threshold is; returns it, or None."""
        if self._freeze_when is not None and self._freeze_when():
            self._freeze_when = None
            # No full collection first: on the GUI thread it would stall the window for the 255 ms this
            # is meant to save; the little start-up garbage frozen with the modules stays.
            gc.freeze()  # moves the generations' lists as a whole: O(1) (gc.get_freeze_count() walks them)
        counts = gc.get_count()
        if counts[0] <= self._thresholds[0]:
            return None
        due = 1 if counts[1] > self._thresholds[1] else 0
        if counts[2] > self._thresholds[2] and time.monotonic() >= self._next_full_at:
            due = 2
        started = time.monotonic()
        gc.collect(due)
        if due == 2:
            # The interpreter holds full collections back while few objects are new (its long-lived
            # rule, not exposed to Python); this spaces them by their own cost instead, so that they
            # take at most 1/FULL_SHARE of the GUI thread's time.
            self._next_full_at = time.monotonic() + FULL_SHARE * (time.monotonic() - started)
        return due


__all__ = ["COLLECT_EVERY_MS", "FULL_SHARE", "GuiThreadCollector"]
