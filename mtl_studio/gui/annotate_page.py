"""The Annotate tab: the editor with its label palette, sentiment buttons, NER-done box and key hints.

A project that declares more tasks (docs/tasks_as_data.md) gets a row of buttons per task under the
editor: the selected entity's polarity (entity sentiment) and one row per further document label set.
The rows follow the schema: they appear, change and disappear when it changes."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton, QButtonGroup, QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton,
    QVBoxLayout, QWidget,
)

from mtl_studio.core.schema import EntityType, LabelClass, LabelSet, SentimentClass
from mtl_studio.core.store import ProjectStore

from .commands import EditNotifier
from .editor import CLEAR_MODIFIER, SENTIMENT_CLEAR_KEY, AnnotationEditor, polarity_marker, text_colour_for
from .flow_layout import FlowLayout


class LabelPalette(QWidget):
    """The entity types with their keys; clicking one assigns it like its number key."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelPalette")
        self._flow = FlowLayout(self, spacing=6)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def set_types(self, types: list[EntityType]) -> None:
        self._flow.clear()
        if not types:
            hint = QLabel(self.tr("No entity types yet — add them in Edit › Label schema…"))
            hint.setStyleSheet("color: #777;")
            self._flow.addWidget(hint)
        for t in types:
            key = t.key or ""
            button = QToolButton(self)
            button.setObjectName(f"typeButton_{t.name}")
            button.setText(f"{key}  {t.name}" if key else t.name)
            button.setToolTip(self.tr("Assign {label} to the selection (key {key})").format(label=t.name, key=key)
                              if key else self.tr("Assign {label} to the selection").format(label=t.name))
            bg = QColor(t.colour)
            button.setStyleSheet(
                f"QToolButton {{ background: {bg.name()}; color: {text_colour_for(bg).name()};"
                f" border: 1px solid {bg.darker(130).name()}; border-radius: 4px; padding: 3px 9px;"
                f" font-weight: 600; }}"
                f" QToolButton:hover {{ border: 2px solid #1b1b1b; }}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep keyboard focus in the editor
            button.clicked.connect(lambda _=False, name=t.name: self.chosen.emit(name))
            self._flow.addWidget(button)
        self.updateGeometry()


class SentimentButtons(QWidget):
    """One checkable button per sentiment class (keys Q, W, E, …) and a Clear button (key X).

    Pressing the key (or clicking the button) of the sentiment a document already has keeps it: a
    repeated key press must not silently undo a label. Clearing has its own key.
    """

    chosen = Signal(object)  # str, or None to clear

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sentimentButtons")
        self.setAccessibleName(self.tr("Document sentiment"))
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._title = QLabel(self.tr("Sentiment:"))
        self._layout.addWidget(self._title)
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        self._buttons: dict[str, QPushButton] = {}
        self._value: str | None = None
        self.clear_button = QPushButton(self.tr("Clear  ({key})").format(key=SENTIMENT_CLEAR_KEY), self)
        self.clear_button.setObjectName("sentimentClearButton")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setShortcut(QKeySequence(SENTIMENT_CLEAR_KEY))
        self.clear_button.setToolTip(self.tr("Remove the document's sentiment (key {key})").format(
            key=SENTIMENT_CLEAR_KEY))
        self.clear_button.clicked.connect(lambda _=False: self.chosen.emit(None))
        self._layout.addWidget(self.clear_button)
        self._layout.addStretch(1)

    def set_classes(self, classes: list[SentimentClass]) -> None:
        for b in self._buttons.values():
            self._group.removeButton(b)
            self._layout.removeWidget(b)
            b.hide()  # gone at once; deleteLater only runs when the event loop gets back to it
            b.setParent(None)
            b.deleteLater()
        self._buttons = {}
        for sentiment_class in classes:
            name, key = sentiment_class.name, sentiment_class.key or ""
            b = QPushButton(f"{name}  ({key})" if key else name, self)
            b.setObjectName(f"sentimentButton_{name}")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setStyleSheet("QPushButton { padding: 4px 12px; }"
                            " QPushButton:checked { background: #2f6fca; color: white; border: 1px solid #1f4f96;"
                            " border-radius: 3px; }")
            if key:
                b.setShortcut(QKeySequence(key))
                b.setToolTip(self.tr("Set the document's sentiment to {label} (key {key}; {clear} clears it)").format(
                    label=name, key=key, clear=SENTIMENT_CLEAR_KEY))
            b.clicked.connect(lambda _=False, label=name: self._clicked(label))
            self._group.addButton(b)
            self._layout.insertWidget(self._layout.indexOf(self.clear_button), b)
            self._buttons[name] = b
        self.set_value(self._value)

    def buttons(self) -> dict[str, QAbstractButton]:
        return dict(self._buttons)

    def set_value(self, label: str | None) -> None:
        self._value = label
        for name, b in self._buttons.items():
            b.setChecked(name == label)
        self.clear_button.setEnabled(label is not None)

    def _clicked(self, label: str) -> None:
        self.set_value(self._value)  # the store decides; the page re-reads and sets the value
        self.chosen.emit(label)


_CHECKED_STYLE = ("QPushButton { padding: 4px 12px; }"
                  " QPushButton:checked { background: #2f6fca; color: white; border: 1px solid #1f4f96;"
                  " border-radius: 3px; }")


class ClassRow(QWidget):
    """A task's classes as a row of checkable buttons with keys, and a Clear button; wraps onto more lines
    when the classes do not fit (a flow layout). Used for the selected entity's polarity and for each
    further document label set.

    `chosen(name)` is a class's button or key; `cleared()` the Clear button or Shift + any of the row's
    keys. The row only shows the value it is given (`set_value`): the editor decides and the store keeps it.
    """

    chosen = Signal(str)
    cleared = Signal()

    def __init__(self, object_name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(title)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._flow = FlowLayout(self, spacing=6)
        self._title_text = title
        self._buttons: dict[str, QPushButton] = {}
        self._shortcuts: list[QShortcut] = []  # the class keys and Shift + each (clear)
        self.clear_button: QPushButton | None = None
        self.title: QLabel | None = None
        self._value: tuple[str, ...] = ()

    def set_classes(self, classes: list[LabelClass] | tuple[LabelClass, ...], *, tip: Callable[[str, str], str],
                    clear_tip: Callable[[str], str], marker: bool = False) -> None:
        """Build the buttons: `tip(label, key)` and `clear_tip(keys)` give the tooltips (names are the
        user's, so never part of a format string); `marker` shows a polarity's sign."""
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.setParent(None)
            shortcut.deleteLater()
        self._shortcuts = []
        self._flow.clear()  # the old buttons go (and their shortcuts with them)
        self._buttons = {}
        title = QLabel(self._title_text, self)
        title.setObjectName(f"{self.objectName()}Title")
        # As tall as a button, text centred: the flow layout puts every item at the top of its line.
        title.setMinimumHeight(QPushButton("X").sizeHint().height())
        title.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self.title = title
        self._flow.addWidget(title)
        prefix = self.objectName()
        keys = [c.key for c in classes if c.key]
        for c in classes:
            text = f"{polarity_marker(c.name)[0]} {c.name}" if marker else c.name
            b = QPushButton(f"{text}  ({c.key})" if c.key else text, self)
            b.setObjectName(f"{prefix}_{c.name}")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep keyboard focus in the editor
            b.setStyleSheet(_CHECKED_STYLE)
            if c.key:
                # A QShortcut, not the button's own: a button shortcut "animates" a click and lands
                # 100 ms later, too late for a quick key, key, key through a document.
                shortcut = QShortcut(QKeySequence(c.key), self)
                shortcut.setObjectName(f"{prefix}Key_{c.key}")
                shortcut.activated.connect(lambda name=c.name: self._clicked(name))
                self._shortcuts.append(shortcut)
            b.setToolTip(tip(c.name, c.key or "–"))
            b.clicked.connect(lambda _=False, name=c.name: self._clicked(name))
            self._flow.addWidget(b)
            self._buttons[c.name] = b
        keys_text = ", ".join(CLEAR_MODIFIER + k for k in keys)
        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.clear_button.setObjectName(f"{prefix}Clear")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setToolTip(clear_tip(keys_text or "–"))
        self.clear_button.clicked.connect(lambda _=False: self.cleared.emit())
        self._flow.addWidget(self.clear_button)
        for key in keys:
            shortcut = QShortcut(QKeySequence(CLEAR_MODIFIER + key), self)
            shortcut.setObjectName(f"{prefix}ClearKey_{key}")
            shortcut.activated.connect(self.cleared.emit)
            self._shortcuts.append(shortcut)
        self.set_value(self._value)
        self.updateGeometry()

    def buttons(self) -> dict[str, QAbstractButton]:
        return dict(self._buttons)

    def set_value(self, labels: tuple[str, ...] | list[str]) -> None:
        self._value = tuple(labels)
        for name, b in self._buttons.items():
            b.setChecked(name in self._value)
        if self.clear_button is not None:
            self.clear_button.setEnabled(bool(self._value))

    def _clicked(self, name: str) -> None:
        self.set_value(self._value)  # the store decides; the page re-reads and sets the value
        self.chosen.emit(name)


class TaskRows(QWidget):
    """The rows of the tasks beyond NER and sentiment: entity polarity, then each further label set."""

    def __init__(self, editor: AnnotationEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskRows")
        self.editor = editor
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.polarity_row: ClassRow | None = None
        self.label_rows: dict[str, ClassRow] = {}
        self._label_sets: dict[str, LabelSet] = {}

    def set_schema(self, polarities: list[LabelClass], label_sets: list[LabelSet]) -> None:
        """Rebuild the rows for the project's current schema (no row for a task it does not declare)."""
        for row in ([self.polarity_row] if self.polarity_row else []) + list(self.label_rows.values()):
            self._layout.removeWidget(row)
            row.hide()  # gone at once (its key shortcuts too); deleteLater runs when the loop gets back
            row.setParent(None)
            row.deleteLater()
        self.polarity_row, self.label_rows = None, {}
        self._label_sets = {s.name: s for s in label_sets}
        if polarities:
            row = ClassRow("polarityButtons", self.tr("Entity polarity:"), self)
            row.set_classes(polarities, marker=True,
                            tip=lambda label, key: self.tr(
                                "Give the selected entity the polarity {label} (key {key}; again clears it)").format(
                                label=label, key=key),
                            clear_tip=lambda keys: self.tr("Remove the selected entity's polarity ({keys})").format(
                                keys=keys))
            row.chosen.connect(self.editor.toggle_span_sentiment)
            row.cleared.connect(lambda: self.editor.set_span_sentiment(None))
            self._layout.addWidget(row)
            row.show()  # at once: a layout shows a new child only when the event loop gets to it
            self.polarity_row = row
        for label_set in label_sets:
            kind = self.tr("any of") if label_set.multi_label else self.tr("one of")
            row = ClassRow(f"labelSetButtons_{label_set.name}",
                           self.tr("{name} ({kind}):").format(name=label_set.name, kind=kind), self)
            if label_set.multi_label:
                tip = self.tr("Add or remove the label {label} of {name} (key {key})")
            else:
                tip = self.tr("Set {name} to {label} (key {key}; Shift+key clears it)")
            row.set_classes(label_set.classes,
                            tip=lambda label, key, t=tip, n=label_set.name: t.format(label=label, key=key, name=n),
                            clear_tip=lambda keys, n=label_set.name: self.tr(
                                "Remove the document's {name} labels ({keys})").format(name=n, keys=keys))
            row.chosen.connect(lambda label, name=label_set.name: self._choose(name, label))
            row.cleared.connect(lambda name=label_set.name: self.editor.set_document_labels(name, ()))
            self._layout.addWidget(row)
            row.show()
            self.label_rows[label_set.name] = row
        # The rows' buttons start in one column (the widest title's end), so the classes line up.
        rows = ([self.polarity_row] if self.polarity_row else []) + list(self.label_rows.values())
        width = max((r.title.sizeHint().width() for r in rows if r.title is not None), default=0)
        for r in rows:
            if r.title is not None:
                r.title.setMinimumWidth(width)
        self.setVisible(bool(polarities or label_sets))
        self.updateGeometry()

    def _choose(self, label_set: str, label: str) -> None:
        found = self._label_sets.get(label_set)
        if found is not None:
            self.editor.choose_document_label(found, label)

    def sync(self) -> None:
        """Show the open document's labels and the selected entity's polarity."""
        doc = self.editor.doc
        for row in self.label_rows.values():
            row.setEnabled(doc is not None)
        for name, row in self.label_rows.items():
            row.set_value(doc.labels_of(name) if doc is not None else ())
        if self.polarity_row is not None:
            self.polarity_row.setEnabled(doc is not None)
            span = self.editor.target_span()
            self.polarity_row.set_value((span.sentiment,) if span is not None and span.sentiment else ())


class AnnotatePage(QWidget):
    """The Annotate tab: document header and navigation, palette, editor, sentiment and NER-done controls."""

    navigate = Signal(str)  # "previous" | "next" | "next_unlabelled"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotatePage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 6)
        outer.setSpacing(6)

        header = QHBoxLayout()
        self.title = QLabel(self.tr("No document selected"))
        self.title.setObjectName("documentTitle")
        # A long source name must not widen the window: the title gives way (its tooltip has it all).
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)
        tf = QFont(self.title.font())
        tf.setBold(True)
        self.title.setFont(tf)
        header.addWidget(self.title, 1)
        self.prev_button = QPushButton(self.tr("◀ Previous"))
        self.prev_button.setToolTip(self.tr("Previous document (K)"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.next_button.setToolTip(self.tr("Next document (J)"))
        self.next_unlabelled_button = QPushButton(self.tr("Next unlabelled »"))
        self.next_unlabelled_button.setToolTip(self.tr("Next document that still needs labels (N)"))
        for b, where in ((self.prev_button, "previous"), (self.next_button, "next"),
                         (self.next_unlabelled_button, "next_unlabelled")):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, w=where: self.navigate.emit(w))
            header.addWidget(b)
        outer.addLayout(header)

        self.palette_widget = LabelPalette(self)
        outer.addWidget(self.palette_widget)

        self.editor = AnnotationEditor(self)
        outer.addWidget(self.editor, 1)

        bottom = QHBoxLayout()
        self.sentiment = SentimentButtons(self)
        bottom.addWidget(self.sentiment, 1)
        self.ner_done = QCheckBox(self.tr("NER done (D)"))
        self.ner_done.setObjectName("nerDoneCheck")
        self.ner_done.setToolTip(self.tr("The document is annotated for entities, even if it has none. "
                                         "Unlabelled documents are left out of NER training, not taken as "
                                         "“no entities”."))
        self.ner_done.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bottom.addWidget(self.ner_done)
        outer.addLayout(bottom)

        self.task_rows = TaskRows(self.editor, self)
        self.task_rows.hide()
        outer.addWidget(self.task_rows)

        self.hint = QLabel(self._hint_text([], []))
        self.hint.setObjectName("shortcutHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666;")
        outer.addWidget(self.hint)

        self.palette_widget.chosen.connect(self.editor.assign_label)
        self.sentiment.chosen.connect(self.editor.set_sentiment)
        self.ner_done.clicked.connect(lambda checked: self.editor.set_ner_done(bool(checked)))
        self.editor.selectionChanged_.connect(self._sync)

    def set_context(self, store: ProjectStore | None, undo_stack: QUndoStack | None,
                    notifier: EditNotifier | None) -> None:
        self.editor.set_context(store, undo_stack, notifier)
        self.reload_schema()

    def reload_schema(self) -> None:
        store = self.editor.store
        self.palette_widget.set_types(store.entity_types() if store else [])
        self.sentiment.set_classes(store.sentiment_classes() if store else [])
        polarities = store.entity_sentiment_classes() if store and store.has_entity_sentiment() else []
        label_sets = store.label_sets() if store else []
        self.task_rows.set_schema(polarities, label_sets)
        self.hint.setText(self._hint_text(polarities, label_sets))
        self.editor.reload_schema()
        self._sync()

    def _hint_text(self, polarities: list[LabelClass], label_sets: list[LabelSet]) -> str:
        text = self.tr(
            "Drag or click words, or ←/→ (Shift to extend) · 1–9 entity type · Del remove · Tab next span · "
            "Q W E… sentiment · X clear sentiment · D NER done · Enter done & next · J/K next/previous · N next unlabelled")
        extra = []
        keys = " ".join(p.key for p in polarities if p.key)
        if keys:
            extra.append(self.tr("{keys} polarity of the selected entity (again or Shift+key clears)").format(keys=keys))
        for label_set in label_sets:
            keys = " ".join(c.key for c in label_set.classes if c.key)
            if keys:
                extra.append(self.tr("{keys} {name} (Shift+key clears)").format(keys=keys, name=label_set.name))
        return " · ".join([text] + extra)

    def show_document(self, doc_id: int | None) -> None:
        self.editor.set_document(doc_id)
        self._sync()

    def toggle_ner_done(self) -> None:
        doc = self.editor.doc
        if doc is not None:
            self.editor.set_ner_done(not doc.ner_labelled)

    def _sync(self) -> None:
        doc = self.editor.doc
        enabled = doc is not None
        for w in (self.sentiment, self.ner_done, self.palette_widget):
            w.setEnabled(enabled)
        self.task_rows.sync()
        if doc is None:
            self.title.setText(self.tr("No document selected"))
            self.sentiment.set_value(None)
            self.ner_done.setChecked(False)
            return
        n = len(doc.spans)
        entities = self.tr("{n} entities").format(n=n) if n != 1 else self.tr("1 entity")
        parts = [self.tr("Document {id}").format(id=doc.id), {"train": self.tr("train"), "dev": self.tr("dev"),
                                                              "test": self.tr("test")}.get(doc.split or "", "")]
        if doc.source:
            parts.append(doc.source)
        parts.append(entities)
        self.title.setText(" · ".join(p for p in parts if p))
        self.title.setToolTip(self.title.text())
        self.sentiment.set_value(doc.sentiment.label if doc.sentiment else None)
        self.ner_done.setChecked(bool(doc.ner_labelled))
