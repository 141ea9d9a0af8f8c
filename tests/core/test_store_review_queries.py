"""The store's review and navigation queries (the SQL the GUI used to write itself)."""
from __future__ import annotations

from mtl_studio.core.schema import SentimentLabel, Span
from project_helpers import ProjectSpec, make_project

# The small_store fixture (project_helpers.SMALL) by document id: 1 NER + sentiment, 2 NER only,
# 3 sentiment only, 4 and 5 unlabelled, 6 both.


def test_next_unlabelled_wraps_round_and_follows_the_schema(small_store):
    # Both tasks in the schema: a document misses a label when it lacks NER or a gold sentiment.
    assert small_store.next_unlabelled_document_id(None) == 2
    assert small_store.next_unlabelled_document_id(2) == 3
    assert small_store.next_unlabelled_document_id(5) == 2  # past the last one: start again from the first
    small_store.remove_sentiment_class("negative")
    small_store.remove_sentiment_class("neutral")
    small_store.remove_sentiment_class("positive")
    # NER only: documents 3, 4 and 5 are not NER-labelled; the missing sentiments no longer count.
    assert small_store.next_unlabelled_document_id(1) == 3
    assert small_store.next_unlabelled_document_id(5) == 3
    for doc_id in (3, 4, 5):
        small_store.set_ner_labelled(doc_id, True)
    assert small_store.next_unlabelled_document_id(1) is None  # every document is labelled


def test_next_unlabelled_without_any_task_is_none(tmp_path):
    no_tasks = ProjectSpec(docs=(("Plain text .", None, None, "train"),), entity_types=(), sentiment_classes=())
    empty_schema = make_project(tmp_path / "e.mtl", no_tasks)
    assert empty_schema.next_unlabelled_document_id(None) is None
    empty_schema.close()


def test_count_predicted_documents_per_run_and_split(small_store):
    run_id = small_store.create_run({"tasks": ["ner", "sentiment"]})
    other = small_store.create_run({"tasks": ["ner"]})
    small_store.replace_model_annotations(1, "predicted", run_id, [Span(0, 5, "ORG")], None)
    small_store.replace_model_annotations(5, "predicted", run_id, [], SentimentLabel("neutral"))
    small_store.replace_model_annotations(6, "predicted", other, [Span(0, 7, "ORG")], None)
    assert small_store.count_predicted_documents(run_id) == 2
    assert small_store.count_predicted_documents(run_id, "train") == 1
    assert small_store.count_predicted_documents(run_id, "dev") == 1
    assert small_store.count_predicted_documents(run_id, "test") == 0
    assert small_store.count_predicted_documents(other, "test") == 1
    assert small_store.latest_prediction_run_id() == other
    small_store.delete_run(other)
    assert small_store.latest_prediction_run_id() == run_id
