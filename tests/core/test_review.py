"""core.review: the span comparison, which documents are a run's errors, and accepting a prediction.

Predictions are written with the store API, so every false positive, miss and wrong label is known in
advance. No Qt: the prediction view and the document filter only display what these functions return.
"""
from __future__ import annotations

import random

import pytest

from mtl_studio.core.review import (
    CORRECT, FALSE_NEGATIVE, FALSE_POSITIVE, WRONG_LABEL, GoldState, SpanDiff, accepted_state, diff_spans,
    error_document_ids, gold_state, review_document, run_tasks, write_gold_state,
)
from mtl_studio.core.schema import SPLITS, SentimentLabel, Span
from project_helpers import TRAINING, make_project

# The small_store fixture (project_helpers.SMALL) by document id: 1 Apple/Berlin positive (train),
# 2 Nokia/Finland no sentiment (train), 3 sentiment only (train), 4 unlabelled (train), 5 unlabelled (dev),
# 6 Siemens/London neutral (test).


def test_diff_spans_classifies_each_span():
    gold = [Span(0, 5, "ORG"), Span(10, 15, "LOC"), Span(20, 25, "PER")]
    pred = [Span(0, 5, "ORG"), Span(10, 15, "ORG"), Span(21, 25, "PER"), Span(30, 33, "LOC")]
    assert diff_spans(gold, pred) == [
        SpanDiff(CORRECT, 0, 5, "ORG", "ORG"),
        SpanDiff(WRONG_LABEL, 10, 15, "LOC", "ORG"),
        SpanDiff(FALSE_NEGATIVE, 20, 25, "PER", None),  # boundaries differ: a miss and a false alarm
        SpanDiff(FALSE_POSITIVE, 21, 25, None, "PER"),
        SpanDiff(FALSE_POSITIVE, 30, 33, None, "LOC"),
    ]
    assert diff_spans([], []) == []


def predict(store, tasks: list[str], metrics: dict | None = None) -> str:
    """A run predicting SMALL: document 1's sentiment wrong, document 6's LOC labelled ORG, the rest
    right or not comparable (no gold NER / no gold sentiment to compare with)."""
    run_id = store.create_run({"tasks": tasks})
    gold = {doc.id: doc for doc in store.iter_documents()}
    store.replace_model_annotations(1, "predicted", run_id, gold[1].spans, SentimentLabel("negative"))
    store.replace_model_annotations(2, "predicted", run_id, gold[2].spans, SentimentLabel("positive"))
    store.replace_model_annotations(3, "predicted", run_id, [Span(0, 6, "ORG")], SentimentLabel("negative"))
    store.replace_model_annotations(5, "predicted", run_id, [Span(4, 8, "ORG")], None)
    siemens, london = gold[6].spans
    store.replace_model_annotations(6, "predicted", run_id, [siemens, Span(london.start, london.end, "ORG")],
                                    SentimentLabel("neutral"))
    store.update_run(run_id, status="completed", metrics=metrics or {})
    return run_id


def test_error_documents_per_task_split_and_search(small_store):
    both = predict(small_store, ["ner", "sentiment"])
    assert error_document_ids(small_store, both, splits=SPLITS) == [1, 6]
    assert error_document_ids(small_store, both, splits=["train"]) == [1]
    assert error_document_ids(small_store, both, splits=SPLITS, search="siemens") == [6]
    # No evaluated split in the metrics: dev and test, where document 6 is the one error.
    assert error_document_ids(small_store, both) == [6]
    # A single-task run is judged on its own task only.
    assert error_document_ids(small_store, predict(small_store, ["ner"]), splits=SPLITS) == [6]
    assert error_document_ids(small_store, predict(small_store, ["sentiment"]), splits=SPLITS) == [1]


def test_error_documents_default_to_the_latest_run_with_predictions(small_store):
    ner_only = predict(small_store, ["ner"], metrics={"test": {}})
    assert error_document_ids(small_store) == [6]
    # A newer run without predictions (a failed one) does not hide the one that has them.
    small_store.create_run({"tasks": ["sentiment"]})
    assert small_store.latest_prediction_run_id() == ner_only
    assert error_document_ids(small_store) == [6]
    # The evaluated splits come from the metrics: a newer run evaluated on dev only has no error there.
    dev_only = predict(small_store, ["ner", "sentiment"], metrics={"dev": {}})
    assert small_store.latest_prediction_run_id() == dev_only
    assert error_document_ids(small_store) == []
    assert error_document_ids(small_store, ner_only) == [6]


def test_no_run_or_unknown_run_has_no_errors(small_store):
    assert error_document_ids(small_store) == []
    assert error_document_ids(small_store, "no-such-run", splits=SPLITS) == []
    assert run_tasks(small_store, "no-such-run") == ()


def test_run_tasks_fall_back_to_metrics_then_both_tasks(small_store):
    from_metrics = small_store.create_run({})
    small_store.update_run(from_metrics, metrics={"tasks": ["sentiment"]})
    assert run_tasks(small_store, from_metrics) == ("sentiment",)
    assert run_tasks(small_store, small_store.create_run({})) == ("ner", "sentiment")


