"""Suggestions: stored with predicted provenance where gold is missing, replaced by a new run, accepted into
gold with provenance, rejected ones never shown again for that run; old projects gain the tables."""
from __future__ import annotations

import sqlite3

import pytest
import torch

from mtl_studio.core import suggestions as sg
from mtl_studio.core.store import SCHEMA_VERSION, ProjectStore
from mtl_studio.core.tokenize import tokenize
from project_helpers import SMALL, add_fake_run, make_project

torch.set_num_threads(1)
ORG_POSITIVE = {"tag": "B-ORG", "tag_logit": 10.0, "sentiment": "positive"}
LOC_NEGATIVE = {"tag": "B-LOC", "tag_logit": 10.0, "sentiment": "negative"}


@pytest.fixture
def project(tmp_path, tiny_encoder):
    store = make_project(tmp_path / "p.mtl", SMALL)
    run = add_fake_run(store, tiny_encoder, **ORG_POSITIVE)
    yield store, run, tiny_encoder
    store.close()


def _keys(spans):
    return [(s.start, s.end, s.label) for s in spans]


def _ids_lacking(store, task):
    return set(store.document_ids(task=task, labelled=False))


def test_suggestions_only_where_gold_is_missing_with_provenance(project):
    store, run, _ = project
    gold_before = store.stats()["totals"]
    report = sg.suggest(store, run)
    assert sg.current_suggestion_run(store) == run
    lacking_ner, lacking_sent = _ids_lacking(store, "ner"), _ids_lacking(store, "sentiment")
    assert report.documents == len(lacking_ner | lacking_sent)
    for doc in store.iter_documents():
        shown = sg.document_suggestions(store, doc.id)
        if doc.id in lacking_ner:
            assert [(s.start, s.end, s.label) for s in shown.spans] == [(a, b, "ORG") for a, b in tokenize(doc.text)]
            assert all(s.source == "predicted" and s.run_id == run and s.confidence > 0.99 for s in shown.spans)
        else:
            assert shown.spans == ()
        if doc.id in lacking_sent:
            assert shown.sentiment.label == "positive" and shown.sentiment.run_id == run
            assert shown.sentiment.confidence == pytest.approx(0.787, abs=1e-3)
        else:
            assert shown.sentiment is None
    # suggestions are never gold
    after = store.stats()["totals"]
    assert after["entities"] == gold_before["entities"] and after["sentiment_documents"] == gold_before[
        "sentiment_documents"]


def test_limit_split_and_cache(project):
    store, run, _ = project
    report = sg.suggest(store, run, splits=["train"], limit=1)
    assert report.documents == 1
    first = min(set(store.document_ids("train", task="ner", labelled=False))
                | set(store.document_ids("train", task="sentiment", labelled=False)))
    assert store.suggested_document_ids(run) == {first}
    again = sg.suggest(store, run, splits=["train"], skip_computed=True)
    assert first not in store.suggested_document_ids(run) - {first} and again.documents >= 1
    assert sg.suggest(store, run, splits=["train"], skip_computed=True).documents == 0


def test_a_new_run_replaces_the_suggestions(project):
    store, run, encoder = project
    sg.suggest(store, run)
    doc_id = min(_ids_lacking(store, "ner"))
    second = add_fake_run(store, encoder, **LOC_NEGATIVE)
    sg.suggest(store, second)
    shown = sg.document_suggestions(store, doc_id)
    assert shown.run_id == second and {s.label for s in shown.spans} == {"LOC"}
    # the first run's predictions stay for its own review
    assert {s.label for s in sg.document_suggestions(store, doc_id, run).spans} == {"ORG"}


def test_accept_one_span_keeps_the_document_open_and_records_provenance(project):
    store, run, _ = project
    sg.suggest(store, run)
    doc_id = next(i for i in sorted(_ids_lacking(store, "ner")) if len(tokenize(store.get_document(i).text)) > 2)
    first, second, *_ = sg.document_suggestions(store, doc_id).spans
    sg.accept_span(store, doc_id, first, annotator="ann")
    doc = store.get_document(doc_id)
    (gold,) = doc.spans
    assert (gold.start, gold.end, gold.label, gold.source, gold.run_id, gold.annotator) == (
        first.start, first.end, "ORG", "gold", run, "ann")
    assert not doc.ner_labelled, "one accepted span is not a complete NER annotation"
    still = sg.document_suggestions(store, doc_id).spans
    assert (first.start, first.end, "ORG") not in _keys(still) and (second.start, second.end, "ORG") in _keys(still)


