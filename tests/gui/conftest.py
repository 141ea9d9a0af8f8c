"""GUI test set-up: fail any test that leaves a thread running; small projects to drive the widgets.

The thread check follows napari's `_dangling_qthreads`: QThread.start is wrapped to remember every
thread a test starts (with where it was started), and after the test each must have finished. Thread
pools (imports, exports) must be idle too.
"""
from __future__ import annotations

import traceback
import weakref

import pytest
from qt_support import qt_unavailable_reason

from mtl_studio.core.schema import Span
from mtl_studio.core.store import ProjectStore

if qt_unavailable_reason() is None:  # else tests/conftest.py skips this folder, and nothing here may import Qt
    from PySide6.QtCore import QThread, QThreadPool
    from PySide6.QtWidgets import QMessageBox

from project_helpers import ANNOTATION, make_project

@pytest.fixture(scope="session", autouse=True)
def _gui_thread_collector(qapp):
    """Garbage cycles collected on the GUI thread only, as in the studio (mtl_studio/gui/garbage.py):
    with the interpreter's automatic collection a training thread freed closed windows of earlier tests."""
    from mtl_studio.gui.garbage import GuiThreadCollector

    collector = GuiThreadCollector(qapp)
    collector.start()
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def _collect_due_garbage(_gui_thread_collector):
    yield
    _gui_thread_collector.collect_due()  # what the timer would have collected had the test run the loop


@pytest.fixture(autouse=True)
def _dangling_qthreads(monkeypatch, qtbot, request):
    started: "weakref.WeakKeyDictionary[QThread, str]" = weakref.WeakKeyDictionary()
    base_start = QThread.start

    def start_and_remember(self, *args, **kwargs):
        started[self] = "".join(traceback.format_stack(limit=6)[:-1])
        return base_start(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", start_and_remember)
    from mtl_studio.gui import background

    pools: list[QThreadPool] = []
    base_init = background.BackgroundTasks.__init__

    def init_and_remember(self, *args, **kwargs):
        base_init(self, *args, **kwargs)
        pools.append(self.pool)

    monkeypatch.setattr(background.BackgroundTasks, "__init__", init_and_remember)
    yield
    dangling = []
    for thread, where in list(started.items()):
        try:
            if thread.isRunning():
                dangling.append(f"{thread!r} started at:\n{where}")
        except RuntimeError:  # the C++ thread object is gone: it is not running
            pass
    busy = []
    for pool in pools:
        try:
            if pool.activeThreadCount():
                busy.append(pool)
        except RuntimeError:
            pass
    if dangling or busy:
        # Let them finish so later tests are not disturbed, then fail this one.
        for thread in list(started):
            try:
                thread.quit()
                thread.wait(10_000)
            except RuntimeError:
                pass
        for pool in busy:
            try:
                pool.waitForDone(10_000)
            except RuntimeError:
                pass
        problems = dangling + [f"a thread pool still has {len(busy)} active job(s)"] if busy else dangling
        pytest.fail(f"{request.node.name} left threads running:\n" + "\n".join(problems))


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str, str]]:
    """Capture QMessageBox dialogs (kind, title, text) instead of blocking on them."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda parent, title, text, *a, _k=kind, **kw: shown.append((_k, title, text))
            or QMessageBox.StandardButton.Ok))
    return shown


@pytest.fixture
def zh_translators(qapp):
    """The shipped Chinese translation installed for the test (and removed after it)."""
    from mtl_studio.gui.app import install_translations

    translators = install_translations(qapp, "zh_CN")
    assert translators
    yield translators
    for t in translators:
        qapp.removeTranslator(t)


@pytest.fixture
def project(tmp_path) -> ProjectStore:
    store = make_project(tmp_path / "project.mtl", ANNOTATION)
    yield store
    store.close()


@pytest.fixture
def project_with_span(project) -> ProjectStore:
    text = project.get_document(1).text
    start = text.index("Apple")
    project.add_span(1, Span(start, start + 5, "ORG"))
    return project
