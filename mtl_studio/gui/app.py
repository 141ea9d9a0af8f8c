"""Start the studio: QApplication, settings, translations, the main window, the event loop.

The window is fully built and shown before `app.exec()`, so automation that replaces exec (the
acceptance probe) finds every widget in place.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from mtl_studio.core.paths import APP_AUTHOR, APP_NAME, resources_dir, user_data_dir

from .garbage import GuiThreadCollector

log = logging.getLogger(__name__)

ORGANIZATION = APP_AUTHOR


def app_settings() -> QSettings:
    """The studio's settings. With MTL_STUDIO_HOME set (tests, portable use) they live in that folder
    instead of the user's native settings store."""
    if os.environ.get("MTL_STUDIO_HOME"):
        return QSettings(str(user_data_dir() / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, "mtl-studio")


def _env_locale() -> str | None:
    """The UI language named by the environment (LANGUAGE first, as gettext does, then LC_ALL, LANG)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        for part in value.split(":"):
            part = part.split(".")[0].split("@")[0]
            if part and part not in ("C", "POSIX"):
                return part
    return None


def ui_language(settings: QSettings) -> str:
    """A locale name such as 'zh_CN' or 'en': the setting when made, else the environment, else Qt's."""
    chosen = str(settings.value("language", "") or "")
    if chosen:
        return chosen
    return _env_locale() or QLocale.system().name()


def install_translations(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Load MTL Studio's and Qt's own translations for `language`; English (the source) is the fallback."""
    translators: list[QTranslator] = []
    locale = QLocale(language)
    if locale.language() in (QLocale.Language.English, QLocale.Language.C):
        return translators
    try:
        i18n = resources_dir() / "i18n"
    except FileNotFoundError:
        i18n = None
    ours = QTranslator(app)
    # QTranslator.load(locale, ...) tries zh_CN, then zh, and the UI-language fallbacks of the locale.
    if i18n is not None and ours.load(locale, "mtl_studio", "_", str(i18n)):
        app.installTranslator(ours)
        translators.append(ours)
    else:
        log.info("no MTL Studio translation for %s; the interface stays in English", language)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qtbase = QTranslator(app)
    if qtbase.load(locale, "qtbase", "_", qt_dir):
        app.installTranslator(qtbase)
        translators.append(qtbase)
    return translators


def _icon() -> QIcon | None:
    try:
        res = resources_dir()
    except FileNotFoundError:
        return None
    for name in ("icon.png", "icon.svg"):
        if (res / name).exists():
            return QIcon(str(res / name))
    return None


def create_app(argv: list[str]) -> tuple[QApplication, QSettings]:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "mtl-studio", *argv])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName("mtl-studio")
    QApplication.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("mtl-studio")
    icon = _icon()
    if icon is not None:
        app.setWindowIcon(icon)
    settings = app_settings()
    app._mtl_translators = install_translations(app, ui_language(settings))  # type: ignore[attr-defined]
    return app, settings


def open_initial_project(window, argv: list[str], settings: QSettings) -> None:
    """The project named on the command line, else the last one, else (first run) the demo project."""
    from .main_window import MainWindow

    assert isinstance(window, MainWindow)
    if argv:
        path = Path(argv[0])
        if not path.exists():
            window._warn(QCoreApplication.translate("MainWindow", "Cannot open project"),
                         QCoreApplication.translate("MainWindow", "{path} does not exist.").format(path=path))
        else:
            window.open_project(path)
        return
    for p in window.recent_projects():
        if Path(p).exists():
            if window.open_project(p):
                return
    if not settings.value("demoOffered", False, type=bool):
        settings.setValue("demoOffered", True)
        # First run: open the bundled demo project (a copy in the user folder) instead of an empty window.
        if window.open_demo_project():
            window.statusBar().showMessage(QCoreApplication.translate(
                "MainWindow", "Welcome! This is the demo project. File › New project starts your own; "
                "File › Import… brings in your data."), 15000)


def collect_garbage_on_the_gui_thread(app: QApplication) -> GuiThreadCollector:
    """Garbage cycles collected on this (the GUI) thread only, from now on (gui/garbage.py says why);
    the preloaded training modules are frozen out of full collections once they are in."""
    from .preload import preload_finished

    collector = GuiThreadCollector(app, freeze_when=preload_finished)
    collector.start()
    app._mtl_collector = collector  # type: ignore[attr-defined]  # kept as long as the application
    return collector


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=os.environ.get("MTL_STUDIO_LOG", "WARNING"))
    app, settings = create_app(argv)
    from .preload import preload_training_modules

    preload_training_modules()
    collector = collect_garbage_on_the_gui_thread(app)
    from .language import LanguageSwitcher

    switcher = LanguageSwitcher(app, settings, lambda a: install_translations(a, ui_language(settings)))
    window = switcher.window
    window.show()
    open_initial_project(window, [a for a in argv if not a.startswith("-")], settings)
    for _ in range(3):  # lay out and fetch the first page of documents before the loop starts
        app.processEvents()
    # A Ctrl+C in the terminal should quit: Python handles signals only when it runs, so wake it up.
    timer = QTimer()
    timer.start(500)
    timer.timeout.connect(lambda: None)
    import signal

    signal.signal(signal.SIGINT, lambda *_: app.quit())
    app.aboutToQuit.connect(lambda: switcher.window.shutdown())  # the window of the language last chosen
    app.aboutToQuit.connect(collector.stop)
    return int(app.exec() or 0)
