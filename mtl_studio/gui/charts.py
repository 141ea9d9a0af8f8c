"""Live line charts drawn with QPainter (QtCharts is not part of PySide6-Essentials).

A chart holds a few named series of (x, y) points and repaints itself: axes with rounded tick
labels, one polyline per series, a legend. Adding a point only appends to a list and schedules a
repaint (Qt merges pending update() calls), so a fast stream of training steps stays cheap.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

# Series colours (colour-blind friendly order from the Okabe-Ito palette).
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")

# Drawing more points than pixels wastes time: long series are thinned to about this many.
MAX_DRAWN_POINTS = 600


@dataclass
class Series:
    name: str
    colour: QColor
    label: str = ""  # the legend text (the name when empty)
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 5 times a power of ten apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def format_tick(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.0e}"
    return f"{value:g}"


class LineChart(QWidget):
    """A small line chart: `add_point(series, x, y)`, `clear()`."""

    def __init__(self, title: str = "", x_label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._x_label = x_label
        self._series: dict[str, Series] = {}
        self._y_min_floor: float | None = None
        self.setMinimumSize(180, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.setPalette(palette)

    # ---- data --------------------------------------------------------------------------------

    def set_title(self, title: str) -> None:
        self._title = title
        self.update()

    def set_y_floor(self, value: float | None) -> None:
        """Keep `value` inside the y range (0 for losses and weights, so the scale does not mislead)."""
        self._y_min_floor = value
        self.update()

    def set_x_label(self, text: str) -> None:
        self._x_label = text
        self.update()

    def add_series(self, name: str, label: str = "") -> None:
        """A series with its legend text; its colour follows the order series are added in."""
        if name not in self._series:
            colour = QColor(SERIES_COLOURS[len(self._series) % len(SERIES_COLOURS)])
            self._series[name] = Series(name, colour, label)

    def append_point(self, name: str, x: float, y: float) -> None:
        """Add a point without repainting (the caller calls update() when a batch of points is in)."""
        if not math.isfinite(y):
            return  # a NaN stops the run; it would only break the scale here
        self.add_series(name)
        series = self._series[name]
        series.xs.append(float(x))
        series.ys.append(float(y))

    def add_point(self, name: str, x: float, y: float) -> None:
        self.append_point(name, x, y)
        self.update()

    def clear(self) -> None:
        self._series.clear()
        self.update()

    def series_names(self) -> list[str]:
        return list(self._series)

    def points(self, name: str) -> list[tuple[float, float]]:
        s = self._series[name]
        return list(zip(s.xs, s.ys))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(420, 240)

    # ---- painting ------------------------------------------------------------------------------

    def _ranges(self) -> tuple[float, float, float, float] | None:
        xs = [x for s in self._series.values() for x in s.xs]
        ys = [y for s in self._series.values() for y in s.ys]
        if not xs:
            return None
        x0, x1 = min(xs), max(xs)
        y0, y1 = min(ys), max(ys)
        if self._y_min_floor is not None:
            y0 = min(y0, self._y_min_floor)
        if x1 <= x0:
            x1 = x0 + 1
        if y1 <= y0:
            y1 = y0 + (abs(y0) or 1.0) * 0.1
        pad = (y1 - y0) * 0.05
        return x0, x1, y0 if self._y_min_floor is not None and y0 == self._y_min_floor else y0 - pad, y1 + pad

    def legend_rects(self) -> list[tuple[str, QRectF]]:
        """(series name, rectangle) of each legend entry (a colour line and the name). Entries that do
        not fit the width start a new line, so a long (translated) name is never cut off at the edge; a
        name wider than a whole line is shortened with an ellipsis (legend_text) and shown whole in the
        entry's tooltip (seen at 1280x720: "total (weighted, smoothed)" ran past a narrow loss chart)."""
        fm = QFontMetrics(self.font())
        left, right = self._plot_left(fm), self.width() - 12
        line_h = fm.height() + 6
        out, x, row = [], left, 0
        for s in self._series.values():
            width = 20 + fm.horizontalAdvance(s.label or s.name)
            if x > left and x + width > right:
                x, row = left, row + 1
            width = max(20.0, min(width, right - x))
            out.append((s.name, QRectF(x, fm.height() + 4 + row * line_h, width, line_h)))
            x += width + 14
        return out

    def legend_text(self, name: str, rect: QRectF) -> str:
        """A series' legend text as drawn in its entry's rectangle (elided when it does not fit)."""
        s = self._series[name]
        return QFontMetrics(self.font()).elidedText(s.label or s.name, Qt.TextElideMode.ElideRight,
                                                    int(rect.width()) - 20)

    def event(self, e: QEvent) -> bool:  # noqa: D102 - Qt override: a legend entry's tooltip is its whole name
        if e.type() == QEvent.Type.ToolTip:
            pos = QPointF(e.pos())
            for name, rect in self.legend_rects():
                if rect.contains(pos):
                    s = self._series[name]
                    QToolTip.showText(e.globalPos(), s.label or s.name, self)
                    return True
            QToolTip.hideText()
            e.ignore()
            return True
        return super().event(e)

    @staticmethod
    def _plot_left(fm: QFontMetrics) -> float:
        return fm.horizontalAdvance("0.0000") + 10

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        fm = QFontMetrics(font)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        grid_colour = QColor("#e0e0e0")
        axis_colour = QColor("#707070")

        title_h = fm.height() + 4
        left = self._plot_left(fm)
        legend = self.legend_rects()
        legend_h = max((r.bottom() for _, r in legend), default=title_h + fm.height() + 6) - title_h
        bottom = fm.height() + (fm.height() if self._x_label else 0) + 8
        plot = QRectF(left, title_h + legend_h, max(self.width() - left - 12, 10),
                      max(self.height() - title_h - legend_h - bottom, 10))

        bold = QFont(font)
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(text_colour)
        p.drawText(QRectF(0, 0, self.width(), title_h), Qt.AlignmentFlag.AlignCenter, self._title)
        p.setFont(font)

        # Legend: a colour line and the series name, left to right, wrapping onto more lines.
        for name, rect in legend:
            s = self._series[name]
            x, y = rect.left(), rect.center().y()
            p.setPen(QPen(s.colour, 3))
            p.drawLine(QPointF(x, y), QPointF(x + 16, y))
            p.setPen(text_colour)
            p.drawText(QPointF(x + 20, y + fm.ascent() / 2 - 1), self.legend_text(name, rect))

        ranges = self._ranges()
        p.setPen(QPen(axis_colour, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.drawLine(plot.bottomLeft(), plot.topLeft())
        if ranges is None:
            p.setPen(axis_colour)
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.tr("No data yet"))
            p.end()
            return
        x0, x1, y0, y1 = ranges

        def to_px(xv: float, yv: float) -> QPointF:
            return QPointF(plot.left() + (xv - x0) / (x1 - x0) * plot.width(),
                           plot.bottom() - (yv - y0) / (y1 - y0) * plot.height())

        for tick in nice_ticks(y0, y1, 4):
            if not (y0 <= tick <= y1):
                continue
            pt = to_px(x0, tick)
            p.setPen(QPen(grid_colour, 1))
            p.drawLine(QPointF(plot.left(), pt.y()), QPointF(plot.right(), pt.y()))
            p.setPen(text_colour)
            label = format_tick(tick)
            p.drawText(QRectF(0, pt.y() - fm.height() / 2, left - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        for tick in nice_ticks(x0, x1, 5):
            if not (x0 <= tick <= x1):
                continue
            pt = to_px(tick, y0)
            p.setPen(QPen(axis_colour, 1))
            p.drawLine(QPointF(pt.x(), plot.bottom()), QPointF(pt.x(), plot.bottom() + 3))
            p.setPen(text_colour)
            label = format_tick(tick)
            w = fm.horizontalAdvance(label)
            p.drawText(QPointF(pt.x() - w / 2, plot.bottom() + fm.ascent() + 4), label)
        if self._x_label:
            p.drawText(QRectF(plot.left(), self.height() - fm.height() - 2, plot.width(), fm.height()),
                       Qt.AlignmentFlag.AlignCenter, self._x_label)

        p.setClipRect(plot.adjusted(-2, -2, 2, 2))
        for s in self._series.values():
            if not s.xs:
                continue
            stride = max(1, len(s.xs) // MAX_DRAWN_POINTS)
            idx = list(range(0, len(s.xs), stride))
            if idx[-1] != len(s.xs) - 1:
                idx.append(len(s.xs) - 1)
            path = QPainterPath(to_px(s.xs[idx[0]], s.ys[idx[0]]))
            for i in idx[1:]:
                path.lineTo(to_px(s.xs[i], s.ys[i]))
            p.setPen(QPen(s.colour, 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            if len(idx) == 1:
                p.setBrush(s.colour)
                p.drawEllipse(to_px(s.xs[0], s.ys[0]), 3, 3)
        p.end()
