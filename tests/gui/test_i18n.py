"""The studio in Simplified Chinese: locale choice, the shipped translation, translated labels on screen,
and no user-visible string left out of the translation."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from mtl_studio.core.paths import resources_dir
from mtl_studio.gui.app import _env_locale, app_settings, install_translations, ui_language

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "mtl_studio_zh_CN.ts"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def zh_translators(qapp):
    translators = install_translations(qapp, "zh_CN")
    yield translators
    for t in translators:
        qapp.removeTranslator(t)


def test_locale_from_environment_and_setting(monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert _env_locale() == "zh_CN"
    monkeypatch.setenv("LANGUAGE", "en_GB:en")
    assert _env_locale() == "en_GB"  # LANGUAGE wins, as in gettext
    settings = app_settings()
    assert ui_language(settings) == "en_GB"
    settings.setValue("language", "zh_CN")  # the View > Language choice wins over the environment
    assert ui_language(settings) == "zh_CN"


def test_compiled_translation_ships(qapp):
    assert (resources_dir() / "i18n" / "mtl_studio_zh_CN.qm").is_file()
    translators = install_translations(qapp, "zh_CN")
    try:
        assert translators, "no translator installed for zh_CN"
        assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
        assert QCoreApplication.translate("AnnotatePage", "NER done (D)") == "NER 已完成 (D)"
    finally:
        for t in translators:
            qapp.removeTranslator(t)
    assert install_translations(qapp, "en_US") == []  # English is the source: nothing to load
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"


def test_main_window_in_chinese(qtbot, zh_translators, project_with_span):
    from mtl_studio.gui.main_window import MainWindow

    window = MainWindow(app_settings())
    qtbot.addWidget(window)
    window.show()
    window.open_project(project_with_span.path)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[:2] == ["文件(&F)", "编辑(&E)"]
    texts = [w.text() for w in window.findChildren(QAbstractButton) + window.findChildren(QLabel)]
    chinese = [t for t in texts if CJK.search(t or "")]
    assert len(chinese) >= 10, texts
    assert window.tabs.tabText(0) == "标注"
    assert window.findChild(QWidget, "nerDoneCheck").text() == "NER 已完成 (D)"
    assert window.doc_model.headerData(1, Qt.Orientation.Horizontal) == "文本"
    window.shutdown()


def test_every_gui_string_is_in_the_translation_file():
    """Run lupdate over the GUI sources into a scratch file and compare with the shipped .ts: a string
    added to the code without a translation fails here (run packaging/update_translations.sh)."""
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    cmd = [str(lupdate) if lupdate.exists() else "pyside6-lupdate"]
    shipped = {(c.findtext("name"), m.findtext("source")): m.find("translation")
               for c in ET.parse(TS).getroot().iter("context") for m in c.iter("message")}
    scratch = TS.with_name("scratch_check.ts")
    try:
        subprocess.run(cmd + [str(p) for p in sorted((ROOT / "mtl_studio" / "gui").glob("*.py"))] +
                       ["-ts", str(scratch)], check=True, capture_output=True)
        found = {(c.findtext("name"), m.findtext("source"))
                 for c in ET.parse(scratch).getroot().iter("context") for m in c.iter("message")}
    finally:
        scratch.unlink(missing_ok=True)
    missing = sorted(found - set(shipped))
    untranslated = sorted(k for k in found & set(shipped)
                          if shipped[k].get("type") == "unfinished" or not (shipped[k].text or "").strip())
    assert not missing and not untranslated, (missing[:10], untranslated[:10])


def test_app_starts_in_chinese_from_lang(tmp_path):
    """`mtl-studio` under LANG=zh_CN.UTF-8 shows Chinese menus (what the acceptance probe checks)."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys\n"
        "from PySide6.QtWidgets import QApplication, QMainWindow\n"
        "def inspect():\n"
        "    app = QApplication.instance()\n"
        "    [app.processEvents() for _ in range(20)]\n"
        "    w = [t for t in app.topLevelWidgets() if isinstance(t, QMainWindow)][0]\n"
        "    print('|'.join(a.text() for a in w.menuBar().actions()))\n"
        "    import gc\n"
        "    print('collector', app._mtl_collector.is_running(), 'automatic', gc.isenabled())\n"
        "    return 0\n"
        "QApplication.exec = lambda *a, **k: inspect()\n"
        "from mtl_studio.gui.app import main\n"
        "sys.exit(main([]))\n", encoding="utf-8")
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "LANGUAGE": "zh_CN",
           "MTL_STUDIO_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, str(probe)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "文件(&F)" in out.stdout, out.stdout + out.stderr
    # main() leaves garbage collection to the GUI thread (mtl_studio/gui/garbage.py).
    assert "collector True automatic False" in out.stdout, out.stdout


def test_the_core_tables_titles_are_translated(zh_translators):
    """The strategy and preset titles come from the core's tables (lupdate cannot see them), so the
    shipped translation is checked for each of them here."""
    from mtl_studio.core.config import PRESET_TABLE
    from mtl_studio.core.strategies import STRATEGY_TABLE

    for title in [spec.title for spec in STRATEGY_TABLE] + [p.title for p in PRESET_TABLE]:
        translated = QCoreApplication.translate("TrainingPanel", title)
        assert translated != title and CJK.search(translated), f"{title!r} has no Chinese translation"


def test_the_live_training_log_names_splits_and_tasks_in_chinese(qtbot, zh_translators):
    """Seen in a real window: the log's epoch lines said "dev上" and its start line "ner 6, sentiment 8"
    (codes, not the names the rest of the Chinese interface shows: 验证集, 情感)."""
    from mtl_studio.core.events import EpochEvaluated, RunStarted
    from mtl_studio.gui.training import TrainingPanel

    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel._on_event(RunStarted("run-1", {}, "cpu", "fp32", {"ner": 6, "sentiment": 8}, 32))
    panel._on_event(EpochEvaluated(1, "dev", {}, True))
    log = panel.logView.toPlainText()
    assert "验证集" in log and "情感 8" in log, log
    assert not re.search(r"\b(dev|ner|sentiment)\b", log), log
