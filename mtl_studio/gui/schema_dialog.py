"""Label schema editor: entity types (name, colour, key), sentiment classes, and the further tasks a
project declares (docs/tasks_as_data.md): entity sentiment (on or off, its polarity classes) and any
number of document label sets (single- or multi-label, their classes).

Every change is written to the project at once. Adding, renaming and recolouring are commands on the
window's undo stack (Ctrl+Z undoes them like any edit). Renames and removals first say what happens to
the existing annotations (counts from the store) and ask to confirm; a removal deletes annotations and
cannot be undone, so the window clears its undo stack afterwards (older edits name a label that is gone).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox, QColorDialog, QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel,
    QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from mtl_studio.core.schema import (
    DEFAULT_POLARITIES, ENTITY_KEYS, ENTITY_SENTIMENT_KEYS, LABEL_SET_KEYS, SENTIMENT_KEYS, ValidationError,
    check_label_form, check_task_name,
)
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

        outer = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("schemaTabs")
        outer.addWidget(self.tabs, 1)
        first = QWidget()
        layout = QVBoxLayout(first)
        self.tabs.addTab(first, self.tr("Entities and sentiment"))
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
        self._build_entity_sentiment_tab()
        self._build_label_sets_tab()

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        outer.addWidget(close)
        self.resize(680, 540)
        self.refresh()

    def _build_entity_sentiment_tab(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.tabs.addTab(page, self.tr("Entity sentiment"))
        intro = QLabel(self.tr("The sentiment toward each entity: in the editor, select an entity and press its "
                               "polarity key ({keys}); the key again clears it. Entities without a polarity "
                               "are left out of this task's training.").format(keys=" ".join(ENTITY_SENTIMENT_KEYS)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.entity_sentiment_check = QCheckBox(self.tr("Label the sentiment toward each entity"))
        self.entity_sentiment_check.setObjectName("entitySentimentCheck")
        self.entity_sentiment_check.clicked.connect(lambda on: self.set_entity_sentiment(bool(on)))
        layout.addWidget(self.entity_sentiment_check)
        box = QHBoxLayout()
        self.polarity_table = QTableWidget(0, 3)
        self.polarity_table.setObjectName("polarityClassesTable")
        self.polarity_table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("Name"), self.tr("Entities")])
        self._setup_table(self.polarity_table)
        box.addWidget(self.polarity_table, 1)
        buttons = QVBoxLayout()
        self.polarity_buttons = [
            self._button(self.tr("Add…"), self.add_polarity_interactive, buttons),
            self._button(self.tr("Rename…"), self.rename_polarity_interactive, buttons),
            self._button(self.tr("Remove…"), self.remove_polarity_interactive, buttons),
        ]
        buttons.addStretch(1)
        box.addLayout(buttons)
        layout.addLayout(box, 1)
        self.polarity_table.itemChanged.connect(lambda item: self._key_edited(self.polarity_table, item))

    def _build_label_sets_tab(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.tabs.addTab(page, self.tr("Document label sets"))
        intro = QLabel(self.tr("Further labels of whole documents besides sentiment (topic, urgency, intent…). "
                               "A single-label set takes one class per document, a multi-label set any number "
                               "(declare a class such as “other” for “none applies”). Their classes share the "
                               "keys {keys}.").format(keys=" ".join(LABEL_SET_KEYS)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        sets_box = QGroupBox(self.tr("Label sets"))
        sets_layout = QHBoxLayout(sets_box)
        self.label_sets_table = QTableWidget(0, 3)
        self.label_sets_table.setObjectName("labelSetsTable")
        self.label_sets_table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Kind"),
                                                         self.tr("Documents labelled")])
        self._setup_table(self.label_sets_table)
        self.label_sets_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        sets_layout.addWidget(self.label_sets_table, 1)
        buttons = QVBoxLayout()
        self._button(self.tr("Add…"), self.add_label_set_interactive, buttons)
        self.label_set_buttons = [
            self._button(self.tr("Rename…"), self.rename_label_set_interactive, buttons),
            self._button(self.tr("Single / multi…"), self.toggle_multi_label_interactive, buttons),
            self._button(self.tr("Remove…"), self.remove_label_set_interactive, buttons),
        ]
        buttons.addStretch(1)
        sets_layout.addLayout(buttons)
        layout.addWidget(sets_box, 1)
        classes_box = QGroupBox(self.tr("Classes of the selected set"))
        classes_layout = QHBoxLayout(classes_box)
        self.label_classes_table = QTableWidget(0, 3)
        self.label_classes_table.setObjectName("labelSetClassesTable")
        self.label_classes_table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("Name"), self.tr("Documents")])
        self._setup_table(self.label_classes_table)
        classes_layout.addWidget(self.label_classes_table, 1)
        buttons = QVBoxLayout()
        self.label_class_buttons = [
            self._button(self.tr("Add…"), self.add_label_class_interactive, buttons),
            self._button(self.tr("Rename…"), self.rename_label_class_interactive, buttons),
            self._button(self.tr("Remove…"), self.remove_label_class_interactive, buttons),
        ]
        buttons.addStretch(1)
        classes_layout.addLayout(buttons)
        layout.addWidget(classes_box, 1)
        self.label_sets_table.currentCellChanged.connect(lambda *_: self._refresh_label_classes())
        self.label_classes_table.itemChanged.connect(lambda item: self._key_edited(self.label_classes_table, item))

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
            self._refresh_entity_sentiment()
            self._refresh_label_sets()
        finally:
            self._refreshing = False

    def _refresh_entity_sentiment(self) -> None:
        on = self.store.has_entity_sentiment()
        self.entity_sentiment_check.setChecked(on)
        polarities = self.store.entity_sentiment_classes() if on else []
        counts = self.store.count_span_sentiments() if on else {}
        self.polarity_table.setRowCount(len(polarities))
        for row, c in enumerate(polarities):
            name_item = QTableWidgetItem(c.name)
            name_item.setData(Qt.ItemDataRole.UserRole, c.name)
            self._fill_row(self.polarity_table, row, [_key_item(c.key), name_item,
                                                      QTableWidgetItem(str(counts.get(c.name, 0)))])
        self.polarity_table.setEnabled(on)
        for b in self.polarity_buttons:
            b.setEnabled(on)

    def _refresh_label_sets(self) -> None:
        current = self.selected_label_set()
        sets = self.store.label_sets()
        counts = self._label_counts()
        self.label_sets_table.setRowCount(len(sets))
        for row, label_set in enumerate(sets):
            name_item = QTableWidgetItem(label_set.name)
            name_item.setData(Qt.ItemDataRole.UserRole, label_set.name)
            kind = self.tr("multi-label") if label_set.multi_label else self.tr("single-label")
            self._fill_row(self.label_sets_table, row, [name_item, QTableWidgetItem(kind), QTableWidgetItem(
                str(self._labelled_documents(label_set.name)))])
        names = [x.name for x in sets]
        if names:
            row = names.index(current) if current in names else 0
            self.label_sets_table.setCurrentCell(row, 0)
        self._refresh_label_classes(counts)
        for b in self.label_set_buttons:
            b.setEnabled(bool(sets))

    def _refresh_label_classes(self, counts: dict[str, dict[str, int]] | None = None) -> None:
        was_refreshing, self._refreshing = self._refreshing, True
        try:
            name = self.selected_label_set()
            label_set = self.store.label_set(name) if name is not None else None
            classes = label_set.classes if label_set is not None else ()
            counts = counts if counts is not None else self._label_counts()
            of_set = counts.get(name or "", {})
            self.label_classes_table.setRowCount(len(classes))
            for row, c in enumerate(classes):
                name_item = QTableWidgetItem(c.name)
                name_item.setData(Qt.ItemDataRole.UserRole, c.name)
                self._fill_row(self.label_classes_table, row, [_key_item(c.key), name_item,
                                                               QTableWidgetItem(str(of_set.get(c.name, 0)))])
            for b in self.label_class_buttons:
                b.setEnabled(label_set is not None)
        finally:
            self._refreshing = was_refreshing

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
        # (owner, name, key) of every label sharing the keys; owner is the label set for a set's class.
        labels: list[tuple[str | None, str, str | None]]
        if table is self.types_table:
            labels = [(None, t.name, t.key) for t in self.store.entity_types()]
            alphabet, set_key = ENTITY_KEYS, lambda _owner, n, k: self.store.set_entity_type_key(n, k)
        elif table is self.classes_table:
            labels = [(None, c.name, c.key) for c in self.store.sentiment_classes()]
            alphabet, set_key = SENTIMENT_KEYS, lambda _owner, n, k: self.store.set_sentiment_class_key(n, k)
        elif table is self.polarity_table:
            labels = [(None, c.name, c.key) for c in self.store.entity_sentiment_classes()]
            alphabet = ENTITY_SENTIMENT_KEYS
            set_key = lambda _owner, n, k: self.store.set_entity_sentiment_class_key(n, k)  # noqa: E731
        else:
            # The classes of every further label set share one pool of keys.
            labels = [(x.name, c.name, c.key) for x in self.store.label_sets() for c in x.classes]
            alphabet, set_key = LABEL_SET_KEYS, self.store.set_label_set_class_key
        owner = self.selected_label_set() if table is self.label_classes_table else None
        new = item.text().strip().upper() or None
        old = next(key for o, n, key in labels if n == name and o == owner)
        if new == old:
            return
        if new is not None and new not in alphabet:
            self._error(ValidationError(self.tr("The key of “{name}” must be one of {keys}.").format(
                name=name, keys=" ".join(alphabet))))
            self.refresh()
            return
        other = next(((o, n) for o, n, key in labels if key == new and (o, n) != (owner, name)), None)
        # Undo swaps back through the other label when there was one (it gets `new`, this one `old`).
        if other is not None:
            def revert() -> None:
                set_key(other[0], other[1], new)
        else:
            def revert() -> None:
                set_key(owner, name, old)
        self._push(self.tr("Key {key} for {name}").format(key=new or "–", name=name),
                   lambda: set_key(owner, name, new), revert)

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

    # ---- entity sentiment ---------------------------------------------------------------------------------

    def set_entity_sentiment(self, on: bool) -> bool:
        """Switch the task on (undoable: it adds classes, no labels) or off (clears every entity's
        polarity after confirming with the count; cannot be undone)."""
        if on == self.store.has_entity_sentiment():
            return True
        if on:
            self._push(self.tr("Switch on entity sentiment"),
                       lambda: self.store.enable_entity_sentiment(DEFAULT_POLARITIES),
                       self.store.disable_entity_sentiment)
            return True
        n = sum(self.store.count_span_sentiments().values())
        if not self.confirm(self.tr("Switch off entity sentiment"), self.tr(
                "Stop labelling the sentiment toward each entity?\n\n{n} entities lose their polarity (the "
                "entities themselves stay). This cannot be undone.").format(n=n)):
            self.refresh()
            return False
        self.store.disable_entity_sentiment()
        self._changed(True)
        return True

    def add_polarity(self, name: str) -> bool:
        try:
            name = check_label_form(name)
            if name in self.store.entity_sentiment_class_names():
                raise ValidationError(self.tr("A polarity named “{name}” already exists.").format(name=name))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Add polarity {name}").format(name=name),
                   lambda: self.store.add_entity_sentiment_class(name),
                   lambda: self.store.remove_entity_sentiment_class(name))
        return True

    def rename_polarity(self, old: str, new: str) -> bool:
        n = self.store.count_span_sentiments().get(old, 0)
        if not self.confirm(self.tr("Rename polarity"), self.tr(
                "Rename “{old}” to “{new}”? Its {n} entities take the new name.").format(old=old, new=new, n=n)):
            return False
        try:
            new = check_label_form(new)
            if new in self.store.entity_sentiment_class_names():
                raise ValidationError(self.tr("A polarity named “{name}” already exists.").format(name=new))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Rename polarity {old} → {new}").format(old=old, new=new),
                   lambda: self.store.rename_entity_sentiment_class(old, new),
                   lambda: self.store.rename_entity_sentiment_class(new, old))
        return True

    def remove_polarity(self, name: str) -> bool:
        n = self.store.count_span_sentiments().get(name, 0)
        if not self.confirm(self.tr("Remove polarity"), self.tr(
                "Remove the polarity “{name}”?\n\n{n} entities lose it and are unlabelled for entity sentiment "
                "(the entities stay). This cannot be undone.").format(name=name, n=n)):
            return False
        self.store.remove_entity_sentiment_class(name)
        self._changed(True)
        return True

    def add_polarity_interactive(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Add polarity"), self.tr("Name (no spaces, e.g. conflict):"))
        if ok and name.strip():
            self.add_polarity(name)

    def rename_polarity_interactive(self) -> None:
        old = self._selected(self.polarity_table)
        if old is None:
            return
        new, ok = QInputDialog.getText(self, self.tr("Rename polarity"), self.tr("New name:"), text=old)
        if ok and new.strip() and new.strip() != old:
            self.rename_polarity(old, new.strip())

    def remove_polarity_interactive(self) -> None:
        name = self._selected(self.polarity_table)
        if name is not None:
            self.remove_polarity(name)

    # ---- document label sets ------------------------------------------------------------------------------

    def _label_counts(self) -> dict[str, dict[str, int]]:
        """Gold labels per label set and class."""
        return self.store.document_label_counts()

    def _labelled_documents(self, label_set: str) -> int:
        return self.store.count_filtered(task=label_set, labelled=True)

    def selected_label_set(self) -> str | None:
        row = self.label_sets_table.currentRow()
        item = self.label_sets_table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def select_label_set(self, name: str) -> None:
        for row in range(self.label_sets_table.rowCount()):
            if self.label_sets_table.item(row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.label_sets_table.setCurrentCell(row, 0)
                return

    def add_label_set(self, name: str, *, multi_label: bool = False, classes: tuple[str, ...] = ()) -> bool:
        try:
            name = check_task_name(name)
            if name in [x.name for x in self.store.label_sets()]:
                raise ValidationError(self.tr("A label set named “{name}” already exists.").format(name=name))
            classes = tuple(dict.fromkeys(check_label_form(c) for c in classes))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Add label set {name}").format(name=name),
                   lambda: self.store.add_label_set(name, multi_label=multi_label, classes=classes),
                   lambda: self.store.remove_label_set(name))
        self.select_label_set(name)
        return True

    def rename_label_set(self, old: str, new: str) -> bool:
        n = self._labelled_documents(old)
        if not self.confirm(self.tr("Rename label set"), self.tr(
                "Rename the label set “{old}” to “{new}”? Its labels on {n} documents are kept under the new "
                "name; a model trained before knows it by the old one.").format(old=old, new=new, n=n)):
            return False
        try:
            new = check_task_name(new)
            if new in [x.name for x in self.store.label_sets()]:
                raise ValidationError(self.tr("A label set named “{name}” already exists.").format(name=new))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Rename label set {old} → {new}").format(old=old, new=new),
                   lambda: self.store.rename_label_set(old, new), lambda: self.store.rename_label_set(new, old))
        self.select_label_set(new)
        return True

    def remove_label_set(self, name: str) -> bool:
        counts = self._label_counts().get(name, {})
        text = self.tr("Remove the label set “{name}” with its classes?\n\n{labels} gold labels on {docs} documents "
                       "are deleted (and its model suggestions). This cannot be undone.").format(
            name=name, labels=sum(counts.values()), docs=self._labelled_documents(name))
        if not self.confirm(self.tr("Remove label set"), text):
            return False
        self.store.remove_label_set(name)
        self._changed(True)
        return True

    def set_multi_label(self, name: str, multi_label: bool) -> bool:
        """Switch a set between single- and multi-label (undoable). Single-label again needs every
        document to have at most one of its labels: the store refuses otherwise, and says so."""
        label_set = self.store.label_set(name)
        if label_set.multi_label == multi_label:
            return True
        text = (self.tr("{name}: multi-label") if multi_label else self.tr("{name}: single-label")).format(name=name)
        failed: list[str] = []
        catch = self.notifier.failed.connect(failed.append)
        try:
            self._push(text, lambda: self.store.set_label_set_multi_label(name, multi_label),
                       lambda: self.store.set_label_set_multi_label(name, not multi_label))
        finally:
            self.notifier.failed.disconnect(catch)
        if failed:
            self._error(ValidationError(failed[0]))
            return False
        return True

    def add_label_class(self, label_set: str, name: str) -> bool:
        try:
            name = check_label_form(name)
            if name in self.store.label_set(label_set).class_names:
                raise ValidationError(self.tr("{set} already has a class named “{name}”.").format(
                    set=label_set, name=name))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Add class {name} to {set}").format(name=name, set=label_set),
                   lambda: self.store.add_label_set_class(label_set, name),
                   lambda: self.store.remove_label_set_class(label_set, name))
        return True

    def rename_label_class(self, label_set: str, old: str, new: str) -> bool:
        n = self._label_counts().get(label_set, {}).get(old, 0)
        if not self.confirm(self.tr("Rename class"), self.tr(
                "Rename “{old}” of {set} to “{new}”? Its {n} documents take the new name.").format(
                old=old, set=label_set, new=new, n=n)):
            return False
        try:
            new = check_label_form(new)
            if new in self.store.label_set(label_set).class_names:
                raise ValidationError(self.tr("{set} already has a class named “{name}”.").format(
                    set=label_set, name=new))
        except ValidationError as e:
            self._error(e)
            return False
        self._push(self.tr("Rename {set} class {old} → {new}").format(set=label_set, old=old, new=new),
                   lambda: self.store.rename_label_set_class(label_set, old, new),
                   lambda: self.store.rename_label_set_class(label_set, new, old))
        return True

    def remove_label_class(self, label_set: str, name: str) -> bool:
        n = self._label_counts().get(label_set, {}).get(name, 0)
        if not self.confirm(self.tr("Remove class"), self.tr(
                "Remove the class “{name}” of {set}?\n\n{n} documents lose this label (a document left with "
                "none of the set's labels becomes unlabelled for {set}). This cannot be undone.").format(
                name=name, set=label_set, n=n)):
            return False
        self.store.remove_label_set_class(label_set, name)
        self._changed(True)
        return True

    def add_label_set_interactive(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Add label set"),
                                        self.tr("Name (no spaces, e.g. topic or urgency):"))
        if not ok or not name.strip():
            return
        single, multi = self.tr("Single-label: one class per document"), self.tr("Multi-label: any number of classes")
        kind, ok = QInputDialog.getItem(self, self.tr("Add label set"), self.tr("Kind:"), [single, multi], 0, False)
        if not ok:
            return
        classes, ok = QInputDialog.getText(self, self.tr("Add label set"),
                                           self.tr("Classes, separated by commas (more can be added later):"))
        if ok:
            self.add_label_set(name, multi_label=kind == multi,
                               classes=tuple(c.strip() for c in classes.split(",") if c.strip()))

    def rename_label_set_interactive(self) -> None:
        old = self.selected_label_set()
        if old is None:
            return
        new, ok = QInputDialog.getText(self, self.tr("Rename label set"), self.tr("New name:"), text=old)
        if ok and new.strip() and new.strip() != old:
            self.rename_label_set(old, new.strip())

    def toggle_multi_label_interactive(self) -> None:
        name = self.selected_label_set()
        if name is not None:
            self.set_multi_label(name, not self.store.label_set(name).multi_label)

    def remove_label_set_interactive(self) -> None:
        name = self.selected_label_set()
        if name is not None:
            self.remove_label_set(name)

    def add_label_class_interactive(self) -> None:
        label_set = self.selected_label_set()
        if label_set is None:
            return
        name, ok = QInputDialog.getText(self, self.tr("Add class"), self.tr("Name of the new class of {set}:").format(
            set=label_set))
        if ok and name.strip():
            self.add_label_class(label_set, name)

    def rename_label_class_interactive(self) -> None:
        label_set, old = self.selected_label_set(), self._selected(self.label_classes_table)
        if label_set is None or old is None:
            return
        new, ok = QInputDialog.getText(self, self.tr("Rename class"), self.tr("New name:"), text=old)
        if ok and new.strip() and new.strip() != old:
            self.rename_label_class(label_set, old, new.strip())

    def remove_label_class_interactive(self) -> None:
        label_set, name = self.selected_label_set(), self._selected(self.label_classes_table)
        if label_set is not None and name is not None:
            self.remove_label_class(label_set, name)
