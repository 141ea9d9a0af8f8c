"""A task whose own dev score has stalled is trained toward its own best predictions from then on.

One shared encoder is picked at one epoch, but the tasks of a project peak at different epochs: on
CoNLL-2003 2,000 (NER only) + FPB 1,000 (sentiment only) sentiment's dev score peaked at epoch 5-6 and
fell after, while NER still improved to epoch 10-13, so the run's best mean epoch came early, with NER
short of the passes its own run takes (README "Joint runs with the default settings"). Two ways out
were measured and rejected: leaving the stalled task out (its head then reads an encoder the other
task's steps carry away: sentiment -5.6), and training it on its labels (it goes on overfitting them).

Here, once a task's dev score has not improved for `patience` epochs while another task still learns,
its loss becomes the temperature-scaled KL divergence from its predictions at its best dev epoch on its
own training documents (knowledge distillation, Hinton et al. 2015; as a loss that keeps an earlier
task's function while the shared network learns another, Li & Hoiem 2016, "Learning without
Forgetting"). Its steps then hold the shared encoder where that task was best instead of fitting its
labels further, and the run goes on for the tasks still learning. The last task still learning is never
switched: the run's own early stopping ends it.

`TaskPlateaus` is the bookkeeping (JSON, in the resume point); `DistillationState` holds the weights
snapshots and teacher predictions (tensors, a safetensors file in the resume point). Distilled here:
NER, the document sentiment and document label sets; entity sentiment (a prediction per gold span)
keeps training on its labels.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

TEMPERATURE = 2.0  # softened targets carry the best epoch's class ranking, not only its arg-max


@dataclass
class TaskPlateaus:
    """Each task's best dev score so far, the epochs since, and the tasks switched to distillation."""

    best: dict[str, float] = field(default_factory=dict)
    stale: dict[str, int] = field(default_factory=dict)
    distilled: list[str] = field(default_factory=list)  # in the order they were switched

    def observe(self, scores: Mapping[str, float], patience: int, distillable: Iterable[str], *,
                may_switch: bool = True) -> "PlateauChanges":
        """One epoch's dev scores (task -> figure): what changes. A task is switched after `patience`
        epochs without improvement if it is distillable, has scored above 0 (a head that has learnt
        nothing yet has nothing to keep: a small project's NER can sit at 0 for its first epochs), some
        other task scored here is still learning (not switched), and `may_switch` (the trainer: the
        learning-rate warm-up is over, so a stall is not a slow start). A switched task that beats its
        best again goes back to its labels: its stall was noise, not its peak (a dev score of 1,000
        sentences dips for two epochs now and then while the task still has points to gain)."""
        can_switch = set(distillable)
        changes = PlateauChanges()
        for task, score in scores.items():
            if task not in self.best or score > self.best[task]:
                self.best[task], self.stale[task] = float(score), 0
                changes.improved.append(task)
                if task in self.distilled:
                    self.distilled.remove(task)
                    changes.returned.append(task)
                continue
            if task in self.distilled:
                continue
            self.stale[task] = self.stale.get(task, 0) + 1
            learning = [t for t in scores if t != task and t not in self.distilled and t not in changes.switched]
            if (may_switch and patience > 0 and self.stale[task] >= patience and task in can_switch
                    and self.best[task] > 0 and learning):
                changes.switched.append(task)
        self.distilled.extend(changes.switched)
        return changes

    def to_dict(self) -> dict[str, Any]:
        return {"best": dict(self.best), "stale": dict(self.stale), "distilled": list(self.distilled)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> "TaskPlateaus":
        d = d or {}
        return cls(dict(d.get("best", {})), {k: int(v) for k, v in d.get("stale", {}).items()},
                   list(d.get("distilled", [])))


@dataclass
class PlateauChanges:
    """One epoch's changes: tasks that beat their best (a new teacher snapshot each), tasks switched to
    distillation, switched tasks that beat their best and go back to their labels."""

    improved: list[str] = field(default_factory=list)
    switched: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)


