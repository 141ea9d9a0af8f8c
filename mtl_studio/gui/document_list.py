"""The document list dock: filter, search as you type, the table (paged by the model), a count line.

A click shows the document and leaves the keyboard in the list (arrows, PageUp/PageDown, Home/End move
through it); Enter or a double click opens it in the editor.

The order: document order (id), a column's (a click on the #, Text or Split header), or "most useful
next" by an active-learning strategy: the documents the "Most useful next" dock ranked first, by rank,
then the rest in id order, under the same filter and search. Any order but id order is read whole on a
worker (ProjectStore.ranked_document_ids, ids only) and the rows still come a page at a time.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget,
)

from mtl_studio.core import active_learning as al
from mtl_studio.core.store import ProjectStore

from .background import BackgroundTasks
from .models import (
    FILTER_ALL, FILTER_ERRORS, FILTER_SILVER, FILTERS, SORT_ID, SORT_SPLIT, SORT_TEXT, DocumentListModel, DocumentQuery,
    ErrorList, ListOrder, count_matching, errors_matching, filter_label, order_matching, task_filter,
)
from .strategy_names import strategy_title

DOCUMENT_ORDER = ""  # the order combo's key for id order; the other keys are al.STRATEGIES
# States of a "most useful next" order (set_ranking).
RANKED, RANKING, NO_SCORES = "ranked", "ranking", "no-scores"
_COLUMN_SORTS = {DocumentListModel.COL_ID: SORT_ID, DocumentListModel.COL_TEXT: SORT_TEXT,
                 DocumentListModel.COL_SPLIT: SORT_SPLIT}


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
    orderChosen = Signal(str)  # the user chose an order: DOCUMENT_ORDER or a strategy key

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
        self.order_combo = QComboBox()
        self.order_combo.setObjectName("documentOrder")
        self.order_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.order_combo.setMinimumContentsLength(10)
        self.order_combo.addItem(self.tr("Document order"), DOCUMENT_ORDER)
        for key in al.STRATEGIES:
            self.order_combo.addItem(self.tr("Most useful next: {strategy}").format(strategy=strategy_title(key)), key)
        self.order_combo.setToolTip(self.tr("In which order to list the documents; J, K and N follow it"))
        layout.addLayout(row)
        layout.addWidget(self.order_combo)  # a row of its own: beside the filter it would widen the dock
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
        header.setSectionsClickable(True)  # a click on #, Text or Split sorts by it
        header.setSortIndicatorShown(False)
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
        self._sort = SORT_ID
        # The "most useful next" order: (strategy, its ranked ids, state, the run whose scores) or None.
        self._ranking: tuple[str, tuple[int, ...], str, str | None] | None = None
        self.count_label = QLabel()
        self.count_label.setObjectName("documentCount")
        self.count_label.setStyleSheet("color: #666;")
        self.count_label.setWordWrap(True)  # the order's note must not widen the dock
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)  # search as you type, without a query per key press
        self._search_timer.timeout.connect(self._apply_query)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.filter_combo.currentIndexChanged.connect(lambda _i: self._apply_query())
        self.order_combo.activated.connect(lambda _i: self.orderChosen.emit(str(self.order_combo.currentData())))
        header.sectionClicked.connect(self._on_header_clicked)
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
        self._ranking = None  # another project's ranked ids mean nothing here
        self._set_sort(SORT_ID)
        self.order_combo.setCurrentIndex(0)
        self.model.query = self._query(self.filter_combo.currentData() or FILTER_ALL)
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
            self.model.query = self._query(FILTER_ALL)

    def set_filter(self, key: str) -> None:
        i = self.filter_combo.findData(key)
        if i >= 0:
            self.filter_combo.setCurrentIndex(i)

    # ---- the order ----------------------------------------------------------------------------------

    def set_ranking(self, strategy: str | None, ranked: Sequence[int] | None = None, *, state: str = RANKED,
                    run_id: str | None = None) -> None:
        """List in the "most useful next" order of `strategy` (None: document order): `ranked` first (the
        dock's order, best first) when state is RANKED; in document order while RANKING or when there
        are NO_SCORES, which the count line says."""
        ranking = None if strategy is None else (strategy, tuple(ranked or ()) if state == RANKED else (), state,
                                                 run_id)
        if ranking == self._ranking:
            return
        self._ranking = ranking
        if ranking is not None:
            self._set_sort(SORT_ID)
        self.order_combo.blockSignals(True)
        try:
            self.order_combo.setCurrentIndex(max(0, self.order_combo.findData(strategy or DOCUMENT_ORDER)))
        finally:
            self.order_combo.blockSignals(False)
        self._apply_query()

    def ranking_strategy(self) -> str | None:
        """The strategy of the "most useful next" order shown (None: document or column order)."""
        return self._ranking[0] if self._ranking is not None else None

    def shows_ranked_order(self) -> bool:
        """The rows are in a strategy's ranked order (read and shown): J/K/N move through them."""
        return (self._ranking is not None and bool(self._ranking[1]) and self.model.query.ranked == self._ranking[1]
                and self.model.cached_total() is not None)

    def _on_header_clicked(self, section: int) -> None:
        sort = _COLUMN_SORTS.get(section)
        if sort is None:
            return
        if self._ranking is not None:
            self._ranking = None
            self.order_combo.setCurrentIndex(0)
            self.orderChosen.emit(DOCUMENT_ORDER)  # the dock stops following too
        self._set_sort(sort)
        self._apply_query()

    def _set_sort(self, sort: str) -> None:
        self._sort = sort
        header = self.table.horizontalHeader()
        if sort == SORT_ID:
            header.setSortIndicatorShown(False)
            return
        column = next(c for c, s in _COLUMN_SORTS.items() if s == sort)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, Qt.SortOrder.AscendingOrder)

    def _query(self, filter_key: str) -> DocumentQuery:
        ranked = self._ranking[1] if self._ranking is not None else ()
        return DocumentQuery(filter_key, self.search.text().strip(), ranked, self._sort)

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
        self.model.set_query(self._query(self.filter_combo.currentData() or FILTER_ALL))
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
        text = self.tr("{total} documents").format(total=f"{total:,}")
        note = self._order_note()
        self.count_label.setText(f"{text} · {note}" if note else text)

    def _order_note(self) -> str:
        if self._ranking is None:
            return ""
        strategy, _ranked, state, run_id = self._ranking
        title = strategy_title(strategy)
        if state == RANKING:
            return self.tr("ranking by {strategy}…; document order until then").format(strategy=title)
        if state == NO_SCORES:
            source = self.tr("run {run}").format(run=run_id) if run_id else self.tr("any trained model")
            return self.tr("no scores stored for {source} yet: document order").format(source=source)
        n = self.model.ranked_rows()
        if run_id is None:
            return self.tr("{n} in random order first (no trained model yet)").format(n=f"{n:,}")
        return self.tr("{n} ranked by {strategy} first (run {run})").format(n=f"{n:,}", strategy=title, run=run_id)

    def _request_count(self) -> None:
        store = self.model.store
        if store is None or self._count_pending == self._generation:
            return
        generation = self._count_pending = self._generation
        project, query = str(store.path), dataclasses.replace(self.model.query)

        def counted(result: int | ListOrder | ErrorList) -> None:
            if generation == self._generation:
                if isinstance(result, ErrorList):
                    self.model.set_error_ids(result)
                elif isinstance(result, ListOrder):
                    self.model.set_order(result)
                else:
                    self.model.set_total(result)
                self._update_count()
                reselect, self._reselect = self._reselect, None
                if reselect is not None:
                    self.select_doc(reselect, emit=False)

        if query.filter == FILTER_ERRORS:
            self.tasks.run(lambda: errors_matching(project, query), counted, lambda _e: None)
        elif query.ordered():
            # The whole order (ids only) on the worker: sorting 100k documents per page would stall paging.
            self.tasks.run(lambda: order_matching(project, query), counted, lambda _e: None)
        else:
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
