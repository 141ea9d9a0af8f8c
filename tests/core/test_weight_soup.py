"""A joint run ends with the greedy average of its best epochs' weights when that scores higher on dev
(core/weight_soup.py)."""
from __future__ import annotations

import threading

import pytest
import torch
from safetensors.torch import load_file

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.evaluate import EvalReport
from mtl_studio.core.events import LogMessage, RunFinished, StepProgress
from mtl_studio.core.train import Trainer, train
from mtl_studio.core.weight_soup import EpochShelf, Ingredient, greedy_soup, load_average
from project_helpers import ENGINE, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class _Tiny(torch.nn.Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 2)
        self.register_buffer("position_ids", torch.arange(3))
        with torch.no_grad():
            self.linear.weight.fill_(value)
            self.linear.bias.fill_(-value)


# ---- the shelf, the soup, the average --------------------------------------------------------------------

def test_the_shelf_keeps_the_best_epochs_and_each_tasks_best_and_drops_the_rest(tmp_path):
    shelf = EpochShelf(tmp_path / "w", keep_top=2)
    scores = [(0.50, {"ner": 0.40, "sentiment": 0.60}), (0.60, {"ner": 0.50, "sentiment": 0.70}),
              (0.55, {"ner": 0.70, "sentiment": 0.40}), (0.65, {"ner": 0.60, "sentiment": 0.70}),
              (0.40, {"ner": 0.30, "sentiment": 0.50})]
    kept = [shelf.offer(Ingredient(e, s, t), _Tiny(e)) for e, (s, t) in enumerate(scores, 1)]
    # Epoch 5 is no one's best; epoch 1 was the best so far when it came, then overtaken everywhere.
    assert kept == [True, True, True, True, False]
    assert [i.epoch for i in shelf.ingredients()] == [4, 2, 3]  # top 2 by score, then NER's best (epoch 3)
    assert sorted(f.name for f in (tmp_path / "w").iterdir()) == [
        "epoch-2.safetensors", "epoch-3.safetensors", "epoch-4.safetensors"]
    # The bookkeeping round-trips (the resume point) and a file gone missing is not offered.
    back = EpochShelf.from_dict(tmp_path / "w", shelf.to_dict())
    assert back == shelf
    (tmp_path / "w" / "epoch-2.safetensors").unlink()
    assert [i.epoch for i in back.ingredients()] == [4, 3]
    # A later epoch's file left by a run resumed from an earlier checkpoint is removed by prune().
    (tmp_path / "w" / "epoch-9.safetensors").write_bytes(b"stale")
    back.prune()
    assert not (tmp_path / "w" / "epoch-9.safetensors").exists()


def test_the_greedy_soup_adds_an_epoch_only_when_the_average_does_not_score_lower():
    ingredients = [Ingredient(4, 0.70), Ingredient(2, 0.68), Ingredient(3, 0.66), Ingredient(1, 0.60)]
    scored = {(4, 2): 0.72, (4, 2, 3): 0.71, (4, 2, 1): 0.72}
    calls = []

    def evaluate(epochs):
        calls.append(epochs)
        return scored[epochs]

    soup = greedy_soup(ingredients, evaluate)
    assert calls == [(4, 2), (4, 2, 3), (4, 2, 1)]
    assert soup.epochs == (4, 2, 1) and soup.score == 0.72 and soup.tried == 3
    # Nothing beats the best epoch alone: the soup is that epoch.
    assert greedy_soup(ingredients, lambda e: 0.1).epochs == (4,)
    # Cancelled (evaluate returns None): the soup so far.
    assert greedy_soup(ingredients, lambda e: 0.9 if e == (4, 2) else None).epochs == (4, 2)
    assert greedy_soup([], evaluate) is None


def test_the_average_is_the_mean_of_the_floating_weights(tmp_path):
    shelf = EpochShelf(tmp_path)
    for epoch, value in ((1, 1.0), (2, 2.0), (3, 6.0)):
        shelf.offer(Ingredient(epoch, 1.0 / epoch), _Tiny(value))
    model = _Tiny(0.0)
    load_average(model, [shelf.path(e) for e in (1, 2, 3)], "cpu")
    torch.testing.assert_close(model.linear.weight, torch.full((2, 2), 3.0))
    torch.testing.assert_close(model.linear.bias, torch.full((2,), -3.0))
    assert torch.equal(model.position_ids, torch.arange(3))


# ---- in the trainer ------------------------------------------------------------------------------------

_EPOCH_SCORES = [{"ner": 0.50, "sentiment": 0.60}, {"ner": 0.60, "sentiment": 0.70},
                 {"ner": 0.70, "sentiment": 0.50}, {"ner": 0.55, "sentiment": 0.60}]


@pytest.fixture
def scripted_dev(monkeypatch):
    """Dev reports the scripted task scores per epoch; after the last epoch (the soup's trials) the scores
    of `soup` in turn (the real evaluation still runs). The weights each epoch offered to the shelf are
    kept in `offered` (the shelf's files are gone when the run has finished)."""
    script = {"epochs": list(_EPOCH_SCORES), "soup": [], "offered": {}, "current": None}
    real_evaluate, real_f1, real_offer = Trainer._evaluate, EvalReport.task_f1, EpochShelf.offer

    def evaluate(self, docs, split, tasks, *, stop=None):
        if split == "dev":
            epoch = self.state.epoch
            if epoch < len(script["epochs"]):
                script["current"] = script["epochs"][epoch]
            elif script["soup"]:
                script["current"] = script["soup"].pop(0)
        return real_evaluate(self, docs, split, tasks, stop=stop)

    def offer(self, ingredient, model):
        script["offered"][ingredient.epoch] = {k: v.clone() for k, v in model.state_dict().items()}
        return real_offer(self, ingredient, model)

    monkeypatch.setattr(Trainer, "_evaluate", evaluate)
    monkeypatch.setattr(EvalReport, "task_f1", lambda self: dict(script["current"])
                        if self.split == "dev" and script["current"] else real_f1(self))
    monkeypatch.setattr(EpochShelf, "offer", offer)
    return script


