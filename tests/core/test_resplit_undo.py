"""A re-split can be undone and redone: splits and unassigned marks come back exactly."""
from __future__ import annotations

from formats_util import imp, new_store, write

from mtl_studio.core.splits import redo_resplit, resplit_undoably, undo_resplit


def test_resplit_undo_and_redo(tmp_path):
    store = new_store(tmp_path)
    imp(store, write(tmp_path, "dev.txt", "\n".join(f"chosen {i}" for i in range(20))), split="dev")
    imp(store, write(tmp_path, "more.txt", "\n".join(f"hashed {i}" for i in range(10))))  # unassigned
    splits = lambda: {d.id: d.split for d in store.iter_documents()}  # noqa: E731
    original, unassigned = splits(), store.unassigned_split_ids()
    assert len(unassigned) == 10
    report, change = resplit_undoably(store, (0.5, 0.5, 0.0), seed=4)
    after = splits()
    assert report.considered == 30 and after != original and store.unassigned_split_ids() == []
    assert change.after == after
    undo_resplit(store, change)
    assert splits() == original and store.unassigned_split_ids() == unassigned
    redo_resplit(store, change)
    assert splits() == after and store.unassigned_split_ids() == []


def test_only_unassigned_change_names_only_those(tmp_path):
    store = new_store(tmp_path)
    imp(store, write(tmp_path, "dev.txt", "a\nb\n"), split="dev")
    imp(store, write(tmp_path, "more.txt", "c\nd\ne\n"))
    _report, change = resplit_undoably(store, (0.0, 0.0, 1.0), seed=1, only_unassigned=True)
    assert sorted(change.before) == sorted(change.after) and len(change.before) == 3
    assert set(change.after.values()) == {"test"}
