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

Partially labelled projects (a document labelled for one task only; the trainer batches each kind of
document apart) get each task's passes on its own (plan_passes): each task gets the epochs its own
single-task run would get, and its documents are trained in every epoch until it has had them, so at
any epoch each task has had as many passes as its own run would have had by then. Measured on CoNLL
2,000 (NER only) + FPB 1,000 (sentiment only): planned on the total batch count, the joint run trained 4
epochs and its sentiment macro-F1 was 3.4 points below sentiment-only's; with NER's 13 passes spread over
the 20 epochs sentiment needs (a share of the NER batches in each epoch), the run's best epoch came
early (sentiment overfits after ~7) with NER at 4.5 passes and 3.6 points under NER only (README
"Training budget").

Pure and torch-free: the trainer, the CLI and the Train tab all call plan_budget.
"""
from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

AUTO = "auto"  # TrainConfig.epochs / learning_rate: planned here

# Optimizer steps a small project needs before its dev score levels off. 600 (the 776-document
# measurement) was too few on CoNLL 3,000: 4 epochs (752 steps) 82.85, 10 (1,880) 83.63, 20 (3,760) 84.69
# test entity F1 (bench/small_data.py). 1,600 keeps large projects at the preset's 3 epochs (SEntFiN's
# 8,549 headlines: 1,605 steps, where joint and single-task runs were measured) and gives projects of up
# to ~1,300 documents the 20-epoch cap: the defaults are within 1.5 points of the best grid cell on all
# seven subsets of the benchmark (README "Training budget").
MIN_STEPS = 1_600
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
    auto_epochs: bool
    auto_learning_rate: bool
    # Why these numbers, as data (`reason` puts them in English words; the Train tab in its language):
    train_documents: int = 0  # the documents an automatic budget was planned on
    task_epochs: tuple[tuple[str, int], ...] = ()  # per-task epochs, when the tasks' plans differ
    step_cap: int | None = None  # the cap that cut the steps short (--max-steps or MAX_STEPS)
    encoder_width: int | None = None  # the hidden size an automatic learning rate was chosen for
    # The steps of all the epochs before any cap (a partially labelled project's later epochs can hold
    # fewer steps than the first).
    uncapped_steps: int = 0

    @property
    def reason(self) -> str:
        """Why these numbers, for the user: 'auto: 776 training documents; lr for a 384-wide encoder'."""
        reasons = []
        if self.auto_epochs:
            reasons.append(f"auto: {self.train_documents} training documents")
            if self.task_epochs:
                reasons.append("epochs per task " + ", ".join(f"{t} {e}" for t, e in self.task_epochs))
        if self.step_cap is not None:
            reasons.append(f"capped at {self.step_cap} steps")
        if self.encoder_width is not None:
            reasons.append(f"lr for a {self.encoder_width}-wide encoder")
        return "; ".join(reasons) or "fixed by the settings"

    @property
    def capped(self) -> bool:
        """True when the last epoch is cut short by the step cap."""
        return self.steps < self.uncapped_steps

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


def format_duration(seconds: float, units: tuple[str, str, str] = ("{} s", "{} min", "{} h")) -> str:
    """4 s, 12 min, 1.5 h; `units` (seconds, minutes, hours formats) lets the GUI word them in its language."""
    if seconds < 90:
        return units[0].format(max(1, round(seconds)))
    if seconds < 90 * 60:
        return units[1].format(round(seconds / 60))
    return units[2].format(f"{seconds / 3600:.1f}")


def auto_epochs_for(batches_per_epoch: int, preset_epochs: int) -> int:
    """The epochs of an automatic budget over `batches_per_epoch` batches: enough for MIN_STEPS, at least
    the preset's, at most MAX_EPOCHS."""
    return min(MAX_EPOCHS, max(int(preset_epochs), math.ceil(MIN_STEPS / max(1, batches_per_epoch))))


@dataclass(frozen=True)
class TaskPasses:
    """How often each task's documents are passed over in an automatic budget (plan_passes)."""

    epochs: int  # the run's epochs: the most any task needs
    task_epochs: dict[str, int] = field(default_factory=dict)  # what each task's own run would plan
    kind_batches: dict[Any, int] = field(default_factory=dict)  # kind -> its batches in a whole epoch
    kind_epochs: dict[Any, int] = field(default_factory=dict)  # kind -> the first epochs its batches are in

    def trains(self, kind: Any, epoch: int) -> bool:
        """Whether `kind`'s batches are trained in `epoch` (0-based)."""
        return epoch < self.kind_epochs.get(kind, self.epochs)

    def steps_in_epoch(self, epoch: int) -> int:
        return sum(n for kind, n in self.kind_batches.items() if self.trains(kind, epoch))

    @property
    def steps_per_epoch(self) -> int:
        """The first epoch's batches: the most of any epoch (every kind is trained in it)."""
        return self.steps_in_epoch(0)

    def epoch_steps(self, epochs: int, per_epoch_cap: int | None = None) -> list[int]:
        """Each epoch's optimizer steps, an epoch cut to `per_epoch_cap` where one is given (the
        trainer's exact count, e.g. under max_steps_per_epoch)."""
        steps = [self.steps_in_epoch(e) for e in range(epochs)]
        return [min(n, per_epoch_cap) for n in steps] if per_epoch_cap is not None else steps


