"""The QPainter line chart's legend: it wraps, and a name wider than the chart is elided, whole in a tooltip."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF
from PySide6.QtGui import QFontMetrics, QHelpEvent
from PySide6.QtWidgets import QToolTip

from mtl_studio.gui.charts import LineChart

LONG = "total (weighted, smoothed over the last steps)"


def _chart(qtbot, width: int) -> LineChart:
    chart = LineChart("Training loss", "step")
    qtbot.addWidget(chart)
    for name, label in (("ner", "NER"), ("total", LONG), ("sentiment", "sentiment")):
        chart.add_series(name, label)
        chart.append_point(name, 1, 1.0)
    chart.resize(width, 200)
    return chart


def test_a_legend_name_wider_than_the_chart_is_elided_inside_it(qtbot):
    chart = _chart(qtbot, 220)
    fm = QFontMetrics(chart.font())
    assert fm.horizontalAdvance(LONG) + 20 > chart.width()  # the setup really is too narrow for it
    legend = chart.legend_rects()
    assert [name for name, _ in legend] == ["ner", "total", "sentiment"]
    for name, rect in legend:
        assert chart.rect().toRectF().contains(rect), (name, rect)
        assert fm.horizontalAdvance(chart.legend_text(name, rect)) <= rect.width() - 20
    rects = dict(legend)
    assert chart.legend_text("total", rects["total"]).endswith("…")
    assert chart.legend_text("ner", rects["ner"]) == "NER"  # short names are drawn whole
    chart.grab()  # paints without error


def test_a_wide_chart_draws_every_name_whole(qtbot):
    chart = _chart(qtbot, 900)
    for name, rect in chart.legend_rects():
        assert chart.legend_text(name, rect) in ("NER", LONG, "sentiment")


def test_the_tooltip_over_an_elided_entry_is_the_whole_name(qtbot, monkeypatch):
    chart = _chart(qtbot, 220)
    shown = []
    monkeypatch.setattr(QToolTip, "showText", lambda pos, text, *a: shown.append(text))
    rect = dict(chart.legend_rects())["total"]
    centre = rect.center().toPoint()
    chart.event(QHelpEvent(QEvent.Type.ToolTip, centre, chart.mapToGlobal(centre)))
    assert shown == [LONG]
    chart.event(QHelpEvent(QEvent.Type.ToolTip, QPoint(chart.width() // 2, 190), QPoint(0, 0)))
    assert shown == [LONG]  # off the legend: no tooltip
