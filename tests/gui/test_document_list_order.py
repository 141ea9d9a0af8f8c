"""The document list in the "most useful next" order in the real main window: the rows follow
core.active_learning.queue for the stored scores, then the other documents; filters and search apply;
J/K/N move in that order; the dock and the list agree; a 14k-document list still pages by position;
the strategy names are translated; a header click sorts by the column."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTranslator

from mtl_studio.core import active_learning as al
from mtl_studio.core.store import ProjectStore
from mtl_studio.gui.document_list import DOCUMENT_ORDER
from mtl_studio.gui.models import DocumentListModel
from mtl_studio.gui.next_queue import NextQueuePanel
from gui_helpers import open_window, write_many_documents
from project_helpers import ProjectSpec, add_fake_run, make_project

# Fourteen documents: most unlabelled, some labelled for one task or both, a few outside train (the pool
# is the training split, so those are never ranked and come after the ranked ones).
ORDER_SPEC = ProjectSpec(
    docs=tuple(
        [(f"Company{i} shares moved in City{i} today.", None, None, "train") for i in range(1, 9)]
        + [("Apple rose in Berlin.", [("Apple", "ORG"), ("Berlin", "LOC")], "positive", "train"),  # 9: done
           ("Nokia cut jobs in Finland.", [("Nokia", "ORG"), ("Finland", "LOC")], None, "train"),  # 10: NER only
           ("Profit fell sharply.", None, "negative", "train"),  # 11: sentiment only
           ("Siemens opened in London.", None, None, "dev"),  # 12
           ("Sales were good this year.", None, None, "test"),  # 13
           ("Company9 shares fell in City9.", None, None, "train")]),  # 14
    entity_types=("ORG", "LOC"),
    sentiment_classes=("negative", "neutral", "positive"),
)


@pytest.fixture
def scored_project(tmp_path, tiny_encoder):
    """The project with a tiny model run (random heads: the documents score differently), its pool scored."""
    store = make_project(tmp_path / "order.mtl", ORDER_SPEC)
    run = add_fake_run(store, tiny_encoder, seed=3)
    events = list(al.score_pool(store, run))
    assert events[-1].documents > 0
    path = store.path
    store.close()
    return path, run


def _queue_ids(path, strategy, run) -> list[int]:
    with ProjectStore.open(path) as store:
        return [e.id for e in al.queue(store, strategy, run_id=run)]


def _rows(window) -> list[int]:
    return [window.doc_model.doc_id_at(r) for r in range(window.doc_model.rowCount())]


def choose_order(qtbot, window, strategy: str) -> None:
    """Pick an order in the list's order combo by keyboard, as a person does."""
    combo = window.doc_panel.order_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    target = combo.findData(strategy)
    while combo.currentIndex() < target:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == strategy


def wait_ranked(qtbot, window, strategy: str) -> None:
    qtbot.waitUntil(lambda: window.doc_panel.shows_ranked_order()
                    and window.doc_panel.ranking_strategy() == strategy
                    and not window.model_loop.queue_panel.busy(), timeout=30_000)


def _finish(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.model_loop.tasks.busy() and not window.model_loop.queue_panel.busy()
                    and not window.doc_panel.tasks.busy(), timeout=30_000)
    window.shutdown()


def test_most_useful_next_lists_the_queue_order_then_the_rest(qtbot, scored_project):
    path, run = scored_project
    w = open_window(qtbot, path)
    choose_order(qtbot, w, al.JOINT)
    wait_ranked(qtbot, w, al.JOINT)
    expected = _queue_ids(path, al.JOINT, run)
    assert expected and expected != sorted(expected)  # a real ranking, not id order
    rest = [i for i in range(1, 15) if i not in expected]
    assert _rows(w) == expected + rest
    assert w.doc_model.ranked_rows() == len(expected)
    assert f"{len(expected)} ranked by" in w.doc_panel.count_label.text() and run in w.doc_panel.count_label.text()
    # the dock shows the same order and follows it
    panel = w.model_loop.queue_panel
    assert panel.strategy == al.JOINT and panel.follow_check.isChecked() and panel.order == expected
    # back to document order: the dock stops following
    choose_order(qtbot, w, DOCUMENT_ORDER)
    qtbot.waitUntil(lambda: _rows(w) == list(range(1, 15)))
    assert not panel.follow_check.isChecked()
    _finish(qtbot, w)


