"""The sweep's scatter plot: one dev score per axis (a chosen pair of tasks), the Pareto front drawn as a
step line through its points, single-task baselines as dashed reference lines.

Drawn with QPainter like gui/charts.py (no QtCharts in PySide6-Essentials). Hovering a point names the
run and its weights; a click emits `run_clicked(run_id)`. `export_png` grabs the widget; `export_svg`
paints the same picture into QSvgGenerator (QtSvg ships with PySide6-Essentials).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from mtl_studio.core.sweep import TASK_SCORE, SweepResult

from .charts import format_tick, nice_ticks

FRONT_COLOUR = QColor("#D55E00")
POINT_COLOUR = QColor("#0072B2")
BASELINE_COLOUR = QColor("#555555")
HIT_RADIUS = 8.0  # pixels: how close the mouse must be to a point to hover or click it
MARGIN = (56.0, 16.0, 16.0, 44.0)  # left, top, right, bottom


class ScatterChart(QWidget):
    run_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepScatter")
        self._results: list[SweepResult] = []
        self._baselines: dict[str, float] = {}
        self._axes: tuple[str, str] = ("ner", "sentiment")
        self._selected: str | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(260, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.setPalette(palette)

    # ---- data --------------------------------------------------------------------------------------

    def set_results(self, results: Sequence[SweepResult], baselines: dict[str, float],
                    axes: tuple[str, str] = ("ner", "sentiment")) -> None:
        self._results = list(results)
        self._baselines = dict(baselines)
        self._axes = axes
        self.update()

    def plotted(self) -> list[SweepResult]:
        """The joint runs scored on both axes' tasks (what the plot shows as points)."""
        x, y = self._axes
        return [r for r in self._results if r.baseline_task is None and x in r.dev and y in r.dev]

    def select(self, run_id: str | None) -> None:
        self._selected = run_id
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(420, 320)

    # ---- geometry ----------------------------------------------------------------------------------

    def _plot_rect(self, width: float, height: float) -> QRectF:
        left, top, right, bottom = MARGIN
        return QRectF(left, top, max(width - left - right, 10), max(height - top - bottom, 10))

    def _ranges(self) -> tuple[float, float, float, float]:
        x, y = self._axes
        xs = [r.dev[x] for r in self.plotted()] + ([self._baselines[x]] if x in self._baselines else [])
        ys = [r.dev[y] for r in self.plotted()] + ([self._baselines[y]] if y in self._baselines else [])
        if not xs or not ys:
            return 0.0, 1.0, 0.0, 1.0

        def padded(values: list[float]) -> tuple[float, float]:
            lo, hi = min(values), max(values)
            pad = max((hi - lo) * 0.1, 0.01)
            return lo - pad, hi + pad
        return (*padded(xs), *padded(ys))

    def _mapper(self, width: float, height: float):
        rect = self._plot_rect(width, height)
        x0, x1, y0, y1 = self._ranges()

        def to_pixel(x: float, y: float) -> QPointF:
            return QPointF(rect.left() + (x - x0) / (x1 - x0) * rect.width(),
                           rect.bottom() - (y - y0) / (y1 - y0) * rect.height())
        return rect, to_pixel

    def point_position(self, run_id: str) -> QPointF:
        """Where a run's point is drawn (widget coordinates)."""
        _, to_pixel = self._mapper(self.width(), self.height())
        x, y = self._axes
        r = next(r for r in self.plotted() if r.run_id == run_id)
        return to_pixel(r.dev[x], r.dev[y])

    def point_at(self, pos: QPointF) -> SweepResult | None:
        _, to_pixel = self._mapper(self.width(), self.height())
        x, y = self._axes
        best, best_d = None, HIT_RADIUS
        for r in self.plotted():
            p = to_pixel(r.dev[x], r.dev[y])
            d = math.hypot(p.x() - pos.x(), p.y() - pos.y())
            if d <= best_d:
                best, best_d = r, d
        return best

    def describe(self, r: SweepResult) -> str:
        """The hover text: the point, its run and its dev scores."""
        x, y = self._axes
        front = self.tr(" · on the Pareto front") if r.on_front else ""
        return self.tr("{} (run {}){}\n{} {} · {} {}").format(
            r.label, r.run_id, front, TASK_SCORE.get(x, x), f"{r.dev[x]:.3f}", TASK_SCORE.get(y, y), f"{r.dev[y]:.3f}")

    # ---- mouse ---------------------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        hit = self.point_at(event.position())
        if hit is None:
            QToolTip.hideText()
            self.setToolTip("")
        else:
            self.setToolTip(self.describe(hit))
            QToolTip.showText(event.globalPosition().toPoint(), self.describe(hit), self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        hit = self.point_at(event.position())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(hit.run_id)
            self.run_clicked.emit(hit.run_id)
        super().mousePressEvent(event)

    # ---- painting ------------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.render_to(painter, self.width(), self.height())
        painter.end()

    def render_to(self, painter: QPainter, width: float, height: float) -> None:
        """The whole plot on any painter (the widget, an SVG generator)."""
        painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
        rect, to_pixel = self._mapper(width, height)
        x_task, y_task = self._axes
        x0, x1, y0, y1 = self._ranges()
        self._draw_axes(painter, rect, to_pixel, (x0, x1, y0, y1))
        painter.setPen(QPen(QColor("black")))
        painter.drawText(QRectF(rect.left(), rect.bottom() + 22, rect.width(), 18), Qt.AlignmentFlag.AlignCenter,
                         self.tr("dev {}").format(TASK_SCORE.get(x_task, x_task)))
        painter.save()
        painter.translate(12, rect.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-rect.height() / 2, -8, rect.height(), 16), Qt.AlignmentFlag.AlignCenter,
                         self.tr("dev {}").format(TASK_SCORE.get(y_task, y_task)))
        painter.restore()
        self._draw_baselines(painter, rect, to_pixel)
        points = self.plotted()
        if not points:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("No finished sweep runs yet."))
            return
        front = sorted((r for r in points if r.on_front), key=lambda r: r.dev[x_task])
        if len(front) > 1:
            path = QPainterPath(to_pixel(front[0].dev[x_task], front[0].dev[y_task]))
            for a, b in zip(front, front[1:]):  # the attainable region's boundary: a staircase
                path.lineTo(to_pixel(b.dev[x_task], a.dev[y_task]))
                path.lineTo(to_pixel(b.dev[x_task], b.dev[y_task]))
            painter.setPen(QPen(FRONT_COLOUR, 1.5))
            painter.drawPath(path)
        for r in points:
            p = to_pixel(r.dev[x_task], r.dev[y_task])
            colour = FRONT_COLOUR if r.on_front else POINT_COLOUR
            painter.setPen(QPen(QColor("black") if r.run_id == self._selected else colour, 2))
            painter.setBrush(colour if r.on_front else Qt.BrushStyle.NoBrush)
            painter.drawEllipse(p, 5, 5)
            painter.setPen(QPen(QColor("#333333")))
            painter.drawText(p + QPointF(7, -6), r.label if r.strategy != "fixed" else f"{r.weights.get(x_task, 0):.2f}")
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _draw_axes(self, painter: QPainter, rect: QRectF, to_pixel, ranges: tuple[float, float, float, float]) -> None:
        x0, x1, y0, y1 = ranges
        grid = QPen(QColor("#e6e6e6"))
        painter.setPen(grid)
        for t in nice_ticks(x0, x1):
            if x0 <= t <= x1:
                px = to_pixel(t, y0).x()
                painter.setPen(grid)
                painter.drawLine(QPointF(px, rect.top()), QPointF(px, rect.bottom()))
                painter.setPen(QPen(QColor("#333333")))
                painter.drawText(QRectF(px - 30, rect.bottom() + 2, 60, 16), Qt.AlignmentFlag.AlignCenter,
                                 format_tick(t))
        for t in nice_ticks(y0, y1):
            if y0 <= t <= y1:
                py = to_pixel(x0, t).y()
                painter.setPen(grid)
                painter.drawLine(QPointF(rect.left(), py), QPointF(rect.right(), py))
                painter.setPen(QPen(QColor("#333333")))
                painter.drawText(QRectF(rect.left() - 50, py - 8, 46, 16),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, format_tick(t))
        painter.setPen(QPen(QColor("#333333")))
        painter.drawRect(rect)

    def _draw_baselines(self, painter: QPainter, rect: QRectF, to_pixel) -> None:
        x_task, y_task = self._axes
        pen = QPen(BASELINE_COLOUR, 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        if x_task in self._baselines:
            px = to_pixel(self._baselines[x_task], 0).x()
            painter.drawLine(QPointF(px, rect.top()), QPointF(px, rect.bottom()))
            painter.drawText(QPointF(px + 3, rect.top() + 12), self.tr("{} only").format(x_task))
        if y_task in self._baselines:
            py = to_pixel(0, self._baselines[y_task]).y()
            painter.drawLine(QPointF(rect.left(), py), QPointF(rect.right(), py))
            painter.drawText(QPointF(rect.right() - 90, py - 3), self.tr("{} only").format(y_task))

    # ---- export --------------------------------------------------------------------------------------

    def export_png(self, path: str | Path) -> bool:
        return self.grab().save(str(path), "PNG")

    def export_svg(self, path: str | Path) -> None:
        from PySide6.QtSvg import QSvgGenerator

        size = self.size() if self.width() > 50 else self.sizeHint()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(self.tr("Task-weight sweep: dev scores and Pareto front"))
        painter = QPainter(generator)
        self.render_to(painter, size.width(), size.height())
        painter.end()
