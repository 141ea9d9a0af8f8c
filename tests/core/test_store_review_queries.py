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


def test_next_unlabelled_within_a_filtered_list(small_store):
    # Splits: 1-4 train, 5 dev, 6 test. Unlabelled (a task missing): 2, 3, 4, 5.
    assert small_store.next_unlabelled_document_id(2, split="train") == 3
    assert small_store.next_unlabelled_document_id(4, split="train") == 2  # wraps within the list
    assert small_store.next_unlabelled_document_id(None, search="bank") == 5
    assert small_store.next_unlabelled_document_id(1, among=[1, 4, 6]) == 4
    assert small_store.next_unlabelled_document_id(4, among=[1, 4, 6]) == 4  # the only one left
    assert small_store.next_unlabelled_document_id(1, among=[1, 6]) is None
    assert small_store.next_unlabelled_document_id(1, among=[]) is None


def test_document_position_and_pages_after_an_id(small_store):
    # NER-labelled: 1, 2, 6. Position = matching documents before it, and whether it matches itself.
    assert small_store.document_position(6, task="ner", labelled=True) == (2, True)
    assert small_store.document_position(4, task="ner", labelled=True) == (2, False)
    assert small_store.document_position(1) == (0, True)
    assert small_store.document_ids(after_id=2, limit=2) == [3, 4]
    assert small_store.document_ids(after_id=1, limit=5, task="ner", labelled=True) == [2, 6]
    assert small_store.document_ids(offset=1, limit=1, task="ner", labelled=True) == [2]


def test_prediction_runs_are_finished_runs_with_predictions_newest_first(small_store):
    first = small_store.create_run({"tasks": ["ner"]})
    small_store.replace_model_annotations(1, "predicted", first, [Span(0, 5, "ORG")], None)
    small_store.update_run(first, status="completed")
    empty = small_store.create_run({"tasks": ["ner"]})
    small_store.update_run(empty, status="completed")
    running = small_store.create_run({"tasks": ["sentiment"]})
    small_store.replace_model_annotations(1, "predicted", running, [], SentimentLabel("positive"))
    second = small_store.create_run({"tasks": ["sentiment"]})
    small_store.replace_model_annotations(2, "predicted", second, [], SentimentLabel("negative"))
    small_store.update_run(second, status="stopped")
    runs = small_store.prediction_runs()
    assert [r["id"] for r in runs] == [second, first]
    assert runs[0]["tasks"] == ["sentiment"] and runs[0]["status"] == "stopped"


def test_ranked_document_ids_lists_the_ranked_first_then_the_rest_under_the_filter(small_store):
    # SMALL: 1 "Apple shares rose in Berlin.", 2 "Nokia…", 3 "Profit fell sharply.", 4 CJK, 5 "The bank…" (dev),
    # 6 "Siemens in London." (test).
    assert small_store.ranked_document_ids([5, 2, 4]) == ([5, 2, 4, 1, 3, 6], 3)
    # a filter keeps the ranked order of the ranked documents it allows: NER-unlabelled are 3, 4, 5
    assert small_store.ranked_document_ids([5, 2, 4], task="ner", labelled=False) == ([5, 4, 3], 2)
    assert small_store.ranked_document_ids([6, 1], search="in") == ([6, 1, 2], 2)
    assert small_store.ranked_document_ids([6, 1], split="train", among=[1, 3, 6]) == ([1, 3], 1)
    assert small_store.ranked_document_ids([]) == ([1, 2, 3, 4, 5, 6], 0)
    # the rest by a column: text (case-folded), split
    assert small_store.ranked_document_ids([], sort="text")[0] == [1, 2, 3, 6, 5, 4]
    assert small_store.ranked_document_ids([4], sort="split")[0] == [4, 5, 6, 1, 2, 3]


def test_first_needing_label_keeps_the_given_order(small_store):
    # Both tasks: 1 and 6 are labelled for both, 2 lacks sentiment, 3 NER, 4 and 5 both.
    assert small_store.first_needing_label([6, 1, 5, 2]) == 5
    assert small_store.first_needing_label([6, 2, 5]) == 2
    assert small_store.first_needing_label([1, 6]) is None
    assert small_store.first_needing_label([]) is None
