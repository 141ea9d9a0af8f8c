"""Label schema editor: entity types (name, colour, key) and sentiment classes.

Every change is written to the project at once. Adding, renaming and recolouring are commands on the
window's undo stack (Ctrl+Z undoes them like any edit). Renames and removals first say what happens to
the existing annotations (counts from the store) and ask to confirm; a removal deletes annotations and
cannot be undone, so the window clears its undo stack afterwards (older edits name a label that is gone).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QColorDialog, QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel,
    QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from mtl_studio.core.schema import ENTITY_KEYS, SENTIMENT_KEYS, ValidationError, check_label_form
from mtl_studio.core.store import ProjectStore

from .commands import EditNotifier, SchemaCommand


KEY_COLUMN = 0


def _key_item(key: str | None) -> QTableWidgetItem:
    item = QTableWidgetItem(key or "")
    item.setToolTip(QCoreApplication.translate("SchemaDialog", "Double-click to change the key"))
    return item


def _counts_item(counts: dict[str, int]) -> QTableWidgetItem:
    return QTableWidgetItem(f"{counts.get('gold', 0)} / {counts.get('silver', 0)} / {counts.get('predicted', 0)}")


def colour_icon(colour: str, size: int = 14) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(colour))
    return QIcon(pix)


class SchemaDialog(QDialog):
    """Edit the project's entity types and sentiment classes."""

    schemaChanged = Signal(bool)  # True when a change invalidates the undo history (rename / remove)

    def __init__(self, store: ProjectStore, parent: QWidget | None = None, *, undo_stack: QUndoStack | None = None,
                 notifier: EditNotifier | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schemaDialog")
        self.setWindowTitle(self.tr("Label schema"))
        self.store = store
        # The window passes its own stack and notifier; alone (tests, tools) the dialog keeps private ones.
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.notifier = notifier if notifier is not None else EditNotifier(self)
        self._refreshing = False
        self.notifier.schema_changed.connect(self.refresh)
        # Tests (and automation) can answer the confirmation questions without a modal box.
        self.confirm = self._ask
        self.last_error = ""

        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Entity types have the number keys 1–9, sentiment classes Q, W, E…: double-click "
                               "a key to change it. Changes are saved at once and can be undone (Ctrl+Z)."))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        ent_box = QGroupBox(self.tr("Entity types"))
        ent_layout = QHBoxLayout(ent_box)
        self.types_table = QTableWidget(0, 4)
        self.types_table.setObjectName("entityTypesTable")
        self.types_table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("Name"), self.tr("Colour"),
                                                    self.tr("Spans (gold / silver / predicted)")])
        self._setup_table(self.types_table)
        ent_layout.addWidget(self.types_table, 1)
        ent_buttons = QVBoxLayout()
        self.add_type_button = self._button(self.tr("Add…"), self.add_entity_type_interactive, ent_buttons)
        self.rename_type_button = self._button(self.tr("Rename…"), self.rename_entity_type_interactive,
                                               ent_buttons)
        self.colour_button = self._button(self.tr("Colour…"), self.recolour_interactive, ent_buttons)
        self.remove_type_button = self._button(self.tr("Remove…"), self.remove_entity_type_interactive,
                                               ent_buttons)
        ent_buttons.addStretch(1)
        ent_layout.addLayout(ent_buttons)
        layout.addWidget(ent_box, 3)

        sent_box = QGroupBox(self.tr("Sentiment classes"))
        sent_layout = QHBoxLayout(sent_box)
        self.classes_table = QTableWidget(0, 3)
        self.classes_table.setObjectName("sentimentClassesTable")
        self.classes_table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("Name"),
                                                      self.tr("Documents (gold / silver / predicted)")])
        self._setup_table(self.classes_table)
        sent_layout.addWidget(self.classes_table, 1)
        sent_buttons = QVBoxLayout()
        self._button(self.tr("Add…"), self.add_sentiment_class_interactive, sent_buttons)
        self._button(self.tr("Rename…"), self.rename_sentiment_class_interactive, sent_buttons)
        self._button(self.tr("Remove…"), self.remove_sentiment_class_interactive, sent_buttons)
        sent_buttons.addStretch(1)
        sent_layout.addLayout(sent_buttons)
        layout.addWidget(sent_box, 2)

        self.types_table.itemChanged.connect(lambda item: self._key_edited(self.types_table, item))
        self.classes_table.itemChanged.connect(lambda item: self._key_edited(self.classes_table, item))

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        layout.addWidget(close)
        self.resize(640, 520)
        self.refresh()

    # ---- construction helpers -----------------------------------------------------------------------

    @staticmethod
    def _setup_table(table: QTableWidget) -> None:
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        # Only the key cells are editable (double click or F2, type the key, Enter).
        table.setEditTriggers(QTableWidget.EditTrigger.DoubleClicked | QTableWidget.EditTrigger.EditKeyPressed)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def _button(self, text: str, slot, layout: QVBoxLayout) -> QPushButton:
        b = QPushButton(text)
        b.clicked.connect(lambda _=False: slot())
        layout.addWidget(b)
        return b

    def refresh(self) -> None:
        self._refreshing = True  # cells written here are not user edits of a key
        try:
            types = self.store.entity_types()
            self.types_table.setRowCount(len(types))
            for row, t in enumerate(types):
                counts = self.store.count_spans_of_type(t.name)
                name_item = QTableWidgetItem(colour_icon(t.colour), t.name)
                name_item.setData(Qt.ItemDataRole.UserRole, t.name)
                self._fill_row(self.types_table, row, [_key_item(t.key), name_item, QTableWidgetItem(t.colour),
                                                       _counts_item(counts)])
            classes = self.store.sentiment_classes()
            self.classes_table.setRowCount(len(classes))
            for row, c in enumerate(classes):
                name_item = QTableWidgetItem(c.name)
                name_item.setData(Qt.ItemDataRole.UserRole, c.name)
                self._fill_row(self.classes_table, row, [_key_item(c.key), name_item,
                                                         _counts_item(self.store.count_sentiments_of_class(c.name))])
        finally:
            self._refreshing = False

    @staticmethod
    def _fill_row(table: QTableWidget, row: int, items: list[QTableWidgetItem]) -> None:
        for col, item in enumerate(items):
            if col != KEY_COLUMN:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, col, item)

    def _key_edited(self, table: QTableWidget, item: QTableWidgetItem) -> None:
        """A key cell was edited (double click, type the key, Enter): an undoable key change; a label
        that had the key takes the old one."""
        if self._refreshing or item.column() != KEY_COLUMN:
            return
        name = table.item(item.row(), 1).data(Qt.ItemDataRole.UserRole)
        if table is self.types_table:
            labels, alphabet, set_key = self.store.entity_types(), ENTITY_KEYS, self.store.set_entity_type_key
        else:
            labels, alphabet, set_key = self.store.sentiment_classes(), SENTIMENT_KEYS, self.store.set_sentiment_class_key
        new = item.text().strip().upper() or None
        old = next(label.key for label in labels if label.name == name)
        if new == old:
            return
        if new is not None and new not in alphabet:
            self._error(ValidationError(self.tr("The key of “{name}” must be one of {keys}.").format(
                name=name, keys=" ".join(alphabet))))
            self.refresh()
            return
        other = next((label.name for label in labels if label.key == new and label.name != name), None)
        # Undo swaps back through the other label when there was one (it gets `new`, this one `old`).
        revert = (lambda: set_key(other, new)) if other is not None else (lambda: set_key(name, old))
        self._push(self.tr("Key {key} for {name}").format(key=new or "–", name=name), lambda: set_key(name, new),
                   revert)

    def _selected(self, table: QTableWidget) -> str | None:
        row = table.currentRow()
        item = table.item(row, 1) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _error(self, e: Exception) -> None:
        # Window-modal but not blocking: the caller returns at once (and automation keeps running).
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Label schema"), str(e), QMessageBox.StandardButton.Ok,
                          self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_error = str(e)

    def _changed(self, destructive: bool) -> None:
        self.refresh()
        self.schemaChanged.emit(destructive)

    def _push(self, text: str, apply, revert) -> None:
        """Apply a reversible change as a command on the undo stack (refresh follows schema_changed)."""
        self.undo_stack.push(SchemaCommand(self.notifier, text, apply, revert))

    # ---- entity types ---------------------------------------------------------------------------------

    def add_entity_type(self, name: str, colour: str | None = None) -> bool:
        if name.strip() in self.store.entity_type_names():
            self._error(ValidationError(self.tr("An entity type named “{name}” already exists.").format(name=name)))
            return False
        try:
            name = check_label_form(name)
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Add entity type {name}").format(name=name),
                   lambda: self.store.add_entity_type(name, colour), lambda: self.store.remove_entity_type(name))
        return True

    def rename_entity_type(self, old: str, new: str) -> bool:
        counts = self.store.count_spans_of_type(old)
        n = sum(counts.values())
        if not self.confirm(self.tr("Rename entity type"),
                            self.tr("Rename “{old}” to “{new}”? Its {n} spans keep their places and take the new "
                                    "name.").format(old=old, new=new, n=n)):
            return False
        try:
            new = check_label_form(new)
            if new in self.store.entity_type_names():
                raise ValidationError(self.tr("An entity type named “{name}” already exists.").format(name=new))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Rename entity type {old} → {new}").format(old=old, new=new),
                   lambda: self.store.rename_entity_type(old, new), lambda: self.store.rename_entity_type(new, old))
        return True

    def recolour_entity_type(self, name: str, colour: str) -> None:
        old = next((t.colour for t in self.store.entity_types() if t.name == name), colour)
        self._push(self.tr("Recolour {name}").format(name=name),
                   lambda: self.store.recolour_entity_type(name, colour),
                   lambda: self.store.recolour_entity_type(name, old))

    def remove_entity_type(self, name: str) -> bool:
        counts = self.store.count_spans_of_type(name)
        text = self.tr("Remove the entity type “{name}”?\n\n{gold} gold, {silver} silver and {predicted} predicted "
                       "spans of this type will be deleted. The documents stay labelled for NER and keep their "
                       "other entities. This cannot be undone.").format(
            name=name, gold=counts.get("gold", 0), silver=counts.get("silver", 0),
            predicted=counts.get("predicted", 0))
        if not self.confirm(self.tr("Remove entity type"), text):
            return False
        self.store.remove_entity_type(name)
        self._changed(True)
        return True

    def add_entity_type_interactive(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Add entity type"), self.tr("Name (no spaces, e.g. PRODUCT):"))
        if ok and name.strip():
            self.add_entity_type(name)

    def rename_entity_type_interactive(self) -> None:
        old = self._selected(self.types_table)
        if old is None:
            return
        new, ok = QInputDialog.getText(self, self.tr("Rename entity type"), self.tr("New name:"), text=old)
        if ok and new.strip() and new.strip() != old:
            self.rename_entity_type(old, new.strip())

    def recolour_interactive(self) -> None:
        name = self._selected(self.types_table)
        if name is None:
            return
        current = next((t.colour for t in self.store.entity_types() if t.name == name), "#cccccc")
        colour = QColorDialog.getColor(QColor(current), self, self.tr("Colour of {name}").format(name=name))
        if colour.isValid():
            self.recolour_entity_type(name, colour.name())

    def remove_entity_type_interactive(self) -> None:
        name = self._selected(self.types_table)
        if name is not None:
            self.remove_entity_type(name)

    # ---- sentiment classes ------------------------------------------------------------------------------

    def add_sentiment_class(self, name: str) -> bool:
        if name.strip() in self.store.sentiment_class_names():
            self._error(ValidationError(self.tr("A sentiment class named “{name}” already exists.").format(name=name)))
            return False
        try:
            name = check_label_form(name)
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Add sentiment class {name}").format(name=name),
                   lambda: self.store.add_sentiment_class(name), lambda: self.store.remove_sentiment_class(name))
        return True

    def rename_sentiment_class(self, old: str, new: str) -> bool:
        n = sum(self.store.count_sentiments_of_class(old).values())
        if not self.confirm(self.tr("Rename sentiment class"),
                            self.tr("Rename “{old}” to “{new}”? Its {n} labels take the new name.").format(
                                old=old, new=new, n=n)):
            return False
        try:
            new = check_label_form(new)
            if new in self.store.sentiment_class_names():
                raise ValidationError(self.tr("A sentiment class named “{name}” already exists.").format(name=new))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Rename sentiment class {old} → {new}").format(old=old, new=new),
                   lambda: self.store.rename_sentiment_class(old, new),
                   lambda: self.store.rename_sentiment_class(new, old))
        return True

    def remove_sentiment_class(self, name: str) -> bool:
        counts = self.store.count_sentiments_of_class(name)
        text = self.tr("Remove the sentiment class “{name}”?\n\n{gold} documents lose their gold sentiment and become "
                       "unlabelled for sentiment; {silver} silver and {predicted} predicted labels are deleted. "
                       "This cannot be undone.").format(name=name, gold=counts.get("gold", 0),
                                                        silver=counts.get("silver", 0),
                                                        predicted=counts.get("predicted", 0))
        if not self.confirm(self.tr("Remove sentiment class"), text):
            return False
        self.store.remove_sentiment_class(name)
        self._changed(True)
        return True

    def add_sentiment_class_interactive(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Add sentiment class"), self.tr("Name (no spaces):"))
        if ok and name.strip():
            self.add_sentiment_class(name)

    def rename_sentiment_class_interactive(self) -> None:
        old = self._selected(self.classes_table)
        if old is None:
            return
        new, ok = QInputDialog.getText(self, self.tr("Rename sentiment class"), self.tr("New name:"), text=old)
        if ok and new.strip() and new.strip() != old:
            self.rename_sentiment_class(old, new.strip())

    def remove_sentiment_class_interactive(self) -> None:
        name = self._selected(self.classes_table)
        if name is not None:
            self.remove_sentiment_class(name)
