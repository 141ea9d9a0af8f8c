"""The main window: named widgets, projects (open, new, recent, demo), import through the wizard,
export from the menu, the label schema dialog, window state."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from mtl_studio.gui.app import app_settings
from mtl_studio.gui.main_window import MainWindow
from mtl_studio.gui.schema_dialog import SchemaDialog

NAMES = ["documentList", "annotationEditor", "sentimentButtons", "trainButton", "stopButton", "taskRows", "taskWeightSlider",
         "nerMetricsTable", "sentimentMetricsTable", "predictionView"]


@pytest.fixture
def window(qtbot):
    w = MainWindow(app_settings())
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def test_all_named_widgets_exist(window):
    missing = [n for n in NAMES if window.findChild(QWidget, n) is None]
    assert missing == []


def test_open_project_fills_list_and_editor(qtbot, window, project_with_span):
    assert window.open_project(project_with_span.path)
    assert window.doc_model.rowCount() == 4
    assert window.current_doc_id() == 1
    assert [s.label for s in window.editor.doc.spans] == ["ORG"]
    assert window.windowTitle().startswith("project.mtl")
    assert window.recent_projects()[0] == str(project_with_span.path.resolve())
    # Counts arrive from a worker thread, for the list and for the labelling progress.
    qtbot.waitUntil(lambda: "4 documents" in window.progress_label.text(), timeout=5000)
    assert "NER labelled 1" in window.progress_label.text()
    qtbot.waitUntil(lambda: window.doc_panel.count_label.text().startswith("4 documents"), timeout=5000)


def test_reopen_remembers_last_document(qtbot, project):
    w = MainWindow(app_settings())
    qtbot.addWidget(w)
    w.open_project(project.path)
    w.show_document(3)
    w.shutdown()
    w2 = MainWindow(app_settings())
    qtbot.addWidget(w2)
    w2.open_project(project.path)
    assert w2.current_doc_id() == 3
    w2.shutdown()


def test_bad_project_file_is_refused_without_crash(window, tmp_path):
    bad = tmp_path / "not-a-project.mtl"
    bad.write_text("hello, I am not SQLite", encoding="utf-8")
    assert not window.open_project(bad)
    assert window.store is None
    assert "could not be opened" in window.statusBar().currentMessage() or \
        "cannot" in window.statusBar().currentMessage().lower()


def test_new_project(window, tmp_path):
    assert window.new_project(tmp_path / "fresh")
    assert window.store is not None and window.store.path.name == "fresh.mtl"
    assert window.doc_model.rowCount() == 0
    assert window.editor.doc is None


def test_demo_project_opens(window):
    assert window.open_demo_project()
    assert window.store.count_documents() > 100
    assert window.current_doc_id() is not None


def test_first_run_opens_demo_then_last_project(qtbot, project):
    from mtl_studio.gui.app import open_initial_project

    settings = app_settings()
    w = MainWindow(settings)
    qtbot.addWidget(w)
    open_initial_project(w, [], settings)
    assert w.store is not None and w.store.path.name == "demo.mtl"
    w.open_project(project.path)
    w.shutdown()
    w2 = MainWindow(settings)
    qtbot.addWidget(w2)
    open_initial_project(w2, [], settings)
    assert w2.store.path == project.path  # the last project, not the demo again
    w2.shutdown()


def write_conll(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_through_wizard(qtbot, window, project, tmp_path):
    window.open_project(project.path)
    src = write_conll(tmp_path / "news.conll", "Siemens B-ORG\nhired O\nAnna B-PER\n\n华 B-ORG\n为 I-ORG\n在 O\n深 B-LOC\n圳 I-LOC\n\n")
    window.import_interactive(str(src))
    wizard = window._wizard
    qtbot.waitUntil(lambda: wizard.file_page.isComplete(), timeout=10_000)
    assert wizard.file_page.effective_format() == "conll"
    wizard.next()  # -> check page: a dry run off the GUI thread
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    result = wizard.check_page.result
    assert not result.failed and result.report.documents == 2
    assert result.preview[1].text == "华为在深圳" and result.preview[1].spans == [(0, 2, "ORG"), (3, 5, "LOC")]
    assert "Siemens" in wizard.check_page.preview.toPlainText()
    assert window.store.count_documents() == 4  # nothing written by the check
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()  # -> import
    assert window.store.count_documents() == 6
    assert window.doc_model.total() == 6
    assert "Imported 2 documents" in window.statusBar().currentMessage()
    wizard.accept()
    window.tasks.wait()


def test_wizard_lists_errors_with_line_numbers_and_imports_nothing(qtbot, window, project, tmp_path):
    window.open_project(project.path)
    src = write_conll(tmp_path / "ragged.conll", "EU B-ORG\nrejects O\n\nPeter\nBlackburn I-PER\n\n")
    window.import_interactive(str(src))
    wizard = window._wizard
    qtbot.waitUntil(lambda: wizard.file_page.isComplete(), timeout=10_000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    assert wizard.check_page.result.failed
    assert not wizard.check_page.isComplete()  # the Import button stays disabled
    table = wizard.check_page.problems
    cells = [(table.item(r, 0).text(), table.item(r, 1).text() if table.item(r, 1) else "") for r in
             range(table.rowCount())]
    assert ("error", "line 4") in cells
    assert window.store.count_documents() == 4
    wizard.reject()
    window.tasks.wait()


def test_export_annotations_runs_in_background(qtbot, window, project_with_span, tmp_path):
    window.open_project(project_with_span.path)
    out = tmp_path / "out.jsonl"
    window.export_annotations(out, "jsonl")
    qtbot.waitUntil(lambda: "Exported" in window.statusBar().currentMessage(), timeout=20_000)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and "Apple" in lines[0]


def test_schema_dialog_says_what_happens_before_removing(qtbot, project_with_span):
    dialog = SchemaDialog(project_with_span)
    qtbot.addWidget(dialog)
    asked: list[str] = []
    dialog.confirm = lambda title, text: asked.append(text) or False  # say "no" first
    assert not dialog.remove_entity_type("ORG")
    assert "1 gold" in asked[0] and project_with_span.entity_type_names() == ["PER", "ORG", "LOC"]
    dialog.confirm = lambda title, text: True
    assert dialog.rename_entity_type("ORG", "COMPANY")
    assert [s.label for s in project_with_span.get_document(1).spans] == ["COMPANY"]
    assert dialog.add_entity_type("PRODUCT")
    dialog.recolour_entity_type("PRODUCT", "#123456")
    assert [t.colour for t in project_with_span.entity_types() if t.name == "PRODUCT"] == ["#123456"]
    assert dialog.remove_entity_type("COMPANY")
    assert project_with_span.get_document(1).spans == []
    assert dialog.types_table.rowCount() == 3
    project_with_span.set_sentiment(1, "neutral")
    assert dialog.remove_sentiment_class("neutral")
    assert project_with_span.get_document(1).sentiment is None
    assert not dialog.add_sentiment_class("has space")  # refused with a message, not an exception
    assert "no spaces" in dialog.last_error


def test_schema_change_updates_palette_and_clears_undo(qtbot, window, project_with_span):
    window.open_project(project_with_span.path)
    window.editor.select_range(0, 3)
    window.editor.assign_label("PER")
    assert window.undo_stack.count() == 1
    window._on_schema_changed(True)
    assert window.undo_stack.count() == 0
    names = [b.text() for b in window.annotate_page.palette_widget.findChildren(QWidget)
             if b.objectName().startswith("typeButton_")]
    assert len(names) == 3


def test_window_state_is_saved(qtbot, project):
    settings = app_settings()
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.resize(1111, 777)
    QApplication.processEvents()
    w.shutdown()
    assert settings.value("window/geometry") is not None and settings.value("window/state") is not None


def test_wizard_maps_csv_columns(qtbot, window, project, tmp_path):
    """Columns with names the importer cannot guess are chosen in the wizard."""
    window.open_project(project.path)
    src = tmp_path / "reviews.csv"
    src.write_text("id,body,mood\n1,Great service from Nokia,positive\n2,Slow refund again,negative\n",
                   encoding="utf-8")
    window.import_interactive(str(src))
    wizard = window._wizard
    page = wizard.file_page
    qtbot.waitUntil(lambda: page.isComplete() and page.text_column.count() > 1, timeout=10_000)
    assert [page.text_column.itemData(i) for i in range(1, page.text_column.count())] == ["id", "body", "mood"]
    assert page.text_column.isVisibleTo(wizard)  # column rows only show for tabular files
    page.text_column.setCurrentIndex(page.text_column.findData("body"))
    page.label_column.setCurrentIndex(page.label_column.findData("mood"))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    assert [(d.text, d.sentiment) for d in wizard.check_page.result.preview] == [
        ("Great service from Nokia", "positive"), ("Slow refund again", "negative")]
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    wizard.accept()
    texts = {d.text: d.sentiment.label for d in window.store.iter_documents() if d.sentiment}
    assert texts == {"Great service from Nokia": "positive", "Slow refund again": "negative"}


def test_export_model_without_a_run_says_what_to_do(window, project):
    window.open_project(project.path)
    window.export_model_interactive()
    assert "Train a model first" in window.statusBar().currentMessage()


def test_import_cancelled_or_failed_still_closes(qtbot, window, project, tmp_path, monkeypatch):
    from mtl_studio.gui import io_tasks

    window.open_project(project.path)
    src = write_conll(tmp_path / "ok.conll", "Siemens B-ORG\nhired O\n\n")
    window.import_interactive(str(src))
    wizard = window._wizard
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)

    def failing_import(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(io_tasks, "run_import", failing_import)
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.result_page.is_running(), timeout=20_000)
    assert "Nothing was imported: disk full" in wizard.result_page.status.text()
    assert wizard.result_page.isComplete()  # "Close" is enabled
    assert window.store.count_documents() == 4
    wizard.accept()
    window.tasks.wait()
