"""Helpers shared by the GUI tests: mouse positions over the editor's text, a main window on a project."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from mtl_studio.gui.editor import AnnotationEditor


def point_at(editor: AnnotationEditor, cp: int, *, inside: bool = False) -> QPoint:
    """Viewport point of the boundary before code point `cp` (or inside that character, when `inside`)."""
    u16 = editor._offsets.to_utf16(cp)
    cursor = QTextCursor(editor.document())
    cursor.setPosition(u16)
    rect = editor.cursorRect(cursor)
    x = rect.center().x() + (3 if inside else 0)
    return QPoint(x, rect.center().y())


def drag(qtbot, editor: AnnotationEditor, start_cp: int, end_cp: int) -> None:
    vp = editor.viewport()
    a, b = point_at(editor, start_cp, inside=True), point_at(editor, end_cp)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(vp, QPoint((a.x() + b.x()) // 2, a.y()))
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)


def open_import_wizard(qtbot, window, path):
    """File › Import… on `path` in the main window; the wizard once its file page has read the file."""
    window.import_interactive(str(path))
    wizard = window._wizard
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    return wizard


def open_window(qtbot, path, *, size: tuple[int, int] = (1280, 800)):
    """A shown, active MainWindow on the project at `path` (window shortcuts reach an active window)."""
    from mtl_studio.gui.app import app_settings
    from mtl_studio.gui.main_window import MainWindow

    window = MainWindow(app_settings())
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.open_project(path)
    return window


def show_train_tab(window, config):
    """The Train tab in front with `config` in its form; returns the training panel."""
    panel = window.training_panel
    panel.set_config(config)
    window.tabs.setCurrentWidget(window._tab_pages[panel])
    return panel


def window_on_train_tab(qtbot, path):
    """A shown MainWindow on the project at `path`, with the Train tab in front."""
    from mtl_studio.gui.app import app_settings
    from mtl_studio.gui.main_window import MainWindow

    w = MainWindow(app_settings())
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(path)
    w.tabs.setCurrentWidget(w._tab_pages[w.training_panel])
    return w


def close_when_runs_end(qtbot, w) -> None:
    """Shut the window down and wait until every training thread it started has ended."""
    from mtl_studio.gui.worker import running_threads

    w.shutdown()
    qtbot.waitUntil(lambda: not running_threads(), timeout=60_000)


def write_many_documents(path, n: int, split=lambda i: "train"):
    """A project of n short documents ("Document i about CompanyK."), one transaction (about a second
    for 14k), split by `split(i)`."""
    from mtl_studio.core.schema import Document
    from mtl_studio.core.store import ProjectStore
    from mtl_studio.core.tokenize import tokenize

    store = ProjectStore.create(path)
    store.add_entity_type("ORG")
    store.add_sentiment_class("positive")
    with store.bulk():
        for i in range(n):
            text = f"Document {i + 1} about Company{i % 97}."
            store.add_document(Document(text=text, tokens=tokenize(text), split=split(i)))
    return store
