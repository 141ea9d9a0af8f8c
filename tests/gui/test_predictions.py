"""The prediction view: gold beside a run's prediction, marks, errors-only filter, accept-as-gold.

The view is checked on predictions written with the store API (so every FP,
FN and wrong label is known in advance); test_training_panel.py checks the view after a real run.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from mtl_studio.core.schema import SentimentLabel, Span
from mtl_studio.core.review import (
    CORRECT, FALSE_NEGATIVE, FALSE_POSITIVE, WRONG_LABEL, accepted_state, error_document_ids, write_gold_state,
)
from mtl_studio.gui.predictions import PredictionView
from project_helpers import EMOJI_TEXT, TRAINING, make_project


@pytest.fixture
def predicted_project(tmp_path):
    """Test-split predictions of one run: the emoji document gets a wrong label, a false positive and
    a false negative and a wrong sentiment; every other test document is predicted exactly."""
    store = make_project(tmp_path / "p.mtl", TRAINING)
    run_id = store.create_run({"tasks": ["ner", "sentiment"], "strategy": "fixed"})
    emoji_id = None
    for doc in store.iter_documents("test"):
        spans, sentiment = list(doc.spans), SentimentLabel(doc.sentiment.label, confidence=0.9)
        if doc.text == EMOJI_TEXT:
            emoji_id = doc.id
            shares = doc.text.index("shares")
            spans = [Span(0, 5, "PER", confidence=0.6), Span(shares, shares + 6, "ORG", confidence=0.55)]
            sentiment = SentimentLabel("negative", confidence=0.81)
        store.replace_model_annotations(doc.id, "predicted", run_id, spans, sentiment)
    store.update_run(run_id, status="completed")
    yield store, run_id, emoji_id
    store.close()


def test_view_marks_differences_with_astral_characters(qtbot, predicted_project):
    store, run_id, emoji_id = predicted_project
    view = PredictionView()
    qtbot.addWidget(view)
    view.set_project(store)
    view.set_run(run_id)
    view.show_document(emoji_id)
    text = EMOJI_TEXT
    paris = text.index("Paris")
    shares = text.index("shares")
    # Offsets after the emoji and the CJK extension B character are two UTF-16 units off in Qt;
    # the marks read back from the QTextDocument must land on the code point spans.
    assert view.rendered_marks("gold") == [(0, 5, WRONG_LABEL), (paris, paris + 5, FALSE_NEGATIVE)]
    assert view.rendered_marks("predicted") == [(0, 5, WRONG_LABEL), (shares, shares + 6, FALSE_POSITIVE)]
    table = view.differencesTable
    rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert rows == [["wrong label", "Apple", "ORG", "PER"], ["false positive", "shares", "–", "ORG"],
                    ["false negative", "Paris", "LOC", "–"]]
    assert "negative" in view.predictedSentiment.text() and "0.81" in view.predictedSentiment.text()
    assert "positive" in view.goldSentiment.text()
    # The run is named with the tasks' shown names, as the Results tab names them, not their codes.
    assert view.runLabel.text() == f"Run {run_id} (NER + sentiment)"
    assert view.runCombo.currentText() == f"{run_id} · NER + sentiment · completed"


def test_errors_only_filter_lists_the_wrong_document(qtbot, predicted_project):
    store, run_id, emoji_id = predicted_project
    assert error_document_ids(store, run_id, splits=["test"]) == [emoji_id]
    view = PredictionView()
    qtbot.addWidget(view)
    view.set_project(store)
    view.set_run(run_id)
    assert view.splitCombo.currentData() == "test"  # the split with predictions is picked
    assert len(view.docsModel.ids()) == 6
    view.errorsOnly.setChecked(True)
    assert view.docsModel.ids() == [emoji_id]
    assert view.current_document() == emoji_id
    assert "1 of 6" in view.countLabel.text()


def test_accept_prediction_as_gold_and_undo(qtbot, predicted_project):
    store, run_id, emoji_id = predicted_project
    before = store.get_document(emoji_id)
    view = PredictionView()
    qtbot.addWidget(view)
    view.set_project(store)
    view.set_run(run_id)
    view.show_document(emoji_id)
    with qtbot.waitSignal(view.gold_changed) as signal:
        qtbot.mouseClick(view.acceptButton, Qt.MouseButton.LeftButton)
    assert signal.args == [emoji_id]
    after = store.get_document(emoji_id)
    shares = EMOJI_TEXT.index("shares")
    assert [(s.start, s.end, s.label, s.source) for s in after.spans] == [
        (0, 5, "PER", "gold"), (shares, shares + 6, "ORG", "gold")]
    assert after.sentiment.label == "negative"
    # The prediction now agrees with gold: no marks of errors, no error documents left.
    assert {d.kind for d in view.differences()} == {CORRECT}
    assert error_document_ids(store, run_id, splits=["test"]) == []
    # Undo restores the previous gold exactly.
    with qtbot.waitSignal(view.gold_changed):
        view.undoButton.click()
    restored = store.get_document(emoji_id)
    assert [(s.start, s.end, s.label) for s in restored.spans] == [(s.start, s.end, s.label) for s in before.spans]
    assert restored.sentiment.label == before.sentiment.label


def test_accept_is_one_transaction(qtbot, predicted_project, monkeypatch):
    """A failure half-way through leaves the old gold untouched (store.bulk rolls back)."""
    store, run_id, emoji_id = predicted_project
    before = store.get_document(emoji_id)
    view = PredictionView()
    qtbot.addWidget(view)
    view.set_project(store)
    view.set_run(run_id)
    view.show_document(emoji_id)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "set_sentiment", broken)
    with pytest.raises(RuntimeError):
        write_gold_state(store, emoji_id, accepted_state(store, emoji_id, run_id))
    kept = store.get_document(emoji_id)
    assert [(s.start, s.end, s.label) for s in kept.spans] == [(s.start, s.end, s.label) for s in before.spans]
    assert kept.sentiment.label == before.sentiment.label


def test_single_task_run_keeps_other_task_gold(qtbot, predicted_project):
    """Accepting a NER-only baseline's prediction does not touch the gold sentiment."""
    store, _, emoji_id = predicted_project
    run_id = store.create_run({"tasks": ["ner"], "strategy": "fixed"})
    store.replace_model_annotations(emoji_id, "predicted", run_id, [Span(0, 5, "LOC")], None)
    view = PredictionView()
    qtbot.addWidget(view)
    view.set_project(store)
    view.set_run(run_id)
    view.show_document(emoji_id)
    assert "not predicted" in view.predictedSentiment.text()
    assert view.accept_prediction()
    doc = store.get_document(emoji_id)
    assert [(s.start, s.end, s.label) for s in doc.spans] == [(0, 5, "LOC")]
    assert doc.sentiment.label == "positive"
