"""The weight sweep: the simplex grid, the Pareto front, a real sweep on the tiny encoder (CLI, JSON,
cancellation) and the verdict of a sweep point against the sweep's baselines."""
from __future__ import annotations

import dataclasses
import json
import math
import threading

import pytest

from mtl_studio.cli import main
from mtl_studio.core.budget import MAX_EPOCHS, MIN_STEPS
from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import StepProgress
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.sweep import (SweepFinished, SweepPointFinished, baseline_scores, pareto_front, plan_sweep,
                                   run_sweep, simplex_grid, sweep_ids, sweep_results)
from project_helpers import TRAINING, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_two_task_grid_is_evenly_spaced_and_interior():
    grid = simplex_grid(("ner", "sentiment"), 3)
    assert [g["ner"] for g in grid] == [0.25, 0.5, 0.75]
    assert all(g["ner"] + g["sentiment"] == pytest.approx(1.0) for g in grid)


def test_three_task_grid_covers_the_simplex_interior():
    grid = simplex_grid(("a", "b", "c"), 3)  # resolution 4: (1,1,2) and its permutations
    assert len(grid) == 3
    assert all(sum(g.values()) == pytest.approx(1.0) and min(g.values()) > 0 for g in grid)
    assert sorted(sorted(g.values()) for g in grid) == [[0.25, 0.25, 0.5]] * 3
    assert len(simplex_grid(("a", "b", "c"), 4)) == 6  # resolution 5: C(4, 2) points


def test_pareto_front_keeps_the_undominated_points():
    scores = [(0.9, 0.1), (0.5, 0.5), (0.4, 0.4), (0.1, 0.9), (0.5, 0.5), (0.2, 0.95)]
    assert pareto_front(scores) == [True, True, False, False, True, True]


def test_plan_labels_weights_strategies_and_baselines():
    plan = plan_sweep(("ner", "sentiment"), 2, ["uncertainty", "fixed"], baselines=True)
    assert [p.label for p in plan] == ["ner 0.33 / sentiment 0.67", "ner 0.67 / sentiment 0.33", "uncertainty",
                                       "ner only", "sentiment only"]
    assert plan[2].weights == {"ner": 0.5, "sentiment": 0.5}


@pytest.fixture
def project(tmp_path):
    make_project(tmp_path / "s.mtl", TRAINING).close()
    return str(tmp_path / "s.mtl")


