"""Import -> project -> export -> import for entity sentiment and document label sets (issue 13), through
the CLI where it takes the format and through export_project for the others."""
from __future__ import annotations

import json

import pytest

from formats_util import imp, new_store, write
from mtl_studio.cli import main
from mtl_studio.core.formats import ImportFailed, export_project
from mtl_studio.core.store import ProjectStore

FMT = "formats"


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


def key(doc) -> tuple:  # type: ignore[no-untyped-def]
    return (doc.text, sorted((s.start, s.end, s.label, s.sentiment) for s in doc.spans),
            doc.sentiment.label if doc.sentiment else None, sorted((x.label_set, x.label) for x in doc.labels),
            doc.ner_labelled)


def keys(store: ProjectStore) -> list[tuple]:
    return sorted(key(d) for d in store.iter_documents())


def test_sentfin_import_switches_entity_sentiment_on(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / FMT / "sentfin_like.jsonl")
    assert store.has_entity_sentiment()
    assert set(store.entity_sentiment_class_names()) == {"negative", "neutral", "positive"}
    assert report.span_sentiments == {"negative": 2, "positive": 1}
    assert any("entity sentiment task was switched on" in n for n in report.notes)
    docs = list(store.iter_documents())
    assert [(d.text[s.start:s.end], s.sentiment) for d in docs for s in d.spans] == [
        ("Jet Airways", "negative"), ("Gold", "positive"), ("rupee", "negative")]


def test_label_sets_are_created_with_their_kind(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / FMT / "tickets.csv")
    sets = {x.name: x for x in store.label_sets()}
    assert sets["topic"].multi_label and not sets["urgency"].multi_label
    assert set(sets["topic"].class_names) == {"billing", "refund", "account"}
    assert report.label_counts["topic"] == {"billing": 1, "refund": 1, "account": 1}
    assert report.added_label_sets == ["topic", "urgency"]


def test_several_labels_for_a_single_label_set_of_the_project_is_an_error(tmp_path):
    store = new_store(tmp_path)
    store.add_label_set("urgency", multi_label=False, classes=("high", "low"))
    path = write(tmp_path, "t.jsonl", json.dumps({"text": "fine", "labels": {"urgency": "low"}}) + "\n" +
                 json.dumps({"text": "two", "labels": {"urgency": ["high", "low"]}}) + "\n")
    with pytest.raises(ImportFailed) as caught:
        imp(store, path)
    assert ":2: label set 'urgency' is single-label" in str(caught.value)
    assert store.stats()["documents"] == 0  # nothing imported


def test_unknown_polarity_without_add_labels_is_an_error(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    with pytest.raises(ImportFailed) as caught:
        imp(store, fixtures_dir / FMT / "sentfin_like.jsonl", add_labels=False)
    assert "entity sentiment" in str(caught.value)
    assert not store.has_entity_sentiment()


@pytest.mark.parametrize("fixture, fmt", [
    ("absa_2014.xml", "absa"), ("finentity_like.json", "finentity"), ("label_studio_regions.json", "label-studio"),
    ("tickets.csv", "csv"), ("sentfin_like.jsonl", "jsonl"),
])
def test_import_export_import_is_equal(tmp_path, fixtures_dir, fixture, fmt):
    first = new_store(tmp_path, "a.mtl")
    imp(first, fixtures_dir / FMT / fixture, split="train")
    # The fixture's polarities and label sets reached the project (else the comparison proves nothing).
    assert any(s[3] for k in keys(first) for s in k[1]) or any(k[3] for k in keys(first))
    out = tmp_path / f"out.{fmt}"
    report = export_project(first, out, fmt)
    assert report.documents == first.stats()["documents"] - report.skipped
    second = new_store(tmp_path, "b.mtl")
    imp(second, out, format={"label-studio": "json", "finentity": "json"}.get(fmt, fmt), split="train")
    assert keys(second) == keys(first)
    assert {x.name: x.multi_label for x in second.label_sets()} == {x.name: x.multi_label for x in first.label_sets()}


def test_cli_import_absa_and_export_jsonl_and_csv(tmp_path, fixtures_dir, capsys):
    p = tmp_path / "absa.mtl"
    assert run("new", p) == 0
    capsys.readouterr()
    assert run("import", p, fixtures_dir / FMT / "absa_2014.xml", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "absa" and report["documents"] == 4
    assert report["entity_sentiment_per_class"] == {"conflict": 1, "negative": 3, "positive": 1}
    for ext in ("jsonl", "csv"):
        out = tmp_path / f"out.{ext}"
        assert run("export", p, out) == 0
        q = tmp_path / f"back-{ext}.mtl"
        assert run("new", q) == 0
        assert run("import", q, out) == 0
        with ProjectStore.open(p) as a, ProjectStore.open(q) as b:
            assert keys(a) == keys(b)
            assert "conflict" in b.entity_sentiment_class_names()


@pytest.mark.parametrize("name, content", [
    ("feed.xml", '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>\n'),
    ("page.html", "<!DOCTYPE html>\n<html><body>Hello</body></html>\n"),
    ("blob.txt", b"\x00\x01\x02binary\x00"),
])
def test_cli_refuses_unknown_formats_and_imports_nothing(tmp_path, capsys, name, content):
    p = tmp_path / "p.mtl"
    assert run("new", p) == 0
    path = write(tmp_path, name, content)
    assert run("import", p, path) != 0
    err = capsys.readouterr().err
    assert f"{path}:1:" in err and "Known formats" in err and "absa" in err
    with ProjectStore.open(p) as store:
        assert store.stats()["documents"] == 0


def test_whole_absa_file_is_not_imported_when_one_offset_is_wrong(tmp_path, fixtures_dir):
    text = (fixtures_dir / FMT / "absa_2014.xml").read_text(encoding="utf-8").replace('from="52"', 'from="51"')
    store = new_store(tmp_path)
    with pytest.raises(ImportFailed) as caught:
        imp(store, write(tmp_path, "bad.xml", text))
    assert "bad.xml:16: sentence '2777': aspectTerm 'portions'" in str(caught.value)
    assert store.stats()["documents"] == 0
