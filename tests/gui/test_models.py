"""The document list model: rows by position in pages, filters, search, errors of the latest run, 100k documents."""
from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from mtl_studio.core.review import error_document_ids
from mtl_studio.core.schema import SentimentLabel, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.gui.models import (
    FILTER_ERRORS, FILTER_SILVER, FILTER_UNLABELLED_NER, FILTER_UNLABELLED_SENTIMENT, PAGE, DocumentListModel,
    DocumentQuery, errors_matching,
)


def fetch_all(model: DocumentListModel) -> None:
    """Count a filtered query here (the list panel counts on a worker thread and calls set_total)."""
    model.total()


def column(model: DocumentListModel, col: int) -> list:
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_rows_columns_and_status(qtbot, project_with_span):
    project = project_with_span
    project.set_sentiment(2, "negative")
    model = DocumentListModel()
    model.set_store(project)
    assert model.rowCount() == 4 and model.loaded_rows() == 0  # counted; no row read until shown
    assert column(model, DocumentListModel.COL_ID) == [1, 2, 3, 4]
    assert column(model, DocumentListModel.COL_NER)[:2] == ["✓ 1", "–"]
    assert column(model, DocumentListModel.COL_SENTIMENT)[:2] == ["–", "negative"]
    assert column(model, DocumentListModel.COL_SPLIT) == ["train", "dev", "test", "train"]
    assert model.data(model.index(2, DocumentListModel.COL_TEXT)) == "华为在深圳发布了新手机。"
    assert model.data(model.index(1, 0), DocumentListModel.DOC_ID_ROLE) == 2


def test_filters_and_search(qtbot, project_with_span):
    project = project_with_span
    project.set_sentiment(2, "negative")
    model = DocumentListModel()
    model.set_store(project)
    for query, expected in [
        (DocumentQuery(FILTER_UNLABELLED_NER), [2, 3, 4]),
        (DocumentQuery(FILTER_UNLABELLED_SENTIMENT), [1, 3, 4]),
        (DocumentQuery(search="berlin"), [1, 2]),
        (DocumentQuery(FILTER_UNLABELLED_NER, "berlin"), [2]),
        (DocumentQuery(search="深圳"), [3]),
        (DocumentQuery(FILTER_SILVER), []),
    ]:
        model.set_query(query)
        fetch_all(model)
        assert column(model, 0) == expected, query
        assert model.total() == len(expected)


def test_refresh_document_updates_one_row_in_place(qtbot, project):
    model = DocumentListModel()
    model.set_store(project)
    model.set_query(DocumentQuery(FILTER_UNLABELLED_NER))
    fetch_all(model)
    assert column(model, 0) == [1, 2, 3, 4]
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    project.add_span(3, Span(3, 5, "LOC"))
    model.refresh_document(3)
    # The row stays where it is (no jump under the annotator's cursor) and shows the new status.
    assert column(model, 0) == [1, 2, 3, 4]
    assert model.data(model.index(2, DocumentListModel.COL_NER)) == "✓ 1"
    assert changed == [(2, 2)]


def test_errors_filter_uses_latest_run_predictions(qtbot, project):
    # Documents 2 (dev) and 3 (test) are the ones a run is evaluated on.
    emoji, chinese = project.get_document(2).text, project.get_document(3).text
    apple, shen = emoji.index("Apple"), chinese.index("深")
    project.add_span(2, Span(apple, apple + 5, "ORG"))
    project.set_sentiment(2, "positive")
    project.add_span(3, Span(shen, shen + 2, "LOC"))
    project.set_sentiment(3, "negative")
    run = project.create_run({"tasks": ["ner", "sentiment"]})
    # Document 2: spans right, sentiment wrong -> error. Document 3: exactly right -> no error.
    project.replace_model_annotations(2, "predicted", run, [Span(apple, apple + 5, "ORG")],
                                      SentimentLabel("negative", confidence=0.7))
    project.replace_model_annotations(3, "predicted", run, [Span(shen, shen + 2, "LOC")], SentimentLabel("negative"))
    project.update_run(run, status="completed", metrics={"dev": {}, "test": {}})
    assert error_document_ids(project) == [2]
    # A newer NER-only run that misses the entity of document 3 makes it the error instead.
    newer = project.create_run({"tasks": ["ner"]})
    project.conn.execute("UPDATE runs SET created_at = '9999' WHERE id = ?", (newer,))
    project.replace_model_annotations(2, "predicted", newer, [Span(apple, apple + 5, "ORG")], None)
    project.update_run(newer, status="completed", metrics={"dev": {}, "test": {}})
    assert error_document_ids(project) == [3]
    model = DocumentListModel()
    model.set_store(project)
    for query, expected in ((DocumentQuery(FILTER_ERRORS), [3]), (DocumentQuery(FILTER_ERRORS, search="Berlin"), [])):
        model.set_query(query)
        # The list is found on a worker (it diffs every prediction): nothing until it arrives.
        assert model.rowCount() == 0 and model.waiting_for_filter() and model.cached_total() is None
        model.set_error_ids(errors_matching(str(project.path), query))
        fetch_all(model)
        assert column(model, 0) == expected and not model.waiting_for_filter()


def bulk_project(path, n: int) -> ProjectStore:
    """n short documents written in one transaction (executemany: the fast path for a large test)."""
    store = ProjectStore.create(path)
    store.add_entity_type("ORG")
    rows = []
    for i in range(n):
        text = f"Document {i} about Company{i % 97} in City{i % 13}."
        rows.append((text, json.dumps([[0, 8]]), ("train", "dev", "test")[i % 3], "bulk", "{}", i % 2,
                     "2024-01-01"))
    with store.bulk():
        store.conn.executemany(
            "INSERT INTO documents (text, tokens, split, source, meta, ner_labelled, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return store


def test_100k_documents_open_with_one_page(qtbot, tmp_path):
    store = bulk_project(tmp_path / "big.mtl", 100_000)
    view = QTableView()
    qtbot.addWidget(view)
    model = DocumentListModel()
    started = time.perf_counter()
    view.setModel(model)
    model.set_store(store)
    view.resize(500, 600)
    view.show()
    qtbot.waitUntil(lambda: model.loaded_rows() > 0)
    elapsed = time.perf_counter() - started
    # Every row is in the list (the scrollbar covers them all); only the painted page was read.
    assert model.rowCount() == 100_000
    assert model.loaded_rows() == PAGE
    # The end of the list is one page query away, not 100k rows.
    view.scrollToBottom()
    qtbot.wait(50)
    assert model.doc_id_at(99_999) == 100_000
    assert model.loaded_rows() <= 3 * PAGE
    # Jumping to a document deep in the list reads its position, not the rows before it.
    row = model.row_of(73_210)
    assert row == 73_209 and model.doc_id_at(row) == 73_210
    assert model.loaded_rows() <= 4 * PAGE
    # Filters and search stay paged too (the panel counts them on a worker thread).
    model.set_query(DocumentQuery(FILTER_UNLABELLED_NER, "City7."))
    expected = [i + 1 for i in range(100_000) if i % 2 == 0 and i % 13 == 7]
    assert model.total() == len(expected)
    assert [model.doc_id_at(r) for r in (0, len(expected) - 1)] == [expected[0], expected[-1]]
    assert all("City7." in model.data(model.index(r, 1)) for r in range(0, model.rowCount(), 97))
    print(f"100k documents: first page shown after {elapsed * 1000:.0f} ms")
    store.close()


def test_header_and_tooltip(qtbot, project):
    model = DocumentListModel()
    model.set_store(project)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Text"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) == project.get_document(1).text
