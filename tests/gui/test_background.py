"""BackgroundTasks: a result that arrives after its owner was destroyed is dropped, never delivered."""
from __future__ import annotations

import threading

import shiboken6

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QLabel

from mtl_studio.gui.background import BackgroundTasks


def test_result_for_a_destroyed_owner_is_dropped(qtbot):
    owner = QObject()
    tasks = BackgroundTasks(owner)
    label = QLabel()
    release = threading.Event()
    delivered: list[object] = []

    def slow() -> str:
        release.wait(5)
        return "done"

    def show(result: str) -> None:
        delivered.append(result)
        label.setText(result)  # would raise on a deleted label

    tasks.run(slow, show, lambda e: delivered.append(e))
    pool = tasks.pool
    release.set()
    pool.waitForDone(5000)  # the result is now queued for the GUI thread
    # The window closes (and is destroyed) before the queued result is processed.
    shiboken6.delete(label)
    shiboken6.delete(owner)
    QApplication.sendPostedEvents(None, 0)
    QApplication.processEvents()
    assert delivered == []


def test_result_is_delivered_while_the_owner_lives(qtbot):
    owner = QObject()
    tasks = BackgroundTasks(owner)
    got: list[object] = []
    tasks.run(lambda: 41 + 1, got.append, got.append)
    qtbot.waitUntil(lambda: got == [42], timeout=5000)
    assert not tasks.busy()
