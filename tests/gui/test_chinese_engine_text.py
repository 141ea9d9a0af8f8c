"""In Chinese, what the engine reports (run statuses, strategy and device names, import notes) shows in
Chinese in the real MainWindow, and the import wizard's header is not cut off."""
from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QLabel

from mtl_studio.gui.app import app_settings
from mtl_studio.gui.main_window import MainWindow
from mtl_studio.gui.metrics_models import RunHistoryModel

from gui_helpers import open_import_wizard
from test_chinese_workflow import BMES

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def window(qtbot, zh_translators):
    w = MainWindow(app_settings())
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    yield w
    w.shutdown()


def test_run_status_strategy_and_device_are_chinese(window, project):
    run_id = project.create_run({"tasks": ["ner", "sentiment"], "strategy": "fixed", "ner_weight": 0.5,
                                 "sentiment_weight": 0.5, "learning_rate": 5e-5, "batch_size": 16, "epochs": 3,
                                 "encoder": "offline", "device": "auto"})
    project.update_run(run_id, status="stopped", metrics={"tasks": ["ner", "sentiment"]})
    window.open_project(project.path)
    history = window.results_panel.runHistoryTable.model()
    row = history.row_of(run_id)
    assert history.index(row, RunHistoryModel.COLUMNS.index("status")).data() == "已停止"
    assert history.index(row, RunHistoryModel.COLUMNS.index("strategy")).data() == "固定"
    panel = window.training_panel
    assert "已停止" in panel.statusLabel.text() and run_id in panel.statusLabel.text()
    assert panel.deviceCombo.itemText(0) == "自动（有 GPU 时使用 GPU）"
    assert panel.strategyCombo.itemText(panel.strategyCombo.findData("fixed")) == "固定权重"
    assert "设备 自动" in panel.logView.toPlainText()


def test_import_notes_are_chinese_and_the_wizard_header_is_whole(qtbot, window, tmp_path):
    assert window.new_project(tmp_path / "zh")
    src = tmp_path / "news.bmes"
    src.write_text(BMES, encoding="utf-8")
    wizard = open_import_wizard(qtbot, window, src)
    pages = [wizard.file_page]
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    pages.append(wizard.check_page)
    table = wizard.check_page.problems
    notes = [table.item(r, 2).text() for r in range(table.rowCount()) if table.item(r, 0).text() == "说明"]
    assert notes and all(CJK.search(n) for n in notes), notes
    assert any(n.startswith("标签方案 BIOES") for n in notes), notes
    for page in reversed(pages):  # the check page is showing; then back to the file page
        if wizard.currentPage() is not page:
            wizard.restart()
        qtbot.waitUntil(lambda: wizard.currentPage() is page)
        header = [lab for lab in wizard.findChildren(QLabel) if lab.isVisible() and lab.text() and
                  lab.text() in (page.title(), page.subTitle())]
        assert header, page.title()
        for label in header + [lab for lab in page.findChildren(QLabel, "pageIntro") if lab.isVisible()]:
            assert CJK.search(label.text()), label.text()
            need = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
            assert label.height() >= need, (label.text(), label.size(), need)
            assert label.wordWrap() or label.width() >= label.sizeHint().width(), label.text()
    wizard.reject()


def test_every_core_table_title_is_marked_for_translation():
    """The Train tab shows the titles of the core's strategy and preset tables; lupdate only collects
    them through engine_text's markers, so a title added to a table must be marked there too."""
    from mtl_studio.core.config import PRESET_TABLE
    from mtl_studio.core.strategies import STRATEGY_TABLE
    from mtl_studio.gui.engine_text import CORE_TABLE_TITLES

    titles = {spec.title for spec in STRATEGY_TABLE} | {preset.title for preset in PRESET_TABLE}
    assert titles <= set(CORE_TABLE_TITLES)


def test_every_run_note_has_a_gui_template_with_the_same_english_and_fields():
    """The GUI shows a run's notes from its own translatable table (by code); in English it must say
    exactly what the CLI says, and a code the core adds must get a template here."""
    from string import Formatter

    from mtl_studio.core.run_messages import RUN_MESSAGES
    from mtl_studio.gui.engine_text import _RUN_NOTES

    assert set(_RUN_NOTES) == set(RUN_MESSAGES)
    for code, english in RUN_MESSAGES.items():
        assert _RUN_NOTES[code] == english, code
        fields = {f for _, f, _, _ in Formatter().parse(english) if f}
        assert fields == {f for _, f, _, _ in Formatter().parse(_RUN_NOTES[code]) if f}, code


def test_run_notes_in_the_train_log_are_chinese(window, project):
    """A run's notes (here: one with a task name, one with a formatted number) reach the Train tab's log
    and warning line in Chinese; a free-text message (an error) stays as the engine wrote it."""
    from mtl_studio.core.events import LogMessage
    from mtl_studio.core.run_messages import RunNote

    window.open_project(project.path)
    panel = window.training_panel
    collapsed = RunNote("warning", "weight_collapsed", {"task": "sentiment", "weight": 1.5e-4})
    early = RunNote("info", "early_stopping", {"epoch": 4, "patience": 3, "best": 1})
    for note in (collapsed, early):
        panel._on_event(LogMessage.of(note))
    panel._on_event(LogMessage("error", "CUDA out of memory"))
    log = panel.logView.toPlainText().splitlines()[-3:]
    assert all(CJK.search(line) for line in log[:2]), log
    assert "1.50e-04" in log[0] and "情感" in log[0] and "sentiment" not in log[0], log
    assert log[2] == "CUDA out of memory"
    assert CJK.search(panel.warningLabel.text()) and "1.50e-04" in panel.warningLabel.text()
