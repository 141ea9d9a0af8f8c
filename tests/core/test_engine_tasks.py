"""The engine with a project's task list (issue 13): entity sentiment over spans, further document label
sets (single- and multi-label), N-task losses and strategies, model folders, --weight and --tasks."""
from __future__ import annotations

import argparse
import json
import threading

import pytest
import torch

from mtl_studio.core import losses as L
from mtl_studio.core.artifacts import load_model_folder, save_model_folder
from mtl_studio.core.config import DEFAULT_TASK_WEIGHT, TrainConfig
from mtl_studio.core.errors import TrainingError
from mtl_studio.core.evaluate import predict_documents
from mtl_studio.core.events import RunFinished, StepProgress
from mtl_studio.core.features import IGNORE, LabelMaps, LabelSetMap, collate, encode_documents
from mtl_studio.core.gradient_conflict import GradientConflictMeter
from mtl_studio.core.model import MultiTaskModel
from mtl_studio.core.schema import (KIND_DOCUMENT, KIND_ENTITY_SENTIMENT, KIND_SPANS, Document, DocumentLabel,
                                    SentimentLabel, Span, TaskSpec)
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize
from mtl_studio.core.train import train
from mtl_studio.core.weighting import WeightingContext, make_strategy
from project_helpers import ENGINE, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")

POLARITIES = ("negative", "neutral", "positive")
TOPIC = LabelSetMap("topic", ("markets", "earnings", "jobs"), multi_label=True, threshold=0.5)
URGENCY = LabelSetMap("urgency", ("low", "high"))
LABELS = LabelMaps(("ORG", "LOC"), ("negative", "positive"), POLARITIES, (TOPIC, URGENCY))
ALL_TASKS = ("ner", "entity_sentiment", "sentiment", "topic", "urgency")


@pytest.fixture(scope="module")
def tokenizer(tiny_encoder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_encoder))


def doc(text, spans=None, sentiment=None, labels=(), **kw) -> Document:
    """spans: (start, end, type[, polarity]); labels: (set, label)."""
    return Document(text=text, tokens=tokenize(text),
                    spans=[Span(s[0], s[1], s[2], sentiment=s[3] if len(s) > 3 else None) for s in spans or []],
                    sentiment=SentimentLabel(sentiment) if sentiment else None, ner_labelled=spans is not None,
                    labels=[DocumentLabel(a, b) for a, b in labels], **kw)


# ---- label maps --------------------------------------------------------------------------------

def test_label_maps_round_trip_and_old_labels_json():
    assert LabelMaps.from_dict(LABELS.to_dict()) == LABELS
    assert LABELS.task_names == ALL_TASKS
    old = {"ner_tags": ["O", "B-ORG", "I-ORG"], "entity_types": ["ORG"], "sentiment_classes": ["neg", "pos"]}
    maps = LabelMaps.from_dict(old)
    assert maps.entity_sentiment_classes == () and maps.label_sets == ()
    assert maps.to_dict() == old  # a two-task project's labels.json is what it always was
    assert maps.task_names == ("ner", "sentiment")


def test_label_maps_from_a_store_task_list():
    class Store:
        def entity_type_names(self):
            return ["ORG"]

        def sentiment_class_names(self):
            return ["neg", "pos"]

        def tasks(self):
            return [TaskSpec("ner", KIND_SPANS, ("ORG",)),
                    TaskSpec("entity_sentiment", KIND_ENTITY_SENTIMENT, POLARITIES),
                    TaskSpec("sentiment", KIND_DOCUMENT, ("neg", "pos")),
                    TaskSpec("topic", KIND_DOCUMENT, TOPIC.classes, multi_label=True, threshold=0.4)]

    maps = LabelMaps.from_store(Store())
    assert maps.entity_sentiment_classes == POLARITIES
    assert maps.label_sets == (LabelSetMap("topic", TOPIC.classes, True, 0.4),)
    assert maps.task_names == ("ner", "entity_sentiment", "sentiment", "topic")


