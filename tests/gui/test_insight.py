"""Multi-task insight in the GUI: the sweep dialog over real tiny runs (queue, cancel, scatter plot with
hover, click and export), the live gradient-conflict chart, the run-history meter column and the
verdict label in Results."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import GradientConflict, RunStarted
from mtl_studio.core.sweep import SweepResult, mark_front
from mtl_studio.core.train import train
from mtl_studio.gui.conflict_chart import ConflictChart
from mtl_studio.gui.metrics_models import RunHistoryModel
from mtl_studio.gui.results import ResultsPanel
from mtl_studio.gui.scatter_chart import ScatterChart
from mtl_studio.gui.sweep_dialog import SweepDialog
from mtl_studio.gui.training import TrainingPanel
from project_helpers import TRAINING, make_project


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """The tiny encoder gains nothing from threads on shared CPUs."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _result(run_id, w, ner, sent, baseline=None):
    tasks = [baseline] if baseline else ["ner", "sentiment"]
    weights = {baseline: 1.0} if baseline else {"ner": w, "sentiment": 1 - w}
    dev = {baseline: ner if baseline == "ner" else sent} if baseline else {"ner": ner, "sentiment": sent}
    return SweepResult(run_id, f"ner {w:.2f}", "fixed", weights, tasks, "completed", dev, baseline)


