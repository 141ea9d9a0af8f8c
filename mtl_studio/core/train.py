"""Training: ONE shared encoder with a head per task (token, sentiment, entity sentiment, label sets), as a
generator of progress events.

    for event in train("demo.mtl", TrainConfig(epochs=2), stop=stop_event):
        ...   # RunStarted, StepProgress..., EpochEvaluated, LogMessage, RunFinished

The CLI prints the events, the GUI worker forwards them as signals, torchrun's rank 0 sends them to a
parent process. A stop request (threading.Event) is honoured after the current optimizer step: the run is
recorded as 'stopped' and its last checkpoint kept, so `train(..., resume_run_id=...)` continues it with
the same result as an uninterrupted run (model, optimizer, scheduler, strategy and RNG state are restored
and the batches of an epoch depend only on (seed, epoch)).

Run folder (<project>.runs/<run_id>/, rank 0 writes it, every folder swapped in atomically):
    best/   the best model on dev so far: a model folder (core/artifacts.py) that export and inference read
    last/   the resume point (core/checkpoints.py): model/ + trainer_state.json + optimizer.pt, weights never
            pickled. Removed when a run completes.
The run's row in the project is written by core/run_bookkeeping.py, the dev/test predictions of the best
model by core/prediction_store.py.

Distributed (torchrun): see core/distributed.py. Every rank builds the same global batches and trains on
its slice; losses are divided by GLOBAL counts so N processes equal one with the same global batch; only
rank 0 evaluates, writes the run and checkpoints; stop/NaN decisions are collective.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from . import losses as L
from .artifacts import save_model_folder
from .budget import EncoderInfo, TaskPasses
from .checkpoints import TrainerState, TrainingParts, load_resume_point, save_resume_point
from .config import DEFAULT_STRATEGY, TrainConfig
from .distributed import DistContext, init_distributed, unwrap_model
from .errors import MtlStudioError, TrainingError
from .events import EpochEvaluated, Event, GradientConflict, LogMessage, RunFinished, RunStarted, StepProgress
from .evaluate import EvalReport, evaluate_model
from .features import EncodedDataset, collate, label_set_unlabelled, length_grouped_batches
from .kind_optimizer import NOT_SCALED, KindAdamW, kind_key
from .gradient_conflict import ConflictHint, ConflictMeasurement, GradientConflictMeter, shared_parameter_groups
from .model import MultiTaskModel, load_encoder
from .paths import EPOCH_WEIGHTS_DIR, RESUME_POINT_DIR, has_resume_point
from .prediction_store import store_predictions
from .schema import TASK_ENTITY_SENTIMENT
from .task_distillation import (DistillationState, PlateauChanges, TaskPlateaus, kd_loss_rows, snapshot,
                                teacher_predictions)
from .run_bookkeeping import RunBookkeeping, final_metrics, resumable_config, stopped_metrics
from .run_liveness import resume_hint
from .run_messages import RunNote
from .store import ProjectStore
from .throughput import record_throughput
from .training_data import load_training_data
from .weight_soup import EpochShelf, Ingredient, greedy_soup, load_average
from .weighting import WeightingContext, WeightingStrategy, collapsed_tasks, make_strategy
from .weighting.fixed import FixedWeighting


CHECKPOINT_EVERY_S = 15 * 60  # also checkpoint mid-epoch this often (a crash then loses at most this much)


# ---- device and precision ------------------------------------------------------------------------

def autocast_dtype(device: torch.device, precision: str, *,
                   hidden_size: int | None = None) -> tuple[torch.dtype | None, str]:
    """(autocast dtype or None, precision name) for a device and the configured precision.

    auto: bf16 on a GPU that supports it, else fp16 (with a GradScaler); on a CPU bf16 where it was
    measured to pay (core.precision: native bf16 instructions, encoder hidden_size >= 384), else fp32;
    fp32 on MPS."""
    p = (precision or "auto").lower()
    if p not in ("auto", "fp32", "bf16", "fp16"):
        raise TrainingError(f"unknown precision {precision!r}: use auto, fp32, bf16 or fp16")
    if p == "auto":
        if device.type == "cuda":
            p = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        elif device.type == "cpu":
            from .precision import cpu_auto_precision

            p = cpu_auto_precision(hidden_size)
        else:
            p = "fp32"
    if p == "fp16" and device.type == "cpu":
        raise TrainingError("fp16 mixed precision needs a GPU; use --precision fp32 or bf16 on the CPU")
    if p == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise TrainingError("this GPU does not support bf16; use --precision fp16 or auto")
    return {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[p], p


def _is_oom(e: BaseException) -> bool:
    oom_types = tuple(t for t in (getattr(torch, "OutOfMemoryError", None),
                                  getattr(torch.cuda, "OutOfMemoryError", None)) if t is not None)
    return isinstance(e, oom_types) or (isinstance(e, RuntimeError) and "out of memory" in str(e).lower())


class _Forward(nn.Module):
    """One forward for everything a step needs (DDP wraps this, so a step is one DDP forward).

    With MLM on, the encoder also reads the masked copy of the batch and the masked-token head scores
    only the masked positions (the vocabulary projection is the costly part)."""

    def __init__(self, model: MultiTaskModel, l2sp: L.L2SPPenalty | None = None) -> None:
        super().__init__()
        self.model = model
        self.l2sp = l2sp  # computed inside forward: DDP forbids using parameters outside it

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                mlm_input_ids: torch.Tensor | None = None, mlm_positions: torch.Tensor | None = None,
                entity_spans: torch.Tensor | None = None):
        out = self.model(input_ids, attention_mask, entity_spans=entity_spans)
        mlm_logits = None
        if mlm_input_ids is not None and self.model.mlm is not None:
            hidden = self.model.encoder(input_ids=mlm_input_ids, attention_mask=attention_mask).last_hidden_state
            mlm_logits = self.model.mlm(hidden[mlm_positions])  # (masked tokens, vocab)
        penalty = self.l2sp() if self.l2sp is not None else None
        return (out.token_logits, out.sequence_logits, mlm_logits, penalty, out.entity_sentiment_logits,
                out.label_logits)


def last_shared_layer(encoder: nn.Module) -> list[nn.Parameter]:
    """Parameters of the encoder's last transformer block (GradNorm's W); the last few shared
    parameters when the architecture is unknown."""
    for path in ("encoder.layer", "layer", "layers", "transformer.layer", "encoder.layers", "block"):
        obj: Any = encoder
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if isinstance(obj, nn.ModuleList) and len(obj):
            params = [p for p in obj[-1].parameters() if p.requires_grad]
            if params:
                return params
    shared = [p for p in encoder.parameters() if p.requires_grad]
    return shared[-4:]


def _parameter_groups(model: nn.Module, strategy: WeightingStrategy, cfg: TrainConfig) -> list[dict[str, Any]]:
    """No weight decay on biases and norms; the strategy's own parameters (e.g. uncertainty weights) in a
    group with their own learning rate."""
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    if strategy.parameters():
        groups.append({"params": strategy.parameters(), "weight_decay": 0.0, "lr": cfg.strategy_lr,
                       NOT_SCALED: True})
    return groups


def _adamw(groups: list[dict[str, Any]], lr: float, device: torch.device) -> KindAdamW:
    """AdamW (moments per label kind, core/kind_optimizer.py) with the fused kernel where PyTorch has one
    (CUDA, and CPU since 2.4: several times faster than the per-tensor loop on CPU, where the optimizer
    step is a large share of a small model's step)."""
    if device.type in ("cuda", "cpu"):
        try:
            return KindAdamW(groups, lr=lr, fused=True)
        except (RuntimeError, TypeError, ValueError):
            pass
    return KindAdamW(groups, lr=lr)


def _linear_schedule(warmup: int, total: int):
    def factor(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))
    return factor


