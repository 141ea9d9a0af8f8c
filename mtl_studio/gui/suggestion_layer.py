"""Model suggestions drawn over the annotation editor: outlined (gold spans are filled), the selected one
with a thicker outline, type and confidence in the tooltip (and the suggested polarity toward the entity,
when the model labels entity sentiment, as a sign in its tag: "ORG +?"); the suggested sentiment in a
line below.

A transparent child of the editor's viewport paints the outlines after the editor has painted, so the
editor itself knows nothing about suggestions; it asks the editor for the rectangles of a text range.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QToolTip, QWidget

from mtl_studio.core.schema import SentimentLabel, Span
from mtl_studio.core.suggestions import DocumentSuggestions

from .editor import AnnotationEditor, polarity_marker

OUTLINE_FALLBACK = "#888888"


class SuggestionLayer(QWidget):
    """Draws the current document's suggested spans on top of the editor; keeps which one is selected."""

    def __init__(self, editor: AnnotationEditor) -> None:
        super().__init__(editor.viewport())
        self.setObjectName("suggestionLayer")
        self.editor = editor
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.suggestions: DocumentSuggestions | None = None
        self._current = 0  # index into the spans, moved by select_next()
        editor.viewport().installEventFilter(self)
        editor.verticalScrollBar().valueChanged.connect(lambda _v: self.update())
        editor.selectionChanged_.connect(self.update)
        self.resize(editor.viewport().size())
        self.show()

    # ---- state ---------------------------------------------------------------------------------

    def set_suggestions(self, suggestions: DocumentSuggestions | None) -> None:
        same_doc = (self.suggestions is not None and suggestions is not None
                    and self.suggestions.document_id == suggestions.document_id)
        self.suggestions = suggestions
        if not same_doc:
            self._current = 0
        self._current = min(self._current, max(0, len(self.spans) - 1))
        self.update()

    @property
    def spans(self) -> tuple[Span, ...]:
        return self.suggestions.spans if self.suggestions is not None else ()

    @property
    def sentiment(self) -> SentimentLabel | None:
        return self.suggestions.sentiment if self.suggestions is not None else None

    def selected(self) -> Span | SentimentLabel | None:
        """The suggestion the accept / reject keys act on: the suggested span under the editor's
        selection, else the one moved to with select_next(), else the sentiment suggestion."""
        rng = self._editor_range()
        if rng is not None:
            under = next((s for s in self.spans if s.start < rng[1] and rng[0] < s.end), None)
            if under is not None:
                return under
        if self.spans:
            return self.spans[self._current]
        return self.sentiment

    def select_next(self, step: int = 1) -> Span | None:
        if not self.spans:
            return None
        self._current = (self._current + step) % len(self.spans)
        self.editor.clear_selection()  # the moved-to suggestion wins over an old word selection
        self.update()
        return self.spans[self._current]

    def _editor_range(self) -> tuple[int, int] | None:
        span = self.editor.selected_span
        if span is not None:
            return span.start, span.end
        return self.editor.selection

    # ---- painting and tooltips -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.editor.viewport():
            if event.type() == QEvent.Type.Resize:
                self.resize(self.editor.viewport().size())
            elif event.type() == QEvent.Type.ToolTip:
                text = self._tooltip_at(event.pos())
                if text:
                    QToolTip.showText(event.globalPos(), text, self.editor)
                    return True
        return False

    def _tooltip_at(self, pos) -> str:
        cp = self.editor._char_at(pos)  # noqa: SLF001 - the layer is the editor's companion
        if cp is None:
            return ""
        span = next((s for s in self.spans if s.start <= cp < s.end), None)
        return self.tooltip_text(span) if span is not None else ""

    def tooltip_text(self, span: Span) -> str:
        confidence = f"{span.confidence:.2f}" if span.confidence is not None else "?"
        text = self.tr("Suggested {label} (confidence {confidence}) from run {run}").format(
            label=span.label, confidence=confidence, run=span.run_id)
        if span.sentiment:
            p = f" ({span.sentiment_confidence:.2f})" if span.sentiment_confidence is not None else ""
            text += "\n" + self.tr("Suggested polarity: {polarity}").format(polarity=span.sentiment + p)
        return text + "\n" + self.tr("A accept · Shift+X reject · Shift+A accept all")

    @staticmethod
    def tag_text(span: Span) -> str:
        """The text under a suggested span: its type, the sign of a suggested polarity, a question mark."""
        if span.sentiment:
            return f"{span.label} {polarity_marker(span.sentiment)[0]}?"
        return f"{span.label}?"

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        if not self.spans or self.editor.doc is None:
            return
        visible = QRectF(self.rect())
        colours = {t.name: t.colour for t in (self.editor.store.entity_types() if self.editor.store else [])}
        selected = self.selected()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for span in self.spans:
            colour = QColor(colours.get(span.label, OUTLINE_FALLBACK)).darker(150)
            width = 3.0 if span == selected else 1.6
            painter.setPen(QPen(colour, width, Qt.PenStyle.DashLine))
            for rect in self.editor._fragments(span.start, span.end):  # noqa: SLF001
                if rect.intersects(visible):
                    painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
            rects = self.editor._fragments(span.start, span.end)  # noqa: SLF001
            if rects:
                first = rects[0]
                painter.setPen(colour)
                painter.drawText(QPointF(first.left() + 2, first.bottom() + self.fontMetrics().ascent()),
                                 self.tag_text(span))
        painter.end()

    def point_of(self, span: Span) -> QPointF | None:
        """Centre of the first rectangle of a suggested span (tests click there)."""
        rects = self.editor._fragments(span.start, span.end)  # noqa: SLF001
        return rects[0].center() if rects else None


class SentimentSuggestionLine(QLabel):
    """“Suggested sentiment: positive (0.87) · A accept · Shift+X reject” below the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sentimentSuggestion")
        self.setStyleSheet("color: #5a4a00; background: #fff6d5; border: 1px dashed #c9a400; padding: 2px 6px;")
        self.hide()

    def show_suggestions(self, suggestions: DocumentSuggestions | None, pending: bool) -> None:
        parts = []
        if suggestions is not None and suggestions.sentiment is not None:
            s = suggestions.sentiment
            confidence = f" ({s.confidence:.2f})" if s.confidence is not None else ""
            parts.append(self.tr("Suggested sentiment: <b>{label}</b>{confidence}").format(label=s.label,
                                                                                          confidence=confidence))
        if suggestions is not None and suggestions.spans:
            parts.append(self.tr("{n} suggested entities (dashed)").format(n=len(suggestions.spans)))
        if parts:
            parts.append(self.tr("A accept · Shift+X reject · S next suggestion · Shift+A accept all"))
        elif pending:
            parts.append(self.tr("Computing suggestions…"))
        self.setText(" · ".join(parts))
        self.setVisible(bool(parts))