@pytest.fixture
def scatter(qtbot):
    chart = ScatterChart()
    qtbot.addWidget(chart)
    chart.resize(500, 400)
    results = mark_front([_result("a", 0.25, 0.30, 0.80), _result("b", 0.5, 0.50, 0.70),
                          _result("c", 0.75, 0.40, 0.60), _result("n", 1, 0.55, 0, "ner"),
                          _result("s", 1, 0, 0.75, "sentiment")])
    chart.set_results(results, {"ner": 0.55, "sentiment": 0.75})
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def test_scatter_hover_names_the_run_and_a_click_selects_it(scatter, qtbot):
    assert [r.run_id for r in scatter.plotted()] == ["a", "b", "c"]  # baselines are lines, not points
    assert [r.on_front for r in scatter.plotted()] == [True, True, False]
    pos = scatter.point_position("b")
    hit = scatter.point_at(pos + QPointF(3, 2))
    assert hit is not None and hit.run_id == "b"
    assert "run b" in scatter.describe(hit) and "Pareto front" in scatter.describe(hit)
    assert scatter.point_at(QPointF(2, 2)) is None
    qtbot.mouseMove(scatter, pos.toPoint())
    assert "run b" in scatter.toolTip()
    with qtbot.waitSignal(scatter.run_clicked, timeout=2000) as signal:
        qtbot.mouseClick(scatter, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert signal.args == ["b"]


def test_scatter_exports_png_and_svg(scatter, tmp_path):
    assert scatter.export_png(tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    scatter.export_svg(tmp_path / "plot.svg")
    svg = (tmp_path / "plot.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "</svg>" in svg and "ner only" in svg  # the baseline's reference line label


def test_conflict_chart_plots_the_meter_and_restarts_with_a_run(qtbot):
    chart = ConflictChart()
    qtbot.addWidget(chart)
    assert chart.isHidden()  # until the meter reads
    chart.on_event(GradientConflict(20, ("ner", "sentiment"), -0.2, {"embeddings": 0.1, "layer 0": -0.3,
                                                                     "layer 5": -0.4}))
    chart.on_event(GradientConflict(40, ("ner", "sentiment"), 0.3, {"embeddings": 0.2, "layer 5": 0.1}))
    names = chart.series_names()
    assert len(names) == 3
    assert chart.points(names[0]) == [(20.0, -0.2), (40.0, 0.3)]
    assert chart.points(names[2]) == [(20.0, -0.4), (40.0, 0.1)]  # the last layer, not layer 0
    assert not chart.isHidden()
    chart.on_event(RunStarted("r", {}, "cpu", "fp32", {}, 1))
    assert chart.series_names() == [] and chart.isHidden()


@pytest.fixture
def sweep_project(tmp_path):
    store = make_project(tmp_path / "s.mtl", TRAINING)
    yield store
    store.close()


def _base(encoder) -> TrainConfig:
    return TrainConfig(encoder=str(encoder), device="cpu", batch_size=8, epochs=1, max_length=64,
                       early_stopping_patience=0)


def test_sweep_dialog_runs_the_queue_plots_the_front_and_selects_a_run(qtbot, sweep_project, tiny_encoder):
    dialog = SweepDialog(sweep_project.path, _base(tiny_encoder))
    qtbot.addWidget(dialog)
    dialog.pointsSpin.setValue(2)
    for box in dialog.strategyChecks.values():
        box.setChecked(False)
    assert [p.label for p in dialog.plan()] == ["ner 0.33 / sentiment 0.67", "ner 0.67 / sentiment 0.33",
                                                "ner only", "sentiment only"]
    dialog.estimate()
    qtbot.waitUntil(lambda: "Estimate: about" in dialog.estimateLabel.text(), timeout=120_000)
    assert not sweep_project.run_records()  # the probe left no run
    done = []
    dialog.run_done.connect(done.append)
    assert dialog.start()
    assert not dialog.startButton.isEnabled() and dialog.cancelButton.isEnabled()
    assert all(t.endswith("queued") for t in dialog.queue_texts())
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=300_000)
    assert dialog.last_status == "completed" and len(done) == 4
    assert all("completed" in t for t in dialog.queue_texts())
    points = dialog.scatter.plotted()
    assert len(points) == 2 and any(p.on_front for p in points)
    dialog.show()
    dialog.scatter.resize(400, 300)
    where = dialog.scatter.point_position(points[0].run_id)
    with qtbot.waitSignal(dialog.run_selected, timeout=2000) as signal:
        qtbot.mouseClick(dialog.scatter, Qt.MouseButton.LeftButton, pos=where.toPoint())
    # Tiny runs can score alike: any point drawn at the clicked spot is the right answer.
    assert signal.args[0] in {p.run_id for p in points if dialog.scatter.point_position(p.run_id) == where}


def test_a_cancelled_sweep_keeps_its_finished_runs(qtbot, sweep_project, tiny_encoder):
    dialog = SweepDialog(sweep_project.path, _base(tiny_encoder))
    qtbot.addWidget(dialog)
    dialog.pointsSpin.setValue(3)
    dialog.baselinesCheck.setChecked(False)
    for box in dialog.strategyChecks.values():
        box.setChecked(False)
    dialog.run_done.connect(lambda _run: dialog.cancel())  # cancel as soon as the first run ends
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=300_000)
    texts = dialog.queue_texts()
    assert "completed" in texts[0] and texts[-1].endswith("not run (cancelled)")
    statuses = [r.status for r in sweep_project.run_records()]
    assert statuses[0] == "completed" and len(statuses) <= 2  # the second one (if it began) stopped
    assert dialog.last_status == "stopped"


def test_training_panel_opens_the_sweep_dialog_and_forwards_a_selection(qtbot, sweep_project, tiny_encoder):
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    assert not panel.sweepButton.isEnabled()
    panel.set_project(sweep_project)
    assert panel.sweepButton.isEnabled()
    panel.task_checks()["sentiment"].setChecked(False)  # a sweep still weighs both tasks
    dialog = panel.open_sweep_dialog()
    assert dialog is not None and dialog.base.tasks == ("ner", "sentiment")
    with qtbot.waitSignal(panel.sweep_run_selected, timeout=1000) as signal:
        dialog.run_selected.emit("some-run")
    assert signal.args == ["some-run"]
    dialog.close()
    panel.shutdown()  # the Train tab's own background checks (language fit) end here


def test_results_show_the_meter_column_and_the_verdict(qtbot, sweep_project, tiny_encoder):
    ids = {}
    for tasks in (("ner", "sentiment"), ("ner",), ("sentiment",)):
        cfg = TrainConfig(encoder=str(tiny_encoder), tasks=tasks, epochs=1, batch_size=4, device="cpu",
                          conflict_every=1)
        events = list(train(sweep_project.path, cfg, stop=threading.Event()))
        assert events[-1].status == "completed", events[-1]
        ids[tasks] = events[-1].run_id
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_project(sweep_project)
    model = panel.runHistoryTable.model()
    col = RunHistoryModel.COLUMNS.index("conflict")
    row = model.row_of(ids[("ner", "sentiment")])
    text = model.index(row, col).data()
    summary = sweep_project.run_record(ids[("ner", "sentiment")]).gradient_conflict
    assert text == f"{summary.mean_cosine:+.2f} ({100 * summary.negative_share:.0f}%)"
    assert model.index(model.row_of(ids[("ner",)]), col).data() == "–"
    panel.show_run(ids[("ner", "sentiment")])
    assert not panel.verdictLabel.isHidden()
    assert panel.verdictLabel.text().startswith("Joint training")
    assert panel.verdictLabel.text().startswith(panel.verdictLabel.verdict.sentence)  # composed in the GUI, same words
    assert {d.task for d in panel.verdictLabel.verdict.differences} == {"ner", "sentiment"}
    panel.show_run(ids[("ner",)])
    assert panel.verdictLabel.isHidden()
