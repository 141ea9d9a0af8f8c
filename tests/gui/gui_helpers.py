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
