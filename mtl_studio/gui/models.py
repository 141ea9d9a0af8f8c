"""Qt item models over the project store.

`DocumentListModel` is a thin adapter: it never holds the documents, only the ids and light rows that
the view has asked for so far. Rows arrive in pages through canFetchMore/fetchMore (the view asks as it
scrolls), so opening a project of 100k documents costs one page query, not 100k rows.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
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


def filter_label(key: str) -> str:
    labels = {
        FILTER_ALL: QCoreApplication.translate("DocumentFilters", "All documents"),
        FILTER_UNLABELLED_NER: QCoreApplication.translate("DocumentFilters", "Unlabelled for NER"),
        FILTER_UNLABELLED_SENTIMENT: QCoreApplication.translate("DocumentFilters", "Unlabelled for sentiment"),
        FILTER_SILVER: QCoreApplication.translate("DocumentFilters", "With silver labels"),
        FILTER_ERRORS: QCoreApplication.translate("DocumentFilters", "Errors of the latest run"),
    }
    return labels[key]


@dataclass
class DocumentQuery:
    """What the list shows: one of FILTERS plus an optional text search."""

    filter: str = FILTER_ALL
    search: str = ""

    def store_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"search": self.search or None}
        if self.filter == FILTER_UNLABELLED_NER:
            kw.update(task="ner", labelled=False)
        elif self.filter == FILTER_UNLABELLED_SENTIMENT:
            kw.update(task="sentiment", labelled=False)
        elif self.filter == FILTER_SILVER:
            kw.update(source_filter="silver")
        return kw


def count_matching(project: str, query: DocumentQuery) -> int:
    """How many documents match `query`, with a connection of the calling thread (for a worker)."""
    store = ProjectStore.open(project)
    try:
        return store.count_filtered(**query.store_kwargs())
    finally:
        store.close()


class DocumentListModel(QAbstractTableModel):
    """Documents of a project, filtered and searched, fetched a page at a time."""

    COL_ID, COL_TEXT, COL_NER, COL_SENTIMENT, COL_SPLIT, COL_SOURCE = range(6)
    DOC_ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store: ProjectStore | None = None
        self.query = DocumentQuery()
        self._rows: list[dict[str, Any]] = []
        self._ids: list[int] = []  # ids of the loaded rows, ascending (rows are in id order)
        self._exhausted = True
        self._all_ids: list[int] | None = None  # full id list, only computed when needed (errors, jumps)
        self._total: int | None = None

    # ---- configuration ---------------------------------------------------------------------------

    def set_store(self, store: ProjectStore | None) -> None:
        self.store = store
        self.refresh()

    def set_query(self, query: DocumentQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        """Drop what is loaded and start again from the first page (the view fetches it)."""
        self.beginResetModel()
        self._rows, self._ids = [], []
        self._all_ids = None
        self._total = None
        self._exhausted = self.store is None
        if self.store is not None and self.query.filter == FILTER_ERRORS:
            self._all_ids = error_document_ids(self.store, search=self.query.search or None)
        self.endResetModel()

    def cached_total(self) -> int | None:
        """The count when already known (no query), else None."""
        if self._total is None and self._all_ids is not None:
            self._total = len(self._all_ids)
        if self._total is None and self._exhausted:
            self._total = len(self._rows)
        return self._total

    def set_total(self, total: int) -> None:
        """A count made elsewhere (a worker thread) for the current query."""
        self._total = total

    def total(self) -> int:
        """How many documents match the query (one COUNT query, cached until refresh)."""
        if self.store is None:
            return 0
        if self._total is None:
            if self._all_ids is not None:
                self._total = len(self._all_ids)
            else:
                self._total = self.store.count_filtered(**self.query.store_kwargs())
        return self._total

    # ---- lazy fetching ----------------------------------------------------------------------------

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self.store is None:
            return
        self._fetch(PAGE)

    def _fetch(self, count: int) -> None:
        assert self.store is not None
        offset = len(self._ids)
        if self._all_ids is not None:
            ids = self._all_ids[offset:offset + count]
        else:
            ids = self.store.document_ids(offset=offset, limit=count, **self.query.store_kwargs())
        if len(ids) < count:
            self._exhausted = True
        if not ids:
            return
        rows = self.store.document_rows(ids)
        self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
        self._rows.extend(rows)
        self._ids.extend(r["id"] for r in rows)
        self.endInsertRows()

    def row_of(self, doc_id: int, *, fetch: bool = True) -> int | None:
        """Row of a document in the current list, loading pages up to it when needed; None if filtered out."""
        i = bisect_left(self._ids, doc_id)
        if i < len(self._ids) and self._ids[i] == doc_id:
            return i
        if not fetch or self._exhausted or self.store is None:
            return None
        if self._all_ids is None:
            self._all_ids = self.store.document_ids(**self.query.store_kwargs())
        j = bisect_left(self._all_ids, doc_id)
        if j >= len(self._all_ids) or self._all_ids[j] != doc_id:
            return None
        self._fetch(j + 1 - len(self._ids) + PAGE)
        return self.row_of(doc_id, fetch=False)

    def doc_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def refresh_document(self, doc_id: int) -> None:
        """Re-read one row after an edit (the row stays even if it no longer matches the filter)."""
        row = self.row_of(doc_id, fetch=False)
        if row is None or self.store is None:
            return
        fresh = self.store.document_rows([doc_id])
        if not fresh:
            return
        self._rows[row] = fresh[0]
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # ---- Qt model interface ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [self.tr("#"), self.tr("Text"), self.tr("NER"), self.tr("Sentiment"), self.tr("Split"),
                self.tr("Source")][section]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
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
