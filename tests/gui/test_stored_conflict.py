"""The Train tab's gradient-conflict chart for stored runs: a real MainWindow opened on a project (and
opened again, as after a restart) redraws the latest run's stored meter readings, a run chosen in the
Results history brings its own, a run without readings clears the chart, a long run's readings are read
off the GUI thread and a read that arrives after the user moved on is dropped; a tiny-encoder run's
stored chart after a restart is the chart it drew live."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import GradientConflict
from mtl_studio.gui import training
from mtl_studio.gui.conflict_chart import ConflictChart
from mtl_studio.gui.main_window import MainWindow
from gui_helpers import close_when_runs_end, window_on_train_tab
from project_helpers import TRAINING, make_project

READINGS = [(20, -0.2, {"embeddings": 0.1, "layer 0": -0.3, "layer 1": -0.4}),
            (40, 0.3, {"embeddings": 0.2, "layer 0": 0.0, "layer 1": 0.1}),
            (60, -0.1, {"embeddings": -0.05, "layer 0": 0.2, "layer 1": -0.25})]


def _add_run(store, readings=(), status="completed") -> str:
    run_id = store.create_run({"encoder": "tiny", "tasks": ["ner", "sentiment"], "epochs": 1})
    for step, cosine, groups in readings:
        store.add_conflict_measurement(run_id, step, cosine, groups)
    store.update_run(run_id, status=status)
    return run_id


def _expected(readings) -> dict[str, list[tuple[float, float]]]:
    return {"all layers": [(float(s), c) for s, c, _ in readings],
            "embeddings": [(float(s), g["embeddings"]) for s, _, g in readings],
            "last layer": [(float(s), g["layer 1"]) for s, _, g in readings]}


def _chart_points(chart: ConflictChart) -> dict[str, list[tuple[float, float]]]:
    return {name: chart.points(name) for name in chart.series_names()}


@pytest.fixture
def project(tmp_path):
    store = make_project(tmp_path / "conflict.mtl", TRAINING)
    yield store
    store.close()


_window = window_on_train_tab
_close = close_when_runs_end


def _click_history_row(qtbot, w: MainWindow, run_id: str) -> None:
    w.tabs.setCurrentWidget(w._tab_pages[w.results_panel])
    table = w.results_panel.runHistoryTable
    index = w.results_panel.historyModel.index(w.results_panel.historyModel.row_of(run_id), 1)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    w.tabs.setCurrentWidget(w._tab_pages[w.training_panel])


def test_stored_readings_draw_the_same_series_as_live_ones(qtbot):
    live, stored = ConflictChart(), ConflictChart()
    qtbot.addWidget(live)
    qtbot.addWidget(stored)
    for step, cosine, groups in READINGS:
        live.on_event(GradientConflict(step, ("ner", "sentiment"), cosine, groups))
    stored.show_readings([{"step": s, "cosine": c, "per_group": g, "steps_apart": 0} for s, c, g in READINGS])
    assert _chart_points(stored) == _chart_points(live) == _expected(READINGS)
    assert not stored.isHidden()
    stored.show_readings([])
    assert stored.series_names() == [] and stored.isHidden()


def test_the_train_tab_shows_a_stored_runs_readings_after_open_restart_and_selection(qtbot, project):
    older = _add_run(project, READINGS, status="stopped")
    newer = _add_run(project, READINGS[:2])
    path = project.path
    w = _window(qtbot, path)
    chart = w.training_panel.conflictChart
    assert not chart.isHidden()
    assert _chart_points(chart) == _expected(READINGS[:2])
    _close(qtbot, w)

    w = _window(qtbot, path)  # the app starts again
    chart = w.training_panel.conflictChart
    assert _chart_points(chart) == _expected(READINGS[:2]) and not chart.isHidden()
    _click_history_row(qtbot, w, older)  # an older run chosen in Results: the Train tab follows
    assert older in w.training_panel.statusLabel.text()
    assert _chart_points(chart) == _expected(READINGS)
    assert w.training_panel.resumeButton.isEnabled()  # Resume follows the run on screen
    _click_history_row(qtbot, w, newer)
    assert _chart_points(chart) == _expected(READINGS[:2])
    assert not w.training_panel.resumeButton.isEnabled()
    _close(qtbot, w)


def test_a_run_without_readings_clears_the_chart(qtbot, project):
    measured = _add_run(project, READINGS)
    _add_run(project)  # e.g. a single-task baseline: the meter never reads
    w = _window(qtbot, project.path)
    chart = w.training_panel.conflictChart
    assert chart.series_names() == [] and chart.isHidden()
    _click_history_row(qtbot, w, measured)
    assert _chart_points(chart) == _expected(READINGS) and not chart.isHidden()
    _close(qtbot, w)


def test_many_readings_are_read_in_the_background_and_a_late_read_is_dropped(qtbot, project, monkeypatch):
    monkeypatch.setattr(training, "SYNC_CONFLICT_READINGS", 2)  # three readings count as a long run here
    measured = _add_run(project, READINGS)
    calls: list[tuple[str, bool]] = []  # (run id, read on the GUI thread)
    original = type(project).conflict_measurements

    def spy(store, run_id):
        calls.append((run_id, threading.current_thread() is threading.main_thread()))
        return original(store, run_id)

    w = _window(qtbot, project.path)
    panel = w.training_panel
    qtbot.waitUntil(lambda: _chart_points(panel.conflictChart) == _expected(READINGS), timeout=10_000)

    unmeasured = _add_run(project)
    monkeypatch.setattr(type(project), "conflict_measurements", spy)
    panel.show_stored_run(measured)  # read in the background ...
    panel.show_stored_run(unmeasured)  # ... while the user already looks at another run
    assert panel._background.wait(10_000)
    qtbot.wait(100)  # the worker's answer is delivered through the event loop
    assert sorted(calls) == sorted([(measured, False), (unmeasured, True)])
    assert panel.conflictChart.series_names() == [] and panel.conflictChart.isHidden()
    _close(qtbot, w)


def test_a_trained_runs_stored_chart_is_the_chart_it_drew_live(qtbot, project, tiny_encoder):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the tiny encoder gains nothing from threads on shared CPUs
    try:
        w = _window(qtbot, project.path)
        panel = w.training_panel
        panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu",
                                     max_length=64, early_stopping_patience=0, conflict_every=1))
        with qtbot.waitSignal(panel.run_finished, timeout=180_000):
            assert panel.start_training()
        live = _chart_points(panel.conflictChart)
        assert live.get("all layers"), live
        _close(qtbot, w)
        w = _window(qtbot, project.path)
        assert _chart_points(w.training_panel.conflictChart) == live
        _close(qtbot, w)
    finally:
        torch.set_num_threads(threads)
