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


def test_with_undo_history_the_user_chooses_now_or_at_the_next_start(qtbot, qapp, project_with_span):
    from PySide6.QtCore import Qt

    switcher = _switcher(qapp)
    window = switcher.window  # not handed to qtbot: the switch deletes it
    window.show()
    window.open_project(project_with_span.path)
    window.editor.select_range(0, 3)
    window.editor.assign_label("PER")  # an edit: one undo step
    assert window.undo_stack.count() == 1
    try:
        window.language_actions["zh_CN"].trigger()
        box = window.findChild(QMessageBox, "languageSwitchBox")
        assert box is not None and box.isVisible() and "undo history (1 steps" in box.text()
        later = next(b for b in box.buttons() if b.text() == "At the next start")
        qtbot.mouseClick(later, Qt.MouseButton.LeftButton)
        assert switcher.window is window and window.undo_stack.count() == 1  # nothing lost
        assert app_settings().value("language") == "zh_CN"
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "languageRestartBox") is not None)
        window.findChild(QMessageBox, "languageRestartBox").close()

        window.language_actions["zh_CN"].trigger()
        box = window.findChild(QMessageBox, "languageSwitchBox")
        now = next(b for b in box.buttons() if b.text() == "Switch now")
        qtbot.mouseClick(now, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: switcher.window is not window)
        assert _menus(switcher.window)[:2] == ["文件(&F)", "编辑(&E)"]
    finally:
        for t in getattr(qapp, "_mtl_translators", []):
            qapp.removeTranslator(t)
        qapp._mtl_translators = []
        app_settings().setValue("language", "en")
        switcher.window.shutdown()