def test_cli_sweep_json_marks_the_front_and_the_verdict_uses_its_baselines(project, tiny_encoder, capsys,
                                                                           tmp_path):
    args = ["sweep", project, "--points", "3", "--epochs", "1", "--baselines", "--json", "--encoder",
            str(tiny_encoder), "--device", "cpu", "--batch-size", "8", "--max-length", "64"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "estimate:" in err and "s/step" in err
    result = json.loads(out)
    points = result["points"]
    assert result["status"] == "completed" and len(points) == 5
    assert [p["weights"] for p in points[:3]] == [{"ner": w, "sentiment": 1 - w} for w in (0.25, 0.5, 0.75)]
    joint = [p for p in points if p["baseline_task"] is None]
    assert all(set(p["dev"]) == {"ner", "sentiment"} for p in joint)
    expected = pareto_front([(p["dev"]["ner"], p["dev"]["sentiment"]) for p in joint])
    assert [p["on_front"] for p in joint] == expected and any(expected)
    assert [p["baseline_task"] for p in points[3:]] == ["ner", "sentiment"]
    assert not any(p["on_front"] for p in points[3:])
    with ProjectStore.open(project) as store:
        runs = store.run_records()
        assert len(runs) == 5  # the estimate's probe run left no trace
        assert {r.config["sweep_id"] for r in runs} == {result["sweep_id"]}
        assert sweep_ids(store) == [result["sweep_id"]]
        assert set(baseline_scores(sweep_results(store, result["sweep_id"]))) == {"ner", "sentiment"}

    # The meter ran in the joint runs at its default interval (step 1 is a meter step): `runs` summarises it.
    assert main(["runs", project, "--json"]) == 0
    summaries = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert all(summaries[p["run_id"]]["conflict_mean_cosine"] is not None for p in joint)
    assert all(summaries[p["run_id"]]["conflict_negative_share"] is None for p in points[3:])
    assert main(["runs", project]) == 0 and "grad_cos" in capsys.readouterr().out

    assert main(["evaluate", project, "--json", "--run", joint[0]["run_id"]]) == 0
    verdict = json.loads(capsys.readouterr().out)["verdict"]
    assert set(verdict["tasks"]) == {"ner", "sentiment"} and verdict["sentence"].startswith("Joint training")
    assert verdict["tasks"]["ner"]["baseline_run"] == points[3]["run_id"]
    assert main(["export-model", project, joint[0]["run_id"], str(tmp_path / "m")]) == 0
    card = (tmp_path / "m" / "README.md").read_text()
    assert "## Did joint training help?" in card and verdict["sentence"] in card


def test_a_cancelled_sweep_keeps_the_finished_runs(project, tiny_encoder):
    base = TrainConfig(encoder=str(tiny_encoder), device="cpu", batch_size=8, epochs=1, max_length=64)
    stop = threading.Event()
    seen_first = False
    finished: SweepFinished | None = None
    statuses = []
    for ev in run_sweep(project, plan_sweep(base.tasks, 3), base, stop=stop):
        if isinstance(ev, SweepPointFinished):
            statuses.append(ev.status)
            seen_first = True
        elif isinstance(ev, StepProgress) and seen_first:
            stop.set()  # during the second run
        elif isinstance(ev, SweepFinished):
            finished = ev
    assert statuses == ["completed", "stopped"]
    assert finished is not None and finished.status == "stopped"
    assert [r.status for r in finished.results] == ["completed", "stopped"]
    assert finished.results[0].on_front and not finished.results[1].on_front  # a stopped run has no dev scores


def test_the_estimate_counts_each_runs_own_planned_steps(tmp_path, monkeypatch):
    """On a partially labelled project each task gets its own run's passes and a task that needs fewer
    epochs is left out of the later ones, and a baseline trains one task's documents: the estimate
    counts the steps each run will take, not the first epoch's steps times the epochs."""
    from mtl_studio.core.sweep import estimate_sweep
    from mtl_studio.core.throughput import record_throughput

    monkeypatch.setenv("MTL_STUDIO_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    ner_only = [(f"Firm{i} opened in Berlin .", [(f"Firm{i}", "ORG")], None, "train") for i in range(200)]
    sentiment_only = [(f"Sales were weak {i} .", None, "negative", "train") for i in range(40)]
    store = make_project(tmp_path / "p.mtl", TRAINING.with_docs(ner_only + sentiment_only))
    store.close()
    record_throughput("some-encoder", "cpu", 4.0)  # half a second per batch of 2
    base = TrainConfig(encoder="some-encoder", device="cpu", epochs="auto", batch_size=2)
    plan = plan_sweep(("ner", "sentiment"), 2, (), baselines=True)

    def no_probe(*args, **kwargs):
        raise AssertionError("a recorded speed needs no probe run")

    est = estimate_sweep(store.path, plan, base, trainer=no_probe)
    # NER: 100 batches, ceil(MIN_STEPS / 100) = 16 epochs; sentiment: 20 batches, MAX_EPOCHS (20).
    ner_epochs = -(-MIN_STEPS // 100)
    assert ner_epochs < MAX_EPOCHS
    joint = 100 * ner_epochs + 20 * MAX_EPOCHS  # NER's batches only in the first 16 epochs
    assert est.steps_per_run == joint < 120 * MAX_EPOCHS
    assert est.total_steps == 2 * joint + 100 * ner_epochs + 20 * MAX_EPOCHS  # two joint points, two baselines
    assert est.runs == 4
    assert est.total_seconds == pytest.approx(est.total_steps * 0.5 + est.evaluation_seconds)


def _probe_trainer(run_id: str, step_seconds: float):
    """A stand-in for core.train.train: a run start, then steps that each take `step_seconds`."""
    import time

    from mtl_studio.core.events import RunStarted

    def trainer(project, config, stop):
        yield RunStarted(run_id, config.to_dict(), "cpu", "fp32", {"ner": 10}, 20)
        for step in range(1, 10):
            time.sleep(step_seconds)
            yield StepProgress(step, 20, 1, {}, {}, 0.0, 0.0, 0.0)
            if stop.is_set():
                return

    return trainer


def test_the_estimate_prefers_the_speed_finished_runs_recorded_here(tmp_path, monkeypatch):
    """A probe's first steps pay for warm-up (one sweep's probe said 9.6 s/step, its runs took 0.64): a
    speed recorded by finished runs on this machine wins over it; without one the probe decides."""
    from mtl_studio.core.sweep import estimate_sweep
    from mtl_studio.core.throughput import record_throughput

    monkeypatch.setenv("MTL_STUDIO_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    store = make_project(tmp_path / "p.mtl", TRAINING)
    base = TrainConfig(encoder="some-encoder", epochs=2, batch_size=16)
    plan = plan_sweep(("ner", "sentiment"), 3, ())
    probe_run = store.create_run(base.to_dict())
    est = estimate_sweep(store.path, plan, base, trainer=_probe_trainer(probe_run, 0.05))
    assert not est.from_finished_runs and 0.04 <= est.step_seconds < 0.5
    train_docs = store.labelled_counts_per_split(["ner", "sentiment"])["train"]
    assert est.steps_per_run == 2 * math.ceil(train_docs / 16) and est.runs == len(plan)  # the planned 2 epochs
    assert probe_run not in [r.id for r in store.run_records()]  # the probe leaves no trace

    record_throughput("some-encoder", "cpu", 32.0)  # 32 documents/s: half a second per batch of 16

    def no_probe(*args, **kwargs):
        raise AssertionError("a recorded speed needs no probe run")

    cpu = dataclasses.replace(base, device="cpu")
    est = estimate_sweep(store.path, plan, cpu, trainer=no_probe)
    assert est.from_finished_runs and est.step_seconds == 0.5
    assert est.steps_per_run == 2 * math.ceil(train_docs / 16)  # the planned budget: 2 epochs
    assert est.total_seconds >= len(plan) * est.steps_per_run * 0.5
    auto = estimate_sweep(store.path, plan, dataclasses.replace(cpu, epochs="auto"), trainer=no_probe)
    assert auto.steps_per_run >= min(MIN_STEPS, MAX_EPOCHS * math.ceil(train_docs / 16))  # what core.budget plans
    store.close()
