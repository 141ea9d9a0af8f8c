"""The annotation editor: one document's text with its entity spans.

`AnnotationEditor` shows one document. Spans are painted behind the text in their label colours, with a
small label tag under each; a selection (mouse drag, click on a word, or arrow keys) always snaps to the
document's own tokens (CJK text: one character per token), and a number key gives it an entity type.

Offsets: the store counts code points, Qt counts UTF-16 units. Every conversion goes through
`OffsetMap` (text_offsets.py); nothing here does arithmetic on Qt positions and store offsets together.

Edits are QUndoCommands (commands.py) that write the store at once; the editor re-reads the document
when the notifier says an edit landed.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor, QContextMenuEvent, QFont, QFontMetricsF, QKeyEvent, QMouseEvent, QPainter,
    QPaintEvent, QPalette, QPen, QTextBlockFormat, QTextCursor, QUndoStack,
)
from PySide6.QtWidgets import QApplication, QMenu, QTextEdit, QToolTip, QWidget

from mtl_studio.core.schema import Document, EntityType, LabelClass, LabelSet, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import snap_to_tokens, tokenize

from .commands import (
    AddSpanCommand, EditNotifier, RelabelSpanCommand, RemoveSpanCommand, SetDocumentLabelsCommand,
    SetNerLabelledCommand, SetSentimentCommand, SetSpanSentimentCommand,
)
from .text_offsets import OffsetMap

# Each label's key is stored in the project (core.schema.ENTITY_KEYS / SENTIMENT_KEYS), so it does not
# depend on the import order. Clearing the sentiment has its own key (pressing a class's key again keeps the class); X collides with
# none of the editor's keys (digits, Delete, Backspace, Esc, arrows) nor the window's (J K N D).
SENTIMENT_CLEAR_KEY = "X"
# Entity polarity (core.schema.ENTITY_SENTIMENT_KEYS) and further label sets (LABEL_SET_KEYS) are rows of
# buttons with keys. Every letter has a use, so clearing a row is Shift + any of that row's keys (and for
# a polarity or a multi-label class, pressing its key again also takes it off).
CLEAR_MODIFIER = "Shift+"

# How a polarity shows in an entity's tag: a sign for the usual classes (readable without colour, and
# the tag stays narrow), the first letters otherwise; a colour for the badge behind the sign.
_POLARITY_SIGNS = {"negative": "−", "neg": "−", "positive": "+", "pos": "+", "neutral": "0", "neu": "0",
                   "conflict": "±", "mixed": "±"}
_POLARITY_COLOURS = {"−": "#c0392b", "+": "#1e8449", "0": "#5d6d7e", "±": "#7d3c98"}


def polarity_marker(name: str) -> tuple[str, QColor]:
    """(short sign, badge colour) of a polarity class in an entity's tag."""
    sign = _POLARITY_SIGNS.get(name.lower(), name[:3])
    return sign, QColor(_POLARITY_COLOURS.get(sign, "#34495e"))


def text_colour_for(background: QColor) -> QColor:
    """Black or white, whichever reads better on `background` (relative luminance)."""
    r, g, b = background.redF(), background.greenF(), background.blueF()
    return QColor("#111111") if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else QColor("#ffffff")


@dataclass
class _Tag:
    rect: QRectF
    span: Span


