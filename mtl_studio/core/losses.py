"""Task losses with partial labels, masked-token reconstruction, and the L2-SP penalty.

Each loss is returned as (sum, count) so the trainer can divide by the GLOBAL count of labelled items
(tokens, documents, masked tokens) over all ranks: a 2-process run then equals a 1-process run with the
same global batch (core/distributed.py). A document without NER labels has only -100 token labels and
adds nothing to the NER sum or count; likewise for sentiment, a span without polarity for entity
sentiment and a document without a label of a further label set for that set. Per-example weights (silver labels) scale
the summed terms, while counts stay unweighted, so silver_weight < 1 really down-weights silver labels.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .features import IGNORE


def ner_loss_sum(token_logits: Tensor, labels: Tensor, example_weights: Tensor) -> tuple[Tensor, Tensor]:
    """(sum over labelled tokens of w_doc * CE, number of labelled tokens).

    token_logits (batch, seq, tags); labels (batch, seq) with IGNORE; example_weights (batch,)."""
    mask = labels != IGNORE
    per_token = F.cross_entropy(token_logits.float().transpose(1, 2), labels.clamp(min=0), reduction="none")
    weights = example_weights.to(per_token.dtype).unsqueeze(1) * mask  # (batch, seq); 0 where ignored
    # Summing masked terms keeps the graph connected (zero gradient) when nothing is labelled, which
    # DDP needs: every rank must produce a gradient for the head even without NER documents.
    return (per_token * weights).sum(), mask.sum()


def sentiment_loss_sum(sequence_logits: Tensor, labels: Tensor, example_weights: Tensor) -> tuple[Tensor, Tensor]:
    """(sum over labelled documents of w_doc * CE, number of labelled documents)."""
    mask = labels != IGNORE
    per_doc = F.cross_entropy(sequence_logits.float(), labels.clamp(min=0), reduction="none")
    return (per_doc * example_weights.to(per_doc.dtype) * mask).sum(), mask.sum()


def entity_sentiment_loss_sum(logits: Tensor, labels: Tensor, span_weights: Tensor) -> tuple[Tensor, Tensor]:
    """(sum over labelled spans of w_doc * CE, number of labelled spans): logits (n, polarities), labels
    (n,) with IGNORE for a span without polarity (it adds nothing), span_weights (n,) its example's weight."""
    mask = labels != IGNORE
    if logits.shape[0] == 0:
        return logits.float().sum() * 0.0, mask.sum()
    per_span = F.cross_entropy(logits.float(), labels.clamp(min=0), reduction="none")
    return (per_span * span_weights.to(per_span.dtype) * mask).sum(), mask.sum()


def label_set_loss_sum(logits: Tensor, targets: Tensor, example_weights: Tensor, *, multi_label: bool
                       ) -> tuple[Tensor, Tensor]:
    """(sum over labelled documents of w_doc * loss, number of labelled documents) for one further label
    set. Single-label: CE, targets (batch,) long with IGNORE. Multi-label: binary cross-entropy with
    logits averaged over the set's classes (each class a yes/no decision; the mean keeps the loss of a
    document on the scale of one decision whatever the number of classes), targets (batch, classes) 0/1
    with IGNORE in every entry of an unlabelled row."""
    if multi_label:
        mask = targets[:, 0] != IGNORE
        per_doc = F.binary_cross_entropy_with_logits(logits.float(), targets.clamp(min=0).float(),
                                                     reduction="none").mean(1)
    else:
        mask = targets != IGNORE
        per_doc = F.cross_entropy(logits.float(), targets.clamp(min=0), reduction="none")
    return (per_doc * example_weights.to(per_doc.dtype) * mask).sum(), mask.sum()


def mask_tokens(input_ids: Tensor, special_mask: Tensor, *, mask_token_id: int, vocab_size: int,
                probability: float = 0.15, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """BERT's masking (Devlin et al. 2019): choose `probability` of the real tokens; of those 80% become
    [MASK], 10% a random token, 10% stay. Returns (masked input ids, labels with IGNORE elsewhere).

    Random numbers come from `generator` (on the CPU), so masking is reproducible and resumable."""
    cpu_ids = input_ids.detach().cpu()
    candidates = ~special_mask.detach().cpu()
    chosen = (torch.rand(cpu_ids.shape, generator=generator) < probability) & candidates
    labels = torch.where(chosen, cpu_ids, torch.full_like(cpu_ids, IGNORE))
    roll = torch.rand(cpu_ids.shape, generator=generator)
    masked = cpu_ids.clone()
    masked[chosen & (roll < 0.8)] = mask_token_id
    randomize = chosen & (roll >= 0.8) & (roll < 0.9)
    random_ids = torch.randint(vocab_size, cpu_ids.shape, generator=generator)
    masked[randomize] = random_ids[randomize]
    return masked.to(input_ids.device), labels.to(input_ids.device)


def mask_examples(input_ids: Tensor, special_mask: Tensor, lengths: list[int], example_ids: list[int], *,
                  seed: int, epoch: int, mask_token_id: int, vocab_size: int, probability: float
                  ) -> tuple[Tensor, Tensor]:
    """mask_tokens per row of a padded batch, each drawn from (seed, epoch, example id) over the row's
    unpadded length: the same masks whatever the batch width or the number of processes (a 2-process
    run equals a 1-process run) and nothing to restore on resume."""
    ids = input_ids.clone()
    labels = torch.full_like(ids, IGNORE)
    for row, (n, i) in enumerate(zip(lengths, example_ids)):
        g = torch.Generator().manual_seed((seed * 1_000_003 + epoch) * 1_000_003 + i)
        ids[row:row + 1, :n], labels[row:row + 1, :n] = mask_tokens(
            input_ids[row:row + 1, :n], special_mask[row:row + 1, :n], mask_token_id=mask_token_id,
            vocab_size=vocab_size, probability=probability, generator=g)
    return ids, labels


def mlm_loss_sum(mlm_logits: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
    """(sum of CE over masked tokens, number of masked tokens); logits may cover only masked positions
    (then labels are the matching 1-D label vector)."""
    mask = labels != IGNORE
    per = F.cross_entropy(mlm_logits.float().reshape(-1, mlm_logits.shape[-1]), labels.clamp(min=0).reshape(-1),
                          reduction="none")
    return (per * mask.reshape(-1)).sum(), mask.sum()


class L2SPPenalty:
    """L2-SP (Li, Grandvalet & Davoine, "Explicit Inductive Bias for Transfer Learning with Convolutional
    Networks", ICML 2018): 0.5 * ||theta - theta_0||^2 over the shared encoder, theta_0 the pretrained
    weights (a frozen copy taken before training). Unlike weight decay, it pulls toward the starting
    point, not toward zero, which keeps the shared encoder close to what pretraining learned."""

    def __init__(self, parameters: Iterable[nn.Parameter]) -> None:
        self.params = [p for p in parameters if p.requires_grad]
        self.reference = [p.detach().clone() for p in self.params]

    def __call__(self) -> Tensor:
        total = None
        for p, ref in zip(self.params, self.reference):
            term = (p.float() - ref.float()).pow(2).sum()
            total = term if total is None else total + term
        if total is None:
            return torch.zeros(())
        return 0.5 * total

    def state_tensors(self) -> list[Tensor]:
        return self.reference

    def load_state_tensors(self, tensors: list[Tensor]) -> None:
        if len(tensors) != len(self.reference):
            raise ValueError("L2-SP reference does not match the model")
        for ref, t in zip(self.reference, tensors):
            ref.copy_(t)