# ---- features ----------------------------------------------------------------------------------

def test_entity_spans_and_label_targets_with_partial_labels(tokenizer):
    text = "Apple rose and Nokia fell"
    both = doc(text, [(0, 5, "ORG", "positive"), (15, 20, "ORG")], labels=[("topic", "markets"), ("topic", "jobs")])
    urgent = doc("profit fell", labels=[("urgency", "high")])
    nothing = doc("the bank", [])  # NER-labelled (no entities) only
    data = encode_documents([both, urgent, nothing], tokenizer, LABELS, tasks=ALL_TASKS)
    a, b, c = data.examples
    # Sub-word ranges of the two spans; the second has no polarity: IGNORE (it adds nothing).
    assert [tokenizer.convert_ids_to_tokens(a.input_ids[s:e]) for s, e in a.entity_spans] == [["apple"], ["nokia"]]
    assert a.entity_sentiments == [POLARITIES.index("positive"), IGNORE] and a.has_entity_sentiment
    assert a.label_targets == {"topic": [1.0, 0.0, 1.0], "urgency": IGNORE}
    assert a.has_task("topic") and not a.has_task("urgency") and not a.has_task("sentiment")
    assert b.label_targets == {"topic": None, "urgency": 1} and b.has_task("urgency") and not b.has_task("topic")
    assert not c.has_entity_sentiment and c.has_ner
    assert data.task_documents() == {"ner": 2, "sentiment": 0, "entity_sentiment": 1, "topic": 1, "urgency": 1}
    assert data.stats.entity_sentiment_spans == 1
    batch = collate(data.examples, 0, label_sets=LABELS.label_sets)
    assert batch.entity_spans.tolist() == [[0, *a.entity_spans[0]], [0, *a.entity_spans[1]]]
    assert batch.entity_sentiment_labels.tolist() == [2, IGNORE]
    assert batch.label_targets["topic"].shape == (3, 3) and batch.label_targets["topic"][1, 0] == IGNORE
    assert batch.label_targets["urgency"].tolist() == [IGNORE, 1, IGNORE]
    # A document whose spans carry no polarity is not labelled for entity sentiment.
    only = encode_documents([doc(text, [(0, 5, "ORG")])], tokenizer, LABELS, tasks=("entity_sentiment",))
    assert only.examples == []


def test_long_documents_put_spans_in_their_window_and_labels_in_the_first(tokenizer):
    words = ["the"] * 30 + ["Apple"] + ["the"] * 30 + ["Nokia"]
    text = " ".join(words)
    start_a = text.index("Apple")
    start_n = text.index("Nokia")
    d = doc(text, [(start_a, start_a + 5, "ORG", "positive"), (start_n, start_n + 5, "ORG", "negative")],
            "positive", labels=[("urgency", "low")])
    data = encode_documents([d], tokenizer, LABELS, tasks=ALL_TASKS, max_length=24)
    assert len(data.examples) > 2
    found = {}
    for e in data.examples:
        for (s, end), p, k in zip(e.entity_spans, e.entity_sentiments, e.entity_span_index):
            found[k] = (e.window, tokenizer.convert_ids_to_tokens(e.input_ids[s:end]), p)
    assert found[0][1] == ["apple"] and found[1][1] == ["nokia"] and found[0][0] < found[1][0]
    assert [e.label_targets.get("urgency", IGNORE) for e in data.examples] == [0] + [IGNORE] * (len(data.examples) - 1)
    assert [e.sentiment for e in data.examples][1:] == [IGNORE] * (len(data.examples) - 1)


# ---- losses ------------------------------------------------------------------------------------

