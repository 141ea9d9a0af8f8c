"""`mtl-studio suggest / queue / train-curve` in process, on the tiny encoder."""
from __future__ import annotations

import json

import pytest

from mtl_studio.cli import main
from mtl_studio.core.active_learning import STRATEGIES
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.suggestions import document_suggestions
from project_helpers import ENGINE, SMALL, add_fake_run, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def project(tmp_path, tiny_encoder):
    path = tmp_path / "p.mtl"
    with make_project(path, SMALL) as store:
        run = add_fake_run(store, tiny_encoder, seed=5)
    return str(path), run


def test_suggest_stores_suggestions_with_split_and_limit(project, capsys):
    path, run = project
    assert main(["suggest", path, "--run", run, "--split", "train", "--limit", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run_id"] == run and report["documents"] == 2
    with ProjectStore.open(path) as store:
        train_open = sorted(set(store.document_ids("train", task="ner", labelled=False))
                            | set(store.document_ids("train", task="sentiment", labelled=False)))
        assert store.suggested_document_ids(run) == set(train_open[:2])
        assert document_suggestions(store, train_open[0]).computed


def test_suggest_names_a_missing_model_folder(project, tmp_path, capsys):
    path, _ = project
    assert main(["suggest", path, "--model", str(tmp_path / "nowhere")]) == 1
    assert "nowhere" in capsys.readouterr().err


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_queue_json_lists_ids_and_scores_best_first(project, capsys, strategy):
    path, run = project
    assert main(["queue", path, "--strategy", strategy, "--top", "3", "--split", "train", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert entries and len(entries) <= 3
    assert all({"id", "score"} <= set(e) for e in entries)
    assert [e["score"] for e in entries] == sorted((e["score"] for e in entries), reverse=True)
    with ProjectStore.open(path) as store:
        assert run in store.scored_run_ids()
        stored = [i for i, _ in store.document_scores(run, strategy)]
    assert [e["id"] for e in entries] == stored[:len(entries)]


def test_queue_plain_text_and_random_without_a_model(tmp_path, capsys):
    path = str(tmp_path / "bare.mtl")
    make_project(path, SMALL).close()
    assert main(["queue", path, "--strategy", "random", "--top", "2"]) == 0
    out = capsys.readouterr()
    assert len(out.out.strip().splitlines()) == 2 and "random order" in out.err
    assert main(["queue", path, "--strategy", "joint"]) == 1
    assert "train one first" in capsys.readouterr().err


def test_train_curve_json(tmp_path, tiny_encoder, capsys):
    path = str(tmp_path / "e.mtl")
    make_project(path, ENGINE).close()
    assert main(["train-curve", path, "--fractions", "0.5,1", "--json", "--encoder", str(tiny_encoder),
                 "--device", "cpu", "--epochs", "1", "--batch-size", "4", "--max-length", "64"]) == 0
    curve = json.loads(capsys.readouterr().out)
    assert [p["fraction"] for p in curve["points"]] == [0.5, 1.0]
    assert set(curve["points"][0]["dev"]) == {"ner", "sentiment"}
    assert curve["points"][0]["documents"] < curve["points"][1]["documents"]
    assert main(["train-curve", path, "--fractions", "2"]) == 1
