"""The training generator on a tiny random encoder: partial labels, stop, resume, NaN, single task."""
from __future__ import annotations

import json
import threading

import pytest
import torch
from safetensors.torch import load_file

from mtl_studio.core import losses as loss_module
from mtl_studio.core.artifacts import load_model_folder
from mtl_studio.core.config import TrainConfig
from mtl_studio.core.errors import TrainingError
from mtl_studio.core.events import EpochEvaluated, LogMessage, RunFinished, RunStarted, StepProgress
from mtl_studio.core.schema import Document, SentimentLabel
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.train import train
from mtl_studio.core.tokenize import tokenize
from project_helpers import ENGINE, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Partially labelled data of two kinds: NER-only and sentiment-only documents of one length (so length
# grouping alone does not separate them), none with both.
TWO_KIND_DOCS = [(f"apple rose in berlin {i}", [("apple", "ORG")], None, "train") for i in range(8)] + \
                [(f"shares fell in london {i}", None, "negative", "train") for i in range(8)] + \
                [("nokia cut jobs", [("nokia", "ORG")], "negative", "dev")]


@pytest.fixture
def project(tmp_path):
    make_project(tmp_path / "p.mtl", ENGINE).close()
    return tmp_path / "p.mtl"


def config(encoder, **kw) -> TrainConfig:
    base = dict(encoder=str(encoder), device="cpu", batch_size=4, epochs=2, max_length=64,
                early_stopping_patience=0, seed=3)
    base.update(kw)
    return TrainConfig(**base)


def run_all(project, cfg, **kw) -> list:
    return list(train(project if isinstance(project, ProjectStore) else str(project), cfg, **kw))


def test_joint_training_with_partial_labels_records_everything(project, tiny_encoder):
    events = run_all(project, config(tiny_encoder, mlm_weight=0.1, l2sp_weight=0.01, strategy="fixed"))
    started, finished = events[0], events[-1]
    assert isinstance(started, RunStarted) and isinstance(finished, RunFinished)
    assert finished.status == "completed", finished.message
    assert started.train_documents == {"ner": 6, "sentiment": 8}
    steps = [e for e in events if isinstance(e, StepProgress)]
    # 12 training documents in one-kind batches of 4: 2 with both tasks, 4 NER-only, 6 sentiment-only.
    assert len(steps) == started.total_steps == 2 * (1 + 1 + 2)
    assert any(set(s.losses) >= {"ner", "sentiment"} for s in steps)
    assert any("ner" in s.losses and "sentiment" not in s.losses for s in steps)
    assert any("sentiment" in s.losses and "ner" not in s.losses for s in steps)
    assert {"total", "mlm", "l2sp"} <= set().union(*(s.losses for s in steps))
    assert all(s.weights == {"ner": 0.5, "sentiment": 0.5} for s in steps)
    assert all(s.samples_per_second > 0 and s.learning_rate >= 0 for s in steps)
    evaluated = [e for e in events if isinstance(e, EpochEvaluated)]
    assert [e.epoch for e in evaluated] == [1, 2] and evaluated[0].is_best
    assert {"ner", "sentiment"} <= set(finished.metrics["dev"]) and "test" in finished.metrics

    with ProjectStore.open(project) as store:
        run = store.get_run(finished.run_id)
        assert run["status"] == "completed" and run["config"]["mlm_weight"] == 0.1
        assert [e["epoch"] for e in run["epochs"]] == [1, 2] and "dev" in run["epochs"][0]
        assert run["metrics"]["test"]["ner"]["f1"] == finished.metrics["test"]["ner"]["f1"]
        test_ids = store.document_ids("test")
        predicted = [store.get_document(i, sources=("gold", "predicted"), run_id=finished.run_id) for i in test_ids]
        assert all(d.other_sentiments and d.other_sentiments[0].source == "predicted" for d in predicted)
        assert all(s.run_id == finished.run_id for d in predicted for s in d.other_spans)

    run_dir = project.with_name(project.name + ".runs") / finished.run_id
    assert finished.artefact_dir == str(run_dir)
    assert not (run_dir / "last").exists()  # a completed run needs no resume point
    loaded = load_model_folder(run_dir / "best")
    assert loaded.labels["ner_tags"] == ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-PER", "I-PER"]
    assert loaded.labels["sentiment_classes"] == ["negative", "neutral", "positive"]
    assert loaded.tasks == ("ner", "sentiment")
    assert not list(run_dir.rglob("*.bin")) and not list(run_dir.rglob("*.pt"))


@pytest.mark.parametrize("strategy", ["uncertainty", "dwa", "gradnorm", "pcgrad"])
def test_every_strategy_trains(project, tiny_encoder, strategy):
    events = run_all(project, config(tiny_encoder, strategy=strategy, epochs=3, max_steps_per_epoch=2))
    assert events[-1].status == "completed", events[-1].message
    steps = [e for e in events if isinstance(e, StepProgress)]
    if strategy in ("uncertainty", "gradnorm"):
        assert steps[-1].weights != steps[0].weights  # learned weights move
    if strategy == "gradnorm":
        assert sum(steps[-1].weights.values()) == pytest.approx(1.0, abs=1e-5)


def test_batches_keep_one_label_kind_except_for_gradient_strategies(tmp_path, tiny_encoder):
    tasks_per_step = {}
    for strategy in ("fixed", "pcgrad"):
        path = tmp_path / f"{strategy}.mtl"
        make_project(path, ENGINE.with_docs(TWO_KIND_DOCS)).close()
        events = run_all(path, config(tiny_encoder, strategy=strategy, epochs=1, batch_size=8))
        assert events[-1].status == "completed", events[-1].message
        tasks_per_step[strategy] = [set(t for t in e.losses if t in ("ner", "sentiment"))
                                    for e in events if isinstance(e, StepProgress)]
    # Weighted strategies: each batch is one kind, so each task's loss is a mean over a full batch.
    assert all(len(t) == 1 for t in tasks_per_step["fixed"])
    # PCGrad compares the tasks' gradients within a step: it must see both tasks in a step.
    assert any(t == {"ner", "sentiment"} for t in tasks_per_step["pcgrad"])


def test_single_task_baseline(project, tiny_encoder):
    events = run_all(project, config(tiny_encoder, tasks=("sentiment",), strategy="uncertainty", epochs=1))
    finished = events[-1]
    assert finished.status == "completed"
    assert events[0].train_documents == {"sentiment": 8}
    assert "ner" not in finished.metrics["dev"] and "sentiment" in finished.metrics["dev"]
    assert all(set(e.weights) == {"sentiment"} for e in events if isinstance(e, StepProgress))
    assert load_model_folder(finished.artefact_dir + "/best").tasks == ("sentiment",)


def test_stop_within_one_step_keeps_a_resumable_checkpoint(project, tiny_encoder):
    stop = threading.Event()
    steps = []
    for ev in train(str(project), config(tiny_encoder), stop=stop):
        if isinstance(ev, StepProgress):
            steps.append(ev.step)
            if ev.step == 2:
                stop.set()
        finished = ev
    assert steps == [1, 2]
    assert finished.status == "stopped" and "--resume" in finished.message
    run_dir = project.with_name(project.name + ".runs") / finished.run_id
    assert (run_dir / "last" / "optimizer.pt").is_file()
    state = json.loads((run_dir / "last" / "trainer_state.json").read_text())
    assert state["state"]["global_step"] == 2
    with ProjectStore.open(project) as store:
        assert store.get_run(finished.run_id)["status"] == "stopped"


# 4 steps per epoch: 2 = inside the first epoch (no checkpoint before the stop's own); 4 = right before the
# evaluation; 6 = mid-epoch
@pytest.mark.parametrize("stop_at", [2, 4, 6])
def test_resume_equals_uninterrupted(tmp_path, tiny_encoder, stop_at):
    # Dropout, MLM masking and learned weights all consume or carry state that must be restored.
    cfg = config(tiny_encoder, strategy="uncertainty", mlm_weight=0.2, dropout=0.2, epochs=3)
    a_path, b_path = tmp_path / "a.mtl", tmp_path / "b.mtl"
    make_project(a_path, ENGINE).close()
    make_project(b_path, ENGINE).close()
    full = run_all(a_path, cfg)
    assert full[-1].status == "completed"

    stop = threading.Event()
    for ev in train(str(b_path), cfg, stop=stop):
        if isinstance(ev, StepProgress) and ev.step == stop_at:
            stop.set()
        first = ev
    assert first.status == "stopped"
    resumed = run_all(b_path, TrainConfig(), resume_run_id=first.run_id)  # the run's own config is used
    assert resumed[-1].status == "completed" and resumed[-1].run_id == first.run_id
    resumed_steps = [e.step for e in resumed if isinstance(e, StepProgress)]
    assert full[0].total_steps == 12
    assert resumed_steps[0] == stop_at + 1 and resumed_steps[-1] == 12

    full_losses = [e.losses for e in full if isinstance(e, StepProgress)][stop_at:]
    resumed_losses = [e.losses for e in resumed if isinstance(e, StepProgress)]
    for x, y in zip(full_losses, resumed_losses):
        assert x == pytest.approx(y, rel=1e-5, abs=1e-6)
    wa = load_file(full[-1].artefact_dir + "/best/model.safetensors")
    wb = load_file(resumed[-1].artefact_dir + "/best/model.safetensors")
    assert wa.keys() == wb.keys()
    for k in wa:
        torch.testing.assert_close(wa[k], wb[k], rtol=1e-5, atol=1e-6)
    assert full[-1].metrics["test"] == resumed[-1].metrics["test"]
    with ProjectStore.open(b_path) as store:
        assert [e["epoch"] for e in store.get_run(first.run_id)["epochs"]] == [1, 2, 3]


def test_nan_loss_ends_the_run_with_a_clear_message(project, tiny_encoder, monkeypatch):
    real = loss_module.ner_loss_sum

    def nan_loss(*args, **kwargs):
        total, count = real(*args, **kwargs)
        return total * float("nan"), count

    monkeypatch.setattr(loss_module, "ner_loss_sum", nan_loss)
    events = run_all(project, config(tiny_encoder))
    finished = events[-1]
    assert finished.status == "failed"
    assert "nan" in finished.message and "learning rate" in finished.message
    assert any(isinstance(e, LogMessage) and e.level == "error" for e in events)
    assert len([e for e in events if isinstance(e, StepProgress)]) == 0  # stopped before any update
    with ProjectStore.open(project) as store:
        run = store.get_run(finished.run_id)
        assert run["status"] == "failed" and "nan" in run["message"]


def test_missing_device_is_a_clear_error(project, tiny_encoder):
    if torch.cuda.is_available():
        pytest.skip("CUDA is present")
    with pytest.raises(TrainingError, match="CUDA"):
        next(train(str(project), config(tiny_encoder, device="cuda")))


def test_no_labelled_training_data_is_a_clear_error(tmp_path, tiny_encoder):
    store = ProjectStore.create(tmp_path / "empty.mtl")
    store.add_entity_type("ORG")
    store.add_document(Document(text="Apple rose", tokens=tokenize("Apple rose"), split="train"))
    with pytest.raises(TrainingError, match="no training documents are labelled"):
        next(train(store, config(tiny_encoder)))
    assert store.list_runs() == []  # nothing recorded for a run that never started


def test_silver_labels_enter_training_only_with_their_weight(project, tiny_encoder):
    with ProjectStore.open(project) as store:
        doc_id = next(i for i in store.document_ids("train")
                      if not store.get_document(i).ner_labelled and store.get_document(i).sentiment is None)
        store.replace_model_annotations(doc_id, "silver", "20260101-000000-aaaaaa", [],
                                        SentimentLabel("positive", "silver", 0.99))
    without = run_all(project, config(tiny_encoder, epochs=1))
    with_silver = run_all(project, config(tiny_encoder, epochs=1, silver_weight=0.5))
    assert without[0].train_documents["sentiment"] + 1 == with_silver[0].train_documents["sentiment"]
    assert any(isinstance(e, LogMessage) and "silver" in e.text for e in with_silver)


def test_long_documents_train_in_windows(tmp_path, tiny_encoder):
    store = make_project(tmp_path / "long.mtl", ENGINE)
    text = " ".join(["Apple rose in Berlin ."] * 30)
    from mtl_studio.core.schema import Span
    spans = [Span(i * 23, i * 23 + 5, "ORG") for i in range(30)]
    store.add_document(Document(text=text, tokens=tokenize(text), spans=spans, ner_labelled=True,
                                sentiment=SentimentLabel("positive"), split="train"))
    events = run_all(store, config(tiny_encoder, epochs=1, max_length=32))
    assert events[-1].status == "completed"
    assert any(isinstance(e, LogMessage) and "windows" in e.text for e in events)


def test_out_of_memory_suggests_a_smaller_batch(project, tiny_encoder, monkeypatch):
    from mtl_studio.core.train import Trainer

    def oom(self, batch):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(Trainer, "_step", oom)
    finished = run_all(project, config(tiny_encoder, batch_size=8))[-1]
    assert finished.status == "failed"
    assert "out of memory" in finished.message and "--batch-size" in finished.message and "4" in finished.message


def test_early_stopping_keeps_the_best_epoch(project, tiny_encoder, monkeypatch):
    from mtl_studio.core.evaluate import EvalReport, sentiment_scores
    from mtl_studio.core.train import Trainer

    real = Trainer._evaluate
    dev_scores = iter([0.6, 0.5, 0.4, 0.3])  # epoch 1 is the best; patience 2 stops after epoch 3

    def fake_dev(self, docs, split, tasks, *, stop=None):
        if stop is None:  # the final evaluation of the best model: the real one
            return real(self, docs, split, tasks, stop=stop)
        acc = next(dev_scores)
        report = EvalReport("dev", sentiment=sentiment_scores(["a"] * 10, ["a"] * int(acc * 10) + ["b"] * (10 - int(acc * 10)),
                                                              ["a", "b"]))
        return report, []

    monkeypatch.setattr(Trainer, "_evaluate", fake_dev)
    # weight_soup off: the scripted scores are one per epoch, none for the soup's trials at the end.
    events = run_all(project, config(tiny_encoder, epochs=5, early_stopping_patience=2, weight_soup=False))
    finished = events[-1]
    assert finished.status == "early_stopped" and finished.best_epoch == 1
    assert [e.is_best for e in events if isinstance(e, EpochEvaluated)] == [True, False, False]
    assert any(isinstance(e, LogMessage) and "early stopping" in e.text for e in events)
    with ProjectStore.open(project) as store:
        run = store.get_run(finished.run_id)
        assert run["status"] == "early_stopped" and run["metrics"]["best_epoch"] == 1
        assert len(run["epochs"]) == 3


def test_the_auto_budget_plans_the_run_and_early_stopping_keeps_its_best_epoch(project, tiny_encoder, monkeypatch):
    """Default epochs and lr: the run gets the planned steps (many short epochs on a tiny project), and
    early stopping (default patience) ends it after the dev score stopped improving, keeping the best."""
    from mtl_studio.core.budget import MAX_EPOCHS, learning_rate_for
    from mtl_studio.core.budget_preview import encoder_info
    from mtl_studio.core.evaluate import EvalReport, sentiment_scores
    from mtl_studio.core.train import Trainer

    real = Trainer._evaluate
    dev_scores = iter([0.3, 0.6, 0.5, 0.5, 0.4])  # epoch 2 is the best; patience 3 stops after epoch 5

    def fake_dev(self, docs, split, tasks, *, stop=None):
        if stop is None:
            return real(self, docs, split, tasks, stop=stop)
        right = int(next(dev_scores) * 10)
        return EvalReport("dev", sentiment=sentiment_scores(["a"] * 10, ["a"] * right + ["b"] * (10 - right),
                                                            ["a", "b"])), []

    monkeypatch.setattr(Trainer, "_evaluate", fake_dev)
    cfg = TrainConfig(encoder=str(tiny_encoder), device="cpu", batch_size=4, max_length=64, seed=3,
                      weight_soup=False)  # the scripted scores are one per epoch, none for the soup's trials
    assert (cfg.epochs, cfg.learning_rate, cfg.early_stopping_patience) == ("auto", "auto", 3)
    events = run_all(project, cfg)
    started, finished = events[0], events[-1]
    steps_per_epoch = started.budget["steps_per_epoch"]
    assert started.budget["epochs"] == MAX_EPOCHS and started.total_steps == MAX_EPOCHS * steps_per_epoch
    assert started.config["epochs"] == MAX_EPOCHS  # the run's config holds the planned numbers
    lr = learning_rate_for(encoder_info(cfg))
    assert started.config["learning_rate"] == started.budget["learning_rate"] == lr
    assert finished.status == "early_stopped" and finished.best_epoch == 2
    assert sum(isinstance(e, StepProgress) for e in events) == 5 * steps_per_epoch
    assert load_model_folder(finished.artefact_dir + "/best", device="cpu").config["epoch"] == 2


def test_stop_during_the_dev_evaluation_resumes_with_that_evaluation(tmp_path, tiny_encoder, monkeypatch):
    import mtl_studio.core.train as train_module

    cfg = config(tiny_encoder, epochs=2)
    a_path, b_path = tmp_path / "a.mtl", tmp_path / "b.mtl"
    make_project(a_path, ENGINE).close()
    make_project(b_path, ENGINE).close()
    full = run_all(a_path, cfg)

    stop = threading.Event()
    real = train_module.evaluate_model

    def stop_then_evaluate(*args, **kwargs):
        if kwargs.get("stop") is stop:
            stop.set()  # the user presses Stop while epoch 1 is being evaluated
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "evaluate_model", stop_then_evaluate)
    first = run_all(b_path, cfg, stop=stop)
    assert first[-1].status == "stopped"
    assert not [e for e in first if isinstance(e, EpochEvaluated)]
    monkeypatch.setattr(train_module, "evaluate_model", real)
    resumed = run_all(b_path, cfg, resume_run_id=first[-1].run_id)
    assert [e.epoch for e in resumed if isinstance(e, EpochEvaluated)] == [1, 2]
    assert resumed[-1].status == "completed"
    assert resumed[-1].metrics["test"] == full[-1].metrics["test"]
    wa = load_file(full[-1].artefact_dir + "/best/model.safetensors")
    wb = load_file(resumed[-1].artefact_dir + "/best/model.safetensors")
    for k in wa:
        torch.testing.assert_close(wa[k], wb[k], rtol=1e-5, atol=1e-6)


