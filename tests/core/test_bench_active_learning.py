"""bench/active_learning.py --report: the table from rounds stored by several processes of one protocol
(one per strategy, say), each round once, and a strategy cut short judged on the labels it reached."""
from __future__ import annotations

import json

from bench_modules import bench_module


def _round(strategy: str, labels: int, ner: float, sent: float) -> dict:
    return {"strategy": strategy, "seed": 0, "labels": labels, "ner_f1": ner, "sentiment_f1": sent,
            "train_seconds": 1.0, "select_seconds": 0.0}


def test_the_report_joins_files_keeps_each_round_once_and_names_where_a_strategy_stopped(tmp_path, capsys):
    al = bench_module('active_learning')
    both = [_round("random", 200, 0.5, 0.5), _round("joint", 200, 0.5, 0.5), _round("random", 400, 0.6, 0.6),
            _round("joint", 400, 0.75, 0.65)]
    random_only = [_round("random", 200, 0.5, 0.5), _round("random", 400, 0.6, 0.6), _round("random", 600, 0.7, 0.7)]
    paths = []
    for name, rows in (("both", both), ("random", random_only)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps({"results": rows}))
    rounds = al.stored_rounds([str(p) for p in paths])
    assert sorted((r.strategy, r.labels) for r in rounds) == [
        ("joint", 200), ("joint", 400), ("random", 200), ("random", 400), ("random", 600)]
    out_json = tmp_path / "joined.json"
    assert al.main(["--report", *map(str, paths), "--json", str(out_json)]) == 0
    table = capsys.readouterr().out
    assert "| joint | 400 | 0.7500 | 0.6500 | – |" in table  # rounds stored without their budget
    # Random's 600-label score (0.7 / 0.7): joint passes it on NER at 400, not on sentiment by its last round.
    assert "| joint | 400 | not within 400 | not within 400 |" in table
    assert "Mean over seeds: random 1, joint 1" in table
    joined = json.loads(out_json.read_text())
    assert joined["labels_to_reach_random_final"]["joint"] == {"ner": 400, "sentiment": None, "both": None}


def test_first_seed_runs_the_later_repetitions_of_a_protocol(monkeypatch, tmp_path):
    # A second seed run in another process: its rounds carry seed numbers of their own, so --report can
    # join them with the first process's seed 0 (and average per label count over the seeds).
    al = bench_module('active_learning')
    made = []

    class FakeSimulation:
        def __init__(self, strategy, seed, args, data, folder):
            made.append((strategy, seed))
            self.strategy, self.seed = strategy, seed

        def round(self, last):
            return al.RoundResult(self.strategy, self.seed, 200, 0.5, 0.5, 1.0, 0.0)

    monkeypatch.setattr(al, "Simulation", FakeSimulation)
    monkeypatch.setattr(al, "data_dir", lambda d: tmp_path)
    assert al.main(["--strategies", "random", "--seeds", "2", "--first-seed", "1", "--rounds", "0"]) == 0
    assert made == [("random", 1), ("random", 2)]


def test_a_round_trains_with_the_default_budget_and_records_it(tmp_path, tiny_encoder):
    """A round's row says what the default settings planned and ran: steps, epochs, best epoch and the
    training documents per task (the issue: "state the budget")."""
    import argparse

    from project_helpers import ENGINE, make_project

    al = bench_module('active_learning')
    project = tmp_path / "round.mtl"
    make_project(project, ENGINE).close()
    args = argparse.Namespace(epochs=2, lr="auto", device="cpu", max_length=64, encoder=str(tiny_encoder))
    row = al.train_round(project, args)
    assert row["status"] in ("completed", "early_stopped") and row["run_id"]
    assert 0 < row["steps"] <= row["planned_steps"] and row["epochs_trained"] in (1, 2)
    assert row["train_documents"] and set(row["train_documents"]) <= {"ner", "sentiment"}
    result = al.RoundResult("random", 0, 14, row["ner_f1"], row["sentiment_macro_f1"], 1.0, 0.0, row["steps"],
                            row["planned_steps"], row["epochs_trained"], row["best_epoch"], row["train_documents"])
    assert al.budget_text([result], "random", 14) == (
        f"{row['steps']:,} / {row['planned_steps']:,}, {row['epochs_trained']} ep")
