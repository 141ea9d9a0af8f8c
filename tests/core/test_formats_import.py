"""Importer behaviour shared by all formats: splits, duplicates, atomicity, progress; export sources."""
from __future__ import annotations

import json

import pytest
from formats_util import conll_rows, imp, new_store, write

from mtl_studio.core.formats import ImportFailed, export_project, import_file, split_from_filename
from mtl_studio.core.formats.importer import ImportCancelled
from mtl_studio.core.schema import SentimentLabel, Span, ValidationError
from mtl_studio.core.store import assign_split


@pytest.mark.parametrize("name, split", [
    ("train.txt", "train"), ("valid.txt", "dev"), ("dev.jsonl", "dev"), ("test.char.bmes", "test"),
    ("fpb_dev.csv", "dev"), ("sentfin_train.jsonl", "train"), ("eng.testa", "dev"), ("eng.testb", "test"),
    ("latest_news.csv", None), ("contest.txt", None), ("train_test.csv", None), ("news.conll", None),
])
def test_split_from_filename(name, split):
    assert split_from_filename(name) == split


def test_split_priority_option_then_file_then_name_then_seeded(tmp_path):
    recs = [{"text": "one", "split": "test"}, {"text": "two"}, {"text": "three"}]
    body = "\n".join(json.dumps(r) for r in recs)
    store = new_store(tmp_path)
    report = imp(store, write(tmp_path, "train.jsonl", body))
    assert [d.split for d in store.iter_documents()] == ["test", "train", "train"]
    assert "split rule auto: 1 by the file's split field, 2 by the file name" in report.notes

    store = new_store(tmp_path, "b.mtl")
    imp(store, write(tmp_path, "train2.jsonl", body), split="dev")
    assert [d.split for d in store.iter_documents()] == ["dev", "dev", "dev"]

    store = new_store(tmp_path, "c.mtl")
    report = imp(store, write(tmp_path, "stuff.jsonl", body))
    assert [d.split for d in store.iter_documents()] == ["test", assign_split("two"), assign_split("three")]
    assert "split rule auto: 1 by the file's split field, 2 by seeded random 80/10/10" in report.notes


def test_seeded_split_is_deterministic_and_roughly_80_10_10(tmp_path):
    body = "\n".join(f"Document number {i} about markets." for i in range(1000))
    a, b = new_store(tmp_path, "a.mtl"), new_store(tmp_path, "b.mtl")
    ra, rb = imp(a, write(tmp_path, "docs.txt", body)), imp(b, tmp_path / "docs.txt")
    assert ra.splits == rb.splits
    assert 740 < ra.splits["train"] < 860 and 60 < ra.splits["dev"] < 140 and 60 < ra.splits["test"] < 140


def test_duplicates_warned_counted_and_optionally_skipped(tmp_path):
    path = write(tmp_path, "dups.txt", "alpha\nbeta\nalpha\n")
    store = new_store(tmp_path)
    report = imp(store, path)
    assert report.documents == 3 and report.duplicates == 1
    assert [(p.line, "line 1" in p.message) for p in report.warnings] == [(3, True)]
    again = imp(store, path, skip_duplicates=True)  # everything is already in the project
    assert again.documents == 0 and again.duplicates == 3
    assert "already in the project" in again.warnings[0].message
    assert store.count_documents() == 3


def test_failing_file_leaves_the_project_exactly_as_it_was(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    imp(store, fixtures_dir / "formats" / "own.jsonl")
    before = (store.stats(), store.entity_type_names(), store.sentiment_class_names(), store.dataset_hash())
    # Many good lines with new labels, one bad line at the end.
    lines = [json.dumps({"text": f"Doc {i}", "spans": [{"start": 0, "end": 3, "label": "NEWTYPE"}],
                         "sentiment": "newclass"}) for i in range(500)]
    lines.append(json.dumps({"text": "short", "spans": [{"start": 0, "end": 99, "label": "ORG"}]}))
    with pytest.raises(ImportFailed) as err:
        imp(store, write(tmp_path, "bad.jsonl", "\n".join(lines)))
    assert err.value.report.errors[0].line == 501
    assert (store.stats(), store.entity_type_names(), store.sentiment_class_names(), store.dataset_hash()) == before


def test_progress_callback_can_cancel_without_importing(tmp_path):
    body = "\n".join(f"line {i}" for i in range(2500))
    store = new_store(tmp_path)
    seen = []

    def progress(n: int) -> bool:
        seen.append(n)
        return n < 2000

    with pytest.raises(ImportCancelled):
        import_file(store, write(tmp_path, "many.txt", body), progress=progress)
    assert seen == [1000, 2000] and store.count_documents() == 0


def test_missing_file_and_bad_split_option(tmp_path):
    store = new_store(tmp_path)
    with pytest.raises(FileNotFoundError):
        imp(store, tmp_path / "nope.conll")
    with pytest.raises(ValidationError, match="--split"):
        imp(store, write(tmp_path, "x.txt", "a"), split="holdout")


def test_export_gold_only_by_default_and_model_sources_on_request(tmp_path):
    store = new_store(tmp_path)
    store.add_entity_type("ORG")
    store.add_sentiment_class("positive")
    body = "\n".join(json.dumps(r) for r in [
        {"text": "Quayside Bank rose", "spans": [{"start": 0, "end": 13, "label": "ORG"}], "split": "train"},
        {"text": "Kestrel Airways fell", "sentiment": "positive", "split": "train"},
    ])
    imp(store, write(tmp_path, "x.jsonl", body))
    unlabelled = store.document_ids()[1]
    store.replace_model_annotations(unlabelled, "predicted", "run-7", [Span(0, 15, "ORG", confidence=0.7)],
                                    SentimentLabel("positive", confidence=0.6))
    gold = tmp_path / "gold.conll"
    report = export_project(store, gold, "conll")
    assert report.documents == 1 and report.skipped == 1
    assert conll_rows(gold) == [("Quayside", "B-ORG"), ("Bank", "I-ORG"), ("rose", "O")]
    both = tmp_path / "pred.conll"
    export_project(store, both, "conll", include=("predicted",))
    assert conll_rows(both)[3:] == [("Kestrel", "B-ORG"), ("Airways", "I-ORG"), ("fell", "O")]
    csv_out = tmp_path / "pred.csv"
    export_project(store, csv_out, "csv", include=("predicted",))
    header, _, row2 = csv_out.read_text(encoding="utf-8").splitlines()
    assert header == "text,sentiment,split,entities,predicted_sentiment"
    assert row2.endswith(",positive") and '"source": "predicted"' in row2.replace('""', '"')
    with pytest.raises(ValidationError, match="--include"):
        export_project(store, csv_out, "csv", include=("gold-ish",))


def test_export_split_filter_and_atomic_output(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    imp(store, fixtures_dir / "formats" / "own.jsonl")
    out = tmp_path / "dev.jsonl"
    report = export_project(store, out, "jsonl", split="dev")
    assert report.documents == 1 and json.loads(out.read_text(encoding="utf-8"))["split"] == "dev"
    assert not list(tmp_path.glob("*.part"))
