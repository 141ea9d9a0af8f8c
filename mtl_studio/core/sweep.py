"""Task-weight sweep: K runs across the weight simplex (plus automatic strategies and single-task
baselines), one after another, and the Pareto front of their dev scores.

Hand-tuned fixed weights often match or beat the automatic strategies (Kurin et al. 2022, "In Defense
of the Unitary Scalarization for Deep Multi-Task Learning"; Xin et al. 2022, "Do Current Multi-Task
Optimization Methods in Deep Learning Even Help?"): the way to know on one's own data is to train the
scalarizations w_1 L_1 + ... + w_n L_n across the simplex and look at the trade-off. A run is on the
Pareto front when no other run scores at least as well on every task and better on one (both
maximised, dev split: the test split stays for the verdict).

    for event in run_sweep(project, plan_sweep(("ner", "sentiment"), 5, ["uncertainty"]), base, stop=stop):
        ...  # SweepStarted, SweepPointStarted, the run's own events, SweepPointFinished..., SweepFinished

Every run carries the sweep id in its config (`sweep_id`), so `sweep_results(store, sweep_id)` lists the
points later; a cancelled sweep keeps the runs that finished (the running one ends as "stopped").
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import itertools
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .budget import BudgetPlan
from .config import TrainConfig
from .events import Event, RunFinished, RunStarted, StepProgress
from .run_record import RunRecord
from .schema import TASKS
from .store import ProjectStore
from .throughput import stored_throughput

TASK_SCORE = {"ner": "NER F1", "sentiment": "sentiment macro-F1"}


# ---- the plan ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: fixed weights, an automatic strategy, or a single-task baseline."""

    strategy: str  # "fixed" for a weight point
    weights: dict[str, float]  # the fixed weights (the automatic strategies' initial weights)
    baseline_task: str | None = None  # a single-task baseline of this task

    @property
    def label(self) -> str:
        if self.baseline_task:
            return f"{self.baseline_task} only"
        if self.strategy != "fixed":
            return self.strategy
        return " / ".join(f"{t} {w:.2f}" for t, w in self.weights.items())


def simplex_grid(tasks: Sequence[str], points: int) -> list[dict[str, float]]:
    """Interior points of the weight simplex, weights summing to 1.

    Two tasks: (w, 1 - w) at the `points` evenly spaced w = i / (points + 1). More tasks: every point of
    the regular grid of resolution m (weights in multiples of 1/m, all positive) for the smallest m that
    gives at least `points` of them, i.e. C(m - 1, n - 1) >= points."""
    n = len(tasks)
    if n < 2 or points < 1:
        raise ValueError("a weight sweep needs at least two tasks and one point")
    if n == 2:
        return [{tasks[0]: i / (points + 1), tasks[1]: 1 - i / (points + 1)} for i in range(1, points + 1)]
    m = n
    while math.comb(m - 1, n - 1) < points:
        m += 1
    grid = []
    for cuts in itertools.combinations(range(1, m), n - 1):  # stars and bars: positive parts summing to m
        parts = [b - a for a, b in zip((0, *cuts), (*cuts, m))]
        grid.append({t: p / m for t, p in zip(tasks, parts)})
    return grid


def plan_sweep(tasks: Sequence[str], points: int, strategies: Sequence[str] = (), *,
               baselines: bool = False) -> list[SweepPoint]:
    """The runs of a sweep in the order they run: weight points, automatic strategies (starting from
    equal weights), then single-task baselines. No tasks (TrainConfig.tasks empty): ner against
    sentiment, the two tasks every project has."""
    tasks = tuple(tasks) or TASKS
    plan = [SweepPoint("fixed", w) for w in simplex_grid(tasks, points)]
    equal = {t: 1 / len(tasks) for t in tasks}
    plan += [SweepPoint(s, dict(equal)) for s in strategies if s != "fixed"]
    if baselines:
        plan += [SweepPoint("fixed", {t: 1.0}, baseline_task=t) for t in tasks]
    return plan


