"""Splits: the rule an import follows, the seeded stratified re-split, deleting documents in bulk, and
the facts a "no training documents" error carries."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from formats_util import imp, new_store, write

from mtl_studio.core.schema import Document, SentimentLabel, Span, ValidationError
from mtl_studio.core.splits import (
    NoTrainingDocuments, check_training_documents, parse_ratios, plan_split, resplit,
)
from mtl_studio.core.store import SplitKey, assign_split

LINES = "\n".join(f"Sentence number {i} about the markets." for i in range(200))


def splits_of(store) -> Counter:
    return Counter(d.split for d in store.iter_documents())


# ---- import rules ------------------------------------------------------------------------------------

def test_lone_dev_file_into_an_empty_project_is_split_80_10_10_and_says_why(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    store = new_store(tmp_path)
    report = imp(store, write(folder, "valid.txt", LINES))
    counts = splits_of(store)
    assert counts["train"] > 120 and counts["dev"] > 0 and counts["test"] > 0  # Train has documents
    assert any("the file name says 'dev'" in n and "--split-rule file-name" in n for n in report.notes)
    assert report.split_rule == "auto" and "(rule auto)" in report.summary()


def test_dev_file_of_a_set_goes_to_dev(tmp_path):
    folder = tmp_path / "conll"
    folder.mkdir()
    write(folder, "train.txt", "a\n")  # a train file beside it: the user imports a set
    store = new_store(tmp_path)
    imp(store, write(folder, "valid.txt", LINES))
    assert splits_of(store) == {"dev": 200}


def test_dev_file_goes_to_dev_when_the_project_already_has_training_documents(tmp_path):
    folder = tmp_path / "fpb"
    folder.mkdir()
    store = new_store(tmp_path)
    imp(store, write(tmp_path, "first.txt", "one\ntwo\n"), split="train")
    report = imp(store, write(folder, "fpb_dev.csv", "text,label\nup,positive\ndown,negative\n"))
    assert report.splits == {"dev": 2}
    assert "split rule auto: 2 by the file name" in report.notes


@pytest.mark.parametrize("rule, expected", [
    ("file-name", {"dev": 3}),
    ("all-train", {"train": 3}),
    ("random", Counter([assign_split("one"), assign_split("two"), assign_split("three")])),
    ("file-field", Counter(["test", assign_split("two"), assign_split("three")])),
])
def test_each_split_rule(tmp_path, rule, expected):
    body = "\n".join(json.dumps(r) for r in [{"text": "one", "split": "test"}, {"text": "two"}, {"text": "three"}])
    store = new_store(tmp_path)
    report = imp(store, write(tmp_path, "dev.jsonl", body), split_rule=rule)
    assert splits_of(store) == expected
    assert report.notes[0].startswith(f"split rule {rule}:")


def test_file_name_rule_needs_a_name_that_names_a_split(tmp_path):
    store = new_store(tmp_path)
    with pytest.raises(ValidationError, match="names no split"):
        imp(store, write(tmp_path, "news.txt", "a\n"), split_rule="file-name")
    with pytest.raises(ValidationError, match="not both"):
        imp(store, write(tmp_path, "news.txt", "a\n"), split_rule="random", split="dev")
    with pytest.raises(ValidationError, match="not one of"):
        imp(store, write(tmp_path, "news.txt", "a\n"), split_rule="alphabetical")
    assert store.count_documents() == 0


def test_whole_file_in_dev_without_training_documents_is_a_loud_warning(tmp_path):
    body = "\n".join(json.dumps({"text": f"doc {i}", "split": "validation"}) for i in range(30))
    store = new_store(tmp_path)
    report = imp(store, write(tmp_path, "stuff.jsonl", body))
    warning = [p for p in report.warnings if p.kind == "split"]
    assert len(warning) == 1
    assert "all 30 documents went to dev" in warning[0].message and "--split-rule random" in warning[0].message
    # With training documents in the project, a dev file is what the user wanted: no warning.
    report = imp(store, write(tmp_path, "more.jsonl", body.replace("doc", "other")), split="train")
    assert not [p for p in report.warnings if p.kind == "split"]


# ---- re-split ------------------------------------------------------------------------------------------

def test_plan_split_is_seeded_exact_and_stratified():
    keys = [SplitKey(i, "dev", i % 3 == 0, ("pos", "neg", None)[i % 4 % 3]) for i in range(1, 1001)]
    plan = plan_split(keys, (0.8, 0.1, 0.1), seed=7)
    assert plan == plan_split(list(reversed(keys)), (0.8, 0.1, 0.1), seed=7)  # order-independent
    assert plan != plan_split(keys, (0.8, 0.1, 0.1), seed=8)
    assert Counter(plan.values()) == {"train": 800, "dev": 100, "test": 100}
    for label in ("pos", "neg", None):
        group = [k.id for k in keys if k.sentiment == label]
        share = Counter(plan[i] for i in group)["train"] / len(group)
        assert 0.77 < share < 0.83, (label, share)


def test_parse_ratios():
    assert parse_ratios("80/10/10") == pytest.approx((0.8, 0.1, 0.1))
    assert parse_ratios("8/1/1") == pytest.approx((0.8, 0.1, 0.1))
    assert parse_ratios("90/10/0") == pytest.approx((0.9, 0.1, 0.0))
    for bad in ("80/20", "a/b/c", "-1/1/1", "0/0/0"):
        with pytest.raises(ValidationError):
            parse_ratios(bad)


def test_resplit_moves_everything_and_only_unassigned_keeps_chosen_splits(tmp_path):
    store = new_store(tmp_path)
    imp(store, write(tmp_path, "dev.txt", LINES), split="dev")  # chosen by a flag
    report = resplit(store, (0.5, 0.5, 0.0), seed=3)
    assert report.considered == 200 and splits_of(store) == {"train": 100, "dev": 100}
    assert report.before == {"dev": 200} and report.moved == 100
    assert "moved 100" in report.summary()

    hashed = imp(store, write(tmp_path, "new.txt", "\n".join(f"new {i}" for i in range(50))))
    assert hashed.documents == 50
    before = {d.id: d.split for d in store.iter_documents()}
    report = resplit(store, (0.0, 0.0, 1.0), seed=3, only_unassigned=True)
    after = {d.id: d.split for d in store.iter_documents()}
    assert report.considered == 50
    moved_ids = {i for i in after if after[i] != before[i]}
    assert all(after[i] == "test" for i in list(after)[200:])
    assert all(after[i] == before[i] for i in list(after)[:200])
    assert moved_ids <= set(list(after)[200:])
    assert resplit(store, only_unassigned=True).considered == 0  # a re-split settles them


def test_a_document_moved_by_hand_is_no_longer_unassigned(tmp_path):
    store = new_store(tmp_path)
    imp(store, write(tmp_path, "docs.txt", "a\nb\nc\n"))
    first = store.document_ids()[0]
    store.set_split(first, "test")
    assert first not in store.unassigned_split_ids() and len(store.unassigned_split_ids()) == 2


# ---- delete --------------------------------------------------------------------------------------------

def test_delete_documents_removes_annotations_and_reports_missing(tmp_path):
    store = new_store(tmp_path)
    store.add_entity_type("ORG")
    store.add_sentiment_class("pos")
    ids = [store.add_document(Document(text=f"Acme {i}", tokens=[(0, 4), (5, 6)], split="train",
                                       spans=[Span(0, 4, "ORG")], sentiment=SentimentLabel("pos")))
           for i in range(5)]
    result = store.delete_documents([ids[0], ids[2], 999])
    assert result.ids == [ids[0], ids[2]] and result.missing == [999]
    assert result.spans == 2 and result.sentiments == 2
    assert store.document_ids() == [ids[1], ids[3], ids[4]]
    left = store.conn.execute("SELECT COUNT(*) FROM spans").fetchone()[0], \
        store.conn.execute("SELECT COUNT(*) FROM sentiments").fetchone()[0]
    assert left == (3, 3)


def test_delete_documents_is_one_transaction(tmp_path):
    store = new_store(tmp_path)
    imp(store, write(tmp_path, "docs.txt", "a\nb\nc\n"))
    ids = store.document_ids()
    with pytest.raises(RuntimeError):
        with store.bulk():
            store.delete_documents(ids[:2])
            raise RuntimeError("a failure after the delete")
    assert store.document_ids() == ids


# ---- no training documents ---------------------------------------------------------------------------

def test_no_training_documents_says_where_the_labelled_ones_are(tmp_path):
    store = new_store(tmp_path)
    store.add_sentiment_class("pos")
    with store.bulk():
        for i in range(12):
            store.add_document(Document(text=f"doc {i}", tokens=[(0, 3)], split="dev", sentiment=SentimentLabel("pos")))
        store.add_document(Document(text="unlabelled", tokens=[(0, 10)], split="train"))
    with pytest.raises(NoTrainingDocuments) as info:
        check_training_documents(store, ("ner", "sentiment"), "p.mtl")
    err = info.value
    assert err.labelled_per_split == {"train": 0, "dev": 12, "test": 0} and err.can_resplit
    assert "; all 12 labelled documents are in dev: re-split them (mtl-studio split p.mtl, or Data › Re-split" \
        in str(err)
    store.set_split(store.document_ids()[0], "test")
    with pytest.raises(NoTrainingDocuments, match=r"the 12 labelled documents are in dev \(11\) and test \(1\)"):
        check_training_documents(store, ("sentiment",), "p.mtl")
    with pytest.raises(NoTrainingDocuments, match="no training documents are labelled for ner: annotate") as info:
        check_training_documents(store, ("ner",), "p.mtl")
    assert not info.value.can_resplit
