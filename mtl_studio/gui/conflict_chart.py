"""The Train tab's live gradient-conflict chart: the meter's cosine of the tasks' gradients on the shared
encoder (core/gradient_conflict.py), over all shared parameters and for the embeddings and the last
encoder layer (where conflicts usually differ most). Below zero the tasks pull the encoder apart."""
from __future__ import annotations

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
            self.add_point(self.tr("all layers"), ev.step, ev.cosine)
            if "embeddings" in ev.per_group:
                self.add_point(self.tr("embeddings"), ev.step, ev.per_group["embeddings"])
            last = _last_layer(ev.per_group)
            if last is not None:
                self.add_point(self.tr("last layer"), ev.step, ev.per_group[last])
