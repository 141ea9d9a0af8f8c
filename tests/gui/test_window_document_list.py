"""The document list in the main window: a filter that matches nothing and back, the scrollbar over a
14k-document project, keys in the list after a click, and J/K/N/Enter within the filtered list."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider

from mtl_studio.core.schema import Span
from mtl_studio.gui.main_window import MainWindow
from gui_helpers import open_window, write_many_documents

BIG = 14_000


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    """14k short documents written through the store API in one transaction (about a second)."""
    path = tmp_path_factory.mktemp("big") / "big.mtl"
    write_many_documents(path, BIG, split=lambda i: ("train", "dev", "test")[i % 3]).close()
    return path


def choose_filter(qtbot, window: MainWindow, key: Qt.Key, presses: int = 1) -> None:
    combo = window.doc_panel.filter_combo
    combo.setFocus()
    for _ in range(presses):
        qtbot.keyClick(combo, key)


def test_filter_matching_nothing_then_all_documents_refills_the_list(qtbot, project):
    w = open_window(qtbot, project.path)
    w.show_document(3)
    choose_filter(qtbot, w, Qt.Key.Key_Down, 3)  # "With silver labels": none in this project
    assert w.doc_panel.filter_combo.currentData() == "silver"
    qtbot.waitUntil(lambda: w.doc_panel.count_label.text().startswith("0 documents"))
    assert w.doc_model.rowCount() == 0
    choose_filter(qtbot, w, Qt.Key.Key_Home)  # back to "All documents"
    assert w.doc_panel.filter_combo.currentData() == "all"
    qtbot.waitUntil(lambda: w.doc_panel.count_label.text().startswith("4 documents"))
    assert [w.doc_model.doc_id_at(r) for r in range(w.doc_model.rowCount())] == [1, 2, 3, 4]
    assert w.doc_panel.current_doc_id() == 3  # the document being edited is selected again
    w.shutdown()


def test_scrollbar_covers_all_14k_documents_and_keys_work_in_the_list(qtbot, big_project):
    w = open_window(qtbot, big_project)
    table = w.doc_list
    assert w.doc_model.rowCount() == BIG
    qtbot.waitUntil(lambda: w.doc_panel.count_label.text().startswith(f"{BIG:,} documents"))
    # Dragging the scrollbar to its end shows the last document, not the end of the rows read so far.
    bar = table.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)
    qtbot.wait(20)
    last_visible = table.rowAt(table.viewport().height() - 2)
    assert last_visible == BIG - 1
    assert table.model().index(last_visible, 0).data() == BIG
    assert w.doc_model.loaded_rows() <= 4 * 256  # a few pages read, not the whole project
    # After a click in the list the keys move through it (the editor does not take the keyboard).
    first_visible = table.rowAt(2)
    rect = table.visualRect(table.model().index(first_visible, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.current_doc_id() == first_visible + 1 and table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert w.current_doc_id() == first_visible
    qtbot.keyClick(table, Qt.Key.Key_End)
    assert w.current_doc_id() == BIG
    qtbot.keyClick(table, Qt.Key.Key_Home)
    assert w.current_doc_id() == 1
    qtbot.keyClick(table, Qt.Key.Key_PageDown)
    after_page = w.current_doc_id()
    assert after_page > 5
    qtbot.keyClick(table, Qt.Key.Key_PageUp)
    assert w.current_doc_id() == 1
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert w.current_doc_id() == 2
    # Enter opens the document in the editor (the keyboard goes there).
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert w.editor.hasFocus() and w.editor.doc.id == 2
    w.shutdown()


def test_jk_n_and_enter_move_within_the_filtered_list(qtbot, project):
    # Documents 1, 2 and 4 contain " in "; document 2 is fully labelled.
    text = project.get_document(2).text
    apple = text.index("Apple")
    project.add_span(2, Span(apple, apple + 5, "ORG"))
    project.set_sentiment(2, "positive")
    w = open_window(qtbot, project.path)
    w.show_document(1)
    w.doc_panel.search.setFocus()
    qtbot.keyClicks(w.doc_panel.search, " in ")
    qtbot.waitUntil(lambda: w.doc_panel.count_label.text().startswith("3 documents"), timeout=5000)
    assert [w.doc_model.doc_id_at(r) for r in range(3)] == [1, 2, 4]
    w.editor.setFocus()
    qtbot.keyClick(w.editor, Qt.Key.Key_N)  # next unlabelled in the list: 2 is labelled, 3 is not listed
    assert w.current_doc_id() == 4
    qtbot.keyClick(w.editor, Qt.Key.Key_K)
    assert w.current_doc_id() == 2
    qtbot.keyClick(w.editor, Qt.Key.Key_J)
    assert w.current_doc_id() == 4
    # The editor shows document 3, which the search hides: J and K start from where it would be.
    w.show_document(3)
    assert w.doc_panel.current_doc_id() is None
    qtbot.keyClick(w.editor, Qt.Key.Key_J)
    assert w.current_doc_id() == 4
    w.show_document(3)
    qtbot.keyClick(w.editor, Qt.Key.Key_K)
    assert w.current_doc_id() == 2
    # Enter: NER done for document 4, then on to the next unlabelled document of the list (wrapping).
    w.show_document(4)
    qtbot.keyClick(w.editor, Qt.Key.Key_Return)
    assert project.get_document(4).ner_labelled
    assert w.current_doc_id() == 1
    w.shutdown()


def test_select_all_and_delete_14k_documents_then_undo(qtbot, big_project, tmp_path):
    copy = tmp_path / "copy.mtl"
    shutil.copy(big_project, copy)
    w = open_window(qtbot, copy)
    table = w.doc_list
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(w.doc_panel.selected_doc_ids()) == BIG
    assert w.doc_model.loaded_rows() <= 2 * 256  # the selection is read by range, not row by row
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    # About a second of writing: on a worker, with the window saying so and holding undo back meanwhile.
    assert w.statusBar().currentMessage() == f"Deleting {BIG:,} documents…"
    assert w._busy and not w.act_delete_docs.isEnabled()
    qtbot.waitUntil(lambda: not w._busy, timeout=30_000)
    assert w.doc_model.rowCount() == 0 and w.store.count_documents() == 0
    assert w.statusBar().currentMessage() == f"Saved: Delete {BIG} document(s)"
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w._busy  # the restore runs on the worker too
    qtbot.waitUntil(lambda: not w._busy and w.doc_model.rowCount() == BIG, timeout=30_000)
    assert w.store.count_documents() == BIG
    qtbot.keyClick(table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # redo deletes them again
    qtbot.waitUntil(lambda: not w._busy and w.doc_model.rowCount() == 0, timeout=30_000)
    assert w.store.count_documents() == 0
    w.shutdown()


def test_the_errors_filter_is_found_off_the_gui_thread(qtbot, project):
    """Choosing "errors" diffs every stored prediction against gold: the list says it is counting, the
    rows arrive from a worker, and only the documents a run got wrong are listed."""
    from mtl_studio.core.schema import SentimentLabel
    from mtl_studio.gui.models import FILTER_ERRORS

    for doc_id in project.document_ids():
        project.set_sentiment(doc_id, "positive")
    run = project.create_run({"tasks": ["sentiment"]})
    wrong = project.document_ids()[1]
    for doc_id in project.document_ids():
        project.replace_model_annotations(doc_id, "predicted", run, [],
                                          SentimentLabel("negative" if doc_id == wrong else "positive"))
    project.update_run(run, status="completed", metrics={"dev": {}, "test": {}})
    w = open_window(qtbot, project.path)
    combo = w.doc_panel.filter_combo
    combo.setCurrentIndex(combo.findData(FILTER_ERRORS))
    assert w.doc_model.rowCount() == 0 and w.doc_panel.count_label.text() == "Counting…"
    qtbot.waitUntil(lambda: w.doc_model.rowCount() == 1, timeout=10_000)
    assert w.doc_model.doc_id_at(0) == wrong
    assert w.doc_panel.count_label.text().startswith("1 documents")
    w.shutdown()
