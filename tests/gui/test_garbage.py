"""Garbage cycles are collected on the GUI thread only (mtl_studio/gui/garbage.py): a worker thread that
allocates heavily never runs a collection that frees the Python side of Qt objects."""
from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject

from mtl_studio.gui.garbage import GuiThreadCollector


class _Cycle:
    """A QObject kept only by a reference cycle: freed by the cyclic collector, never by refcounting."""

    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()


def _drop_a_cycle(freed_on: list[str]) -> None:
    import weakref

    cycle = _Cycle()
    weakref.finalize(cycle, lambda: freed_on.append(threading.current_thread().name))
    del cycle


def _allocate_cycles_on_a_worker(count: int = 50_000) -> None:
    def churn() -> None:
        for _ in range(count):
            junk: list[object] = []
            junk.append(junk)  # garbage cycles: with automatic collection these trigger collections here

    worker = threading.Thread(target=churn, name="worker")
    worker.start()
    worker.join()


@pytest.fixture
def collector(qapp):
    c = GuiThreadCollector(qapp, interval_ms=20)
    c.start()
    yield c
    c.stop()


def test_a_cycle_holding_a_qt_object_is_freed_on_the_gui_thread_not_on_an_allocating_worker(qtbot, collector):
    assert not gc.isenabled() and collector.is_running()
    freed_on: list[str] = []
    _drop_a_cycle(freed_on)
    _allocate_cycles_on_a_worker()
    assert freed_on == []  # the worker crossed every threshold and collected nothing
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5_000)
    # A young collection frees it unless the cycle was promoted first; then a later tick's older one does.
    assert freed_on == [threading.main_thread().name]


def test_without_the_collector_the_worker_collects(qapp):
    """The control: the interpreter's own collection frees the cycle on the allocating worker."""
    was = gc.isenabled()
    gc.enable()
    try:
        freed_on: list[str] = []
        _drop_a_cycle(freed_on)
        _allocate_cycles_on_a_worker()
        assert freed_on == ["worker"]
    finally:
        if not was:
            gc.disable()


def test_collect_due_follows_the_thresholds(qapp):
    collector = GuiThreadCollector(qapp)
    collector.start()
    try:
        gc.collect()
        assert collector.collect_due() is None  # nothing new since: nothing to do
        keep = [[] for _ in range(gc.get_threshold()[0] + 10)]  # tracked objects past the young threshold
        assert collector.collect_due() == 0
        assert gc.get_count()[0] < gc.get_threshold()[0]
        del keep
    finally:
        collector.stop()


def test_stop_gives_collection_back_as_it_was_found(qapp):
    was = gc.isenabled()
    gc.enable()
    try:
        c = GuiThreadCollector(qapp)
        c.start()
        assert not gc.isenabled()
        c.stop()
        assert gc.isenabled() and not c.is_running()
        gc.disable()
        c.start()
        c.stop()
        assert not gc.isenabled()  # it was off when started (an outer collector): it stays off
    finally:
        (gc.enable if was else gc.disable)()


def test_the_preloaded_modules_are_frozen_once_the_preload_has_ended(qtbot, qapp):
    done = threading.Event()
    c = GuiThreadCollector(qapp, freeze_when=done.is_set, interval_ms=20)
    c.start()
    try:
        before = gc.get_freeze_count()
        qtbot.wait(60)
        assert gc.get_freeze_count() == before  # not before the preload ends
        done.set()
        qtbot.waitUntil(lambda: gc.get_freeze_count() > before, timeout=2_000)
    finally:
        c.stop()
        gc.unfreeze()