def test_a_partially_labelled_project_gives_each_task_the_passes_of_its_own_run(tmp_path, tiny_encoder,
                                                                                 monkeypatch):
    """Auto budget, 24 NER-only + 8 sentiment-only documents (batches of 4: 6 + 2 a full epoch). With the
    minimum at 60 steps NER alone would train 10 epochs, sentiment alone 20 (the cap): the run trains 20,
    the first 10 with all 6 NER batches and both sentiment batches, the last 10 with the sentiment
    batches only, so by any epoch each task has had the passes of its own run by then. The preview says
    the same budget before the run; the stored config keeps the plan."""
    from mtl_studio.core import budget
    from mtl_studio.core.budget_preview import preview_budget

    monkeypatch.setattr(budget, "MIN_STEPS", 60)
    path = _partially_labelled_project(tmp_path / "partial.mtl")
    cfg = config(tiny_encoder, epochs="auto", eval_each_epoch=False, strategy="fixed")
    with ProjectStore.open(path) as store:
        preview = preview_budget(store, cfg)
    events = run_all(path, cfg)
    started, finished = events[0], events[-1]
    assert finished.status == "completed", finished.message
    assert preview.plan.epochs == 20 and started.total_steps == preview.plan.steps == 10 * (6 + 2) + 10 * 2
    assert not preview.plan.capped
    steps = [e for e in events if isinstance(e, StepProgress)]
    assert len(steps) == 100
    for epoch in range(1, 21):
        in_epoch = [s for s in steps if s.epoch == epoch]
        assert sum("ner" in s.losses for s in in_epoch) == (6 if epoch <= 10 else 0)
        assert sum("sentiment" in s.losses for s in in_epoch) == 2
    assert sum("ner" in s.losses for s in steps) == 60  # 10 passes over the 6 NER batches, as NER alone
    with ProjectStore.open(path) as store:
        stored = store.run_record().config
    assert stored["epochs"] == 20 and stored["task_epochs"] == {"ner": 10, "sentiment": 20}


