"""Optional TensorBoard logging of a run's progress events (`mtl-studio train --tensorboard DIR`).

It only consumes the engine's events (no hook into the loop), so what TensorBoard shows is exactly
what the CLI prints and the GUI plots. Needs the `tensorboard` extra: pip install 'mtl-studio[tensorboard]'.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import TrainingError
from .events import EpochEvaluated, Event, GradientConflict, LogMessage, RunFinished, RunStarted, StepProgress

INSTALL_HINT = "TensorBoard logging needs the tensorboard package: pip install 'mtl-studio[tensorboard]'"


def _summary_writer_class():
    try:
        import tensorboard  # noqa: F401  (torch.utils.tensorboard needs it; check first for a clear message)
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:
        raise TrainingError(f"{INSTALL_HINT} ({e})") from e
    return SummaryWriter


def numeric_leaves(metrics: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    """("ner/f1", 0.81), ("ner/per_type/ORG/f1", ...) for every number in a nested metrics dict;
    lists (confusion matrices) and strings are left out."""
    for key, value in metrics.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            yield name, float(value)
        elif isinstance(value, dict):
            yield from numeric_leaves(value, name)


class TensorBoardWriter:
    """Writes StepProgress losses/weights/lr/throughput per optimizer step, the gradient-conflict meter's
    cosines (overall and per layer group) and EpochEvaluated metrics per epoch as scalars; the run config and the outcome as text. Use as a context manager or close()."""

    def __init__(self, log_dir: str | Path) -> None:
        writer_class = _summary_writer_class()
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._writer = writer_class(log_dir=str(self.log_dir))
        self._last_step = 0

    def write(self, event: Event) -> None:
        w = self._writer
        if isinstance(event, RunStarted):
            w.add_text("run/config", "```\n" + json.dumps(event.config, indent=2, default=str) + "\n```", 0)
            w.add_text("run/started", f"run {event.run_id} on {event.device} ({event.precision}), "
                                      f"{event.total_steps} steps, documents {event.train_documents}", 0)
        elif isinstance(event, StepProgress):
            step = self._last_step = event.step
            for name, value in event.losses.items():
                w.add_scalar(f"loss/{name}", value, step)
            for name, value in event.weights.items():
                w.add_scalar(f"weight/{name}", value, step)
            w.add_scalar("train/learning_rate", event.learning_rate, step)
            w.add_scalar("train/samples_per_second", event.samples_per_second, step)
            w.add_scalar("train/epoch", event.epoch, step)
        elif isinstance(event, GradientConflict):
            w.add_scalar("conflict/cosine", event.cosine, event.step)
            for group, value in event.per_group.items():
                w.add_scalar(f"conflict/{group.replace(' ', '_')}", value, event.step)
        elif isinstance(event, EpochEvaluated):
            for name, value in numeric_leaves(event.metrics):
                w.add_scalar(f"{event.split}/{name}", value, event.epoch)
        elif isinstance(event, LogMessage):
            if event.level in ("warning", "error"):
                w.add_text(f"log/{event.level}", event.text, self._last_step)
        elif isinstance(event, RunFinished):
            w.add_text("run/finished", f"{event.status} (best epoch {event.best_epoch}) {event.message}\n\n"
                       "```\n" + json.dumps(event.metrics, indent=2, default=str) + "\n```", self._last_step)
            w.flush()

    def forward(self, events: Iterable[Event]) -> Iterator[Event]:
        """Yield `events` unchanged while logging each; closes the writer at the end."""
        try:
            for event in events:
                self.write(event)
                yield event
        finally:
            self.close()

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> "TensorBoardWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
