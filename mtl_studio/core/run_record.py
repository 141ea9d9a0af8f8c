"""A training run as the project stores it: one typed record instead of a dict read by hand.

`to_dict()` is the JSON form (`mtl-studio runs --json`, `store.get_run`); `metrics` keeps the stored
JSON as written by training ({"tasks", "best_epoch", ..., "dev": report, "test": report}) so that the
file format and the CLI output stay byte for byte what they were.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .evaluate import EvalReport

# Statuses of a run that ended by itself: nothing left to resume.
FINISHED_STATUSES = ("completed", "early_stopped")


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

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def best_epoch(self) -> int | None:
        return self.metrics.get("best_epoch")

    def report(self, split: str) -> EvalReport | None:
        """The stored scores of the best model on a split, if the run finished with some."""
        stored = self.metrics.get(split)
        return EvalReport.from_dict(stored) if isinstance(stored, dict) and stored else None

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "created_at": self.created_at, "status": self.status, "config": self.config,
               "dataset_hash": self.dataset_hash, "artefact_dir": self.artefact_dir, "metrics": self.metrics,
               "message": self.message}
        if self.epochs is not None:
            out["epochs"] = self.epochs
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RunRecord":
        return cls(id=d["id"], created_at=d.get("created_at", ""), status=d.get("status", ""),
                   config=dict(d.get("config") or {}), dataset_hash=d.get("dataset_hash") or "",
                   artefact_dir=d.get("artefact_dir"), metrics=dict(d.get("metrics") or {}),
                   message=d.get("message") or "", epochs=d.get("epochs"))
