"""Will more labels help? Train on growing shares of the labelled training documents and score dev.

For each fraction (default 25/50/75/100%) one run trains with the same configuration and seed on the
first fraction of a seeded permutation of the labelled training documents, so the subsets are nested
(every document of the 25% run is in the 50% run) and the curve shows the effect of more labels, not of
another sample. A flat curve at 75-100% says labelling more will not pay with this model; a curve still
rising says it will (Prodigy's train-curve asks the same for one task; this asks it per task).

Each run trains on a scratch copy of the project (SQLite backup) from which the labelled training
documents outside the subset are removed: the project's own documents, labels and run list stay as
they are, and the trainer needs no notion of subsets. Dev and test documents are kept whole, so every
point is scored on the same dev split. The copies are deleted afterwards.
"""
from __future__ import annotations

import dataclasses
import os
import random
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import TrainConfig
from .events import Event, RunFinished
from .store import ProjectStore

DEFAULT_FRACTIONS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
# What the dev score of each task is: the model-selection metrics of training (core/evaluate.py).
TASK_METRICS = {"ner": "entity micro-F1", "sentiment": "macro-F1"}


@dataclass(frozen=True)
class CurvePoint:
    fraction: float
    documents: int  # labelled training documents the run trained on
    task_documents: dict[str, int]  # of those, labelled per task
    dev: dict[str, float | None]  # dev score per task (None: no labelled dev documents for it)
    run_status: str


@dataclass
class LearningCurve:
    tasks: tuple[str, ...]
    points: list[CurvePoint] = field(default_factory=list)
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"tasks": list(self.tasks), "metrics": {t: TASK_METRICS[t] for t in self.tasks},
                "points": [dataclasses.asdict(p) for p in self.points], "cancelled": self.cancelled}

    def table(self) -> list[str]:
        lines = ["fraction  documents  " + "  ".join(f"{t} dev {TASK_METRICS[t]}" for t in self.tasks)]
        for p in self.points:
            cells = [f"{p.dev[t]:.4f}" if p.dev.get(t) is not None else "–" for t in self.tasks]
            lines.append(f"{p.fraction:>8.0%}  {p.documents:>9}  " + "  ".join(
                f"{c:>{len(t) + 5 + len(TASK_METRICS[t])}}" for c, t in zip(cells, self.tasks)))
        return lines


@dataclass(frozen=True)
class CurveTraining:
    """A training event of the run for point `index` (of `count`)."""

    index: int
    count: int
    fraction: float
    documents: int
    event: Event
    kind: str = "training"


@dataclass(frozen=True)
class CurvePointDone:
    point: CurvePoint
    kind: str = "point"


@dataclass(frozen=True)
class CurveFinished:
    curve: LearningCurve
    kind: str = "finished"


CurveEvent = CurveTraining | CurvePointDone | CurveFinished


def parse_fractions(text: str) -> tuple[float, ...]:
    """'0.25,0.5,1' -> (0.25, 0.5, 1.0); ValueError unless each is in (0, 1]."""
    try:
        values = tuple(sorted({float(x) for x in text.split(",") if x.strip()}))
    except ValueError:
        raise ValueError(f"fractions must be numbers separated by commas, not {text!r}") from None
    if not values or any(not 0.0 < v <= 1.0 for v in values):
        raise ValueError(f"fractions must lie in (0, 1], not {text!r}")
    return values


def labelled_training_ids(store: ProjectStore, tasks: Sequence[str]) -> list[int]:
    """Training documents with gold for at least one of `tasks`, ascending."""
    ids: set[int] = set()
    for task in tasks:
        ids.update(store.document_ids("train", task=task, labelled=True))
    return sorted(ids)


def nested_subsets(ids: Sequence[int], fractions: Sequence[float], seed: int) -> list[list[int]]:
    """Per fraction, the first round(fraction * n) (at least 1) of one seeded permutation of `ids`."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return [sorted(order[:max(1, round(f * len(order)))]) for f in fractions]


def learning_curve(project: str | os.PathLike[str], config: TrainConfig,
                   fractions: Sequence[float] = DEFAULT_FRACTIONS, *, stop: threading.Event | None = None,
                   workdir: str | os.PathLike[str] | None = None) -> Iterator[CurveEvent]:
    """Train one run per fraction (see the module docstring), yielding CurveTraining for every training
    event, CurvePointDone per finished point and CurveFinished last. stop.set() stops the current run
    after its step; the curve then ends with the points done so far (cancelled=True)."""
    from .train import train

    stop = stop or threading.Event()
    fractions = tuple(sorted(fractions))
    with ProjectStore.open(project) as store:
        if not config.tasks:  # every declared task the curve has a metric for (TrainConfig.tasks empty)
            from .training_data import project_tasks

            config = dataclasses.replace(config, tasks=tuple(t for t in project_tasks(store) if t in TASK_METRICS))
        labelled = labelled_training_ids(store, config.tasks)
        per_task = {t: set(store.document_ids("train", task=t, labelled=True)) for t in config.tasks}
    if not labelled:
        raise ValueError("no labelled training documents: label some documents of the train split first")
    subsets = nested_subsets(labelled, fractions, config.seed)
    curve = LearningCurve(tuple(config.tasks))
    with tempfile.TemporaryDirectory(prefix="mtl-curve-", dir=workdir) as scratch:
        for index, (fraction, subset) in enumerate(zip(fractions, subsets)):
            if stop.is_set():
                curve.cancelled = True
                break
            copy = Path(scratch) / f"curve-{index}.mtl"
            _subset_copy(project, copy, set(labelled) - set(subset))
            finished: RunFinished | None = None
            for event in train(str(copy), dataclasses.replace(config), stop=stop):
                if isinstance(event, RunFinished):
                    finished = event
                yield CurveTraining(index, len(fractions), fraction, len(subset), event)
            if finished is None or finished.status == "stopped":
                curve.cancelled = True
                break
            dev = finished.metrics.get("dev") or {}
            point = CurvePoint(fraction, len(subset), {t: len(per_task[t] & set(subset)) for t in config.tasks},
                               {t: (dev.get(t) or {}).get("f1") for t in config.tasks}, finished.status)
            curve.points.append(point)
            yield CurvePointDone(point)
    yield CurveFinished(curve)


def _subset_copy(project: str | os.PathLike[str], target: Path, left_out: set[int]) -> None:
    with ProjectStore.open(project) as store:
        copy = store.copy_to(target)
    with copy:
        copy.delete_documents(left_out)
