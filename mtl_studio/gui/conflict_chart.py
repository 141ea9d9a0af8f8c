"""The Train tab's live gradient-conflict chart: the meter's cosine of the tasks' gradients on the shared
encoder (core/gradient_conflict.py), over all shared parameters and for the embeddings and the last
encoder layer (where conflicts usually differ most). Below zero the tasks pull the encoder apart.

Fed live by the Train tab with every training event (on_event), or redrawn at once from a stored run's
readings (show_readings, the rows of ProjectStore.conflict_measurements): the same series either way."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QWidget

from mtl_studio.core.events import GradientConflict, RunStarted

from .charts import LineChart


def _last_layer(groups: dict[str, float]) -> str | None:
    layers = [g for g in groups if g.startswith("layer ")]
    return max(layers, key=lambda g: int(g.split()[1])) if layers else None


class ConflictChart(LineChart):
    """Hidden until the first reading of a run (single-task runs and a meter turned off show nothing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", "", parent)
        self.set_title(self.tr("Gradient cosine between the tasks"))
        self._x_label = self.tr("step")
        self.setObjectName("conflictChart")
        self.set_y_floor(0.0)  # zero always in view: the sign is the message
        self.setToolTip(self.tr("Cosine similarity of the tasks' gradients on the shared encoder, every few "
                                "steps. Persistently below 0: the tasks conflict (try PCGrad or a lower weight)."))
        self.hide()

    def reset(self) -> None:
        self.clear()
        self.hide()

    def on_event(self, ev: object) -> None:
        """Feed every training event; the chart keeps what it needs and restarts with each run."""
        if isinstance(ev, RunStarted):
            self.reset()
        elif isinstance(ev, GradientConflict):
            self.show()
            self._append_reading(ev.step, ev.cosine, ev.per_group)
            self.update()

    def show_readings(self, readings: Sequence[dict[str, Any]]) -> None:
        """Replace the chart with a stored run's readings ({step, cosine, per_group, ...} in step order);
        hidden when there are none, as a live run before its first reading."""
        self.reset()
        for r in readings:
            self._append_reading(r["step"], r["cosine"], r.get("per_group") or {})
        if readings:
            self.show()
        self.update()

    def _append_reading(self, step: int, cosine: float, per_group: dict[str, float]) -> None:
        self.append_point(self.tr("all layers"), step, cosine)
        if "embeddings" in per_group:
            self.append_point(self.tr("embeddings"), step, per_group["embeddings"])
        last = _last_layer(per_group)
        if last is not None:
            self.append_point(self.tr("last layer"), step, per_group[last])
