"""A joint run's stalled task trains toward its own best epoch's predictions (core/task_distillation.py)."""
from __future__ import annotations

import sys
import threading

import pytest
import torch

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.distributed import init_distributed
from mtl_studio.core.evaluate import EvalReport
from mtl_studio.core.events import LogMessage, StepProgress
from mtl_studio.core.features import collate
from mtl_studio.core.task_distillation import DistillationState, TaskPlateaus, kd_loss_rows, snapshot
from mtl_studio.core.train import Trainer, train
from project_helpers import ENGINE, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---- the bookkeeping ------------------------------------------------------------------------------------

def _changes(p: TaskPlateaus, scores, patience=2, distillable=("ner", "sentiment"), **kw):
    c = p.observe(scores, patience, distillable, **kw)
    return c.improved, c.switched, c.returned


def test_a_task_is_switched_after_its_own_patience_while_another_still_learns():
    p = TaskPlateaus()
    assert _changes(p, {"ner": 0.5, "sentiment": 0.6}) == (["ner", "sentiment"], [], [])
    assert _changes(p, {"ner": 0.6, "sentiment": 0.5}) == (["ner"], [], [])
    assert _changes(p, {"ner": 0.7, "sentiment": 0.6}) == (["ner"], ["sentiment"], [])
    assert p.distilled == ["sentiment"] and p.best["sentiment"] == 0.6
    # The last task still learning is never switched (the run's own early stopping ends it).
    for _ in range(4):
        assert _changes(p, {"ner": 0.1, "sentiment": 0.55}) == ([], [], [])
    assert p.distilled == ["sentiment"]
    assert TaskPlateaus.from_dict(p.to_dict()) == p
    # A switched task that beats its best again was not at its peak: back to its labels, watched again.
    assert _changes(p, {"ner": 0.1, "sentiment": 0.65}) == (["sentiment"], [], ["sentiment"])
    assert p.distilled == [] and p.best["sentiment"] == 0.65
    assert _changes(p, {"ner": 0.8, "sentiment": 0.6}) == (["ner"], [], [])
    assert _changes(p, {"ner": 0.9, "sentiment": 0.6}) == (["ner"], ["sentiment"], [])


def test_no_switch_for_a_task_that_has_learnt_nothing_during_warm_up_or_when_not_distillable():
    zero = TaskPlateaus()
    for i in range(4):  # a small project's NER at 0 for its first epochs: nothing to keep
        assert _changes(zero, {"ner": 0.0, "sentiment": 0.5 + i / 10}, 1)[1] == []
    warm = TaskPlateaus()
    for i in range(4):
        assert _changes(warm, {"ner": 0.5, "sentiment": 0.5 + i / 10}, 1, may_switch=False)[1] == []
    assert _changes(warm, {"ner": 0.5, "sentiment": 0.9}, 1) == (["sentiment"], ["ner"], [])
    fixed = TaskPlateaus()
    for i in range(4):  # entity sentiment is not distilled
        assert _changes(fixed, {"entity_sentiment": 0.5, "ner": 0.5 + i / 10}, 1, ("ner",))[1] == []
    off = TaskPlateaus()
    for i in range(4):
        assert _changes(off, {"ner": 0.5, "sentiment": 0.5 + i / 10}, 0)[1] == []


def test_the_divergence_is_zero_only_at_the_teachers_predictions():
    torch.manual_seed(0)
    teacher = torch.randn(5, 3)
    assert torch.allclose(kd_loss_rows(teacher.clone(), teacher), torch.zeros(5), atol=1e-6)
    other = kd_loss_rows(torch.randn(5, 3), teacher)
    assert other.shape == (5,) and bool((other > 0).all())
    assert torch.allclose(kd_loss_rows(teacher.clone(), teacher, multi_label=True), torch.zeros(5), atol=1e-6)
    assert bool((kd_loss_rows(-teacher, teacher, multi_label=True) > 0).all())
    # Its gradient pulls the student toward the teacher.
    student = torch.zeros(5, 3, requires_grad=True)
    kd_loss_rows(student, teacher).sum().backward()
    moved = student.detach() - 0.5 * student.grad
    assert kd_loss_rows(moved, teacher).sum() < kd_loss_rows(torch.zeros(5, 3), teacher).sum()


