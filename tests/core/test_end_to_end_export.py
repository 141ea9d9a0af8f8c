"""train -> export-model -> predict with the tiny encoder (the fresh-process predict is in test_cli_export); inference agrees with the
predictions the run stored during evaluation (one decode path for both)."""
from __future__ import annotations

import json

import torch

import mtl_studio.inference as inf
from project_helpers import ENGINE, make_project
from mtl_studio.cli import main

torch.set_num_threads(1)


def test_train_export_predict(tiny_encoder, tmp_path, capsys):
    project = tmp_path / "e.mtl"
    make_project(project, ENGINE).close()
    assert main(["train", str(project), "--encoder", str(tiny_encoder), "--epochs", "1", "--batch-size", "4",
                 "--device", "cpu", "--max-length", "64"]) == 0
    run_id = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["export-model", str(project), run_id, str(tmp_path / "model")]) == 0
    capsys.readouterr()
    card = (tmp_path / "model" / "README.md").read_text()
    assert "| dev | ner | micro avg |" in card and "| test | sentiment | macro avg |" in card

    (tmp_path / "texts.txt").write_text("Apple shares rose 5% after the results in Berlin.\n"
                                        "Nokia cut 300 jobs in Finland.\n", encoding="utf-8")
    assert main(["predict", str(tmp_path / "model"), str(tmp_path / "texts.txt")]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2 and all("entities" in x and "sentiment" in x for x in rows)

    # The exported model predicts exactly what the run stored for dev/test documents.
    from mtl_studio.core.store import ProjectStore

    predictor = inf.load(tmp_path / "model")
    with ProjectStore.open(project) as store:
        docs = [store.get_document(i, sources=("gold", "predicted"), run_id=run_id)
                for s in ("dev", "test") for i in store.document_ids(s)]
    preds = predictor.predict_words([d.text for d in docs], [d.tokens for d in docs])
    for d, p in zip(docs, preds):
        stored = sorted((s.start, s.end, s.label) for s in d.other_spans if s.source == "predicted")
        assert sorted((e["start"], e["end"], e["label"]) for e in p.entities) == stored, d.text
        (sent,) = [s for s in d.other_sentiments if s.source == "predicted"]
        assert p.sentiment["label"] == sent.label
        assert abs(p.sentiment["probabilities"][sent.label] - sent.confidence) < 1e-4


def test_silver_labels_reach_training_only_with_a_silver_weight(tiny_encoder, tmp_path):
    """pseudo-label -> train: silver documents join the loss with silver_weight > 0, and evaluation stays gold."""
    from mtl_studio.core.config import TrainConfig
    from mtl_studio.core.events import RunStarted
    from mtl_studio.core.pseudo_label import pseudo_label
    from mtl_studio.core.train import train
    from project_helpers import add_fake_run

    store = make_project(tmp_path / "e.mtl", ENGINE)
    run = add_fake_run(store, tiny_encoder, entity_types=("ORG", "LOC", "PER"), tag="B-ORG", tag_logit=10.0,
                       sentiment="neutral")
    report = pseudo_label(store, run, threshold=0.7, splits=("train",))
    train_docs = [d for d in ENGINE.docs if d[3] == "train"]
    assert report.labelled == {"ner": sum(d[1] is None for d in train_docs),
                               "sentiment": sum(d[2] is None for d in train_docs)}

    def started(silver_weight):
        cfg = TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu", max_length=64,
                          silver_weight=silver_weight)
        events = list(train(store, cfg))
        return next(e for e in events if isinstance(e, RunStarted)).train_documents, events[-1]

    gold_counts, _ = started(0.0)
    silver_counts, finished = started(0.5)
    assert gold_counts == {"ner": sum(d[1] is not None for d in train_docs),
                           "sentiment": sum(d[2] is not None for d in train_docs)}
    assert silver_counts == {"ner": len(train_docs), "sentiment": len(train_docs)}
    assert finished.status == "completed"
    # dev/test scores count gold documents only
    dev = finished.metrics["dev"]
    assert dev["ner"]["documents"] == sum(d[1] is not None for d in ENGINE.docs if d[3] == "dev")
    store.close()
