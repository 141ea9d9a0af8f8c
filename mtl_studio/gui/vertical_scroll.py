"""A scroll area that scrolls only up and down and is never narrower than its content.

A plain QScrollArea reports a small minimum width, so a splitter or layout may give it less than the
content needs; with the horizontal scroll bar off the content is then laid out wider than the viewport
and its right edge (spin-box arrows, a "20%" share shown as "20") disappears under the vertical scroll
bar. This one asks for the content's minimum width plus the vertical scroll bar and the frame, and
re-asks whenever the content's layout changes (task rows added, a language switched).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class VerticalScrollArea(QScrollArea):
    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.installEventFilter(self)

    def _width_for(self, content_width: int) -> int:
        # The vertical bar is counted even while hidden: showing it later must not squeeze the content.
        return content_width + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()

    def _widened(self, hint: QSize, content_hint: Callable[[QWidget], QSize]) -> QSize:
        content = self.widget()
        if content is None:
            return hint
        return QSize(self._width_for(content_hint(content).width()), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self._widened(super().minimumSizeHint(), QWidget.minimumSizeHint)

    def sizeHint(self) -> QSize:
        return self._widened(super().sizeHint(), QWidget.sizeHint)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The content's needs changed (a posted layout request), or it was laid out while hidden (rows
        # added on a tab not in view lay out on show, without a request): tell our layout / splitter.
        if watched is self.widget() and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Show):
            self.updateGeometry()
        return super().eventFilter(watched, event)
