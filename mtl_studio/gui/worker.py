"""Training off the GUI thread: a QObject worker on a QThread iterating the engine's event generator.

Only plain data crosses the thread boundary: the frozen event dataclasses of core.events, and error
texts. The stop request is a threading.Event that the engine checks after every optimizer step; it is
set directly from the GUI thread (the worker's thread is busy in the loop and would not see a queued
signal until the run ends).
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
import weakref
from collections.abc import Callable, Iterator

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.errors import EncoderNotFound, MtlStudioError, TrainingError
from mtl_studio.core.events import Event, RunFinished, StepProgress

from .preload import wait_for_preload

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")

EventSource = Callable[[threading.Event], Iterator[Event]]

# Every training QThread ever started, weakly: tests and the main window's close check that none runs.
_THREADS: "weakref.WeakSet[QThread]" = weakref.WeakSet()


def running_threads() -> list[QThread]:
    return [t for t in list(_THREADS) if t.isRunning()]



def engine_events(project: str | os.PathLike[str], config: TrainConfig, *, nproc: int = 1,
                  resume_run_id: str | None = None) -> EventSource:
    """The event source for a run: the in-process engine (optionally resuming a stopped run), or
    torchrun over `nproc` GPUs."""
    if nproc > 1:
        def torchrun_source(stop: threading.Event) -> Iterator[Event]:
            from mtl_studio.core.launcher import launch_torchrun

            return launch_torchrun(str(project), config, nproc, stop=stop)
        return torchrun_source

    def local_source(stop: threading.Event) -> Iterator[Event]:
        from mtl_studio.core.train import train

        leave_a_core_for_the_gui()
        return train(str(project), config, stop=stop, resume_run_id=resume_run_id)
    return local_source


TRAINING_NICENESS = 5  # how much the training thread gives way to the GUI thread when both want the CPU


def leave_a_core_for_the_gui() -> None:
    """Make an in-process run give way to the window: compute threads for all cores but one (with every
    core busy the GUI thread waited 60-300 ms for the CPU on each tab switch), and a lower scheduling
    priority for this (the training) thread and the compute threads it starts, so that on a loaded
    machine the scheduler runs the GUI thread first. An explicit OMP_NUM_THREADS wins for the count."""
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:  # Linux: the niceness is per thread and inherited by the threads this one starts
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TRAINING_NICENESS)
        except OSError:
            pass  # not allowed here: the run goes on at normal priority
    if os.environ.get("OMP_NUM_THREADS"):
        return
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(max(1, cores - 1))


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(dialog title, message) for an exception out of a run; the message says what to do next."""
    text = str(exc) or type(exc).__name__
    if _is_out_of_memory(exc):
        return (translate("TrainingWorker", "Out of memory"),
                translate("TrainingWorker", "The device ran out of memory. Try a smaller batch size or a "
                                            "shorter maximum length.") + "\n\n" + text)
    if isinstance(exc, EncoderNotFound):
        return translate("TrainingWorker", "Encoder not found"), text
    if isinstance(exc, TrainingError):  # missing device, no labelled data, a failed torchrun: the text says what
        return translate("TrainingWorker", "Cannot train"), text
    if isinstance(exc, FileNotFoundError):
        return translate("TrainingWorker", "File not found"), text
    if isinstance(exc, (MtlStudioError, ValueError, KeyError)):
        return translate("TrainingWorker", "Cannot train with these settings"), text
    return (translate("TrainingWorker", "Training failed"),
            translate("TrainingWorker", "Unexpected error ({}): {}").format(type(exc).__name__, text))


def _is_out_of_memory(exc: BaseException) -> bool:
    # torch's own class when torch is loaded (an out-of-memory error can only come from it then); the
    # text for allocators that raise a plain RuntimeError.
    torch = sys.modules.get("torch")
    oom_class = getattr(getattr(torch, "cuda", None), "OutOfMemoryError", None)
    return (oom_class is not None and isinstance(exc, oom_class)) or "out of memory" in str(exc).lower()


class TrainingWorker(QObject):
    """Iterates an event source in its own thread and forwards each event as a signal."""

    event = Signal(object)  # a core.events event dataclass
    failed = Signal(str, str)  # title, message
    done = Signal()

    def __init__(self, source: EventSource) -> None:
        super().__init__()
        self._source = source
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.last_step = 0  # the engine's last reported optimizer step
        self.stop_requested_at_step: int | None = None  # last_step when stop was asked for

    def request_stop(self) -> None:
        """Thread-safe: the engine sees it after the current optimizer step."""
        with self._lock:
            if self.stop_requested_at_step is None:
                self.stop_requested_at_step = self.last_step
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @Slot()
    def run(self) -> None:
        events = None
        try:
            wait_for_preload()
            events = self._source(self._stop)
            for ev in events:
                if isinstance(ev, StepProgress):
                    with self._lock:
                        self.last_step = ev.step
                self.event.emit(ev)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the user as a dialog
            log.error("training run failed:\n%s", traceback.format_exc())
            title, message = describe_error(exc)
            self.failed.emit(title, message)
        finally:
            # Close the generator here, in this thread: the torchrun launcher ends its children on close.
            close = getattr(events, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - already reporting the run's own outcome
                    log.exception("closing the training event source failed")
            self.done.emit()


class TrainingJob(QObject):
    """Owns one worker and its QThread; `finished` fires once the thread has really ended."""

    event = Signal(object)
    failed = Signal(str, str)
    finished = Signal()

    def __init__(self, source: EventSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("mtl-training")
        self.worker = TrainingWorker(source)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        # Slots of this object run in the GUI thread (queued connections from the worker thread).
        self.worker.event.connect(self._forward_event)
        self.worker.failed.connect(self._forward_failed)
        self.worker.done.connect(self._thread.quit)
        self._thread.finished.connect(self._on_thread_finished)
        self._finished = False
        self.result: RunFinished | None = None

    def start(self) -> None:
        _THREADS.add(self._thread)
        self._thread.start()

    def stop(self) -> None:
        self.worker.request_stop()

    def is_running(self) -> bool:
        return not self._finished

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the thread ends (used on shutdown); True when it did."""
        if self._finished:
            return True
        return self._thread.wait(timeout_ms)

    @Slot(object)
    def _forward_event(self, ev: object) -> None:
        if isinstance(ev, RunFinished):
            self.result = ev
        self.event.emit(ev)

    @Slot(str, str)
    def _forward_failed(self, title: str, message: str) -> None:
        self.failed.emit(title, message)

    @Slot()
    def _on_thread_finished(self) -> None:
        self._thread.wait()
        self._finished = True
        self.finished.emit()
