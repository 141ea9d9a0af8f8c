"""The gradient-conflict meter: known conflicting / aligned gradients, one-task batches, the hint,
storage and the meter inside a real (tiny) training run."""
from __future__ import annotations

import sqlite3

import pytest
import torch
from torch import nn

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import GradientConflict, LogMessage, RunFinished, event_from_dict, event_to_dict
from mtl_studio.core.gradient_conflict import (ConflictHint, GradientConflictMeter, layer_group,
                                               shared_parameter_groups)
from mtl_studio.core.run_record import ConflictSummary
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.train import train
from project_helpers import ENGINE, make_project


class ToyEncoder(nn.Module):
    """Two named groups, like a transformer's embeddings and one block."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.embeddings = nn.Linear(4, 4)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList([nn.Linear(4, 4)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder.layer[0](torch.tanh(self.embeddings(x)))


def toy_meter(interval: int = 1) -> tuple[ToyEncoder, GradientConflictMeter]:
    enc = ToyEncoder()
    params, groups = shared_parameter_groups(enc)
    return enc, GradientConflictMeter(params, groups, interval)


def test_layer_groups_follow_parameter_names():
    assert layer_group("embeddings.word_embeddings.weight") == "embeddings"
    assert layer_group("encoder.layer.11.attention.self.query.weight") == "layer 11"
    assert layer_group("transformer.h.3.mlp.weight") == "layer 3"
    assert layer_group("pooler.dense.weight") == "other"


def test_opposite_losses_give_cosine_minus_one_and_scaled_losses_plus_one():
    enc, meter = toy_meter()
    x = torch.randn(8, 4)
    out = enc(x).sum()
    opposite = meter.measure({"ner": out, "sentiment": -3.0 * out}, step=1)
    assert opposite is not None and opposite.tasks == ("ner", "sentiment")
    assert opposite.cosine == pytest.approx(-1.0, abs=1e-6)
    assert set(opposite.per_group) == {"embeddings", "layer 0"}
    assert all(v == pytest.approx(-1.0, abs=1e-6) for v in opposite.per_group.values())
    aligned = meter.measure({"ner": out, "sentiment": 2.0 * out}, step=2)
    assert aligned.cosine == pytest.approx(1.0, abs=1e-6)
    assert all(p.grad is None for p in enc.parameters())  # the meter never touches .grad


def test_unrelated_losses_are_near_orthogonal():
    """Two losses on disjoint output coordinates of a wide random layer: the cosine is far from +-1."""
    enc, meter = toy_meter()
    y = enc(torch.randn(64, 4))
    reading = meter.measure({"ner": (y[:, 0] ** 2).sum(), "sentiment": (y[:, 3] ** 2).sum()}, step=1)
    assert -0.9 < reading.cosine < 0.9
    assert reading.per_group["layer 0"] == pytest.approx(0.0, abs=1e-6)  # different rows of the weight


def test_one_task_batches_pair_with_the_next_batch_of_the_other_task():
    enc, meter = toy_meter(interval=10)
    x = torch.randn(8, 4)
    assert meter.due(0) and not meter.due(1)
    assert meter.measure({"ner": enc(x).sum()}, step=1) is None
    assert meter.due(1)  # waiting for the other task
    assert meter.measure({"ner": 2 * enc(x).sum()}, step=2) is None  # same task: replaces the kept one
    reading = meter.measure({"sentiment": -enc(x).sum()}, step=4)
    assert reading.tasks == ("ner", "sentiment") and reading.steps_apart == 2
    assert reading.cosine == pytest.approx(-1.0, abs=1e-6)
    assert not meter.due(4)


def test_hint_fires_once_when_the_conflict_persists():
    hint = ConflictHint(window=3)
    assert [hint.observe(c) for c in (-0.2, -0.1, 0.05, -0.3, -0.2)] == [None] * 5  # broken by a positive
    note = hint.observe(-0.4)
    assert note is not None and note.level == "warning" and note.code == "gradient_conflict"
    assert "PCGrad" in note.text and "opposite directions" in note.text and "-0.30" in note.text
    assert hint.observe(-0.5) is None  # once per run


def test_summary_ignores_undefined_readings():
    summary = ConflictSummary.of([0.5, -0.5, float("nan"), -0.1])
    assert summary.measurements == 3 and summary.negative_share == pytest.approx(2 / 3)
    assert summary.mean_cosine == pytest.approx(-0.1 / 3)
    assert ConflictSummary.of([float("nan")]) is None


def test_event_round_trips_through_json_form():
    ev = GradientConflict(step=20, tasks=("ner", "sentiment"), cosine=-0.25, per_group={"layer 0": -0.5})
    assert event_from_dict(event_to_dict(ev)) == ev


def test_readings_are_stored_summarised_and_deleted_with_the_run(tmp_path):
    store = make_project(tmp_path / "p.mtl", ENGINE)
    run_id = store.create_run(TrainConfig().to_dict())
    for step, cosine in ((1, 0.4), (21, -0.2), (41, float("nan")), (61, -0.6)):
        store.add_conflict_measurement(run_id, step, cosine, {"layer 0": cosine}, 0)
    store.add_conflict_measurement(run_id, 61, -0.8, {}, 0)  # a resumed run measures step 61 again
    readings = store.conflict_measurements(run_id)
    assert [r["step"] for r in readings] == [1, 21, 41, 61] and readings[3]["cosine"] == -0.8
    expected = ConflictSummary(3, (0.4 - 0.2 - 0.8) / 3, 2 / 3)
    assert store.run_record(run_id).gradient_conflict == pytest.approx(expected)
    [record] = store.run_records()
    assert record.gradient_conflict == pytest.approx(expected)
    assert record.to_dict()["gradient_conflict"]["measurements"] == 3
    store.delete_run(run_id)
    assert store.conflict_measurements(run_id) == []
    store.close()


def test_a_schema_3_project_gains_the_meter_table(tmp_path):
    """Schema 3 (run liveness, label keys, no meter table) upgrades to the current schema when opened."""
    from mtl_studio.core.store import MIGRATIONS, _split_sql

    conn = sqlite3.connect(tmp_path / "p.mtl")
    # The schema as version 3 wrote it: without the meter (4), model in the loop (5), the task tables (6).
    for migration in MIGRATIONS[:3]:
        for statement in _split_sql(migration):
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('split_seed', '13')")
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.close()
    with ProjectStore.open(tmp_path / "p.mtl") as store:
        run_id = store.create_run({})
        store.add_conflict_measurement(run_id, 1, 0.1, {}, 0)
        assert store.run_record(run_id).gradient_conflict.measurements == 1


@pytest.mark.usefixtures("one_torch_thread")
def test_training_emits_stores_and_summarises_the_meter(tmp_path, tiny_encoder):
    make_project(tmp_path / "p.mtl", ENGINE).close()
    cfg = TrainConfig(encoder=str(tiny_encoder), device="cpu", batch_size=4, epochs=1, max_length=64,
                      early_stopping_patience=0, seed=3, conflict_every=1)
    events = list(train(str(tmp_path / "p.mtl"), cfg))
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.status == "completed", finished.message
    readings = [e for e in events if isinstance(e, GradientConflict)]
    assert readings and all(-1.0 <= e.cosine <= 1.0 for e in readings)
    assert all({"embeddings", "layer 0", "layer 1"} <= set(e.per_group) for e in readings)
    with ProjectStore.open(tmp_path / "p.mtl") as store:
        stored = store.conflict_measurements(finished.run_id)
        assert [r["step"] for r in stored] == [e.step for e in readings]
        assert store.run_record(finished.run_id).gradient_conflict.measurements == len(readings)


@pytest.mark.usefixtures("one_torch_thread")
def test_meter_off_and_single_task_runs_measure_nothing(tmp_path, tiny_encoder):
    make_project(tmp_path / "p.mtl", ENGINE).close()
    base = dict(encoder=str(tiny_encoder), device="cpu", batch_size=4, epochs=1, max_length=64,
                early_stopping_patience=0, seed=3)
    for cfg in (TrainConfig(**base, conflict_every=0), TrainConfig(**base, tasks=("ner",), conflict_every=1)):
        events = list(train(str(tmp_path / "p.mtl"), cfg))
        assert not [e for e in events if isinstance(e, GradientConflict)]
        assert not [e for e in events if isinstance(e, LogMessage) and "opposite directions" in e.text]


@pytest.mark.usefixtures("one_torch_thread")
def test_a_persistent_conflict_in_training_raises_the_hint_once(tmp_path, tiny_encoder, monkeypatch):
    """The trainer's wiring: every reading negative (the cosine forced) -> one warning naming PCGrad."""
    import mtl_studio.core.gradient_conflict as meter_module

    monkeypatch.setattr(meter_module, "gradient_cosines", lambda a, b, groups: (-0.5, {"layer 0": -0.5}))
    make_project(tmp_path / "p.mtl", ENGINE).close()
    cfg = TrainConfig(encoder=str(tiny_encoder), device="cpu", batch_size=4, epochs=3, max_length=64,
                      early_stopping_patience=0, seed=3, conflict_every=1)
    events = list(train(str(tmp_path / "p.mtl"), cfg))
    hints = [e for e in events if isinstance(e, LogMessage) and "opposite directions" in e.text]
    assert len([e for e in events if isinstance(e, GradientConflict)]) >= 5
    assert len(hints) == 1 and hints[0].level == "warning" and "PCGrad" in hints[0].text
