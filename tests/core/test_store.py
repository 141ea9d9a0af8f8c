"""The SQLite project store: schema, provenance, task flags, transactions, threads, stats."""
from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from mtl_studio.core.schema import Document, SentimentLabel, Span, ValidationError
from mtl_studio.core.store import SCHEMA_VERSION, ProjectStore, assign_split


@pytest.fixture
def store(tmp_path):  # type: ignore[no-untyped-def]
    s = ProjectStore.create(tmp_path / "p.mtl")
    s.add_entity_type("ORG")
    s.add_entity_type("LOC")
    for c in ("negative", "neutral", "positive"):
        s.add_sentiment_class(c)
    yield s
    s.close()


def _doc(text: str = "Quayside Bank opened in Oslo", **kw) -> Document:  # type: ignore[no-untyped-def]
    return Document(text=text, tokens=[(0, 8), (9, 13), (14, 20), (21, 23), (24, 28)], **kw)


def test_file_settings_and_schema_version(store):
    c = store.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with pytest.raises(FileExistsError):
        ProjectStore.create(store.path)
    with pytest.raises(FileNotFoundError):
        ProjectStore.open(store.path.with_name("missing.mtl"))


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.mtl"
    ProjectStore.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ValidationError, match="newer MTL Studio"):
        ProjectStore.open(path)


def test_files_that_are_not_projects_are_refused_and_left_alone(tmp_path):
    text_file = tmp_path / "notes.mtl"
    text_file.write_text("not a database\n")
    with pytest.raises(ValidationError, match="not an MTL Studio project"):
        ProjectStore.open(text_file)
    with pytest.raises(ValidationError, match="is a folder"):
        ProjectStore.open(tmp_path)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ValidationError, match="not an MTL Studio project"):
        ProjectStore.open(other)
    conn = sqlite3.connect(other)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn.close()
    assert tables == ["t"]  # no project tables were created in someone else's database


def test_documents_keep_tokens_tasks_and_provenance(store):
    gold = Span(0, 13, "ORG", annotator="alice")
    a = store.add_document(_doc(spans=[gold], sentiment=SentimentLabel("positive"), split="train",
                                meta={"id": "x"}))
    b = store.add_document(_doc("Nothing here at all today", ner_labelled=True, split="dev"))
    c = store.add_document(_doc("Only a sentiment label here", sentiment=SentimentLabel("neutral"), split="test"))
    d = store.add_document(_doc("Not labelled for anything yet", split="test"))
    da = store.get_document(a)
    assert da.tokens[1] == (9, 13) and da.meta == {"id": "x"}
    assert da.spans[0].annotator == "alice" and da.spans[0].source == "gold" and da.spans[0].id
    assert [store.get_document(i).ner_labelled for i in (a, b, c, d)] == [True, True, False, False]
    assert [store.get_document(i).sentiment_labelled for i in (a, b, c, d)] == [True, False, True, False]
    assert store.document_ids(task="ner", labelled=False) == [c, d]
    assert store.document_ids(task="sentiment", labelled=True) == [a, c]


def test_model_annotations_are_kept_apart_from_gold(store):
    doc_id = store.add_document(_doc(spans=[Span(0, 13, "ORG")], split="train"))
    store.replace_model_annotations(doc_id, "predicted", "run1", [Span(0, 8, "LOC", confidence=0.4)],
                                    SentimentLabel("negative", confidence=0.9))
    d = store.get_document(doc_id, sources=("gold", "predicted"))
    assert [(s.start, s.end, s.label) for s in d.spans] == [(0, 13, "ORG")]
    assert [(s.label, s.source, s.run_id, s.confidence) for s in d.other_spans] == [("LOC", "predicted", "run1", 0.4)]
    assert d.sentiment is None and d.other_sentiments[0].label == "negative"
    assert store.stats()["totals"]["entities"] == 1  # stats count gold only


def test_edits_validate_spans_and_labels(store):
    doc_id = store.add_document(_doc(split="train"))
    store.add_span(doc_id, Span(0, 13, "ORG"))
    with pytest.raises(ValidationError, match="overlap"):
        store.add_span(doc_id, Span(9, 20, "LOC"))
    with pytest.raises(ValidationError, match="out of range"):
        store.add_span(doc_id, Span(20, 99, "LOC"))
    with pytest.raises(ValidationError, match="unknown entity type"):
        store.add_span(doc_id, Span(24, 28, "PLACE"))
    with pytest.raises(ValidationError, match="unknown sentiment class"):
        store.set_sentiment(doc_id, "angry")
    store.set_sentiment(doc_id, "positive")
    store.set_sentiment(doc_id, "negative")  # replaces, one gold label per document
    assert store.get_document(doc_id).sentiment.label == "negative"
    store.set_sentiment(doc_id, None)
    assert store.get_document(doc_id).sentiment is None
    with pytest.raises(ValidationError):
        store.add_entity_type("TWO WORDS")


def test_bulk_rolls_back_everything_on_error(store):
    before = store.stats()
    with pytest.raises(ValidationError):
        with store.bulk():
            store.add_entity_type("PRODUCT")
            store.add_document(_doc(spans=[Span(0, 13, "PRODUCT")], split="train"))
            store.add_document(_doc(spans=[Span(0, 99, "ORG")], split="train"))  # out of range
    assert store.stats() == before and "PRODUCT" not in store.entity_type_names()


