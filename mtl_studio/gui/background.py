"""Run a plain function off the GUI thread and get its result back on the GUI thread.

Used for file parsing (import preview), imports and exports: the function receives and returns plain
data (paths, options, dataclasses) and opens its own ProjectStore connection; no widget is touched
outside the GUI thread. Results and exceptions come back through queued signals.
"""
from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object, str)  # the exception, its formatted traceback (for logs)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as e:  # noqa: BLE001 - handed to the GUI thread, shown to the user
            self._emit(self.relay.failed, e, traceback.format_exc())
        else:
            self._emit(self.relay.done, result)

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        # The window (and with it the relay) may have been closed while the job ran: its result is
        # no longer wanted, and emitting on a deleted QObject raises.
        try:
            signal.emit(*args)
        except RuntimeError:
            pass


class BackgroundTasks(QObject):
    """Owns the relays of running jobs (so they are not collected) and a thread pool."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._relays: set[_Relay] = set()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        # A child of this object (so of the window): when the window is destroyed, the relay goes with
        # it and a result still queued for it is dropped instead of reaching deleted widgets.
        relay = _Relay(self)  # lives in the GUI thread: its signals are delivered there
        self._relays.add(relay)

        def finish_ok(result: Any) -> None:
            self._release(relay)
            on_done(result)

        def finish_err(exc: BaseException, _tb: str) -> None:
            self._release(relay)
            on_error(exc)

        relay.done.connect(finish_ok)
        relay.failed.connect(finish_err)
        self.pool.start(_Job(fn, relay))

    def _release(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        relay.deleteLater()

    def busy(self) -> bool:
        return bool(self._relays)

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until every job has finished (used at shutdown and in tests)."""
        return self.pool.waitForDone(timeout_ms)
