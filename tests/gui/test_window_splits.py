"""Splits and documents from the window: delete documents in the list (undo brings them back with their
annotations), Data › Re-split… (undoable), and the Train tab's Re-split… when train has no labelled
document."""
from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.schema import Span
from mtl_studio.gui.main_window import MainWindow
from mtl_studio.gui.resplit_dialog import ResplitDialog
from gui_helpers import open_window, show_train_tab
from project_helpers import TRAINING, make_project

ALL_IN_DEV = TRAINING.with_docs([(text, ents, sent, "dev") for text, ents, sent, _split in TRAINING.docs])




def splits(store) -> Counter:
    return Counter(d.split for d in store.iter_documents())


def click_row(qtbot, window: MainWindow, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    table = window.doc_list
    rect = table.visualRect(window.doc_model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def accept_resplit_dialog(qtbot, window: MainWindow) -> ResplitDialog:
    dialog = window.findChild(ResplitDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.ratios.text() == "80/10/10" and not dialog.only_unassigned.isChecked()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    return dialog


def test_delete_documents_in_the_list_and_undo(qtbot, project):
    text = project.get_document(1).text
    project.add_span(1, Span(text.index("Apple"), text.index("Apple") + 5, "ORG"))
    project.set_sentiment(2, "negative")
    w = open_window(qtbot, project.path)
    assert w.act_delete_docs in w.doc_list.actions()  # the list's context menu
    click_row(qtbot, w, 0)
    click_row(qtbot, w, 1, Qt.KeyboardModifier.ShiftModifier)
    assert w.doc_panel.selected_doc_ids() == [1, 2]
    qtbot.keyClick(w.doc_list, Qt.Key.Key_Delete)
    assert project.document_ids() == [3, 4]
    assert [w.doc_model.doc_id_at(r) for r in range(w.doc_model.rowCount())] == [3, 4]
    assert w.current_doc_id() == 3
    assert w.statusBar().currentMessage() == "Saved: Delete 2 document(s)"
    qtbot.keyClick(w.doc_list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.document_ids() == [1, 2, 3, 4]
    assert [s.label for s in project.get_document(1).spans] == ["ORG"]
    assert project.get_document(2).sentiment.label == "negative"
    assert w.doc_model.rowCount() == 4
    assert w.statusBar().currentMessage() == "Undone: Delete 2 document(s)"
    w.shutdown()


def test_resplit_from_the_data_menu_and_undo(qtbot, tmp_path):
    store = make_project(tmp_path / "dev.mtl", ALL_IN_DEV)
    w = open_window(qtbot, store.path)
    data_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Data")
    assert w.act_resplit in data_menu.actions()
    w.act_resplit.trigger()
    accept_resplit_dialog(qtbot, w)  # the re-split runs on a worker thread
    qtbot.waitUntil(lambda: "moved 36" in w.statusBar().currentMessage(), timeout=10_000)
    assert splits(store) == {"train": 32, "dev": 4, "test": 4}
    column = [w.doc_model.index(r, w.doc_model.COL_SPLIT).data() for r in range(w.doc_model.rowCount())]
    assert Counter(column) == {"train": 32, "dev": 4, "test": 4}  # the list shows the new splits
    w.activateWindow()  # the dialog has closed: the window is the active one again
    qtbot.waitUntil(w.isActiveWindow)
    w.doc_list.setFocus()
    qtbot.keyClick(w.doc_list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.doc_model.index(0, w.doc_model.COL_SPLIT).data() == "dev" and not w._busy)
    assert splits(store) == {"dev": 40}
    assert w.statusBar().currentMessage().startswith("Undone: Re-split 80/10/10")
    w.shutdown()
    store.close()


def test_training_without_training_documents_offers_a_resplit(qtbot, tmp_path, tiny_encoder, dialogs):
    store = make_project(tmp_path / "dev.mtl", ALL_IN_DEV)
    w = open_window(qtbot, store.path)
    panel = show_train_tab(w, TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu"))
    assert not panel.resplitButton.isVisible()
    qtbot.mouseClick(panel.trainButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    assert dialogs and "all 40 labelled documents are in dev" in dialogs[-1][2]
    assert panel.resplitButton.isVisible()
    qtbot.mouseClick(panel.resplitButton, Qt.MouseButton.LeftButton)
    accept_resplit_dialog(qtbot, w)
    qtbot.waitUntil(lambda: splits(store)["train"] == 32 and not w._busy, timeout=10_000)
    w.shutdown()
    store.close()
