"""The interface every task-weighting strategy implements, and the context it is given.

A strategy turns per-task losses into one training objective: `combine(losses, ctx) -> (total, weights)`.
Strategies that manipulate gradients (GradNorm, PCGrad) set `gradient_based = True`; the trainer then
calls `backward(losses, ctx, extra)` instead, which must leave final, rank-synchronised gradients in
`.grad` of every model parameter. Everything a strategy needs comes in `WeightingContext`: no strategy
reads hidden trainer attributes (LibMTL's weak point).

Losses: `losses` holds only the tasks present in this step's global batch (a batch of sentiment-only
documents has no "ner" entry). Each value is this rank's share of the global mean loss: averaging it
over ranks gives the global mean (see core/distributed.py), so any weighting that is linear in the
losses plus data-independent terms (Kendall's log-variance term) is exact under DDP's gradient average.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

COLLAPSE_RATIO = 1e-3  # a weight below this fraction of the largest one has "collapsed"


def _no_sync(tensors: Sequence[Tensor]) -> None:
    return None


@dataclass
class WeightingContext:
    step: int  # optimizer steps done before this one (0 on the first step)
    epoch: int  # 1-based
    model_parameters: Sequence[nn.Parameter] = ()  # all trainable model parameters (gradient strategies)
    shared_parameters: Sequence[nn.Parameter] = ()  # the shared encoder's trainable parameters
    last_shared_parameters: Sequence[nn.Parameter] = ()  # the last shared layer (GradNorm's W)
    global_losses: dict[str, float] = field(default_factory=dict)  # this step's task losses over all ranks
    # Average tensors over ranks in place (DistContext.all_reduce_mean_); identity in one process.
    sync_gradients: Callable[[Sequence[Tensor]], None] = _no_sync
    loss_scale: float = 1.0  # fp16 GradScaler scale: gradient strategies scale losses and their own grads by it
    seed: int = 0  # for strategies with randomness (PCGrad's task order), combined with `step`


class WeightingStrategy(ABC):
    """Base class: weights for `tasks`, starting from `initial` (the user's weights)."""

    # Name, title and paper of each strategy: core.strategies.STRATEGY_TABLE.
    gradient_based: ClassVar[bool] = False

    def __init__(self, tasks: Sequence[str], initial: dict[str, float]) -> None:
        if not tasks:
            raise ValueError("a weighting strategy needs at least one task")
        missing = [t for t in tasks if t not in initial]
        if missing:
            raise ValueError(f"no initial weight for task(s) {missing}")
        self.tasks = tuple(tasks)
        self.initial = {t: float(initial[t]) for t in self.tasks}

    # ---- the objective -----------------------------------------------------------------------

    @abstractmethod
    def combine(self, losses: dict[str, Tensor], ctx: WeightingContext) -> tuple[Tensor, dict[str, float]]:
        """(total loss to back-propagate, the weight of every task used for it)."""

    def backward(self, losses: dict[str, Tensor], ctx: WeightingContext, extra: Tensor | None = None
                 ) -> dict[str, float]:
        """Back-propagate combine()'s total plus `extra` (auxiliary terms outside task weighting).

        Loss-level strategies are driven by the trainer directly (DDP syncs their gradients); gradient
        strategies override this and synchronise gradients themselves via ctx.sync_gradients."""
        total, weights = self.combine(losses, ctx)
        if extra is not None:
            total = total + extra
        (total * ctx.loss_scale).backward()
        ctx.sync_gradients([p.grad for p in ctx.model_parameters if p.grad is not None])
        return weights

    # ---- state -------------------------------------------------------------------------------

    def parameters(self) -> list[nn.Parameter]:
        """Learnable parameters of the strategy itself (the trainer adds them to the optimizer)."""
        return []

    def current_weights(self) -> dict[str, float]:
        """The weights the next step would use, for every task (plots, logs)."""
        return dict(self.initial)

    def end_epoch(self, epoch: int, mean_losses: dict[str, float]) -> None:
        """Called after each epoch with the epoch's mean training loss per task (over all ranks)."""

    def after_step(self) -> None:
        """Called after each optimizer step (e.g. to renormalise learned weights)."""

    def state_dict(self) -> dict[str, Any]:
        """JSON-able state beyond parameters (which the optimizer checkpoint holds), for resuming."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


def collapsed_tasks(weights: dict[str, float], ratio: float = COLLAPSE_RATIO) -> list[str]:
    """Tasks whose weight fell below `ratio` of the largest weight (automatic weights that collapse
    stall a task's training: users report it with Nash-MTL and uncertainty weighting)."""
    if len(weights) < 2:
        return []
    top = max(abs(w) for w in weights.values())
    if top <= 0 or not math.isfinite(top):
        return []
    return [t for t, w in weights.items() if abs(w) < ratio * top]


def weighted_sum(losses: dict[str, Tensor], weights: dict[str, float | Tensor]) -> Tensor:
    """sum_t w_t * L_t over the tasks present in `losses`."""
    total: Tensor | None = None
    for task, loss in losses.items():
        term = weights[task] * loss
        total = term if total is None else total + term
    if total is None:
        raise ValueError("no task loss in this step")
    return total


def flat_grads(grads: Sequence[Tensor | None], params: Sequence[Tensor]) -> Tensor:
    """One flat vector of gradients (zeros for parameters a loss does not reach)."""
    return torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1) for g, p in zip(grads, params)])


def task_gradients(losses: dict[str, Tensor], params: Sequence[Tensor], ctx: WeightingContext,
                   weights: dict[str, float] | None = None) -> dict[str, Tensor]:
    """Per-task gradient of (w_t * L_t) w.r.t. `params`, flat, averaged over ranks, in unscaled units.

    Every rank must call this with the same task keys in the same order (they are global), since
    sync_gradients is a collective."""
    out: dict[str, Tensor] = {}
    for task, loss in losses.items():
        w = 1.0 if weights is None else weights[task]
        grads = torch.autograd.grad(loss * (w * ctx.loss_scale), list(params), retain_graph=True,
                                    allow_unused=True)
        out[task] = flat_grads(grads, params).float() / ctx.loss_scale
    ctx.sync_gradients(list(out.values()))
    return out


def add_flat_to_grads(params: Sequence[nn.Parameter], flat: Tensor) -> None:
    """p.grad += the slice of `flat` that belongs to p (for every p in order)."""
    offset = 0
    for p in params:
        n = p.numel()
        piece = flat[offset:offset + n].view_as(p).to(p.dtype)
        if p.grad is None:
            p.grad = piece.clone()
        else:
            p.grad.add_(piece)
        offset += n
