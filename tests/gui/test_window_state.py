"""State that must survive in the main window: the Predictions run picker after a (re)start, a click on
the run already selected in Results, the Results tab after a resumed run, a failed run's log when
another project opens, and one undo stack for every edit (annotate, accept prediction, schema)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import StepProgress
from mtl_studio.core.schema import SentimentLabel
from mtl_studio.gui.main_window import MainWindow
from mtl_studio.gui.schema_dialog import SchemaDialog
from mtl_studio.gui.worker import running_threads
from gui_helpers import open_window, show_train_tab
from project_helpers import ANNOTATION, TRAINING, make_project


def add_prediction_run(store, *, wrong_sentiment: bool) -> str:
    """A completed run whose test-split predictions equal gold (optionally with every sentiment wrong)."""
    run_id = store.create_run({"tasks": ["ner", "sentiment"], "strategy": "fixed"})
    classes = store.sentiment_class_names()
    for doc in store.iter_documents("test"):
        label = doc.sentiment.label
        if wrong_sentiment:
            label = classes[(classes.index(label) + 1) % len(classes)]
        store.replace_model_annotations(doc.id, "predicted", run_id, list(doc.spans), SentimentLabel(label, confidence=.9))
    store.update_run(run_id, status="completed")
    return run_id


@pytest.fixture
def predicted(tmp_path):
    store = make_project(tmp_path / "predicted.mtl", TRAINING)
    older = add_prediction_run(store, wrong_sentiment=True)
    newer = add_prediction_run(store, wrong_sentiment=False)
    yield store, older, newer
    store.close()


def click_history_row(qtbot, window: MainWindow, run_id: str) -> None:
    table = window.results_panel.runHistoryTable
    index = window.results_panel.historyModel.index(window.results_panel.historyModel.row_of(run_id), 1)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())


def test_predictions_show_the_latest_run_after_open_and_restart(qtbot, predicted):
    store, older, newer = predicted
    w = open_window(qtbot, store.path)
    view = w.prediction_view
    assert view.run_choices() == [newer, older]  # every finished run with predictions, newest first
    assert view.run_id() == newer
    assert view.docsModel.rowCount() == 0  # listed when the tab is shown, not while it is hidden
    w.tabs.setCurrentWidget(w._tab_pages[view])
    assert view.docsModel.rowCount() == 6
    w.shutdown()
    w2 = open_window(qtbot, store.path)  # the app restarts
    assert w2.prediction_view.run_id() == newer
    # The user picks the older run in the picker with the keyboard.
    w2.tabs.setCurrentWidget(w2._tab_pages[w2.prediction_view])
    w2.prediction_view.runCombo.setFocus()
    qtbot.keyClick(w2.prediction_view.runCombo, Qt.Key.Key_Down)
    assert w2.prediction_view.run_id() == older
    assert "6 of 6 documents differ" in w2.prediction_view.countLabel.text()
    w2.shutdown()


def test_clicking_the_selected_run_in_results_shows_it_in_predictions(qtbot, predicted):
    store, older, newer = predicted
    w = open_window(qtbot, store.path)
    w.tabs.setCurrentWidget(w._tab_pages[w.results_panel])
    click_history_row(qtbot, w, older)
    assert w.prediction_view.run_id() == older
    # Predictions goes back to the newer run through its picker; Results still has the older selected.
    w.prediction_view.runCombo.setCurrentIndex(w.prediction_view.runCombo.findData(newer))
    assert w.prediction_view.run_id() == newer and w.results_panel.current_run() == older
    click_history_row(qtbot, w, older)  # the row that is already selected
    assert w.prediction_view.run_id() == older
    w.shutdown()


def test_failed_run_does_not_follow_into_another_project(qtbot, tmp_path, dialogs):
    first = make_project(tmp_path / "first.mtl", TRAINING)
    second = make_project(tmp_path / "second.mtl", ANNOTATION)
    w = open_window(qtbot, first.path)
    panel = show_train_tab(w, TrainConfig(encoder="no-such-org/no-such-encoder", epochs=1, device="cpu"))
    qtbot.mouseClick(panel.trainButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    assert dialogs and "#b42318" in panel.logView.document().toHtml().lower()  # the red error line
    assert panel.statusLabel.text() == "Training failed."
    assert w.open_project(second.path)
    assert panel.logView.toPlainText() == ""
    assert panel.statusLabel.text() == "No run yet."
    assert not panel.warningLabel.isVisible()
    w.shutdown()
    first.close()
    second.close()


def test_results_refresh_when_a_resumed_run_completes(qtbot, tmp_path, tiny_encoder, dialogs):
    store = make_project(tmp_path / "resume.mtl", TRAINING)
    w = open_window(qtbot, store.path)
    panel = show_train_tab(w, TrainConfig(encoder=str(tiny_encoder), epochs=2, batch_size=2, device="cpu",
                                          early_stopping_patience=0))
    steps: list[int] = []

    def stop_after_two(ev) -> None:
        if isinstance(ev, StepProgress):
            steps.append(ev.step)
            if len(steps) == 2:
                qtbot.mouseClick(panel.stopButton, Qt.MouseButton.LeftButton)

    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as stopped:
        qtbot.mouseClick(panel.trainButton, Qt.MouseButton.LeftButton)
        panel.job.event.connect(stop_after_two)
    run_id = stopped.args[0]
    assert store.get_run(run_id)["status"] == "stopped"
    assert "stopped" in w.results_panel.runLabel.text()
    with qtbot.waitSignal(panel.run_finished, timeout=120_000):
        qtbot.mouseClick(panel.resumeButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not running_threads(), timeout=60_000)
    assert store.get_run(run_id)["status"] == "completed"
    # No Refresh pressed: the Results tab shows the completed run and its scores.
    assert f"Run {run_id} · completed" in w.results_panel.runLabel.text()
    assert w.results_panel.nerModel.rowCount() > 0
    assert not dialogs, dialogs
    w.shutdown()
    store.close()


def test_one_undo_stack_for_every_edit(qtbot, predicted):
    store, _older, newer = predicted
    w = open_window(qtbot, store.path)
    status = w.statusBar()
    # 1. Accept a prediction in the Predictions tab (Ctrl+4).
    w.doc_list.setFocus()
    qtbot.keyClick(w.doc_list, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    view = w.prediction_view
    assert w.tabs.currentWidget() is w._tab_pages[view] and view.run_id() == newer
    qtbot.waitUntil(lambda: view.documentList.visualRect(view.docsModel.index(0)).height() > 0)
    first_row = view.documentList.visualRect(view.docsModel.index(0))
    qtbot.mouseClick(view.documentList.viewport(), Qt.MouseButton.LeftButton, pos=first_row.center())
    accepted_doc = view.current_document()
    assert store.get_document(accepted_doc).split == "test"
    before = store.get_document(accepted_doc).sentiment.label
    store.set_sentiment(accepted_doc, None)  # so that accepting changes something visible
    view.reload_documents()
    assert view.current_document() == accepted_doc
    qtbot.mouseClick(view.acceptButton, Qt.MouseButton.LeftButton)
    assert store.get_document(accepted_doc).sentiment.label == before
    # 2. Annotate in the Annotate tab: a new span with key 3 (the third type, PER).
    qtbot.keyClick(view.documentList, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert w.tabs.currentWidget() is w.annotate_page
    w.show_document(1)
    text = store.get_document(1).text
    w.editor.setFocus()
    w.editor.select_range(text.index("shares"), text.index("shares") + 6)
    qtbot.keyClick(w.editor, Qt.Key.Key_3)
    assert [s.label for s in store.get_document(1).spans if s.start == text.index("shares")] == ["PER"]
    # 3. A schema change in the schema dialog (Edit › Label schema…).
    w.act_schema.trigger()
    dialog = w.findChild(SchemaDialog)
    assert dialog is not None
    assert dialog.add_entity_type("PRODUCT")
    dialog.close()
    assert "PRODUCT" in store.entity_type_names()
    assert w.annotate_page.palette_widget.findChild(QWidget, "typeButton_PRODUCT") is not None

    # Ctrl+Z from the document list undoes the schema change, then the span, then (from the
    # Predictions tab) the accepted prediction; the status bar names each.
    w.doc_list.setFocus()
    qtbot.keyClick(w.doc_list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "PRODUCT" not in store.entity_type_names()
    assert status.currentMessage() == "Undone: Add entity type PRODUCT"
    qtbot.keyClick(w.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not any(s.start == text.index("shares") for s in store.get_document(1).spans)
    assert status.currentMessage().startswith("Undone: Add PER")
    qtbot.keyClick(w.editor, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    view.documentList.setFocus()
    qtbot.keyClick(view.documentList, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.get_document(accepted_doc).sentiment is None
    assert status.currentMessage() == f"Undone: Accept prediction of run {newer} as gold"
    w.shutdown()
