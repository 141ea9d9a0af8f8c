"""Learning curve: nested seeded subsets, one run per fraction on a scratch copy, dev score per task,
cancellable; the project itself is left as it was."""
from __future__ import annotations

import threading

import pytest

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.learning_curve import (CurveFinished, CurvePointDone, CurveTraining, labelled_training_ids,
                                            learning_curve, nested_subsets, parse_fractions)
from mtl_studio.core.events import StepProgress
from mtl_studio.core.store import ProjectStore
from project_helpers import ENGINE, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _config(encoder) -> TrainConfig:
    return TrainConfig(encoder=str(encoder), device="cpu", batch_size=4, epochs=1, max_length=64,
                       early_stopping_patience=0, seed=3)


def test_subsets_are_nested_and_seeded():
    ids = list(range(1, 41))
    subsets = nested_subsets(ids, (0.25, 0.5, 0.75, 1.0), seed=7)
    assert [len(s) for s in subsets] == [10, 20, 30, 40]
    for small, large in zip(subsets, subsets[1:]):
        assert set(small) < set(large)
    assert subsets == nested_subsets(ids, (0.25, 0.5, 0.75, 1.0), seed=7)
    assert subsets[0] != nested_subsets(ids, (0.25,), seed=8)[0]


def test_parse_fractions():
    assert parse_fractions("1,0.25, 0.5") == (0.25, 0.5, 1.0)
    for bad in ("0", "1.5", "a", ""):
        with pytest.raises(ValueError):
            parse_fractions(bad)


def test_curve_trains_one_run_per_fraction_and_leaves_the_project_alone(tmp_path, tiny_encoder):
    path = tmp_path / "p.mtl"
    make_project(path, ENGINE).close()
    with ProjectStore.open(path) as store:
        before = (store.stats(), store.list_runs())
        labelled = labelled_training_ids(store, ("ner", "sentiment"))
    events = list(learning_curve(path, _config(tiny_encoder), (0.5, 1.0)))
    assert isinstance(events[-1], CurveFinished)
    curve = events[-1].curve
    assert not curve.cancelled and [p.fraction for p in curve.points] == [0.5, 1.0]
    assert [p.documents for p in curve.points] == [round(len(labelled) / 2), len(labelled)]
    assert all(set(p.dev) == {"ner", "sentiment"} and all(0.0 <= v <= 1.0 for v in p.dev.values())
               for p in curve.points)
    assert curve.points[1].task_documents == {"ner": 6, "sentiment": 8}  # ENGINE's labelled training documents
    assert len([e for e in events if isinstance(e, CurvePointDone)]) == 2
    assert {e.index for e in events if isinstance(e, CurveTraining)} == {0, 1}
    with ProjectStore.open(path) as store:
        assert (store.stats(), store.list_runs()) == before


def test_curve_stops_when_asked(tmp_path, tiny_encoder):
    path = tmp_path / "p.mtl"
    make_project(path, ENGINE).close()
    stop = threading.Event()
    last = None
    for event in learning_curve(path, _config(tiny_encoder), (0.5, 1.0), stop=stop):
        if isinstance(event, CurveTraining) and isinstance(event.event, StepProgress):
            stop.set()
        last = event
    assert isinstance(last, CurveFinished) and last.curve.cancelled and last.curve.points == []