def test_entity_sentiment_loss_counts_only_labelled_spans():
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 1.0]], requires_grad=True)
    labels = torch.tensor([0, IGNORE, 2])
    weights = torch.tensor([1.0, 1.0, 0.5])
    total, count = L.entity_sentiment_loss_sum(logits, labels, weights)
    ce = torch.nn.functional.cross_entropy(logits.detach(), torch.tensor([0, 1, 2]), reduction="none")
    assert count == 2 and total.item() == pytest.approx(ce[0].item() + 0.5 * ce[2].item())
    total.backward()
    assert logits.grad[1].abs().sum() == 0  # the span without polarity contributes nothing
    empty, n = L.entity_sentiment_loss_sum(torch.zeros((0, 3), requires_grad=True), torch.zeros(0, dtype=torch.long),
                                           torch.zeros(0))
    assert empty.item() == 0 and n == 0


def test_label_set_losses_single_and_multi_label():
    logits = torch.tensor([[1.0, -1.0, 0.0], [0.5, 0.5, 0.5]], requires_grad=True)
    multi = torch.tensor([[1.0, 0.0, 1.0], [IGNORE, IGNORE, IGNORE]])
    total, count = L.label_set_loss_sum(logits, multi, torch.tensor([1.0, 1.0]), multi_label=True)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits.detach()[0], multi[0])
    assert count == 1 and total.item() == pytest.approx(bce.item())
    total.backward()
    assert logits.grad[1].abs().sum() == 0  # a document without a label of the set contributes nothing
    single = torch.tensor([2, IGNORE])
    total, count = L.label_set_loss_sum(logits.detach(), single, torch.tensor([0.5, 1.0]), multi_label=False)
    ce = torch.nn.functional.cross_entropy(logits.detach()[:1], single[:1])
    assert count == 1 and total.item() == pytest.approx(0.5 * ce.item())


# ---- model -------------------------------------------------------------------------------------

def _model(tiny_encoder, labels=LABELS, **kw):
    from transformers import AutoModel

    torch.manual_seed(0)
    return MultiTaskModel(AutoModel.from_pretrained(str(tiny_encoder)), len(labels.ner_tags),
                          len(labels.sentiment_classes),
                          num_entity_sentiment_classes=len(labels.entity_sentiment_classes),
                          label_sets=[(ls.name, len(ls.classes)) for ls in labels.label_sets], **kw)


def test_two_task_model_has_no_new_tensors(tiny_encoder):
    old = _model(tiny_encoder, LabelMaps(("ORG",), ("neg", "pos")))
    names = set(old.state_dict())
    assert not any(n.startswith(("entity_sentiment_head", "label_heads")) for n in names)
    new = _model(tiny_encoder)
    assert set(new.state_dict()) - names == {
        "entity_sentiment_head.classifier.weight", "entity_sentiment_head.classifier.bias",
        "label_heads.set0.weight", "label_heads.set0.bias", "label_heads.set1.weight", "label_heads.set1.bias"}


def test_entity_sentiment_head_learns_a_repeated_batch(tiny_encoder, tokenizer):
    docs = [doc("Apple rose and Nokia fell", [(0, 5, "ORG", "positive"), (15, 20, "ORG", "negative")]),
            doc("Siemens in London", [(0, 7, "ORG", "neutral"), (11, 17, "LOC")])]
    batch = collate(encode_documents(docs, tokenizer, LABELS, tasks=("entity_sentiment",)).examples, 0)
    model = _model(tiny_encoder, dropout=0.0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    seen = []
    for _ in range(25):
        out = model(batch.input_ids, batch.attention_mask, entity_spans=batch.entity_spans)
        assert out.entity_sentiment_logits.shape == (4, 3)
        total, count = L.entity_sentiment_loss_sum(out.entity_sentiment_logits, batch.entity_sentiment_labels,
                                                   batch.entity_sentiment_weights)
        assert count == 3
        opt.zero_grad()
        (total / count).backward()
        opt.step()
        seen.append(float(total.detach() / count))
    assert seen[-1] < 0.5 * seen[0]


def test_model_folder_with_new_heads_saves_and_loads(tiny_encoder, tokenizer, tmp_path):
    model = _model(tiny_encoder).eval()
    folder = save_model_folder(tmp_path / "m", model, tokenizer, LABELS.to_dict(), {"tasks": list(ALL_TASKS)})
    loaded = load_model_folder(folder)
    assert LabelMaps.from_dict(loaded.labels) == LABELS and loaded.tasks == ALL_TASKS
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, loaded.model.state_dict()[name]), name
    mtl = json.loads((folder / "mtl_config.json").read_text())
    assert mtl["model"]["num_entity_sentiment_classes"] == 3
    assert mtl["model"]["label_sets"] == [{"name": "topic", "num_classes": 3}, {"name": "urgency", "num_classes": 2}]
    # labels.json that disagrees with the heads is refused before any weight is read.
    labels = json.loads((folder / "labels.json").read_text())
    labels["label_sets"][0]["classes"].append("extra")
    (folder / "labels.json").write_text(json.dumps(labels))
    from mtl_studio.core.artifacts import ModelFolderError

    with pytest.raises(ModelFolderError, match="label sets"):
        load_model_folder(folder)


