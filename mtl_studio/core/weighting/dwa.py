"""Dynamic Weight Average (Liu, Johns & Davison 2019).

Liu, S., Johns, E. and Davison, A. J. "End-to-End Multi-Task Learning with Attention", CVPR 2019, eq. 7:

    w_k(t) = K * exp(r_k(t-1) / T) / sum_i exp(r_i(t-1) / T),    r_k(t-1) = L_k(t-1) / L_k(t-2)

where L_k(t) is task k's mean training loss in epoch t and T a temperature (2 in the paper). A task whose
loss falls more slowly gets more weight. The paper uses w = 1 in the first two epochs and weights that
sum to K; here epochs 1-2 use the user's initial weights and later weights sum to the initial weights'
sum (K when every initial weight is 1, i.e. the paper's setting).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from torch import Tensor

from ..strategies import hyper_parameter_default
from .base import WeightingContext, WeightingStrategy, weighted_sum


class DynamicWeightAverage(WeightingStrategy):
    """Liu et al. 2019: per-epoch weights from the ratio of the last two epochs' losses, temperature T."""

    def __init__(self, tasks: Sequence[str], initial: dict[str, float], *,
                 temperature: float = hyper_parameter_default("dwa_temperature")) -> None:
        super().__init__(tasks, initial)
        if temperature <= 0:
            raise ValueError("the DWA temperature must be positive")
        self.temperature = float(temperature)
        self.history: list[dict[str, float]] = []  # mean loss per task of each finished epoch
        self.weights = dict(self.initial)

    def combine(self, losses: dict[str, Tensor], ctx: WeightingContext) -> tuple[Tensor, dict[str, float]]:
        return weighted_sum(losses, self.weights), dict(self.weights)

    def current_weights(self) -> dict[str, float]:
        return dict(self.weights)

    def end_epoch(self, epoch: int, mean_losses: dict[str, float]) -> None:
        self.history.append({t: float(v) for t, v in mean_losses.items()})
        self.weights = self.weights_from_history()

    def weights_from_history(self) -> dict[str, float]:
        if len(self.history) < 2:
            return dict(self.initial)
        prev, last = self.history[-2], self.history[-1]
        ratios = {}
        for t in self.tasks:
            a, b = last.get(t), prev.get(t)
            # A task without data in one of the two epochs (or a zero loss) keeps ratio 1.
            ratios[t] = a / b if a is not None and b and math.isfinite(a / b) else 1.0
        m = max(r / self.temperature for r in ratios.values())
        exps = {t: math.exp(r / self.temperature - m) for t, r in ratios.items()}  # stable softmax
        z = sum(exps.values())
        scale = sum(self.initial.values())
        return {t: scale * e / z for t, e in exps.items()}

    def state_dict(self) -> dict[str, Any]:
        return {"history": self.history}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.history = [dict(h) for h in state.get("history", [])]
        self.weights = self.weights_from_history()