def point_config(base: TrainConfig, point: SweepPoint, sweep_id: str) -> TrainConfig:
    """The run config of a point: the base config with its strategy, weights, tasks and the sweep id."""
    values: dict[str, Any] = {"strategy": point.strategy, "sweep_id": sweep_id}
    if point.baseline_task:
        values["tasks"] = (point.baseline_task,)
    elif not base.tasks:
        values["tasks"] = tuple(point.weights)  # a joint point trains the tasks it weighs
    return dataclasses.replace(base.with_weights(point.weights), **values)


def new_sweep_id() -> str:
    return "sweep-" + _dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:4]


def budget_config(base: TrainConfig, *, epochs: int | None = None, max_steps: int | None = None) -> TrainConfig:
    """The per-run budget: N epochs, or N optimizer steps (one epoch capped at N steps: one dev
    evaluation at its end)."""
    if epochs is not None and max_steps is not None:
        raise ValueError("give epochs or max steps, not both")
    if max_steps is not None:
        return dataclasses.replace(base, epochs=1, max_steps_per_epoch=max_steps)
    if epochs is not None:
        return dataclasses.replace(base, epochs=epochs)
    return base


# ---- events --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepStarted:
    sweep_id: str
    points: list[SweepPoint]
    kind: str = "sweep_started"


@dataclass(frozen=True)
class SweepPointStarted:
    index: int
    point: SweepPoint
    kind: str = "sweep_point_started"


@dataclass(frozen=True)
class SweepPointFinished:
    index: int
    point: SweepPoint
    run_id: str
    status: str
    dev: dict[str, float]  # dev score per task (F1, 0-1)
    kind: str = "sweep_point_finished"


@dataclass(frozen=True)
class SweepFinished:
    sweep_id: str
    status: str  # completed | stopped
    results: list["SweepResult"]
    kind: str = "sweep_finished"


SweepEvent = SweepStarted | SweepPointStarted | SweepPointFinished | SweepFinished


# ---- running it ----------------------------------------------------------------------------------------

Trainer = Callable[..., Iterator[Event]]


def run_sweep(project: str | os.PathLike[str], plan: Sequence[SweepPoint], base: TrainConfig, *,
              stop: threading.Event | None = None, sweep_id: str | None = None,
              trainer: Trainer | None = None) -> Iterator[SweepEvent | Event]:
    """Run the points one after another (each run's own events pass through). After stop.set() the
    running run ends as "stopped" and no further point starts; finished runs stay in the project."""
    if trainer is None:
        from .train import train as trainer
    stop = stop or threading.Event()
    sweep_id = sweep_id or new_sweep_id()
    yield SweepStarted(sweep_id, list(plan))
    status = "completed"
    for index, point in enumerate(plan):
        if stop.is_set():
            status = "stopped"
            break
        yield SweepPointStarted(index, point)
        finished: RunFinished | None = None
        for event in trainer(str(project), point_config(base, point, sweep_id), stop=stop):
            if isinstance(event, RunFinished):
                finished = event
            yield event
        if finished is None:
            raise RuntimeError("a sweep run ended without a result")
        yield SweepPointFinished(index, point, finished.run_id, finished.status,
                                 dev_scores(finished.metrics.get("dev")))
        if finished.status == "stopped":
            status = "stopped"
            break
    with ProjectStore.open(project) as store:
        results = sweep_results(store, sweep_id)
    yield SweepFinished(sweep_id, status, results)


def dev_scores(report: dict[str, Any] | None) -> dict[str, float]:
    """Task -> dev score (NER micro-F1, sentiment macro-F1) of a stored report."""
    if not isinstance(report, dict):
        return {}
    return {t: float(report[t]["f1"]) for t in ("ner", "sentiment") if isinstance(report.get(t), dict)}


# ---- results and the Pareto front ----------------------------------------------------------------------

