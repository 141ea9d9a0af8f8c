"""The progress events a training run yields.

Events are plain frozen dataclasses (no tensors, no Qt) so they can cross threads and processes: the
CLI prints them, the GUI worker forwards them as signals, torchrun children send them over a socket
(event_to_dict / event_from_dict).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .run_messages import RunNote


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
class GradientConflict:
    """The gradient-conflict meter's reading (core/gradient_conflict.py): cosine of the two tasks'
    gradients on the shared encoder, overall and per layer group ("embeddings", "layer 0", ...)."""
    step: int  # the optimizer step it was measured on (1-based, as StepProgress.step)
    tasks: tuple[str, str]
    cosine: float
    per_group: dict[str, float]
    steps_apart: int = 0  # >0: one-task batches, the first gradient is this many steps older
    kind: str = "conflict"


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
    text: str  # English, as the CLI prints it
    kind: str = "log"
    code: str = ""  # a core.run_messages code ("" for free text such as an error), so the GUI can translate
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, note: "RunNote") -> "LogMessage":
        return cls(note.level, note.text, code=note.code, params=dict(note.params))


@dataclass(frozen=True)
class RunFinished:
    run_id: str
    status: str  # completed | stopped | early_stopped | failed
    best_epoch: int | None
    metrics: dict[str, Any]  # best dev metrics, and test metrics when a test split exists
    artefact_dir: str | None
    message: str = ""
    kind: str = "finished"


Event = RunStarted | StepProgress | GradientConflict | EpochEvaluated | LogMessage | RunFinished


def event_to_dict(event: Event) -> dict[str, Any]:
    return dataclasses.asdict(event)


def event_from_dict(d: dict[str, Any]) -> Event:
    kinds = {"started": RunStarted, "step": StepProgress, "conflict": GradientConflict, "evaluated": EpochEvaluated,
             "log": LogMessage, "finished": RunFinished}
    event = kinds[d["kind"]](**d)
    if isinstance(event, GradientConflict):  # JSON turned the pair into a list
        event = dataclasses.replace(event, tasks=tuple(event.tasks))
    return event
