"""TensorBoard logging of progress events (the optional `tensorboard` extra)."""
from __future__ import annotations

import sys

import pytest

from mtl_studio.core.errors import TrainingError
from mtl_studio.core.events import EpochEvaluated, LogMessage, RunFinished, RunStarted, StepProgress
from mtl_studio.core.tb_logging import TensorBoardWriter, numeric_leaves

EVENTS = [
    RunStarted("r1", {"strategy": "fixed"}, "cpu", "fp32", {"ner": 4, "sentiment": 3}, 4),
    StepProgress(1, 4, 1, {"ner": 2.0, "sentiment": 1.0, "total": 1.5}, {"ner": 0.5, "sentiment": 0.5},
                 10.0, 3.0, 5e-5),
    StepProgress(2, 4, 1, {"ner": 1.5, "sentiment": 0.8, "total": 1.15}, {"ner": 0.6, "sentiment": 0.4},
                 12.0, 2.0, 4e-5),
    EpochEvaluated(1, "dev", {"ner": {"f1": 0.25, "per_type": {"ORG": {"f1": 0.5}}, "support": 7},
                              "sentiment": {"macro_f1": 0.4, "accuracy": 0.5, "confusion": [[1, 0], [0, 1]]}},
                   True),
    LogMessage("warning", "something odd"),
    RunFinished("r1", "completed", 1, {"dev": {"ner": {"f1": 0.25}}}, None),
]


def test_numeric_leaves_flattens_numbers_only():
    got = dict(numeric_leaves(EVENTS[3].metrics))
    assert got == {"ner/f1": 0.25, "ner/per_type/ORG/f1": 0.5, "ner/support": 7.0,
                   "sentiment/macro_f1": 0.4, "sentiment/accuracy": 0.5}


def test_missing_tensorboard_says_which_extra_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # import tensorboard -> ImportError
    with pytest.raises(TrainingError, match=r"mtl-studio\[tensorboard\]"):
        TensorBoardWriter(tmp_path / "tb")


def test_events_become_scalars_in_an_event_file(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = list(TensorBoardWriter(tmp_path / "tb").forward(iter(EVENTS)))
    assert out == EVENTS  # passes events through unchanged
    acc = EventAccumulator(str(tmp_path / "tb"))
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    assert {"loss/ner", "loss/sentiment", "loss/total", "weight/ner", "train/learning_rate",
            "dev/ner/f1", "dev/sentiment/macro_f1", "dev/ner/per_type/ORG/f1"} <= tags
    assert [(e.step, e.value) for e in acc.Scalars("loss/ner")] == [(1, 2.0), (2, 1.5)]
    assert [(e.step, round(e.value, 6)) for e in acc.Scalars("dev/ner/f1")] == [(1, 0.25)]
