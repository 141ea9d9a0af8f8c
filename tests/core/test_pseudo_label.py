"""Label transfer: silver labels only where gold is missing, above the threshold, with provenance."""
from __future__ import annotations

import pytest
import torch

from mtl_studio.core.pseudo_label import SILVER_NER_META, pseudo_label
from mtl_studio.core.schema import ValidationError
from mtl_studio.core.tokenize import tokenize
from project_helpers import SMALL, add_fake_run, make_project

torch.set_num_threads(1)
# Forced heads: every word B-ORG with p ~ 0.9998 (logit 10); sentiment "positive" with p = e^2/(e^2+2) ~ 0.787.
CONFIDENT_ORG = {"tag": "B-ORG", "tag_logit": 10.0, "sentiment": "positive"}


def _silver(store):
    docs = {d.id: d for d in store.iter_documents(sources=("gold", "silver"))}
    spans = {i: [s for s in d.other_spans if s.source == "silver"] for i, d in docs.items()}
    sents = {i: [s for s in d.other_sentiments if s.source == "silver"] for i, d in docs.items()}
    return docs, spans, sents


def test_silver_only_where_gold_is_missing_and_above_threshold(tiny_encoder, tmp_path):
    store = make_project(tmp_path / "p.mtl")
    gold_before = store.stats()["totals"]
    run = add_fake_run(store, tiny_encoder, **CONFIDENT_ORG)
    report = pseudo_label(store, run, threshold=0.9)
    docs, spans, sents = _silver(store)
    lacking_ner = [i for i, d in docs.items() if not d.ner_labelled]
    lacking_sent = [i for i, d in docs.items() if d.sentiment is None]
    assert report.candidates == {"ner": len(lacking_ner), "sentiment": len(lacking_sent)}
    # NER is confident: every document without gold NER gets one silver ORG span per word
    for i, d in docs.items():
        if d.ner_labelled:
            assert spans[i] == []
        else:
            assert [(s.start, s.end, s.label) for s in spans[i]] == [(s, e, "ORG") for s, e in tokenize(d.text)]
            for s in spans[i]:
                assert s.run_id == run and s.annotator == f"model:{run}" and s.confidence > 0.999
    assert report.labelled["ner"] == len(lacking_ner)
    assert report.silver_spans == sum(len(tokenize(docs[i].text)) for i in lacking_ner)
    # sentiment p ~ 0.787 < 0.9: nothing
    assert all(v == [] for v in sents.values()) and report.below_threshold["sentiment"] == len(lacking_sent)
    # gold is untouched (evaluation reads gold only)
    after = store.stats()["totals"]
    assert {k: v for k, v in after.items() if k != "silver"} == {k: v for k, v in gold_before.items() if k != "silver"}
    assert after["silver"] == {"spans": report.silver_spans, "sentiments": 0}

    # a lower threshold lets sentiment through, only for documents without gold sentiment
    report = pseudo_label(store, run, tasks=("sentiment",), threshold=0.7)
    docs, spans2, sents = _silver(store)
    def key(d):
        return {i: [(s.start, s.end, s.label, s.confidence, s.run_id) for s in v] for i, v in d.items()}
    assert key(spans2) == key(spans), "labelling sentiment must not change the silver NER spans"
    for i, d in docs.items():
        if d.sentiment is not None:
            assert sents[i] == []
        else:
            (s,) = sents[i]
            assert s.label == "positive" and s.run_id == run and s.confidence == pytest.approx(0.787, abs=1e-3)
    assert report.silver_sentiment_per_class == {"positive": len(lacking_sent)}


def test_replace_and_keep_previous(tiny_encoder, tmp_path):
    store = make_project(tmp_path / "p.mtl")
    first = add_fake_run(store, tiny_encoder, **CONFIDENT_ORG)
    pseudo_label(store, first, threshold=0.7)
    second = add_fake_run(store, tiny_encoder, tag="B-LOC", tag_logit=10.0, sentiment="negative")
    # replace=False: documents that already have silver keep it
    report = pseudo_label(store, second, threshold=0.7, replace=False)
    assert report.labelled == {"ner": 0, "sentiment": 0}
    assert report.kept_existing["ner"] == report.candidates["ner"] > 0
    _, spans, sents = _silver(store)
    assert {s.run_id for v in spans.values() for s in v} == {first}
    # replace=True (default): the earlier run's silver labels give way to the new model's
    pseudo_label(store, second, threshold=0.7)
    _, spans, sents = _silver(store)
    assert {(s.run_id, s.label) for v in spans.values() for s in v} == {(second, "LOC")}
    assert {(s.run_id, s.label) for v in sents.values() for s in v} == {(second, "negative")}
    # unsure model with replace: earlier silver removed, nothing new
    unsure = add_fake_run(store, tiny_encoder, tag="B-ORG", tag_logit=0.5, tasks=("ner",))
    report = pseudo_label(store, unsure)
    assert report.labelled == {"ner": 0} and report.tasks == ["ner"]
    _, spans, sents = _silver(store)
    assert all(v == [] for v in spans.values())
    assert {(s.run_id, s.label) for v in sents.values() for s in v} == {(second, "negative")}


def test_confident_all_o_marks_document(tiny_encoder, tmp_path):
    store = make_project(tmp_path / "p.mtl")
    run = add_fake_run(store, tiny_encoder, tag="O", tag_logit=10.0, tasks=("ner",))
    report = pseudo_label(store, run, splits=("train",))
    docs, spans, _ = _silver(store)
    train_lacking = [i for i, d in docs.items() if not d.ner_labelled and d.split == "train"]
    assert report.labelled["ner"] == len(train_lacking) == 2
    for i, d in docs.items():
        assert spans[i] == []
        assert d.meta.get(SILVER_NER_META) == (run if i in train_lacking else None)
    # a later unsure run with replace clears the marker
    unsure = add_fake_run(store, tiny_encoder, tag="O", tag_logit=0.1, tasks=("ner",))
    pseudo_label(store, unsure)
    assert not any(SILVER_NER_META in d.meta for d in store.iter_documents())


def test_model_folder_source_and_errors(tiny_encoder, tmp_path):
    from model_folders import make_model_folder

    store = make_project(tmp_path / "p.mtl")
    with pytest.raises(KeyError, match="no run with a saved model"):
        pseudo_label(store)
    folder = make_model_folder(tiny_encoder, tmp_path / "m", tag="B-ORG", tag_logit=10.0, tasks=("ner",))
    report = pseudo_label(store, folder, tasks=("ner", "sentiment"))
    assert report.tasks == ["ner"] and report.run_id == "folder:m" and report.labelled["ner"] > 0
    with pytest.raises(ValueError, match="was not trained for sentiment$"):
        pseudo_label(store, folder, tasks=("sentiment",))
    odd = make_model_folder(tiny_encoder, tmp_path / "odd", entity_types=("PER",), tag="B-PER")
    with pytest.raises(ValidationError, match="PER"):
        pseudo_label(store, odd)
    with pytest.raises(ValueError, match="threshold"):
        pseudo_label(store, folder, threshold=1.5)
    assert len(SMALL.docs) == store.count_documents()
