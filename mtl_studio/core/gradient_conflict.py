"""Gradient-conflict meter: do the tasks pull the shared encoder the same way?

Every `conflict_every` optimizer steps the trainer asks for each task's gradient on the shared encoder
parameters (one extra `torch.autograd.grad` per task on the step's graph, retained for the real
backward) and reports their cosine similarity, over all shared parameters and per layer group
(embeddings, each transformer layer, the rest). A negative cosine is a *conflicting* gradient in the
sense of Yu et al. 2020 ("Gradient Surgery for Multi-Task Learning", NeurIPS, Def. 1): the step that
helps one task hurts the other to first order. PCGrad (core/weighting/pcgrad.py) projects such
conflicts away; a lower weight for one task shrinks them.

Batches of one label kind (partially labelled data: most batches carry one task) give one task per
step. The meter then keeps the gradient of the task it saw and compares it with the next batch of the
other task, one or a few optimizer steps later: that is the pair of directions the optimizer actually
alternates between. A newer batch of the same task replaces the kept gradient (fresher).

More than two tasks: when a step's batch carries several tasks, the reading is the MEAN over every
pair of them of the pairwise cosine (overall and per layer group: the mean over the pairs whose group
cosine is defined), and `tasks` names all of them; with two tasks this is exactly their cosine. A
one-task batch is paired with the kept gradient of another task as above.

Distributed runs: only rank 0 measures, on its LOCAL gradients (its slice of the global batch); no
collective is involved, so the other ranks never wait on it beyond the extra backward time. With
slices of a reasonable size the local cosine estimates the global one (the gradients are means over
the same distribution); the value is an estimate, not the exact cosine of the all-reduced gradients.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .run_messages import RunNote

DEFAULT_INTERVAL = 20  # measured in bench/train_speed.py: the overhead stays well under 10% of throughput
HINT_WINDOW = 5  # this many consecutive negative measurements make a "persistent" conflict

_LAYER_INDEX = re.compile(r"(?:^|\.)(?:layer|layers|block|blocks|h)\.(\d+)\.")


def layer_group(parameter_name: str) -> str:
    """'embeddings', 'layer N' (a transformer block) or 'other' (pooler, final norm) for an encoder
    parameter name as `named_parameters()` gives it."""
    if parameter_name.startswith("embeddings") or ".embeddings." in parameter_name:
        return "embeddings"
    match = _LAYER_INDEX.search(parameter_name)
    if match:
        return f"layer {int(match.group(1))}"
    return "other"


def shared_parameter_groups(encoder: nn.Module) -> tuple[list[nn.Parameter], list[str]]:
    """The encoder's trainable parameters (in `named_parameters()` order, the order of
    MultiTaskModel.shared_parameters()) and the layer group of each."""
    params, groups = [], []
    for name, p in encoder.named_parameters():
        if p.requires_grad:
            params.append(p)
            groups.append(layer_group(name))
    return params, groups


@dataclass(frozen=True)
class ConflictMeasurement:
    """One measurement: cosine of the two tasks' gradients, overall and per layer group."""

    step: int
    tasks: tuple[str, ...]  # the two tasks compared, or every task of the step (mean pairwise cosine)
    cosine: float
    per_group: dict[str, float] = field(default_factory=dict)
    steps_apart: int = 0  # 0: both gradients from the same batch; k: the first one is k steps older


def gradient_cosines(grads_a: Sequence[Tensor | None], grads_b: Sequence[Tensor | None],
                     groups: Sequence[str]) -> tuple[float, dict[str, float]]:
    """(overall cosine, cosine per group) of two per-parameter gradient lists. A parameter one of the
    losses does not reach (None) contributes zero; a group with a zero gradient on either side is left
    out (its cosine is undefined)."""
    dots: dict[str, Tensor] = {}
    norms_a: dict[str, Tensor] = {}
    norms_b: dict[str, Tensor] = {}
    for ga, gb, group in zip(grads_a, grads_b, groups):
        if ga is None or gb is None:
            continue
        a, b = ga.detach().float(), gb.detach().float()
        dots[group] = dots.get(group, 0.0) + (a * b).sum()
        norms_a[group] = norms_a.get(group, 0.0) + (a * a).sum()
        norms_b[group] = norms_b.get(group, 0.0) + (b * b).sum()
    if not dots:
        return float("nan"), {}
    names = list(dots)
    # One transfer for all groups (a device sync per number would cost more than the arithmetic).
    table = torch.stack([torch.stack([torch.as_tensor(d[n]) for n in names]) for d in (dots, norms_a, norms_b)])
    dot, na, nb = table.double().cpu().unbind(0)
    per_group = {n: float(dot[i] / (na[i] * nb[i]).sqrt()) for i, n in enumerate(names) if na[i] > 0 and nb[i] > 0}
    total = (na.sum() * nb.sum()).sqrt()
    overall = float(dot.sum() / total) if total > 0 else float("nan")
    return overall, per_group


