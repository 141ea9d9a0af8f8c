"""Inference and ONNX with the further heads (issue 13): each entity's polarity, the document label sets
(single- and multi-label), the span head on given spans, and ONNX (fp32 and int8) against PyTorch."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import mtl_studio.inference as inf
from mtl_studio.core.artifacts import bio_tags, load_model_folder, save_model_folder
from mtl_studio.core.evaluate import predict_documents
from mtl_studio.core.features import LabelMaps
from mtl_studio.core.model import MultiTaskModel, load_encoder
from mtl_studio.core.schema import Document, Span
from mtl_studio.core.tokenize import tokenize

torch.set_num_threads(1)

POLARITIES = ["negative", "neutral", "positive"]
LABELS = {"entity_types": ["ORG", "LOC"], "sentiment_classes": ["negative", "positive"],
          "entity_sentiment_classes": POLARITIES,
          "label_sets": [{"name": "topic", "classes": ["markets", "earnings", "jobs"], "multi_label": True,
                          "threshold": 0.5},
                         {"name": "urgency", "classes": ["low", "high"], "multi_label": False, "threshold": 0.5}]}
TASKS = ["ner", "entity_sentiment", "sentiment", "topic", "urgency"]
TEXTS = ["Apple rose and Nokia fell in Berlin", "华为在深圳 😀", "", "Siemens cut jobs ."]


def _folder(encoder_dir, folder, *, tasks=TASKS, labels=LABELS):
    torch.manual_seed(5)
    encoder, tokenizer = load_encoder(str(encoder_dir))
    tags = bio_tags(labels["entity_types"])
    sets = labels.get("label_sets") or []
    model = MultiTaskModel(encoder, len(tags), len(labels["sentiment_classes"]),
                           num_entity_sentiment_classes=len(labels.get("entity_sentiment_classes") or ()),
                           label_sets=[(s["name"], len(s["classes"])) for s in sets])
    with torch.no_grad():  # every word an ORG entity of its own: entities are known, polarities are not
        model.token_head.weight.zero_()
        model.token_head.bias.zero_()
        model.token_head.bias[tags.index("B-ORG")] = 4.0
        for head in model.label_heads.values():
            head.weight.mul_(20)  # spread the sigmoid so that some topics pass the threshold and some do not
    config = {"encoder": str(encoder_dir), "tasks": list(tasks), "max_length": 64, "seed": 0}
    return save_model_folder(folder, model.eval(), tokenizer, labels, config)


@pytest.fixture(scope="module")
def folder(tiny_encoder, tmp_path_factory):
    return _folder(tiny_encoder, tmp_path_factory.mktemp("tasks") / "m")


def test_predict_output_has_entity_polarity_and_label_sets(folder):
    model = inf.load(folder)
    assert model.tasks == tuple(TASKS)
    preds = model.predict(TEXTS, batch_size=3)
    d = json.loads(json.dumps(preds[0].to_dict()))
    assert set(d) == {"text", "entities", "ner_confidence", "sentiment", "label_sets"}
    assert len(d["entities"]) == 7  # every word
    for e in d["entities"]:
        assert set(e) == {"start", "end", "label", "text", "score", "sentiment"}
        assert set(e["sentiment"]) == {"label", "probabilities"}
        probs = e["sentiment"]["probabilities"]
        assert list(probs) == POLARITIES and sum(probs.values()) == pytest.approx(1, abs=1e-5)
        assert e["sentiment"]["label"] == max(probs, key=probs.get)
    assert set(d["label_sets"]) == {"topic", "urgency"}
    topic, urgency = d["label_sets"]["topic"], d["label_sets"]["urgency"]
    assert set(topic) == set(urgency) == {"labels", "probabilities"}
    # multi-label: every class at or over the threshold, most probable first (independent sigmoids)
    assert topic["labels"] == sorted((c for c, p in topic["probabilities"].items() if p >= 0.5),
                                     key=lambda c: -topic["probabilities"][c])
    # single-label: exactly the most probable class (a softmax)
    assert urgency["labels"] == [max(urgency["probabilities"], key=urgency["probabilities"].get)]
    assert sum(urgency["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    # over the texts some topic passes the threshold and some does not: the threshold is really applied
    chosen = [len(p.label_sets["topic"]["labels"]) for p in preds]
    assert any(0 < n < 3 for n in chosen) or (0 in chosen and 3 in chosen)
    assert preds[2].entities == [] and "label_sets" in preds[2].to_dict()


def test_predictor_agrees_with_predict_documents(folder):
    """The Predictor reads the same heads as training's predict_documents, on predicted and gold spans."""
    model = inf.load(folder)
    loaded = load_model_folder(folder)
    text = TEXTS[0]
    gold = [Span(0, 5, "ORG", sentiment="positive"), Span(15, 20, "ORG")]
    doc = Document(text, tokenize(text), gold, ner_labelled=True)
    ref = predict_documents(loaded.model, loaded.tokenizer, LabelMaps.from_dict(loaded.labels), [doc],
                            tasks=loaded.tasks, max_length=64)[0]
    got = model.predict_words([text], [tokenize(text)], spans=[[(s.start, s.end) for s in gold]])[0]
    assert [(e["start"], e["end"], e["sentiment"]["label"]) for e in got.entities] == \
        [(s.start, s.end, s.sentiment) for s in ref.spans]
    for e, s in zip(got.entities, ref.spans):
        assert e["sentiment"]["probabilities"][s.sentiment] == pytest.approx(s.sentiment_confidence, abs=1e-5)
    assert [(x["label"], x["probabilities"][x["label"]]) for x in got.span_sentiments] == \
        [(label, pytest.approx(p, abs=1e-5)) for label, p in ref.gold_span_sentiments]
    for name in ("topic", "urgency"):
        assert got.label_sets[name]["labels"] == [label for label, _ in ref.labels[name]]
        assert got.label_sets[name]["probabilities"] == pytest.approx(ref.label_probabilities[name], abs=1e-5)


