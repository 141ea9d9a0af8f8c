"""The store's review and navigation queries (the SQL the GUI used to write itself)."""
from __future__ import annotations

import pytest

from mtl_studio.core.schema import SentimentLabel, Span
from project_helpers import SMALL, ProjectSpec, make_project

# SMALL's documents by id: 1 NER + sentiment, 2 NER only, 3 sentiment only, 4 and 5 unlabelled, 6 both.


@pytest.fixture
def store(tmp_path):
    s = make_project(tmp_path / "p.mtl", SMALL)
    yield s
    s.close()


def test_next_unlabelled_wraps_round_and_follows_the_schema(store):
    # Both tasks in the schema: a document misses a label when it lacks NER or a gold sentiment.
    assert store.next_unlabelled_document_id(None) == 2
    assert store.next_unlabelled_document_id(2) == 3
    assert store.next_unlabelled_document_id(5) == 2  # past the last one: start again from the first
    store.remove_sentiment_class("negative")
    store.remove_sentiment_class("neutral")
    store.remove_sentiment_class("positive")
    # NER only: documents 3, 4 and 5 are not NER-labelled; the missing sentiments no longer count.
    assert store.next_unlabelled_document_id(1) == 3
    assert store.next_unlabelled_document_id(5) == 3
    for doc_id in (3, 4, 5):
        store.set_ner_labelled(doc_id, True)
    assert store.next_unlabelled_document_id(1) is None  # every document is labelled


def test_next_unlabelled_without_any_task_is_none(tmp_path):
    no_tasks = ProjectSpec(docs=(("Plain text .", None, None, "train"),), entity_types=(), sentiment_classes=())
    empty_schema = make_project(tmp_path / "e.mtl", no_tasks)
    assert empty_schema.next_unlabelled_document_id(None) is None
    empty_schema.close()


def test_count_predicted_documents_per_run_and_split(store):
    run_id = store.create_run({"tasks": ["ner", "sentiment"]})
    other = store.create_run({"tasks": ["ner"]})
    store.replace_model_annotations(1, "predicted", run_id, [Span(0, 5, "ORG")], None)
    store.replace_model_annotations(5, "predicted", run_id, [], SentimentLabel("neutral"))
    store.replace_model_annotations(6, "predicted", other, [Span(0, 7, "ORG")], None)
    assert store.count_predicted_documents(run_id) == 2
    assert store.count_predicted_documents(run_id, "train") == 1
    assert store.count_predicted_documents(run_id, "dev") == 1
    assert store.count_predicted_documents(run_id, "test") == 0
    assert store.count_predicted_documents(other, "test") == 1
    assert store.latest_prediction_run_id() == other
    store.delete_run(other)
    assert store.latest_prediction_run_id() == run_id
