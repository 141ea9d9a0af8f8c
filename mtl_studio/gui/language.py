"""View › Language applied at once: the new translations are installed and the window is rebuilt in
them, on the same project, tab and document.

Qt widgets take their texts from tr() when they are built and do not retranslate themselves, so a
fresh window is the one way every label, header and tooltip follows. While a training run is going
on the window is not rebuilt (that would stop the run); the user is told at once that the language
changes at the next start.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from .main_window import MainWindow


class LanguageSwitcher:
    """Owns the current main window and replaces it when the user picks another language."""

    def __init__(self, app: QApplication, settings: QSettings,
                 install: Callable[[QApplication], list]) -> None:
        self.app = app
        self.settings = settings
        self._install = install  # installs the translators of the language the settings name
        self.window = self._new_window()

    def _new_window(self) -> MainWindow:
        window = MainWindow(self.settings)
        window.language_switcher = self.switch
        return window

    def switch(self, code: str) -> bool:
        """Rebuild the window in the language `code` (the caller saved it in the settings); False when
        it cannot happen now (a run is going on)."""
        old = self.window
        if old._training_running():
            return False
        project = old.store.path if old.store is not None else None
        tab = old.tabs.currentIndex()
        doc = old.current_doc_id()
        old.save_window_state()
        for translator in getattr(self.app, "_mtl_translators", []):
            self.app.removeTranslator(translator)
        self.app._mtl_translators = self._install(self.app)  # type: ignore[attr-defined]
        old.shutdown()  # closes the project before the new window opens it
        new = self._new_window()
        new.restoreGeometry(old.saveGeometry())
        new.show()
        if project is not None and new.open_project(project):
            if doc is not None:
                new.doc_panel.select_doc(doc)
            new.tabs.setCurrentIndex(tab)
        self.window = new
        old.language_switcher = None
        old.hide()
        old.deleteLater()
        return True