def test_the_distillation_tensors_round_trip_through_one_flat_file(tmp_path):
    from safetensors.torch import load_file, save_file

    state = DistillationState()
    state.snapshots["topic/sub"] = {"encoder.w": torch.ones(2, 2), "head.b": torch.zeros(3)}
    state.snapshots["ner"] = state.snapshots["topic/sub"]  # improved in the same epoch: one copy in memory
    state.targets["ner"] = {0: torch.randn(4, 5), 7: torch.randn(2, 5)}
    state.targets["sentiment"] = {3: torch.randn(3)}
    save_file(state.to_flat(), str(tmp_path / "d.safetensors"))
    back = DistillationState.from_flat(load_file(str(tmp_path / "d.safetensors")))
    assert back.snapshots.keys() == {"topic/sub", "ner"} and back.targets.keys() == {"ner", "sentiment"}
    torch.testing.assert_close(back.snapshots["ner"]["head.b"], torch.zeros(3))
    torch.testing.assert_close(back.snapshots["topic/sub"]["encoder.w"], torch.ones(2, 2))
    torch.testing.assert_close(back.targets["ner"][7], state.targets["ner"][7])
    assert back.rows("ner", [7, 0]).shape == (6, 5) and back.rows("sentiment", [3]).shape == (1, 3)


# ---- in the trainer ------------------------------------------------------------------------------------

def _config(encoder, **kw) -> TrainConfig:
    base = dict(encoder=str(encoder), device="cpu", batch_size=4, epochs=5, max_length=64, strategy="fixed",
                early_stopping_patience=0, seed=3, dropout=0.2, stalled_task_patience=2)
    base.update(kw)
    return TrainConfig(**base)


def test_the_teacher_logits_are_the_snapshots_predictions_per_example(tmp_path, tiny_encoder):
    make_project(tmp_path / "p.mtl", ENGINE).close()
    trainer = Trainer(str(tmp_path / "p.mtl"), _config(tiny_encoder))
    trainer.ctx = init_distributed("cpu")
    trainer._open_store()
    trainer._setup()
    try:
        teacher = snapshot(trainer.model)
        with torch.no_grad():  # move the model away from the snapshot
            for p in trainer.model.parameters():
                p.add_(0.05 * torch.randn_like(p))
        moved = snapshot(trainer.model)
        trainer.model.train()
        got = {task: trainer._teacher_logits(task, teacher) for task in ("ner", "sentiment")}
        assert trainer.model.training
        for k, v in snapshot(trainer.model).items():  # the model's own weights are back
            assert torch.equal(v, moved[k]), k
        examples = trainer.train_set.examples
        assert set(got["ner"]) == {i for i, e in enumerate(examples) if e.ner_example_weight > 0}
        assert set(got["sentiment"]) == {i for i, e in enumerate(examples) if e.sentiment_example_weight > 0}
        trainer.model.load_state_dict(teacher)
        trainer.model.eval()
        for i, logits in got["ner"].items():  # one example alone: no padding, the same logits
            one = collate([examples[i]], trainer._pad_id())
            with torch.no_grad():
                out = trainer.model(one.input_ids, one.attention_mask)
            labelled = one.ner_labels[0] != -100
            torch.testing.assert_close(logits, out.token_logits[0][labelled], rtol=1e-4, atol=1e-5)
        for i, logits in got["sentiment"].items():
            one = collate([examples[i]], trainer._pad_id())
            with torch.no_grad():
                out = trainer.model(one.input_ids, one.attention_mask)
            torch.testing.assert_close(logits, out.sequence_logits[0], rtol=1e-4, atol=1e-5)
    finally:
        trainer.store.close()
        trainer.ctx.close()


# Dev scores by epoch (0-based): sentiment peaks in epoch 1 and stalls, NER goes on improving, so with a
# patience of 2 sentiment is switched after epoch 3 and distilled in epochs 4 and 5.
_SCRIPT = [{"ner": 0.5, "sentiment": 0.6}, {"ner": 0.55, "sentiment": 0.5}, {"ner": 0.6, "sentiment": 0.5},
           {"ner": 0.65, "sentiment": 0.55}, {"ner": 0.7, "sentiment": 0.5}]


