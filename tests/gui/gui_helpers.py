"""Helpers shared by the GUI tests: mouse positions over the editor's text."""
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
