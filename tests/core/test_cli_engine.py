"""`mtl-studio train / evaluate / runs` on a tiny project with the tiny encoder (in process)."""
from __future__ import annotations

import json

import pytest
import torch

from mtl_studio.cli import main
from mtl_studio.core.store import ProjectStore
from project_helpers import ENGINE, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def project(tmp_path):
    make_project(tmp_path / "p.mtl", ENGINE).close()
    return str(tmp_path / "p.mtl")


def train_args(project, encoder, *extra):
    return ["train", project, "--encoder", str(encoder), "--device", "cpu", "--epochs", "1", "--batch-size", "4",
            "--max-length", "64", *extra]


def test_train_evaluate_runs(project, tiny_encoder, capsys, tmp_path):
    assert main(train_args(project, tiny_encoder, "--strategy", "uncertainty", "--mlm-weight", "0.1",
                           "--export", str(tmp_path / "model"))) == 0
    out, err = capsys.readouterr()
    run_id = out.strip().splitlines()[-1]
    with ProjectStore.open(project) as store:
        run = store.get_run()
    assert run_id == run["id"] and run["status"] == "completed"
    assert run["config"]["strategy"] == "uncertainty" and run["config"]["mlm_weight"] == 0.1
    assert "epoch 1 dev:" in err and "NER F1" in err
    assert (tmp_path / "model" / "model.safetensors").is_file() and (tmp_path / "model" / "README.md").is_file()

    assert main(["evaluate", project, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run"] == run_id and report["split"] == "test" and report["source"] == "stored"
    assert "f1" in report["ner"] and "f1" in report["sentiment"] and "confusion_matrix" in report["sentiment"]
    assert main(["evaluate", project, "--json", "--recompute", "--device", "cpu"]) == 0
    recomputed = json.loads(capsys.readouterr().out)
    assert recomputed["source"] == "recomputed"
    assert recomputed["ner"] == report["ner"] and recomputed["sentiment"] == report["sentiment"]
    assert main(["evaluate", project, "--split", "dev", "--run", run_id]) == 0
    assert "seqeval strict IOB2" in capsys.readouterr().out

    assert main(train_args(project, tiny_encoder, "--tasks", "ner")) == 0
    capsys.readouterr()
    assert main(["runs", project, "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert len(runs) == 2 and runs[1]["tasks"] == ["ner"] and runs[1]["sentiment_macro_f1"] is None
    assert runs[1]["soup_epochs"] == []  # a single-task run keeps its best epoch (core/weight_soup.py)
    with ProjectStore.open(project) as store:
        soup_epochs = store.run_record(run_id).soup_epochs
    assert runs[0]["soup_epochs"] == soup_epochs and (
        ("weights of epochs" in err) == bool(soup_epochs))  # the joint run says when its model is an average
    assert main(["runs", project]) == 0
    assert run_id in capsys.readouterr().out


def test_config_file_and_preset_with_overrides(project, tiny_encoder, tmp_path, capsys):
    cfg = tmp_path / "run.json"
    cfg.write_text(json.dumps({"epochs": 1, "ner_weight": 0.3, "encoder": str(tiny_encoder), "device": "cpu"}))
    assert main(["train", project, "--preset", "method", "--config", str(cfg), "--sentiment-weight", "0.7",
                 "--batch-size", "4", "--max-steps-per-epoch", "1", "--no-eval-each-epoch"]) == 0
    capsys.readouterr()
    with ProjectStore.open(project) as store:
        c = store.get_run()["config"]
    assert (c["learning_rate"], c["epochs"], c["ner_weight"], c["sentiment_weight"]) == (2e-5, 1, 0.3, 0.7)
    assert c["eval_each_epoch"] is False and c["batch_size"] == 4


def test_user_errors_are_one_line(project, tiny_encoder, tmp_path, capsys):
    assert main(["train", str(tmp_path / "missing.mtl")]) == 1
    assert "no project" in capsys.readouterr().err
    assert main(["evaluate", project]) == 1
    err = capsys.readouterr().err
    assert "no training runs" in err and "Traceback" not in err
    if not torch.cuda.is_available():
        assert main(train_args(project, tiny_encoder, "--device", "cuda")) == 1
        assert "CUDA" in capsys.readouterr().err
    assert main(train_args(project, tmp_path / "no-such-encoder")) == 1
    assert "encoder" in capsys.readouterr().err.lower()


def test_a_failed_run_exits_nonzero_and_still_prints_its_id(project, tiny_encoder, capsys, monkeypatch):
    from mtl_studio.core import losses

    real = losses.sentiment_loss_sum
    monkeypatch.setattr(losses, "sentiment_loss_sum", lambda *a, **k: (real(*a, **k)[0] * float("inf"), real(*a, **k)[1]))
    assert main(train_args(project, tiny_encoder)) == 1
    out, err = capsys.readouterr()
    assert "loss became" in err
    with ProjectStore.open(project) as store:
        assert out.strip().splitlines()[-1] == store.get_run()["id"]


def test_resume_hands_the_engine_the_stored_runs_config(project, monkeypatch, capsys):
    """`train --resume` uses the run's own config, device included: the engine picks its device before it
    reads the run, so an option on the command line must not reach it."""
    from mtl_studio.core import train as train_module
    from mtl_studio.core.config import TrainConfig
    from mtl_studio.core.events import RunFinished

    stored = TrainConfig(device="cpu", seed=21, epochs=2)
    with ProjectStore.open(project) as store:
        run_id = store.create_run(stored.to_dict())
    given = []

    def fake_train(project_path, config, *, stop, resume_run_id):  # type: ignore[no-untyped-def]
        given.append((config, resume_run_id))
        yield RunFinished(resume_run_id, "completed", 1, {}, None)

    monkeypatch.setattr(train_module, "train", fake_train)
    assert main(["train", project, "--resume", run_id, "--device", "cuda:7", "--seed", "3"]) == 0
    assert given == [(stored, run_id)]
    assert capsys.readouterr().out.strip().splitlines()[-1] == run_id
    assert main(["train", project, "--resume", "no-such-run"]) == 1
    assert "no run 'no-such-run'" in capsys.readouterr().err


def test_training_without_training_documents_says_where_they_are_and_split_fixes_it(tmp_path, tiny_encoder,
                                                                                   capsys):
    path = str(tmp_path / "dev-only.mtl")
    make_project(path, ENGINE.with_docs([(text, ents, sent, "dev") for text, ents, sent, _ in ENGINE.docs])).close()
    assert main(train_args(path, tiny_encoder)) == 1
    err = capsys.readouterr().err
    labelled = sum(1 for _, ents, sent, _ in ENGINE.docs if ents is not None or sent)
    assert f"all {labelled} labelled documents are in dev: re-split them (mtl-studio split {path}" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["split", path, "--seed", "1"]) == 0
    with ProjectStore.open(path) as store:
        assert store.labelled_counts_per_split()["train"] > 0


def test_train_says_the_planned_budget_before_it_starts(project, tiny_encoder, capsys):
    """Without --epochs/--lr the budget is planned (core/budget.py) and said before the run's first line;
    --max-steps caps it."""
    from mtl_studio.core.budget import learning_rate_for
    from mtl_studio.core.budget_preview import encoder_info
    from mtl_studio.core.config import TrainConfig

    args = ["train", project, "--encoder", str(tiny_encoder), "--device", "cpu", "--batch-size", "4",
            "--max-length", "64", "--max-steps", "3"]
    assert main(args) == 0
    err = capsys.readouterr().err
    budget = next(line for line in err.splitlines() if line.startswith("budget:"))
    assert budget.startswith("budget: about 1 epoch, 3 steps, lr ")
    assert "training documents" in budget and budget.endswith("override with --epochs/--max-steps/--lr")
    assert err.index("budget:") < err.index("run ")
    with ProjectStore.open(project) as store:
        run = store.get_run()
    lr = learning_rate_for(encoder_info(TrainConfig(encoder=str(tiny_encoder))))
    assert (run["config"]["epochs"], run["config"]["max_steps"], run["config"]["learning_rate"]) == (1, 3, lr)
    assert run["status"] == "completed"


def test_explicit_epochs_and_lr_override_the_budget(project, tiny_encoder, capsys):
    assert main(train_args(project, tiny_encoder, "--lr", "3e-5", "--max-steps-per-epoch", "2")) == 0
    err = capsys.readouterr().err
    assert "budget: 1 epoch, " in err and "lr 3e-5" in err and "fixed by the settings" in err
    with ProjectStore.open(project) as store:
        config = store.get_run()["config"]
    assert (config["epochs"], config["learning_rate"], config["max_steps"]) == (1, 3e-5, 0)


def test_epochs_and_lr_accept_auto_and_reject_words(project):
    import argparse

    from mtl_studio.commands.engine import build_config, register_engine

    parser = argparse.ArgumentParser()
    register_engine(parser.add_subparsers())
    config = build_config(parser.parse_args(["train", project, "--epochs", "auto", "--lr", "auto"]))
    assert (config.epochs, config.learning_rate) == ("auto", "auto")
    assert build_config(parser.parse_args(["train", project, "--epochs", "4"])).epochs == 4
    with pytest.raises(SystemExit):
        parser.parse_args(["train", project, "--epochs", "many"])
