"""Train tab › "Sweep task weights…": plan a weight sweep, see the time estimate, run it in the background
with the queue visible and cancellable, and read the Pareto front on a scatter plot (core/sweep.py).

The sweep runs on a TrainingJob thread (the same worker as a single run) and opens its own store
connections; the GUI thread only reads the sweep's few run records when a point finishes. Clicking a
point emits `run_selected(run_id)`, which the main window sends to Results, Predictions and export.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
    QMessageBox, QProgressBar, QPushButton, QRadioButton, QSpinBox, QSplitter, QVBoxLayout, QWidget,
)

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import StepProgress
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.strategies import STRATEGY_TABLE
from mtl_studio.core.sweep import (SweepFinished, SweepPoint, SweepPointFinished, SweepPointStarted, SweepResult,
                                   SweepStarted, baseline_scores, budget_config, estimate_sweep, plan_sweep,
                                   run_sweep, sweep_ids, sweep_results)

from .background import BackgroundTasks
from .scatter_chart import ScatterChart
from .worker import TrainingJob


def _duration(seconds: float) -> str:
    from mtl_studio.commands.progress import format_duration

    return format_duration(seconds)


class SweepDialog(QDialog):
    run_selected = Signal(str)  # a point clicked on the plot
    run_done = Signal(str)  # a sweep run ended (the Results tab refreshes)

    def __init__(self, project: Path, base: TrainConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepDialog")
        self.setWindowTitle(self.tr("Sweep task weights"))
        self.project = Path(project)
        self.base = base
        self._job: TrainingJob | None = None
        self._sweep_id: str | None = None
        self._plan: list[SweepPoint] = []
        self._background = BackgroundTasks(self)
        self.last_status: str | None = None
        self._build()
        self._show_latest_sweep()
        self._update_enabled()

    # ---- construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.pointsSpin = QSpinBox(objectName="sweepPointsSpin")
        self.pointsSpin.setRange(1, 20)
        self.pointsSpin.setValue(5)
        self.pointsSpin.setToolTip(self.tr("Fixed-weight runs (w, 1 − w) at evenly spaced w between 0 and 1"))
        self.strategyChecks: dict[str, QCheckBox] = {}
        strategies = QHBoxLayout()
        for spec in STRATEGY_TABLE:
            if spec.name == "fixed":
                continue
            box = QCheckBox(spec.name, objectName=f"sweepStrategy_{spec.name}")
            box.setChecked(spec.name == "uncertainty")
            self.strategyChecks[spec.name] = box
            strategies.addWidget(box)
        self.epochsRadio = QRadioButton(self.tr("Epochs per run"), objectName="sweepEpochsRadio")
        self.epochsRadio.setChecked(True)
        self.epochsSpin = QSpinBox(objectName="sweepEpochsSpin")
        self.epochsSpin.setRange(1, 50)
        # A planned ("auto") budget starts the sweep at 3 epochs a run: K runs must finish in minutes.
        epochs = self.base.epochs if isinstance(self.base.epochs, int) else 3
        self.epochsSpin.setValue(max(1, min(epochs, 50)))
        self.stepsRadio = QRadioButton(self.tr("Steps per run"), objectName="sweepStepsRadio")
        self.stepsSpin = QSpinBox(objectName="sweepStepsSpin")
        self.stepsSpin.setRange(1, 1_000_000)
        self.stepsSpin.setValue(200)
        budget = QHBoxLayout()
        for w in (self.epochsRadio, self.epochsSpin, self.stepsRadio, self.stepsSpin):
            budget.addWidget(w)
        self.baselinesCheck = QCheckBox(self.tr("Also train the single-task baselines (reference lines)"),
                                        objectName="sweepBaselinesCheck")
        self.baselinesCheck.setChecked(True)
        form = QFormLayout()
        form.addRow(self.tr("Weight points"), self.pointsSpin)
        form.addRow(self.tr("Automatic strategies"), strategies)
        form.addRow(self.tr("Budget"), budget)
        form.addRow("", self.baselinesCheck)

        self.estimateButton = QPushButton(self.tr("Estimate time"), objectName="sweepEstimateButton")
        self.estimateLabel = QLabel(self.tr("Estimate: not measured yet (a few training steps)."),
                                    objectName="sweepEstimateLabel")
        self.estimateLabel.setWordWrap(True)
        self.startButton = QPushButton(self.tr("Start sweep"), objectName="sweepStartButton")
        self.cancelButton = QPushButton(self.tr("Cancel sweep"), objectName="sweepCancelButton")
        self.cancelButton.setToolTip(self.tr("Stop after the current step; finished runs stay"))
        buttons = QHBoxLayout()
        for b in (self.estimateButton, self.startButton, self.cancelButton):
            buttons.addWidget(b)
        self.estimateButton.clicked.connect(self.estimate)
        self.startButton.clicked.connect(self.start)
        self.cancelButton.clicked.connect(self.cancel)

        self.queueList = QListWidget(objectName="sweepQueue")
        self.progressBar = QProgressBar(objectName="sweepProgress")
        self.progressBar.setFormat(self.tr("Step %v of %m"))
        self.statusLabel = QLabel("", objectName="sweepStatusLabel")
        self.statusLabel.setWordWrap(True)

        self.scatter = ScatterChart()
        self.scatter.run_clicked.connect(self._point_clicked)
        self.xCombo = QComboBox(objectName="sweepXAxis")
        self.yCombo = QComboBox(objectName="sweepYAxis")
        for combo in (self.xCombo, self.yCombo):
            for task in self.base.tasks:
                combo.addItem(task, task)
            combo.currentIndexChanged.connect(self._refresh_plot)
        self.yCombo.setCurrentIndex(min(1, self.yCombo.count() - 1))
        self.pngButton = QPushButton(self.tr("Export PNG…"), objectName="sweepPngButton")
        self.svgButton = QPushButton(self.tr("Export SVG…"), objectName="sweepSvgButton")
        self.pngButton.clicked.connect(lambda: self._export("png"))
        self.svgButton.clicked.connect(lambda: self._export("svg"))
        axes = QHBoxLayout()
        axes.addWidget(QLabel(self.tr("x:")))
        axes.addWidget(self.xCombo)
        axes.addWidget(QLabel(self.tr("y:")))
        axes.addWidget(self.yCombo)
        axes.addStretch(1)
        axes.addWidget(self.pngButton)
        axes.addWidget(self.svgButton)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addLayout(form)
        lv.addLayout(buttons)
        lv.addWidget(self.estimateLabel)
        lv.addWidget(QLabel(self.tr("Queue")))
        lv.addWidget(self.queueList, 1)
        lv.addWidget(self.progressBar)
        lv.addWidget(self.statusLabel)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.addLayout(axes)
        rv.addWidget(self.scatter, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(980, 560)

    # ---- the plan ------------------------------------------------------------------------------------

    def plan(self) -> list[SweepPoint]:
        strategies = [name for name, box in self.strategyChecks.items() if box.isChecked()]
        return plan_sweep(self.base.tasks, self.pointsSpin.value(), strategies,
                          baselines=self.baselinesCheck.isChecked())

    def budget(self) -> TrainConfig:
        if self.stepsRadio.isChecked():
            return budget_config(self.base, max_steps=self.stepsSpin.value())
        return budget_config(dataclasses.replace(self.base, max_steps_per_epoch=0), epochs=self.epochsSpin.value())

    def is_running(self) -> bool:
        return self._job is not None

    def _update_enabled(self) -> None:
        busy = self.is_running() or self._background.busy()
        for w in (self.startButton, self.estimateButton, self.pointsSpin, self.baselinesCheck, self.epochsSpin,
                  self.stepsSpin, self.epochsRadio, self.stepsRadio, *self.strategyChecks.values()):
            w.setEnabled(not busy)
        self.cancelButton.setEnabled(self.is_running())

    # ---- estimate ------------------------------------------------------------------------------------

    @Slot()
    def estimate(self) -> None:
        plan, base, project = self.plan(), self.budget(), self.project
        self.estimateLabel.setText(self.tr("Measuring the step time…"))
        self._background.run(lambda: estimate_sweep(project, plan, base), self._estimated, self._estimate_failed)
        self._update_enabled()

    def _estimated(self, est) -> None:
        source = (self.tr("the speed of finished runs on this machine") if est.from_finished_runs
                  else self.tr("a short probe run; the first steps are slow, so it errs high"))
        self.estimateLabel.setText(self.tr("Estimate: about {} for {} runs ({} steps in all at {} s/step, plus "
                                           "evaluation; step time from {}).").format(
            _duration(est.total_seconds), est.runs, est.total_steps, f"{est.step_seconds:.2f}", source))
        self._update_enabled()

    def _estimate_failed(self, exc: BaseException) -> None:
        self.estimateLabel.setText(self.tr("No estimate: {}").format(exc))
        self._update_enabled()

    # ---- running -------------------------------------------------------------------------------------

    @Slot()
    def start(self) -> bool:
        if self.is_running():
            return False
        plan, base, project = self.plan(), self.budget(), self.project
        self._plan = plan
        self.queueList.clear()
        for point in plan:
            self.queueList.addItem(QListWidgetItem(self.tr("{} · queued").format(point.label)))
        self._job = TrainingJob(lambda stop: run_sweep(project, plan, base, stop=stop), self)
        self._job.event.connect(self._on_event)
        self._job.failed.connect(self._on_failed)
        self._job.finished.connect(self._on_job_finished)
        self._job.start()
        self._update_enabled()
        return True

    @Slot()
    def cancel(self) -> None:
        if self._job is not None:
            self._job.stop()
            self.statusLabel.setText(self.tr("Cancelling after the current step; finished runs stay."))

    def queue_texts(self) -> list[str]:
        return [self.queueList.item(i).text() for i in range(self.queueList.count())]

    def _set_item(self, index: int, status: str) -> None:
        item = self.queueList.item(index)
        if item is not None:
            item.setText(self.tr("{} · {}").format(self._plan[index].label, status))

    @Slot(object)
    def _on_event(self, ev: object) -> None:
        if isinstance(ev, SweepStarted):
            self._sweep_id = ev.sweep_id
        elif isinstance(ev, SweepPointStarted):
            self._set_item(ev.index, self.tr("running"))
            self.statusLabel.setText(self.tr("Run {} of {}: {}").format(ev.index + 1, len(self._plan), ev.point.label))
        elif isinstance(ev, StepProgress):
            self.progressBar.setRange(0, max(ev.total_steps, 1))
            self.progressBar.setValue(min(ev.step, ev.total_steps))
        elif isinstance(ev, SweepPointFinished):
            scores = ", ".join(f"{t} {v:.3f}" for t, v in ev.dev.items())
            self._set_item(ev.index, f"{ev.status}" + (f" · dev {scores}" if scores else ""))
            self._refresh_plot()
            self.run_done.emit(ev.run_id)
        elif isinstance(ev, SweepFinished):
            self.last_status = ev.status
            self._show_results(ev.results)
            for i in range(len(ev.results), len(self._plan)):
                self._set_item(i, self.tr("not run (cancelled)"))
            self.statusLabel.setText(self.tr("Sweep {} {}.").format(ev.sweep_id, ev.status))

    @Slot(str, str)
    def _on_failed(self, title: str, message: str) -> None:
        self.statusLabel.setText(message)
        QMessageBox.critical(self, title, message)

    @Slot()
    def _on_job_finished(self) -> None:
        if self._job is not None:
            self._job.deleteLater()
        self._job = None
        self._update_enabled()

    # ---- the plot ------------------------------------------------------------------------------------

    def _show_latest_sweep(self) -> None:
        with ProjectStore.open(self.project) as store:
            ids = sweep_ids(store)
            if ids:
                self._sweep_id = ids[-1]
                self._show_results(sweep_results(store, ids[-1]))

    def _refresh_plot(self) -> None:
        if self._sweep_id is None:
            return
        with ProjectStore.open(self.project) as store:
            self._show_results(sweep_results(store, self._sweep_id))

    def _show_results(self, results: list[SweepResult]) -> None:
        axes = (self.xCombo.currentData() or "ner", self.yCombo.currentData() or "sentiment")
        self.scatter.set_results(results, baseline_scores(results), axes)

    def _point_clicked(self, run_id: str) -> None:
        self.run_selected.emit(run_id)

    def _export(self, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the plot"), f"sweep.{kind}",
                                              "PNG (*.png)" if kind == "png" else "SVG (*.svg)")
        if path:
            self.export_plot(path)

    def export_plot(self, path: str | Path) -> None:
        """PNG or SVG by the file's extension."""
        if str(path).lower().endswith(".svg"):
            self.scatter.export_svg(path)
        elif not self.scatter.export_png(path):
            raise OSError(f"could not write {path}")

    # ---- closing ---------------------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 60_000) -> bool:
        """Stop a running sweep and wait for its thread (closing the dialog, quitting)."""
        ok = True
        if self._job is not None:
            self._job.stop()
            ok = self._job.wait(timeout_ms)
        return self._background.wait(timeout_ms) and ok

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if self.is_running():
            answer = QMessageBox.question(self, self.tr("Cancel the sweep?"),
                                          self.tr("Closing stops the sweep after the current step; finished "
                                                  "runs stay. Close?"))
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.shutdown()
        super().closeEvent(event)
