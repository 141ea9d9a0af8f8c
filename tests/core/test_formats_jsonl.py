"""JSONL / JSON: own format, doccano, Label Studio, SEntFiN; errors with line numbers."""
from __future__ import annotations

import json

import pytest
from formats_util import imp, new_store, write

from mtl_studio.core.formats import ImportFailed, export_project
from mtl_studio.core.schema import SentimentLabel, Span

FMT = "formats"


def _docs(store):  # type: ignore[no-untyped-def]
    return list(store.iter_documents(sources=("gold", "silver", "predicted")))


def test_own_format(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / FMT / "own.jsonl")
    assert report.format == "jsonl" and report.documents == 5
    d = _docs(store)
    assert [x.split for x in d[:2]] == ["train", "dev"] and d[4].split == "test"
    assert d[0].meta == {"id": "n1"}
    assert [(d[0].text[s.start:s.end], s.label) for s in d[0].spans] == [("Quayside Bank", "ORG"), ("Oslo", "LOC")]
    assert d[0].sentiment.label == "positive"
    # Which tasks each document is labelled for: spans present (even empty) = NER-labelled.
    assert [x.ner_labelled for x in d] == [True, True, False, True, True]
    assert [x.sentiment.label if x.sentiment else None for x in d] == ["positive", "negative", "neutral", None, None]
    # Offsets are code points: the emoji before the span does not shift it.
    assert d[3].text[d[3].spans[1].start:d[3].spans[1].end] == "Meridian Mutual"


def test_own_format_round_trip_with_model_annotations(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    imp(store, fixtures_dir / FMT / "own.jsonl")
    store.add_entity_type("PRODUCT")
    doc_id = store.document_ids()[2]
    store.replace_model_annotations(doc_id, "silver", "run-1", [Span(7, 13, "PRODUCT", confidence=0.8)],
                                    SentimentLabel("neutral", confidence=0.9))
    out = tmp_path / "out.jsonl"
    export_project(store, out, "jsonl")
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "other_sentiments" not in recs[2] and "spans" not in recs[2]  # gold only by default
    out2 = tmp_path / "out_silver.jsonl"
    export_project(store, out2, "jsonl", include=("silver",))
    rec = [json.loads(line) for line in out2.read_text(encoding="utf-8").splitlines()][2]
    assert rec["spans"][0]["source"] == "silver" and rec["ner_labelled"] is False
    assert rec["other_sentiments"][0]["label"] == "neutral"

    again = new_store(tmp_path, "again.mtl")
    imp(again, out2)
    a, b = _docs(store), _docs(again)
    assert [(x.text, x.tokens, [(s.start, s.end, s.label, s.source) for s in x.spans + x.other_spans],
             x.sentiment, x.ner_labelled, x.split, x.meta) for x in a] == \
        [(x.text, x.tokens, [(s.start, s.end, s.label, s.source) for s in x.spans + x.other_spans],
          x.sentiment, x.ner_labelled, x.split, x.meta) for x in b]
    assert b[2].other_sentiments[0].source == "silver"


def test_doccano_ner_and_classification(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / FMT / "doccano_ner.jsonl")
    d = _docs(store)
    assert [[(x.text[s.start:s.end], s.label) for s in x.spans] for x in d] == [
        [("Vantor Telecom", "ORG"), ("Tallinn", "LOC")], [("Priya Raman", "PER"), ("Corvid Systems", "ORG")], [],
        [("Helix Semiconductors", "ORG"), ("Austin", "LOC")]]
    assert [x.ner_labelled for x in d] == [True, True, False, True]  # an empty label list = not annotated
    assert any("not labelled for NER" in n for n in report.notes)
    assert d[0].meta == {"id": 1}

    report = imp(store, fixtures_dir / FMT / "doccano_cls.jsonl")
    assert report.sentiments == {"positive": 1, "negative": 1, "neutral": 1}


def test_label_studio_export_with_utf16_offsets(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / FMT / "label_studio.json")
    assert report.format == "json" and report.documents == 4
    d = _docs(store)
    # The first task's offsets count UTF-16 code units (the emoji is two); they are converted.
    assert [(d[0].text[s.start:s.end], s.label) for s in d[0].spans] == [
        ("Novacrest Bank", "ORG"), ("Aurora savings account", "PRODUCT")]
    assert any("UTF-16" in n for n in report.notes)
    assert [x.sentiment.label if x.sentiment else None for x in d] == ["positive", "negative", "neutral", None]
    # An NER project: the annotated task without spans has no entities; the unannotated one is unlabelled.
    assert [x.ner_labelled for x in d] == [True, True, True, False]


def test_label_studio_jsonl_and_min_export(tmp_path):
    task = {"data": {"text": "Lumora Energy rose."}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 0, "end": 13, "text": "Lumora Energy", "labels": ["ORG"]}}]}]}
    minimal = {"text": "Kenji Morimoto spoke.", "label": [{"start": 0, "end": 14, "text": "Kenji Morimoto",
                                                                "labels": ["PER"]}], "sentiment": "neutral"}
    path = write(tmp_path, "ls.jsonl", json.dumps(task) + "\n" + json.dumps(minimal) + "\n")
    store = new_store(tmp_path)
    imp(store, path)
    d = _docs(store)
    assert [(x.text[s.start:s.end], s.label) for x in d for s in x.spans] == [("Lumora Energy", "ORG"),
                                                                              ("Kenji Morimoto", "PER")]
    assert d[1].sentiment.label == "neutral"