def _partially_labelled_project(path):
    """24 NER-only + 8 sentiment-only training documents (the tests of per-task passes)."""
    with ProjectStore.create(path) as store:
        store.add_entity_type("ORG")
        for c in ("negative", "positive"):
            store.add_sentiment_class(c)
        with store.bulk():
            for i in range(24):
                text = f"Acme {i} opened a plant ."
                store.add_document(Document(text=text, tokens=tokenize(text), ner_labelled=True, split="train",
                                            spans=[]))
            for i in range(8):
                text = f"profit {i} rose sharply ."
                store.add_document(Document(text=text, tokens=tokenize(text), split="train",
                                            sentiment=SentimentLabel("positive" if i % 2 else "negative")))
    return path


@pytest.mark.parametrize("stop_at", [12, 85])
def test_a_resumed_run_keeps_its_per_task_passes(tmp_path, tiny_encoder, monkeypatch, stop_at):
    """Stopped in its second epoch (8 steps each while NER is trained) or in its thirteenth (2 steps
    each once NER has had its 10 passes) and resumed with the stored planned config, whose epochs are
    now a number: the same batches in the same order as the run that was not interrupted."""
    from mtl_studio.core import budget

    monkeypatch.setattr(budget, "MIN_STEPS", 60)
    cfg = config(tiny_encoder, epochs="auto", eval_each_epoch=False, strategy="fixed")
    full = run_all(_partially_labelled_project(tmp_path / "a.mtl"), cfg)
    stop = threading.Event()
    for ev in train(str(_partially_labelled_project(tmp_path / "b.mtl")), cfg, stop=stop):
        if isinstance(ev, StepProgress) and ev.step == stop_at:
            stop.set()
        first = ev
    assert first.status == "stopped"
    resumed = run_all(tmp_path / "b.mtl", TrainConfig(), resume_run_id=first.run_id)
    assert resumed[-1].status == "completed"
    full_steps = [e for e in full if isinstance(e, StepProgress)]
    resumed_steps = [e for e in resumed if isinstance(e, StepProgress)]
    assert [e.step for e in resumed_steps] == list(range(stop_at + 1, 101))
    assert resumed_steps[0].epoch == (2 if stop_at == 12 else 13)
    for x, y in zip(full_steps[stop_at:], resumed_steps):
        assert (x.epoch, set(x.losses)) == (y.epoch, set(y.losses))
        assert x.losses == pytest.approx(y.losses, rel=1e-5, abs=1e-6)


