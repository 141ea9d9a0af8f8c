"""The run's row in the project while it trains: created or resumed, per-epoch metrics, checkpoints,
and how it ended.

Only rank 0 writes (writer=True); the other ranks of a distributed run hold the same run id and
write nothing, so a run is recorded once whatever the number of processes.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import TrainConfig
from .errors import TrainingError
from .evaluate import EvalReport
from .paths import has_resume_point, runs_dir_for
from .run_liveness import Heartbeat, resume_hint
from .run_messages import RunNote
from .store import ProjectStore


def resumable_config(store: ProjectStore, run_id: str) -> TrainConfig:
    """The stored config of a run that can be resumed; ValueError when it already finished, TrainingError
    while a live process still trains it (two trainers would write one run folder)."""
    run = store.run_record(run_id)
    if run.finished:
        raise ValueError(f"run {run_id} already finished ({run.status}); nothing to resume")
    if run.status == "running":  # the store reads a run whose process died as "interrupted"
        raise TrainingError(f"run {run_id} is still running in another process; stop it there first, or "
                            "wait until it ends")
    return TrainConfig.from_dict(run.config)


class RunBookkeeping:
    """Writes one run's record; every method is a no-op on the ranks that do not write."""

    def __init__(self, store: ProjectStore, run_id: str, *, writer: bool) -> None:
        self.store = store
        self.run_id = run_id
        self.writer = writer
        self.run_dir = runs_dir_for(store.path) / run_id  # best/ and the resume point last/

    @classmethod
    def begin(cls, store: ProjectStore, config: TrainConfig, *, writer: bool,
              broadcast: Callable[[Any], Any], resume_run_id: str | None = None,
              notes: list[RunNote] | None = None) -> "RunBookkeeping":
        """A new run (its id sent to every rank) or the resumed one, marked running again. A warning goes
        to `notes` when the labelled data changed since the resumed run started."""
        if resume_run_id:
            if writer:
                if store.run_record(resume_run_id).dataset_hash != store.dataset_hash() and notes is not None:
                    notes.append(RunNote("warning", "data_changed_since_run", {"run": resume_run_id}))
                store.claim_run(resume_run_id)  # running again, owned by this process
            return cls(store, resume_run_id, writer=writer)
        run_id = store.create_run(config.to_dict()) if writer else None
        return cls(store, broadcast(run_id), writer=writer)

    def epoch_done(self, epoch: int, train_loss: dict[str, float], weights: dict[str, float],
                   dev: EvalReport | None) -> None:
        """The per-epoch row: mean training losses, task weights and (when evaluated) the dev scores."""
        if not self.writer:
            return
        metrics: dict[str, Any] = {"train_loss": train_loss, "weights": weights}
        if dev is not None:
            metrics["dev"] = dev.to_dict()
        self.store.add_epoch_metrics(self.run_id, epoch, metrics)

    def conflict_measured(self, step: int, cosine: float, per_group: dict[str, float], steps_apart: int) -> None:
        """One gradient-conflict meter reading (core/gradient_conflict.py)."""
        if self.writer:
            self.store.add_conflict_measurement(self.run_id, step, cosine, per_group, steps_apart)

    def checkpoint_saved(self, run_dir: Path) -> None:
        if self.writer:
            self.store.update_run(self.run_id, artefact_dir=str(run_dir))

    def finished(self, status: str, metrics: dict[str, Any], run_dir: Path) -> None:
        if self.writer:
            self.store.update_run(self.run_id, status=status, metrics=metrics, artefact_dir=str(run_dir), message="")

    def stopped(self, metrics: dict[str, Any], message: str, run_dir: Path) -> None:
        if self.writer:
            self.store.update_run(self.run_id, status="stopped", metrics=metrics, message=message,
                                  artefact_dir=str(run_dir))

    def failed(self, message: str) -> None:
        if self.writer:
            self.store.update_run(self.run_id, status="failed", message=message)

    def heartbeat(self) -> contextlib.AbstractContextManager[object]:
        """`with book.heartbeat():` renews the run's heartbeat from a thread of its own while training
        (core/run_liveness.py); nothing on the ranks that do not write."""
        if not self.writer:
            return contextlib.nullcontext()
        # The thread's store connection is its own (connections are per thread): closed as it ends.
        return Heartbeat(lambda: self.store.beat_run(self.run_id), on_exit=self.store.close)

    def interrupted(self) -> None:
        """The consumer closed the generator or the process is being interrupted: the record must not
        say "running" forever. The last checkpoint (if any) stays; the message says whether there is one."""
        if self.writer:
            self.store.update_run(self.run_id, status="stopped",
                                  message="interrupted; " + resume_hint(self.run_id, has_resume_point(self.run_dir)))


def final_metrics(*, tasks: tuple[str, ...], best_epoch: int | None, epochs_trained: int,
                  train_documents: dict[str, int], encoding: dict[str, Any],
                  reports: list[EvalReport]) -> dict[str, Any]:
    """The run metrics of a finished run; a split's report only when it scored some task."""
    metrics: dict[str, Any] = {"tasks": list(tasks), "best_epoch": best_epoch, "epochs_trained": epochs_trained,
                               "train_documents": dict(train_documents), "encoding": encoding}
    for report in reports:
        if _scored_something(report):
            metrics[report.split] = report.to_dict()
    return metrics


def _scored_something(report: EvalReport) -> bool:
    """Whether a report scored any task (the further tasks' scores live in entity_sentiment / label_sets)."""
    return (report.ner is not None or report.sentiment is not None
            or getattr(report, "entity_sentiment", None) is not None or bool(getattr(report, "label_sets", None)))


def stopped_metrics(*, tasks: tuple[str, ...], best_epoch: int | None,
                    best_metrics: dict[str, Any]) -> dict[str, Any]:
    """The run metrics of a stopped run: the best dev scores so far."""
    return {"tasks": list(tasks), "best_epoch": best_epoch, **best_metrics}
