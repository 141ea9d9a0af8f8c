"""View › Language applies at once: the window is rebuilt in the new language on the same project and
tab; during a training run a dialog says at once that the change waits for a restart."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from mtl_studio.gui.app import app_settings, install_translations, ui_language
from mtl_studio.gui.language import LanguageSwitcher


def _switcher(qapp) -> LanguageSwitcher:
    settings = app_settings()
    return LanguageSwitcher(qapp, settings, lambda a: install_translations(a, ui_language(settings)))


def _menus(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def test_choosing_chinese_retranslates_the_window_at_once(qtbot, qapp, project_with_span):
    switcher = _switcher(qapp)
    window = switcher.window
    qtbot.addWidget(window)
    window.show()
    window.open_project(project_with_span.path)
    window.tabs.setCurrentIndex(1)
    assert _menus(window)[:2] == ["&File", "&Edit"]
    try:
        window.language_actions["zh_CN"].trigger()
        new = switcher.window
        qtbot.addWidget(new)
        assert new is not window and new.isVisible()
        assert _menus(new)[:2] == ["文件(&F)", "编辑(&E)"]
        assert new.tabs.tabText(0) == "标注" and new.tabs.currentIndex() == 1
        assert new.store is not None and new.store.path == project_with_span.path
        assert new.findChild(QWidget, "trainButton").text() == "训练"
        assert new.language_actions["zh_CN"].isChecked()

        new.language_actions["en"].trigger()
        back = switcher.window
        qtbot.addWidget(back)
        assert _menus(back)[:2] == ["&File", "&Edit"]
    finally:
        for t in getattr(qapp, "_mtl_translators", []):
            qapp.removeTranslator(t)
        qapp._mtl_translators = []
        switcher.window.shutdown()


def test_during_a_run_the_user_is_told_at_once_that_a_restart_is_needed(qtbot, qapp, project, monkeypatch):
    switcher = _switcher(qapp)
    window = switcher.window
    qtbot.addWidget(window)
    window.show()
    window.open_project(project.path)
    monkeypatch.setattr(window, "_training_running", lambda: True)
    window.language_actions["zh_CN"].trigger()
    assert switcher.window is window
    box = window.findChild(QMessageBox, "languageRestartBox")
    assert box is not None and box.isVisible() and "next time" in box.text()
    assert app_settings().value("language") == "zh_CN"
    box.close()
    monkeypatch.undo()
    window.shutdown()
