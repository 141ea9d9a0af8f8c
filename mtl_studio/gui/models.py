"""Qt item models over the project store.

`DocumentListModel` is a thin adapter: it never holds the documents, only the light rows the view has
painted so far. Its row count is the number of matching documents (one COUNT), so the scrollbar covers
the whole list from the start; rows are read a page at a time, by position, when the view shows them.
Opening a project of 100k documents costs a COUNT and one page query, not 100k rows.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from mtl_studio.core.review import error_document_ids
from mtl_studio.core.store import ProjectStore

PAGE = 256

# Filter keys (stable strings, stored in settings); labels are translated where shown.
FILTER_ALL = "all"
FILTER_UNLABELLED_NER = "unlabelled_ner"
FILTER_UNLABELLED_SENTIMENT = "unlabelled_sentiment"
FILTER_SILVER = "silver"
FILTER_ERRORS = "errors"
FILTERS = (FILTER_ALL, FILTER_UNLABELLED_NER, FILTER_UNLABELLED_SENTIMENT, FILTER_SILVER, FILTER_ERRORS)
# "Unlabelled for <task>" / "labelled for <task>" for any task the project declares (store.tasks()); NER's
# and sentiment's "unlabelled" filters keep their old keys (saved settings and scripts name them).
_UNLABELLED_PREFIX, _LABELLED_PREFIX = "unlabelled:", "labelled:"
_OLD_TASK_FILTERS = {FILTER_UNLABELLED_NER: ("ner", False), FILTER_UNLABELLED_SENTIMENT: ("sentiment", False)}


def task_filter(task: str, labelled: bool) -> str:
    """The filter key of the documents (un)labelled for `task`."""
    for key, value in _OLD_TASK_FILTERS.items():
        if value == (task, labelled):
            return key
    return (_LABELLED_PREFIX if labelled else _UNLABELLED_PREFIX) + task


def parse_task_filter(key: str) -> tuple[str, bool] | None:
    """(task, labelled) of a task filter key; None for the other filters."""
    if key in _OLD_TASK_FILTERS:
        return _OLD_TASK_FILTERS[key]
    for prefix, labelled in ((_UNLABELLED_PREFIX, False), (_LABELLED_PREFIX, True)):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):], labelled
    return None


def task_title(task: str) -> str:
    """A task's name as the lists show it: the built-in ones translated, a label set's as the user named it."""
    titles = {
        "ner": QCoreApplication.translate("DocumentFilters", "NER"),
        "sentiment": QCoreApplication.translate("DocumentFilters", "sentiment"),
        "entity_sentiment": QCoreApplication.translate("DocumentFilters", "entity sentiment"),
    }
    return titles.get(task, task)


def filter_label(key: str) -> str:
    parsed = parse_task_filter(key)
    if parsed is not None and key not in _OLD_TASK_FILTERS:
        task, labelled = parsed
        text = (QCoreApplication.translate("DocumentFilters", "Labelled for {task}") if labelled
                else QCoreApplication.translate("DocumentFilters", "Unlabelled for {task}"))
        return text.format(task=task_title(task))
    labels = {
        FILTER_ALL: QCoreApplication.translate("DocumentFilters", "All documents"),
        FILTER_UNLABELLED_NER: QCoreApplication.translate("DocumentFilters", "Unlabelled for NER"),
        FILTER_UNLABELLED_SENTIMENT: QCoreApplication.translate("DocumentFilters", "Unlabelled for sentiment"),
        FILTER_SILVER: QCoreApplication.translate("DocumentFilters", "With silver labels"),
        FILTER_ERRORS: QCoreApplication.translate("DocumentFilters", "Errors of the latest run"),
    }
    return labels[key]


# The orders of the rows after the ranked ones (ProjectStore.ranked_document_ids' sort), by column.
SORT_ID, SORT_TEXT, SORT_SPLIT = "id", "text", "split"
NAVIGATION_CHUNK = 256  # "next unlabelled" in a list not in id order asks the store about this many rows first


@dataclass
class DocumentQuery:
    """What the list shows: one of FILTERS plus an optional text search, in id order, or with the
    `ranked` documents first (an active-learning order, best first) and the rest by `sort`."""

    filter: str = FILTER_ALL
    search: str = ""
    ranked: tuple[int, ...] = ()
    sort: str = SORT_ID

    def ordered(self) -> bool:
        """Not in plain id order: the whole order is read once, on a worker (ListOrder)."""
        return bool(self.ranked) or self.sort != SORT_ID

    def store_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"search": self.search or None}
        parsed = parse_task_filter(self.filter)
        if parsed is not None:
            kw.update(task=parsed[0], labelled=parsed[1])
        elif self.filter == FILTER_SILVER:
            kw.update(source_filter="silver")
        return kw


@dataclass(frozen=True)
class ListOrder:
    """The ids of a list not in id order, in list order, read on a worker (order_matching): the list's
    pages, positions and J/K/N then need no query that sorts the documents again."""

    ids: list[int]
    n_ranked: int  # the first n_ranked ids are ranked documents (in rank order), the rest follow by sort
    rows: dict[int, int] = field(default_factory=dict)  # id -> row
    prefix_ranks: list[int] = field(default_factory=list)  # rank (index in query.ranked) of each ranked row


def order_matching(project: str, query: DocumentQuery) -> ListOrder:
    """The order of the documents matching `query`, with a connection of the calling thread (for a
    worker); the errors filter orders its own list (errors_matching)."""
    with ProjectStore.open(project) as store:
        return _order_in(store, query, None)


def _order_in(store: ProjectStore, query: DocumentQuery, among: list[int] | None) -> ListOrder:
    ids, n_ranked = store.ranked_document_ids(query.ranked, among=among, sort=query.sort, **query.store_kwargs())
    rank = {doc_id: i for i, doc_id in enumerate(query.ranked)}
    return ListOrder(ids, n_ranked, {doc_id: row for row, doc_id in enumerate(ids)}, [rank[i] for i in ids[:n_ranked]])


@dataclass(frozen=True)
class ErrorList:
    """The errors filter's documents (ids in id order) and, for an ordered list, their order."""

    ids: list[int]
    order: ListOrder | None


