"""The Train tab of the real MainWindow over real runs of the engine (tiny encoder): the total-loss curve
is defined at every step, Stop says stopped and clears the ETA, Resume keeps the curves and the log,
a restart shows the last run, and no message asks for a command line where a button does it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import StepProgress
from mtl_studio.gui.loss_curves import TOTAL_EMA_ALPHA
from gui_helpers import close_when_runs_end, window_on_train_tab
from project_helpers import ENGINE, make_project

CLI_WORDS = ("mtl-studio", "--resume", "--batch-size")


@pytest.fixture
def no_dialogs(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(
        lambda parent, title, text, *a, **k: shown.append(text) or QMessageBox.StandardButton.Ok))
    return shown


@pytest.fixture
def engine_project(tmp_path):
    """Partially labelled documents: some batches hold only one task's labels."""
    store = make_project(tmp_path / "engine.mtl", ENGINE)
    path = store.path
    store.close()
    return path


_window = window_on_train_tab
_close = close_when_runs_end


def _record_steps(panel) -> list[StepProgress]:
    steps: list[StepProgress] = []
    panel.job.event.connect(lambda ev: steps.append(ev) if isinstance(ev, StepProgress) else None)
    return steps


def test_total_loss_is_drawn_at_every_step_and_tasks_where_they_had_a_batch(qtbot, engine_project, tiny_encoder,
                                                                            no_dialogs):
    w = _window(qtbot, engine_project)
    panel = w.training_panel
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=2, batch_size=2, device="cpu"))
    with qtbot.waitSignal(panel.run_finished, timeout=120_000):
        qtbot.mouseClick(panel.trainButton, Qt.MouseButton.LeftButton)
        steps = _record_steps(panel)
    assert not no_dialogs, no_dialogs
    single_task = [ev for ev in steps if len([t for t in ev.losses if t in ("ner", "sentiment")]) == 1]
    assert single_task and len(single_task) < len(steps), "the project should give joint and single-task batches"
    chart = panel.lossChart
    total = chart.points("total")
    assert [x for x, _ in total] == [ev.step for ev in steps]  # every step, joint or not
    smoothed = steps[0].losses["total"]
    for (_, y), ev in zip(total, steps):
        smoothed = smoothed if ev is steps[0] else TOTAL_EMA_ALPHA * ev.losses["total"] + (
            1 - TOTAL_EMA_ALPHA) * smoothed
        assert y == pytest.approx(smoothed)
    for task in ("ner", "sentiment"):
        assert [x for x, _ in chart.points(task)] == [ev.step for ev in steps if task in ev.losses]
    w.resize(1280, 720)
    qtbot.wait(50)
    legend = chart.legend_rects()
    assert [name for name, _ in legend] == chart.series_names()
    assert all(chart.rect().toRectF().contains(rect) for _, rect in legend), (chart.size(), legend)
    _close(qtbot, w)


def test_stop_says_stopped_and_resume_keeps_the_curves_and_the_log(qtbot, engine_project, tiny_encoder, no_dialogs):
    w = _window(qtbot, engine_project)
    panel = w.training_panel
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=2, batch_size=2, device="cpu",
                                 early_stopping_patience=0))
    assert panel.start_training()
    steps = _record_steps(panel)

    def stop_at_third(ev):
        if isinstance(ev, StepProgress) and ev.step == 3:
            qtbot.mouseClick(panel.stopButton, Qt.MouseButton.LeftButton)

    panel.job.event.connect(stop_at_third)
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        pass
    run_id = finished.args[0]
    assert panel.last_result.status == "stopped"
    assert "stopped" in panel.statusLabel.text() and run_id in panel.statusLabel.text()
    assert panel.etaLabel.text() == ""
    log = panel.logView.toPlainText()
    assert "Resume" in log and not any(word in log for word in CLI_WORDS), log
    before = {name: panel.lossChart.points(name) for name in panel.lossChart.series_names()}
    assert before["total"] and before["total"][-1][0] == steps[-1].step

    assert panel.resumeButton.isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as resumed:
        qtbot.mouseClick(panel.resumeButton, Qt.MouseButton.LeftButton)
    assert resumed.args == [run_id] and panel.last_result.status == "completed"
    after = panel.lossChart.points("total")
    assert after[:len(before["total"])] == before["total"]  # the stopped part is still drawn
    assert len(after) == panel.progressBar.maximum()
    log = panel.logView.toPlainText()
    assert "Stop requested." in log and f"Resuming run {run_id}." in log and "completed" in log
    assert panel.etaLabel.text() == ""
    _close(qtbot, w)


def test_after_a_restart_the_train_tab_shows_the_last_run_and_resume_works(qtbot, engine_project, tiny_encoder,
                                                                           no_dialogs):
    w = _window(qtbot, engine_project)
    panel = w.training_panel
    assert panel.statusLabel.text() == "No run yet."
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=3, batch_size=2, device="cpu",
                                 early_stopping_patience=0))
    assert panel.start_training()
    epochs_done: list[int] = []

    def stop_in_second_epoch(ev):
        if isinstance(ev, StepProgress) and ev.epoch == 2 and not epochs_done:
            epochs_done.append(ev.epoch)
            panel.stop_training()

    panel.job.event.connect(stop_in_second_epoch)
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        pass
    run_id = finished.args[0]
    _close(qtbot, w)

    # The app starts again on the same project.
    w = _window(qtbot, engine_project)
    panel = w.training_panel
    status = panel.statusLabel.text()
    assert run_id in status and "stopped" in status, status
    log = panel.logView.toPlainText()
    assert "Epoch 1 on dev" in log and "Press Resume" in log and not any(word in log for word in CLI_WORDS), log
    assert panel.lossChart.points("ner") and panel.lossChart.points("ner")[0][0] == 1  # epoch means, per epoch
    assert panel.resumeButton.isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as resumed:
        qtbot.mouseClick(panel.resumeButton, Qt.MouseButton.LeftButton)
    assert resumed.args == [run_id] and panel.last_result.status == "completed"
    _close(qtbot, w)
