"""The Annotate tab: the editor with its label palette, sentiment buttons, NER-done box and key hints."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton, QButtonGroup, QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton,
    QVBoxLayout, QWidget,
)

from mtl_studio.core.schema import EntityType, SentimentClass
from mtl_studio.core.store import ProjectStore

from .commands import EditNotifier
from .editor import SENTIMENT_CLEAR_KEY, AnnotationEditor, text_colour_for
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

        self.hint = QLabel(self.tr(
            "Drag or click words, or ←/→ (Shift to extend) · 1–9 entity type · Del remove · Tab next span · "
            "Q W E… sentiment · X clear sentiment · D NER done · Enter done & next · J/K next/previous · N next unlabelled"))
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
        self.editor.reload_schema()
        self._sync()

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