class AnnotationEditor(QTextEdit):
    """One document with its gold entity spans; keyboard- and mouse-driven span editing."""

    selectionChanged_ = Signal()  # the token selection or the selected span changed
    doneAndNext = Signal()  # Return: mark NER done and go on
    message = Signal(str)  # a hint for the status bar (refused edits, what to do next)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationEditor")
        self.setReadOnly(True)
        # The editor handles mouse and keys itself: selections must snap to tokens, not characters.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setPlaceholderText(self.tr("Select a document in the list on the left."))
        self.setAccessibleName(self.tr("Annotation editor"))
        font = QFont(self.font())
        font.setPointSizeF(max(12.0, font.pointSizeF() * 1.35))
        self.setFont(font)
        self.document().setDocumentMargin(14)
        pal = self.palette()  # a paper look in any theme: label colours are chosen for dark text
        pal.setColor(QPalette.ColorRole.Base, QColor("#fdfdfb"))
        pal.setColor(QPalette.ColorRole.Text, QColor("#1b1b1b"))
        self.setPalette(pal)

        self.store: ProjectStore | None = None
        self.undo_stack: QUndoStack | None = None
        self.notifier: EditNotifier | None = None
        self.doc: Document | None = None
        self._offsets = OffsetMap("")
        self._tokens: list[tuple[int, int]] = []
        self._types: dict[str, EntityType] = {}
        self._type_order: list[str] = []
        self._type_by_key: dict[str, str] = {}  # the project's key of each entity type -> its name
        self._polarities: list[LabelClass] = []  # entity sentiment classes ([] when the task is off)
        self._selection: tuple[int, int] | None = None  # code points, token-snapped, not yet a span
        self._selected_span: Span | None = None
        self._press_u16: int | None = None
        self._press_point: QPoint | None = None
        self._dragged = False
        self._tags: list[_Tag] = []

    # ---- context and document ----------------------------------------------------------------------

    def set_context(self, store: ProjectStore | None, undo_stack: QUndoStack | None,
                    notifier: EditNotifier | None) -> None:
        if self.notifier is not None:
            try:
                self.notifier.edited.disconnect(self._on_edited)
            except (RuntimeError, TypeError):
                pass
        self.store, self.undo_stack, self.notifier = store, undo_stack, notifier
        if notifier is not None:
            notifier.edited.connect(self._on_edited)
        self.set_document(None)

    def set_document(self, doc_id: int | None) -> None:
        self._selection = None
        self._selected_span = None
        if doc_id is None or self.store is None:
            self.doc = None
            self._offsets = OffsetMap("")
            self._tokens = []
            self.setPlainText("")
        else:
            self._load(doc_id)
            self.setPlainText(self.doc.text if self.doc else "")
            self._apply_line_spacing()
            self.moveCursor(QTextCursor.MoveOperation.Start)
        self.selectionChanged_.emit()
        self.viewport().update()

    def reload(self) -> None:
        """Re-read the current document (after an edit), keeping the selected span when it still exists."""
        if self.doc is None or self.doc.id is None or self.store is None:
            return
        keep = self._selected_span
        scroll = self.verticalScrollBar().value()
        self._load(self.doc.id)
        if keep is not None:
            self._selected_span = self._span_at_range(keep.start, keep.end)
        self.verticalScrollBar().setValue(scroll)
        self.selectionChanged_.emit()
        self.viewport().update()

    def reload_schema(self) -> None:
        if self.store is not None:
            self._set_types(self.store.entity_types())
            self._polarities = self.store.entity_sentiment_classes() if self.store.has_entity_sentiment() else []
        self.reload()

    def _load(self, doc_id: int) -> None:
        assert self.store is not None
        self.doc = self.store.get_document(doc_id)
        self._offsets = OffsetMap(self.doc.text)
        self._tokens = list(self.doc.tokens) or tokenize(self.doc.text)
        self._set_types(self.store.entity_types())
        self._polarities = self.store.entity_sentiment_classes() if self.store.has_entity_sentiment() else []

    def _set_types(self, types: list[EntityType]) -> None:
        self._types = {t.name: t for t in types}
        self._type_order = [t.name for t in types]
        self._type_by_key = {t.key: t.name for t in types if t.key}

    def _on_edited(self, doc_id: int) -> None:
        if self.doc is not None and self.doc.id == doc_id:
            self.reload()

    def _apply_line_spacing(self) -> None:
        # Room under every line for the label tags.
        fmt = QTextBlockFormat()
        fmt.setLineHeight(self._tag_height() + 8, QTextBlockFormat.LineHeightTypes.LineDistanceHeight.value)
        cursor = QTextCursor(self.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.mergeBlockFormat(fmt)

    # ---- selection state ---------------------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int] | None:
        """The pending token-snapped selection in code points (None when a span or nothing is selected)."""
        return self._selection

    @property
    def selected_span(self) -> Span | None:
        return self._selected_span

    @property
    def entity_type_order(self) -> list[str]:
        return list(self._type_order)

    @property
    def polarities(self) -> list[LabelClass]:
        """The project's entity sentiment classes; empty when it does not label entity sentiment."""
        return list(self._polarities)

    def target_span(self) -> Span | None:
        """The entity a polarity key acts on: the selected span, or the one the selection covers exactly."""
        if self._selected_span is not None:
            return self._selected_span
        if self._selection is not None:
            return self._span_at_range(*self._selection)
        return None

    def select_range(self, start: int, end: int) -> bool:
        """Select code points [start, end) snapped outward to tokens; False when it touches no token."""
        snapped = snap_to_tokens(start, end, self._tokens)
        self._selected_span = None
        self._selection = snapped
        self._after_selection()
        return snapped is not None

    def select_span(self, span: Span | None) -> None:
        self._selected_span = span
        self._selection = None
        self._after_selection()

    def clear_selection(self) -> None:
        self._selection = None
        self._selected_span = None
        self._after_selection()

    def _after_selection(self) -> None:
        rng = self._current_range()
        if rng is not None:
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._offsets.to_utf16(rng[0]))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self.selectionChanged_.emit()
        self.viewport().update()

    def _current_range(self) -> tuple[int, int] | None:
        if self._selected_span is not None:
            return self._selected_span.start, self._selected_span.end
        return self._selection

    def _span_at(self, cp: int) -> Span | None:
        if self.doc is None:
            return None
        return next((s for s in self.doc.spans if s.start <= cp < s.end), None)

    def _span_at_range(self, start: int, end: int) -> Span | None:
        if self.doc is None:
            return None
        return next((s for s in self.doc.spans if s.start == start and s.end == end), None)

    def _token_index_at(self, cp: int) -> int | None:
        return next((i for i, (s, e) in enumerate(self._tokens) if s <= cp < e), None)

    def _preview(self, start: int, end: int) -> str:
        text = self.doc.text[start:end] if self.doc else ""
        return text if len(text) <= 40 else text[:37] + "…"

    # ---- edits -------------------------------------------------------------------------------------

    def assign_label(self, label: str) -> None:
        """Give the selection (or the selected span) an entity type: creates, relabels or replaces spans."""
        if not self._ready():
            return
        assert self.doc is not None and self.doc.id is not None and self.undo_stack is not None
        assert self.store is not None and self.notifier is not None
        doc_id = self.doc.id
        if self._selected_span is not None:
            span = self._selected_span
            if span.label != label:
                self.undo_stack.push(RelabelSpanCommand(self.store, self.notifier, doc_id, span, label,
                                                        self._preview(span.start, span.end)))
            return
        if self._selection is None:
            self.message.emit(self.tr("Select words first: drag over them, click a word or use the arrow keys."))
            return
        start, end = self._selection
        overlapping = [s for s in self.doc.spans if s.start < end and start < s.end]
        preview = self._preview(start, end)
        if len(overlapping) == 1 and (overlapping[0].start, overlapping[0].end) == (start, end):
            if overlapping[0].label != label:
                self.undo_stack.push(RelabelSpanCommand(self.store, self.notifier, doc_id, overlapping[0], label,
                                                        preview))
        elif overlapping:
            # A wider or shifted selection replaces the spans it overlaps, as one undoable step.
            self.undo_stack.beginMacro(self.tr("Replace spans with {label} “{text}”").format(label=label,
                                                                                            text=preview))
            for s in overlapping:
                self.undo_stack.push(RemoveSpanCommand(self.store, self.notifier, doc_id, s,
                                                       self._preview(s.start, s.end)))
            self.undo_stack.push(AddSpanCommand(self.store, self.notifier, doc_id, start, end, label, preview))
            self.undo_stack.endMacro()
        else:
            self.undo_stack.push(AddSpanCommand(self.store, self.notifier, doc_id, start, end, label, preview))
        self._selection = None
        self._selected_span = self._span_at_range(start, end)
        self._after_selection()

    def assign_type_number(self, number: int) -> None:
        """Number key n -> the entity type the project gives that key (set in the schema dialog)."""
        name = self._type_by_key.get(str(number))
        if name is None:
            if self._type_order:
                self.message.emit(self.tr("No entity type on key {n}: set keys in Edit > Label schema.").format(
                    n=number))
            else:
                self.message.emit(self.tr("The project has no entity types yet: add them in Edit > Label schema."))
            return
        self.assign_label(name)

    def remove_selected(self) -> None:
        """Delete the selected span, or every span the pending selection overlaps."""
        if not self._ready():
            return
        assert self.doc is not None and self.doc.id is not None and self.undo_stack is not None
        assert self.store is not None and self.notifier is not None
        if self._selected_span is not None:
            targets = [self._selected_span]
        elif self._selection is not None:
            s0, e0 = self._selection
            targets = [s for s in self.doc.spans if s.start < e0 and s0 < s.end]
        else:
            targets = []
        if not targets:
            self.message.emit(self.tr("Nothing to delete: click a span first."))
            return
        if len(targets) > 1:
            self.undo_stack.beginMacro(self.tr("Remove {n} spans").format(n=len(targets)))
        for s in targets:
            self.undo_stack.push(RemoveSpanCommand(self.store, self.notifier, self.doc.id, s,
                                                   self._preview(s.start, s.end)))
        if len(targets) > 1:
            self.undo_stack.endMacro()
        self.clear_selection()

    def set_ner_done(self, done: bool) -> None:
        if not self._ready() or self.doc is None or self.doc.id is None:
            return
        if bool(self.doc.ner_labelled) != done:
            assert self.store is not None and self.notifier is not None and self.undo_stack is not None
            self.undo_stack.push(SetNerLabelledCommand(self.store, self.notifier, self.doc.id, done))

    def set_sentiment(self, label: str | None) -> None:
        if not self._ready() or self.doc is None or self.doc.id is None:
            return
        old = self.doc.sentiment.label if self.doc.sentiment else None
        if old == label:
            if label is not None:
                self.message.emit(self.tr("The sentiment is already {label} ({key} clears it).").format(
                    label=label, key=SENTIMENT_CLEAR_KEY))
            return
        assert self.store is not None and self.notifier is not None and self.undo_stack is not None
        self.undo_stack.push(SetSentimentCommand(self.store, self.notifier, self.doc.id, old, label))

    def toggle_span_sentiment(self, label: str) -> None:
        """A polarity key: give the selected entity that polarity, or take it off when it has it already."""
        span = self.target_span()
        self.set_span_sentiment(None if span is not None and span.sentiment == label else label)

    def set_span_sentiment(self, label: str | None) -> None:
        """Set (or with None clear) the polarity of the selected entity, as one undoable edit."""
        if not self._ready() or self.doc is None or self.doc.id is None:
            return
        if not self._polarities:
            self.message.emit(self.tr("The project does not label entity sentiment: switch it on in "
                                      "Edit > Label schema."))
            return
        span = self.target_span()
        if span is None:
            self.message.emit(self.tr("Select an entity first (click it, or Tab to the next one), then press "
                                      "its polarity key."))
            return
        if span.sentiment == label:
            return
        assert self.store is not None and self.notifier is not None and self.undo_stack is not None
        self.undo_stack.push(SetSpanSentimentCommand(self.store, self.notifier, self.doc.id, span, label,
                                                     self._preview(span.start, span.end)))

    def choose_document_label(self, label_set: LabelSet, label: str) -> None:
        """A label set's key or button: a multi-label class toggles; a single-label set takes the class
        (pressing the class it has keeps it, like the sentiment keys; Shift+key clears the row)."""
        if not self._ready() or self.doc is None or self.doc.id is None:
            return
        old = self.doc.labels_of(label_set.name)
        if label_set.multi_label:
            new = tuple(x for x in old if x != label) if label in old else old + (label,)
        elif old == (label,):
            self.message.emit(self.tr("{label_set} is already {label} (Shift with one of its keys clears "
                                      "it).").format(label_set=label_set.name, label=label))
            return
        else:
            new = (label,)
        self.set_document_labels(label_set.name, new)

    def set_document_labels(self, label_set: str, labels: tuple[str, ...]) -> None:
        """Replace the document's gold labels of one label set (`()` clears them), as one undoable edit."""
        if not self._ready() or self.doc is None or self.doc.id is None:
            return
        old = self.doc.labels_of(label_set)
        if tuple(labels) == old:
            return
        assert self.store is not None and self.notifier is not None and self.undo_stack is not None
        self.undo_stack.push(SetDocumentLabelsCommand(self.store, self.notifier, self.doc.id, label_set, old,
                                                      tuple(labels)))

    def _ready(self) -> bool:
        return None not in (self.doc, self.store, self.undo_stack, self.notifier)

    # ---- keyboard ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: C901 - one branch per key, kept flat
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        if plain and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.assign_type_number(key - Qt.Key.Key_0)
        elif plain and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_0):
            self.remove_selected()
        elif plain and key == Qt.Key.Key_Escape:
            self.clear_selection()
        elif plain and key == Qt.Key.Key_Right:
            self._move_token(+1)
        elif plain and key == Qt.Key.Key_Left:
            self._move_token(-1)
        elif mods == Qt.KeyboardModifier.ShiftModifier and key == Qt.Key.Key_Right:
            self._resize_token(+1)
        elif mods == Qt.KeyboardModifier.ShiftModifier and key == Qt.Key.Key_Left:
            self._resize_token(-1)
        elif plain and key == Qt.Key.Key_Tab:
            self._cycle_span(+1)
        elif key == Qt.Key.Key_Backtab:
            self._cycle_span(-1)
        elif plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.doneAndNext.emit()
        else:
            # Scrolling keys and everything else: the base class (read-only) or the window's shortcuts.
            super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt signature
        return False  # Tab cycles through spans while the editor has focus

    def _move_token(self, step: int) -> None:
        if not self._tokens:
            return
        rng = self._current_range()
        if rng is None:
            i = 0 if step > 0 else len(self._tokens) - 1
        elif step > 0:
            i = next((k for k, (s, _) in enumerate(self._tokens) if s >= rng[1]), len(self._tokens) - 1)
        else:
            i = next((k for k in range(len(self._tokens) - 1, -1, -1) if self._tokens[k][1] <= rng[0]), 0)
        s, e = self._tokens[i]
        span = self._span_at(s)
        if span is not None:
            self.select_span(span)  # landing on an entity selects it, so a number key relabels it
        else:
            self.select_range(s, e)

    def _resize_token(self, step: int) -> None:
        rng = self._current_range()
        if rng is None:
            self._move_token(step)
            return
        start, end = rng
        if step > 0:
            nxt = next(((s, e) for s, e in self._tokens if s >= end), None)
            if nxt is not None:
                end = nxt[1]
        else:
            inside = [(s, e) for s, e in self._tokens if start <= s and e <= end]
            if len(inside) > 1:
                end = inside[-2][1]
        self._selected_span = None
        self._selection = (start, end)
        self._after_selection()

    def _cycle_span(self, step: int) -> None:
        if self.doc is None or not self.doc.spans:
            return
        spans = sorted(self.doc.spans, key=lambda s: s.start)
        rng = self._current_range()
        if rng is None:
            target = spans[0] if step > 0 else spans[-1]
        elif step > 0:
            target = next((s for s in spans if s.start > rng[0]), spans[0])
        else:
            target = next((s for s in reversed(spans) if s.start < rng[0]), spans[-1])
        self.select_span(target)

    # ---- mouse -------------------------------------------------------------------------------------

    def _u16_at(self, point: QPoint) -> int:
        return self.cursorForPosition(point).position()

    def _char_at(self, point: QPoint) -> int | None:
        """Code point index of the character under the point, None over empty space."""
        doc_point = QPointF(point) + QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        u16 = self.document().documentLayout().hitTest(doc_point, Qt.HitTestAccuracy.ExactHit)
        if u16 < 0 or u16 >= self._offsets.utf16_len:
            return None
        return self._offsets.to_code_point(u16)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.doc is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._press_point = event.position().toPoint()
        self._press_u16 = self._u16_at(self._press_point)
        self._dragged = False
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press_point is None or self._press_u16 is None:
            super().mouseMoveEvent(event)
            return
        point = event.position().toPoint()
        if not self._dragged and (point - self._press_point).manhattanLength() < QApplication.startDragDistance():
            return
        self._dragged = True
        self._select_between(self._press_u16, self._u16_at(point))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press_point is None or self._press_u16 is None:
            super().mouseReleaseEvent(event)
            return
        point = event.position().toPoint()
        if self._dragged or (point - self._press_point).manhattanLength() >= QApplication.startDragDistance():
            self._select_between(self._press_u16, self._u16_at(point))
        else:
            self._click(point, extend=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        self._press_point = None
        self._press_u16 = None
        self._dragged = False
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._click(event.position().toPoint(), extend=False)
        event.accept()

    def _select_between(self, a_u16: int, b_u16: int) -> None:
        lo, hi = sorted((a_u16, b_u16))
        start, end = self._offsets.span_to_code_points(lo, hi)
        if start == end:
            return
        self.select_range(start, end)

    def _click(self, point: QPoint, *, extend: bool) -> None:
        tag = next((t for t in self._tags if t.rect.contains(QPointF(point))), None)
        if tag is not None:
            self.select_span(self._span_at_range(tag.span.start, tag.span.end))
            return
        cp = self._char_at(point)
        if cp is None:
            self.clear_selection()
            return
        span = self._span_at(cp)
        if span is not None and not extend:
            self.select_span(span)
            return
        i = self._token_index_at(cp)
        if i is None:  # whitespace between tokens
            self.clear_selection()
            return
        s, e = self._tokens[i]
        rng = self._current_range()
        if extend and rng is not None:
            self.select_range(min(s, rng[0]), max(e, rng[1]))
        else:
            self.select_range(s, e)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        cp = self._char_at(event.pos())
        span = self._span_at(cp) if cp is not None else None
        if span is not None:
            self.select_span(span)
        if self._current_range() is None or self.doc is None:
            return
        menu = QMenu(self)
        keys = {name: key for key, name in self._type_by_key.items()}
        for name in self._type_order:
            text = f"&{keys[name]}  {name}" if name in keys else name
            action = menu.addAction(text)
            action.triggered.connect(lambda _=False, label=name: self.assign_label(label))
        if span is not None and self._polarities:
            menu.addSeparator()
            for polarity in self._polarities:
                text = f"{polarity.key}  {polarity.name}" if polarity.key else polarity.name
                action = menu.addAction(self.tr("Polarity: {text}").format(text=text))
                action.setCheckable(True)
                action.setChecked(span.sentiment == polarity.name)
                action.triggered.connect(lambda _=False, label=polarity.name: self.toggle_span_sentiment(label))
            clear = menu.addAction(self.tr("Clear the polarity"), lambda: self.set_span_sentiment(None))
            clear.setEnabled(span.sentiment is not None)
        if span is not None:
            menu.addSeparator()
            menu.addAction(self.tr("Delete span"), self.remove_selected)
        menu.exec(event.globalPos())

    # ---- painting ----------------------------------------------------------------------------------

    def _tag_font(self) -> QFont:
        f = QFont(self.font())
        f.setPointSizeF(max(7.5, self.font().pointSizeF() * 0.6))
        f.setBold(True)
        return f

    def _tag_height(self) -> int:
        return int(QFontMetricsF(self._tag_font()).height()) + 2

    def _fragments(self, start_cp: int, end_cp: int) -> list[QRectF]:
        """Viewport rectangles covering text[start:end], one per visual line."""
        start, end = self._offsets.span_to_utf16(start_cp, end_cp)
        doc = self.document()
        layout = doc.documentLayout()
        dx, dy = -self.horizontalScrollBar().value(), -self.verticalScrollBar().value()
        rects: list[QRectF] = []
        block = doc.findBlock(start)
        while block.isValid() and block.position() < end:
            bpos = block.position()
            origin = layout.blockBoundingRect(block).topLeft()
            tl = block.layout()
            for i in range(tl.lineCount()):
                line = tl.lineAt(i)
                ls = bpos + line.textStart()
                le = ls + line.textLength()
                s, e = max(start, ls), min(end, le)
                if s >= e:
                    continue
                x1 = line.cursorToX(s - bpos)[0]
                x2 = line.cursorToX(e - bpos)[0]
                rects.append(QRectF(origin.x() + x1 + dx, origin.y() + line.y() + dy, x2 - x1, line.height()))
            block = block.next()
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:
        visible = QRectF(self.viewport().rect())
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        spans = self.doc.spans if self.doc else []
        frags: list[tuple[Span, list[QRectF]]] = []
        for span in spans:
            rects = self._fragments(span.start, span.end)
            frags.append((span, rects))
            colour = QColor(self._types[span.label].colour if span.label in self._types else "#cccccc")
            for r in rects:
                if r.intersects(visible):
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colour)
                    painter.drawRoundedRect(r.adjusted(0.5, 0, -0.5, 0), 3, 3)
        if self._selection is not None:
            painter.setBrush(QColor(58, 123, 213, 60))
            painter.setPen(QPen(QColor("#3a7bd5"), 1.5, Qt.PenStyle.DashLine))
            for r in self._fragments(*self._selection):
                painter.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        if self._selected_span is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor("#1b1b1b"), 2.0))
            for r in self._fragments(self._selected_span.start, self._selected_span.end):
                painter.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 3, 3)
        painter.end()

        super().paintEvent(event)

        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = self._tag_font()
        fm = QFontMetricsF(font)
        painter.setFont(font)
        self._tags = []
        last_right: dict[int, float] = {}  # per line: where the previous tag ends
        for span, rects in sorted(((s, r) for s, r in frags if r), key=lambda f: (f[1][0].top(), f[1][0].left())):
            first = rects[0]
            colour = QColor(self._types[span.label].colour if span.label in self._types else "#cccccc")
            tag_bg = colour.darker(135)
            label_width = fm.horizontalAdvance(span.label) + 8
            sign = polarity_marker(span.sentiment) if span.sentiment else None
            badge_width = fm.horizontalAdvance(sign[0]) + 8 if sign else 0
            width = label_width + badge_width
            line = round(first.bottom())
            # Short adjacent spans (two CJK characters) could get overlapping tags: shift right instead.
            x = max(first.left(), last_right.get(line, -1e9) + 2)
            last_right[line] = x + width
            rect = QRectF(x, first.bottom() + 1, width, self._tag_height())
            self._tags.append(_Tag(rect, span))
            if not rect.intersects(visible):
                continue
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tag_bg)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(text_colour_for(tag_bg))
            painter.drawText(QRectF(rect.left(), rect.top(), label_width, rect.height()),
                             Qt.AlignmentFlag.AlignCenter, span.label)
            if sign is not None:
                # The polarity as a badge at the tag's right end: its sign, on its colour.
                badge = QRectF(rect.left() + label_width, rect.top(), badge_width, rect.height()).adjusted(0, 1, -1, -1)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(sign[1])
                painter.drawRoundedRect(badge, 3, 3)
                painter.setPen(QColor("#ffffff"))
                painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, sign[0])
        painter.end()

    def span_tooltip(self, span: Span) -> str:
        """What the tooltip over an entity (or its tag) says: type, text, polarity and the keys."""
        text = self.tr("{label} “{text}”").format(label=span.label, text=self._preview(span.start, span.end))
        if not self._polarities:
            return text
        keys = " ".join(p.key for p in self._polarities if p.key)
        if span.sentiment:
            return text + "\n" + self.tr("Polarity: {polarity} (its key again, or Shift+key, clears it)").format(
                polarity=span.sentiment)
        return text + "\n" + self.tr("No polarity yet: select it and press {keys}").format(keys=keys)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.ToolTip and self.doc is not None:
            pos = event.pos()
            tag = next((t for t in self._tags if t.rect.contains(QPointF(pos))), None)
            cp = self._char_at(pos) if tag is None else None
            span = tag.span if tag is not None else (self._span_at(cp) if cp is not None else None)
            if span is not None:
                QToolTip.showText(event.globalPos(), self.span_tooltip(span), self)
                return True
            QToolTip.hideText()
        return super().viewportEvent(event)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent):
            # Keys the editor uses itself win over window shortcuts while it has focus.
            if e.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier) and (
                    Qt.Key.Key_0 <= e.key() <= Qt.Key.Key_9
                    or e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Escape)):
                e.accept()
                return True
        return super().event(e)
