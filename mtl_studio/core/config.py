"""Run configuration: the options of one training run and the one-click presets.

The progress events a run yields live in core.events; errors in core.errors.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from .budget import AUTO, BudgetPlan, EncoderInfo, TaskPasses, format_learning_rate, plan_budget, plan_passes
from .errors import TrainingError  # noqa: F401 - re-exported: other modules import it from here
from .strategies import STRATEGIES, hyper_parameter_default


# ---- one-click presets -------------------------------------------------------------------------

@dataclass(frozen=True)
class Preset:
    """Optimisation values to start from; the GUI offers them, the CLI takes --preset NAME.

    An automatic preset plans the epochs and the learning rate from the data and the encoder
    (core/budget.py); `epochs` is then the fewest epochs it plans and `learning_rate` is not used."""

    name: str
    title: str  # the GUI's label (translated there, in the TrainingPanel context)
    learning_rate: float
    batch_size: int
    epochs: int
    auto_budget: bool = False

    def values(self) -> dict[str, Any]:
        """The TrainConfig fields this preset sets."""
        if self.auto_budget:
            return {"learning_rate": AUTO, "batch_size": self.batch_size, "epochs": AUTO}
        return {"learning_rate": self.learning_rate, "batch_size": self.batch_size, "epochs": self.epochs}

    @property
    def learning_rate_text(self) -> str:
        if self.auto_budget:
            return "auto lr"
        return format_learning_rate(self.learning_rate)

    @property
    def epochs_text(self) -> str:
        return "auto epochs" if self.auto_budget else f"{self.epochs} epochs"

    def summary(self) -> str:
        return f"{self.learning_rate_text}, batch {self.batch_size}, {self.epochs_text}"


PRESET_TABLE: tuple[Preset, ...] = (
    # The default encoder (all-MiniLM-L6-v2) and any other: budget and lr planned by core/budget.py.
    Preset("minilm", "MiniLM default", learning_rate=5e-5, batch_size=16, epochs=3, auto_budget=True),
    # The method's published values (suit BERT-base), fixed.
    Preset("method", "Method", learning_rate=2e-5, batch_size=16, epochs=5),
)
DEFAULT_PRESET = "minilm"  # TrainConfig's defaults

# name -> the TrainConfig fields it sets
PRESETS: dict[str, dict[str, Any]] = {preset.name: preset.values() for preset in PRESET_TABLE}


DEFAULT_STRATEGY = "uncertainty"  # see TrainConfig.strategy

# The default preset's fixed values before the budget was planned (3 epochs: 147 steps on 776 documents).
# Settings saved with exactly these were the defaults, not a choice: they are read as the automatic budget.
FORMER_DEFAULT_VALUES: dict[str, Any] = {"learning_rate": 5e-5, "batch_size": 16, "epochs": 3}


def upgrade_former_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Saved TrainConfig fields with the former fixed defaults replaced by the default preset's."""
    if all(values.get(k) == v for k, v in FORMER_DEFAULT_VALUES.items()):
        return {**values, **PRESETS[DEFAULT_PRESET]}
    return values


def preset(name: str) -> Preset:
    for p in PRESET_TABLE:
        if p.name == name:
            return p
    raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")


_DEFAULTS = preset(DEFAULT_PRESET)

# The built-in tasks whose weights have fields of their own (older configs name them so).
_ALIASED: dict[str, str] = {"ner": "ner_weight", "sentiment": "sentiment_weight"}
# A task's weight when none is given: the built-in tasks' default, so that every task weighs the same.
DEFAULT_TASK_WEIGHT = 0.5