@dataclass(frozen=True)
class SweepResult:
    """A finished (or stopped) sweep run as the plot and `--json` show it."""

    run_id: str
    label: str
    strategy: str
    weights: dict[str, float]
    tasks: list[str]
    status: str
    dev: dict[str, float]
    baseline_task: str | None
    on_front: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def pareto_front(scores: Sequence[Sequence[float]]) -> list[bool]:
    """For each score vector (maximised on every axis): is it on the Pareto front (not dominated)?"""
    def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
        return all(x >= y for x, y in zip(a, b)) and any(x > y for x, y in zip(a, b))
    return [not any(dominates(other, s) for j, other in enumerate(scores) if j != i) for i, s in enumerate(scores)]


def _result(run: RunRecord) -> SweepResult:
    cfg = run.config
    tasks = list(cfg.get("tasks") or [])
    named = cfg.get("task_weights") or {}
    weights = {t: float(named[t]) if t in named else float(cfg.get(f"{t}_weight", 0.0)) for t in tasks}
    baseline = tasks[0] if len(tasks) == 1 else None
    point = SweepPoint(cfg.get("strategy", "fixed"), weights, baseline)
    return SweepResult(run.id, point.label, point.strategy, weights, tasks, run.status,
                       dev_scores(run.metrics.get("dev")), baseline)


def sweep_results(store: ProjectStore, sweep_id: str) -> list[SweepResult]:
    """The runs of a sweep in run order; joint runs scored on every task get `on_front`."""
    results = [_result(r) for r in store.run_records() if r.config.get("sweep_id") == sweep_id]
    return mark_front(results)


def mark_front(results: Sequence[SweepResult]) -> list[SweepResult]:
    joint = [i for i, r in enumerate(results)
             if r.baseline_task is None and r.tasks and all(t in r.dev for t in r.tasks)]
    front = pareto_front([[results[i].dev[t] for t in results[i].tasks] for i in joint])
    on = {i for i, f in zip(joint, front) if f}
    return [dataclasses.replace(r, on_front=i in on) for i, r in enumerate(results)]


def sweep_ids(store: ProjectStore) -> list[str]:
    """Every sweep of the project, oldest first."""
    seen: dict[str, None] = {}
    for run in store.run_records():
        if run.config.get("sweep_id"):
            seen.setdefault(run.config["sweep_id"], None)
    return list(seen)


def baseline_scores(results: Sequence[SweepResult]) -> dict[str, float]:
    """Task -> the dev score of its single-task baseline in the sweep (the plot's reference lines)."""
    return {r.baseline_task: r.dev[r.baseline_task] for r in results
            if r.baseline_task and r.baseline_task in r.dev}


# ---- the estimate ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepEstimate:
    """Time a sweep will take: measured step time x each run's planned steps, plus the evaluations."""

    step_seconds: float
    steps_per_run: int  # the most steps of any run (the joint points'; a baseline trains one task's)
    runs: int
    evaluation_seconds: float  # dev every epoch and the final dev + test pass, all runs together
    total_seconds: float
    # The step time came from the speed finished runs recorded on this machine (core/throughput.py),
    # not from the probe's few first steps (which pay for warm-up: 15x slow in one measured case).
    from_finished_runs: bool = False
    total_steps: int = 0  # every run's planned steps together


def estimate_sweep(project: str | os.PathLike[str], plan: Sequence[SweepPoint], base: TrainConfig, *,
                   probe_steps: int = 3, trainer: Trainer | None = None) -> SweepEstimate:
    """The sweep's time: a step time x the steps core.budget plans for each point's run (the trainer's
    plan: a baseline trains its one task's documents, a partially labelled project's later epochs are
    smaller once a task has had its passes), plus the evaluations.

    The step time: with a training speed recorded on this machine for this encoder and device
    (core/throughput.py) that speed, without any run. Otherwise measured with a short probe run of the
    base config (one warm-up step and `probe_steps` timed ones, then stopped and deleted again, so it
    leaves no trace in the project).

    Evaluation is estimated from the dev/test document count at a third of a training step per batch
    (a forward pass without backward)."""
    step = _recorded_step_seconds(base)
    from_finished_runs = step is not None
    if step is None:
        step = _probe_step_seconds(project, base, probe_steps, trainer)
    with ProjectStore.open(project) as store:
        budgets = _planned_budgets(store, plan, base)
        eval_docs = _evaluation_documents(store)
    return _scaled_estimate(budgets, base, step, eval_docs, from_finished_runs)


