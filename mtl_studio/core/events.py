"""The progress events a training run yields.

Events are plain frozen dataclasses (no tensors, no Qt) so they can cross threads and processes: the
CLI prints them, the GUI worker forwards them as signals, torchrun children send them over a socket
(event_to_dict / event_from_dict).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    config: dict[str, Any]
    device: str
    precision: str
    train_documents: dict[str, int]  # per task: documents that contribute to its loss
    total_steps: int
    budget: dict[str, Any] = dataclasses.field(default_factory=dict)  # core.budget.BudgetPlan as a dict
    kind: str = "started"


@dataclass(frozen=True)
class StepProgress:
    step: int  # optimizer steps done
    total_steps: int
    epoch: int  # 1-based
    losses: dict[str, float]  # per task (and "mlm", "l2sp", "total")
    weights: dict[str, float]  # the task weights the strategy used for this step
    samples_per_second: float
    eta_seconds: float
    learning_rate: float
    kind: str = "step"


@dataclass(frozen=True)
class EpochEvaluated:
    epoch: int
    split: str
    metrics: dict[str, Any]  # {"ner": {...}, "sentiment": {...}} as in evaluate.EvalReport.to_dict()
    is_best: bool
    kind: str = "evaluated"


@dataclass(frozen=True)
class LogMessage:
    level: str  # info | warning | error
    text: str
    kind: str = "log"


@dataclass(frozen=True)
class RunFinished:
    run_id: str
    status: str  # completed | stopped | early_stopped | failed
    best_epoch: int | None
    metrics: dict[str, Any]  # best dev metrics, and test metrics when a test split exists
    artefact_dir: str | None
    message: str = ""
    kind: str = "finished"


Event = RunStarted | StepProgress | EpochEvaluated | LogMessage | RunFinished


def event_to_dict(event: Event) -> dict[str, Any]:
    return dataclasses.asdict(event)


def event_from_dict(d: dict[str, Any]) -> Event:
    kinds = {"started": RunStarted, "step": StepProgress, "evaluated": EpochEvaluated, "log": LogMessage,
             "finished": RunFinished}
    return kinds[d["kind"]](**d)
