"""core.review with the tasks beyond NER and sentiment (issue 13): a span with the right boundaries and
type but another polarity is a wrong polarity; a document label set is wrong unless the run's labels are
exactly the gold ones; the store's one-query error search agrees; accepting a prediction carries the
polarities and the labels, and its undo restores them."""
from __future__ import annotations

import random

from mtl_studio.core.review import (
    CORRECT, FALSE_NEGATIVE, WRONG_LABEL, WRONG_SENTIMENT, SpanDiff, accepted_state, diff_spans, error_document_ids,
    gold_state, review_document, write_gold_state,
)
from mtl_studio.core.schema import SPLITS, DocumentLabel, SentimentLabel, Span
from project_helpers import TRAINING, make_project

POLARITIES = ("negative", "neutral", "positive")
TOPICS = ("earnings", "markets", "jobs")


def _tasks_project(path, rng: random.Random):
    """TRAINING with a polarity on most spans, a single-label "topic" and a multi-label "flags" set."""
    store = make_project(path, TRAINING)
    store.enable_entity_sentiment()
    store.add_label_set("topic", classes=TOPICS)
    store.add_label_set("flags", multi_label=True, classes=("urgent", "legal", "none"))
    for doc in store.iter_documents():
        for span in doc.spans:
            if rng.random() < 0.85:  # partial labels: some spans have no polarity
                store.set_span_sentiment(span.id, rng.choice(POLARITIES))
        if rng.random() < 0.9:
            store.set_document_labels(doc.id, "topic", [rng.choice(TOPICS)])
        if rng.random() < 0.8:
            store.set_document_labels(doc.id, "flags", rng.sample(["urgent", "legal"], rng.randint(1, 2)))
    return store


def test_diff_spans_compares_polarities_when_asked():
    gold = [Span(0, 5, "ORG", sentiment="positive"), Span(10, 15, "LOC", sentiment="negative"),
            Span(20, 25, "ORG"), Span(30, 35, "PER", sentiment="neutral")]
    pred = [Span(0, 5, "ORG", sentiment="positive"), Span(10, 15, "LOC", sentiment="positive"),
            Span(20, 25, "ORG", sentiment="negative"), Span(30, 35, "ORG", sentiment="neutral")]
    assert diff_spans(gold, pred, sentiment=True) == [
        SpanDiff(CORRECT, 0, 5, "ORG", "ORG", "positive", "positive"),
        SpanDiff(WRONG_SENTIMENT, 10, 15, "LOC", "LOC", "negative", "positive"),
        SpanDiff(CORRECT, 20, 25, "ORG", "ORG", None, "negative"),  # no gold polarity: not labelled for it
        SpanDiff(WRONG_LABEL, 30, 35, "PER", "ORG", "neutral", "neutral"),  # the type is wrong first
    ]
    # Without entity sentiment in the run the polarities are not looked at.
    assert [d.kind for d in diff_spans(gold, pred)] == [CORRECT, CORRECT, CORRECT, WRONG_LABEL]
    # A run that predicted polarities but no entities: only the spans both sides have are compared.
    assert [d.kind for d in diff_spans(gold, pred[:1], sentiment=True, missing_spans=False)] == [CORRECT]
    assert [d.kind for d in diff_spans(gold, pred[:1], sentiment=True)][1] == FALSE_NEGATIVE


def test_bulk_query_agrees_with_the_document_by_document_comparison_for_every_task(tmp_path):
    rng = random.Random(11)
    store = _tasks_project(tmp_path / "t.mtl", rng)
    for tasks in (["ner", "entity_sentiment", "sentiment", "topic", "flags"], ["entity_sentiment"], ["topic"],
                  ["flags"], ["ner", "flags"]):
        run_id = store.create_run({"tasks": tasks})
        for doc in store.iter_documents():
            spans = [Span(s.start, s.end, s.label, sentiment=s.sentiment if rng.random() < 0.75
                          else rng.choice(POLARITIES + (None,))) for s in doc.spans if rng.random() < 0.9]
            topic = doc.labels_of("topic") if rng.random() < 0.7 else (rng.choice(TOPICS),)
            flags = doc.labels_of("flags") if rng.random() < 0.7 else tuple(rng.sample(["urgent", "legal"], 1))
            labels = [DocumentLabel("topic", x, source="predicted") for x in topic] + \
                [DocumentLabel("flags", x, source="predicted") for x in flags]
            store.replace_model_annotations(doc.id, "predicted", run_id, spans,
                                            SentimentLabel(doc.sentiment.label), labels=labels)
        expected = [i for i in store.document_ids() if review_document(store, i, run_id).has_error]
        assert 0 < len(expected) < store.count_documents(), tasks
        assert error_document_ids(store, run_id, splits=SPLITS) == expected, tasks
    store.close()


def test_accepting_a_prediction_carries_polarities_and_labels_and_undo_restores_them(tmp_path):
    store = _tasks_project(tmp_path / "a.mtl", random.Random(3))
    doc = next(d for d in store.iter_documents() if len(d.spans) == 2)
    run_id = store.create_run({"tasks": ["ner", "entity_sentiment", "sentiment", "topic", "flags"]})
    first, second = doc.spans
    store.replace_model_annotations(
        doc.id, "predicted", run_id,
        [Span(first.start, first.end, first.label, sentiment="negative", sentiment_confidence=0.7),
         Span(second.start, second.end, second.label, sentiment="neutral")],
        SentimentLabel("neutral"),
        labels=[DocumentLabel("topic", "jobs", source="predicted"), DocumentLabel("flags", "legal", source="predicted"),
                DocumentLabel("flags", "urgent", source="predicted")])
    before = gold_state(store, doc.id)
    after = accepted_state(store, doc.id, run_id)
    assert [s.sentiment for s in after.spans] == ["negative", "neutral"]
    assert after.labels["topic"] == ("jobs",) and set(after.labels["flags"]) == {"legal", "urgent"}
    write_gold_state(store, doc.id, after, annotator="accepted")
    accepted = store.get_document(doc.id)
    assert [s.sentiment for s in accepted.spans] == ["negative", "neutral"]
    assert accepted.labels_of("topic") == ("jobs",) and set(accepted.labels_of("flags")) == {"legal", "urgent"}
    assert not review_document(store, doc.id, run_id).has_error
    write_gold_state(store, doc.id, before)  # undo
    restored = store.get_document(doc.id)
    assert [s.sentiment for s in restored.spans] == [s.sentiment for s in before.spans]
    assert restored.labels_of("topic") == before.labels.get("topic", ())
    assert restored.labels_of("flags") == before.labels.get("flags", ())
    store.close()


def test_a_polarity_only_run_puts_its_polarities_on_the_gold_spans(tmp_path):
    store = _tasks_project(tmp_path / "p.mtl", random.Random(5))
    doc = next(d for d in store.iter_documents() if len(d.spans) == 2)
    run_id = store.create_run({"tasks": ["entity_sentiment"]})
    first = doc.spans[0]
    store.replace_model_annotations(doc.id, "predicted", run_id,
                                    [Span(first.start, first.end, first.label, sentiment="neutral")], None)
    after = accepted_state(store, doc.id, run_id)
    assert [(s.start, s.end, s.label) for s in after.spans] == [(s.start, s.end, s.label) for s in doc.spans]
    assert [s.sentiment for s in after.spans] == ["neutral", doc.spans[1].sentiment]
    store.close()
