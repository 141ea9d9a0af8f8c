"""The results panel over real runs of the engine: a joint run and the two single-task baselines
side by side in the run history; selecting a run shows its per-task tables; the split selector."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.train import train
from mtl_studio.gui.metrics_models import RunHistoryModel, confusion, ner_rows, sentiment_rows
from mtl_studio.gui.results import ResultsPanel
from project_helpers import TRAINING, make_project


@pytest.fixture(scope="module")
def runs_project(tmp_path_factory, tiny_encoder):
    """One project, three real runs: joint, NER-only and sentiment-only (same encoder, seed, budget)."""
    store = make_project(tmp_path_factory.mktemp("results") / "p.mtl", TRAINING)
    ids = {}
    for tasks in (("ner", "sentiment"), ("ner",), ("sentiment",)):
        config = TrainConfig(encoder=str(tiny_encoder), tasks=tasks, epochs=1, batch_size=4, device="cpu",
                             strategy="fixed")
        events = list(train(store.path, config, stop=threading.Event()))
        assert events[-1].kind == "finished" and events[-1].status == "completed", events[-1]
        ids[tasks] = events[-1].run_id
    yield store, ids
    store.close()


def _column(model, name):
    col = RunHistoryModel.COLUMNS.index(name)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_run_history_compares_joint_and_baselines(qtbot, runs_project):
    store, ids = runs_project
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_project(store)
    history = panel.runHistoryTable.model()
    assert history.rowCount() == 3
    # Newest first; the latest run is selected and shown.
    assert history.run_ids() == [ids[("sentiment",)], ids[("ner",)], ids[("ner", "sentiment")]]
    assert panel.current_run() == ids[("sentiment",)]
    assert _column(history, "tasks") == ["sentiment only (baseline)", "NER only (baseline)", "joint"]
    assert _column(history, "weights") == ["–", "–", "0.50 / 0.50"]
    # Scores: a baseline has only its own task's score.
    ner_f1, sent_f1 = _column(history, "ner_f1"), _column(history, "sentiment_f1")
    assert ner_f1[0] == "–" and sent_f1[1] == "–"
    joint = store.get_run(ids[("ner", "sentiment")])["metrics"]["test"]
    assert ner_f1[2] == f"{joint['ner']['micro']['f1']:.3f}"
    assert sent_f1[2] == f"{joint['sentiment']['macro']['f1']:.3f}"


def test_selecting_a_run_shows_its_tables(qtbot, runs_project):
    store, ids = runs_project
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_project(store)
    panel.show()
    # The sentiment-only baseline is shown first: no NER table, a note says why.
    assert panel.nerMetricsTable.model().rowCount() == 0
    assert "did not train this task" in panel.nerEmpty.text()
    assert panel.sentimentMetricsTable.model().rowCount() > 0
    # Click the joint run in the history.
    history = panel.runHistoryTable
    row = history.model().row_of(ids[("ner", "sentiment")])
    rect = history.visualRect(history.model().index(row, 0))
    with qtbot.waitSignal(panel.run_selected) as selected:
        qtbot.mouseClick(history.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == [ids[("ner", "sentiment")]]
    metrics = store.get_run(ids[("ner", "sentiment")])["metrics"]
    for split in ("test", "dev"):
        panel.set_split(split)
        report = metrics[split]
        ner = panel.nerMetricsTable.model()
        assert [r.name for r in ner.rows()] == [r.name for r in ner_rows(report["ner"])]
        assert [ner.index(r, 4).data() for r in range(ner.rowCount())][-1] == str(report["ner"]["macro"]["support"])
        sent = panel.sentimentMetricsTable.model()
        assert sent.rows() == sentiment_rows(report["sentiment"])
        assert panel.confusionMatrixTable.model().matrix() == confusion(report["sentiment"])[1]
        assert panel.current_run() == ids[("ner", "sentiment")]  # the split change keeps the run


def test_show_run_and_no_runs(qtbot, runs_project, tmp_path):
    store, ids = runs_project
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_project(store)
    panel.show_run(ids[("ner",)])
    assert panel.current_run() == ids[("ner",)]
    assert panel.runHistoryTable.currentIndex().row() == panel.runHistoryTable.model().row_of(ids[("ner",)])
    assert panel.nerMetricsTable.model().rowCount() == 5  # LOC, ORG, PER, micro, macro
    assert panel.sentimentMetricsTable.model().rowCount() == 0
    empty = make_project(tmp_path / "empty.mtl", TRAINING)
    panel.set_project(empty)
    assert panel.runHistoryTable.model().rowCount() == 0 and panel.current_run() is None
    assert "No run selected" in panel.runLabel.text()
    panel.set_project(None)
    empty.close()


def test_the_settings_column_gives_way_on_a_narrow_tab_instead_of_scrolling_sideways(qtbot, runs_project):
    """Seen on X11 at 1280x720 (fonts wider than offscreen's): the columns took 746 of 790 pixels and the
    run history scrolled sideways. Where its header does not fit beside the others, the settings column
    hides and the run's tooltip carries the settings; on a wide tab it is back."""
    store, ids = runs_project
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_project(store)
    panel.show()
    table = panel.runHistoryTable
    settings = RunHistoryModel.COLUMNS.index("settings")
    run_col = RunHistoryModel.COLUMNS.index("run")
    header = table.horizontalHeader()

    def fit(width: int) -> None:
        panel.resize(width, 600)
        qtbot.wait(50)

    fit(1600)
    qtbot.waitUntil(lambda: not table.isColumnHidden(settings))
    margins = panel.width() - table.viewport().width()  # the group box and the table's frame
    others = sum(max(header.sectionSizeHint(c), table.sizeHintForColumn(c))
                 for c in range(header.count()) if c != settings and not table.isColumnHidden(c))
    fit(margins + others + header.sectionSizeHint(settings) // 2)  # the others fit, the settings header not
    qtbot.waitUntil(lambda: table.isColumnHidden(settings))
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible())
    tip = table.model().index(0, run_col).data(Qt.ItemDataRole.ToolTipRole)
    assert "Learning rate" in tip and "encoder" in tip, tip

    fit(margins + others + 300)
    qtbot.waitUntil(lambda: not table.isColumnHidden(settings))
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible())
    assert "Learning rate" not in table.model().index(0, run_col).data(Qt.ItemDataRole.ToolTipRole)
    assert table.model().headerData(settings, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
