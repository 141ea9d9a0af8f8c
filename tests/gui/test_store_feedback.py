"""The main window on a read-only project (a label, edit actions off) and while an edit waits for
another writer (the status bar counts the seconds)."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from mtl_studio.core import store as store_module
from mtl_studio.core import store_files
from mtl_studio.core.store_faults import ProjectBusy, ProjectReadOnly
from test_main_window import window  # noqa: F401 - the main window fixture, shown


def test_a_read_only_project_is_shown_read_only_and_refuses_edits(window, project, monkeypatch):
    path = project.path
    project.close()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if mode & os.W_OK and Path(p) == path
                        else real(p, mode, *a, **k))
    assert window.open_project(path)
    assert window.store.read_only
    assert window.store_feedback.read_only_label.isVisible()
    assert "read-only" in window.store_feedback.read_only_label.toolTip()
    assert not window.act_import.isEnabled() and not window.act_schema.isEnabled()
    assert not window.act_ner_done.isEnabled()
    assert window.act_export_jsonl.isEnabled() and window.act_next.isEnabled()  # browsing and export stay
    assert window.doc_model.rowCount() == 4
    with pytest.raises(ProjectReadOnly):
        window.store.set_sentiment(1, "neutral")


def test_a_writable_project_shows_no_read_only_label(window, project):
    assert window.open_project(project.path)
    assert not window.store_feedback.read_only_label.isVisible()
    assert window.act_import.isEnabled() and window.act_schema.isEnabled()


def test_an_edit_that_waits_for_another_writer_says_so_in_the_status_bar(window, project, monkeypatch):
    monkeypatch.setattr(store_files, "BUSY_TIMEOUT_S", 0.5)
    monkeypatch.setattr(store_module, "WRITE_WAIT_LIMIT_S", 1.6)
    assert window.open_project(project.path)
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    other = sqlite3.connect(project.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ProjectBusy):
            window.store.set_sentiment(1, "neutral")
    finally:
        other.execute("ROLLBACK")
        other.close()
    waiting = [m for m in shown if m.startswith("Waiting for another writer")]
    assert [m.rsplit(" ", 2)[-2] for m in waiting] == ["0", "1", "2"]  # seconds waited, every 0.5 s here


def test_a_new_project_with_a_name_too_long_is_refused_and_leaves_nothing(window, tmp_path):
    folder = tmp_path / "projects"
    folder.mkdir()
    assert not window.new_project(folder / ("n" * 300))
    assert "file name too long" in window.statusBar().currentMessage()
    assert list(folder.iterdir()) == [] and window.store is None
