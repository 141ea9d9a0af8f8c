"""AdamW with one set of moment estimates per label kind of a partially labelled training set.

On a partially labelled project every batch holds one label kind (NER-only documents, sentiment-only
documents, ...), so every optimizer step carries one task's gradient. With one shared AdamW state the
running second moments of the shared encoder mix the tasks' gradients, and each task's steps are scaled
by the other's gradient statistics: on CoNLL (NER only) + FPB (sentiment only) the joint model's
sentiment lost 2.8 points of test macro-F1 to the sentiment-only run (mean of three seeds). With the
moments kept per kind, a step of one kind is the step that kind's own run would take from the same
weights, and the loss was 1.2 (README "Joint runs with the default settings"). A training set of one
kind (fully labelled data, or one task) has one state and is exactly AdamW.

The kind selects the state before the step; the learning-rate schedule and the parameter groups stay
shared, and state_dict() holds every kind's state, so a resumed run continues each kind's moments.

Adam's update does not change when a loss is multiplied by a constant, so with moments per kind the task
weights would no longer matter on one-kind steps. The step's learning rate is scaled instead
(select(kind, lr_scale)): the trainer passes the kind's weight relative to the mean task weight (the
user's weights; a strategy's learned weights only balance the losses within a step), so a task weighted
0.8 against 0.2 takes steps four times the other's, as the weights say. A parameter group
marked NOT_SCALED (the weighting strategy's own parameters) keeps its learning rate.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import torch

NOT_SCALED = "not_scaled_by_kind"  # parameter-group flag: lr_scale does not apply
KIND_STATES_KEY = "kind_states"
CURRENT_KIND_KEY = "current_kind"


class KindAdamW(torch.optim.AdamW):
    """torch.optim.AdamW whose moment estimates are kept per label kind; select(kind) before a step."""

    def __init__(self, params: Any, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._kind_states: dict[str, defaultdict] = {}
        self._kind: str | None = None
        self._lr_scale = 1.0

    @property
    def kind(self) -> str | None:
        """The kind whose moments the next step uses (None: no step selected one yet)."""
        return self._kind

    @property
    def kinds(self) -> list[str]:
        """The kinds that have a state, in the order they were first selected."""
        self._park()
        return list(self._kind_states)

    def select(self, kind: str, lr_scale: float = 1.0) -> None:
        """Use `kind`'s moments, and the learning rate times `lr_scale`, for the next steps. A new kind
        starts from none, as a fresh AdamW; the first kind selected keeps the state already there (a
        plain AdamW state loaded on resume)."""
        self._lr_scale = float(lr_scale)
        if kind == self._kind:
            return
        self._park()
        self.state = self._kind_states.setdefault(kind, self.state if self._kind is None else defaultdict(dict))
        self._kind = kind

    def step(self, closure: Any = None) -> Any:
        if self._lr_scale == 1.0:
            return super().step(closure)
        scaled = [g for g in self.param_groups if not g.get(NOT_SCALED)]
        saved = [g["lr"] for g in scaled]
        for g in scaled:
            g["lr"] = g["lr"] * self._lr_scale
        try:
            return super().step(closure)
        finally:  # the scheduler owns the groups' learning rates
            for g, lr in zip(scaled, saved):
                g["lr"] = lr

    def _park(self) -> None:
        """Keep the state in use under its kind (Optimizer.load_state_dict replaces self.state)."""
        if self._kind is not None:
            self._kind_states[self._kind] = self.state

    def state_dict(self) -> dict[str, Any]:
        self._park()
        current = self.state
        packed: dict[str, Any] = {}
        try:
            for kind, state in self._kind_states.items():
                self.state = state
                packed[kind] = super().state_dict()["state"]
        finally:
            self.state = current
        out = super().state_dict()
        out[KIND_STATES_KEY] = packed
        out[CURRENT_KIND_KEY] = self._kind
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        packed = state_dict.get(KIND_STATES_KEY)
        plain = {k: v for k, v in state_dict.items() if k not in (KIND_STATES_KEY, CURRENT_KIND_KEY)}
        if packed is None:  # a plain AdamW state (one kind, or a checkpoint from before kinds)
            super().load_state_dict(plain)
            self._kind_states, self._kind = {}, None
            return
        states: dict[str, defaultdict] = {}
        for kind, state in packed.items():
            super().load_state_dict({**plain, "state": state})
            states[kind] = self.state
        self._kind_states = states
        self._kind = state_dict.get(CURRENT_KIND_KEY)
        self.state = defaultdict(dict) if self._kind is None else states.setdefault(self._kind, defaultdict(dict))


def kind_key(tasks: tuple[str, ...] | list[str]) -> str:
    """The stable name of a label kind (its tasks in training order), used as the state's key."""
    return "+".join(tasks) or "-"