class GradientConflictMeter:
    """Measures every `interval` steps (see the module docstring). `measure` is called by the trainer
    with the step's per-task losses BEFORE the real backward; it never touches `.grad`."""

    def __init__(self, params: Sequence[nn.Parameter], groups: Sequence[str], interval: int = DEFAULT_INTERVAL
                 ) -> None:
        if interval < 1:
            raise ValueError("the meter interval must be at least 1 step")
        self.params = list(params)
        self.groups = list(groups)
        self.interval = interval
        self._kept: tuple[str, int, list[Tensor | None]] | None = None  # (task, step, gradients)

    def due(self, step: int) -> bool:
        """Measure on this (0-based) step? Every `interval` steps, and on every step while a one-task
        gradient waits for the other task."""
        return step % self.interval == 0 or self._kept is not None

    def _task_gradients(self, loss: Tensor, loss_scale: float) -> list[Tensor | None]:
        # Scaled like the real backward (fp16 underflow); the cosine does not depend on the scale.
        grads = torch.autograd.grad(loss * loss_scale, self.params, retain_graph=True, allow_unused=True)
        return list(grads)

    def measure(self, losses: dict[str, Tensor], step: int, *, loss_scale: float = 1.0
                ) -> ConflictMeasurement | None:
        """A measurement when two tasks' gradients are at hand; None while waiting for the second."""
        tasks = list(losses)
        if len(tasks) == 2:
            a, b = tasks[0], tasks[1]
            ga = self._task_gradients(losses[a], loss_scale)
            gb = self._task_gradients(losses[b], loss_scale)
            self._kept = None
            return self._measurement(step, (a, b), ga, gb, 0)
        if len(tasks) > 2:
            grads = [self._task_gradients(losses[t], loss_scale) for t in tasks]
            self._kept = None
            return self._mean_pairwise(step, tuple(tasks), grads)
        if len(tasks) != 1:
            return None
        task = tasks[0]
        grads = self._task_gradients(losses[task], loss_scale)
        if self._kept is not None and self._kept[0] != task:
            kept_task, kept_step, kept = self._kept
            self._kept = None
            pair = tuple(sorted((kept_task, task)))  # a stable order whatever came first
            first, second = (kept, grads) if pair[0] == kept_task else (grads, kept)
            return self._measurement(step, (pair[0], pair[1]), first, second, step - kept_step)
        self._kept = (task, step, [g.detach().clone() if g is not None else None for g in grads])
        return None

    def _mean_pairwise(self, step: int, tasks: tuple[str, ...], grads: list[list[Tensor | None]]
                       ) -> ConflictMeasurement:
        """The mean over task pairs of their cosine, overall and per layer group (module docstring)."""
        overall: list[float] = []
        per_group: dict[str, list[float]] = {}
        for i in range(len(grads)):
            for j in range(i + 1, len(grads)):
                cos, groups = gradient_cosines(grads[i], grads[j], self.groups)
                if cos == cos:  # NaN: a task whose gradient does not reach the encoder
                    overall.append(cos)
                for g, v in groups.items():
                    per_group.setdefault(g, []).append(v)
        mean = sum(overall) / len(overall) if overall else float("nan")
        return ConflictMeasurement(step=step, tasks=tasks, cosine=mean,
                                   per_group={g: sum(v) / len(v) for g, v in per_group.items()}, steps_apart=0)

    def _measurement(self, step: int, tasks: tuple[str, str], ga: list[Tensor | None], gb: list[Tensor | None],
                     apart: int) -> ConflictMeasurement:
        overall, per_group = gradient_cosines(ga, gb, self.groups)
        return ConflictMeasurement(step=step, tasks=tasks, cosine=overall, per_group=per_group, steps_apart=apart)


class ConflictHint:
    """Says once per run when the last HINT_WINDOW measurements were all negative."""

    def __init__(self, window: int = HINT_WINDOW) -> None:
        self.window = window
        self.recent: list[float] = []
        self.fired = False

    def observe(self, cosine: float) -> RunNote | None:
        """The hint the first time the conflict is persistent; None otherwise."""
        if cosine != cosine:  # NaN: no information
            return None
        self.recent = (self.recent + [cosine])[-self.window:]
        if self.fired or len(self.recent) < self.window or any(c >= 0 for c in self.recent):
            return None
        self.fired = True
        return RunNote("warning", "gradient_conflict", {"mean": sum(self.recent) / len(self.recent),
                                                        "n": len(self.recent)})
