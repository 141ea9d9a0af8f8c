"""Hand-computed arithmetic of every task-weighting strategy."""
from __future__ import annotations

import math
import random

import pytest
import torch

from mtl_studio.core import weighting
from mtl_studio.core.strategies import STRATEGY_TABLE
from mtl_studio.core.weighting import (REGISTRY, DynamicWeightAverage, FixedWeighting, GradNorm, PCGrad,
                                       UncertaintyWeighting, WeightingContext, collapsed_tasks, make_strategy,
                                       project_conflicting)

TASKS = ("ner", "sentiment")


def losses(ner: float | None, sentiment: float | None, requires_grad: bool = False) -> dict[str, torch.Tensor]:
    out = {}
    if ner is not None:
        out["ner"] = torch.tensor(ner, requires_grad=requires_grad)
    if sentiment is not None:
        out["sentiment"] = torch.tensor(sentiment, requires_grad=requires_grad)
    return out


def ctx(**kw) -> WeightingContext:
    return WeightingContext(step=0, epoch=1, **kw)


def test_registry_has_stable_names_and_papers():
    assert set(REGISTRY) == {"fixed", "uncertainty", "dwa", "gradnorm", "pcgrad"}
    for spec in STRATEGY_TABLE:
        assert REGISTRY[spec.name] is spec.load_class()
        assert issubclass(REGISTRY[spec.name], weighting.WeightingStrategy)
        assert REGISTRY[spec.name].__doc__ and spec.paper and spec.title
    with pytest.raises(ValueError, match="unknown weighting strategy"):
        make_strategy("nash", TASKS)


def test_make_strategy_reads_config_weights():
    s = make_strategy("fixed", TASKS, {"ner_weight": 0.3, "sentiment_weight": 0.7})
    assert s.current_weights() == {"ner": 0.3, "sentiment": 0.7}
    dwa = make_strategy("dwa", TASKS, {"ner_weight": 1.0, "sentiment_weight": 1.0, "dwa_temperature": 4.0})
    assert dwa.temperature == 4.0
    gn = make_strategy("gradnorm", TASKS, {"ner_weight": 1.0, "sentiment_weight": 1.0, "gradnorm_alpha": 0.5})
    assert gn.alpha == 0.5


def test_fixed_is_the_weighted_sum():
    s = FixedWeighting(TASKS, {"ner": 0.5, "sentiment": 0.25})
    total, weights = s.combine(losses(2.0, 4.0), ctx())
    assert total.item() == pytest.approx(0.5 * 2.0 + 0.25 * 4.0)
    assert weights == {"ner": 0.5, "sentiment": 0.25}
    total, _ = s.combine(losses(2.0, None), ctx())  # a task absent from the batch adds nothing
    assert total.item() == pytest.approx(1.0)


def test_uncertainty_kendall_objective_and_gradient():
    s = UncertaintyWeighting(TASKS, {"ner": 1.0, "sentiment": 0.5})  # s = -log w = (0, ln 2)
    assert s.current_weights() == pytest.approx({"ner": 1.0, "sentiment": 0.5})
    total, weights = s.combine(losses(2.0, 1.0), ctx())
    # exp(-0) * 2 + 0/2 + exp(-ln 2) * 1 + ln2 / 2
    assert total.item() == pytest.approx(2.0 + 0.5 + math.log(2) / 2, rel=1e-6)
    assert weights == pytest.approx({"ner": 1.0, "sentiment": 0.5})
    total.backward()
    # d/ds (exp(-s) L + s/2) = -exp(-s) L + 1/2
    assert s.log_vars.grad.tolist() == pytest.approx([-2.0 + 0.5, -0.5 + 0.5])
    s.log_vars.grad = None
    total, _ = s.combine(losses(2.0, None), ctx())  # absent task: neither loss nor regulariser
    assert total.item() == pytest.approx(2.0)
    with pytest.raises(ValueError):
        UncertaintyWeighting(TASKS, {"ner": 0.0, "sentiment": 1.0})