def test_a_two_task_model_predicts_as_before(tiny_encoder, tmp_path):
    labels = {"entity_types": ["ORG"], "sentiment_classes": ["negative", "positive"]}
    model = inf.load(_folder(tiny_encoder, tmp_path / "m", tasks=["ner", "sentiment"], labels=labels))
    d = model.predict(["Apple rose"])[0].to_dict()
    assert set(d) == {"text", "entities", "ner_confidence", "sentiment"}
    assert all("sentiment" not in e for e in d["entities"])


def test_a_single_task_entity_sentiment_model_reads_given_spans(tiny_encoder, tmp_path):
    model = inf.load(_folder(tiny_encoder, tmp_path / "m", tasks=["entity_sentiment"]))
    p = model.predict_words(["Apple rose"], [tokenize("Apple rose")], spans=[[(0, 5), (6, 10)]])[0]
    assert p.entities is None and p.sentiment is None and p.label_sets == {}
    assert [x["label"] in POLARITIES for x in p.span_sentiments] == [True, True]


# ---- ONNX -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def onnx_folder(folder, tmp_path_factory):
    pytest.importorskip("onnxruntime")
    from mtl_studio.core.export import export_model_folder

    return export_model_folder(folder, tmp_path_factory.mktemp("tasks_onnx") / "export", onnx=True)


def test_onnx_exports_every_head_and_matches_pytorch(onnx_folder):
    import onnxruntime as ort

    from mtl_studio.core.export import check_onnx

    s = ort.InferenceSession(str(onnx_folder / "model.onnx"), providers=["CPUExecutionProvider"])
    assert [o.name for o in s.get_outputs()] == ["token_logits", "sequence_logits", "label_logits_0",
                                                 "label_logits_1", "hidden", "pooled"]
    head = ort.InferenceSession(str(onnx_folder / inf.ONNX_SPAN_HEAD_FILE), providers=["CPUExecutionProvider"])
    assert [i.name for i in head.get_inputs()] == ["hidden", "pooled", "entity_spans"]
    loaded = load_model_folder(onnx_folder)
    check = check_onnx(loaded.model, loaded.tokenizer, onnx_folder / "model.onnx")
    assert check.ok and check.max_abs_diff < 1e-4
    assert check.heads == ("token_logits", "sequence_logits", "label_logits_0", "label_logits_1",
                           "entity_sentiment_logits")
    with torch.no_grad():  # a changed label head and span head are both caught
        loaded.model.label_heads["set1"].bias += 0.01
        loaded.model.entity_sentiment_head.classifier.bias += 0.02
    bad = check_onnx(loaded.model, loaded.tokenizer, onnx_folder / "model.onnx")
    assert not bad.ok and bad.max_abs_diff_label_sets == pytest.approx(0.01, abs=1e-4)
    assert bad.max_abs_diff_entity_sentiment == pytest.approx(0.02, abs=1e-4)
    card = (onnx_folder / "README.md").read_text(encoding="utf-8")
    assert inf.ONNX_SPAN_HEAD_FILE in card and "label_logits_0" in card


