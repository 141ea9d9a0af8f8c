"""What the status bar says about the project's storage: read-only, and waiting for another writer.

A project on read-only media opens for browsing (the store refuses every edit); a permanent label says
so. An edit that has to wait for another writer (an import's merge, another program) would otherwise
freeze the window without a word: the store calls `on_wait` about every second while it waits, and the
status bar shows how long it has waited, repainted at once (the GUI thread is inside the edit).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThread
from PySide6.QtWidgets import QLabel, QMainWindow

from mtl_studio.core.store import ProjectStore


class StoreFeedback(QObject):
    """Owns the read-only label of a main window's status bar and the store's wait callback."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.read_only_label = QLabel(self.tr("Read-only"))
        self.read_only_label.setObjectName("readOnlyLabel")
        self.read_only_label.setStyleSheet("QLabel { color: #b42318; font-weight: bold; }")
        self.read_only_label.hide()
        window.statusBar().addPermanentWidget(self.read_only_label)

    def set_store(self, store: ProjectStore | None) -> None:
        read_only = store is not None and store.read_only
        self.read_only_label.setVisible(read_only)
        self.read_only_label.setToolTip(store.read_only_notice if read_only else "")
        if store is not None:
            store.on_wait = self._show_wait
            if read_only:
                self._window.statusBar().showMessage(store.read_only_notice, 15000)

    def _show_wait(self, seconds: float) -> None:
        if QThread.currentThread() is not self.thread():
            return  # a worker thread's edit: its own task reports progress
        self._window.statusBar().showMessage(
            self.tr("Waiting for another writer (an import) to finish… {s:.0f} s").format(s=seconds), 3000)
        # Paint the message now; user input stays queued so nothing re-enters the edit in progress.
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
