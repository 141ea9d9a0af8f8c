"""The annotation editor driven like a user: mouse drags and keys, undo/redo, relabel, delete,
sentiment buttons, NER done, and navigation in the main window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from mtl_studio.gui.commands import EditNotifier
from mtl_studio.gui.annotate_page import AnnotatePage

from gui_helpers import drag, point_at


@pytest.fixture
def page(qtbot, project):
    page = AnnotatePage()
    qtbot.addWidget(page)
    stack = QUndoStack(page)
    notifier = EditNotifier(page)
    page.set_context(project, stack, notifier)
    page.resize(900, 500)
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    page.show_document(1)
    page.stack = stack  # type: ignore[attr-defined]
    return page


def gold(project, doc_id=1):
    return [(s.start, s.end, s.label) for s in project.get_document(doc_id).spans]


def test_drag_selects_whole_tokens_and_number_key_creates_span(qtbot, page, project):
    editor = page.editor
    text = editor.doc.text  # "Tim Cook said Apple shares rose in Berlin."
    apple = text.index("Apple")
    # Drag from inside "Apple" to the middle of "shares": the selection snaps to both whole words.
    drag(qtbot, editor, apple + 1, text.index("shares") + 3)
    assert editor.selection == (apple, text.index("shares") + len("shares"))
    qtbot.keyClick(editor, Qt.Key.Key_2)  # ORG is the second type
    assert gold(project) == [(apple, apple + len("Apple shares"), "ORG")]
    assert editor.selected_span is not None and editor.selected_span.label == "ORG"
    assert project.get_document(1).ner_labelled


def test_undo_redo_relabel_delete(qtbot, page, project):
    editor = page.editor
    text = editor.doc.text
    berlin = text.index("Berlin")
    drag(qtbot, editor, berlin, berlin + len("Berlin"))
    qtbot.keyClick(editor, Qt.Key.Key_3)  # LOC
    assert gold(project) == [(berlin, berlin + 6, "LOC")]
    page.stack.undo()
    assert gold(project) == []
    assert not project.get_document(1).ner_labelled  # undo restores "not labelled" too
    page.stack.redo()
    assert gold(project) == [(berlin, berlin + 6, "LOC")]

    # Click the span to select it, relabel with a number key, then delete it.
    editor.clear_selection()
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=point_at(editor, berlin + 2, inside=True))
    assert editor.selected_span is not None and editor.selected_span.start == berlin
    qtbot.keyClick(editor, Qt.Key.Key_1)
    assert gold(project) == [(berlin, berlin + 6, "PER")]
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert gold(project) == []
    page.stack.undo()
    assert gold(project) == [(berlin, berlin + 6, "PER")]
    page.stack.undo()
    assert gold(project) == [(berlin, berlin + 6, "LOC")]


def test_wider_selection_replaces_overlapped_span_in_one_undo_step(qtbot, page, project):
    editor = page.editor
    text = editor.doc.text
    tim = text.index("Tim")
    editor.select_range(tim, tim + 3)
    editor.assign_label("PER")
    editor.select_range(tim, text.index("Cook") + 4)
    editor.assign_label("PER")
    assert gold(project) == [(tim, tim + len("Tim Cook"), "PER")]
    page.stack.undo()
    assert gold(project) == [(tim, tim + 3, "PER")]


def test_keyboard_token_selection(qtbot, page, project):
    editor = page.editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Right)  # first token
    assert editor.selection == (0, 3)
    qtbot.keyClick(editor, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # grow by one token
    assert editor.selection == (0, 8)
    qtbot.keyClick(editor, Qt.Key.Key_1)
    assert gold(project) == [(0, 8, "PER")]
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.selection is None and editor.selected_span is None
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # select the next (only) span
    assert editor.selected_span is not None and editor.selected_span.start == 0


def test_chinese_text_snaps_per_character(qtbot, page, project):
    page.show_document(3)  # 华为在深圳发布了新手机。
    editor = page.editor
    text = editor.doc.text
    shen = text.index("深")
    drag(qtbot, editor, shen, shen + 2)
    assert editor.selection == (shen, shen + 2)  # 深圳, not the whole sentence
    qtbot.keyClick(editor, Qt.Key.Key_3)
    assert gold(project, 3) == [(shen, shen + 2, "LOC")]


def test_sentiment_buttons_and_ner_done(qtbot, page, project):
    buttons = page.sentiment.buttons()
    assert set(buttons) == {"positive", "neutral", "negative"}
    qtbot.mouseClick(buttons["negative"], Qt.MouseButton.LeftButton)
    assert project.get_document(1).sentiment.label == "negative"
    assert buttons["negative"].isChecked()
    # The shortcut of the first class (Q) sets it; pressing it again keeps it (no silent clear);
    # X clears it, and the hint line says so.
    page.editor.setFocus()
    qtbot.keyClick(page.editor, Qt.Key.Key_Q)  # a button shortcut "animates" its click for a moment
    qtbot.waitUntil(lambda: project.get_document(1).sentiment.label == "positive", timeout=2000)
    depth = page.stack.count()
    qtbot.keyClick(page.editor, Qt.Key.Key_Q)
    qtbot.mouseClick(buttons["positive"], Qt.MouseButton.LeftButton)
    qtbot.wait(300)  # longer than the shortcut's click animation
    assert project.get_document(1).sentiment.label == "positive" and page.stack.count() == depth
    assert "X clear sentiment" in page.hint.text()
    qtbot.keyClick(page.editor, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: project.get_document(1).sentiment is None, timeout=2000)
    page.stack.undo()
    assert project.get_document(1).sentiment.label == "positive"

    assert not project.get_document(1).ner_labelled
    qtbot.mouseClick(page.ner_done, Qt.MouseButton.LeftButton)
    assert project.get_document(1).ner_labelled and project.get_document(1).spans == []
    page.stack.undo()
    assert not project.get_document(1).ner_labelled


def test_navigation_in_main_window(qtbot, project_with_span):
    from mtl_studio.gui.app import app_settings
    from mtl_studio.gui.main_window import MainWindow

    project = project_with_span
    window = MainWindow(app_settings())
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # window shortcuts (J, K, N) only reach the active window
        window.show()
        window.activateWindow()
    assert window.open_project(project.path)
    assert window.current_doc_id() == 1
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_J)
    assert window.current_doc_id() == 2
    qtbot.keyClick(window.editor, Qt.Key.Key_K)
    assert window.current_doc_id() == 1
    # Document 1 has NER but no sentiment: it is "unlabelled" until both tasks are done.
    project.set_sentiment(1, "positive")
    project.set_sentiment(2, "neutral")
    project.set_ner_labelled(2, True)
    qtbot.keyClick(window.editor, Qt.Key.Key_N)
    assert window.current_doc_id() == 3
    # Enter marks NER done and moves on to the next unlabelled document.
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)
    assert project.get_document(3).ner_labelled
    assert window.current_doc_id() == 4
    # Every edit says "Saved" in the status bar once it is committed.
    window.editor.select_range(0, 1)
    qtbot.keyClick(window.editor, Qt.Key.Key_1)
    assert window.statusBar().currentMessage().startswith("Saved")
    assert [s.label for s in project.get_document(4).spans] == ["PER"]
    # The window's undo/redo keys work while the editor has focus.
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.get_document(4).spans == []
    qtbot.keyClick(window.editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert [s.label for s in project.get_document(4).spans] == ["PER"]
    window.shutdown()
