"""The resume point of a training run: last/ in the run folder, written atomically by rank 0.

    last/model/           a model folder (core/artifacts.py)
    last/trainer_state.json  where the run is (TrainerState), the strategy's state and the run config
    last/distillation.safetensors  task distillation's weight snapshots and teacher logits, when a joint
                          run has any (core/task_distillation.py)
    last/optimizer.pt     optimizer, scheduler, grad scaler, strategy parameters and RNG state: only tensors
                          and numbers written by this app into its own folder, read back with
                          torch.load(weights_only=True); weights are never pickled.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .artifacts import write_folder_atomically, write_model_files
from .paths import RESUME_STATE_FILE

STATE_FILE = RESUME_STATE_FILE
OPTIMIZER_FILE = "optimizer.pt"
DISTILLATION_FILE = "distillation.safetensors"


@dataclass
class TrainerState:
    """Where a run is: JSON-able; saved with every checkpoint."""

    epoch: int = 0  # 0-based epoch being trained
    step_in_epoch: int = 0  # optimizer steps done in this epoch
    global_step: int = 0
    best_score: float | None = None
    best_epoch: int | None = None  # 1-based
    best_metrics: dict[str, Any] = field(default_factory=dict)
    epochs_without_improvement: int = 0
    epoch_loss_sums: dict[str, list[float]] = field(default_factory=dict)  # task -> [sum, steps]
    stopped_early: bool = False
    collapse_warned: list[str] = field(default_factory=list)
    plateaus: dict[str, Any] = field(default_factory=dict)  # core.task_distillation.TaskPlateaus.to_dict()
    soup: dict[str, Any] = field(default_factory=dict)  # core.weight_soup.EpochShelf.to_dict()

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TrainerState":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass
class TrainingParts:
    """What a resume point restores besides the TrainerState."""

    model: Any  # MultiTaskModel (not the DDP wrapper)
    optimizer: torch.optim.Optimizer
    scheduler: Any  # torch.optim.lr_scheduler.LambdaLR
    scaler: Any  # torch.amp.GradScaler or None
    strategy: Any  # WeightingStrategy
    distillation: Any = None  # core.task_distillation.DistillationState (its tensors: a safetensors file)


def save_resume_point(folder: Path, parts: TrainingParts, *, tokenizer: Any, labels: dict[str, Any],
                      model_config: dict[str, Any], folder_extra: dict[str, Any], run_id: str,
                      state: TrainerState, config: dict[str, Any]) -> None:
    """Write `folder` (last/) in one atomic swap."""
    from safetensors.torch import save_file

    tensors = {
        "optimizer": parts.optimizer.state_dict(),
        "scheduler": parts.scheduler.state_dict(),
        "scaler": parts.scaler.state_dict() if parts.scaler is not None else {},
        "strategy_params": [p.detach().cpu() for p in parts.strategy.parameters()],
        "torch_rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    trainer_state = {"run_id": run_id, "state": state.to_dict(), "strategy": parts.strategy.state_dict(),
                     "config": config}

    def fill(tmp: Path) -> None:
        # Plain files inside the one atomic write of last/ (save_model_folder would build and fsync a
        # second temporary folder inside this one).
        (tmp / "model").mkdir()
        write_model_files(tmp / "model", parts.model, tokenizer, labels, model_config, extra=folder_extra)
        torch.save(tensors, tmp / OPTIMIZER_FILE)
        if parts.distillation:
            save_file(parts.distillation.to_flat(), str(tmp / DISTILLATION_FILE))
        (tmp / STATE_FILE).write_text(json.dumps(trainer_state, indent=1), encoding="utf-8")

    write_folder_atomically(folder, fill)


def load_resume_point(folder: Path, parts: TrainingParts, device: torch.device) -> TrainerState | None:
    """Restore `parts` and the RNG from `folder` (every rank reads it); None when there is no resume point."""
    from safetensors.torch import load_file, load_model

    if not (folder / STATE_FILE).is_file():
        return None
    saved = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    # Our own file in our own run folder, and still only tensors/containers: weights_only=True.
    tensors = torch.load(folder / OPTIMIZER_FILE, map_location="cpu", weights_only=True)
    load_model(parts.model, str(folder / "model" / "model.safetensors"), strict=True, device=str(device))
    parts.optimizer.load_state_dict(tensors["optimizer"])
    parts.scheduler.load_state_dict(tensors["scheduler"])
    if parts.scaler is not None and tensors.get("scaler"):
        parts.scaler.load_state_dict(tensors["scaler"])
    with torch.no_grad():
        for p, saved_p in zip(parts.strategy.parameters(), tensors["strategy_params"]):
            p.copy_(saved_p.to(p.device))
    parts.strategy.load_state_dict(saved.get("strategy") or {})
    torch.set_rng_state(tensors["torch_rng"])
    if torch.cuda.is_available() and tensors.get("cuda_rng"):
        torch.cuda.set_rng_state_all(tensors["cuda_rng"])
    if parts.distillation is not None and (folder / DISTILLATION_FILE).is_file():
        from .task_distillation import DistillationState

        restored = DistillationState.from_flat(load_file(str(folder / DISTILLATION_FILE)))
        parts.distillation.snapshots, parts.distillation.targets = restored.snapshots, restored.targets
    return TrainerState.from_dict(saved["state"])