def test_the_dock_strategy_with_follow_orders_the_list(qtbot, scored_project):
    path, run = scored_project
    w = open_window(qtbot, path)
    panel = w.model_loop.queue_panel
    panel.follow_check.setChecked(True)
    panel.strategy_combo.setCurrentIndex(panel.strategy_combo.findData(al.NER_UNCERTAINTY))
    wait_ranked(qtbot, w, al.NER_UNCERTAINTY)
    expected = _queue_ids(path, al.NER_UNCERTAINTY, run)
    assert _rows(w)[:len(expected)] == expected == panel.order
    assert w.doc_panel.order_combo.currentData() == al.NER_UNCERTAINTY
    assert "Uncertainty (NER: MNLP)" in w.doc_panel.order_combo.currentText()
    _finish(qtbot, w)


def test_filter_and_search_apply_within_the_order(qtbot, scored_project):
    path, run = scored_project
    w = open_window(qtbot, path)
    choose_order(qtbot, w, al.UNCERTAINTY)
    wait_ranked(qtbot, w, al.UNCERTAINTY)
    expected = _queue_ids(path, al.UNCERTAINTY, run)
    w.doc_panel.set_filter("unlabelled_sentiment")  # 9 and 11 have a sentiment
    qtbot.waitUntil(lambda: w.doc_panel.shows_ranked_order() and 9 not in _rows(w))
    matching = [i for i in range(1, 15) if i not in (9, 11)]
    assert _rows(w) == [i for i in expected if i in matching] + [i for i in matching if i not in expected]
    w.doc_panel.search.setText("Company")
    qtbot.waitUntil(lambda: w.doc_panel.shows_ranked_order() and 12 not in _rows(w), timeout=5_000)
    company = [i for i in matching if i <= 8 or i == 14]
    assert _rows(w) == [i for i in expected if i in company] + [i for i in company if i not in expected]
    _finish(qtbot, w)


def test_j_k_n_and_enter_move_in_the_list_order(qtbot, scored_project):
    path, run = scored_project
    w = open_window(qtbot, path)
    choose_order(qtbot, w, al.JOINT)
    wait_ranked(qtbot, w, al.JOINT)
    rows = _rows(w)
    n_ranked = w.doc_model.ranked_rows()
    w.show_document(rows[0])
    w.navigate("next")
    assert w.current_doc_id() == rows[1]
    w.navigate("previous")
    assert w.current_doc_id() == rows[0]
    # past the ranked documents J goes on into the others (the dock's own order ends there)
    w.show_document(rows[n_ranked - 1])
    w.navigate("next")
    assert w.current_doc_id() == rows[n_ranked]
    # N skips the labelled document 9 (labelled for both tasks), in list order
    after = rows.index(9) - 1
    w.show_document(rows[after])
    w.navigate("next_unlabelled")
    assert w.current_doc_id() == rows[after + 2]
    # Enter ("done and next") marks NER done and goes to the next row needing a label
    w.show_document(rows[0])
    w.done_and_next()
    assert w.current_doc_id() == rows[1]
    _finish(qtbot, w)


def test_without_scores_the_list_says_so_and_keeps_document_order(qtbot, tmp_path):
    make_project(tmp_path / "plain.mtl", ORDER_SPEC).close()
    w = open_window(qtbot, tmp_path / "plain.mtl")
    choose_order(qtbot, w, al.JOINT)
    qtbot.waitUntil(lambda: "no scores stored" in w.doc_panel.count_label.text(), timeout=20_000)
    assert _rows(w) == list(range(1, 15))
    assert w.model_loop.queue_panel.order == []
    w.show_document(1)
    w.navigate("next")  # J in document order
    assert w.current_doc_id() == 2
    # random needs no model: the dock's random order, in the list too
    choose_order(qtbot, w, al.RANDOM)
    wait_ranked(qtbot, w, al.RANDOM)
    expected = _queue_ids(tmp_path / "plain.mtl", al.RANDOM, None)
    assert _rows(w)[:len(expected)] == expected and expected != sorted(expected)
    assert "random order" in w.doc_panel.count_label.text()
    _finish(qtbot, w)


