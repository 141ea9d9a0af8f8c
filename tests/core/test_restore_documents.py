"""Deleted documents come back (the undo of a deletion): ids, text, tokens, every annotation with its
provenance, and an unassigned split mark; a restore that cannot be complete restores nothing."""
from __future__ import annotations

import pytest
from formats_util import imp, new_store, write

from mtl_studio.core.schema import Document, SentimentLabel, Span, ValidationError


def test_snapshot_then_delete_then_restore_gives_the_same_documents(tmp_path):
    store = new_store(tmp_path)
    store.add_entity_type("ORG")
    store.add_sentiment_class("pos")
    ids = [store.add_document(Document(text=f"Acme {i}", tokens=[(0, 4), (5, 6)], split="dev", meta={"n": i},
                                       spans=[Span(0, 4, "ORG")], sentiment=SentimentLabel("pos")))
           for i in range(3)]
    run = store.create_run({"tasks": ["ner"]})
    store.replace_model_annotations(ids[1], "predicted", run, [Span(0, 4, "ORG", confidence=0.7)], None)
    before = {i: store.get_document(i, sources=("gold", "predicted")) for i in ids}
    snapshots = store.snapshot_documents([ids[1], ids[2]])
    store.delete_documents([ids[1], ids[2]])
    assert store.document_ids() == [ids[0]]
    assert store.restore_documents(snapshots) == [ids[1], ids[2]]
    assert store.document_ids() == ids
    for i in ids:
        assert store.get_document(i, sources=("gold", "predicted")) == before[i]


def test_restore_keeps_an_unassigned_split_unassigned(tmp_path):
    store = new_store(tmp_path)
    imp(store, write(tmp_path, "docs.txt", "a\nb\nc\n"))  # hashed splits: unassigned
    first = store.document_ids()[0]
    snapshots = store.snapshot_documents([first])
    store.delete_documents([first])
    assert first not in store.unassigned_split_ids()
    store.restore_documents(snapshots)
    assert first in store.unassigned_split_ids()


def test_restore_is_all_or_nothing(tmp_path):
    store = new_store(tmp_path)
    store.add_entity_type("ORG")
    ids = [store.add_document(Document(text=f"Acme {i}", tokens=[(0, 4)], split="train", spans=[Span(0, 4, "ORG")]))
           for i in range(2)]
    snapshots = store.snapshot_documents(ids)
    store.delete_documents(ids)
    store.remove_entity_type("ORG")  # the spans' label is gone: they cannot come back
    with pytest.raises(ValidationError, match="cannot be restored"):
        store.restore_documents(snapshots)
    assert store.document_ids() == []