def test_review_document_compares_only_what_gold_and_the_run_have(small_store):
    run_id = predict(small_store, ["ner", "sentiment"])
    wrong_label = review_document(small_store, 6, run_id)
    assert wrong_label.ner_compared and wrong_label.has_error and not wrong_label.sentiment_wrong
    assert [d.kind for d in wrong_label.diffs] == [CORRECT, WRONG_LABEL]
    wrong_sentiment = review_document(small_store, 1, run_id)
    assert wrong_sentiment.sentiment_wrong and wrong_sentiment.has_error
    assert {d.kind for d in wrong_sentiment.diffs} == {CORRECT}
    no_gold_ner = review_document(small_store, 3, run_id)  # a predicted span, but no gold NER to compare with
    assert not no_gold_ner.ner_compared and no_gold_ner.diffs == () and not no_gold_ner.has_error
    assert [(s.start, s.end, s.label) for s in no_gold_ner.predicted_spans] == [(0, 6, "ORG")]
    without_run = review_document(small_store, 6, None)
    assert without_run.tasks == () and without_run.predicted_spans == () and not without_run.has_error
    with pytest.raises(KeyError):
        review_document(small_store, 999, run_id)


def test_bulk_query_agrees_with_the_document_by_document_comparison(tmp_path):
    """The store's one-query error search and review_document's diff must never disagree."""
    store = make_project(tmp_path / "t.mtl", TRAINING)
    rng = random.Random(7)
    classes = store.sentiment_class_names()
    for tasks in (["ner", "sentiment"], ["ner"], ["sentiment"]):
        run_id = store.create_run({"tasks": tasks})
        for doc in store.iter_documents():
            spans = [s for s in doc.spans if rng.random() < 0.8]  # some misses
            spans = [Span(s.start, s.end, rng.choice(["ORG", "LOC", "PER"]) if rng.random() < 0.15 else s.label)
                     for s in spans]  # some wrong labels
            if rng.random() < 0.1:  # a false positive on the first token not inside a gold span
                free = [t for t in doc.tokens if not any(s.start < t[1] and t[0] < s.end for s in spans)]
                spans.append(Span(free[0][0], free[0][1], "ORG"))
            sentiment = None if rng.random() < 0.1 else SentimentLabel(
                doc.sentiment.label if rng.random() < 0.8 else rng.choice(classes))
            if rng.random() < 0.3:  # a document the gold annotator has not done for NER
                store.set_ner_labelled(doc.id, False)
            store.replace_model_annotations(doc.id, "predicted", run_id, spans, sentiment)
        expected = [i for i in store.document_ids() if review_document(store, i, run_id).has_error]
        assert 0 < len(expected) < store.count_documents()
        assert error_document_ids(store, run_id, splits=SPLITS) == expected
    store.close()


def test_accepting_replaces_only_the_tasks_the_run_predicted(small_store):
    both = predict(small_store, ["ner", "sentiment"])
    siemens, london = small_store.get_document(6).spans
    assert accepted_state(small_store, 6, both) == GoldState(
        (Span(siemens.start, siemens.end, "ORG"), Span(london.start, london.end, "ORG")), True, "neutral")
    ner_only = predict(small_store, ["ner"])
    # Document 3 was not NER-labelled: accepting a NER prediction labels it; its sentiment stays gold.
    assert accepted_state(small_store, 3, ner_only) == GoldState((Span(0, 6, "ORG"),), True, "negative")
    # A sentiment run that predicted no sentiment for a document keeps that document's gold sentiment.
    sentiment_only = predict(small_store, ["sentiment"])
    assert accepted_state(small_store, 5, sentiment_only) == gold_state(small_store, 5)


def test_write_gold_state_round_trip_is_one_transaction(small_store, monkeypatch):
    run_id = predict(small_store, ["ner", "sentiment"])
    before = gold_state(small_store, 1)
    write_gold_state(small_store, 1, accepted_state(small_store, 1, run_id), annotator=f"accepted:{run_id}")
    doc = small_store.get_document(1)
    assert doc.sentiment.label == "negative" and doc.sentiment.annotator == f"accepted:{run_id}"
    assert {s.annotator for s in doc.spans} == {f"accepted:{run_id}"}
    assert error_document_ids(small_store, run_id, splits=["train"]) == []
    write_gold_state(small_store, 1, before)
    assert [(s.start, s.end, s.label) for s in gold_state(small_store, 1).spans] == \
        [(s.start, s.end, s.label) for s in before.spans]
    assert gold_state(small_store, 1).sentiment == "positive"

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(small_store, "set_sentiment", disk_full)
    with pytest.raises(RuntimeError):
        write_gold_state(small_store, 1, accepted_state(small_store, 1, run_id))
    kept = gold_state(small_store, 1)
    assert [(s.start, s.end, s.label) for s in kept.spans] == [(s.start, s.end, s.label) for s in before.spans]
