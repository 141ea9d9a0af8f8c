"""Homoscedastic uncertainty weighting (Kendall, Gal & Cipolla 2018).

Kendall, A., Gal, Y. and Cipolla, R. "Multi-Task Learning Using Uncertainty to Weigh Losses for Scene
Geometry and Semantics", CVPR 2018. For a classification likelihood with a learned temperature the
objective is (1 / sigma_t^2) L_t + log sigma_t per task. With s_t = log sigma_t^2 (learned, numerically
stable) this is

    total = sum_t exp(-s_t) * L_t + s_t / 2,        weight_t = exp(-s_t)

At its optimum exp(-s_t) = 1 / (2 L_t): tasks with larger loss get smaller weights. s_t starts at
-log(initial weight_t), so the first step uses the user's weights.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .base import WeightingContext, WeightingStrategy


class UncertaintyWeighting(WeightingStrategy):
    """Kendall et al. 2018: learned log-variances s_t, total = sum exp(-s_t) L_t + s_t / 2."""

    def __init__(self, tasks: Sequence[str], initial: dict[str, float], *, device: torch.device | str = "cpu"
                 ) -> None:
        super().__init__(tasks, initial)
        bad = [t for t in self.tasks if self.initial[t] <= 0]
        if bad:
            raise ValueError(f"uncertainty weighting needs positive initial weights; {bad} have 0")
        self.log_vars = nn.Parameter(torch.tensor([-math.log(self.initial[t]) for t in self.tasks],
                                                  dtype=torch.float32, device=device))

    def combine(self, losses: dict[str, Tensor], ctx: WeightingContext) -> tuple[Tensor, dict[str, float]]:
        total: Tensor | None = None
        for i, task in enumerate(self.tasks):
            if task not in losses:
                continue  # a task absent from this batch adds neither its loss nor its regulariser
            s = self.log_vars[i]
            term = torch.exp(-s) * losses[task].float() + 0.5 * s
            total = term if total is None else total + term
        if total is None:
            raise ValueError("no task loss in this step")
        return total, self.current_weights()

    def parameters(self) -> list[nn.Parameter]:
        return [self.log_vars]

    def current_weights(self) -> dict[str, float]:
        values = torch.exp(-self.log_vars.detach().float()).tolist()
        return dict(zip(self.tasks, values))