def test_dwa_weights_from_the_last_two_epochs():
    s = DynamicWeightAverage(TASKS, {"ner": 0.5, "sentiment": 0.5}, temperature=2.0)
    assert s.current_weights() == {"ner": 0.5, "sentiment": 0.5}
    s.end_epoch(1, {"ner": 2.0, "sentiment": 1.0})
    assert s.current_weights() == {"ner": 0.5, "sentiment": 0.5}  # epochs 1-2: initial weights
    s.end_epoch(2, {"ner": 1.0, "sentiment": 1.0})  # ratios: ner 0.5, sentiment 1.0
    e1, e2 = math.exp(0.5 / 2), math.exp(1.0 / 2)
    expected = {"ner": e1 / (e1 + e2), "sentiment": e2 / (e1 + e2)}  # sum = 0.5 + 0.5
    assert s.current_weights() == pytest.approx(expected)
    total, _ = s.combine(losses(3.0, 1.0), ctx())
    assert total.item() == pytest.approx(3.0 * expected["ner"] + expected["sentiment"])
    # Resuming restores the same weights from the history.
    t = DynamicWeightAverage(TASKS, {"ner": 0.5, "sentiment": 0.5}, temperature=2.0)
    t.load_state_dict(s.state_dict())
    assert t.current_weights() == pytest.approx(expected)


def test_gradnorm_weight_gradient_by_hand():
    g = GradNorm(TASKS, {"ner": 1.0, "sentiment": 1.0}, alpha=1.5)
    # First step: L(0) = L, so r = 1 and the target is the mean weighted norm 1.5.
    grad = g.weight_gradient({"ner": 2.0, "sentiment": 1.0}, {"ner": 1.0, "sentiment": 1.0})
    assert grad == {"ner": 2.0, "sentiment": -1.0}  # sign(G - target) * ||grad L||
    # Later: NER's loss halved (it trains faster), equal norms: NER gets pushed down, sentiment up.
    grad = g.weight_gradient({"ner": 1.0, "sentiment": 1.0}, {"ner": 0.5, "sentiment": 1.0})
    # r = (0.5, 1) / 0.75 -> target = 1 * r^1.5 = (0.544, 1.540) against G = (1, 1)
    assert grad == {"ner": 1.0, "sentiment": -1.0}


def test_gradnorm_renormalises_after_the_step():
    g = GradNorm(TASKS, {"ner": 1.0, "sentiment": 1.0})
    with torch.no_grad():
        g.weights.copy_(torch.tensor([1.5, 0.3]))
    g.after_step()
    assert g.weights.tolist() == pytest.approx([1.5 * 2 / 1.8, 0.3 * 2 / 1.8])


def test_gradnorm_backward_on_a_toy_model():
    theta = torch.nn.Parameter(torch.tensor([1.0, 1.0]))  # the "last shared layer"
    g = GradNorm(TASKS, {"ner": 1.0, "sentiment": 1.0})
    ls = {"ner": 2.0 * theta[0], "sentiment": theta[1]}  # grads (2, 0) and (0, 1): norms 2 and 1
    c = ctx(model_parameters=[theta], shared_parameters=[theta], last_shared_parameters=[theta],
            global_losses={"ner": 2.0, "sentiment": 1.0})
    weights = g.backward(ls, c)
    assert weights == {"ner": 1.0, "sentiment": 1.0}
    assert g.weights.grad.tolist() == pytest.approx([2.0, -1.0])
    assert theta.grad.tolist() == pytest.approx([2.0, 1.0])  # sum_t w_t grad L_t


