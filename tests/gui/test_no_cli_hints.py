"""The GUI never asks the user to type a command-line option where a control does it: the engine's
messages reach the import wizard and the Train tab with the GUI's control names instead."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from mtl_studio.gui.app import app_settings
from mtl_studio.gui.main_window import MainWindow

from gui_helpers import open_import_wizard

ROOT = Path(__file__).resolve().parents[2]
CLI_OPTION = re.compile(r"--[a-z][a-z-]+|mtl-studio [a-z]")


def test_an_unknown_label_names_the_wizard_checkbox_not_an_option(qtbot, project, tmp_path):
    window = MainWindow(app_settings())
    qtbot.addWidget(window)
    window.show()
    window.open_project(project.path)
    src = tmp_path / "news.csv"
    src.write_text("text,label\nShares rose.,bullish\nShares fell.,positive\n", encoding="utf-8")
    wizard = open_import_wizard(qtbot, window, src)
    wizard.file_page.add_labels.setChecked(False)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    table = wizard.check_page.problems
    messages = [table.item(r, 2).text() for r in range(table.rowCount()) if table.item(r, 2)]
    unknown = [m for m in messages if "bullish" in m]
    assert unknown, messages
    assert wizard.file_page.add_labels.text() in unknown[0]
    assert not any(CLI_OPTION.search(m) for m in messages), messages
    wizard.reject()
    window.shutdown()


def test_no_gui_text_names_a_command():
    """Every string the GUI translates (its own texts) is free of commands and options."""
    sources = [m.findtext("source") for m in ET.parse(ROOT / "resources/i18n/mtl_studio_zh_CN.ts").iter("message")]
    assert [s for s in sources if CLI_OPTION.search(s or "")] == []
