"""The training side of the GUI with tasks as data (issue 13) on the real MainWindow: a project with entity
sentiment and a further label set ("topic") gets one weight row per task whose values reach the engine,
single-task baselines for any task, Results shows every task's scores from stored metrics, Predictions
shows entity polarity and the label sets gold vs predicted, and the Train and Results tabs still fit a
laptop screen with four tasks."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import StepProgress
from mtl_studio.core.review import CORRECT, WRONG_SENTIMENT, error_document_ids
from mtl_studio.core.schema import DocumentLabel, SentimentLabel, Span
from mtl_studio.gui.results import END_TO_END
from mtl_studio.gui.metrics_models import RunHistoryModel
from mtl_studio.gui.training import CONFIG_META_KEY
from gui_helpers import open_window
from project_helpers import EMOJI_TEXT, TRAINING, make_project

TOPICS = ("earnings", "markets")
ALL_TASKS = ("ner", "entity_sentiment", "sentiment", "topic")


def _polarity(sentiment: str) -> str:
    # The document's sentiment is the polarity toward each of its entities in this small fixture.
    return {"positive": "positive", "negative": "negative"}.get(sentiment, "neutral")


@pytest.fixture
def tasks_project(tmp_path):
    """TRAINING with entity sentiment on every span and a single-label "topic" set on every document."""
    store = make_project(tmp_path / "tasks.mtl", TRAINING)
    store.enable_entity_sentiment()
    store.add_label_set("topic", classes=TOPICS)
    for doc in store.iter_documents():
        for span in doc.spans:
            store.set_span_sentiment(span.id, _polarity(doc.sentiment.label))
        store.set_document_labels(doc.id, "topic", ["markets" if "shares" in doc.text else "earnings"])
    yield store
    store.close()


def _window(qtbot, store, size=(1280, 800)):
    window = open_window(qtbot, store.path, size=size)
    return window


def test_one_weight_row_per_task_and_the_weights_reach_the_engine(qtbot, tasks_project, tiny_encoder, dialogs):
    window = _window(qtbot, tasks_project)
    panel = window.training_panel
    assert [t.name for t in tasks_project.tasks()] == list(ALL_TASKS)
    assert tuple(panel.task_checks()) == ALL_TASKS and tuple(panel.task_weight_spins()) == ALL_TASKS
    assert all(box.isChecked() for box in panel.task_checks().values())  # a new project trains every task
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu",
                                 max_steps_per_epoch=2, conflict_every=0, strategy="fixed"))
    wanted = {"ner": 1.0, "entity_sentiment": 0.7, "sentiment": 0.4, "topic": 0.25}
    for name, weight in wanted.items():
        panel.task_weight_spins()[name].setValue(weight)
    assert panel.config().weights_for(ALL_TASKS) == pytest.approx(wanted)
    # Every task checked: no list, the engine trains every task the project declares.
    assert panel.tasks() == ALL_TASKS and panel.config().tasks == ()
    shares = {n: panel.taskRows.findChild(QLabel, f"taskShare.{n}").text() for n in ALL_TASKS}
    assert shares == {"ner": "43%", "entity_sentiment": "30%", "sentiment": "17%", "topic": "11%"}
    assert panel.start_training()
    weights: list[dict[str, float]] = []
    losses: list[dict[str, float]] = []
    panel.job.event.connect(lambda ev: (weights.append(ev.weights), losses.append(ev.losses))
                            if isinstance(ev, StepProgress) else None)
    with qtbot.waitSignal(panel.run_finished, timeout=180_000):
        pass
    assert not dialogs, dialogs
    assert panel.last_result.status == "completed", panel.last_result
    assert weights and all(w == pytest.approx(wanted) for w in weights), weights
    # One loss curve per task that had a batch, plus the total.
    drawn = set(panel.lossChart.series_names())
    assert "total" in drawn and drawn - {"total", "mlm"} == {t for step in losses for t in step} - {"total", "l2sp"}
    assert set(panel.weightChart.series_names()) == set(ALL_TASKS)
    # The settings are kept as "every task" with the weights by name.
    saved = json.loads(tasks_project.get_meta(CONFIG_META_KEY))
    assert saved["tasks"] == [] and TrainConfig.from_dict(saved).weights_for(ALL_TASKS) == pytest.approx(wanted)
    window.shutdown()


def test_any_task_alone_is_a_single_task_baseline(qtbot, tasks_project):
    window = _window(qtbot, tasks_project)
    panel = window.training_panel
    checks, spins = panel.task_checks(), panel.task_weight_spins()
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("fixed"))
    for name in ("ner", "entity_sentiment", "sentiment"):
        checks[name].setChecked(False)
    assert panel.config().tasks == ("topic",)
    # One task: no weights to balance, no strategy, no baselines.
    assert not any(spin.isEnabled() for spin in spins.values())
    assert not panel.strategyCombo.isEnabled() and not panel.baselinesCheck.isEnabled()
    checks["topic"].setChecked(False)  # the last task stays checked
    assert checks["topic"].isChecked() and panel.config().tasks == ("topic",)
    checks["entity_sentiment"].setChecked(True)
    assert panel.config().tasks == ("entity_sentiment", "topic")
    assert spins["entity_sentiment"].isEnabled() and spins["topic"].isEnabled() and not spins["ner"].isEnabled()
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("uncertainty"))
    assert not spins["topic"].isEnabled()  # learned weights: the boxes have no meaning
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("fixed"))
    assert panel.config().tasks == ("entity_sentiment", "topic")
    window.shutdown()


def test_settings_saved_before_tasks_were_data_still_load(qtbot, tasks_project):
    """A project's form settings from before issue 13 (ner_weight / sentiment_weight, the joint pair as
    tasks) load: the weights go to their tasks, and the joint choice means every task."""
    old = TrainConfig().to_dict()
    for key in ("task_weights",):
        old.pop(key, None)
    old.update(ner_weight=0.7, sentiment_weight=0.3, tasks=["ner", "sentiment"], strategy="fixed", seed=21)
    tasks_project.set_meta(CONFIG_META_KEY, json.dumps(old))
    window = _window(qtbot, tasks_project)
    panel = window.training_panel
    assert panel.seedSpin.value() == 21
    assert panel.tasks() == ALL_TASKS and panel.config().tasks == ()
    weights = panel.task_weights()
    assert (weights["ner"], weights["sentiment"]) == (0.7, 0.3)
    # A saved single-task baseline stays one.
    old.update(tasks=["sentiment"])
    tasks_project.set_meta(CONFIG_META_KEY, json.dumps(old))
    panel.set_project(tasks_project)
    assert panel.config().tasks == ("sentiment",)
    window.shutdown()


def _prf(p, r, f, n):
    return {"precision": p, "recall": r, "f1": f, "support": n}


METRICS = {
    "split": "test", "score": 0.6,
    "ner": {"mode": {"mode": "strict", "scheme": "IOB2"}, "documents": 6,
            "per_type": {"ORG": _prf(0.8, 0.8, 0.8, 5)}, "micro": _prf(0.8, 0.8, 0.8, 5),
            "macro": _prf(0.8, 0.8, 0.8, 5), "f1": 0.8},
    "sentiment": {"documents": 6, "per_class": {"positive": _prf(1, 1, 1, 2), "negative": _prf(0.5, 0.5, 0.5, 2),
                                                "neutral": _prf(0, 0, 0, 2)},
                  "macro": _prf(0.5, 0.5, 0.5, 6), "accuracy": 0.5, "f1": 0.5,
                  "confusion_matrix": {"labels": ["positive", "negative", "neutral"],
                                       "matrix": [[2, 0, 0], [1, 1, 0], [1, 1, 0]]}},
}


def test_results_show_every_task_from_stored_metrics(qtbot, tasks_project):
    from mtl_studio.core.evaluate import EvalReport

    report = dict(METRICS)
    report.update(_extra_metrics())
    # The stored form is what the evaluation writes (EvalReport.to_dict()): read it back through it.
    stored = EvalReport.from_dict(report).to_dict()
    config = TrainConfig(tasks=ALL_TASKS, task_weights={"ner": 1.0, "entity_sentiment": 0.5, "sentiment": 0.5,
                                                        "topic": 2.0}, strategy="fixed")
    run_id = tasks_project.create_run(config.to_dict())
    tasks_project.update_run(run_id, status="completed", metrics={"test": stored, "dev": stored})
    window = _window(qtbot, tasks_project)
    results = window.results_panel
    results.show_run(run_id)
    history = results.historyModel
    row = history.row_of(run_id)
    col = RunHistoryModel.COLUMNS.index("other_scores")
    assert not results.runHistoryTable.isColumnHidden(col)
    cell = history.index(row, col).data()
    assert cell == "entity sentiment 0.470 (end to end 0.520) · topic 0.580 · flags 0.700", cell
    assert history.index(row, RunHistoryModel.COLUMNS.index("weights")).data() == "1 / 0.5 / 0.5 / 2"
    # The settings column gives way to the other tasks' scores; its text is in the run's tooltip.
    assert results.runHistoryTable.isColumnHidden(RunHistoryModel.COLUMNS.index("settings"))
    assert "Learning rate" in history.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert history.index(row, RunHistoryModel.COLUMNS.index("tasks")).data() == "joint"
    # The classification tasks in the combo, end to end among them.
    assert results.class_tasks() == ["entity_sentiment", END_TO_END, "sentiment", "topic", "flags"]
    assert [r.name for r in results.sentimentModel.rows()][:3] == ["positive", "negative", "neutral"]
    results.set_class_task(END_TO_END)
    names = [r.name for r in results.sentimentModel.rows()]
    assert names[-2:] == ["micro avg", "macro avg"] and "positive" in names
    assert not results.confusionBox.isVisibleTo(results) and "end to end" in results.classBox.title()
    results.set_class_task("entity_sentiment")
    rows = {r.name: r for r in results.sentimentModel.rows()}
    assert "accuracy" in rows and "macro avg" in rows
    assert results.confusionModel.matrix() and results.confusionBox.isVisibleTo(results)
    results.set_class_task("topic")
    rows = {r.name: r for r in results.sentimentModel.rows()}
    assert set(TOPICS) <= set(rows) and "macro avg" in rows
    assert results.confusionModel.matrix() == [[2, 1], [1, 2]]
    results.set_class_task("flags")
    rows = {r.name: r for r in results.sentimentModel.rows()}
    assert rows["micro avg"].f1 == 0.7 and rows["exact set match"].f1 == 0.5 and "accuracy" not in rows
    assert not results.confusionBox.isVisibleTo(results)  # each label is a decision of its own
    assert "multi-label" in results.classBox.title()
    assert results.taskScoresLabel.isVisibleTo(results) and "topic" in results.taskScoresLabel.text()
    window.shutdown()


def _extra_metrics() -> dict:
    """entity_sentiment and label_sets as the evaluation stores them (core/task_scores.py to_dict())."""
    return {
        "entity_sentiment": {
            "documents": 6, "f1": 0.47,
            "gold_spans": {"spans": 9, "per_class": {"positive": _prf(0.75, 0.75, 0.75, 4),
                                                     "negative": _prf(0.6, 0.75, 0.67, 4),
                                                     "neutral": _prf(0.0, 0.0, 0.0, 1)},
                           "macro": _prf(0.45, 0.5, 0.47, 9), "accuracy": 0.67, "f1": 0.47,
                           "confusion_matrix": {"labels": ["negative", "neutral", "positive"],
                                                "matrix": [[3, 0, 1], [0, 0, 1], [1, 0, 3]]}},
            "end_to_end": {"documents": 6, "micro": _prf(0.5, 0.55, 0.52, 9), "macro": _prf(0.4, 0.45, 0.42, 9),
                           "per_polarity": {"negative": _prf(0.5, 0.5, 0.5, 4), "positive": _prf(0.6, 0.75, 0.67, 4),
                                            "neutral": _prf(0.0, 0.0, 0.0, 1)},
                           "f1": 0.52}},
        "label_sets": {
            "topic": {"name": "topic", "multi_label": False, "documents": 6, "f1": 0.58,
                      "per_class": {"earnings": _prf(0.67, 0.67, 0.67, 3), "markets": _prf(0.5, 0.5, 0.5, 3)},
                      "macro": _prf(0.58, 0.58, 0.58, 6), "accuracy": 0.58,
                      "confusion_matrix": {"labels": ["earnings", "markets"], "matrix": [[2, 1], [1, 2]]}},
            # A multi-label set the run scored (declared when it trained, removed from the project since).
            "flags": {"name": "flags", "multi_label": True, "documents": 6, "f1": 0.7,
                      "per_class": {"urgent": _prf(1.0, 0.5, 0.67, 2), "legal": _prf(0.75, 0.75, 0.75, 4)},
                      "macro": _prf(0.88, 0.62, 0.71, 6), "micro": _prf(0.8, 0.67, 0.7, 6),
                      "subset_accuracy": 0.5}},
    }


def test_predictions_show_polarity_and_label_sets_gold_vs_predicted(qtbot, tasks_project):
    store = tasks_project
    run_id = store.create_run({"tasks": list(ALL_TASKS), "strategy": "fixed"})
    emoji_id = None
    for doc in store.iter_documents("test"):
        spans = [Span(s.start, s.end, s.label, sentiment=s.sentiment, sentiment_confidence=0.8) for s in doc.spans]
        labels = [DocumentLabel("topic", x, source="predicted", confidence=0.9) for x in doc.labels_of("topic")]
        if doc.text == EMOJI_TEXT:
            emoji_id = doc.id
            # Apple: right entity, wrong polarity; the topic is wrong too.
            spans[0] = Span(spans[0].start, spans[0].end, spans[0].label, sentiment="negative",
                            sentiment_confidence=0.6)
            labels = [DocumentLabel("topic", "earnings", source="predicted", confidence=0.7)]
        store.replace_model_annotations(doc.id, "predicted", run_id, spans, SentimentLabel(doc.sentiment.label),
                                        labels=labels)
    store.update_run(run_id, status="completed")
    # The error filter counts a wrong polarity (and a wrong label set) as an error.
    assert error_document_ids(store, run_id, splits=["test"]) == [emoji_id]
    window = _window(qtbot, store)
    view = window.prediction_view
    window.tabs.setCurrentIndex(3)  # the Predictions tab: a hidden view lists its documents once shown
    view.set_run(run_id)
    view.splitCombo.setCurrentIndex(view.splitCombo.findData("test"))
    view.show_document(emoji_id)
    kinds = {(d.gold, d.kind) for d in view.differences()}
    assert ("ORG", WRONG_SENTIMENT) in kinds and ("LOC", CORRECT) in kinds
    diff = next(d for d in view.differences() if d.kind == WRONG_SENTIMENT)
    assert (diff.gold_sentiment, diff.predicted_sentiment) == ("positive", "negative")
    assert view.differencesTable.item(0, 2).text() == "ORG · positive"
    assert view.differencesTable.item(0, 3).text() == "ORG · negative"
    assert [k for _s, _e, k in view.rendered_marks("predicted")][0] == WRONG_SENTIMENT
    assert "markets" in view.goldLabels.text() and "wrong" in view.predictedLabels.text()
    assert "polarity right on 1 of 2" in view.statusLabel.text()
    view.errorsOnly.setChecked(True)
    assert view.docsModel.ids() == [emoji_id]
    window.shutdown()


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_train_and_results_tabs_fit_a_laptop_screen_with_four_tasks(qtbot, tasks_project, size):
    """The layout test's checks (tests/gui/test_layout.py) on the Train and Results tabs of a project with
    four tasks and a run that scores all of them: no control cut off, no header truncated, nothing
    scrolls sideways, the primary controls in view."""
    from test_layout import _page, _settle, tab_problems

    report = dict(METRICS)
    report.update(_extra_metrics())
    run_id = tasks_project.create_run({"tasks": list(ALL_TASKS), "strategy": "fixed", "learning_rate": 5e-5,
                                       "batch_size": 16, "epochs": 3, "encoder": "offline"})
    tasks_project.update_run(run_id, status="completed", metrics={"test": report, "dev": report})
    window = _window(qtbot, tasks_project)
    _settle(window, *size)
    problems = []
    for index in (1, 2):
        page = _page(window, index)
        if index == 2:
            window.results_panel.set_class_task("topic")
            QApplication.processEvents()
        problems += tab_problems(window, index, page, f"tab {index}")
    assert problems == [], "\n".join(problems)
    window.shutdown()