def test_predict_documents_fills_span_sentiment_gold_spans_and_label_sets(tiny_encoder, tokenizer):
    model = _model(tiny_encoder).eval()
    text = "Apple rose and Nokia fell"
    docs = [doc(text, [(0, 5, "ORG", "positive"), (15, 20, "ORG")]), doc("the bank")]
    preds = predict_documents(model, tokenizer, LABELS, docs, tasks=ALL_TASKS, max_length=64)
    first, second = preds
    assert len(first.gold_span_sentiments) == 2 and second.gold_span_sentiments == []
    for label, p in first.gold_span_sentiments:
        assert label in POLARITIES and 0 < p <= 1
    assert set(first.labels) == {"topic", "urgency"} and len(first.labels["urgency"]) == 1
    assert all(p >= TOPIC.threshold for _, p in first.labels["topic"])
    assert set(first.label_probabilities["topic"]) == set(TOPIC.classes)
    for span, probs in zip(first.spans, first.span_sentiment_probabilities):
        assert span.sentiment in POLARITIES and span.sentiment_confidence == pytest.approx(probs[span.sentiment])
    # The head on gold spans gives what the model gives those spans when read directly.
    batch = collate(encode_documents(docs[:1], tokenizer, LABELS, tasks=(), for_training=False).examples, 0)
    with torch.no_grad():
        direct = torch.softmax(model(batch.input_ids, batch.attention_mask,
                                     entity_spans=batch.entity_spans).entity_sentiment_logits, -1)
    assert [p for _, p in first.gold_span_sentiments] == pytest.approx(direct.max(-1).values.tolist(), abs=1e-5)
    # A model without the task predicts none of it.
    two = predict_documents(model, tokenizer, LABELS, docs, tasks=("ner", "sentiment"), max_length=64)
    assert two[0].gold_span_sentiments is None and two[0].labels == {}


# ---- strategies, meter, config, CLI ------------------------------------------------------------

FOUR = ("ner", "entity_sentiment", "sentiment", "topic")