def _same(a, b, tol):
    assert set(a) == set(b)
    for x, y in zip(a["entities"], b["entities"]):
        assert (x["start"], x["end"], x["label"]) == (y["start"], y["end"], y["label"])
        assert x["sentiment"]["probabilities"] == pytest.approx(y["sentiment"]["probabilities"], abs=tol)
    for name in a["label_sets"]:
        assert a["label_sets"][name]["probabilities"] == pytest.approx(b["label_sets"][name]["probabilities"], abs=tol)


def test_onnx_backend_predicts_what_torch_predicts(onnx_folder):
    torch_out = [p.to_dict() for p in inf.load(onnx_folder).predict(TEXTS, batch_size=3)]
    m = inf.load(onnx_folder, backend="onnx")
    assert m.tasks == tuple(TASKS)
    onnx_out = [p.to_dict() for p in m.predict(TEXTS, batch_size=3)]
    for a, b in zip(torch_out, onnx_out):
        _same(a, b, 1e-4)
        assert [e["sentiment"]["label"] for e in a["entities"]] == [e["sentiment"]["label"] for e in b["entities"]]
        assert a["label_sets"]["urgency"]["labels"] == b["label_sets"]["urgency"]["labels"]


def test_int8_backend_runs_every_head(onnx_folder, tmp_path):
    import shutil

    from mtl_studio.core.onnx_quant import ONNX_INT8_FILE, quantize_int8

    folder = tmp_path / "m"
    shutil.copytree(onnx_folder, folder)
    quantize_int8(folder / "model.onnx", folder / ONNX_INT8_FILE)
    int8 = inf.load(folder, backend="onnx-int8")
    assert int8.tasks == tuple(TASKS)
    a = [p.to_dict() for p in inf.load(folder).predict(TEXTS)]
    b = [p.to_dict() for p in int8.predict(TEXTS)]
    for x, y in zip(a, b):
        _same(x, y, 0.1)  # int8 weights: close, not equal


def test_int8_check_scores_every_task(onnx_folder, tmp_path):
    """The export's int8 check (predictor_eval) scores entity sentiment with gold spans and the label sets."""
    import shutil

    from mtl_studio.core.onnx_quant import ONNX_INT8_FILE, check_int8, quantize_int8
    from mtl_studio.core.predictor_eval import score_predictor
    from mtl_studio.core.schema import DocumentLabel, SentimentLabel

    folder = tmp_path / "m"
    shutil.copytree(onnx_folder, folder)
    quantize_int8(folder / "model.onnx", folder / ONNX_INT8_FILE)
    text = TEXTS[0]
    docs = [Document(text, tokenize(text), [Span(0, 5, "ORG", sentiment="positive"), Span(15, 20, "ORG", sentiment="negative")],
                     SentimentLabel("positive"), ner_labelled=True,
                     labels=[DocumentLabel("topic", "markets"), DocumentLabel("urgency", "high")])]
    score, report = score_predictor(inf.load(folder), docs)
    assert set(score.task_f1) == {"entity_sentiment", "topic", "urgency"}
    assert report.entity_sentiment.spans == 2 and report.entity_sentiment.end_to_end is not None
    check = check_int8(inf.load(folder), inf.load(folder, backend="onnx-int8"), docs)
    assert {"entity_sentiment_f1", "topic_f1", "urgency_f1"} <= set(check.fp32) and set(check.int8) == set(check.fp32)
    assert any("label set topic F1" in line for line in check.card_lines())


