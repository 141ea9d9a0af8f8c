"""Helpers shared by the GUI tests: a small project, mouse positions over the editor's text."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from mtl_studio.core.schema import Document
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize
from mtl_studio.gui.editor import AnnotationEditor

EMOJI_TEXT = "Great day 😀🚀 for 𠀋 Apple shares in Berlin"


def make_project(path: Path, texts: list[str] | None = None) -> ProjectStore:
    """A small project: PER/ORG/LOC, three sentiment classes, a few documents (one with an emoji)."""
    store = ProjectStore.create(path)
    for name in ("PER", "ORG", "LOC"):
        store.add_entity_type(name)
    for name in ("positive", "neutral", "negative"):
        store.add_sentiment_class(name)
    texts = texts or [
        "Tim Cook said Apple shares rose in Berlin.",
        EMOJI_TEXT,
        "华为在深圳发布了新手机。",
        "Nokia cut 300 jobs in Finland.",
    ]
    for n, text in enumerate(texts):
        store.add_document(Document(text=text, tokens=tokenize(text), split=("train", "dev", "test", "train")[n % 4],
                                    source="fixture"))
    return store


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
