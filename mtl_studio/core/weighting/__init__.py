"""Task-weighting strategies, chosen by stable name in the run config (see core.config.STRATEGIES).

    strategy = make_strategy("uncertainty", ("ner", "sentiment"), config)
    total, weights = strategy.combine(losses, ctx)            # loss-level strategies
    weights = strategy.backward(losses, ctx, extra)            # gradient_based strategies

One module per method, each citing its paper: fixed, uncertainty (Kendall et al. 2018), dwa (Liu et al.
2019), gradnorm (Chen et al. 2018), pcgrad (Yu et al. 2020).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .base import WeightingContext, WeightingStrategy, collapsed_tasks
from .dwa import DynamicWeightAverage
from .fixed import FixedWeighting
from .gradnorm import GradNorm
from .pcgrad import PCGrad, project_conflicting
from .uncertainty import UncertaintyWeighting

REGISTRY: dict[str, type[WeightingStrategy]] = {
    cls.name: cls for cls in (FixedWeighting, UncertaintyWeighting, DynamicWeightAverage, GradNorm, PCGrad)
}


def _get(config: Any, name: str, default: Any) -> Any:
    return config.get(name, default) if isinstance(config, dict) else getattr(config, name, default)


def initial_weights(tasks: Sequence[str], config: Any) -> dict[str, float]:
    """The user's weight per task (config fields ner_weight, sentiment_weight)."""
    return {t: float(_get(config, f"{t}_weight", 1.0)) for t in tasks}


def make_strategy(name: str, tasks: Sequence[str], config: Any = None, *, device: Any = "cpu"
                  ) -> WeightingStrategy:
    """The strategy registered as `name` for `tasks`, initialised from `config` (TrainConfig or dict)."""
    if name not in REGISTRY:
        raise ValueError(f"unknown weighting strategy {name!r}; choose one of {', '.join(REGISTRY)}")
    config = config or {}
    initial = initial_weights(tasks, config)
    if name == "uncertainty":
        return UncertaintyWeighting(tasks, initial, device=device)
    if name == "dwa":
        return DynamicWeightAverage(tasks, initial, temperature=float(_get(config, "dwa_temperature", 2.0)))
    if name == "gradnorm":
        return GradNorm(tasks, initial, alpha=float(_get(config, "gradnorm_alpha", 1.5)), device=device)
    return REGISTRY[name](tasks, initial)


__all__ = ["REGISTRY", "WeightingContext", "WeightingStrategy", "collapsed_tasks", "make_strategy",
           "initial_weights", "project_conflicting", "FixedWeighting", "UncertaintyWeighting",
           "DynamicWeightAverage", "GradNorm", "PCGrad"]
