"""The budget a run on a project would get, before it starts: for the CLI's `budget:` line and the Train
tab's line under its form. Cheap: document counts from the store and the encoder's config.json (no
weights, no encoding), the time from this machine's measured training speed (core/throughput.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .hf_imports import transformers_names
from .budget import BudgetPlan, EncoderInfo, TaskPasses
from .config import TrainConfig
from .store import ProjectStore
from .throughput import estimated_docs_per_second, estimated_seconds


@dataclass(frozen=True)
class BudgetPreview:
    plan: BudgetPlan
    seconds: float | None  # estimated wall time of training and dev evaluation; None: unknown here
    measured_here: bool  # the speed behind `seconds` was measured by a run on this machine
    train_documents: int  # labelled for the run's tasks; 0: a run cannot start (the engine says why)

    def describe(self) -> str:
        """'budget: about 12 epochs, 588 steps, lr 1e-4, ~4 min on this machine (auto: ...)'."""
        if not self.train_documents:
            return "budget: none yet (no labelled training documents for these tasks)"
        return self.plan.describe(self.seconds, self.measured_here)


def encoder_info(config: TrainConfig) -> EncoderInfo:
    """Hidden size and estimated parameter count from the encoder's config.json (raises EncoderNotFound
    or OSError when it cannot be read)."""
    (AutoConfig,) = transformers_names("AutoConfig")

    from .model import resolve_encoder

    hf_config = AutoConfig.from_pretrained(resolve_encoder(config.encoder), trust_remote_code=config.trust_remote_code)
    return EncoderInfo.from_hf_config(config.encoder, hf_config)


def project_plan(store: ProjectStore, config: TrainConfig, encoder: EncoderInfo | None = None) -> BudgetPlan:
    """The planned budget of `config` on the project's labelled training documents (no time estimate)."""
    return _plan(store, config, encoder or encoder_info(config))[0]


def preview_budget(store: ProjectStore, config: TrainConfig, encoder: EncoderInfo | None = None) -> BudgetPreview:
    """The planned budget of `config` on the project's labelled training documents, and its time here."""
    from .distributed import resolve_device

    encoder = encoder or encoder_info(config)
    plan, counts = _plan(store, config, encoder)
    dev_docs = counts["dev"] if config.eval_each_epoch else 0
    device_type = resolve_device(config.device).type
    rate, measured = estimated_docs_per_second(encoder, device_type)
    seconds = estimated_seconds(plan, config.batch_size, rate, dev_docs) if rate else None
    return BudgetPreview(plan, seconds, measured, counts["train"])


def _plan(store: ProjectStore, config: TrainConfig, encoder: EncoderInfo) -> tuple[BudgetPlan, dict[str, int]]:
    """The plan and the labelled documents per split it was planned from."""
    from .training_data import resolve_tasks

    config = resolve_tasks(store, config)  # an empty task list: every task the project declares
    counts = store.labelled_counts_per_split(config.tasks)
    return config.budget(counts["train"], encoder, passes=_passes(store, config)), counts


def _passes(store: ProjectStore, config: TrainConfig) -> TaskPasses | None:
    """The trainer's per-task passes from document counts per label kind (its exact batch counts are
    known only once the documents are encoded: a kind of n documents is taken as ceil(n / batch)
    batches). Gradient strategies batch the kinds together, so they get none."""
    from .strategies import strategy_spec

    if strategy_spec(config.strategy).gradient_based:
        return None
    kinds = store.labelled_kind_counts(config.tasks)
    return config.passes({k: math.ceil(n / config.batch_size) for k, n in kinds.items()}, {k: k for k in kinds})
