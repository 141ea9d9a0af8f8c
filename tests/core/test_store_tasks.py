"""The store side of tasks as data (docs/tasks_as_data.md, schema 6): entity sentiment on spans and
further document label sets, from the migration to stats."""
from __future__ import annotations

import json
import sqlite3

import pytest
from project_helpers import MULTI_TASK, SMALL, make_project

from mtl_studio.cli import main
from mtl_studio.core.formats.staging import StagingProject
from mtl_studio.core.schema import (
    DEFAULT_POLARITIES, ENTITY_SENTIMENT_KEYS, LABEL_SET_KEYS, Document, DocumentLabel, LabelClass, SentimentLabel,
    Span, ValidationError,
)
from mtl_studio.core.store import MIGRATIONS, SCHEMA_VERSION, ProjectStore, _split_sql
from mtl_studio.core.store_faults import ProjectReadOnly


@pytest.fixture
def store(tmp_path):  # type: ignore[no-untyped-def]
    s = make_project(tmp_path / "p.mtl", MULTI_TASK)
    yield s
    s.close()


@pytest.fixture
def plain(tmp_path):  # type: ignore[no-untyped-def]
    s = make_project(tmp_path / "plain.mtl", SMALL)
    yield s
    s.close()


def _schema_5_project(path):  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:5]:  # the schema as version 5 wrote it
        for statement in _split_sql(migration):
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('split_seed', '13')")
    conn.execute("INSERT INTO entity_types VALUES ('ORG', '#8ecae6', 0, '1')")
    conn.execute("INSERT INTO sentiment_classes VALUES ('positive', 0, 'Q')")
    conn.execute("INSERT INTO documents (text, tokens, split, ner_labelled, created_at) VALUES "
                 "('Acme rose', '[[0,4],[5,9]]', 'train', 1, 'then')")
    conn.execute("INSERT INTO spans (document_id, start, \"end\", label, source, created_at) "
                 "VALUES (1, 0, 4, 'ORG', 'gold', 'then')")
    conn.execute("INSERT INTO sentiments (document_id, label, source, created_at) VALUES (1, 'positive', 'gold', 'then')")
    conn.execute("INSERT INTO rejected_suggestions VALUES ('r', 1, 'ner', 0, 4, 'ORG', 'a', 'then')")
    conn.execute("PRAGMA user_version=5")
    conn.commit()
    conn.close()


