"""Task-weighting strategies, chosen by stable name in the run config (the table: core.strategies).

    strategy = make_strategy("uncertainty", ("ner", "sentiment"), config)
    total, weights = strategy.combine(losses, ctx)            # loss-level strategies
    weights = strategy.backward(losses, ctx, extra)            # gradient_based strategies

One module per method, each citing its paper: fixed, uncertainty (Kendall et al. 2018), dwa (Liu et al.
2019), gradnorm (Chen et al. 2018), pcgrad (Yu et al. 2020).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..strategies import STRATEGY_TABLE, config_value, strategy_arguments, strategy_spec
from .base import WeightingContext, WeightingStrategy, collapsed_tasks
from .dwa import DynamicWeightAverage
from .fixed import FixedWeighting
from .gradnorm import GradNorm
from .pcgrad import PCGrad, project_conflicting
from .uncertainty import UncertaintyWeighting

# name -> class, in the table's order (core.strategies.STRATEGY_TABLE lists each strategy once).
REGISTRY: dict[str, type[WeightingStrategy]] = {spec.name: spec.load_class() for spec in STRATEGY_TABLE}


def initial_weights(tasks: Sequence[str], config: Any) -> dict[str, float]:
    """The user's weight per task: TrainConfig.weight(task); from a dict of its fields (a stored run's
    config) task_weights[task], else the field "<task>_weight" (ner_weight, sentiment_weight), else 1."""
    if hasattr(config, "weight"):
        return {t: float(config.weight(t)) for t in tasks}
    named = config_value(config, "task_weights", None) or {}
    return {t: float(named[t]) if t in named else float(config_value(config, f"{t}_weight", 1.0)) for t in tasks}


def make_strategy(name: str, tasks: Sequence[str], config: Any = None, *, device: Any = "cpu"
                  ) -> WeightingStrategy:
    """The strategy registered as `name` for `tasks`, initialised from `config` (TrainConfig or dict)."""
    spec = strategy_spec(name)  # ValueError naming the choices for an unknown name
    config = config or {}
    kwargs = strategy_arguments(spec, config)
    if spec.takes_device:
        kwargs["device"] = device
    return REGISTRY[name](tasks, initial_weights(tasks, config), **kwargs)


__all__ = ["REGISTRY", "WeightingContext", "WeightingStrategy", "collapsed_tasks", "make_strategy",
           "initial_weights", "project_conflicting", "FixedWeighting", "UncertaintyWeighting",
           "DynamicWeightAverage", "GradNorm", "PCGrad"]
