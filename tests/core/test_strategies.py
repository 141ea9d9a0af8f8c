"""The strategy and preset tables are the one place their names, defaults and titles live: the config,
the CLI and make_strategy agree with them, and reading them loads no torch."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from mtl_studio.cli import build_parser
from mtl_studio.commands.engine import build_config
from mtl_studio.core.config import DEFAULT_PRESET, PRESET_TABLE, PRESETS, TrainConfig, preset
from mtl_studio.core.strategies import (STRATEGIES, STRATEGY_TABLE, hyper_parameter_default, hyper_parameters,
                                        strategy_spec)


def test_names_are_unique_and_stable():
    assert STRATEGIES == ("fixed", "uncertainty", "dwa", "gradnorm", "pcgrad")
    assert len({p.name for p in PRESET_TABLE}) == len(PRESET_TABLE)


def test_every_hyper_parameter_is_a_config_field_with_the_tables_default():
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    for hp in hyper_parameters():
        assert hp.field in fields
        assert fields[hp.field].default == hp.default == hyper_parameter_default(hp.field)


def test_config_validation_takes_the_names_from_the_table():
    for name in STRATEGIES:
        TrainConfig(strategy=name).validate()
    with pytest.raises(ValueError, match="strategy must be one of fixed, uncertainty, dwa, gradnorm, pcgrad"):
        TrainConfig(strategy="nash").validate()
    with pytest.raises(ValueError, match="unknown weighting strategy 'nash'"):
        strategy_spec("nash")


def test_the_cli_offers_every_strategy_hyper_parameter_and_preset(tmp_path):
    train = build_parser().parse_args(["train", "p.mtl", "--strategy", "dwa", "--dwa-temperature", "3.5",
                                       "--gradnorm-alpha", "0.25", "--preset", "method"])
    config = build_config(train)
    assert (config.strategy, config.dwa_temperature, config.gradnorm_alpha) == ("dwa", 3.5, 0.25)
    assert (config.learning_rate, config.batch_size, config.epochs) == (2e-5, 16, 5)
    for hp in hyper_parameters():
        assert getattr(build_parser().parse_args(["train", "p.mtl", hp.option, "0.5"]), hp.field) == 0.5
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "p.mtl", "--strategy", "nash"])


def test_the_config_defaults_are_the_default_preset():
    default = preset(DEFAULT_PRESET)
    config = TrainConfig()
    assert {"learning_rate": config.learning_rate, "batch_size": config.batch_size, "epochs": config.epochs} == \
        default.values() == {"learning_rate": "auto", "batch_size": 16, "epochs": "auto"}
    assert default.summary() == "auto lr, batch 16, auto epochs"
    assert PRESETS["method"] == {"learning_rate": 2e-5, "batch_size": 16, "epochs": 5}
    assert preset("method").summary() == "2e-5, batch 16, 5 epochs"
    with pytest.raises(ValueError, match="unknown preset"):
        preset("bert")


def test_make_strategy_builds_each_class_from_the_table():
    from mtl_studio.core.weighting import make_strategy

    for spec in STRATEGY_TABLE:
        strategy = make_strategy(spec.name, ("ner", "sentiment"), TrainConfig(ner_weight=1.0, sentiment_weight=1.0))
        assert type(strategy) is spec.load_class()
        for hp in spec.hyper_parameters:
            assert getattr(strategy, hp.argument) == hp.default


def test_the_tables_load_no_torch():
    code = ("import sys, mtl_studio.core.strategies, mtl_studio.core.config; "
            "[s.class_path for s in mtl_studio.core.strategies.STRATEGY_TABLE]; print('torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_the_table_knows_which_strategies_are_gradient_based():
    """The budget preview reads gradient_based from the torch-free table; the trainer from the class."""
    for spec in STRATEGY_TABLE:
        assert spec.gradient_based == spec.load_class().gradient_based, spec.name