def _recorded_step_seconds(base: TrainConfig) -> float | None:
    """The step time from the speed finished runs recorded on this machine; None when there is no
    recorded speed for this encoder and device. A finished run's speed beats a probe's: the first steps
    of a process create kernels for each new batch shape (measured: 9.6 s/step in a probe, 0.64 s/step
    over the 8 runs of that sweep), and the probe costs a model load."""
    from .distributed import resolve_device

    recorded = stored_throughput(base.encoder, resolve_device(base.device).type)
    return base.batch_size / recorded if recorded else None


def _probe_step_seconds(project: str | os.PathLike[str], base: TrainConfig, probe_steps: int,
                        trainer: Trainer | None) -> float:
    """The median step time of a short probe run of `base`, which is deleted again."""
    if trainer is None:
        from .train import train as trainer
    stop = threading.Event()
    probe = dataclasses.replace(base, epochs=1, eval_each_epoch=False, sweep_id="")
    started = False
    times: list[float] = []
    run_id: str | None = None
    last = time.perf_counter()
    events = trainer(str(project), probe, stop=stop)
    try:
        for event in events:
            if isinstance(event, RunStarted):
                started, run_id = True, event.run_id
                last = time.perf_counter()
            elif isinstance(event, StepProgress):
                now = time.perf_counter()
                if event.step > 1:  # the first step pays for warm-up (allocations, kernel choice)
                    times.append(now - last)
                last = now
                if event.step >= probe_steps + 1:
                    stop.set()
            elif isinstance(event, RunFinished):
                run_id = event.run_id
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
        if run_id is not None:
            _delete_probe(project, run_id)
    if not started or not times:
        raise RuntimeError("the probe run for the estimate did not train (too few training batches?)")
    return sorted(times)[len(times) // 2]  # the median: one slow step (a checkpoint, a GC) does not count


def _planned_budgets(store: ProjectStore, plan: Sequence[SweepPoint], base: TrainConfig) -> list[BudgetPlan]:
    """Each point's planned budget, as its run will plan it. The steps and epochs do not depend on the
    encoder's width (only the learning rate does), so no config.json is read here."""
    from .budget import EncoderInfo
    from .budget_preview import project_plan

    encoder = EncoderInfo(base.encoder, hidden_size=0)
    return [project_plan(store, point_config(base, point, ""), encoder) for point in plan]


def _evaluation_documents(store: ProjectStore) -> int:
    return store.count_documents("dev") + store.count_documents("test")


def _scaled_estimate(budgets: Sequence[BudgetPlan], base: TrainConfig, step: float, eval_docs: int,
                     from_finished_runs: bool) -> SweepEstimate:
    eval_step = math.ceil(eval_docs / max(2 * base.batch_size, 32)) * step / 3
    evaluation = sum((b.epochs + 1) * eval_step for b in budgets)
    total_steps = sum(b.steps for b in budgets)
    return SweepEstimate(step, max((b.steps for b in budgets), default=0), len(budgets), evaluation,
                         total_steps * step + evaluation, from_finished_runs=from_finished_runs,
                         total_steps=total_steps)


def _delete_probe(project: str | os.PathLike[str], run_id: str) -> None:
    import shutil

    from .paths import runs_dir_for

    with ProjectStore.open(project) as store:
        store.delete_run(run_id)
        shutil.rmtree(runs_dir_for(store.path) / run_id, ignore_errors=True)
