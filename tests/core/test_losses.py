"""Losses with partial labels, MLM masking, L2-SP."""
from __future__ import annotations

import pytest
import torch

from mtl_studio.core.features import IGNORE
from mtl_studio.core.losses import L2SPPenalty, mask_examples, mask_tokens, mlm_loss_sum, ner_loss_sum, sentiment_loss_sum


def test_unlabelled_documents_add_nothing_but_keep_the_graph():
    logits = torch.randn(2, 3, 5, requires_grad=True)
    labels = torch.full((2, 3), IGNORE)
    total, count = ner_loss_sum(logits, labels, torch.ones(2))
    assert total.item() == 0.0 and count.item() == 0
    total.backward()  # connected (DDP needs a gradient for the head on every rank), and zero
    assert torch.count_nonzero(logits.grad) == 0


def test_ner_loss_is_a_weighted_sum_over_labelled_tokens():
    logits = torch.zeros(2, 2, 4)  # uniform: CE = log 4 per token
    labels = torch.tensor([[1, IGNORE], [2, 3]])
    total, count = ner_loss_sum(logits, labels, torch.tensor([1.0, 0.5]))
    assert count.item() == 3
    assert total.item() == pytest.approx(torch.log(torch.tensor(4.0)).item() * (1 + 0.5 * 2))


def test_sentiment_loss_skips_unlabelled_documents():
    logits = torch.zeros(3, 2)
    total, count = sentiment_loss_sum(logits, torch.tensor([0, IGNORE, 1]), torch.tensor([1.0, 1.0, 0.25]))
    assert count.item() == 2
    assert total.item() == pytest.approx(torch.log(torch.tensor(2.0)).item() * 1.25)


def test_mask_tokens_is_seeded_and_spares_special_tokens():
    ids = torch.arange(10, 210).reshape(2, 100)
    special = torch.zeros(2, 100, dtype=torch.bool)
    special[:, 0] = True
    a_ids, a_labels = mask_tokens(ids, special, mask_token_id=4, vocab_size=300, generator=torch.Generator().manual_seed(1))
    b_ids, b_labels = mask_tokens(ids, special, mask_token_id=4, vocab_size=300, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a_ids, b_ids) and torch.equal(a_labels, b_labels)
    chosen = a_labels != IGNORE
    assert not chosen[:, 0].any()
    assert 10 <= int(chosen.sum()) <= 60  # about 15% of 198
    assert torch.equal(a_labels[chosen], ids[chosen])
    assert (a_ids[chosen] == 4).float().mean() > 0.5  # mostly [MASK]
    assert torch.equal(a_ids[~chosen], ids[~chosen])
    total, count = mlm_loss_sum(torch.zeros(int(chosen.sum()), 300), a_labels[chosen])
    assert count.item() == int(chosen.sum())


def test_l2sp_pulls_toward_the_starting_weights():
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    penalty = L2SPPenalty([p])
    assert penalty().item() == 0.0
    with torch.no_grad():
        p.add_(torch.tensor([0.5, -1.0]))
    value = penalty()
    assert value.item() == pytest.approx(0.5 * (0.25 + 1.0))
    value.backward()
    assert p.grad.tolist() == pytest.approx([0.5, -1.0])  # toward theta_0, not toward 0


def test_example_masks_depend_on_the_example_not_on_its_batch():
    ids = torch.arange(10, 50).reshape(2, 20)
    special = torch.zeros(2, 20, dtype=torch.bool)
    kw = dict(seed=3, epoch=1, mask_token_id=1, vocab_size=60, probability=0.5)
    alone, alone_labels = mask_examples(ids[1:, :12], special[1:, :12], [12], [7], **kw)
    batch, batch_labels = mask_examples(ids, special, [20, 12], [4, 7], **kw)  # wider, with another example
    assert torch.equal(batch[1, :12], alone[0]) and torch.equal(batch_labels[1, :12], alone_labels[0])
    assert torch.equal(batch[1, 12:], ids[1, 12:]) and (batch_labels[1, 12:] == IGNORE).all()  # padding untouched
    other_epoch, _ = mask_examples(ids[1:, :12], special[1:, :12], [12], [7], **{**kw, "epoch": 2})
    assert not torch.equal(other_epoch, alone)
    assert (alone_labels != IGNORE).any()
