"""Fixed task weights chosen by the user: total = sum_t w_t * L_t.

Tuned fixed weights are a strong baseline that automatic schemes rarely beat (Kurin et al. 2022,
"In Defense of the Unitary Scalarization for Deep Multi-Task Learning"; Xin et al. 2022, "Do Current
Multi-Task Optimization Methods in Deep Learning Even Help?"), which is why this is the default.
"""
from __future__ import annotations

from torch import Tensor

from .base import WeightingContext, WeightingStrategy, weighted_sum


class FixedWeighting(WeightingStrategy):
    """Static linear scalarization: total = sum_t w_t L_t with the user's weights."""

    def combine(self, losses: dict[str, Tensor], ctx: WeightingContext) -> tuple[Tensor, dict[str, float]]:
        return weighted_sum(losses, self.initial), dict(self.initial)