def plan_passes(kind_batches: Mapping[Hashable, int], kind_tasks: Mapping[Hashable, Sequence[str]],
                preset_epochs: int, task_epochs: Mapping[str, int] | None = None,
                task_order: Sequence[str] = ()) -> TaskPasses:
    """Per-task passes for documents batched by kind (a kind: the set of tasks its documents carry).

    Each task t has b_t batches an epoch (those of the kinds carrying it) and gets E_t =
    auto_epochs_for(b_t) epochs, as its single-task run would; the run trains max E_t epochs, and a kind
    is trained whole in its first E_k epochs (E_k the most any of its tasks needs), then left out.
    Front-loaded rather than spread (a share of the batches each epoch): a run is picked at its best dev
    epoch, usually before the last, and a task spread thin had had only part of its passes by then. With
    one kind (every document labelled alike) nothing is left out: the plain automatic budget.
    `task_epochs` (a stored run's plan, for a resume) replaces the per-task epochs; `task_order` orders
    the tasks as the project does (others follow by name)."""
    per_task: dict[str, int] = {}
    for kind, n in kind_batches.items():
        for task in kind_tasks[kind]:
            per_task[task] = per_task.get(task, 0) + n
    rank = {t: i for i, t in enumerate(task_order)}
    per_task = dict(sorted(per_task.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))
    planned = dict(task_epochs) if task_epochs else {t: auto_epochs_for(b, preset_epochs) for t, b in per_task.items()}
    epochs = max(planned.values(), default=auto_epochs_for(sum(kind_batches.values()), preset_epochs))
    kind_epochs = {kind: min(epochs, max((planned.get(t, epochs) for t in kind_tasks[kind]), default=epochs))
                   for kind in kind_batches}
    return TaskPasses(epochs, {t: planned[t] for t in per_task if t in planned}, dict(kind_batches), kind_epochs)


def plan_budget(n_train_docs: int, batch_size: int, encoder_info: EncoderInfo, preset: Any, *,
                epochs: int | str = AUTO, learning_rate: float | str = AUTO, max_steps: int = 0,
                steps_per_epoch: int | None = None, warmup_ratio: float = WARMUP_RATIO,
                passes: TaskPasses | None = None) -> BudgetPlan:
    """The budget of a run.

    `preset` (core.config.Preset) gives the fewest epochs of an automatic budget. An explicit `epochs`
    or `learning_rate` is kept as given; `max_steps` > 0 caps the steps either way. `steps_per_epoch`
    is the trainer's exact batch count (documents of different label kinds are batched apart), else
    ceil(n_train_docs / batch_size); it is the first epoch's. `passes` (plan_passes) gives the epochs of a
    partially labelled project and the steps of each (its first epoch's where `steps_per_epoch` is not
    given)."""
    if steps_per_epoch is None:
        steps_per_epoch = passes.steps_per_epoch if passes is not None else math.ceil(n_train_docs / batch_size)
    per_epoch = max(1, steps_per_epoch)
    auto_epochs = epochs == AUTO
    if auto_epochs:
        n_epochs = passes.epochs if passes is not None else auto_epochs_for(per_epoch, preset.epochs)
    else:
        n_epochs = int(epochs)
    # Each epoch's steps: all alike, or fewer once a task of a partially labelled project has had its passes.
    epoch_steps = passes.epoch_steps(n_epochs, per_epoch) if passes is not None else [per_epoch] * n_epochs
    full = sum(epoch_steps)
    cap = max_steps if max_steps > 0 else (MAX_STEPS if auto_epochs else full)
    steps = min(full, cap)
    # A cap of fewer steps than the epochs hold: fewer epochs, the last cut short (the first epoch whose
    # running total reaches the steps).
    n_epochs = bisect.bisect_left(list(itertools.accumulate(epoch_steps)), steps) + 1 if steps > 0 else 0
    auto_lr = learning_rate == AUTO
    lr = learning_rate_for(encoder_info) if auto_lr else float(learning_rate)
    differing = passes is not None and auto_epochs and len(set(passes.task_epochs.values())) > 1
    if max_steps > 0 and steps == max_steps:
        step_cap: int | None = max_steps
    else:
        step_cap = MAX_STEPS if auto_epochs and steps == MAX_STEPS else None
    return BudgetPlan(epochs=n_epochs, steps=steps, steps_per_epoch=per_epoch, uncapped_steps=full,
                      warmup_steps=int(warmup_ratio * steps), learning_rate=lr, eval_every=per_epoch,
                      auto_epochs=auto_epochs, auto_learning_rate=auto_lr, train_documents=n_train_docs,
                      task_epochs=tuple(passes.task_epochs.items()) if differing and passes else (),
                      step_cap=step_cap, encoder_width=encoder_info.hidden_size if auto_lr else None)

