"""Help > Keyboard shortcuts: every key, with the open project's entity types, sentiment classes, entity
polarities and further label sets."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from mtl_studio.core.store import ProjectStore

from .editor import CLEAR_MODIFIER, SENTIMENT_CLEAR_KEY


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut, with the current project's entity types and sentiment classes."""

    def __init__(self, store: ProjectStore | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows: list[tuple[str, str]] = [
            (self.tr("Drag / click a word"), self.tr("Select words (snapped to whole tokens)")),
            (self.tr("Shift+click"), self.tr("Extend the selection to the clicked word")),
            (self.tr("← / →"), self.tr("Select the previous / next token")),
            (self.tr("Shift+→ / Shift+←"), self.tr("Grow / shrink the selection by one token")),
            (self.tr("Tab / Shift+Tab"), self.tr("Select the next / previous entity")),
            (self.tr("1 … 9"), self.tr("Give the selection (or selected entity) the entity type")),
            (self.tr("Delete / Backspace / 0"), self.tr("Remove the selected entity")),
            (self.tr("Esc"), self.tr("Clear the selection")),
            (self.tr("Q W E R …"), self.tr("Set the document sentiment")),
            (SENTIMENT_CLEAR_KEY, self.tr("Clear the document sentiment")),
            (self.tr("D"), self.tr("Mark the document done for NER (also with no entities)")),
            (self.tr("Enter"), self.tr("Mark done for NER and go to the next unlabelled document")),
            (self.tr("J / K"), self.tr("Next / previous document in the list")),
            (self.tr("N"), self.tr("Next unlabelled document")),
            (self.tr("A"), self.tr("Accept the selected model suggestion")),
            (self.tr("Shift+X"), self.tr("Reject the selected model suggestion")),
            (self.tr("S"), self.tr("Select the next model suggestion")),
            (self.tr("Shift+A"), self.tr("Accept all suggestions of the document and mark NER done")),
            (QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText),
             self.tr("Undo")),
            (QKeySequence(QKeySequence.StandardKey.Redo).toString(QKeySequence.SequenceFormat.NativeText),
             self.tr("Redo")),
            (self.tr("Ctrl+F"), self.tr("Search documents")),
            (self.tr("Ctrl+1 … Ctrl+4"), self.tr("Annotate / Train / Results / Predictions tab")),
        ]
        if store is not None:
            for entity_type in sorted((t for t in store.entity_types() if t.key), key=lambda t: t.key):
                rows.append((entity_type.key, self.tr("Entity type {name}").format(name=entity_type.name)))
            for sentiment_class in (c for c in store.sentiment_classes() if c.key):
                rows.append((sentiment_class.key, self.tr("Sentiment {name}").format(name=sentiment_class.name)))
            if store.has_entity_sentiment():
                polarities = [c for c in store.entity_sentiment_classes() if c.key]
                for polarity in polarities:
                    rows.append((polarity.key, self.tr("Polarity {name} for the selected entity (again: "
                                                       "clear it)").format(name=polarity.name)))
                if polarities:
                    rows.append((" / ".join(CLEAR_MODIFIER + c.key for c in polarities),
                                 self.tr("Clear the selected entity's polarity")))
            for label_set in store.label_sets():
                keyed = [c for c in label_set.classes if c.key]
                for c in keyed:
                    action = (self.tr("Add or remove {label} ({name})") if label_set.multi_label
                              else self.tr("Set {name} to {label}"))
                    rows.append((c.key, action.format(label=c.name, name=label_set.name)))
                if keyed:
                    rows.append((" / ".join(CLEAR_MODIFIER + c.key for c in keyed),
                                 self.tr("Clear the document's {name} labels").format(name=label_set.name)))
        table = QTableWidget(len(rows), 2, self)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for r, (keys, action) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(keys))
            table.setItem(r, 1, QTableWidgetItem(action))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Tall enough to show every row without scrolling (up to most screens' height).
        rows_height = table.verticalHeader().length() + table.horizontalHeader().height() + 4
        width = table.verticalHeader().width() + table.horizontalHeader().length() + 40
        self.resize(max(640, min(width, 900)), min(rows_height + buttons.sizeHint().height() + 40, 900))
