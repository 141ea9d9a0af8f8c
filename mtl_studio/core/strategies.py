"""The one table of task-weighting strategies: stable name, class, title, paper, hyper-parameters.

Everything that names a strategy reads this table: TrainConfig (validation and the hyper-parameters'
defaults), `mtl-studio train` (--strategy choices and one option per hyper-parameter), the GUI's
strategy combo (titles) and weighting.make_strategy (which class, with which arguments). It imports no
torch: the class is named by its import path and loaded only when a run builds the strategy.

Adding a strategy is one module under core/weighting/ and one row here (plus its TrainConfig field if
it has a new hyper-parameter; a test checks the two agree).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HyperParameter:
    """A strategy's own setting: the TrainConfig field that holds it and the class's keyword for it."""

    field: str  # TrainConfig field, also the `mtl-studio train` option (--dwa-temperature)
    argument: str  # keyword argument of the strategy class
    default: float
    help: str

    @property
    def option(self) -> str:
        return "--" + self.field.replace("_", "-")


@dataclass(frozen=True)
class StrategySpec:
    name: str  # stable: stored in run configs, given to --strategy
    class_path: str  # "module:Class", imported lazily (the classes need torch)
    title: str  # the GUI's label (translated there, in the TrainingPanel context)
    paper: str
    hyper_parameters: tuple[HyperParameter, ...] = ()
    # The class takes `device=` (it learns parameters of its own, on the model's device).
    takes_device: bool = False
    # The class's gradient_based (it backpropagates each task itself and needs mixed batches), known here
    # without torch for the budget preview; a test checks that the two agree.
    gradient_based: bool = False

    def load_class(self) -> type:
        module, _, cls = self.class_path.partition(":")
        return getattr(importlib.import_module(module), cls)


_WEIGHTING = "mtl_studio.core.weighting"

STRATEGY_TABLE: tuple[StrategySpec, ...] = (
    StrategySpec("fixed", f"{_WEIGHTING}.fixed:FixedWeighting", "Fixed weights",
                 "linear scalarization (Kurin et al. 2022; Xin et al. 2022 show it is a strong baseline)"),
    StrategySpec("uncertainty", f"{_WEIGHTING}.uncertainty:UncertaintyWeighting",
                 "Uncertainty (Kendall et al. 2018)", "Kendall, Gal & Cipolla, CVPR 2018", takes_device=True),
    StrategySpec("dwa", f"{_WEIGHTING}.dwa:DynamicWeightAverage", "Dynamic weight average (Liu et al. 2019)",
                 "Liu, Johns & Davison, CVPR 2019",
                 (HyperParameter("dwa_temperature", "temperature", 2.0, "DWA temperature T (Liu et al. 2019)"),)),
    StrategySpec("gradnorm", f"{_WEIGHTING}.gradnorm:GradNorm", "GradNorm (Chen et al. 2018)",
                 "Chen, Badrinarayanan, Lee & Rabinovich, ICML 2018",
                 (HyperParameter("gradnorm_alpha", "alpha", 1.5, "GradNorm asymmetry alpha (Chen et al. 2018)"),),
                 takes_device=True, gradient_based=True),
    StrategySpec("pcgrad", f"{_WEIGHTING}.pcgrad:PCGrad", "PCGrad (Yu et al. 2020)",
                 "Yu, Kumar, Gupta, Levine, Hausman & Finn, NeurIPS 2020", gradient_based=True),
)

STRATEGIES: tuple[str, ...] = tuple(spec.name for spec in STRATEGY_TABLE)


def strategy_spec(name: str) -> StrategySpec:
    for spec in STRATEGY_TABLE:
        if spec.name == name:
            return spec
    raise ValueError(f"unknown weighting strategy {name!r}; choose one of {', '.join(STRATEGIES)}")


def hyper_parameters() -> tuple[HyperParameter, ...]:
    """Every strategy's hyper-parameters, in table order."""
    return tuple(hp for spec in STRATEGY_TABLE for hp in spec.hyper_parameters)


def hyper_parameter_default(field: str) -> float:
    """The default of the TrainConfig field `field` (TrainConfig takes its default from here)."""
    for hp in hyper_parameters():
        if hp.field == field:
            return hp.default
    raise KeyError(f"no strategy has a hyper-parameter {field!r}")


def config_value(config: Any, field: str, default: Any) -> Any:
    """`field` of a TrainConfig or of a dict of its fields (a stored run's config)."""
    return config.get(field, default) if isinstance(config, dict) else getattr(config, field, default)


def strategy_arguments(spec: StrategySpec, config: Any) -> dict[str, Any]:
    """The class's keyword arguments from `config` (a TrainConfig or a dict); a missing field takes the
    table's default."""
    return {hp.argument: float(config_value(config, hp.field, hp.default)) for hp in spec.hyper_parameters}
