"""The training panel's two charts fed from the engine's step events, at a pace the GUI can afford.

Loss chart: each task's loss (one curve per task of the run, however many the project declares) at the
steps where that task had a batch (a joint batch may hold no document labelled for one task: the engine
then reports no loss for it), and the weighted total loss
of every step, smoothed by an exponential moving average (single batches are noisy; the weighted total
is the quantity the optimizer minimises, so it is defined at every step). Weight chart: the task
weights the strategy used.

Steps can arrive faster than the eye reads a chart; points are appended at once but the charts repaint
at most `REFRESH_HZ` times a second, so a fast run does not flood the GUI thread with repaints.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from mtl_studio.core.events import StepProgress

from .charts import LineChart
from .engine_text import series_label

REFRESH_HZ = 10
TOTAL_EMA_ALPHA = 0.1  # about the last ten steps
TOTAL = "total"
# Not drawn: l2sp is a distance to the pretrained weights, not a loss on the data (it stays in the log).
NOT_DRAWN = frozenset({"l2sp"})


def _series_order(name: str) -> int:
    """Tasks first (in the order the engine reports them), then MLM, then the total."""
    return {"mlm": 1, TOTAL: 2}.get(name, 0)


class LossCurves(QObject):
    """Feeds `loss_chart` and `weight_chart` from StepProgress events."""

    def __init__(self, loss_chart: LineChart, weight_chart: LineChart, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loss_chart = loss_chart
        self.weight_chart = weight_chart
        self._total_ema: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(1000 // REFRESH_HZ)
        self._timer.timeout.connect(self.flush)

    def clear(self) -> None:
        self._total_ema = None
        self.loss_chart.clear()
        self.weight_chart.clear()

    def add_step(self, ev: StepProgress) -> None:
        for name, value in ev.losses.items():
            if name == TOTAL:
                self._total_ema = value if self._total_ema is None else (
                    TOTAL_EMA_ALPHA * value + (1 - TOTAL_EMA_ALPHA) * self._total_ema)
                self._add(self.loss_chart, TOTAL, ev.step, self._total_ema)
            elif name not in NOT_DRAWN:
                self._add(self.loss_chart, name, ev.step, value)
        for name, value in ev.weights.items():
            self._add(self.weight_chart, name, ev.step, value)
        if not self._timer.isActive():
            self._timer.start()

    def add_epoch(self, epoch: int, train_loss: dict[str, float], weights: dict[str, float]) -> None:
        """A stored run's per-epoch means (a run from an earlier session: its steps were not kept)."""
        for name in sorted(train_loss, key=_series_order):  # the same colours and legend order as live runs
            if name not in NOT_DRAWN:
                self._add(self.loss_chart, name, epoch, train_loss[name])
        for name in sorted(weights, key=_series_order):
            self._add(self.weight_chart, name, epoch, weights[name])
        self.flush()

    def flush(self) -> None:
        self._timer.stop()
        self.loss_chart.update()
        self.weight_chart.update()

    @staticmethod
    def _add(chart: LineChart, name: str, x: float, y: float) -> None:
        if name not in chart.series_names():
            chart.add_series(name, series_label(name))
        chart.append_point(name, x, y)