def test_moments_per_label_kind_change_only_a_partially_labelled_run(tmp_path, tiny_encoder):
    def best_weights(path, **kw):
        make_project(path, ENGINE).close()
        events = run_all(path, config(tiny_encoder, strategy="fixed", **kw))
        assert events[-1].status == "completed", events[-1].message
        return load_file(events[-1].artefact_dir + "/best/model.safetensors")

    def same(a, b) -> bool:
        return all(torch.equal(a[k], b[k]) for k in a)

    # ENGINE has three label kinds (both tasks, NER only, sentiment only): the steps differ.
    per_kind = best_weights(tmp_path / "a.mtl")
    shared = best_weights(tmp_path / "b.mtl", moments_per_kind=False)
    assert not same(per_kind, shared)
    # One task: one kind, one state, exactly AdamW.
    one = best_weights(tmp_path / "c.mtl", tasks=("sentiment",))
    one_shared = best_weights(tmp_path / "d.mtl", tasks=("sentiment",), moments_per_kind=False)
    assert same(one, one_shared)


def test_a_stopped_partially_labelled_run_checkpoints_the_moments_of_every_kind(project, tiny_encoder):
    stop = threading.Event()
    for ev in train(str(project), config(tiny_encoder, strategy="fixed"), stop=stop):
        if isinstance(ev, StepProgress) and ev.step == 4:  # one epoch: every kind has stepped
            stop.set()
        finished = ev
    assert finished.status == "stopped"
    saved = torch.load(project.with_name(project.name + ".runs") / finished.run_id / "last" / "optimizer.pt",
                       weights_only=True)
    assert set(saved["optimizer"]["kind_states"]) == {"ner+sentiment", "ner", "sentiment"}