@pytest.fixture
def scripted_dev_scores(monkeypatch):
    """The trainer's per-epoch dev evaluation reports the scripted scores (the real evaluation still runs)."""
    current: dict[str, dict[str, float]] = {}
    real_evaluate, real_f1 = Trainer._evaluate, EvalReport.task_f1

    def evaluate(self, docs, split, tasks, *, stop=None):
        if split == "dev" and self.state.epoch < len(_SCRIPT):
            current["scores"] = _SCRIPT[self.state.epoch]
        return real_evaluate(self, docs, split, tasks, stop=stop)

    monkeypatch.setattr(Trainer, "_evaluate", evaluate)
    monkeypatch.setattr(EvalReport, "task_f1",
                        lambda self: dict(current["scores"]) if self.split == "dev" and current else real_f1(self))


def _steps(events) -> list[StepProgress]:
    return [e for e in events if isinstance(e, StepProgress)]


def test_a_stalled_task_is_distilled_from_the_next_epoch_and_the_run_resumes_alike(tmp_path, tiny_encoder,
                                                                                 scripted_dev_scores):
    paths = [tmp_path / f"{name}.mtl" for name in "abc"]
    for path in paths:
        make_project(path, ENGINE).close()
    cfg = _config(tiny_encoder)
    plain = list(train(str(paths[0]), _config(tiny_encoder, stalled_task_patience=0)))
    distilled = list(train(str(paths[1]), cfg))
    assert plain[-1].status == distilled[-1].status == "completed"
    notes = [e for e in distilled if isinstance(e, LogMessage) and e.code == "task_distilled"]
    assert [(n.params["task"], n.params["epoch"]) for n in notes] == [("sentiment", 3)]
    assert not any(isinstance(e, LogMessage) and e.code == "task_distilled" for e in plain)
    # The same steps up to the switch; from epoch 4 on the sentiment loss is the divergence from epoch
    # 1's predictions, not the cross-entropy on the labels (NER's steps change with the shared encoder).
    a, b = _steps(plain), _steps(distilled)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if x.epoch <= 3:
            assert x.losses == pytest.approx(y.losses, rel=1e-5, abs=1e-6)
    later = [(x.losses["sentiment"], y.losses["sentiment"]) for x, y in zip(a, b)
             if x.epoch > 3 and "sentiment" in x.losses]
    assert later and all(abs(x - y) > 1e-4 for x, y in later)

    # Stopped in epoch 5 (after the switch) and resumed: the snapshot-free state and the teacher logits
    # come back from the resume point, and the run goes on exactly as the uninterrupted one.
    stop_at = next(s.step for s in b if s.epoch == 5)
    stop = threading.Event()
    for ev in train(str(paths[2]), cfg, stop=stop):
        if isinstance(ev, StepProgress) and ev.step == stop_at:
            stop.set()
        first = ev
    assert first.status == "stopped"
    last = paths[2].with_name(paths[2].name + ".runs") / first.run_id / "last"
    assert (last / "distillation.safetensors").is_file()
    resumed = list(train(str(paths[2]), TrainConfig(), resume_run_id=first.run_id))
    assert resumed[-1].status == "completed"
    for x, y in zip(b[stop_at:], _steps(resumed), strict=True):
        assert x.losses == pytest.approx(y.losses, rel=1e-5, abs=1e-6)


def test_a_distilled_task_that_beats_its_best_trains_on_its_labels_again(tmp_path, tiny_encoder, monkeypatch,
                                                                         scripted_dev_scores):
    """Sentiment is switched after epoch 3 and beats its best in epoch 4: it goes back to its labels."""
    script = list(_SCRIPT)
    script[3] = {"ner": 0.65, "sentiment": 0.7}
    monkeypatch.setattr(sys.modules[__name__], "_SCRIPT", script)
    make_project(tmp_path / "p.mtl", ENGINE).close()
    events = list(train(str(tmp_path / "p.mtl"), _config(tiny_encoder)))
    assert events[-1].status == "completed"
    codes = [(e.code, e.params["epoch"]) for e in events if isinstance(e, LogMessage)
             and e.code.startswith("task_distill")]
    assert codes == [("task_distilled", 3), ("task_distillation_ended", 4)]


def test_a_single_task_run_is_never_distilled(tmp_path, tiny_encoder, scripted_dev_scores):
    make_project(tmp_path / "p.mtl", ENGINE).close()
    events = list(train(str(tmp_path / "p.mtl"), _config(tiny_encoder, tasks=("ner",))))
    assert events[-1].status == "completed"
    assert not any(isinstance(e, LogMessage) and e.code == "task_distilled" for e in events)