def test_pcgrad_projection_by_hand():
    g1, g2 = torch.tensor([1.0, 0.0]), torch.tensor([-1.0, 1.0])  # conflicting: dot = -1
    p1, p2 = project_conflicting([g1, g2], random.Random(0))
    assert p1.tolist() == pytest.approx([0.5, 0.5])  # g1 - (-1 / 2) g2
    assert p2.tolist() == pytest.approx([0.0, 1.0])  # g2 - (-1 / 1) g1
    q1, q2 = project_conflicting([g1, torch.tensor([1.0, 1.0])], random.Random(0))  # no conflict
    assert q1.tolist() == [1.0, 0.0] and q2.tolist() == [1.0, 1.0]


def test_pcgrad_backward_projects_shared_gradients_only():
    theta = torch.nn.Parameter(torch.tensor([0.3, 0.7]))  # shared
    head = torch.nn.Parameter(torch.tensor(0.0))  # task-specific
    ls = {"ner": theta @ torch.tensor([1.0, 0.0]) + head, "sentiment": theta @ torch.tensor([-1.0, 1.0])}
    extra = 3.0 * theta[1]  # an auxiliary term: added without surgery
    s = PCGrad(TASKS, {"ner": 1.0, "sentiment": 1.0})
    s.backward(ls, ctx(model_parameters=[theta, head], shared_parameters=[theta]), extra)
    assert theta.grad.tolist() == pytest.approx([0.5, 0.5 + 1.0 + 3.0])
    assert head.grad.item() == pytest.approx(1.0)


def test_collapse_detection():
    assert collapsed_tasks({"ner": 1.0, "sentiment": 5e-4}) == ["sentiment"]
    assert collapsed_tasks({"ner": 1.0, "sentiment": 2e-3}) == []
    assert collapsed_tasks({"ner": 1e-6}) == []


FOUR = ("ner", "entity_sentiment", "sentiment", "topic")


def test_loss_level_strategies_with_four_tasks_by_hand():
    values = {"ner": 2.0, "entity_sentiment": 1.0, "sentiment": 4.0, "topic": 0.5}
    four = {t: torch.tensor(v) for t, v in values.items()}
    initial = {"ner": 0.5, "entity_sentiment": 1.0, "sentiment": 0.5, "topic": 2.0}
    total, _ = FixedWeighting(FOUR, initial).combine(four, ctx())
    assert total.item() == pytest.approx(sum(initial[t] * values[t] for t in FOUR))
    unc = UncertaintyWeighting(FOUR, initial)
    total, weights = unc.combine(four, ctx())
    expected = sum(initial[t] * values[t] + 0.5 * -math.log(initial[t]) for t in FOUR)
    assert total.item() == pytest.approx(expected) and weights == pytest.approx(initial)
    dwa = DynamicWeightAverage(FOUR, {t: 1.0 for t in FOUR}, temperature=2.0)
    dwa.end_epoch(1, {t: 1.0 for t in FOUR})
    dwa.end_epoch(2, {"ner": 0.5, "entity_sentiment": 1.0, "sentiment": 2.0, "topic": 1.0})
    ratios = {"ner": 0.5, "entity_sentiment": 1.0, "sentiment": 2.0, "topic": 1.0}
    z = sum(math.exp(r / 2) for r in ratios.values())
    assert dwa.current_weights() == pytest.approx({t: 4 * math.exp(r / 2) / z for t, r in ratios.items()})


def test_pcgrad_projects_each_of_four_gradients_against_the_others():
    grads = [torch.tensor([1.0, 0.0]), torch.tensor([-1.0, 1.0]), torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0])]
    for seed in range(4):  # whatever the order of the others, worked by hand:
        out = project_conflicting(grads, random.Random(seed))
        assert torch.allclose(out[0], torch.tensor([0.5, 0.5]))  # (1,0) off (-1,1): - (-1/2)(-1,1)
        assert torch.allclose(out[1], torch.tensor([0.0, 1.0]))  # (-1,1) off (1,0): - (-1/1)(1,0)
        assert torch.equal(out[2], grads[2]) and torch.equal(out[3], grads[3])  # no conflict: untouched
