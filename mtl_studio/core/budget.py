"""The training budget: how many optimizer steps and epochs, the warm-up and the learning rate of a run.

A fixed epoch count does not fit projects of every size: 3 epochs were tuned on CoNLL-2003 (14,041
sentences, 2,600 steps), but on a project of 776 documents they are 147 steps and the model has barely
started (entity F1 0.13; 12 epochs gave 0.80). The automatic budget is counted in optimizer steps:

    epochs = ceil(MIN_STEPS / steps per epoch), at least the preset's epochs, at most MAX_EPOCHS
    steps  = epochs x steps per epoch, at most MAX_STEPS (large projects: the last epoch is cut short)

Early stopping on dev (patience in evaluations, one evaluation per epoch) ends a run that stopped
improving and keeps its best epoch, so the minimum costs little when a project learns fast. The numbers
come from bench/small_data.py (README "Training budget").

What counts as a training document: one labelled for at least one of the run's tasks, counted once
however many tasks it carries (a headline with entities, their polarities and a topic is one document,
one step's worth of data, not three); the trainer passes its exact batch count, which also counts the
documents labelled only for a further task (entity sentiment, a label set).

Pure and torch-free: the trainer, the CLI and the Train tab all call plan_budget.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

AUTO = "auto"  # TrainConfig.epochs / learning_rate: planned here

MIN_STEPS = 600  # optimizer steps a small project needs before its dev score levels off
MAX_EPOCHS = 20  # tiny projects: more passes over a few hundred documents only memorise them
MAX_STEPS = 8_000  # large projects: about 3x CoNLL's tuned 3 epochs; early stopping usually ends sooner
WARMUP_RATIO = 0.1  # of the planned steps

# Learning rate by encoder width (hidden size): small distilled encoders (MiniLM-L6, 384 wide) train
# best at a higher rate than BERT-base (768), whose published range is 2e-5 to 5e-5 (Devlin et al.
# 2019); wider models (1024: BERT/RoBERTa-large) are known to diverge above ~2e-5.
LEARNING_RATE_BY_WIDTH: tuple[tuple[int, float], ...] = (
    (384, 1e-4),  # MiniLM-L6/L12, small BERTs: measured in bench/small_data.py
    (768, 3e-5),  # BERT-base, RoBERTa-base, XLM-R base
    (1 << 30, 2e-5),  # large encoders
)


@dataclass(frozen=True)
class EncoderInfo:
    """What the budget needs to know about an encoder (read from its config.json; no weights)."""

    name: str
    hidden_size: int
    parameters: int | None = None  # exact when the model is loaded, else estimated from the config

    @classmethod
    def from_hf_config(cls, name: str, config: Any) -> "EncoderInfo":
        hidden = int(getattr(config, "hidden_size", 0) or getattr(config, "d_model", 0) or 768)
        layers = int(getattr(config, "num_hidden_layers", 0) or getattr(config, "n_layers", 0) or 12)
        vocab = int(getattr(config, "vocab_size", 0) or 30_000)
        # Embeddings plus ~12 h^2 per transformer block (attention 4 h^2, feed-forward 8 h^2).
        return cls(name, hidden, vocab * hidden + layers * 12 * hidden * hidden)


def learning_rate_for(encoder: EncoderInfo) -> float:
    for width, lr in LEARNING_RATE_BY_WIDTH:
        if encoder.hidden_size <= width:
            return lr
    return LEARNING_RATE_BY_WIDTH[-1][1]


@dataclass(frozen=True)
class BudgetPlan:
    epochs: int
    steps: int  # optimizer steps in all
    steps_per_epoch: int
    warmup_steps: int
    learning_rate: float
    eval_every: int  # optimizer steps between two dev evaluations (one epoch)
    reason: str  # why these numbers, for the user: "auto: 776 training documents"
    auto_epochs: bool
    auto_learning_rate: bool

    @property
    def capped(self) -> bool:
        """True when the last epoch is cut short by the step cap."""
        return self.steps < self.epochs * self.steps_per_epoch

    def describe(self, seconds: float | None = None, measured: bool = True) -> str:
        """The line the CLI and the Train tab show before a run, e.g. 'budget: about 12 epochs, 588 steps,
        lr 1e-4, ~4 min on this machine (auto: 776 training documents; ...)'. Each adds how to override
        it in its own terms."""
        about = "about " if self.auto_epochs else ""
        parts = [f"{about}{self.epochs} epoch{'s' if self.epochs != 1 else ''}", f"{self.steps} steps",
                 f"lr {format_learning_rate(self.learning_rate)}"]
        if seconds is not None:
            where = "on this machine" if measured else "by a first guess (no run measured here yet)"
            parts.append(f"~{format_duration(seconds)} {where}")
        return f"budget: {', '.join(parts)} ({self.reason})"


def format_learning_rate(lr: float) -> str:
    """1e-4, 5e-5, 2.5e-5 (not 0.0001 or 5e-05)."""
    mantissa, exponent = f"{lr:e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def learning_rate_text(value: object) -> str:
    """A configured learning rate as shown: 1e-4 for a number, 'auto' for a planned one (a stored run
    config holds the planned number; a config not yet run may hold 'auto')."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_learning_rate(float(value))
    return str(value)


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def plan_budget(n_train_docs: int, batch_size: int, encoder_info: EncoderInfo, preset: Any, *,
                epochs: int | str = AUTO, learning_rate: float | str = AUTO, max_steps: int = 0,
                steps_per_epoch: int | None = None, warmup_ratio: float = WARMUP_RATIO) -> BudgetPlan:
    """The budget of a run.

    `preset` (core.config.Preset) gives the fewest epochs of an automatic budget. An explicit `epochs`
    or `learning_rate` is kept as given; `max_steps` > 0 caps the steps either way. `steps_per_epoch`
    is the trainer's exact batch count (documents of different label kinds are batched apart), else
    ceil(n_train_docs / batch_size)."""
    per_epoch = max(1, steps_per_epoch if steps_per_epoch is not None else math.ceil(n_train_docs / batch_size))
    auto_epochs = epochs == AUTO
    if auto_epochs:
        n_epochs = min(MAX_EPOCHS, max(int(preset.epochs), math.ceil(MIN_STEPS / per_epoch)))
        cap = max_steps if max_steps > 0 else MAX_STEPS
    else:
        n_epochs = int(epochs)
        cap = max_steps if max_steps > 0 else n_epochs * per_epoch
    steps = min(n_epochs * per_epoch, cap)
    n_epochs = min(n_epochs, math.ceil(steps / per_epoch))  # a cap of fewer steps than epochs: fewer epochs
    auto_lr = learning_rate == AUTO
    lr = learning_rate_for(encoder_info) if auto_lr else float(learning_rate)
    reasons = []
    if auto_epochs:
        reasons.append(f"auto: {n_train_docs} training documents")
    if max_steps > 0 and steps == max_steps:
        reasons.append(f"capped at {max_steps} steps")
    elif auto_epochs and steps == MAX_STEPS:
        reasons.append(f"capped at {MAX_STEPS} steps")
    if auto_lr:
        reasons.append(f"lr for a {encoder_info.hidden_size}-wide encoder")
    return BudgetPlan(epochs=n_epochs, steps=steps, steps_per_epoch=per_epoch,
                      warmup_steps=int(warmup_ratio * steps), learning_rate=lr, eval_every=per_epoch,
                      reason="; ".join(reasons) or "fixed by the settings", auto_epochs=auto_epochs,
                      auto_learning_rate=auto_lr)

