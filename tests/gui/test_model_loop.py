"""The model in the loop in the real main window: suggestions drawn outlined and computed on a worker,
accept / reject / accept all by key and undoable, the "most useful next" order that J follows, the
auto-retrain switch, the learning curve window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.tokenize import tokenize
from mtl_studio.gui.app import app_settings
from mtl_studio.gui.learning_curve_view import LearningCurveDialog
from mtl_studio.gui.main_window import MainWindow
from project_helpers import ANNOTATION, TRAINING, add_fake_run, make_project

ORG_POSITIVE = {"tag": "B-ORG", "tag_logit": 10.0, "sentiment": "positive"}


@pytest.fixture
def loop_project(tmp_path, tiny_encoder):
    store = make_project(tmp_path / "loop.mtl", ANNOTATION)
    run = add_fake_run(store, tiny_encoder, **ORG_POSITIVE)
    path = store.path
    store.close()
    return path, run


@pytest.fixture
def window(qtbot, loop_project):
    w = MainWindow(app_settings())
    qtbot.addWidget(w)
    with qtbot.waitActive(w):  # window shortcuts (A, Shift+A, R) only reach the active window (X11)
        w.show()
        w.activateWindow()
    assert w.open_project(loop_project[0])
    yield w
    w.shutdown()


def _wait_for_suggestions(qtbot, window):
    qtbot.waitUntil(lambda: window.model_loop.layer.suggestions is not None
                    and window.model_loop.layer.suggestions.computed, timeout=20_000)
    return window.model_loop.layer


def _key(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.editor.setFocus()
    qtbot.keyClick(window.editor, key, modifier)


def test_suggestions_are_outlined_with_confidence_and_never_gold(qtbot, window, loop_project):
    layer = _wait_for_suggestions(qtbot, window)
    doc = window.editor.doc
    assert [(s.start, s.end, s.label) for s in layer.spans] == [(a, b, "ORG") for a, b in tokenize(doc.text)]
    assert all(s.source == "predicted" and s.run_id == loop_project[1] for s in layer.spans)
    assert doc.spans == [] and not doc.ner_labelled  # drawn, not stored as gold
    point = layer.point_of(layer.spans[0])
    assert "confidence 1.00" in layer._tooltip_at(point.toPoint())
    assert "positive" in window.model_loop.sentiment_line.text()
    # the next documents were computed ahead, on the worker
    qtbot.waitUntil(lambda: not window.model_loop.tasks.busy(), timeout=20_000)
    assert len(window.store.suggested_document_ids(loop_project[1])) > 1


def test_accept_reject_and_accept_all_by_key_are_undoable(qtbot, window, loop_project):
    layer = _wait_for_suggestions(qtbot, window)
    store, doc_id = window.store, window.editor.doc.id
    first, second = layer.spans[0], layer.spans[1]
    _key(qtbot, window, Qt.Key.Key_A)
    (gold,) = store.get_document(doc_id).spans
    assert (gold.start, gold.end, gold.run_id) == (first.start, first.end, loop_project[1])
    assert (first.start, first.end) not in [(s.start, s.end) for s in layer.spans]
    _key(qtbot, window, Qt.Key.Key_X, Qt.KeyboardModifier.ShiftModifier)  # rejects the next one (now the first shown)
    assert (second.start, second.end) not in [(s.start, s.end) for s in layer.spans]
    assert store.rejected_suggestions(loop_project[1], doc_id)
    window.undo_stack.undo()
    assert (second.start, second.end) in [(s.start, s.end) for s in layer.spans]
    window.undo_stack.undo()
    assert store.get_document(doc_id).spans == []
    shown = len(layer.spans)
    _key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    doc = store.get_document(doc_id)
    assert doc.ner_labelled and len(doc.spans) == shown and doc.sentiment.label == "positive"
    assert layer.spans == () and layer.sentiment is None
    window.undo_stack.undo()
    doc = store.get_document(doc_id)
    assert doc.spans == [] and not doc.ner_labelled and doc.sentiment is None


def test_most_useful_next_order_is_followed_by_j(qtbot, window):
    panel = window.model_loop.queue_panel
    panel.strategy_combo.setCurrentIndex(panel.strategy_combo.findData("random"))
    qtbot.mouseClick(panel.score_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(panel.order) and not panel.busy(), timeout=20_000)
    assert panel.table.rowCount() == len(panel.order)
    panel.follow_check.setChecked(True)
    window.show_document(panel.order[0])
    window.navigate("next")
    assert window.current_doc_id() == panel.order[1]
    window.navigate("previous")
    assert window.current_doc_id() == panel.order[0]
    qtbot.waitUntil(lambda: not window.model_loop.tasks.busy(), timeout=20_000)


def test_auto_retrain_is_off_by_default_and_visible_when_on(qtbot, window, monkeypatch):
    loop = window.model_loop
    assert not loop.retrain_check.isChecked() and not loop.retrain_status.isVisible()
    started = []
    monkeypatch.setattr(window.training_panel, "start_training", lambda: started.append(True) or True)
    loop.retrain_every.setValue(2)
    loop.retrain_check.setChecked(True)
    assert loop.retrain_status.isVisible() and "0/2" in loop.retrain_status.text()
    _wait_for_suggestions(qtbot, window)
    _key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # NER and sentiment: two new labels
    assert started == [True] and "0/2" in loop.retrain_status.text()
    qtbot.waitUntil(lambda: not loop.tasks.busy(), timeout=20_000)


def test_learning_curve_window_plots_dev_score_per_task(qtbot, tmp_path, tiny_encoder):
    make_project(tmp_path / "curve.mtl", TRAINING).close()
    config = TrainConfig(encoder=str(tiny_encoder), device="cpu", batch_size=8, epochs=1, max_length=64,
                         early_stopping_patience=0)
    dialog = LearningCurveDialog(str(tmp_path / "curve.mtl"), config, fractions=(0.5, 1.0))
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=300_000)
    assert dialog.curve is not None and len(dialog.curve.points) == 2
    names = dialog.chart.series_names()
    assert len(names) == 2 and all(len(dialog.chart.points(n)) == 2 for n in names)
    xs = [x for x, _ in dialog.chart.points(names[0])]
    assert xs == sorted(xs) and xs[-1] == 28  # TRAINING's labelled training documents


def test_an_exported_model_folder_can_suggest(qtbot, window, tiny_encoder, tmp_path):
    from model_folders import make_model_folder

    folder = make_model_folder(tiny_encoder, tmp_path / "exported", tag="B-LOC", tag_logit=10.0, sentiment="negative",
                               extra={"run_id": "elsewhere-1"})
    window.model_loop.use_model_folder(str(folder))
    qtbot.waitUntil(lambda: window.model_loop.run_id == "elsewhere-1", timeout=20_000)
    layer = _wait_for_suggestions(qtbot, window)
    qtbot.waitUntil(lambda: layer.suggestions.run_id == "elsewhere-1", timeout=20_000)
    assert {s.label for s in layer.spans} == {"LOC"} and layer.sentiment.label == "negative"
    qtbot.waitUntil(lambda: not window.model_loop.tasks.busy(), timeout=20_000)