def test_reject_is_remembered_for_that_run_only(project):
    store, run, encoder = project
    sg.suggest(store, run)
    doc_id = min(_ids_lacking(store, "ner") & _ids_lacking(store, "sentiment"))
    shown = sg.document_suggestions(store, doc_id)
    sg.reject_span(store, doc_id, shown.spans[0])
    sg.reject_sentiment(store, doc_id, shown.sentiment)
    sg.suggest(store, run)  # recomputing the same run's suggestions does not bring them back
    after = sg.document_suggestions(store, doc_id)
    assert _keys(after.spans) == _keys(shown.spans[1:])
    assert after.sentiment is None
    sg.unreject_span(store, doc_id, shown.spans[0])
    assert _keys(sg.document_suggestions(store, doc_id).spans) == _keys(shown.spans)
    # a new run is a new opinion: its suggestion of the same label shows
    second = add_fake_run(store, encoder, **ORG_POSITIVE)
    sg.suggest(store, second)
    assert sg.document_suggestions(store, doc_id).sentiment.label == "positive"


def test_accept_all_marks_done_and_returns_the_state_to_undo(project):
    store, run, _ = project
    sg.suggest(store, run)
    doc_id = min(_ids_lacking(store, "ner") & _ids_lacking(store, "sentiment"))
    shown = sg.document_suggestions(store, doc_id)
    before = sg.accept_all(store, doc_id, annotator="ann")
    doc = store.get_document(doc_id)
    assert doc.ner_labelled and doc.sentiment.label == "positive" and doc.sentiment.run_id == run
    assert [(s.start, s.end, s.run_id) for s in doc.spans] == [(s.start, s.end, run) for s in shown.spans]
    assert sg.document_suggestions(store, doc_id).empty
    assert before.spans == () and before.ner_labelled is False and before.sentiment is None


def test_accept_all_without_computed_suggestions_changes_nothing(project):
    store, run, _ = project
    sg.suggest(store, run, limit=0)
    doc_id = min(_ids_lacking(store, "ner"))
    sg.accept_all(store, doc_id)
    assert not store.get_document(doc_id).ner_labelled


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_project_opens_and_gains_the_tables(tmp_path, version):
    from mtl_studio.core.store import MIGRATIONS, _split_sql

    path = tmp_path / "old.mtl"
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:  # the schema as that version wrote it
        for statement in _split_sql(migration):
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('split_seed', '13')")
    conn.execute("INSERT INTO sentiment_classes VALUES ('positive', 0)")
    conn.execute("INSERT INTO documents (text, tokens, split, created_at) VALUES ('Old text', '[[0,3],[4,8]]', "
                 "'train', 'then')")
    conn.execute(f"PRAGMA user_version={version}")
    conn.commit()
    conn.close()
    with ProjectStore.open(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert store.count_documents() == 1
        store.reject_suggestion("r", 1, "sentiment", "positive")
        assert store.rejected_suggestions("r", 1) == {("sentiment", -1, -1, "positive")}
        store.replace_document_scores("r", [("joint", 1, 0.5)])
        assert store.document_scores("r", "joint") == [(1, 0.5)]


def test_suggestions_from_an_exported_folder_name_it_as_their_source(project, tmp_path):
    from model_folders import make_model_folder

    store, _, encoder = project
    folder = make_model_folder(encoder, tmp_path / "exported", tag="B-LOC", tag_logit=10.0, extra={"run_id": "other"})
    report = sg.suggest(store, str(folder))
    assert report.run_id == "other" and sg.current_suggestion_run(store) == "other"
    assert sg.suggestion_source(store) == str(folder)  # not a run of this project: the folder is reloaded
    run = add_fake_run(store, encoder, **ORG_POSITIVE)
    sg.suggest(store, run)
    assert sg.suggestion_source(store) == run


def test_accepted_span_keeps_its_suggested_polarity_when_the_project_has_it(tmp_path):
    from mtl_studio.core.schema import Span

    store = make_project(tmp_path / "p.mtl", SMALL)
    store.enable_entity_sentiment(("negative", "neutral", "positive"))
    doc_id = next(i for i in sorted(_ids_lacking(store, "ner")) if len(tokenize(store.get_document(i).text)) > 2)
    start, end = tokenize(store.get_document(doc_id).text)[0]
    sg.accept_span(store, doc_id, Span(start, end, "ORG", "predicted", 0.9, run_id="r1", sentiment="negative",
                                       sentiment_confidence=0.8), annotator="ann")
    (gold,) = store.get_document(doc_id).spans
    assert (gold.source, gold.sentiment, gold.run_id) == ("gold", "negative", "r1")
    # A polarity the project does not declare (a model folder from elsewhere) is not made gold.
    other = next(i for i in sorted(_ids_lacking(store, "ner")) if i != doc_id)
    s2, e2 = tokenize(store.get_document(other).text)[0]
    sg.accept_span(store, other, Span(s2, e2, "ORG", "predicted", run_id="r1", sentiment="bullish"))
    (gold,) = store.get_document(other).spans
    assert gold.sentiment is None
