"""The "Learning curve" window: trains on 25/50/75/100% of the labelled documents in the background
(core.learning_curve) and plots the dev score per task against the number of labelled documents."""
from __future__ import annotations

import threading
from collections.abc import Sequence

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import StepProgress
from mtl_studio.core.learning_curve import (DEFAULT_FRACTIONS, TASK_METRICS, CurveFinished, CurvePointDone,
                                            CurveTraining, LearningCurve, learning_curve)

from .charts import LineChart


class _CurveWorker(QObject):
    event = Signal(object)
    failed = Signal(str)
    done = Signal()

    def __init__(self, project: str, config: TrainConfig, fractions: Sequence[float], stop: threading.Event) -> None:
        super().__init__()
        self.project, self.config, self.fractions, self.stop = project, config, tuple(fractions), stop

    def run(self) -> None:
        try:
            for ev in learning_curve(self.project, self.config, self.fractions, stop=self.stop):
                self.event.emit(ev)
        except Exception as e:  # noqa: BLE001 - shown in the window
            self.failed.emit(str(e))
        finally:
            self.done.emit()


class LearningCurveDialog(QDialog):
    """Start / Cancel, progress, and the chart (one series per task)."""

    def __init__(self, project: str, config: TrainConfig, parent: QWidget | None = None, *,
                 fractions: Sequence[float] = DEFAULT_FRACTIONS) -> None:
        super().__init__(parent)
        self.setObjectName("learningCurveDialog")
        self.setWindowTitle(self.tr("Learning curve: will more labels help?"))
        self.project, self.config, self.fractions = project, config, tuple(fractions)
        self.curve: LearningCurve | None = None
        self._thread: QThread | None = None
        self._worker: _CurveWorker | None = None
        self._stop = threading.Event()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr(
            "Trains the current settings on 25%, 50%, 75% and 100% of the labelled training documents "
            "(nested subsets, same seed) and scores dev. A curve still rising at 100% says more labels pay.")))
        self.chart = LineChart(self.tr("Dev score"), self.tr("labelled training documents"))
        self.chart.set_y_floor(0.0)
        layout.addWidget(self.chart, 1)
        self.progress = QProgressBar(objectName="curveProgress")
        layout.addWidget(self.progress)
        self.status = QLabel(objectName="curveStatus")
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_button = QPushButton(self.tr("Start"), objectName="curveStartButton")
        self.cancel_button = QPushButton(self.tr("Cancel"), objectName="curveCancelButton")
        self.cancel_button.setEnabled(False)
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.resize(640, 420)

    def is_running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self.is_running():
            return
        self.chart.clear()
        self.curve = None
        self._stop = threading.Event()
        self._thread = QThread(self)
        self._worker = _CurveWorker(self.project, self.config, self.fractions, self._stop)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.event.connect(self._on_event)
        self._worker.failed.connect(lambda text: self.status.setText(self.tr("Failed: {}").format(text)))
        self._worker.done.connect(self._thread.quit)
        self._thread.finished.connect(self._on_finished)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Training the first subset…"))
        self._thread.start()

    def cancel(self) -> None:
        self._stop.set()
        self.status.setText(self.tr("Stopping after the current step…"))

    def wait(self, timeout_ms: int = 60_000) -> bool:
        return self._thread.wait(timeout_ms) if self._thread is not None else True

    def _on_event(self, ev: object) -> None:
        if isinstance(ev, CurveTraining) and isinstance(ev.event, StepProgress):
            total = ev.count * max(1, ev.event.total_steps)
            self.progress.setRange(0, total)
            self.progress.setValue(ev.index * ev.event.total_steps + ev.event.step)
            self.status.setText(self.tr("Training on {pct} ({n} documents), step {step}/{total}").format(
                pct=f"{ev.fraction:.0%}", n=ev.documents, step=ev.event.step, total=ev.event.total_steps))
        elif isinstance(ev, CurvePointDone):
            for task, score in ev.point.dev.items():
                if score is not None:
                    self.chart.add_point(f"{task} ({TASK_METRICS[task]})", ev.point.documents, score)
        elif isinstance(ev, CurveFinished):
            self.curve = ev.curve
            self.status.setText(self.tr("Cancelled after {n} of the subsets.").format(n=len(ev.curve.points))
                                if ev.curve.cancelled else self.tr("Done: {n} runs.").format(n=len(ev.curve.points)))

    def _on_finished(self) -> None:
        self._thread = None
        self._worker = None
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if self.is_running():
            self._stop.set()
            self.wait()
        super().closeEvent(event)