class _TrainingSpeed:
    """Documents per second of this run's optimizer steps, for the next budget's time estimate."""

    MIN_STEPS = 5  # fewer steps say more about start-up than about speed

    def __init__(self) -> None:
        self.steps = 0
        self.docs = 0
        self.seconds = 0.0

    def add(self, docs: int, seconds: float) -> None:
        self.steps += 1
        if self.steps > 2:  # the first steps pay for allocation and kernel selection
            self.docs += docs
            self.seconds += seconds

    def docs_per_second(self) -> float:
        return self.docs / max(self.seconds, 1e-9)


# ---- the trainer -------------------------------------------------------------------------------------

class _Failure(MtlStudioError):
    """A run that cannot go on for a reason the user can act on (NaN loss, out of memory)."""


class Trainer:
    """One run. `events()` is the generator `train()` returns; state lives on the instance.

    The shape is minGPT's: set-up, the epoch loop, a step, evaluation, checkpoints. The run's record
    (core/run_bookkeeping.py), the resume point (core/checkpoints.py) and the stored predictions
    (core/prediction_store.py) live in their own modules."""

    def __init__(self, project: str | os.PathLike[str] | ProjectStore, config: TrainConfig, *,
                 stop: threading.Event | None = None, resume_run_id: str | None = None) -> None:
        self.project = project
        self.config = config
        self.stop = stop or threading.Event()
        self.resume_run_id = resume_run_id

    # ---- public generator ------------------------------------------------------------------------

    def events(self) -> Iterator[Event]:
        self.ctx: DistContext = init_distributed(self.config.device)
        self.store: ProjectStore | None = None
        try:
            yield from self._run()
        finally:
            self.ctx.close()
            if self.store is not None and self.store is not self.project:
                self.store.close()

    def _run(self) -> Iterator[Event]:
        self._open_store()
        if self.resume_run_id:
            self.config = resumable_config(self.store, self.resume_run_id)
        self.config.validate()
        notes = self._setup()
        self.book = RunBookkeeping.begin(self.store, self.config, writer=self.ctx.is_main,
                                         broadcast=self.ctx.broadcast_object, resume_run_id=self.resume_run_id,
                                         notes=notes)
        self.run_id, self.run_dir = self.book.run_id, self.book.run_dir
        try:
            with self.book.heartbeat():  # a reader tells a live run from one whose process died
                resumed = self._load_checkpoint() if self.resume_run_id else False
                if self.ctx.is_main:
                    yield from self._start_events(notes, resumed)
                outcome = yield from self._train_loop()
                if outcome == "stopped":
                    yield from self._finish_stopped()
                    return
                yield from self._finish(outcome)
        except _Failure as e:
            yield from self._finish_failed(str(e))
        except Exception as e:
            if _is_oom(e):
                yield from self._finish_failed(
                    f"out of memory on {self.device} at batch size {self.config.batch_size} and max length "
                    f"{self.max_length}: try a smaller --batch-size (e.g. {max(1, self.config.batch_size // 2)}) "
                    "or a shorter --max-length")
                return
            self.book.failed(f"{type(e).__name__}: {e}")
            raise
        except BaseException:
            # No event can be sent (the consumer closed the generator, or an interrupt), but the record
            # must not stay "running".
            self.book.interrupted()
            raise

    def _start_events(self, notes: list[RunNote], resumed: bool) -> Iterator[Event]:
        yield RunStarted(self.run_id, self.config.to_dict(), str(self.device), self.precision,
                         dict(self.data.train_counts), self.total_steps, dataclasses.asdict(self.budget))
        for note in notes:
            yield LogMessage.of(note)
        if self.resume_run_id:
            yield LogMessage.of(RunNote("info", "resuming", {
                "run": self.run_id, "epoch": self.state.epoch + 1, "step": self.state.global_step}) if resumed
                else RunNote("info", "resume_without_checkpoint", {"run": self.run_id}))

    # ---- set-up --------------------------------------------------------------------------------------

    def _open_store(self) -> None:
        if isinstance(self.project, ProjectStore):
            self.store = self.project
        else:
            self.store = ProjectStore.open(self.project)

    def _setup(self) -> list[tuple[str, str]]:
        """Device, data, model, optimizer; returns (level, text) notes for the user."""
        notes: list[RunNote] = []
        self._setup_device()
        encoder, self.tokenizer = load_encoder(self.config.encoder, trust_remote_code=self.config.trust_remote_code)
        self.data = load_training_data(self.store, self.tokenizer, self.config, notes)
        # Read in every step: kept at hand.
        self.labels, self.train_set, self.tasks = self.data.labels, self.data.train_set, self.data.tasks
        self.max_length = self.data.max_length
        # The run's record holds the resolved task list (an empty TrainConfig.tasks: every declared task).
        self.config = dataclasses.replace(self.config, tasks=self.data.requested)
        self._setup_model(encoder, notes)
        self._setup_optimizer()
        if self.ctx.rank:
            torch.manual_seed(self.config.seed + self.ctx.rank)  # different dropout per rank after identical init
        self.state = TrainerState()
        # Tasks of a joint run that stall are distilled from their best epoch (core/task_distillation.py).
        self.distillation = DistillationState()
        return notes

    def _setup_device(self) -> None:
        self.device = self.ctx.device
        cfg = self.config
        hidden = None
        if (cfg.precision or "auto").lower() == "auto" and self.device.type == "cpu":
            from .precision import encoder_hidden_size

            hidden = encoder_hidden_size(cfg.encoder, trust_remote_code=cfg.trust_remote_code)
        self.amp_dtype, self.precision = autocast_dtype(self.device, cfg.precision, hidden_size=hidden)
        if self.device.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        torch.manual_seed(self.config.seed)

    def _setup_model(self, encoder: nn.Module, notes: list[RunNote]) -> None:
        """The pretrained encoder plus freshly initialised heads (seeded), the weighting strategy and the
        (DDP-wrapped) forward."""
        cfg = self.config
        self.model = MultiTaskModel(encoder, len(self.labels.ner_tags), max(1, len(self.labels.sentiment_classes)),
                                    dropout=cfg.dropout, pooling=cfg.pooling, mlm_head=cfg.mlm_weight > 0,
                                    num_entity_sentiment_classes=len(self.labels.entity_sentiment_classes),
                                    label_sets=[(ls.name, len(ls.classes)) for ls in self.labels.label_sets])
        self.model.to(self.device)
        self.l2sp = L.L2SPPenalty(self.model.encoder.parameters()) if cfg.l2sp_weight > 0 else None
        if len(self.tasks) > 1:
            self.strategy: WeightingStrategy = make_strategy(cfg.strategy, self.tasks, cfg, device=self.device)
        else:
            self.strategy = FixedWeighting(self.tasks, {self.tasks[0]: 1.0})  # the task alone, at full weight
            if cfg.strategy not in ("fixed", DEFAULT_STRATEGY):  # the default is no choice to tell about
                notes.append(RunNote("info", "single_task_strategy", {"strategy": cfg.strategy}))
        self.forward = self.ctx.wrap_model(_Forward(self.model, self.l2sp))
        self.model_params = [p for p in self.model.parameters() if p.requires_grad]
        self.shared_params = self.model.shared_parameters()
        self.last_shared = last_shared_layer(self.model.encoder)
        self._setup_conflict_meter()

    def _setup_conflict_meter(self) -> None:
        """The gradient-conflict meter on rank 0 of a joint run (see core/gradient_conflict.py for DDP)."""
        self.conflict_meter: GradientConflictMeter | None = None
        self.conflict_hint = ConflictHint()
        self.conflict_readings: list[ConflictMeasurement] = []  # measured in _step, emitted by _step_events
        if self.config.conflict_every > 0 and len(self.tasks) > 1 and self.ctx.is_main:
            params, groups = shared_parameter_groups(self.model.encoder)
            self.conflict_meter = GradientConflictMeter(params, groups, self.config.conflict_every)

    def _setup_optimizer(self) -> None:
        """AdamW, linear warm-up and decay over the run's steps, a grad scaler for fp16."""
        self._plan_budget()
        cfg = self.config
        self.optimizer = _adamw(_parameter_groups(self.model, self.strategy, cfg), cfg.learning_rate, self.device)
        # Per example, the tasks of its label kind, whose Adam moments its batch's step uses; None: one
        # shared state (turned off, or a gradient strategy's mixed batches, which carry every task).
        self.batch_kind_tasks: list[tuple[str, ...]] | None = None
        if cfg.moments_per_kind and not self.strategy.gradient_based:
            kinds = self.train_set.kinds()
            tasks_of = {k: self.train_set.kind_tasks(k) for k in set(kinds)}
            self.batch_kind_tasks = [tasks_of[k] for k in kinds]
        self.batches_per_epoch = self._batches_per_epoch()
        self.total_steps = self.budget.steps
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, _linear_schedule(self.budget.warmup_steps, self.total_steps))
        self.scaler = torch.amp.GradScaler("cuda") if self.amp_dtype == torch.float16 else None

    def _plan_budget(self) -> None:
        """Epochs, steps and learning rate (core/budget.py) from the exact batch count and the loaded
        encoder; the run's config holds the planned numbers from here on (its record, resume, export)."""
        cfg = self.config
        encoder = EncoderInfo(cfg.encoder, int(getattr(self.model.encoder.config, "hidden_size", 768)),
                              sum(p.numel() for p in self.model.encoder.parameters()))
        batches, passes = self._epoch_plan(0)
        self.budget = cfg.budget(len(self.train_set.examples), encoder, self._capped(len(batches)), passes=passes)
        self.config = dataclasses.replace(cfg, epochs=self.budget.epochs, learning_rate=self.budget.learning_rate,
                                          max_steps=self.budget.steps if self.budget.capped else cfg.max_steps,
                                          task_epochs=passes.task_epochs if passes is not None else cfg.task_epochs)

    def _batches_per_epoch(self) -> int:
        return self._capped(len(self._epoch_batches(0)))

    def _capped(self, n_batches: int) -> int:
        cap = self.config.max_steps_per_epoch
        return min(n_batches, cap) if cap > 0 else n_batches

    def _epoch_batches(self, epoch: int) -> list[list[int]]:
        return self._epoch_plan(epoch)[0]

    def _epoch_plan(self, epoch: int) -> tuple[list[list[int]], TaskPasses | None]:
        """The global batches of an epoch, length-grouped from (seed, epoch) with one label kind per batch,
        and the per-task passes (core/budget.plan_passes) they follow, if any. With passes (a partially
        labelled project), a kind whose tasks need fewer passes than the run's epochs is trained whole
        in its first epochs and left out of the later ones.

        Gradient strategies (GradNorm, PCGrad) compare the tasks' gradients within a step, so they get
        mixed batches (and no passes): with one kind per batch, partially labelled data would give them
        one task a step.
        """
        kinds = None if self.strategy.gradient_based else self.train_set.kinds()
        batches = length_grouped_batches(self.train_set.lengths(), self.config.batch_size, seed=self.config.seed,
                                         epoch=epoch, kinds=kinds)
        if kinds is None:
            return batches, None
        counts = Counter(kinds[b[0]] for b in batches)
        passes = self.config.passes(counts, {k: self.train_set.kind_tasks(k) for k in counts})
        if passes is None:
            return batches, None
        return [batch for batch in batches if passes.trains(kinds[batch[0]], epoch)], passes

    # ---- the loop --------------------------------------------------------------------------------------

    def _train_loop(self) -> Iterator[Event]:
        """Runs epochs; returns 'completed', 'early_stopped' or 'stopped' (generator return value)."""
        cfg, st = self.config, self.state
        self.forward.train()
        step_time_ema: float | None = None
        self.speed = _TrainingSpeed()
        last_checkpoint = time.monotonic()
        while st.epoch < cfg.epochs:
            # Every epoch is whole but the last of a run capped by max_steps (epochs can differ in size:
            # a partially labelled project's task leaves the later epochs once it has had its passes).
            epoch_start = st.global_step - st.step_in_epoch
            batches = self._epoch_batches(st.epoch)[:min(self.batches_per_epoch, self.total_steps - epoch_start)]
            while st.step_in_epoch < len(batches):
                t0 = time.perf_counter()
                global_batch = batches[st.step_in_epoch]
                losses, weights = self._step(global_batch)
                self._count_step(losses)
                dt = time.perf_counter() - t0
                step_time_ema = dt if step_time_ema is None else 0.9 * step_time_ema + 0.1 * dt
                self.speed.add(len(global_batch), dt)
                if self.ctx.is_main:
                    yield from self._step_events(losses, weights, len(global_batch) / max(dt, 1e-9),
                                                 step_time_ema)
                if self.ctx.any_flag(self.stop.is_set()):
                    self._save_last()
                    return "stopped"
                if time.monotonic() - last_checkpoint > CHECKPOINT_EVERY_S:
                    self._save_last()
                    last_checkpoint = time.monotonic()
            # End of epoch: evaluate on dev, keep the best, decide on early stopping.
            decision = yield from self._end_of_epoch()
            if decision == "stopped":
                self._save_last()
                return "stopped"
            self._next_epoch()
            if decision == "early_stop":
                st.stopped_early = True
                break
            if st.epoch < cfg.epochs:
                self._save_last()
                last_checkpoint = time.monotonic()
        return "early_stopped" if st.stopped_early else "completed"

    def _count_step(self, losses: dict[str, float]) -> None:
        st = self.state
        st.step_in_epoch += 1
        st.global_step += 1
        for task, value in losses.items():
            if task in self.tasks:
                acc = st.epoch_loss_sums.setdefault(task, [0.0, 0.0])
                acc[0] += value
                acc[1] += 1

    def _epoch_mean_losses(self) -> dict[str, float]:
        return {t: s / n for t, (s, n) in self.state.epoch_loss_sums.items() if n}

    def _next_epoch(self) -> None:
        st = self.state
        self.strategy.end_epoch(st.epoch + 1, self._epoch_mean_losses())
        st.epoch += 1
        st.step_in_epoch = 0
        st.epoch_loss_sums = {}

    def _step_events(self, losses: dict[str, float], weights: dict[str, float], samples_per_second: float,
                     step_time_ema: float) -> Iterator[Event]:
        """StepProgress, and a warning the first time a task's weight collapses (rank 0)."""
        st = self.state
        yield StepProgress(
            step=st.global_step, total_steps=self.total_steps, epoch=st.epoch + 1, losses=losses,
            weights=weights, samples_per_second=samples_per_second,
            eta_seconds=step_time_ema * (self.total_steps - st.global_step),
            learning_rate=float(self.scheduler.get_last_lr()[0]))
        yield from self._conflict_events()
        for task in collapsed_tasks(weights):
            if task not in st.collapse_warned:
                st.collapse_warned.append(task)
                yield LogMessage.of(RunNote("warning", "weight_collapsed", {"task": task, "weight": weights[task]}))

    # ---- one step ----------------------------------------------------------------------------------------

    def _step(self, global_batch: list[int]) -> tuple[dict[str, float], dict[str, float]]:
        """One optimizer step on this rank's slice of a global batch; returns global (losses, weights)."""
        cfg, ctx = self.config, self.ctx
        if self.batch_kind_tasks is not None:  # one label kind per batch: that kind's Adam moments
            kind_tasks = self.batch_kind_tasks[global_batch[0]]
            self.optimizer.select(kind_key(kind_tasks), self._kind_lr_scale(kind_tasks))
        local, placeholder = ctx.shard_or_placeholder(global_batch)
        cpu_batch = collate([self.train_set.examples[i] for i in local], self._pad_id(),
                            pin_memory=self.device.type == "cuda", label_sets=self.labels.label_sets)
        use_mlm = cfg.mlm_weight > 0
        mlm_ids = mlm_labels = mlm_positions = None
        if use_mlm:
            mlm_ids, mlm_labels = L.mask_examples(
                cpu_batch.input_ids, cpu_batch.special_mask, [self.train_set.examples[i].length for i in local], local,
                seed=cfg.seed, epoch=self.state.epoch, mask_token_id=self._mask_id(), vocab_size=self._vocab_size(),
                probability=cfg.mlm_probability)
            mlm_positions = mlm_labels != L.IGNORE
        keep = 0.0 if placeholder else 1.0
        # Counts on the CPU copy (no device sync), then one all-reduce for the global counts.
        # One count per head's loss (ner, sentiment, then the further tasks), then the masked tokens.
        local_counts = torch.tensor([
            float((cpu_batch.ner_labels != L.IGNORE).sum()) * keep,
            float((cpu_batch.sentiment_labels != L.IGNORE).sum()) * keep,
            *[float(self._further_count(cpu_batch, t)) * keep for t in self.further_tasks],
            float(mlm_positions.sum()) * keep if use_mlm else 0.0,
        ], dtype=torch.float64, device=self._collective_device())
        counts = ctx.all_reduce_sum(local_counts).tolist()
        divisor = [max(c, 1e-12) / ctx.world_size for c in counts]  # share of the global mean (see distributed)
        batch = cpu_batch.to(self.device, non_blocking=True)
        teachers = {task: t.to(self.device, non_blocking=True)
                    for task, t in self._teacher_batch(cpu_batch, local).items()}
        if use_mlm:
            mlm_ids = mlm_ids.to(self.device, non_blocking=True)
            mlm_labels = mlm_labels.to(self.device, non_blocking=True)
            mlm_positions = mlm_positions.to(self.device, non_blocking=True)

        # Gradient strategies run one backward per task and average the gradients themselves: DDP's
        # automatic sync is off for the whole step, from the forward on. The one place no_sync is entered.
        sync_off = self.strategy.gradient_based and hasattr(self.forward, "no_sync")
        with (self.forward.no_sync() if sync_off else contextlib.nullcontext()):
            losses, extra, global_losses = self._losses(batch, teachers, counts, divisor, keep, mlm_ids, mlm_labels,
                                                        mlm_positions)
            self._measure_conflict(losses)
            weights = self._backward_and_update(losses, extra, global_losses)
        report = {t: global_losses[t] for t in losses}
        if use_mlm:
            report["mlm"] = global_losses["mlm"]
        if self.l2sp is not None:
            report["l2sp"] = global_losses["l2sp"]
        report["total"] = (sum(weights[t] * global_losses[t] for t in losses)
                           + cfg.mlm_weight * global_losses["mlm"] + cfg.l2sp_weight * global_losses["l2sp"])
        return report, {t: float(weights[t]) for t in self.tasks}

    def _kind_lr_scale(self, kind_tasks: tuple[str, ...]) -> float:
        """A one-kind step's learning-rate factor: its tasks' mean weight over the mean weight of every
        task (1 for a kind with every task, or equal weights). With moments per kind the loss weights
        alone would not change the step (core/kind_optimizer.py).

        The user's weights, not a strategy's learned ones: uncertainty weights grow as 1/loss, so scaling
        steps by them gave the task that fit its training set best the largest steps, and that fit it
        further (CoNLL 2,000 NER + FPB 1,000 sentiment: NER 34 against sentiment 8.5 by epoch 8, the
        sentiment steps at 0.4 of the learning rate). Within a step of several tasks the strategy's
        weights still balance the losses."""
        weights = self.strategy.initial
        mine = [float(weights[t]) for t in kind_tasks if t in weights]
        every = [float(weights[t]) for t in self.tasks if t in weights]
        mean = sum(every) / len(every) if every else 0.0
        return (sum(mine) / len(mine)) / mean if mine and mean > 0 else 1.0

    @property
    def further_tasks(self) -> list[str]:
        """The trained tasks beyond ner and sentiment, in training order (entity sentiment, label sets)."""
        return [t for t in self.tasks if t not in ("ner", "sentiment")]

    def _further_count(self, batch: Any, task: str) -> int:
        """Labelled items of a further task in a (CPU) batch: spans with a polarity, or labelled documents."""
        if task == TASK_ENTITY_SENTIMENT:
            return int((batch.entity_sentiment_labels != L.IGNORE).sum())
        return int((~label_set_unlabelled(batch.label_targets[task])).sum())

    def _entity_spans(self, batch: Any) -> tuple[Any, Any, Any]:
        """(spans, polarities, weights) of a batch for the entity-sentiment head; a batch without spans
        gets one unlabelled placeholder span so the head still takes part in the backward (DDP)."""
        if self.model.entity_sentiment_head is None:
            return None, None, None
        if batch.entity_spans.shape[0]:
            return batch.entity_spans, batch.entity_sentiment_labels, batch.entity_sentiment_weights
        spans = torch.tensor([[0, 0, 1]], dtype=torch.long, device=self.device)
        return (spans, torch.full((1,), L.IGNORE, dtype=torch.long, device=self.device),
                torch.zeros((1,), device=self.device))

    def _losses(self, batch: Any, teachers: dict[str, torch.Tensor], counts: list[float], divisor: list[float],
                keep: float, mlm_ids: Any, mlm_labels: Any, mlm_positions: Any
                ) -> tuple[dict[str, torch.Tensor], torch.Tensor, dict[str, float]]:
        """Forward and losses: (task losses, the weighted terms outside task weighting, global loss values).
        `teachers`: a distilled task's teacher logits at the batch's positions (_teacher_batch); its loss
        is the divergence from them on the same labelled positions, so the counts divide it alike."""
        cfg, ctx = self.config, self.ctx
        spans, polarities, span_weights = self._entity_spans(batch)
        with torch.autocast(self.device.type, dtype=self.amp_dtype, enabled=self.amp_dtype is not None):
            token_logits, sequence_logits, mlm_logits, penalty, entity_logits, label_logits = self.forward(
                batch.input_ids, batch.attention_mask, mlm_ids, mlm_positions, spans)
        ner_sum, _ = L.ner_loss_sum(token_logits, batch.ner_labels, batch.ner_example_weights)
        sent_sum, _ = L.sentiment_loss_sum(sequence_logits, batch.sentiment_labels, batch.sentiment_example_weights)
        sums = {"ner": ner_sum * keep, "sentiment": sent_sum * keep}
        # Terms outside task weighting. Absent tasks still enter with weight 0 so every head takes part in
        # the backward pass (DDP expects a gradient for every parameter on every rank).
        extra = 0.0 * (ner_sum + sent_sum)
        for task in self.further_tasks:
            if task == TASK_ENTITY_SENTIMENT:
                task_sum, _ = L.entity_sentiment_loss_sum(entity_logits, polarities, span_weights)
            else:
                task_sum, _ = L.label_set_loss_sum(label_logits[task], batch.label_targets[task],
                                                   batch.label_example_weights[task],
                                                   multi_label=self.labels.label_set(task).multi_label)
            sums[task] = task_sum * keep
            extra = extra + 0.0 * task_sum
        for task in self.distillation.targets:
            logits = self._task_logits(task, token_logits, sequence_logits, label_logits)
            sums[task] = self._distilled_sum(task, batch, teachers.get(task), logits) * keep
        losses: dict[str, torch.Tensor] = {}
        count_of = dict(zip(["ner", "sentiment", *self.further_tasks], zip(counts, divisor)))
        for task in self.tasks:
            count, div = count_of[task]
            if count > 0:
                losses[task] = sums[task] / div
        mlm_term = torch.zeros((), device=self.device)
        if mlm_ids is not None:
            mlm_sum, _ = L.mlm_loss_sum(mlm_logits, mlm_labels[mlm_positions])
            mlm_term = mlm_sum * keep / divisor[-1]
            extra = extra + cfg.mlm_weight * mlm_term
        l2sp_term = torch.zeros((), device=self.device)
        if penalty is not None:
            l2sp_term = penalty
            extra = extra + cfg.l2sp_weight * l2sp_term

        # Global loss values (mean over ranks of each rank's share): logging, NaN check, ratios.
        names = list(losses) + ["mlm", "l2sp"]
        values = torch.stack([losses[t].detach().float() for t in losses] +
                             [mlm_term.detach().float(), l2sp_term.detach().float()]).to(torch.float64)
        values = ctx.all_reduce_sum(values.to(self._collective_device())) / ctx.world_size
        global_losses = dict(zip(names, values.tolist()))
        bad = [k for k, v in global_losses.items() if not math.isfinite(v)]
        if bad:
            raise _Failure(f"the {', '.join(bad)} loss became {global_losses[bad[0]]} at step "
                           f"{self.state.global_step + 1} (epoch {self.state.epoch + 1}): the run diverged; "
                           f"lower the learning rate (now {cfg.learning_rate:g}) or check the data")
        if not losses:
            raise _Failure("a training batch has no labelled document for any task")  # encoding prevents it
        return losses, extra, global_losses

    def _labelled_rows(self, task: str, batch: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """(mask of the task's labelled positions, the example weight at each position, 0 elsewhere):
        tokens (batch, seq) for NER, documents (batch,) for the document tasks."""
        if task == "ner":
            mask = batch.ner_labels != L.IGNORE
            return mask, batch.ner_example_weights.unsqueeze(1) * mask
        if task == "sentiment":
            mask = batch.sentiment_labels != L.IGNORE
            return mask, batch.sentiment_example_weights * mask
        mask = ~label_set_unlabelled(batch.label_targets[task])
        return mask, batch.label_example_weights[task] * mask

    @staticmethod
    def _task_logits(task: str, token_logits: torch.Tensor, sequence_logits: torch.Tensor,
                     label_logits: dict[str, torch.Tensor]) -> torch.Tensor:
        return token_logits if task == "ner" else sequence_logits if task == "sentiment" else label_logits[task]

    def _teacher_batch(self, cpu_batch: Any, examples: list[int]) -> dict[str, torch.Tensor]:
        """Per distilled task, its teacher logits laid out as the batch's logits (CPU, before the copy to
        the device; zeros where the task is unlabelled), so the divergence is masked like the other
        losses, without indexing device tensors by a mask (a device sync). A task with no labelled row
        in the batch gets none."""
        out: dict[str, torch.Tensor] = {}
        for task, targets in self.distillation.targets.items():
            mask, _ = self._labelled_rows(task, cpu_batch)
            rows = (mask if mask.dim() == 1 else mask.any(dim=1)).nonzero().flatten().tolist()
            if not rows:
                continue
            teacher = self.distillation.rows(task, [examples[r] for r in rows])
            laid_out = torch.zeros(*mask.shape, teacher.shape[-1], dtype=teacher.dtype)
            laid_out[mask] = teacher
            out[task] = laid_out
        return out

    def _distilled_sum(self, task: str, batch: Any, teacher: torch.Tensor | None,
                       logits: torch.Tensor) -> torch.Tensor:
        """A distilled task's loss sum: over its labelled positions of the batch, the weighted divergence
        from its teacher (core/task_distillation.py)."""
        if teacher is None:
            return 0.0 * logits.sum()  # keeps the head in the backward (DDP)
        _, weights = self._labelled_rows(task, batch)
        multi = task not in ("ner", "sentiment") and self.labels.label_set(task).multi_label
        per_position = kd_loss_rows(logits, teacher, multi_label=multi)
        return (per_position * weights.to(per_position.dtype)).sum()

    @torch.no_grad()
    def _teacher_logits(self, task: str, weights: dict[str, torch.Tensor]) -> dict[int, torch.Tensor]:
        """The logits of the model with `weights` (a task's best epoch) for `task` on every training
        example labelled for it: per example its labelled tokens' (NER) or its document's logits."""
        kinds = self.train_set.kinds()
        labelled = [i for i, k in enumerate(kinds) if task in self.train_set.kind_tasks(k)]
        size = max(2 * self.config.batch_size, 32)

        def batches():
            for start in range(0, len(labelled), size):
                idx = labelled[start:start + size]
                yield idx, collate([self.train_set.examples[i] for i in idx], self._pad_id(),
                                   label_sets=self.labels.label_sets)

        def predict(chunk) -> dict[int, torch.Tensor]:
            idx, cpu_batch = chunk
            batch = cpu_batch.to(self.device)
            spans, _, _ = self._entity_spans(batch)
            with torch.autocast(self.device.type, dtype=self.amp_dtype, enabled=self.amp_dtype is not None):
                out = self.model(batch.input_ids, batch.attention_mask, entity_spans=spans)
            mask, _ = self._labelled_rows(task, batch)
            logits = self._task_logits(task, out.token_logits, out.sequence_logits, out.label_logits)
            got = {}
            for r, i in enumerate(idx):
                if bool(mask[r].any()):
                    got[i] = logits[r][mask[r]].float().cpu() if task == "ner" else logits[r].float().cpu()
            return got

        return teacher_predictions(self.model, weights, batches(), predict)

    def _observe_plateaus(self, report: EvalReport | None) -> PlateauChanges:
        """Rank 0, after a dev evaluation: which tasks improved, are switched to distillation or back."""
        patience = self.config.stalled_task_patience
        if report is None or patience <= 0 or len(self.tasks) < 2:
            return PlateauChanges()
        plateaus = TaskPlateaus.from_dict(self.state.plateaus)
        scores = {t: f for t, f in report.task_f1().items() if t in self.tasks}
        changes = plateaus.observe(scores, patience, [t for t in self.tasks if t != TASK_ENTITY_SENTIMENT],
                                   may_switch=self.state.global_step >= self.budget.warmup_steps)
        self.state.plateaus = plateaus.to_dict()
        return changes

    def _apply_plateaus(self, changes: PlateauChanges) -> Iterator[Event]:
        """Every rank: keep a copy of the weights for each task that improved (its teacher should it
        stall), switch the stalled ones to distillation from their copy, and a switched task that beat
        its best back to its labels."""
        for task in changes.returned:
            del self.distillation.targets[task]
            if self.ctx.is_main:
                yield LogMessage.of(RunNote("info", "task_distillation_ended", {
                    "task": task, "epoch": self.state.epoch + 1, "best": self.state.plateaus["best"][task]}))
        shared = snapshot(self.model) if changes.improved else None  # one copy for every task that improved
        for task in changes.improved:
            self.distillation.snapshots[task] = shared
        for task in changes.switched:
            self.distillation.targets[task] = self._teacher_logits(task, self.distillation.snapshots.pop(task))
            if self.ctx.is_main:
                yield LogMessage.of(RunNote("info", "task_distilled", {
                    "task": task, "epoch": self.state.epoch + 1, "best": self.state.plateaus["best"][task],
                    "patience": self.config.stalled_task_patience}))

    def _measure_conflict(self, losses: dict[str, torch.Tensor]) -> None:
        """On meter steps: the tasks' gradient cosine, from extra backward passes on the retained graph."""
        meter, step = self.conflict_meter, self.state.global_step
        if meter is None or not meter.due(step):
            return
        scale = float(self.scaler.get_scale()) if self.scaler is not None else 1.0
        reading = meter.measure(losses, step + 1, loss_scale=scale)  # 1-based, as StepProgress.step
        if reading is not None:
            self.conflict_readings.append(reading)

    def _conflict_events(self) -> Iterator[Event]:
        """The readings of the last step: an event, a stored row, and the hint once it persists."""
        readings, self.conflict_readings = self.conflict_readings, []
        for r in readings:
            self.book.conflict_measured(r.step, r.cosine, r.per_group, r.steps_apart)
            yield GradientConflict(r.step, r.tasks, r.cosine, r.per_group, r.steps_apart)
            hint = self.conflict_hint.observe(r.cosine)
            if hint is not None:
                yield LogMessage.of(hint)

    def _backward_and_update(self, losses: dict[str, torch.Tensor], extra: torch.Tensor,
                             global_losses: dict[str, float]) -> dict[str, Any]:
        """The weighted backward (by the strategy), gradient clipping and the optimizer step; returns the
        task weights used."""
        cfg, ctx = self.config, self.ctx
        wctx = WeightingContext(
            step=self.state.global_step, epoch=self.state.epoch + 1, model_parameters=self.model_params,
            shared_parameters=self.shared_params, last_shared_parameters=self.last_shared,
            global_losses={t: global_losses[t] for t in losses}, sync_gradients=ctx.all_reduce_mean_,
            loss_scale=float(self.scaler.get_scale()) if self.scaler is not None else 1.0, seed=cfg.seed)
        self.optimizer.zero_grad(set_to_none=True)
        if self.strategy.gradient_based:
            weights = self.strategy.backward(losses, wctx, extra)  # per-task backwards, inside _step's no_sync
        else:
            total, weights = self.strategy.combine(losses, wctx)
            total = total + extra
            (self.scaler.scale(total) if self.scaler is not None else total).backward()
        strategy_grads = [p.grad for p in self.strategy.parameters() if p.grad is not None]
        ctx.all_reduce_mean_(strategy_grads)  # parameters outside DDP: average their gradients by hand
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model_params, cfg.max_grad_norm)
        if self.scaler is None and not torch.isfinite(grad_norm):
            raise _Failure(f"gradients became {float(grad_norm)} at step {self.state.global_step + 1}: the run "
                           f"diverged; lower the learning rate (now {cfg.learning_rate:g})")
        if self.scaler is not None:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()
        self.scheduler.step()
        self.strategy.after_step()
        return weights

    def _pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad) if pad is not None else 0

    def _mask_id(self) -> int:
        if self.tokenizer.mask_token_id is None:
            raise TrainingError("the MLM auxiliary loss needs a tokenizer with a mask token; set --mlm-weight 0")
        return int(self.tokenizer.mask_token_id)

    def _vocab_size(self) -> int:
        return int(self.model.encoder.get_input_embeddings().weight.shape[0])

    def _collective_device(self) -> torch.device:
        return self.device if self.ctx.backend == "nccl" else torch.device("cpu")

    # ---- evaluation, best model, early stopping -------------------------------------------------------

    def _evaluate(self, docs: list, split: str, tasks: tuple[str, ...] | list[str], *, stop: Any = None):
        return evaluate_model(unwrap_model(self.forward).model, self.tokenizer, self.labels, docs, split=split,
                              tasks=tasks, device=self.device, batch_size=max(2 * self.config.batch_size, 32),
                              max_length=self.max_length, autocast_dtype=self.amp_dtype, stop=stop)

    def _end_of_epoch(self) -> Iterator[Event]:
        """Evaluate (rank 0), update best/patience; returns 'continue', 'early_stop' or 'stopped'."""
        st = self.state
        decision = "continue"
        changes = PlateauChanges()
        if self.ctx.is_main:
            report: EvalReport | None = None
            if self.config.eval_each_epoch and self.data.dev_tasks:
                result = self._evaluate(self.data.dev_docs, "dev", self.data.dev_tasks, stop=self.stop)
                if result is None:
                    decision = "stopped"
                else:
                    report = result[0]
            if decision != "stopped":
                changes = self._observe_plateaus(report)
                # A task switched to distillation starts a new stretch: the run's patience counts afresh.
                decision = yield from self._keep_best(report, restart_patience=bool(changes.switched))
        # Every rank follows rank 0's decision and bookkeeping.
        decision, best, changes, st.plateaus = self.ctx.broadcast_object((decision, (
            st.best_score, st.best_epoch, st.epochs_without_improvement), changes, st.plateaus))
        st.best_score, st.best_epoch, st.epochs_without_improvement = best
        if decision == "continue":
            yield from self._apply_plateaus(changes)
        return decision

    def _keep_best(self, report: EvalReport | None, *, restart_patience: bool = False) -> Iterator[Event]:
        """Record the epoch, save best/ when dev improved (or was not scored), count patience (rank 0);
        returns 'continue' or 'early_stop'."""
        cfg, st = self.config, self.state
        epoch = st.epoch + 1
        score = report.score if report is not None else None
        improved = score is None or st.best_score is None or score > st.best_score
        if report is not None:
            yield EpochEvaluated(epoch, "dev", report.to_dict(), improved)
        self.book.epoch_done(epoch, self._epoch_mean_losses(), self.strategy.current_weights(), report)
        if report is not None and score is not None and self._soup_enabled():
            shelf = self._shelf()
            shelf.offer(Ingredient(epoch, float(score), {t: float(f) for t, f in report.task_f1().items()}),
                        self.model)
            st.soup = shelf.to_dict()
        if improved:
            st.best_score, st.best_epoch = score, epoch
            st.best_metrics = {"dev": report.to_dict()} if report is not None else {}
            st.epochs_without_improvement = 0
            save_model_folder(self.run_dir / "best", self.model, self.tokenizer, self.labels.to_dict(),
                              self._model_config(), extra=self._folder_extra(epoch))
            return "continue"
        st.epochs_without_improvement = 0 if restart_patience else st.epochs_without_improvement + 1
        patience = cfg.early_stopping_patience
        if patience > 0 and st.epochs_without_improvement >= patience and epoch < cfg.epochs:
            yield LogMessage.of(RunNote("info", "early_stopping", {
                "epoch": epoch, "patience": patience, "best": st.best_epoch}))
            return "early_stop"
        return "continue"

    # ---- the weight soup (core/weight_soup.py) -----------------------------------------------------------

    def _soup_enabled(self) -> bool:
        """A run of two tasks or more scored on dev each epoch: its tasks peak at different epochs. A
        single-task run keeps its best epoch (measured on joint runs only)."""
        return bool(self.config.weight_soup and len(self.tasks) >= 2 and self.config.eval_each_epoch
                    and self.data.dev_tasks)

    def _shelf(self) -> EpochShelf:
        return EpochShelf.from_dict(self.run_dir / EPOCH_WEIGHTS_DIR, self.state.soup)

    def _weight_soup(self) -> Iterator[Event]:
        """Rank 0, at the end of a finished run: the greedy soup of the kept epochs; written to best/ when
        it scores higher on dev than the best epoch, and its epochs returned (empty: best/ is the best
        epoch's). Cancelled by the stop handle (the best epoch stays)."""
        st = self.state
        shelf = self._shelf()
        ingredients = shelf.ingredients()
        best = next((i for i in ingredients if i.epoch == st.best_epoch), None)
        if best is None or len(ingredients) < 2:
            return []
        ingredients.remove(best)
        ingredients.insert(0, best)  # the soup starts from the model best/ holds
        yield LogMessage.of(RunNote("info", "weight_soup_trying", {"n": len(ingredients) - 1}))

        def dev_score(epochs: tuple[int, ...]) -> float | None:
            load_average(self.model, [shelf.path(e) for e in epochs], self.device)
            result = self._evaluate(self.data.dev_docs, "dev", self.data.dev_tasks, stop=self.stop)
            return None if result is None else result[0].score

        soup = greedy_soup(ingredients, dev_score)
        if soup is not None and len(soup.epochs) > 1 and soup.score > best.score:
            load_average(self.model, [shelf.path(e) for e in soup.epochs], self.device)
            save_model_folder(self.run_dir / "best", self.model, self.tokenizer, self.labels.to_dict(),
                              self._model_config(), extra={**self._folder_extra(best.epoch),
                                                           "soup_epochs": list(soup.epochs)})
            yield LogMessage.of(RunNote("info", "weight_soup_used", {
                "epochs": ", ".join(map(str, soup.epochs)), "score": soup.score, "best": best.score,
                "best_epoch": best.epoch}))
            return list(soup.epochs)
        yield LogMessage.of(RunNote("info", "weight_soup_not_better", {"best": best.score,
                                                                       "best_epoch": best.epoch}))
        return []

    def _model_config(self) -> dict[str, Any]:
        d = self.config.to_dict()
        d["tasks"] = list(self.tasks)  # the heads that were trained (a requested task may have been left out)
        d["max_length"] = self.max_length
        return d

    def _folder_extra(self, epoch: int) -> dict[str, Any]:
        return {"run_id": self.run_id, "epoch": epoch, "encoder": self.config.encoder}

    # ---- checkpoints -----------------------------------------------------------------------------------

    def _parts(self) -> TrainingParts:
        return TrainingParts(self.model, self.optimizer, self.scheduler, self.scaler, self.strategy,
                             self.distillation)

    def _save_last(self) -> None:
        """The resume point (rank 0), see core/checkpoints.py. A full disk or a read-only run folder ends
        the run with the cause and what is left to resume from (the previous resume point stays whole)."""
        if not self.ctx.is_main:
            return
        folder = self.run_dir / RESUME_POINT_DIR
        try:
            save_resume_point(folder, self._parts(), tokenizer=self.tokenizer,
                              labels=self.labels.to_dict(), model_config=self._model_config(),
                              folder_extra=self._folder_extra(self.state.epoch + 1), run_id=self.run_id,
                              state=self.state, config=self.config.to_dict())
        except OSError as e:
            left = ("the previous checkpoint is kept: " + resume_hint(self.run_id, True)
                    if has_resume_point(self.run_dir) else "the run has no checkpoint to resume from")
            raise _Failure(f"could not write the checkpoint in {folder} at step {self.state.global_step}: "
                           f"{(e.strerror or str(e)).lower()}; {left}") from e
        self.book.checkpoint_saved(self.run_dir)

    def _load_checkpoint(self) -> bool:
        """Restore the last checkpoint of the resumed run (every rank reads it); False when there is none."""
        state = load_resume_point(self.run_dir / RESUME_POINT_DIR, self._parts(), self.device)
        if state is None:
            return False
        self.state = state
        return True

    # ---- endings ---------------------------------------------------------------------------------------

    def _finish(self, status: str) -> Iterator[Event]:
        """Best model -> dev/test scores, stored predictions, the run record, RunFinished."""
        st = self.state
        if not self.ctx.is_main:
            yield RunFinished(self.run_id, status, st.best_epoch, {}, None)
            return
        soup_epochs = (yield from self._weight_soup()) if self._soup_enabled() else []
        best = self.run_dir / "best"
        if (best / "model.safetensors").is_file():
            from safetensors.torch import load_model

            load_model(self.model, str(best / "model.safetensors"), strict=True, device=str(self.device))
        else:  # no epoch finished evaluation (e.g. zero epochs after a resume): keep the current weights
            save_model_folder(best, self.model, self.tokenizer, self.labels.to_dict(), self._model_config(),
                              extra=self._folder_extra(st.epoch))
        yield LogMessage.of(RunNote("info", "evaluating_best"))
        reports = []
        for split, docs in (("dev", self.data.dev_docs), ("test", self.data.test_docs)):
            if not docs:
                continue
            report, preds = self._evaluate(docs, split, self.tasks)
            reports.append(report)
            store_predictions(self.store, self.run_id, docs, preds)
        metrics = final_metrics(tasks=self.tasks, best_epoch=st.best_epoch, epochs_trained=st.epoch,
                                train_documents=self.data.train_counts, encoding=self.train_set.stats.to_dict(),
                                reports=reports)
        if soup_epochs:
            metrics["soup_epochs"] = soup_epochs
        self.book.finished(status, metrics, self.run_dir)
        if self.ctx.world_size == 1 and self.speed.steps >= _TrainingSpeed.MIN_STEPS:
            record_throughput(self.config.encoder, self.device.type, self.speed.docs_per_second())
        for folder in (RESUME_POINT_DIR, EPOCH_WEIGHTS_DIR):  # finished: no resume point, no soup to make
            shutil.rmtree(self.run_dir / folder, ignore_errors=True)
        yield RunFinished(self.run_id, status, st.best_epoch, metrics, str(self.run_dir))

    def _finish_stopped(self) -> Iterator[Event]:
        st = self.state
        message = (f"stopped at step {st.global_step} of {self.total_steps} (epoch {st.epoch + 1}); resume with "
                   f"`mtl-studio train PROJECT --resume {self.run_id}`")
        if self.ctx.is_main:
            metrics = stopped_metrics(tasks=self.tasks, best_epoch=st.best_epoch, best_metrics=st.best_metrics)
            self.book.stopped(metrics, message, self.run_dir)
            yield RunFinished(self.run_id, "stopped", st.best_epoch, metrics,
                              str(self.run_dir) if (self.run_dir / "best").is_dir() else None, message)
        else:
            yield RunFinished(self.run_id, "stopped", st.best_epoch, {}, None, message)

    def _finish_failed(self, message: str) -> Iterator[Event]:
        self.book.failed(message)
        if self.ctx.is_main:
            yield LogMessage("error", message)
        yield RunFinished(self.run_id, "failed", self.state.best_epoch, dict(self.state.best_metrics), None, message)


def train(project: str | os.PathLike[str] | ProjectStore, config: TrainConfig, *,
          stop: threading.Event | None = None, resume_run_id: str | None = None) -> Iterator[Event]:
    """Train on a project and yield progress events (see the module docstring).

    Set-up problems (no labelled data, missing device or encoder) raise TrainingError / EncoderNotFound /
    ValueError on the first next(); a NaN loss or GPU out-of-memory ends the run with a failed
    RunFinished that says what to do; stop.set() ends it as 'stopped' after the current step."""
    return Trainer(project, config, stop=stop, resume_run_id=resume_run_id).events()


__all__ = ["train", "Trainer", "TrainerState", "autocast_dtype", "last_shared_layer", "EncodedDataset"]
