"""The run record: typed from the store, the same JSON as before, and the bookkeeping that writes it."""
from __future__ import annotations

import json

import pytest

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.evaluate import EvalReport, ner_scores, sentiment_scores
from mtl_studio.core.run_bookkeeping import RunBookkeeping, final_metrics, resumable_config, stopped_metrics
from mtl_studio.core.run_record import RunRecord
from mtl_studio.core.schema import Document
from mtl_studio.core.store import ProjectStore


@pytest.fixture
def store(tmp_path):
    s = ProjectStore.create(tmp_path / "p.mtl")
    yield s
    s.close()


def _report(split: str) -> EvalReport:
    return EvalReport(split, ner_scores([["B-ORG", "O"], ["O", "B-LOC"]], [["B-ORG", "O"], ["O", "O"]]),
                      sentiment_scores(["a", "b", "b"], ["a", "b", "a"], ["a", "b"]))


def test_a_run_reads_back_typed_and_its_json_form_is_the_stored_row(store):
    config = TrainConfig(epochs=2).to_dict()
    run_id = store.create_run(config)
    metrics = {"tasks": ["ner", "sentiment"], "best_epoch": 2, "dev": _report("dev").to_dict()}
    store.add_epoch_metrics(run_id, 1, {"train_loss": {"ner": 1.5}, "weights": {"ner": 0.5}})
    store.update_run(run_id, status="completed", metrics=metrics, artefact_dir="/runs/x", message="")
    run = store.run_record(run_id)
    assert isinstance(run, RunRecord)
    assert (run.id, run.status, run.config, run.artefact_dir, run.best_epoch) == (run_id, "completed", config,
                                                                                  "/runs/x", 2)
    assert run.finished and run.dataset_hash == store.dataset_hash()
    assert run.epochs == [{"epoch": 1, "train_loss": {"ner": 1.5}, "weights": {"ner": 0.5}}]
    assert run.report("dev").to_dict() == metrics["dev"] and run.report("test") is None
    # The JSON form (get_run, `runs --json`) keeps its keys, order and values.
    as_json = store.get_run(run_id)
    assert list(as_json) == ["id", "created_at", "status", "config", "dataset_hash", "artefact_dir", "metrics",
                             "message", "epochs"]
    assert json.dumps(RunRecord.from_dict(as_json).to_dict()) == json.dumps(as_json)
    assert "epochs" not in store.list_runs()[0]  # the list reads no per-epoch rows
    assert [r.id for r in store.run_records()] == [run_id]


def test_a_finished_run_cannot_be_resumed_and_a_stopped_one_gives_its_config(store):
    done = store.create_run(TrainConfig(epochs=3).to_dict())
    store.update_run(done, status="early_stopped")
    with pytest.raises(ValueError, match="already finished"):
        resumable_config(store, done)
    stopped = store.create_run(TrainConfig(epochs=4, seed=9).to_dict())
    store.update_run(stopped, status="stopped")
    assert resumable_config(store, stopped) == TrainConfig(epochs=4, seed=9)


def test_only_the_writing_rank_records_the_run(store):
    sent = []
    reader = RunBookkeeping.begin(store, TrainConfig(), writer=False,
                                  broadcast=lambda x: sent.append(x) or "from-rank-0")
    assert reader.run_id == "from-rank-0" and sent == [None] and store.run_records() == []
    reader.epoch_done(1, {"ner": 1.0}, {"ner": 1.0}, None)
    reader.failed("boom")
    assert store.run_records() == []

    book = RunBookkeeping.begin(store, TrainConfig(), writer=True, broadcast=lambda x: x)
    book.epoch_done(1, {"ner": 1.0}, {"ner": 0.7}, _report("dev"))
    book.interrupted()
    run = store.run_record(book.run_id)
    assert run.status == "stopped" and "--resume" in run.message
    assert run.epochs == [{"epoch": 1, "train_loss": {"ner": 1.0}, "weights": {"ner": 0.7},
                           "dev": _report("dev").to_dict()}]
    notes: list = []
    store.add_document(Document(text="Quayside Bank opened"))  # the data changes: resuming warns
    resumed = RunBookkeeping.begin(store, TrainConfig(), writer=True, broadcast=lambda x: x,
                                   resume_run_id=book.run_id, notes=notes)
    assert resumed.run_id == book.run_id and store.run_record(book.run_id).status == "running"
    assert [(n.level, n.code, n.params) for n in notes] == [("warning", "data_changed_since_run", {"run": book.run_id})]


def test_run_metrics_keep_only_scored_splits():
    empty = EvalReport("test")
    metrics = final_metrics(tasks=("ner",), best_epoch=1, epochs_trained=2, train_documents={"ner": 3},
                            encoding={}, reports=[_report("dev"), empty])
    assert list(metrics) == ["tasks", "best_epoch", "epochs_trained", "train_documents", "encoding", "dev"]
    assert stopped_metrics(tasks=("ner",), best_epoch=None, best_metrics={}) == {"tasks": ["ner"], "best_epoch": None}
