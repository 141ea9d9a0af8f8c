"""Two writers on one project: an import being read does not lock annotation out, and a writer that
must wait says so every second and gives up after a bounded time."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from mtl_studio.core import store as store_module
from mtl_studio.core import store_files
from mtl_studio.core.formats import importer
from mtl_studio.core.formats.common import ParsedDoc
from mtl_studio.core.formats.staging import staging_files
from mtl_studio.core.schema import Document, SentimentLabel, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.store_faults import ProjectBusy
from mtl_studio.core.tokenize import tokenize
from project_helpers import SMALL, make_project


def _held_reader(parsing: threading.Event, release: threading.Event, n: int):
    """A reader that yields one document, then holds the parse phase open until `release`."""
    def read(path, options, report):
        for i in range(n):
            text = f"imported document {i} from Apple"
            start = text.index("Apple")
            yield ParsedDoc(Document(text=text, tokens=tokenize(text), spans=[Span(start, start + 5, "NEWTYPE")],
                                     ner_labelled=True, sentiment=SentimentLabel("positive")), line=i + 1)
            if i == 0:
                parsing.set()
                assert release.wait(timeout=60), "the test never released the reader"
    return read


def test_an_edit_succeeds_while_an_import_is_being_read(tmp_path, monkeypatch):
    project = tmp_path / "p.mtl"
    make_project(project, SMALL).close()
    source = tmp_path / "any.jsonl"
    source.write_text("{}\n", encoding="utf-8")
    parsing, release = threading.Event(), threading.Event()
    monkeypatch.setattr(importer, "get_reader", lambda fmt: _held_reader(parsing, release, 50))
    outcome: dict[str, object] = {}

    def run_import() -> None:
        with ProjectStore.open(project) as store:
            try:
                outcome["report"] = importer.import_file(store, source)
            except BaseException as e:  # noqa: BLE001 - reported to the test thread
                outcome["error"] = e

    worker = threading.Thread(target=run_import)
    worker.start()
    try:
        assert parsing.wait(timeout=60)
        assert staging_files(tmp_path), "the import writes into its staging file"
        with ProjectStore.open(project) as editor:
            waits: list[float] = []
            editor.on_wait = waits.append
            span_id = editor.add_span(5, Span(4, 8, "ORG"))  # would wait for the whole import before
            editor.set_sentiment(5, "neutral")
            assert span_id and waits == []
            assert editor.count_documents() == len(SMALL.docs)  # nothing of the import is visible yet
    finally:
        release.set()
        worker.join(timeout=120)
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert report.committed and report.documents == 50 and report.added_entity_types == ["NEWTYPE"]
    with ProjectStore.open(project) as store:
        assert store.count_documents() == len(SMALL.docs) + 50
        assert store.entity_type_names() == ["ORG", "LOC", "NEWTYPE"]
        assert [s.label for s in store.get_document(5).spans] == ["ORG"]
        assert store.get_document(5).sentiment.label == "neutral"
        imported = store.get_document(len(SMALL.docs) + 50)
        assert imported.text == "imported document 49 from Apple"
        assert [(s.start, s.end, s.label) for s in imported.spans] == [(26, 31, "NEWTYPE")]
        assert imported.text[26:31] == "Apple" and imported.sentiment.label == "positive"
    assert staging_files(tmp_path) == []


def test_an_import_cancelled_while_it_is_read_merges_nothing(tmp_path):
    project = tmp_path / "p.mtl"
    store = make_project(project, SMALL)
    source = tmp_path / "many.txt"
    source.write_text("".join(f"line {i}\n" for i in range(2500)), encoding="utf-8")
    with pytest.raises(importer.ImportCancelled):
        importer.import_file(store, source, progress=lambda n: False)
    assert store.count_documents() == len(SMALL.docs)
    assert staging_files(tmp_path) == []
    store.close()


def test_a_waiting_edit_reports_every_second_and_gives_up_after_the_limit(tmp_path, monkeypatch):
    project = tmp_path / "p.mtl"
    make_project(project, SMALL).close()
    monkeypatch.setattr(store_files, "BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr(store_module, "WRITE_WAIT_LIMIT_S", 1.0)
    other = sqlite3.connect(project, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with ProjectStore.open(project) as store:
            waits: list[float] = []
            store.on_wait = waits.append
            with pytest.raises(ProjectBusy, match="busy"):
                store.set_sentiment(1, "neutral")
            assert waits == pytest.approx([0.2, 0.4, 0.6, 0.8])
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_waiting_edit_goes_through_once_the_other_writer_finishes(tmp_path, monkeypatch):
    project = tmp_path / "p.mtl"
    make_project(project, SMALL).close()
    monkeypatch.setattr(store_files, "BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(project, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    with ProjectStore.open(project) as store:
        waits: list[float] = []

        def on_wait(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 2:
                other.execute("ROLLBACK")  # the import's merge ends

        store.on_wait = on_wait
        store.set_sentiment(1, "neutral")
        assert store.get_document(1).sentiment.label == "neutral"
        assert len(waits) == 2
    other.close()


def test_the_cli_says_it_waits_and_names_the_busy_project(tmp_path, monkeypatch, capsys):
    from mtl_studio.cli import main as cli_main

    project = tmp_path / "p.mtl"
    make_project(project, SMALL).close()
    source = tmp_path / "lines.txt"
    source.write_text("one more line\nand another\n", encoding="utf-8")
    monkeypatch.setattr(store_files, "BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr(store_module, "WRITE_WAIT_LIMIT_S", 0.5)
    other = sqlite3.connect(project, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the studio (or another import) is writing
    try:
        assert cli_main(["import", str(project), str(source)]) == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert err.count("waiting for another writer") == 2 and "is busy" in err and "nothing was saved" in err
    with ProjectStore.open(project) as store:
        assert store.count_documents() == len(SMALL.docs)
    assert staging_files(tmp_path) == []