def test_learned_weights_do_not_set_the_step_sizes_of_one_kind_steps(tmp_path, tiny_encoder, monkeypatch):
    """Uncertainty weighting on two kinds: each kind's step keeps the user's 0.8 / 0.2 ratio (1.6 and 0.4
    of the learning rate) while the learned weights move (they grow as 1/loss and would hand the task
    that fits best ever larger steps)."""
    from mtl_studio.core.kind_optimizer import KindAdamW

    scales: dict[str, set[float]] = {}
    select = KindAdamW.select

    def recording(self, kind, lr_scale=1.0):
        scales.setdefault(kind, set()).add(round(float(lr_scale), 6))
        return select(self, kind, lr_scale)

    monkeypatch.setattr(KindAdamW, "select", recording)
    path = tmp_path / "uncertainty.mtl"
    make_project(path, ENGINE.with_docs(TWO_KIND_DOCS)).close()
    events = run_all(path, config(tiny_encoder, strategy="uncertainty", ner_weight=0.8, sentiment_weight=0.2,
                                  epochs=3))
    assert events[-1].status == "completed", events[-1].message
    learned = [e.weights for e in events if isinstance(e, StepProgress)]
    assert learned[0] != learned[-1]  # the strategy did learn
    assert sorted(map(sorted, scales.values())) == [[0.4], [1.6]]


def test_task_weights_still_set_the_step_sizes_of_a_partially_labelled_run(tmp_path, tiny_encoder):
    # Adam ignores a constant factor on a one-task loss; with moments per kind the weights scale each
    # kind's learning rate instead. Two kinds (NER only, sentiment only) and no clipping, so nothing
    # else could carry the weights into the steps.

    def run(name, **weights):
        path = tmp_path / f"{name}.mtl"
        make_project(path, ENGINE.with_docs(TWO_KIND_DOCS)).close()
        events = run_all(path, config(tiny_encoder, strategy="fixed", max_grad_norm=1e9, **weights))
        assert events[-1].status == "completed", events[-1].message
        weights = load_file(events[-1].artefact_dir + "/best/model.safetensors")
        return {k: v for k, v in weights.items() if k.startswith("encoder.")}

    def close(a, b) -> bool:
        gap = max(float((a[k] - b[k]).abs().max()) for k in a)
        return gap < 1e-4

    equal = run("equal")
    assert equal
    assert close(equal, run("same-ratio", ner_weight=0.25, sentiment_weight=0.25))  # only the ratio counts
    assert not close(equal, run("unequal", ner_weight=0.8, sentiment_weight=0.2))