def _config(encoder, **kw) -> TrainConfig:
    base = dict(encoder=str(encoder), device="cpu", batch_size=4, epochs=4, max_length=64, strategy="fixed",
                early_stopping_patience=0, stalled_task_patience=0, seed=5, weight_soup=True)
    base.update(kw)
    return TrainConfig(**base)


def _notes(events, prefix="weight_soup"):
    return [e for e in events if isinstance(e, LogMessage) and e.code.startswith(prefix)]


def _best_weights(finished: RunFinished) -> dict[str, torch.Tensor]:
    from pathlib import Path

    return load_file(str(Path(finished.artefact_dir) / "best" / "model.safetensors"))


def test_a_joint_run_ends_with_the_soup_when_it_scores_higher_on_dev(tmp_path, tiny_encoder, scripted_dev):
    # Epoch scores (mean): 0.55, 0.65, 0.60, 0.575: best epoch 2; kept 2, 3 (NER's best), 4 (top 3), 1 is
    # dropped. Trials: (2, 3) 0.70 kept, (2, 3, 4) 0.66 not kept.
    scripted_dev["soup"] = [{"ner": 0.75, "sentiment": 0.65}, {"ner": 0.66, "sentiment": 0.66}]
    make_project(tmp_path / "p.mtl", ENGINE).close()
    events = list(train(str(tmp_path / "p.mtl"), _config(tiny_encoder)))
    done = events[-1]
    assert done.status == "completed" and done.best_epoch == 2
    assert [(n.code, n.params.get("epochs")) for n in _notes(events)] == [
        ("weight_soup_trying", None), ("weight_soup_used", "2, 3")]
    assert done.metrics["soup_epochs"] == [2, 3]
    best, offered = _best_weights(done), scripted_dev["offered"]
    for name, value in best.items():
        if value.is_floating_point():
            torch.testing.assert_close(value, (offered[2][name] + offered[3][name]) / 2, msg=name)
    assert not (tmp_path / "p.mtl.runs" / done.run_id / "epoch-weights").exists()  # cleaned up


def test_the_best_epoch_stays_when_no_average_beats_it(tmp_path, tiny_encoder, scripted_dev):
    scripted_dev["soup"] = [{"ner": 0.6, "sentiment": 0.6}, {"ner": 0.6, "sentiment": 0.6}]
    make_project(tmp_path / "p.mtl", ENGINE).close()
    events = list(train(str(tmp_path / "p.mtl"), _config(tiny_encoder)))
    done = events[-1]
    assert [n.code for n in _notes(events)] == ["weight_soup_trying", "weight_soup_not_better"]
    assert "soup_epochs" not in done.metrics
    best = _best_weights(done)
    for name, value in best.items():
        torch.testing.assert_close(value, scripted_dev["offered"][2][name], msg=name)


def test_no_soup_for_a_single_task_run_or_when_off(tmp_path, tiny_encoder, scripted_dev):
    scripted_dev["epochs"] = [{"ner": s["ner"]} for s in _EPOCH_SCORES]
    make_project(tmp_path / "a.mtl", ENGINE).close()
    single = list(train(str(tmp_path / "a.mtl"), _config(tiny_encoder, tasks=("ner",))))
    assert single[-1].status == "completed" and not _notes(single) and not scripted_dev["offered"]
    scripted_dev["epochs"] = list(_EPOCH_SCORES)
    make_project(tmp_path / "b.mtl", ENGINE).close()
    off = list(train(str(tmp_path / "b.mtl"), _config(tiny_encoder, weight_soup=False)))
    assert off[-1].status == "completed" and not _notes(off) and not scripted_dev["offered"]
    assert not TrainConfig().weight_soup  # opt-in (README "Joint runs with the default settings")


def test_a_resumed_run_makes_its_soup_from_the_epochs_kept_before_the_stop(tmp_path, tiny_encoder,
                                                                          scripted_dev):
    scripted_dev["soup"] = [{"ner": 0.75, "sentiment": 0.65}, {"ner": 0.66, "sentiment": 0.66}]
    make_project(tmp_path / "p.mtl", ENGINE).close()
    stop = threading.Event()
    first = None
    for ev in train(str(tmp_path / "p.mtl"), _config(tiny_encoder), stop=stop):
        if isinstance(ev, StepProgress) and ev.epoch == 4:
            stop.set()
        first = ev
    assert first.status == "stopped"
    shelf = tmp_path / "p.mtl.runs" / first.run_id / "epoch-weights"
    assert sorted(f.name for f in shelf.iterdir()) == ["epoch-1.safetensors", "epoch-2.safetensors",
                                                       "epoch-3.safetensors"]
    resumed = list(train(str(tmp_path / "p.mtl"), TrainConfig(), resume_run_id=first.run_id))
    assert resumed[-1].status == "completed"
    assert resumed[-1].metrics["soup_epochs"] == [2, 3]  # epochs 2 and 3 were trained before the stop