def test_renaming_a_type_keeps_its_spans(store):
    doc_id = store.add_document(_doc(spans=[Span(0, 13, "ORG")], split="train"))
    store.rename_entity_type("ORG", "COMPANY")
    assert store.get_document(doc_id).spans[0].label == "COMPANY"
    assert store.count_spans_of_type("COMPANY") == {"gold": 1}
    assert store.remove_entity_type("COMPANY") == 1


def test_connections_are_per_thread(store):
    store.add_document(_doc(split="train"))
    counts = []

    def worker() -> None:
        counts.append(store.count_documents())
        store.add_document(_doc("From another thread", split="dev"))
        store.close()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert counts == [1] and store.count_documents() == 2


def test_stats_per_split_task_and_source(store):
    store.add_document(_doc(spans=[Span(0, 13, "ORG"), Span(24, 28, "LOC")], sentiment=SentimentLabel("positive"),
                            split="train", source="a.jsonl"))
    store.add_document(_doc("Only sentiment", sentiment=SentimentLabel("neutral"), split="dev", source="b.csv"))
    store.add_document(_doc("Nothing at all", split="dev", source="b.csv"))
    s = store.stats()
    assert s["documents"] == 3
    assert s["splits"]["train"]["ner"] == {"documents": 1, "entities": 2, "entities_per_type": {"LOC": 1, "ORG": 1}}
    assert s["splits"]["train"]["both_tasks"] == 1
    assert s["splits"]["dev"]["sentiment"] == {"documents": 1, "labels_per_class": {"neutral": 1}}
    assert s["splits"]["dev"]["unlabelled"] == 1
    assert s["totals"]["sentiment_per_class"] == {"neutral": 1, "positive": 1}
    assert s["sources"] == {"a.jsonl": 1, "b.csv": 2}


def test_assign_split_is_seeded():
    assert assign_split("some text", 13) == assign_split("some text", 13)
    splits = [assign_split(f"text {i}", 13) for i in range(2000)]
    assert splits != [assign_split(f"text {i}", 14) for i in range(2000)]
    assert 1500 < splits.count("train") < 1700


def test_a_failed_nested_edit_is_undone_even_when_the_caller_goes_on(tmp_path):
    from mtl_studio.core import Document, ProjectStore, Span, ValidationError

    store = ProjectStore.create(tmp_path / "p.mtl")
    store.add_entity_type("ORG")
    with store.bulk():
        store.add_document(Document("Apple rose", tokens=[(0, 5), (6, 10)], spans=[Span(0, 5, "ORG")]))
        try:  # the document row goes in before the unknown label fails: the savepoint must take it out
            store.add_document(Document("Nokia fell", tokens=[(0, 5), (6, 10)], spans=[Span(0, 5, "NOPE")]))
        except ValidationError:
            pass
    assert store.count_documents() == 1
    assert [d.text for d in store.iter_documents()] == ["Apple rose"]


def test_label_keys_are_stored_and_old_projects_get_their_old_keys(tmp_path):
    """Schema 2 stores each label's key. A schema-1 project opens with the keys it had (its order)."""
    from mtl_studio.core.store import MIGRATIONS, _split_sql

    old = tmp_path / "v1.mtl"
    conn = sqlite3.connect(old)
    for statement in _split_sql(MIGRATIONS[0]):
        conn.execute(statement)
    conn.executemany("INSERT INTO entity_types VALUES (?, ?, ?)", [("LOC", "#111111", 1), ("ORG", "#222222", 0)])
    conn.executemany("INSERT INTO sentiment_classes VALUES (?, ?)", [("negative", 0), ("positive", 1)])
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    with ProjectStore.open(old) as store:
        assert [(t.name, t.key) for t in store.entity_types()] == [("ORG", "1"), ("LOC", "2")]
        assert [(c.name, c.key) for c in store.sentiment_classes()] == [("negative", "Q"), ("positive", "W")]
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # A key given to a type another type has: the two swap; new types take the first free key.
        store.set_entity_type_key("LOC", "1")
        assert [(t.name, t.key) for t in store.entity_types()] == [("ORG", "2"), ("LOC", "1")]
        store.set_entity_type_key("ORG", None)
        assert store.add_entity_type("PER").key == "2"
        store.remove_sentiment_class("negative")
        assert store.add_sentiment_class("neutral").key == "Q"
        with pytest.raises(ValidationError):
            store.set_entity_type_key("PER", "Q")
    with ProjectStore.open(old) as again:  # stored, not derived
        assert {t.name: t.key for t in again.entity_types()} == {"ORG": None, "LOC": "1", "PER": "2"}


def test_an_import_gives_new_labels_the_projects_next_free_keys(tmp_path):
    """Labels an import adds get this project's next free keys; existing labels keep theirs."""
    from formats_util import imp, new_store, write

    store = new_store(tmp_path)
    store.add_entity_type("ORG")
    store.add_entity_type("LOC")
    store.set_entity_type_key("LOC", "5")
    store.add_sentiment_class("neutral")
    lines = [json.dumps({"text": "Acme in Paris", "spans": [{"start": 0, "end": 4, "label": "PRODUCT"},
                                                          {"start": 8, "end": 13, "label": "LOC"}],
                         "sentiment": "positive"})]
    imp(store, write(tmp_path, "new.jsonl", "\n".join(lines)))
    assert {t.name: t.key for t in store.entity_types()} == {"ORG": "1", "LOC": "5", "PRODUCT": "2"}
    assert {c.name: c.key for c in store.sentiment_classes()} == {"neutral": "Q", "positive": "W"}