# ---- a trained run with every task: stored metrics, evaluate --json, predict, model card ------------

def test_a_trained_run_reports_every_task(tmp_path, tiny_encoder, capsys, one_torch_thread):
    from test_engine_tasks import _config, open_task_project

    from mtl_studio.cli import main
    from mtl_studio.core.export import export_model_folder
    from mtl_studio.core.train import train

    with open_task_project(tmp_path / "p.mtl") as store:
        finished = list(train(store, _config(tiny_encoder, epochs=1)))[-1]
        assert finished.status == "completed", finished.message
        run = store.run_record(finished.run_id)
    dev = run.metrics["dev"]
    assert {"entity_sentiment", "label_sets"} <= set(dev) and set(dev["label_sets"]) == {"topic", "urgency"}
    assert dev["label_sets"]["topic"]["multi_label"] is True and dev["entity_sentiment"]["gold_spans"]["spans"] > 0
    assert set(run.task_scores("dev")) == set(TASKS)
    assert dev["score"] == pytest.approx(sum(run.task_scores("dev").values()) / len(TASKS))

    assert main(["evaluate", str(tmp_path / "p.mtl"), "--split", "dev", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"run", "split", "source", "ner", "sentiment", "entity_sentiment", "label_sets", "task_f1",
                        "score"}
    assert out["source"] == "stored" and set(out["task_f1"]) == set(TASKS)

    export = export_model_folder(finished.artefact_dir + "/best", tmp_path / "export", run=run)
    card = (export / "README.md").read_text(encoding="utf-8")
    for text in ("Entity sentiment classes: negative, neutral, positive", "Label set topic (multi-label",
                 "entity sentiment (gold spans)", "entity sentiment (end to end, strict)", "| dev | urgency |"):
        assert text in card, text

    texts = tmp_path / "in.txt"
    texts.write_text("Apple rose in Berlin .\nTesla fell .\n", encoding="utf-8")
    assert main(["predict", str(export), str(texts), "--backend", "torch"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and set(lines[0]["label_sets"]) == {"topic", "urgency"}
    assert all("sentiment" in e for x in lines for e in x["entities"])


def test_evaluate_recompute_and_verdict_with_a_real_multi_task_project(tmp_path, tiny_encoder, capsys,
                                                                        one_torch_thread):
    from test_engine_tasks import _config

    from mtl_studio.cli import main
    from mtl_studio.core.store import ProjectStore
    from mtl_studio.core.train import train
    from project_helpers import MULTI_TASK, make_project

    make_project(tmp_path / "m.mtl", MULTI_TASK).close()
    with ProjectStore.open(tmp_path / "m.mtl") as store:
        for tasks in (("entity_sentiment",), ("urgency",), ()):  # baselines first, the joint run last
            finished = list(train(store, _config(tiny_encoder, epochs=1, tasks=tasks)))[-1]
            assert finished.status == "completed", finished.message
    assert main(["evaluate", str(tmp_path / "m.mtl"), "--split", "test", "--json", "--recompute",
                 "--device", "cpu"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"] == "recomputed"
    assert out["entity_sentiment"]["gold_spans"]["spans"] == 2 and set(out["label_sets"]) == {"urgency"}
    verdict = out["verdict"]["tasks"]
    assert verdict["urgency"]["metric"] == "urgency macro-F1" and verdict["urgency"]["documents"] == 1
    # Entity sentiment is compared on the gold entities both runs gave a polarity: the baseline read every
    # gold entity, the joint run those its NER found exactly (a one-epoch tiny model may find none).
    with ProjectStore.open(tmp_path / "m.mtl") as store:
        joint = store.run_record(None).id
        doc = store.get_document(6, sources=("gold", "predicted"))
        found = {(s.start, s.end, s.label) for s in doc.other_spans if s.run_id == joint and s.sentiment}
        baseline = [s for s in doc.other_spans if s.run_id != joint and s.sentiment]
    assert len(baseline) >= 2  # the entity-sentiment baseline's polarities on the gold entities are stored
    assert ("entity_sentiment" in verdict) == bool(found & {(s.start, s.end, s.label) for s in doc.spans})