def kd_loss_rows(student: Tensor, teacher: Tensor, *, multi_label: bool = False,
                 temperature: float = TEMPERATURE) -> Tensor:
    """Per row, T^2 * KL(teacher || student), both softened by T (T^2 keeps the gradient's scale as T
    changes, Hinton et al. 2015). Logits (..., classes): a row per token or document, the divergence over
    the last dimension. Multi-label: a binary
    KL per class, averaged over the classes as core/losses.label_set_loss_sum averages them."""
    s = student.float() / temperature
    t = teacher.to(student.device).float() / temperature
    if multi_label:
        q = torch.sigmoid(t)
        per_class = (F.binary_cross_entropy_with_logits(s, q, reduction="none")
                     - F.binary_cross_entropy_with_logits(t, q, reduction="none"))
        return per_class.mean(dim=-1) * temperature ** 2
    log_q = torch.log_softmax(t, dim=-1)
    return (log_q.exp() * (log_q - torch.log_softmax(s, dim=-1))).sum(dim=-1) * temperature ** 2


class DistillationState:
    """The tensors of task distillation: per task still learning, a CPU copy of the weights at its best
    dev epoch (its teacher, should it stall); per switched task, the teacher's logits per training example
    (NER: (labelled tokens, tags) in token order; document tasks: (classes,))."""

    def __init__(self) -> None:
        self.snapshots: dict[str, dict[str, Tensor]] = {}
        self.targets: dict[str, dict[int, Tensor]] = {}

    def rows(self, task: str, examples: list[int]) -> Tensor:
        """The teacher rows of `examples` (batch order, those labelled for `task`) in one tensor: what the
        batch's labelled positions of the task are distilled toward."""
        parts = [self.targets[task][i] for i in examples]
        return torch.cat(parts) if parts[0].dim() == 2 else torch.stack(parts)

    def __bool__(self) -> bool:
        return bool(self.snapshots or self.targets)

    # ---- the resume point: one flat safetensors file -------------------------------------------------

    def to_flat(self) -> dict[str, Tensor]:
        # Tasks that improved in the same epoch share one snapshot in memory; safetensors refuses tensors
        # that share storage, so a second task's copy is written as its own.
        flat: dict[str, Tensor] = {}
        written: set[int] = set()
        for task, weights in self.snapshots.items():
            fresh = id(weights) not in written
            written.add(id(weights))
            flat.update({f"snapshot/{task}/{name}": t.contiguous() if fresh else t.clone()
                         for name, t in weights.items()})
        flat.update({f"target/{task}/{i}": t.contiguous() for task, rows in self.targets.items()
                     for i, t in rows.items()})
        return flat

    @classmethod
    def from_flat(cls, flat: Mapping[str, Tensor]) -> "DistillationState":
        out = cls()
        for key, tensor in flat.items():
            part, rest = key.split("/", 1)
            task, last = rest.rsplit("/", 1)  # a task name may hold "/", a parameter name or index not
            if part == "snapshot":
                out.snapshots.setdefault(task, {})[last] = tensor
            else:
                out.targets.setdefault(task, {})[int(last)] = tensor
        return out


def snapshot(model: torch.nn.Module) -> dict[str, Tensor]:
    """A CPU copy of the model's weights: a task's teacher, kept until it is switched or beats it."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


@torch.no_grad()
def teacher_predictions(model: torch.nn.Module, weights: Mapping[str, Tensor], batches: Iterable[Any],
                        predict: Callable[[Any], dict[int, Tensor]]) -> dict[int, Tensor]:
    """The predictions of `model` with `weights` loaded, over `batches`, by `predict(batch) -> {example:
    logits}`; the model's own weights and training mode are restored after."""
    current = snapshot(model)
    was_training = model.training
    model.load_state_dict(weights)
    model.eval()
    out: dict[int, Tensor] = {}
    try:
        for batch in batches:
            out.update(predict(batch))
    finally:
        model.load_state_dict(current)
        model.train(was_training)
    return out