@pytest.mark.parametrize("name", ["fixed", "uncertainty", "dwa", "gradnorm", "pcgrad"])
def test_every_strategy_trains_four_tasks(name):
    torch.manual_seed(0)
    shared = torch.nn.Linear(4, 4)
    heads = torch.nn.ModuleList(torch.nn.Linear(4, 1) for _ in FOUR)
    x = torch.randn(8, 4)
    targets = [torch.randn(8, 1) * (i + 1) for i in range(len(FOUR))]
    cfg = TrainConfig(task_weights={"entity_sentiment": 1.0, "topic": 2.0})
    strategy = make_strategy(name, FOUR, cfg)
    params = list(shared.parameters()) + list(heads.parameters()) + strategy.parameters()
    opt = torch.optim.SGD(params, lr=0.05)
    first = last = None
    for step in range(30):
        h = torch.relu(shared(x))
        losses = {t: ((head(h) - y) ** 2).mean() for t, head, y in zip(FOUR, heads, targets)}
        ctx = WeightingContext(step=step, epoch=1 + step // 10, model_parameters=list(shared.parameters()) +
                               list(heads.parameters()), shared_parameters=list(shared.parameters()),
                               last_shared_parameters=list(shared.parameters()),
                               global_losses={t: float(v.detach()) for t, v in losses.items()})
        opt.zero_grad()
        if strategy.gradient_based:
            weights = strategy.backward(losses, ctx)
        else:
            total, weights = strategy.combine(losses, ctx)
            total.backward()
        opt.step()
        strategy.after_step()
        if step % 10 == 9:
            strategy.end_epoch(1 + step // 10, {t: float(v.detach()) for t, v in losses.items()})
        assert set(weights) == set(FOUR) and all(w == w for w in weights.values())
        value = sum(float(v.detach()) for v in losses.values())
        first = value if first is None else first
        last = value
    assert last < first
    if name in ("fixed", "pcgrad"):
        assert strategy.current_weights() == {"ner": 0.5, "entity_sentiment": 1.0, "sentiment": 0.5, "topic": 2.0}


def test_conflict_meter_reads_the_mean_pairwise_cosine_of_three_tasks():
    p = torch.nn.Parameter(torch.ones(2))
    losses = {"a": (p * torch.tensor([1.0, 0.0])).sum(), "b": (p * torch.tensor([0.0, 1.0])).sum(),
              "c": (p * torch.tensor([-1.0, 0.0])).sum()}
    reading = GradientConflictMeter([p], ["layer 0"], 1).measure(losses, 1)
    # cosines: a.b 0, a.c -1, b.c 0 -> mean -1/3
    assert reading.tasks == ("a", "b", "c") and reading.cosine == pytest.approx(-1 / 3)
    assert reading.per_group["layer 0"] == pytest.approx(-1 / 3)


def test_train_config_tasks_and_weights():
    cfg = TrainConfig()
    assert cfg.tasks == () and cfg.resolved_tasks(ALL_TASKS) == ALL_TASKS
    assert TrainConfig(tasks=("topic", "ner")).resolved_tasks(ALL_TASKS) == ("ner", "topic")  # training order
    with pytest.raises(TrainingError, match="this project's tasks are ner, entity_sentiment"):
        TrainConfig(tasks=("intent",)).resolved_tasks(ALL_TASKS)
    # Aliases: a "ner" weight moves into ner_weight; a saved config without task_weights loads as before.
    cfg = TrainConfig(task_weights={"ner": 0.8, "topic": 2.0})
    assert (cfg.ner_weight, cfg.task_weights) == (0.8, {"topic": 2.0})
    assert cfg.weights_for(ALL_TASKS) == {"ner": 0.8, "entity_sentiment": DEFAULT_TASK_WEIGHT, "sentiment": 0.5,
                                          "topic": 2.0, "urgency": DEFAULT_TASK_WEIGHT}
    old = {k: v for k, v in TrainConfig(tasks=("ner", "sentiment"), ner_weight=0.3).to_dict().items()
           if k != "task_weights"}
    loaded = TrainConfig.from_dict(old)
    assert loaded.weights_for(("ner", "sentiment")) == {"ner": 0.3, "sentiment": 0.5}
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.with_weights({"sentiment": 0.1, "urgency": 3}).weights_for(("sentiment", "urgency")) == \
        {"sentiment": 0.1, "urgency": 3.0}


def _train_args(argv):
    from mtl_studio.commands.engine import add_config_options

    p = argparse.ArgumentParser()
    p.add_argument("project")
    add_config_options(p)
    return p.parse_args(argv)


def test_cli_weight_and_tasks_options(tmp_path):
    from mtl_studio.commands.engine import build_config, check_project_tasks

    args = _train_args(["p.mtl", "--weight", "ner=0.9", "--weight", "topic=2", "--sentiment-weight", "0.2",
                        "--tasks", "ner,topic"])
    cfg = build_config(args)
    assert (cfg.ner_weight, cfg.sentiment_weight, cfg.task_weights, cfg.tasks) == (0.9, 0.2, {"topic": 2.0},
                                                                                    ("ner", "topic"))
    with pytest.raises(SystemExit):
        _train_args(["p.mtl", "--weight", "ner"])
    with pytest.raises(SystemExit):
        _train_args(["p.mtl", "--weight", "ner=-1"])
    make_project(tmp_path / "p.mtl", ENGINE).close()
    with pytest.raises(ValueError, match=r"unknown task\(s\) 'topic'.*are ner, sentiment"):
        check_project_tasks(str(tmp_path / "p.mtl"), cfg)
    check_project_tasks(str(tmp_path / "p.mtl"), build_config(_train_args(["p.mtl", "--weight", "ner=1"])))


# ---- training end to end -----------------------------------------------------------------------

# Polarities of ENGINE's entities, and label-set labels per text (the rest stay unlabelled).
POLARITY = {"Apple": "positive", "Amazon": "negative", "Siemens": "positive", "Tesla": "negative",
            "Microsoft": "positive", "Berlin": "neutral", "London": "neutral"}
DOC_LABELS = {
    "Apple shares rose in Berlin .": [("topic", "markets"), ("urgency", "low")],
    "Amazon stock fell in New York .": [("topic", "markets"), ("topic", "jobs"), ("urgency", "high")],
    "Siemens profit rose after the quarter .": [("topic", "earnings")],
    "Net loss increased and shares fell .": [("topic", "earnings"), ("topic", "markets"), ("urgency", "high")],
    "Prices were stable this year .": [("urgency", "low")],
    "Nokia cut jobs in Finland .": [("topic", "jobs")],
    "Tesla reported a net loss in China .": [("topic", "earnings"), ("urgency", "high")],
    "Microsoft revenue rose in Paris .": [("topic", "earnings"), ("urgency", "low")],
}


class TaskStore(ProjectStore):
    """A project declaring entity sentiment, a multi-label and a single-label set (the task-list API of
    docs/tasks_as_data.md), its polarities and labels attached to the documents it reads."""

    def tasks(self):
        return [TaskSpec("ner", KIND_SPANS, tuple(self.entity_type_names())),
                TaskSpec("entity_sentiment", KIND_ENTITY_SENTIMENT, POLARITIES),
                TaskSpec("sentiment", KIND_DOCUMENT, tuple(self.sentiment_class_names())),
                TaskSpec("topic", KIND_DOCUMENT, TOPIC.classes, multi_label=True),
                TaskSpec("urgency", KIND_DOCUMENT, URGENCY.classes)]

    def _fill(self, d: Document) -> Document:
        d.spans = [Span(s.start, s.end, s.label, s.source, s.confidence, s.annotator, s.id, s.run_id,
                        POLARITY.get(d.text[s.start:s.end])) for s in d.spans]
        d.labels = [DocumentLabel(a, b) for a, b in DOC_LABELS.get(d.text, [])]
        return d

    def iter_documents(self, *args, **kw):
        for d in super().iter_documents(*args, **kw):
            yield self._fill(d)

    def get_documents(self, *args, **kw):
        return [self._fill(d) for d in super().get_documents(*args, **kw)]


@pytest.fixture
def task_project(tmp_path):
    store = open_task_project(tmp_path / "p.mtl")
    yield store
    store.close()


def open_task_project(path):
    """ENGINE as a TaskStore, its further tasks also declared in the store (whose tables check that the
    polarities and labels of stored predictions are declared ones)."""
    plain = make_project(path, ENGINE)
    plain.enable_entity_sentiment(POLARITIES)
    for ls in (TOPIC, URGENCY):
        plain.add_label_set(ls.name, multi_label=ls.multi_label, classes=ls.classes)
    plain.close()
    return TaskStore.open(path)


def _config(encoder, **kw) -> TrainConfig:
    base = dict(encoder=str(encoder), device="cpu", batch_size=4, epochs=2, max_length=64,
                early_stopping_patience=0, seed=3, conflict_every=1)
    base.update(kw)
    return TrainConfig(**base)


@pytest.mark.parametrize("strategy", ["fixed", "uncertainty", "dwa", "gradnorm", "pcgrad"])
def test_every_task_trains_end_to_end_with_each_strategy(task_project, tiny_encoder, strategy):
    events = list(train(task_project, _config(tiny_encoder, strategy=strategy)))
    finished = events[-1]
    # Documents labelled per task; the budget counts each training document once (12 of them).
    assert events[0].train_documents == {"ner": 6, "entity_sentiment": 4, "sentiment": 8, "topic": 5, "urgency": 4}
    assert isinstance(finished, RunFinished) and finished.status == "completed", finished.message
    steps = [e for e in events if isinstance(e, StepProgress)]
    assert set().union(*(s.losses for s in steps)) >= set(ALL_TASKS)
    assert all(set(s.weights) == set(ALL_TASKS) for s in steps)
    assert all(v == v for s in steps for v in s.losses.values())  # no NaN
    run = task_project.get_run(finished.run_id)
    assert run["config"]["tasks"] == list(ALL_TASKS)  # the resolved list is recorded
    assert {"entity_sentiment", "label_sets"} <= set(finished.metrics["test"])  # the further tasks are scored
    loaded = load_model_folder(finished.artefact_dir + "/best")
    assert loaded.tasks == ALL_TASKS
    labels = LabelMaps.from_dict(loaded.labels)
    assert labels.entity_sentiment_classes == POLARITIES and labels.label_set_names == ("topic", "urgency")
    docs = list(task_project.iter_documents("test"))
    preds = predict_documents(loaded.model, loaded.tokenizer, labels, docs, tasks=loaded.tasks)
    assert all(len(p.gold_span_sentiments) == len(d.spans) for p, d in zip(preds, docs))
    assert all(set(p.labels) == {"topic", "urgency"} for p in preds)


def test_single_task_baselines_for_the_new_tasks(task_project, tiny_encoder):
    for task in ("entity_sentiment", "topic"):
        finished = list(train(task_project, _config(tiny_encoder, tasks=(task,), epochs=1)))[-1]
        assert finished.status == "completed", finished.message
        loaded = load_model_folder(finished.artefact_dir + "/best")
        labels = LabelMaps.from_dict(loaded.labels)
        assert loaded.tasks == (task,)
        # Only the trained further head is in the model.
        assert bool(labels.entity_sentiment_classes) == (task == "entity_sentiment")
        assert labels.label_set_names == (("topic",) if task == "topic" else ())


def test_resume_with_the_new_heads_equals_an_uninterrupted_run(task_project, tiny_encoder):
    cfg = _config(tiny_encoder, conflict_every=0)
    full = list(train(task_project, cfg))[-1]
    stop = threading.Event()
    events = []
    for ev in train(task_project, cfg, stop=stop):
        events.append(ev)
        if isinstance(ev, StepProgress) and ev.step == 3:
            stop.set()
    assert events[-1].status == "stopped"
    resumed = list(train(task_project, cfg, resume_run_id=events[-1].run_id))[-1]
    assert resumed.status == "completed", resumed.message
    a = load_model_folder(full.artefact_dir + "/best").model.state_dict()
    b = load_model_folder(resumed.artefact_dir + "/best").model.state_dict()
    for name in a:
        if name.startswith(("entity_sentiment_head", "label_heads")):
            assert torch.allclose(a[name], b[name], atol=1e-5), name


def test_two_task_training_is_unchanged_by_the_task_list(tmp_path, tiny_encoder):
    """A project with only ner + sentiment: an empty task list trains exactly what ner,sentiment did."""
    make_project(tmp_path / "p.mtl", ENGINE).close()
    runs = []
    for tasks in ((), ("ner", "sentiment")):
        events = list(train(str(tmp_path / "p.mtl"), _config(tiny_encoder, tasks=tasks, epochs=1, conflict_every=0)))
        runs.append([e.losses for e in events if isinstance(e, StepProgress)])
    assert runs[0] == runs[1] and all(set(s) <= {"ner", "sentiment", "total"} for s in runs[0])
