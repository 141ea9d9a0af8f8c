"""GradNorm (Chen, Badrinarayanan, Lee & Rabinovich 2018).

Chen, Z., Badrinarayanan, V., Lee, C.-Y. and Rabinovich, A. "GradNorm: Gradient Normalization for
Adaptive Loss Balancing in Deep Multitask Networks", ICML 2018. Learned weights w_t balance the norms of
the weighted task gradients at the LAST SHARED LAYER W:

    G_t = || grad_W (w_t L_t) ||,  Gbar = mean_t G_t,  Ltilde_t = L_t / L_t(0),  r_t = Ltilde_t / mean Ltilde
    L_grad = sum_t | G_t - Gbar * r_t^alpha |          (the target is a constant, eq. 2 of the paper)

w is updated with grad_w L_grad, then renormalised so that sum_t w_t stays what it was at the start
(T in the paper, whose initial weights are 1). Since G_t = w_t ||grad_W L_t||, the gradient is exactly
dL_grad/dw_t = sign(G_t - target_t) * ||grad_W L_t||: no second-order graph is needed.
The network itself is trained on sum_t w_t L_t with w held constant. alpha sets how strongly tasks
that train slower are pushed (1.5 in the paper's NYUv2 experiments).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ..strategies import hyper_parameter_default
from .base import WeightingContext, WeightingStrategy, task_gradients, weighted_sum

MIN_WEIGHT_FRACTION = 1e-6  # weights are kept positive: at least this fraction of their sum


class GradNorm(WeightingStrategy):
    """Chen et al. 2018: weights that equalise per-task gradient norms at the last shared layer."""

    gradient_based = True

    def __init__(self, tasks: Sequence[str], initial: dict[str, float], *,
                 alpha: float = hyper_parameter_default("gradnorm_alpha"),
                 device: torch.device | str = "cpu") -> None:
        super().__init__(tasks, initial)
        if any(self.initial[t] <= 0 for t in self.tasks):
            raise ValueError("GradNorm needs positive initial weights")
        self.alpha = float(alpha)
        self.total_weight = sum(self.initial.values())
        self.weights = nn.Parameter(torch.tensor([self.initial[t] for t in self.tasks], dtype=torch.float32,
                                                 device=device))
        self.initial_losses: dict[str, float] = {}  # L_t(0): the first loss seen for each task

    def _weight_dict(self) -> dict[str, float]:
        return dict(zip(self.tasks, self.weights.detach().float().tolist()))

    def current_weights(self) -> dict[str, float]:
        return self._weight_dict()

    def combine(self, losses: dict[str, Tensor], ctx: WeightingContext) -> tuple[Tensor, dict[str, float]]:
        weights = self._weight_dict()
        return weighted_sum(losses, weights), weights

    def weight_gradient(self, norms: dict[str, float], losses: dict[str, float]) -> dict[str, float]:
        """dL_grad/dw_t from the unweighted gradient norms ||grad_W L_t|| and the global task losses."""
        weights = self._weight_dict()
        tasks = [t for t in self.tasks if t in norms]
        for t in tasks:
            self.initial_losses.setdefault(t, losses[t])
        G = {t: weights[t] * norms[t] for t in tasks}
        g_bar = sum(G.values()) / len(tasks)
        rel = {t: losses[t] / self.initial_losses[t] if self.initial_losses[t] > 0 else 1.0 for t in tasks}
        rel_mean = sum(rel.values()) / len(tasks)
        out = {}
        for t in tasks:
            r = rel[t] / rel_mean if rel_mean > 0 else 1.0
            target = g_bar * r ** self.alpha
            diff = G[t] - target
            out[t] = (1.0 if diff > 0 else -1.0 if diff < 0 else 0.0) * norms[t]
        return out

    def backward(self, losses: dict[str, Tensor], ctx: WeightingContext, extra: Tensor | None = None
                 ) -> dict[str, float]:
        weights = self._weight_dict()
        grad_w = torch.zeros_like(self.weights)
        if len(losses) >= 2 and ctx.last_shared_parameters:
            grads = task_gradients(losses, ctx.last_shared_parameters, ctx)  # unweighted, rank-averaged
            norms = {t: float(g.norm()) for t, g in grads.items()}
            global_losses = {t: float(ctx.global_losses.get(t, float(losses[t].detach()))) for t in losses}
            for t, d in self.weight_gradient(norms, global_losses).items():
                grad_w[self.tasks.index(t)] = d * ctx.loss_scale  # same units as the scaled model grads
        self.weights.grad = grad_w
        total = weighted_sum(losses, weights)
        if extra is not None:
            total = total + extra
        (total * ctx.loss_scale).backward()
        ctx.sync_gradients([p.grad for p in ctx.model_parameters if p.grad is not None])
        return weights

    def after_step(self) -> None:
        with torch.no_grad():
            self.weights.clamp_(min=MIN_WEIGHT_FRACTION * self.total_weight)
            self.weights.mul_(self.total_weight / self.weights.sum())

    def parameters(self) -> list[nn.Parameter]:
        return [self.weights]

    def state_dict(self) -> dict[str, Any]:
        return {"initial_losses": dict(self.initial_losses)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.initial_losses = {k: float(v) for k, v in state.get("initial_losses", {}).items()}
