"""AdamW with moments per label kind (core/kind_optimizer.py): one kind is AdamW, kinds do not share
moments, and the state survives a checkpoint."""
from __future__ import annotations

import io

import pytest
import torch

from mtl_studio.core.kind_optimizer import NOT_SCALED, KindAdamW, kind_key

# Two "tasks" on one shared parameter with very different gradient scales (as NER and sentiment differ).
GRADS = {"a": torch.tensor([1.0, -2.0, 0.5]), "b": torch.tensor([100.0, 50.0, -300.0])}


def _param() -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.tensor([0.3, -0.1, 0.2]))


def _step(opt: torch.optim.Optimizer, p: torch.nn.Parameter, kind: str) -> None:
    if isinstance(opt, KindAdamW):
        opt.select(kind)
    opt.zero_grad(set_to_none=True)
    p.grad = GRADS[kind].clone()
    opt.step()


def test_one_kind_is_exactly_adamw():
    p, q = _param(), _param()
    plain, kinds = torch.optim.AdamW([p], lr=0.01), KindAdamW([q], lr=0.01)
    for _ in range(5):
        _step(plain, p, "a")
        _step(kinds, q, "a")
    torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_a_kinds_steps_do_not_see_the_other_kinds_moments():
    # Steps a, b, a with moments per kind move the parameter as a's own AdamW would for a's steps (the
    # parameter is shared, so compare the update each a-step makes, not the end point).
    p = _param()
    opt = KindAdamW([p], lr=0.01, weight_decay=0.0)
    _step(opt, p, "a")
    _step(opt, p, "b")
    before = p.detach().clone()
    _step(opt, p, "a")
    kind_update = p.detach() - before

    solo = _param()
    solo_opt = torch.optim.AdamW([solo], lr=0.01, weight_decay=0.0)
    _step(solo_opt, solo, "a")
    before = solo.detach().clone()
    _step(solo_opt, solo, "a")
    torch.testing.assert_close(kind_update, solo.detach() - before)

    # With shared moments, b's large gradients shrink a's second step (and turn it toward b's).
    shared = _param()
    shared_opt = torch.optim.AdamW([shared], lr=0.01, weight_decay=0.0)
    for kind in ("a", "b"):
        _step(shared_opt, shared, kind)
    before = shared.detach().clone()
    _step(shared_opt, shared, "a")
    assert (shared.detach() - before).abs().sum() < 0.7 * kind_update.abs().sum()
    assert opt.kinds == ["a", "b"]
    assert [int(opt.state_dict()["kind_states"][k][0]["step"]) for k in ("a", "b")] == [2, 1]


def test_state_dict_round_trip_through_a_weights_only_checkpoint_continues_every_kind():
    order = ["a", "b", "b", "a", "b", "a", "a", "b"]
    p = _param()
    opt = KindAdamW([p], lr=0.01)
    for kind in order:
        _step(opt, p, kind)
    expected = p.detach().clone()

    q = _param()
    first = KindAdamW([q], lr=0.01)
    for kind in order[:3]:
        _step(first, q, kind)
    buffer = io.BytesIO()
    torch.save(first.state_dict(), buffer)
    buffer.seek(0)
    resumed = KindAdamW([q], lr=0.01)
    resumed.load_state_dict(torch.load(buffer, weights_only=True))
    assert resumed.kind == "b" and resumed.kinds == ["a", "b"]
    for kind in order[3:]:
        _step(resumed, q, kind)
    torch.testing.assert_close(q.detach(), expected, rtol=0, atol=0)


def test_a_plain_adamw_state_is_kept_by_the_first_kind_selected():
    # A resume point written before moments were kept per kind holds one plain AdamW state.
    p, q = _param(), _param()
    plain = torch.optim.AdamW([p], lr=0.01)
    for _ in range(3):
        _step(plain, p, "a")
    q.data.copy_(p.data)
    continued = KindAdamW([q], lr=0.01)
    continued.load_state_dict(plain.state_dict())
    _step(plain, p, "a")
    _step(continued, q, "a")
    torch.testing.assert_close(p, q, rtol=0, atol=0)


@pytest.mark.parametrize("tasks, key", [(("ner",), "ner"), (("ner", "sentiment"), "ner+sentiment"), ((), "-")])
def test_kind_keys(tasks, key):
    assert kind_key(tasks) == key


def test_lr_scale_scales_the_step_but_not_a_group_marked_not_scaled():
    p, q = _param(), _param()
    strategy_param = torch.nn.Parameter(torch.zeros(1))
    scaled = KindAdamW([{"params": [p]}, {"params": [strategy_param], NOT_SCALED: True}], lr=0.01, weight_decay=0.0)
    plain = torch.optim.AdamW([q], lr=0.04, weight_decay=0.0)
    scaled.select("a", lr_scale=4.0)
    p.grad, strategy_param.grad = GRADS["a"].clone(), torch.ones(1)
    scaled.step()
    q.grad = GRADS["a"].clone()
    plain.step()
    torch.testing.assert_close(p, q)
    assert float(strategy_param.detach()) == pytest.approx(-0.01)  # lr 0.01, first Adam step: sign of the gradient
    assert [g["lr"] for g in scaled.param_groups] == [0.01, 0.01]  # restored for the scheduler
