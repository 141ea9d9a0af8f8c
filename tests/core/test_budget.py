"""The training budget rule (core/budget.py): steps for small projects, caps for large ones, fixed values
kept, the method preset unchanged, and the line the CLI and the Train tab show."""
from __future__ import annotations

import math

import pytest

from mtl_studio.core.budget import (
    AUTO, MAX_EPOCHS, MAX_STEPS, MIN_STEPS, EncoderInfo, format_learning_rate, learning_rate_for, plan_budget,
)
from mtl_studio.core.config import PRESETS, TrainConfig, preset

MINILM = EncoderInfo("offline", 384, 22_700_000)
BERT_BASE = EncoderInfo("bert-base-cased", 768, 108_000_000)


def auto_plan(n_docs: int, encoder: EncoderInfo = MINILM, **kw):
    return plan_budget(n_docs, 16, encoder, preset("minilm"), **kw)


def test_a_small_project_gets_at_least_the_minimum_steps():
    plan = auto_plan(776)  # the project: 49 steps an epoch, 3 epochs were 147 steps
    assert plan.steps_per_epoch == 49
    assert plan.epochs == math.ceil(MIN_STEPS / 49) and plan.steps == plan.epochs * 49 >= MIN_STEPS
    assert plan.warmup_steps == int(0.1 * plan.steps)
    assert plan.eval_every == 49 and not plan.capped
    assert "776 training documents" in plan.reason


def test_a_tiny_project_is_capped_by_the_epoch_limit():
    plan = auto_plan(40)  # 3 steps an epoch: the minimum would need 200 epochs
    assert plan.epochs == MAX_EPOCHS and plan.steps == MAX_EPOCHS * 3 < MIN_STEPS


def test_a_large_project_keeps_the_preset_epochs_and_a_huge_one_is_capped_in_steps():
    conll = auto_plan(14_041)
    assert conll.epochs == preset("minilm").epochs and conll.steps == 3 * 878
    huge = auto_plan(1_000_000)
    assert huge.steps == MAX_STEPS and huge.epochs == 1 and huge.capped
    assert f"capped at {MAX_STEPS} steps" in huge.reason


def test_explicit_epochs_learning_rate_and_max_steps_are_kept():
    plan = auto_plan(776, epochs=3, learning_rate=3e-5)
    assert (plan.epochs, plan.steps, plan.learning_rate) == (3, 147, 3e-5)
    assert not plan.auto_epochs and not plan.auto_learning_rate and plan.reason == "fixed by the settings"
    capped = auto_plan(776, max_steps=100)
    assert capped.steps == 100 and capped.epochs == 3 and capped.capped  # 49 + 49 + 2 steps


def test_the_learning_rate_follows_the_encoder_width():
    assert learning_rate_for(MINILM) > learning_rate_for(BERT_BASE) > learning_rate_for(EncoderInfo("large", 1024))
    assert 2e-5 <= learning_rate_for(BERT_BASE) <= 5e-5
    assert auto_plan(776, BERT_BASE).learning_rate == learning_rate_for(BERT_BASE)


def test_the_method_preset_stays_fixed():
    method = TrainConfig(**PRESETS["method"])
    assert (method.epochs, method.learning_rate, method.batch_size) == (5, 2e-5, 16)
    plan = method.budget(776, MINILM)
    assert (plan.epochs, plan.steps, plan.learning_rate) == (5, 245, 2e-5)


def test_the_default_config_plans_and_validates():
    config = TrainConfig()
    assert config.epochs == AUTO and config.learning_rate == AUTO
    config.validate()
    assert config.budget(776, MINILM) == auto_plan(776)
    for bad in ({"epochs": 0}, {"epochs": "many"}, {"learning_rate": -1.0}, {"max_steps": -1}):
        with pytest.raises(ValueError):
            TrainConfig(**bad).validate()


def test_the_budget_line_says_epochs_steps_time_and_why():
    line = auto_plan(776).describe(240)
    assert line.startswith(f"budget: about {math.ceil(MIN_STEPS / 49)} epochs, ")
    assert f"{auto_plan(776).steps} steps" in line and "~4 min on this machine" in line
    assert "(auto: 776 training documents" in line
    assert "by a first guess" in auto_plan(776).describe(240, measured=False)
    assert "about" not in auto_plan(776, epochs=3).describe()


def test_learning_rates_are_written_short():
    assert [format_learning_rate(x) for x in (1e-4, 5e-5, 2.5e-5)] == ["1e-4", "5e-5", "2.5e-5"]


def test_the_time_estimate_uses_the_speed_measured_here(small_store):
    """Before a run: a guess from the encoder size; after a run recorded its speed: that speed."""
    from mtl_studio.core.budget_preview import preview_budget
    from mtl_studio.core.throughput import record_throughput

    config = TrainConfig(device="cpu")
    guess = preview_budget(small_store, config, MINILM)
    assert not guess.measured_here and "by a first guess" in guess.describe()
    record_throughput("offline", "cpu", 2.0)
    measured = preview_budget(small_store, config, MINILM)
    assert measured.measured_here and "on this machine" in measured.describe()
    assert measured.seconds > measured.plan.steps * config.batch_size / 2.0 * 0.99  # training, plus dev scoring