BIG = 14_000


@pytest.fixture(scope="module")
def big_scored_project(tmp_path_factory):
    """14k short documents, 9,000 of them with stored joint scores in a known (shuffled) order."""
    path = tmp_path_factory.mktemp("bigorder") / "big.mtl"
    store = write_many_documents(path, BIG)
    ranked = [(i * 7919) % BIG + 1 for i in range(9_000)]  # distinct: 7919 is prime to 14000
    store.replace_document_scores("scores-1", [(al.JOINT, doc_id, 1.0 - k / 10_000)
                                              for k, doc_id in enumerate(ranked)])
    store.close()
    return path, ranked


def test_a_14k_document_list_pages_by_position_in_the_ranked_order(qtbot, big_scored_project):
    path, ranked = big_scored_project
    w = open_window(qtbot, path)
    choose_order(qtbot, w, al.JOINT)
    wait_ranked(qtbot, w, al.JOINT)
    model = w.doc_model
    assert model.rowCount() == BIG and model.ranked_rows() == len(ranked)
    assert model.loaded_rows() < 2_000  # the rows on screen only, not 14k
    rest = sorted(set(range(1, BIG + 1)) - set(ranked))
    for row in (0, 1, 8_999, 9_000, 12_345, BIG - 1):
        assert model.doc_id_at(row) == (ranked + rest)[row]
    assert model.row_of(ranked[5_000]) == 5_000
    w.doc_panel.select_row(8_999)
    w.navigate("next")
    assert w.current_doc_id() == rest[0]
    w.show_document(ranked[4_000])
    w.navigate("next_unlabelled")
    assert w.current_doc_id() == ranked[4_001]
    table = w.doc_list
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_End)
    assert w.doc_panel.current_doc_id() == rest[-1]
    assert model.loaded_rows() < 3_000
    _finish(qtbot, w)


class _MarkingTranslator(QTranslator):
    """Marks every strategy name it is asked for, so the test sees which names went through tr()."""

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ARG002 - Qt's signature
        return f"«{source}»" if context == "Strategies" else None


def test_strategy_names_are_readable_and_translated(qtbot, qapp):
    translator = _MarkingTranslator()
    qapp.installTranslator(translator)
    try:
        panel = NextQueuePanel()
        qtbot.addWidget(panel)
        names = [panel.strategy_combo.itemText(i) for i in range(panel.strategy_combo.count())]
    finally:
        qapp.removeTranslator(translator)
    assert len(names) == len(al.STRATEGIES)
    assert "«Uncertainty (NER: {measure})»".replace("{measure}", "«MNLP»") in names
    assert all(n.startswith("«") for n in names), names
    assert not any(key in names for key in al.STRATEGIES)
    assert QCoreApplication.translate("Strategies", "Random") == "Random"


def test_a_header_click_sorts_by_that_column(qtbot, scored_project):
    path, _run = scored_project
    w = open_window(qtbot, path)
    header = w.doc_list.horizontalHeader()

    def click(column):
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    click(DocumentListModel.COL_SPLIT)
    qtbot.waitUntil(lambda: w.doc_model.rowCount() == 14 and w.doc_model.query.sort == "split")
    assert _rows(w) == [12, 13] + [i for i in range(1, 15) if i not in (12, 13)]  # dev, test, train
    w.show_document(12)
    w.navigate("next")
    assert w.current_doc_id() == 13
    click(DocumentListModel.COL_ID)
    qtbot.waitUntil(lambda: _rows(w) == list(range(1, 15)))
    _finish(qtbot, w)