def test_a_schema_5_project_opens_with_its_two_tasks_and_data(tmp_path):
    path = tmp_path / "v5.mtl"
    _schema_5_project(path)
    with ProjectStore.open(path, read_only=True) as old:  # browsable without the upgrade
        assert [t.name for t in old.tasks()] == ["ner", "sentiment"]
        doc = old.get_document(1)
        assert doc.spans[0].sentiment is None and doc.labels == []
        assert old.stats()["label_sets"] == {} and old.stats()["entity_sentiment"] == {}
    with ProjectStore.open(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert [(t.name, t.kind, t.classes) for t in store.tasks()] == [
            ("ner", "spans", ("ORG",)), ("sentiment", "document", ("positive",))]
        doc = store.get_document(1)
        assert [(s.start, s.end, s.label, s.sentiment) for s in doc.spans] == [(0, 4, "ORG", None)]
        assert doc.sentiment.label == "positive" and doc.labels == []
        assert store.rejected_suggestions("r", 1) == {("ner", 0, 4, "ORG")}
        # The rebuilt table takes a suggestion of any task.
        store.reject_suggestion("r", 1, "entity_sentiment", "positive", 0, 4)
        assert ("entity_sentiment", 0, 4, "positive") in store.rejected_suggestions("r", 1)
        assert not store.has_entity_sentiment() and store.label_sets() == []


def test_a_plain_project_keeps_its_hash_and_stats_keys(plain):
    # Nothing of the new tasks: the tasks, the hash and the old stats are what they were.
    assert plain.task_names() == ["ner", "sentiment"]
    before = plain.dataset_hash()
    plain.add_label_set("topic", classes=["a"])
    assert plain.dataset_hash() == before  # declaring a set labels nothing
    assert plain.stats()["label_sets"] == {"topic": {"multi_label": False, "documents": 0, "labels": {"a": 0}}}


def test_tasks_in_training_order(store):
    tasks = store.tasks()
    assert [(t.name, t.kind) for t in tasks] == [("ner", "spans"), ("entity_sentiment", "entity_sentiment"),
                                                  ("sentiment", "document"), ("topic", "document"),
                                                  ("urgency", "document")]
    assert tasks[1].classes == DEFAULT_POLARITIES
    assert tasks[3].multi_label and not tasks[4].multi_label and tasks[3].classes == ("markets", "jobs", "other")


def test_entity_sentiment_switches_on_and_off(plain):
    assert not plain.has_entity_sentiment()
    classes = plain.enable_entity_sentiment()
    assert classes == [LabelClass(name, i, key) for i, (name, key) in
                       enumerate(zip(DEFAULT_POLARITIES, ENTITY_SENTIMENT_KEYS))]
    assert plain.enable_entity_sentiment(["other"]) == classes  # already on: unchanged
    assert "entity_sentiment" in plain.task_names()
    span = plain.get_document(1).spans[0]
    plain.set_span_sentiment(span.id, "positive")
    assert plain.get_document(1).spans[0].sentiment == "positive"
    assert plain.count_span_sentiments() == {"negative": 0, "neutral": 0, "positive": 1}
    assert plain.disable_entity_sentiment() == 1
    assert plain.get_document(1).spans[0].sentiment is None and len(plain.get_document(1).spans) == 2
    assert plain.entity_sentiment_classes() == [] and "entity_sentiment" not in plain.task_names()
    plain.enable_entity_sentiment(["bad", "good"])
    assert plain.entity_sentiment_class_names() == ["bad", "good"]


def test_polarity_edits_rename_remove_and_keys(store):
    span = store.get_document(1).spans[0]
    assert span.sentiment == "positive"
    store.rename_entity_sentiment_class("positive", "bullish")
    assert store.get_document(1).spans[0].sentiment == "bullish"  # the rename cascades
    with pytest.raises(ValidationError, match="already exists"):
        store.rename_entity_sentiment_class("bullish", "neutral")
    with pytest.raises(ValidationError, match="no entity sentiment class"):
        store.rename_entity_sentiment_class("missing", "x")
    with pytest.raises(ValidationError):
        store.rename_entity_sentiment_class("bullish", "two words")
    with pytest.raises(ValidationError):
        store.set_span_sentiment(span.id, "unknown")
    with pytest.raises(KeyError):
        store.set_span_sentiment(10_000, "neutral")
    # Keys: from ENTITY_SENTIMENT_KEYS, swapped when taken.
    keys = {c.name: c.key for c in store.entity_sentiment_classes()}
    assert keys == {"negative": "Z", "neutral": "C", "bullish": "V"}
    store.set_entity_sentiment_class_key("bullish", "Z")
    assert {c.name: c.key for c in store.entity_sentiment_classes()} == {"negative": "V", "neutral": "C",
                                                                          "bullish": "Z"}
    with pytest.raises(ValidationError):
        store.set_entity_sentiment_class_key("bullish", "Q")
    assert store.add_entity_sentiment_class("mixed").key == "B"
    assert store.add_entity_sentiment_class("mixed").key == "B"  # exists: returned as it is
    # Removing a polarity clears it from the spans; the spans stay.
    n_spans = len(store.get_document(2).spans)
    assert store.remove_entity_sentiment_class("neutral") == 2
    assert [s.sentiment for s in store.get_document(2).spans] == ["negative", None]
    assert len(store.get_document(2).spans) == n_spans
    # relabel_span keeps the polarity; remove_span returns it.
    store.relabel_span(store.get_document(1).spans[0].id, "LOC")
    assert store.get_document(1).spans[0].sentiment == "bullish"
    assert store.remove_span(store.get_document(1).spans[0].id).sentiment == "bullish"


def test_label_set_crud_keys_and_counts(store):
    with pytest.raises(ValidationError, match="built-in"):
        store.add_label_set("Sentiment")
    with pytest.raises(ValidationError):
        store.add_label_set("two words")
    with pytest.raises(ValidationError, match="threshold"):
        store.add_label_set("x", threshold=1.5)
    assert store.label_set("topic").class_names == ("markets", "jobs", "other")
    keys = [c.key for ls in store.label_sets() for c in ls.classes]
    assert keys == list(LABEL_SET_KEYS[:5])  # one pool, in the order the classes came
    intent = store.add_label_set("intent", multi_label=False, classes=["buy", "sell"])
    assert [c.key for c in intent.classes] == [LABEL_SET_KEYS[5], None]  # the pool ran out
    assert store.add_label_set("intent", multi_label=True, classes=["hold"]).multi_label is False  # kept
    store.set_label_set_class_key("intent", "sell", "F")  # markets had F: the two swap
    assert store.label_set("topic").classes[0].key is None and store.label_set("intent").classes[1].key == "F"
    with pytest.raises(ValidationError):
        store.set_label_set_class_key("intent", "sell", "1")
    with pytest.raises(ValidationError):
        store.set_label_set_class_key("intent", "nope", "F")
    assert store.document_label_counts()["topic"] == {"markets": 3, "jobs": 1, "other": 0}
    assert store.count_labels_of_class("topic", "markets") == {"gold": 3}
    # Renames cascade to every document label.
    store.rename_label_set("topic", "theme")
    store.rename_label_set_class("theme", "markets", "market")
    assert store.get_document(2).labels_of("theme") == ("market", "jobs")  # the classes' order
    assert store.get_document(2).labels_of("topic") == ()
    with pytest.raises(ValidationError, match="already"):
        store.rename_label_set("theme", "urgency")
    with pytest.raises(ValidationError, match="built-in"):
        store.rename_label_set("theme", "ner")
    with pytest.raises(ValidationError, match="already has"):
        store.rename_label_set_class("theme", "jobs", "market")
    with pytest.raises(ValidationError, match="no class"):
        store.rename_label_set_class("theme", "nope", "x")
    # Removals return the labels removed.
    assert store.remove_label_set_class("theme", "market") == 3
    assert store.get_document(1).labels_of("theme") == ()
    assert store.remove_label_set("theme") == 1
    assert "theme" not in store.task_names() and store.get_document(2).labels_of("theme") == ()
    store.set_label_set_threshold("intent", 0.3)
    assert store.label_set("intent").threshold == pytest.approx(0.3)
    with pytest.raises(ValidationError):
        store.label_set("theme")


def test_single_label_sets_take_one_gold_label(store):
    with pytest.raises(ValidationError, match="single-label"):
        store.set_document_labels(1, "urgency", ["low", "high"])
    assert store.get_document(1).labels_of("urgency") == ("low",)  # nothing changed
    store.set_document_labels(1, "urgency", ["high"])
    assert store.get_document(1).labels_of("urgency") == ("high",)
    store.set_document_labels(1, "topic", ["other", "jobs", "jobs"])
    assert store.get_document(1).labels_of("topic") == ("jobs", "other")  # schema order, once each
    with pytest.raises(ValidationError, match="several"):
        store.set_label_set_multi_label("topic", False)  # document 1 and 2 hold two
    store.set_label_set_multi_label("urgency", True)
    store.set_document_labels(1, "urgency", ["low", "high"])
    with pytest.raises(ValidationError, match="several"):
        store.set_label_set_multi_label("urgency", False)
    store.set_document_labels(1, "urgency", [])
    assert store.get_document(1).labels_of("urgency") == ()
    with pytest.raises(ValidationError, match="unknown label"):
        store.set_document_labels(1, "topic", ["sports"])
    with pytest.raises(ValidationError, match="no label set"):
        store.set_document_labels(1, "nope", ["x"])
    with pytest.raises(KeyError):
        store.set_document_labels(10_000, "topic", ["jobs"])


def test_round_trip_and_labels_met_on_import(plain):
    doc = Document(text="Acme beat Globex", tokens=[(0, 4), (5, 9), (10, 16)],
                   spans=[Span(0, 4, "ORG", sentiment="up"), Span(10, 16, "ORG", sentiment="down")],
                   labels=[DocumentLabel("topic", "earnings"), DocumentLabel("topic", "deals"),
                           DocumentLabel("desk", "equities")],
                   other_labels=[DocumentLabel("desk", "rates", "predicted", 0.7, run_id="r1")],
                   other_spans=[Span(0, 4, "ORG", "predicted", 0.9, run_id="r1", sentiment="up",
                                     sentiment_confidence=0.8)],
                   sentiment=SentimentLabel("positive"), split="train")
    assert plain.missing_task_labels(doc) == [
        ("entity sentiment class", "up"), ("entity sentiment class", "down"), ("label set", "topic"),
        ("class of label set topic", "earnings"), ("class of label set topic", "deals"), ("label set", "desk"),
        ("class of label set desk", "equities"), ("class of label set desk", "rates")]
    doc_id = plain.add_document(doc)
    assert plain.has_entity_sentiment() and plain.entity_sentiment_class_names() == ["up", "down"]
    assert plain.label_set("topic").multi_label and not plain.label_set("desk").multi_label
    back = plain.get_document(doc_id, sources=("gold", "predicted"))
    assert [(s.label, s.sentiment) for s in back.spans] == [("ORG", "up"), ("ORG", "down")]
    assert [(s.sentiment, s.sentiment_confidence) for s in back.other_spans] == [("up", 0.8)]
    assert back.labels_of("topic") == ("earnings", "deals") and back.labels_of("desk") == ("equities",)
    assert [(x.label_set, x.label, x.confidence) for x in back.other_labels] == [("desk", "rates", 0.7)]
    assert plain.get_document(doc_id).other_labels == []  # silver/predicted only when asked
    [streamed] = [d for d in plain.iter_documents() if d.id == doc_id]
    assert streamed.labels == back.labels and plain.get_documents([doc_id])[0].labels == back.labels
    # A set first met on import becomes multi-label when a later document holds two of its labels...
    plain.add_document(Document(text="x y", labels=[DocumentLabel("desk", "equities"), DocumentLabel("desk", "rates")]))
    assert plain.label_set("desk").multi_label
    # ...a set the project declared single-label refuses such a document.
    plain.add_label_set("region", classes=["eu", "us"])
    with pytest.raises(ValidationError, match="single-label"):
        plain.add_document(Document(text="x z", labels=[DocumentLabel("region", "eu"),
                                                         DocumentLabel("region", "us")]))
    with pytest.raises(ValidationError):
        plain.add_document(Document(text="x y", labels=[DocumentLabel("desk", "equities", "silver")]))
    with pytest.raises(ValidationError, match="built-in"):
        plain.add_document(Document(text="x y", labels=[DocumentLabel("ner", "a")]))


def test_model_annotations_with_polarities_and_labels(store):
    store.replace_model_annotations(1, "predicted", "r", [Span(0, 5, "ORG", sentiment="negative",
                                                               sentiment_confidence=0.6)],
                                    SentimentLabel("positive", confidence=0.9),
                                    [DocumentLabel("topic", "jobs", confidence=0.8)])
    doc = store.get_document(1, sources=("gold", "predicted"), run_id="r")
    assert [(s.sentiment, s.sentiment_confidence, s.source) for s in doc.other_spans] == [("negative", 0.6, "predicted")]
    assert [(x.label, x.source, x.run_id) for x in doc.other_labels] == [("jobs", "predicted", "r")]
    store.replace_model_annotations(1, "predicted", "r", [], None)  # the old call: replaces all of them
    assert store.get_document(1, sources=("predicted",)).other_labels == []
    store.replace_model_annotations(1, "silver", "r", [], None, [DocumentLabel("topic", "other")])
    store.clear_model_annotations("silver", "r")
    assert store.get_document(1, sources=("silver",)).other_labels == []


def test_filters_and_labelled_counts_know_every_task(store):
    assert store.document_ids(task="entity_sentiment", labelled=True) == [1, 2, 6]
    assert store.document_ids(task="topic", labelled=True) == [1, 2, 3]
    assert store.document_ids(task="urgency", labelled=False) == [3, 4, 5]
    assert store.count_filtered(task="urgency", labelled=True, split="train") == 2
    assert store.document_position(6, task="urgency", labelled=True) == (2, True)
    assert store.labelled_counts_per_split(["topic"]) == {"train": 3, "dev": 0, "test": 0}
    assert store.labelled_counts_per_split(["entity_sentiment", "urgency"]) == {"train": 2, "dev": 0, "test": 1}
    assert store.labelled_counts_per_split(["no_such_set"]) == {"train": 0, "dev": 0, "test": 0}
    # Every document lacks something but 1 (labelled for every task) and 6 (topic missing).
    store.set_document_labels(6, "topic", ["other"])
    assert store.next_unlabelled_document_id(0, among=[1, 6]) is None
    store.set_span_sentiment(store.get_document(6).spans[0].id, None)
    store.set_span_sentiment(store.get_document(6).spans[1].id, None)
    assert store.next_unlabelled_document_id(0, among=[1, 6]) == 6  # entities, none with a polarity


def test_dataset_hash_follows_polarities_and_labels(store):
    h0 = store.dataset_hash()
    span = store.get_document(1).spans[1]
    store.set_span_sentiment(span.id, "neutral")
    h1 = store.dataset_hash()
    assert h1 != h0
    store.set_span_sentiment(span.id, None)
    assert store.dataset_hash() == h0
    store.set_document_labels(4, "urgency", ["high"])
    assert store.dataset_hash() not in (h0, h1)
    store.set_document_labels(4, "urgency", [])
    assert store.dataset_hash() == h0


def test_stats_and_the_cli(store, capsys):
    stats = store.stats()
    assert stats["entity_sentiment"] == {"negative": 1, "neutral": 2, "positive": 2}
    assert stats["label_sets"] == {
        "topic": {"multi_label": True, "documents": 3, "labels": {"markets": 3, "jobs": 1, "other": 0}},
        "urgency": {"multi_label": False, "documents": 3, "labels": {"low": 2, "high": 1}}}
    store.close()
    assert main(["stats", str(store.path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["entity_sentiment"] == stats["entity_sentiment"] and printed["label_sets"] == stats["label_sets"]
    assert main(["stats", str(store.path)]) == 0
    text = capsys.readouterr().out
    assert "entity sentiment per class: negative 1, neutral 2, positive 2" in text
    assert "label set topic (multi-label, 3 documents): markets 3, jobs 1, other 0" in text
    assert "label set urgency (single-label, 3 documents): low 2, high 1" in text


def test_snapshot_and_restore_bring_back_polarities_and_labels(store):
    store.replace_model_annotations(2, "predicted", "r", [], None, [DocumentLabel("urgency", "low", confidence=0.5)])
    before = [store.get_document(i, sources=("gold", "predicted")) for i in (1, 2)]
    snapshots = store.snapshot_documents([1, 2])
    deleted = store.delete_documents([1, 2])
    assert deleted.labels == 6  # 2 + 3 gold, 1 predicted
    assert store.document_label_counts()["topic"]["markets"] == 1
    store.restore_documents(snapshots)
    after = [store.get_document(i, sources=("gold", "predicted")) for i in (1, 2)]
    assert [(d.spans, d.labels, d.other_labels) for d in after] == [(d.spans, d.labels, d.other_labels)
                                                                    for d in before]


def test_staged_import_merges_the_new_tasks(tmp_path):
    target = make_project(tmp_path / "t.mtl", SMALL)
    target.add_label_set("urgency", classes=["low"])
    with StagingProject(target) as staging:
        assert staging.store.label_set_names() == ["urgency"]  # the schema was copied
        staging.store.add_document(Document(
            text="Acme beat Globex", spans=[Span(0, 4, "ORG", sentiment="positive"), Span(10, 16, "ORG")],
            labels=[DocumentLabel("topic", "earnings"), DocumentLabel("topic", "deals"),
                    DocumentLabel("urgency", "high")], split="dev"))
        staging.merge()
    assert target.has_entity_sentiment() and target.entity_sentiment_class_names() == ["positive"]
    assert target.entity_sentiment_classes()[0].key == ENTITY_SENTIMENT_KEYS[0]
    assert target.label_set("topic").multi_label
    assert target.label_set("urgency").class_names == ("low", "high")
    [doc] = target.get_documents([7])
    assert [s.sentiment for s in doc.spans] == ["positive", None]
    assert doc.labels_of("topic") == ("earnings", "deals") and doc.labels_of("urgency") == ("high",)
    # Keys are the target's: the pool's next free ones after urgency/low's.
    assert [c.key for c in target.label_set("topic").classes] == list(LABEL_SET_KEYS[2:4])
    target.close()


def test_edits_of_a_read_only_project_are_refused(tmp_path):
    make_project(tmp_path / "p.mtl", MULTI_TASK).close()
    with ProjectStore.open(tmp_path / "p.mtl", read_only=True) as ro:
        assert ro.task_names() == ["ner", "entity_sentiment", "sentiment", "topic", "urgency"]
        for edit in (lambda: ro.add_label_set("x"), lambda: ro.set_document_labels(1, "topic", []),
                     lambda: ro.enable_entity_sentiment(), lambda: ro.remove_entity_sentiment_class("neutral"),
                     lambda: ro.set_span_sentiment(1, None)):
            with pytest.raises(ProjectReadOnly):
                edit()
