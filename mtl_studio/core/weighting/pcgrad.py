"""PCGrad: gradient surgery (Yu, Kumar, Gupta, Levine, Hausman & Finn 2020).

Yu, T., Kumar, S., Gupta, A., Levine, S., Hausman, K. and Finn, C. "Gradient Surgery for Multi-Task
Learning", NeurIPS 2020, Algorithm 1. For each task i, in a random order over the other tasks j: when
g_i . g_j < 0 (the gradients conflict), project g_i onto the normal plane of g_j:

    g_i <- g_i - (g_i . g_j / ||g_j||^2) g_j

and the update is the sum of the projected task gradients. Surgery applies to the SHARED parameters
(the encoder); task-specific heads get their plain gradients. Task gradients are of w_t L_t with the
user's weights; auxiliary terms (MLM, L2-SP) are added without surgery.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

import torch
from torch import Tensor

from .base import WeightingContext, WeightingStrategy, add_flat_to_grads, task_gradients, weighted_sum


def project_conflicting(grads: Sequence[Tensor], rng: random.Random) -> list[Tensor]:
    """PCGrad's projection of each task gradient against the ORIGINAL gradients of the others."""
    out = []
    for i, g in enumerate(grads):
        g = g.clone()
        others = [j for j in range(len(grads)) if j != i]
        rng.shuffle(others)
        for j in others:
            dot = torch.dot(g, grads[j])
            if dot < 0:
                norm_sq = torch.dot(grads[j], grads[j])
                if norm_sq > 0:
                    g = g - (dot / norm_sq) * grads[j]
        out.append(g)
    return out


class PCGrad(WeightingStrategy):
    """Yu et al. 2020: project conflicting task gradients on the shared encoder, then sum."""

    gradient_based = True

    def combine(self, losses: dict[str, Tensor], ctx: WeightingContext) -> tuple[Tensor, dict[str, float]]:
        return weighted_sum(losses, self.initial), dict(self.initial)

    def backward(self, losses: dict[str, Tensor], ctx: WeightingContext, extra: Tensor | None = None
                 ) -> dict[str, float]:
        shared = list(ctx.shared_parameters)
        if len(losses) < 2 or not shared:
            return super().backward(losses, ctx, extra)
        grads = task_gradients(losses, shared, ctx, self.initial)  # flat, rank-averaged, unscaled
        rng = random.Random(ctx.seed * 7919 + ctx.step)  # same order on every rank, reproducible on resume
        projected = project_conflicting(list(grads.values()), rng)
        total = weighted_sum(losses, self.initial)
        if extra is not None:
            total = total + extra
        (total * ctx.loss_scale).backward()
        ctx.sync_gradients([p.grad for p in ctx.model_parameters if p.grad is not None])
        # .grad now holds sum_t g_t (+ auxiliary terms) on the shared parameters: swap the task part.
        delta = torch.stack(projected).sum(0) - torch.stack(list(grads.values())).sum(0)
        add_flat_to_grads(shared, delta * ctx.loss_scale)
        return dict(self.initial)