def test_sentfin_style_records(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / FMT / "sentfin_like.jsonl")
    d = _docs(store)
    assert store.entity_type_names() == ["ENT"]  # spans without a label take the ner_tags type
    assert [x.sentiment.label for x in d] == ["negative", "mixed", "negative"]
    assert d[0].tokens[:2] == [(0, 3), (4, 11)]  # the record's token offsets are kept
    # Each entity's polarity is its span's entity sentiment (no longer parked in the metadata).
    assert [(s.start, s.end, s.sentiment) for s in d[1].spans] == [(0, 4, "positive"), (9, 14, "negative")]
    assert "entity_sentiments" not in d[1].meta
    # An entity the dataset could not locate: not "no entities", so not labelled for NER.
    assert [x.ner_labelled for x in d] == [True, True, False]
    assert report.ner_documents == 2


@pytest.mark.parametrize("line, expected", [
    ('{"text": "abc", "spans": [{"start": 2, "end": 9, "label": "ORG"}]}', "out of range"),
    ('{"text": "abcdef", "spans": [{"start": 0, "end": 4, "label": "ORG"}, {"start": 2, "end": 5, "label": "LOC"}]}',
     "overlap"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 2}]', "not valid JSON"),
    ('{"body2": "abc"}', "no text field"),
    ('{"text": "abc", "sentiment": "pos", "split": "holdout"}', "split"),
    ('{"text": "abc", "label": ["pos", "neg"]}', "one sentiment label"),
    ('{"text": "abcdef", "spans": [{"start": 0, "end": 3, "label": "ORG", "text": "xyz"}]}', "says 'xyz'"),
])
def test_record_errors_name_the_line_and_import_nothing(tmp_path, line, expected):
    good = '{"text": "Fine document.", "sentiment": "neutral"}'
    path = write(tmp_path, "bad.jsonl", "\n".join([good, good.replace("Fine", "Another"), line, good]) + "\n")
    store = new_store(tmp_path)
    with pytest.raises(ImportFailed) as err:
        imp(store, path)
    assert str(err.value).startswith(f"{path}:3: ") and expected in str(err.value)
    assert store.count_documents() == 0 and store.sentiment_class_names() == []


def test_unknown_labels_added_or_refused(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    store.add_entity_type("ORG")
    store.add_sentiment_class("positive")
    with pytest.raises(ImportFailed) as err:
        imp(store, fixtures_dir / FMT / "own.jsonl", add_labels=False)
    messages = [str(p) for p in err.value.report.errors]
    assert any(":1: unknown entity type 'LOC' (the project knows: ORG)" in m for m in messages)
    assert any(":2: unknown sentiment class 'negative' (the project knows: positive)" in m for m in messages)
    assert store.count_documents() == 0
    report = imp(store, fixtures_dir / FMT / "own.jsonl")
    assert sorted(report.added_entity_types) == ["LOC", "PER"]
    assert sorted(report.added_sentiment_classes) == ["negative", "neutral"]
    assert any("entity types added" in n for n in report.notes)


@pytest.mark.shared_data
def test_sentfin_dev(tmp_path, shared_data):
    store = new_store(tmp_path)
    report = imp(store, shared_data / "sentfin" / "sentfin_dev.jsonl")
    assert report.documents == 1069 and report.entities == {"ENT": 1431}
    assert report.sentiments == {"mixed": 123, "negative": 270, "neutral": 341, "positive": 335}
    assert store.stats()["sources"] == {"sentfin_dev.jsonl": 1069}