def errors_matching(project: str, query: DocumentQuery) -> ErrorList:
    """On a worker: the documents some run got wrong (matching the search), and their order when the
    list is ordered (one connection for both). It compares every stored prediction with gold: far too
    slow for the GUI thread on a large project."""
    with ProjectStore.open(project) as store:
        ids = error_document_ids(store, search=query.search or None)
        return ErrorList(ids, _order_in(store, query, ids) if query.ordered() else None)


def count_matching(project: str, query: DocumentQuery) -> int:
    """How many documents match `query`, with a connection of the calling thread (for a worker)."""
    with ProjectStore.open(project) as store:
        return store.count_filtered(**query.store_kwargs())


class DocumentListModel(QAbstractTableModel):
    """Documents of a project, filtered and searched; rows read a page at a time by position."""

    COL_ID, COL_TEXT, COL_NER, COL_SENTIMENT, COL_SPLIT, COL_SOURCE = range(6)
    DOC_ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store: ProjectStore | None = None
        self.query = DocumentQuery()
        self._pages: dict[int, list[dict[str, Any]]] = {}  # page number -> its rows, in id order
        self._error_ids: list[int] | None = None  # the errors filter's full id list (not an SQL filter)
        self._total: int | None = None  # None until counted (a filtered COUNT runs on a worker thread)
        self._order: ListOrder | None = None  # the whole order when not in id order (read on a worker)

    # ---- configuration ---------------------------------------------------------------------------

    def set_store(self, store: ProjectStore | None) -> None:
        self.store = store
        self.refresh()

    def set_query(self, query: DocumentQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        """Drop what is loaded and count again. The plain list is counted at once (COUNT(*) is cheap);
        a filtered one shows no rows until set_total() brings its count from a worker."""
        self.beginResetModel()
        self._pages = {}
        self._error_ids = None
        self._total = None
        self._order = None
        if self.store is not None:
            if self.query.filter == FILTER_ERRORS:
                pass  # no rows until set_error_ids() brings the list from a worker (a diff of every run)
            elif self.query.ordered():
                pass  # no rows until set_order() brings the whole order from a worker
            elif self.query.filter == FILTER_ALL and not self.query.search:
                self._total = self.store.count_documents()
        self.endResetModel()

    def cached_total(self) -> int | None:
        """The count when already known (no query), else None."""
        return self._total

    def filter_ids(self) -> list[int] | None:
        """The ids the filter allows when it is a list (the errors filter), not an SQL filter."""
        return self._error_ids

    def set_error_ids(self, found: "ErrorList") -> None:
        """The errors filter's documents, found on a worker (errors_matching): its rows appear."""
        self._error_ids = found.ids
        if found.order is not None:
            self.set_order(found.order)
        else:
            self.set_total(len(found.ids))

    def waiting_for_filter(self) -> bool:
        """The errors filter's list is still being read: no row and no navigation yet."""
        return self.query.filter == FILTER_ERRORS and self._error_ids is None

    def set_order(self, order: ListOrder) -> None:
        """The whole order of the current (ordered) query, read on a worker: its rows appear."""
        self._pages = {}
        self._order = order
        if self._total is None and order.ids:
            self.beginInsertRows(QModelIndex(), 0, len(order.ids) - 1)
            self._total = len(order.ids)
            self.endInsertRows()
            return
        self.beginResetModel()
        self._total = len(order.ids)
        self.endResetModel()

    def ranked_rows(self) -> int:
        """How many rows at the top are ranked documents (0 in id order)."""
        return self._order.n_ranked if self._order is not None else 0

    def set_total(self, total: int) -> None:
        """A count made elsewhere (a worker thread) for the current query: its rows appear."""
        if total == self._total:
            return
        if self._total is None:
            if total:
                self.beginInsertRows(QModelIndex(), 0, total - 1)
                self._total = total
                self.endInsertRows()
            else:
                self._total = 0
            return
        self.beginResetModel()
        self._pages = {}
        self._total = total
        self.endResetModel()

    def total(self) -> int:
        """How many documents match the query (counted here when not known yet)."""
        if self.store is None:
            return 0
        if self._total is None:
            self.set_total(self.store.count_filtered(**self.query.store_kwargs()))
        return self._total or 0

    # ---- rows by position ------------------------------------------------------------------------

    def _page(self, number: int) -> list[dict[str, Any]]:
        rows = self._pages.get(number)
        if rows is not None or self.store is None:
            return rows or []
        if self._order is not None:
            ids = self._order.ids[number * PAGE:(number + 1) * PAGE]
        elif self.query.ordered():
            return []  # the order is still being read
        elif self._error_ids is not None:
            ids = self._error_ids[number * PAGE:(number + 1) * PAGE]
        else:
            previous = self._pages.get(number - 1)
            if previous and len(previous) == PAGE:
                # The page after a loaded one starts after its last id: no OFFSET to skip rows through.
                ids = self.store.document_ids(after_id=previous[-1]["id"], limit=PAGE, **self.query.store_kwargs())
            else:
                ids = self.store.document_ids(offset=number * PAGE, limit=PAGE, **self.query.store_kwargs())
        rows = self.store.document_rows(ids)  # in id order
        if self._order is not None:
            by_id = {r["id"]: r for r in rows}
            rows = [by_id[i] for i in ids if i in by_id]
        self._pages[number] = rows
        return rows

    def _row(self, row: int) -> dict[str, Any] | None:
        if not 0 <= row < self.rowCount():
            return None
        page = self._page(row // PAGE)
        offset = row % PAGE
        return page[offset] if offset < len(page) else None

    def loaded_rows(self) -> int:
        """How many rows have been read from the store so far (the rest are read when shown)."""
        return sum(len(rows) for rows in self._pages.values())

    def position(self, doc_id: int) -> tuple[int, bool]:
        """(rows before the document's place in the list, whether it is in the list)."""
        loaded = self._loaded_row_of(doc_id)
        if loaded is not None:
            return loaded, True  # no query: J/K from a row on screen
        if self._order is not None:
            return self._order_position(doc_id)
        if self._error_ids is not None:
            i = bisect_left(self._error_ids, doc_id)
            return i, i < len(self._error_ids) and self._error_ids[i] == doc_id
        if self.store is None or self.waiting_for_filter():
            return 0, False
        return self.store.document_position(doc_id, **self.query.store_kwargs())

    def _order_position(self, doc_id: int) -> tuple[int, bool]:
        order = self._order
        assert order is not None
        row = order.rows.get(doc_id)
        if row is not None:
            return row, True
        # Hidden by the filter: where it would stand. Among the ranked rows by its rank, among the rest
        # by id (in a column sort there is no such place: from the top).
        try:
            return bisect_left(order.prefix_ranks, self.query.ranked.index(doc_id)), False
        except ValueError:
            pass
        if self.query.sort != SORT_ID:
            return 0, False
        return bisect_left(order.ids, doc_id, lo=order.n_ranked), False

    def row_of(self, doc_id: int) -> int | None:
        """Row of a document in the current list; None if it is filtered out."""
        row, present = self.position(doc_id)
        return row if present and row < self.rowCount() else None

    def neighbour_row(self, doc_id: int | None, step: int) -> int | None:
        """The row `step` (+1 / -1) away from a document, also when the document itself is filtered out
        (then the nearest matching document in that direction); None past either end."""
        if doc_id is None:
            target = 0 if step > 0 else self.rowCount() - 1
        else:
            row, present = self.position(doc_id)
            target = row + step if present else (row if step > 0 else row - 1)
        return target if 0 <= target < self.rowCount() else None

    def next_unlabelled_row(self, doc_id: int | None) -> int | None:
        """Row of the next document of this list (after `doc_id`, wrapping) that still needs a label."""
        if self.store is None or self.waiting_for_filter():
            return None
        if self._order is not None:
            return self._next_unlabelled_in_order(doc_id)
        target = self.store.next_unlabelled_document_id(doc_id, among=self._error_ids, **self.query.store_kwargs())
        return self.row_of(target) if target is not None else None

    def _next_unlabelled_in_order(self, doc_id: int | None) -> int | None:
        """The first row after `doc_id`'s (wrapping round) that needs a label, asking the store about
        growing chunks of the order so that the usual case (a few rows on) reads a few rows."""
        assert self._order is not None and self.store is not None
        ids = self._order.ids
        if doc_id is None:
            start = 0
        else:
            row, present = self._order_position(doc_id)
            start = row + 1 if present else row
        chunk = NAVIGATION_CHUNK
        for begin, end in ((start, len(ids)), (0, min(start, len(ids)))):
            at = begin
            while at < end:
                found = self.store.first_needing_label(ids[at:min(end, at + chunk)])
                if found is not None:
                    return self._order.rows[found]
                at += chunk
                chunk *= 4
        return None

    def _loaded_row_of(self, doc_id: int) -> int | None:
        if self._order is not None:
            row = self._order.rows.get(doc_id)
            return row if row is not None and row // PAGE in self._pages else None
        for number, rows in self._pages.items():
            if rows and rows[0]["id"] <= doc_id <= rows[-1]["id"]:
                i = bisect_left([r["id"] for r in rows], doc_id)
                if i < len(rows) and rows[i]["id"] == doc_id:
                    return number * PAGE + i
        return None

    def doc_ids_in_rows(self, first: int, last: int) -> list[int]:
        """Ids of rows first..last (one query, also for a selection of the whole 100k list)."""
        first, last = max(first, 0), min(last, self.rowCount() - 1)
        if last < first or self.store is None:
            return []
        if self._order is not None:
            return self._order.ids[first:last + 1]
        if self._error_ids is not None:
            return self._error_ids[first:last + 1]
        return self.store.document_ids(offset=first, limit=last - first + 1, **self.query.store_kwargs())

    def doc_id_at(self, row: int) -> int | None:
        r = self._row(row)
        return r["id"] if r is not None else None

    def refresh_document(self, doc_id: int) -> None:
        """Re-read one row after an edit (the row stays even if it no longer matches the filter)."""
        row = self._loaded_row_of(doc_id)
        if row is None or self.store is None:
            return
        fresh = self.store.document_rows([doc_id])
        if not fresh:
            return
        page = self._pages[row // PAGE]
        if row % PAGE >= len(page) or page[row % PAGE]["id"] != doc_id:
            return
        page[row % PAGE] = fresh[0]
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # ---- Qt model interface ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else (self._total or 0)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [self.tr("#"), self.tr("Text"), self.tr("NER"), self.tr("Sentiment"), self.tr("Split"),
                self.tr("Source")][section]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self._row(index.row()) if index.isValid() else None
        if r is None:
            return None
        col = index.column()
        if role == self.DOC_ID_ROLE:
            return r["id"]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_ID:
                return r["id"]
            if col == self.COL_TEXT:
                return " ".join(r["preview"].split())
            if col == self.COL_NER:
                return self._ner_status(r)
            if col == self.COL_SENTIMENT:
                return r["sentiment"] or "–"
            if col == self.COL_SPLIT:
                return {"train": self.tr("train"), "dev": self.tr("dev"), "test": self.tr("test")}.get(
                    r["split"], r["split"])
            if col == self.COL_SOURCE:
                return r["source"]
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_TEXT:
            return r["preview"]
        if role == Qt.ItemDataRole.ForegroundRole and col in (self.COL_NER, self.COL_SENTIMENT):
            unlabelled = (not r["ner_labelled"]) if col == self.COL_NER else not r["sentiment"]
            if unlabelled:
                return QBrush(QColor("#8a8a8a"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_ID:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _ner_status(self, r: dict[str, Any]) -> str:
        if r["ner_labelled"]:
            status = self.tr("✓ {n}").format(n=r["n_spans"])
        else:
            status = "–"
        if r["silver"]:
            status += " " + self.tr("(silver)")
        return status
