"""The document list dock: filter, search as you type, the table (paged by the model), a count line.

A click shows the document and leaves the keyboard in the list (arrows, PageUp/PageDown, Home/End move
through it); Enter or a double click opens it in the editor."""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget,
)

from mtl_studio.core.store import ProjectStore

from .background import BackgroundTasks
from .models import (
    FILTER_ALL, FILTER_ERRORS, FILTER_SILVER, FILTERS, DocumentListModel, DocumentQuery, count_matching, filter_label,
    task_filter,
)


def filter_keys(tasks: list[str]) -> list[str]:
    """The list's filters for a project's tasks: all, unlabelled for each task, silver, errors, then
    labelled for each task. A project with only NER and sentiment keeps its first five in the old order."""
    return ([FILTER_ALL] + [task_filter(t, False) for t in tasks] + [FILTER_SILVER, FILTER_ERRORS]
            + [task_filter(t, True) for t in tasks])


class DocumentTable(QTableView):
    """A table used as a list: Home and End go to the first and last document (QTableView's own Home
    and End move between the columns of the current row, which the row selection makes invisible)."""

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction,  # noqa: N802, N803 - Qt names
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        if cursorAction in (QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(cursorAction, modifiers)


class DocumentListPanel(QWidget):
    """Filter, search, the document table (rows read by position, a page at a time) and a count line."""

    documentActivated = Signal(int)  # the user picked a document (click / keyboard move)
    documentOpened = Signal(int)  # Enter or double click: edit it (the editor takes the keyboard)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentListPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        row = QHBoxLayout()
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("documentFilter")
        for key in FILTERS:  # until a project is open; set_store() offers the project's tasks
            self.filter_combo.addItem(filter_label(key), key)
        self.filter_combo.setToolTip(self.tr("Which documents to list"))
        row.addWidget(self.filter_combo, 1)
        layout.addLayout(row)
        self.search = QLineEdit()
        self.search.setObjectName("documentSearch")
        self.search.setPlaceholderText(self.tr("Search text…  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)

        self.model = DocumentListModel(self)
        self.table = DocumentTable()
        self.table.setObjectName("documentList")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # several to delete
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DocumentListModel.COL_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        fm = self.table.fontMetrics()
        hfm = header.fontMetrics()
        samples = {DocumentListModel.COL_ID: "000000", DocumentListModel.COL_NER: "✓ 00",
                   DocumentListModel.COL_SENTIMENT: "negative", DocumentListModel.COL_SPLIT: "train",
                   DocumentListModel.COL_SOURCE: "source.txt"}
        for col, sample in samples.items():
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal))
            # Wide enough for a typical value and for the (translated) header, plus the sort/padding room.
            self.table.setColumnWidth(col, max(fm.horizontalAdvance(sample), hfm.horizontalAdvance(title)) + 20)
        self.table.setColumnHidden(DocumentListModel.COL_SOURCE, True)  # View menu shows it
        layout.addWidget(self.table, 1)
        self.tasks = BackgroundTasks(self)
        self._generation = 0
        self._count_pending = -1
        self._reselect: int | None = None  # the document to select again once a filtered count arrives
        self._last_selected: int | None = None  # kept while a filter hides it, to select it again later
        self.count_label = QLabel()
        self.count_label.setObjectName("documentCount")
        self.count_label.setStyleSheet("color: #666;")
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)  # search as you type, without a query per key press
        self._search_timer.timeout.connect(self._apply_query)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.filter_combo.currentIndexChanged.connect(lambda _i: self._apply_query())
        self.table.clicked.connect(self._emit_index)
        self.table.activated.connect(self._open_index)
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        self.table.selectionModel().currentRowChanged.connect(self._remember_current)
        self.model.modelReset.connect(self._on_reset)

    def sizeHint(self) -> QSize:
        # Wide enough for the id, a useful text preview and the status columns without scrolling.
        return QSize(max(440, self.fontMetrics().horizontalAdvance("M") * 36), 600)

    def set_store(self, store: ProjectStore | None) -> None:
        self.model.store = store  # the filters first (a query for a removed label set must not run)
        self.reload_tasks(requery=False)
        self.model.set_store(store)
        self._update_count()

    def reload_tasks(self, *, requery: bool = True) -> None:
        """Offer the filters of the project's current tasks (the schema changed); the chosen filter stays
        when its task still exists, else the list shows all documents."""
        store = self.model.store
        tasks = [t.name for t in store.tasks()] if store is not None else ["ner", "sentiment"]
        keys = filter_keys(tasks)
        current = self.filter_combo.currentData() or FILTER_ALL
        if keys == [self.filter_combo.itemData(i) for i in range(self.filter_combo.count())]:
            return
        self.filter_combo.blockSignals(True)
        try:
            self.filter_combo.clear()
            for key in keys:
                self.filter_combo.addItem(filter_label(key), key)
            i = self.filter_combo.findData(current)
            self.filter_combo.setCurrentIndex(max(i, 0))
        finally:
            self.filter_combo.blockSignals(False)
        if requery and i < 0:
            self._apply_query()
        elif i < 0:
            self.model.query = DocumentQuery(FILTER_ALL, self.search.text().strip())

    def set_filter(self, key: str) -> None:
        i = self.filter_combo.findData(key)
        if i >= 0:
            self.filter_combo.setCurrentIndex(i)

    def reload(self) -> None:
        """Re-read the list with the same filter (documents were deleted, restored or moved)."""
        self._apply_query()

    def selected_doc_ids(self) -> list[int]:
        # By row range, not row by row: Ctrl+A on a 100k list is one selection range.
        ids: set[int] = set()
        for selected in self.table.selectionModel().selection():
            ids.update(self.model.doc_ids_in_rows(selected.top(), selected.bottom()))
        return sorted(ids)

    def _apply_query(self) -> None:
        self._search_timer.stop()
        current = self.current_doc_id() if self.current_doc_id() is not None else self._last_selected
        self.model.set_query(DocumentQuery(self.filter_combo.currentData() or FILTER_ALL, self.search.text().strip()))
        self._reselect = current
        if current is not None and self.model.cached_total() is not None:
            self._reselect = None
            self.select_doc(current, emit=False)

    def _emit_index(self, index: QModelIndex) -> None:
        doc_id = self.model.doc_id_at(index.row())
        if doc_id is not None:
            self.documentActivated.emit(doc_id)

    def _remember_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        doc_id = self.model.doc_id_at(current.row()) if current.isValid() else None
        if doc_id is not None:
            self._last_selected = doc_id

    def _open_index(self, index: QModelIndex) -> None:
        doc_id = self.model.doc_id_at(index.row())
        if doc_id is not None:
            self.documentOpened.emit(doc_id)

    def _update_count(self) -> None:
        if self.model.store is None:
            self.count_label.setText(self.tr("No project open"))
            return
        total = self.model.cached_total()
        if total is None:
            # COUNT over a large filtered project takes tens of milliseconds: never on the GUI thread.
            self.count_label.setText(self.tr("Counting…"))
            self._request_count()
            return
        self.count_label.setText(self.tr("{total} documents").format(total=f"{total:,}"))

    def _request_count(self) -> None:
        store = self.model.store
        if store is None or self._count_pending == self._generation:
            return
        generation = self._count_pending = self._generation
        project, query = str(store.path), dataclasses.replace(self.model.query)

        def counted(n: int) -> None:
            if generation == self._generation:
                self.model.set_total(n)
                self._update_count()
                reselect, self._reselect = self._reselect, None
                if reselect is not None:
                    self.select_doc(reselect, emit=False)

        self.tasks.run(lambda: count_matching(project, query), counted, lambda _e: None)

    def _on_reset(self) -> None:
        self._generation += 1
        self._update_count()

    def current_doc_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.doc_id_at(index.row()) if index.isValid() else None

    def current_row(self) -> int | None:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def select_doc(self, doc_id: int, *, emit: bool = True) -> bool:
        row = self.model.row_of(doc_id)
        if row is None:
            # Hidden by the filter: no row stands for it (J/K then start from where it would be).
            self.table.selectionModel().clear()
            return False
        self.select_row(row, emit=emit)
        return True

    def select_row(self, row: int, *, emit: bool = True) -> None:
        index = self.model.index(row, DocumentListModel.COL_TEXT)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        if emit:
            doc_id = self.model.doc_id_at(row)
            if doc_id is not None:
                self.documentActivated.emit(doc_id)
