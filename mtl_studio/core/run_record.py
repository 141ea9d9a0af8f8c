"""A training run as the project stores it: one typed record instead of a dict read by hand.

`to_dict()` is the JSON form (`mtl-studio runs --json`, `store.get_run`); `metrics` keeps the stored
JSON as written by training ({"tasks", "best_epoch", ..., "dev": report, "test": report}) so that the
file format and the CLI output stay byte for byte what they were.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .evaluate import EvalReport

# Statuses of a run that ended by itself: nothing left to resume.
FINISHED_STATUSES = ("completed", "early_stopped")


@dataclass(frozen=True)
class ConflictSummary:
    """A run's gradient-conflict meter (core/gradient_conflict.py) in two numbers: the mean cosine of
    the tasks' gradients and the share of measurements where they conflict (cosine < 0)."""

    measurements: int
    mean_cosine: float
    negative_share: float

    def to_dict(self) -> dict[str, float | int]:
        return {"measurements": self.measurements, "mean_cosine": self.mean_cosine,
                "negative_share": self.negative_share}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ConflictSummary":
        return cls(int(d["measurements"]), float(d["mean_cosine"]), float(d["negative_share"]))

    @classmethod
    def of(cls, cosines: Sequence[float]) -> "ConflictSummary | None":
        values = [c for c in cosines if c == c]  # NaN (no gradient on one side) carries no information
        if not values:
            return None
        return cls(len(values), sum(values) / len(values), sum(1 for c in values if c < 0) / len(values))


@dataclass
class RunRecord:
    id: str
    created_at: str  # ISO timestamp, UTC
    status: str  # running, completed, early_stopped, stopped, failed
    config: dict[str, Any]  # TrainConfig.to_dict() of the run
    dataset_hash: str  # store.dataset_hash() when the run was created
    artefact_dir: str | None  # the run folder (best/, last/); None before the first checkpoint
    metrics: dict[str, Any]  # stored run metrics (see the module docstring)
    message: str = ""  # why it stopped or failed; empty otherwise
    epochs: list[dict[str, Any]] | None = None  # per-epoch metrics; only a single-run read loads them
    gradient_conflict: ConflictSummary | None = None  # the meter's summary; None when it never measured

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def best_epoch(self) -> int | None:
        return self.metrics.get("best_epoch")

    @property
    def soup_epochs(self) -> list[int]:
        """The epochs whose weights were averaged into the run's model (core/weight_soup.py); empty when
        the model is the best epoch's."""
        return list(self.metrics.get("soup_epochs") or [])

    def report(self, split: str) -> EvalReport | None:
        """The stored scores of the best model on a split, if the run finished with some."""
        stored = self.metrics.get(split)
        return EvalReport.from_dict(stored) if isinstance(stored, dict) and stored else None

    @property
    def tasks(self) -> tuple[str, ...]:
        """The tasks the run trained (the resolved list of its config; older runs: ner and sentiment)."""
        return tuple(self.metrics.get("tasks") or self.config.get("tasks") or ("ner", "sentiment"))

    def scored_report(self) -> EvalReport | None:
        """The best model's scores a summary shows: test when there are some, else dev."""
        return self.report("test") or self.report("dev")

    def task_scores(self, split: str | None = None) -> dict[str, float]:
        """Each scored task's figure (EvalReport.task_f1: NER micro-F1, entity sentiment and sentiment
        macro-F1, a label set's macro- or micro-F1) on `split` (None: test, else dev); {} when unscored."""
        report = self.report(split) if split else self.scored_report()
        return report.task_f1() if report is not None else {}

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "created_at": self.created_at, "status": self.status, "config": self.config,
               "dataset_hash": self.dataset_hash, "artefact_dir": self.artefact_dir, "metrics": self.metrics,
               "message": self.message}
        if self.epochs is not None:
            out["epochs"] = self.epochs
        if self.gradient_conflict is not None:
            out["gradient_conflict"] = self.gradient_conflict.to_dict()
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RunRecord":
        return cls(id=d["id"], created_at=d.get("created_at", ""), status=d.get("status", ""),
                   config=dict(d.get("config") or {}), dataset_hash=d.get("dataset_hash") or "",
                   artefact_dir=d.get("artefact_dir"), metrics=dict(d.get("metrics") or {}),
                   message=d.get("message") or "", epochs=d.get("epochs"),
                   gradient_conflict=ConflictSummary.from_dict(d["gradient_conflict"])
                   if d.get("gradient_conflict") else None)