@dataclass
class TrainConfig:
    # Encoder: "offline" (bundled all-MiniLM-L6-v2), a hub name, or a local folder.
    encoder: str = "offline"
    # Which tasks to train, by name (ner, entity_sentiment, sentiment, a label set's name): empty means
    # every task the project declares (the run's stored config holds the resolved list); one name is a
    # single-task baseline.
    tasks: tuple[str, ...] = ()
    # Task alignment strategy, by stable name (core.strategies.STRATEGY_TABLE). Uncertainty weighting by
    # default: with fixed 0.5 / 0.5 weights the joint model lost 2.1 points of entity F1 to NER-only on
    # SEntFiN (1.3 on CoNLL + FPB); uncertainty weighting lost none there and the same sentiment score
    # (README "Training budget", bench/quality.py). "fixed" is what the task weights then set.
    strategy: str = DEFAULT_STRATEGY
    # Fixed weights (strategy "fixed"); also the initial weights of the automatic strategies. ner_weight and
    # sentiment_weight hold the two built-in tasks' weights (the names old configs and saved settings
    # use); task_weights the others by task name (a "ner" or "sentiment" entry given here moves into
    # its field). A task without a weight gets DEFAULT_TASK_WEIGHT, the built-in tasks' default.
    ner_weight: float = 0.5
    sentiment_weight: float = 0.5
    task_weights: dict[str, float] = dataclasses.field(default_factory=dict)
    # Auxiliary masked-token reconstruction on the shared encoder; 0 turns it off.
    mlm_weight: float = 0.0
    mlm_probability: float = 0.15
    # Silver (pseudo) labels enter training with this weight; 0 leaves them out. Never used in evaluation.
    silver_weight: float = 0.0
    # Regularization: AdamW weight decay, and L2-SP (pull toward the pretrained encoder weights).
    weight_decay: float = 0.01
    l2sp_weight: float = 0.0
    # Optimisation: the "minilm" preset. "auto" epochs and learning rate are planned by core/budget.py
    # from the number of training documents and the encoder (README "Training budget"); numbers are kept
    # as given. The "method" preset holds the method paper's fixed values.
    learning_rate: float | str = _DEFAULTS.values()["learning_rate"]
    batch_size: int = _DEFAULTS.batch_size
    epochs: int | str = _DEFAULTS.values()["epochs"]
    # Cap on the run's optimizer steps (0: none for fixed epochs, the planned cap for auto epochs).
    max_steps: int = 0
    # Set by the automatic budget of a partially labelled project (core/budget.plan_passes): the epochs
    # each task's documents are passed over, as its own run would plan them; a kind of document whose
    # tasks need fewer than `epochs` is trained in the first epochs only. Empty: every batch in every
    # epoch.
    task_epochs: dict[str, int] = dataclasses.field(default_factory=dict)
    # Adam's moment estimates kept per label kind (core/kind_optimizer.py): on a partially labelled
    # project each step carries one task, and shared moments shaped one task's steps by the other's
    # gradients (sentiment -2.8 test macro-F1 on CoNLL + FPB; -1.2 per kind, README "Joint runs with the
    # default settings"). No effect on fully labelled data (one kind) or with the gradient strategies
    # (mixed batches). The task weights then set each kind's step size.
    moments_per_kind: bool = True
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    max_length: int = 256
    seed: int = 13
    pooling: str = "mean"
    dropout: float = 0.1
    # Device: auto (CUDA, then MPS, then CPU) | cpu | cuda | cuda:N | mps. Precision: auto | fp32 | bf16 | fp16.
    device: str = "auto"
    precision: str = "auto"
    # Early stopping on the dev split: evaluations (one per epoch) without improvement; 0 = off. Three, as
    # the short epochs of a small project give a noisy dev score (README "Training budget").
    early_stopping_patience: int = 3
    # A task of a joint run whose own dev score has not improved for this many epochs, while another task
    # still learns, is trained toward its own predictions at its best dev epoch from then on
    # (core/task_distillation.py; README "Joint runs with the default settings"); 0 = off.
    stalled_task_patience: int = 2
    # At the end of a joint run, the average of the weights of its best epochs (and each task's best
    # epoch) replaces the best epoch when it scores higher on dev: a greedy weight soup
    # (core/weight_soup.py). Off by default: on CoNLL + FPB its dev gains (+0.1 to +0.5) did not carry
    # to test (4 seeds: NER +0.0, sentiment -0.3 on the mean; README "Joint runs with the default settings").
    weight_soup: bool = False
    # Evaluate on dev every epoch; evaluation needs a dev split with labels.
    eval_each_epoch: bool = True
    # Internal: cap the number of training batches per epoch (benchmarks, smoke tests); 0 = no cap.
    max_steps_per_epoch: int = 0
    # DWA temperature (Liu et al. 2019) and GradNorm asymmetry alpha (Chen et al. 2018); their defaults
    # are in the strategy table.
    dwa_temperature: float = hyper_parameter_default("dwa_temperature")
    gradnorm_alpha: float = hyper_parameter_default("gradnorm_alpha")
    # Learning rate of the strategy's own parameters (uncertainty log-variances, GradNorm weights): at the
    # encoder's lr (~5e-5) they would barely move in a fine-tuning run.
    strategy_lr: float = 0.01
    trust_remote_code: bool = False
    # Gradient-conflict meter (core/gradient_conflict.py): the tasks' gradient cosine on the shared encoder
    # every this many optimizer steps (two extra backward passes on those steps); 0 turns it off.
    conflict_every: int = 20
    # The weight sweep (core/sweep.py) this run belongs to; empty for a run of its own.
    sweep_id: str = ""

    def __post_init__(self) -> None:
        weights = dict(self.task_weights or {})
        for task in _ALIASED:
            if task in weights:
                setattr(self, _ALIASED[task], float(weights.pop(task)))
        self.task_weights = {str(k): float(v) for k, v in weights.items()}

    def weight(self, task: str) -> float:
        """The user's weight of `task` (fixed strategy; initial weight of the automatic ones)."""
        if task in _ALIASED:
            return float(getattr(self, _ALIASED[task]))
        return float(self.task_weights.get(task, DEFAULT_TASK_WEIGHT))

    def weights_for(self, tasks: Sequence[str]) -> dict[str, float]:
        return {t: self.weight(t) for t in tasks}

    def with_weights(self, weights: dict[str, float]) -> "TrainConfig":
        """A copy with these task weights set (ner / sentiment into their alias fields)."""
        merged = {**self.task_weights, **{k: float(v) for k, v in weights.items()}}
        return dataclasses.replace(self, task_weights=merged)

    def resolved_tasks(self, declared: Sequence[str]) -> tuple[str, ...]:
        """The tasks this config trains on a project that declares `declared` (in training order):
        `tasks` as given, or every declared task when it is empty. TrainingError for a task the project
        does not declare, naming the project's tasks."""
        if not self.tasks:
            return tuple(declared)
        unknown = [t for t in self.tasks if t not in declared]
        if unknown:
            raise TrainingError(f"unknown task(s) {', '.join(map(repr, unknown))}: this project's tasks are "
                                f"{', '.join(declared)}")
        return tuple(t for t in declared if t in self.tasks)

    def budget(self, n_train_docs: int, encoder: EncoderInfo, steps_per_epoch: int | None = None,
               passes: TaskPasses | None = None) -> BudgetPlan:
        """The run's budget (core/budget.py): "auto" epochs / learning rate planned, numbers kept."""
        return plan_budget(n_train_docs, self.batch_size, encoder, preset(DEFAULT_PRESET), epochs=self.epochs,
                           learning_rate=self.learning_rate, max_steps=self.max_steps,
                           steps_per_epoch=steps_per_epoch, warmup_ratio=self.warmup_ratio, passes=passes)

    def passes(self, kind_batches: Mapping[Hashable, int],
               kind_tasks: Mapping[Hashable, Sequence[str]]) -> TaskPasses | None:
        """Per-task passes (core/budget.plan_passes) for batches of several kinds: planned for "auto"
        epochs, or the stored plan (task_epochs) of a planned run; None for one kind or fixed epochs.
        Tasks that need the same passes still get a plan: the run's epochs are what each task's own run
        would get, not the plain budget over all the kinds' batches (which gave a CoNLL 1,000 + FPB 1,000
        project 5 epochs where each task's own run plans 10: NER 77.60 against 79.16 with 10)."""
        if len(kind_batches) < 2 or (self.epochs != AUTO and not self.task_epochs):
            return None
        return plan_passes(kind_batches, kind_tasks, preset(DEFAULT_PRESET).epochs, self.task_epochs or None,
                           self.tasks)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["tasks"] = list(self.tasks)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TrainConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown training option(s): {', '.join(sorted(unknown))}")
        d = dict(d)
        if "tasks" in d:
            d["tasks"] = tuple(d["tasks"] or ())
        if d.get("task_weights") is None:
            d.pop("task_weights", None)
        return cls(**d)

    def validate(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {self.strategy!r}")
        if any(not isinstance(t, str) or not t.strip() for t in self.tasks) or len(set(self.tasks)) != len(self.tasks):
            raise ValueError(f"tasks must be distinct task names (empty: every task of the project), not "
                             f"{self.tasks!r}")
        for name in ("learning_rate", "epochs"):
            value = getattr(self, name)
            if value == AUTO:
                continue
            if isinstance(value, str) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be positive or {AUTO!r}, not {value!r}")
        for name in ("batch_size", "max_length", "strategy_lr"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.conflict_every < 0:
            raise ValueError("conflict_every must not be negative (0 turns the meter off)")
        if self.max_steps < 0:
            raise ValueError("max_steps must not be negative (0 = no cap)")
        bad = [t for t, w in self.task_weights.items() if not (w >= 0)]
        if bad:
            raise ValueError(f"the weight of task {bad[0]} must not be negative")
        for name in ("ner_weight", "sentiment_weight", "mlm_weight", "silver_weight", "l2sp_weight",
                     "weight_decay"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
