"""The main window: menus, toolbar, the document list dock and the four work tabs.

The window owns the open project (a ProjectStore), its undo stack and the edit notifier, and hands
them to the panels. Panels from the training side (TrainingPanel, ResultsPanel, PredictionView) are
imported lazily so the window still opens, with a note in their tab, if one of them fails to import.
"""
from __future__ import annotations

import html
import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget, QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox, QScrollArea, QStyle, QTabWidget, QToolBar,
    QWidget,
)

from mtl_studio import __version__
from mtl_studio.core.splits import ResplitChange, ResplitReport, resplit_undoably
from mtl_studio.core.store import PROJECT_FILE_ERRORS, ProjectStore

from .background import BackgroundTasks
from .commands import (
    DeleteDocumentsCommand, EditNotifier, LargeDeleteCommand, ResplitCommand, in_project, snapshot_and_delete,
)
from .document_list import DocumentListPanel
from .annotate_page import AnnotatePage
from .models import DocumentListModel
from .shortcuts_dialog import ShortcutsDialog
from .standard_keys import set_shortcuts
from .store_feedback import StoreFeedback

__all__ = ["MainWindow", "DocumentListPanel", "ShortcutsDialog"]

log = logging.getLogger(__name__)

MAX_RECENT = 8
PROJECT_SUFFIX = ".mtl"


def _optional_panel(module: str, cls: str) -> tuple[type | None, str]:
    """The panel class from a sibling module, or None and the reason (shown in its tab)."""
    try:
        mod = importlib.import_module(f"mtl_studio.gui.{module}")
        return getattr(mod, cls), ""
    except Exception as e:  # noqa: BLE001 - a broken panel must not take the whole window down
        log.exception("could not load %s.%s", module, cls)
        return None, f"{type(e).__name__}: {e}"


WINDOW_FRAME_ALLOWANCE = 40  # title bar and borders a window manager adds around the window
# Deleting this many documents takes ~40 ms on the GUI thread (snapshot for undo + delete, measured on a
# 14k-document project: 0.8 s for all); more go to a worker, as a re-split does.
DELETE_ON_GUI_THREAD = 500


def first_start_size(available: QSize | None) -> QSize:
    """The window size before any is saved: roomy on a large screen, never taller or wider than a
    laptop's (1280x720, 1366x768) available area once the window manager's frame is added."""
    if available is None:
        return QSize(1280, 820)
    if available.width() >= 1500 and available.height() >= 940:
        return QSize(1480, 920)
    return QSize(min(1280, available.width()), min(820, available.height() - WINDOW_FRAME_ALLOWANCE))


class MainWindow(QMainWindow):
    """MTL Studio's window. `open_project(path)` loads a project; everything else follows from there."""

    projectChanged = Signal()

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.settings = settings if settings is not None else QSettings()
        self.store: ProjectStore | None = None
        self.undo_stack = QUndoStack(self)
        self.notifier = EditNotifier(self)
        self.tasks = BackgroundTasks(self)
        self._undo_index = 0
        self._busy = False  # a long write (a re-split) runs on a worker thread
        self._state_restored = False
        self.language_switcher: Callable[[str], bool] | None = None  # see gui.language
        screen = self.screen().availableGeometry() if self.screen() else None
        self.resize(first_start_size(screen.size() if screen is not None else None))
        self.setMinimumSize(900, 600)

        self._build_panels()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        from .model_loop import ModelLoop  # suggestions, "most useful next", learning curve

        self.model_loop = ModelLoop(self)
        self._restore_window_state()
        self._update_title()
        self._update_enabled()

    # ---- construction ----------------------------------------------------------------------------

    def _build_panels(self) -> None:
        self.doc_panel = DocumentListPanel(self)
        self.doc_list = self.doc_panel.table
        self.doc_model = self.doc_panel.model
        self.doc_dock = QDockWidget(self.tr("Documents"), self)
        self.doc_dock.setObjectName("documentsDock")
        self.doc_dock.setWidget(self.doc_panel)
        self.doc_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                  | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                                  | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.doc_dock)

        self._tab_pages: dict[QWidget, QWidget] = {}
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.annotate_page = AnnotatePage(self)
        self.editor = self.annotate_page.editor
        self.tabs.addTab(self.annotate_page, self.tr("Annotate"))

        self.training_panel = self._panel("training", "TrainingPanel", self.tr("Train"))
        self.results_panel = self._panel("results", "ResultsPanel", self.tr("Results"))
        self.prediction_view = self._panel("predictions", "PredictionView", self.tr("Predictions"))
        self._tab_pages[self.annotate_page] = self.annotate_page
        self.setCentralWidget(self.tabs)

    def _panel(self, module: str, cls_name: str, title: str) -> QWidget:
        cls, error = _optional_panel(module, cls_name)
        if cls is not None:
            try:
                widget = cls(self)
            except Exception as e:  # noqa: BLE001
                log.exception("could not create %s", cls_name)
                cls, error = None, f"{type(e).__name__}: {e}"
        if cls is None:
            widget = QLabel(self.tr("This panel could not be loaded:\n{error}").format(error=error))
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            widget.setWordWrap(True)
        # A scroll area keeps a panel with a large minimum size from forcing the window wider than the
        # screen; on a normal window the panel simply fills it.
        scroll = QScrollArea()
        scroll.setObjectName(f"{module}Scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(widget)
        self.tabs.addTab(scroll, title)
        self._tab_pages[widget] = scroll
        return widget

    def _action(self, text: str, slot, shortcut: Any = None, tip: str = "", icon: QStyle.StandardPixmap | None = None
                ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            set_shortcuts(action, list(shortcut) if isinstance(shortcut, (list, tuple)) else [shortcut])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)  # shortcuts work even when the menu bar is hidden (full screen)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.act_new = self._action(self.tr("&New project…"), self.new_project_interactive, QKeySequence.StandardKey.New,
                                    self.tr("Create an empty project"), sp.SP_FileIcon)
        self.act_open = self._action(self.tr("&Open project…"), self.open_project_interactive,
                                     QKeySequence.StandardKey.Open, self.tr("Open a project file"), sp.SP_DialogOpenButton)
        self.act_demo = self._action(self.tr("Open the &demo project"), self.open_demo_project,
                                     tip=self.tr("A small financial-news project to try the studio on"))
        self.act_import = self._action(self.tr("&Import…"), self.import_interactive, "Ctrl+I",
                                       self.tr("Import documents and labels from a file"), sp.SP_ArrowDown)
        self.act_export_conll = self._action(self.tr("CoNLL (token per line)…"),
                                             lambda: self.export_annotations_interactive("conll"))
        self.act_export_jsonl = self._action(self.tr("JSONL (text, spans, sentiment)…"),
                                             lambda: self.export_annotations_interactive("jsonl"))
        self.act_export_csv = self._action(self.tr("CSV (text, sentiment, entities)…"),
                                           lambda: self.export_annotations_interactive("csv"))
        self.act_export_model = self._action(self.tr("Export &model…"), self.export_model_interactive,
                                             tip=self.tr("Save the latest trained model as a folder (optionally ONNX)"))
        self.act_quit = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)

        # Fixed texts (a toolbar button must not change width under the mouse); what would be undone or
        # redone goes in the tooltip. Redo: the platform's standard keys and Ctrl+Y everywhere (X11's
        # standard Redo is Ctrl+Shift+Z only, and Ctrl+Y did nothing in a real X11 window, where people
        # coming from Windows or office suites press it); key_sequences binds each sequence once.
        self.act_undo = self._action(self.tr("&Undo"), lambda: self._busy or self.undo_stack.undo(),
                                     QKeySequence.StandardKey.Undo, icon=sp.SP_ArrowBack)
        self.act_redo = self._action(self.tr("&Redo"), lambda: self._busy or self.undo_stack.redo(),
                                     [QKeySequence.StandardKey.Redo, "Ctrl+Y"], icon=sp.SP_ArrowForward)
        self.undo_stack.canUndoChanged.connect(self._update_undo_tips)
        self.undo_stack.canRedoChanged.connect(self._update_undo_tips)
        self.undo_stack.undoTextChanged.connect(self._update_undo_tips)
        self.undo_stack.redoTextChanged.connect(self._update_undo_tips)
        self._update_undo_tips()
        self.act_resplit = self._action(self.tr("&Re-split…"), self.resplit_interactive,
                                        tip=self.tr("Give the documents a new seeded train/dev/test split"))
        # Delete works in the document list only (the editor's Delete removes a span).
        self.act_delete_docs = QAction(self.tr("&Delete selected documents"), self.doc_list)
        set_shortcuts(self.act_delete_docs, [QKeySequence.StandardKey.Delete])
        self.act_delete_docs.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_delete_docs.setStatusTip(self.tr("Delete the selected documents and their annotations (undoable)"))
        self.act_delete_docs.triggered.connect(lambda _=False: self.delete_selected_documents())
        self.doc_list.addAction(self.act_delete_docs)
        self.doc_list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.act_schema = self._action(self.tr("&Label schema…"), self.edit_schema,
                                       tip=self.tr("Entity types, sentiment classes, entity sentiment and further label sets"))

        self.act_prev = self._action(self.tr("&Previous document"), lambda: self.navigate("previous"),
                                     ["K", "Ctrl+Up"], self.tr("Previous document in the list"), sp.SP_MediaSeekBackward)
        self.act_next = self._action(self.tr("&Next document"), lambda: self.navigate("next"),
                                     ["J", "Ctrl+Down"], self.tr("Next document in the list"), sp.SP_MediaSeekForward)
        self.act_next_unlabelled = self._action(self.tr("Next &unlabelled document"),
                                                lambda: self.navigate("next_unlabelled"), "N",
                                                self.tr("Next document that still needs labels"), sp.SP_MediaSkipForward)
        self.act_ner_done = self._action(self.tr("Toggle NER &done"), self.annotate_page.toggle_ner_done, "D",
                                         self.tr("Mark the document as annotated for NER (also with no entities)"))
        self.act_search = self._action(self.tr("&Search documents"), self._focus_search, "Ctrl+F")

        self.act_show_docs = self.doc_dock.toggleViewAction()
        self.act_show_docs.setText(self.tr("&Document list"))
        self.act_show_source = QAction(self.tr("Show the &source column"), self, checkable=True)
        self.act_show_source.toggled.connect(
            lambda on: self.doc_list.setColumnHidden(DocumentListModel.COL_SOURCE, not on))
        self.act_zoom_in = self._action(self.tr("&Larger text"), lambda: self.zoom_editor(+1),
                                        QKeySequence.StandardKey.ZoomIn)
        self.act_zoom_out = self._action(self.tr("S&maller text"), lambda: self.zoom_editor(-1),
                                         QKeySequence.StandardKey.ZoomOut)
        self.tab_actions = []
        for i in range(4):
            self.tab_actions.append(self._action(self.tabs.tabText(i), lambda i=i: self.tabs.setCurrentIndex(i),
                                                 f"Ctrl+{i + 1}"))

        self.act_shortcuts = self._action(self.tr("&Keyboard shortcuts"), self.show_shortcuts, "F1")
        self.act_about = self._action(self.tr("&About MTL Studio"), self.show_about)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu(self.tr("&File"))
        m.addAction(self.act_new)
        m.addAction(self.act_open)
        self.recent_menu = m.addMenu(self.tr("Open &recent"))
        self.recent_menu.setObjectName("recentMenu")
        m.addAction(self.act_demo)
        m.addSeparator()
        m.addAction(self.act_import)
        export = m.addMenu(self.tr("&Export annotations"))
        export.addAction(self.act_export_conll)
        export.addAction(self.act_export_jsonl)
        export.addAction(self.act_export_csv)
        m.addAction(self.act_export_model)
        m.addSeparator()
        m.addAction(self.act_quit)
        self._rebuild_recent_menu()

        m = mb.addMenu(self.tr("&Edit"))
        m.addAction(self.act_undo)
        m.addAction(self.act_redo)
        m.addSeparator()
        m.addAction(self.act_ner_done)
        m.addSeparator()
        m.addAction(self.act_schema)

        m = mb.addMenu(self.tr("&View"))
        m.addAction(self.act_show_docs)
        m.addAction(self.act_show_source)
        m.addSeparator()
        for a in self.tab_actions:
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_zoom_in)
        m.addAction(self.act_zoom_out)
        m.addSeparator()
        lang = m.addMenu(self.tr("&Language"))
        self.language_actions: dict[str, QAction] = {}
        current = str(self.settings.value("language", "") or "")
        for code, name in (("", self.tr("System default")), ("en", "English"), ("zh_CN", "简体中文")):
            a = lang.addAction(name)
            a.setCheckable(True)
            a.setChecked(code == current)
            a.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.language_actions[code] = a

        m = mb.addMenu(self.tr("&Data"))
        m.addAction(self.act_resplit)
        m.addAction(self.act_delete_docs)

        m = mb.addMenu(self.tr("&Go"))
        m.addAction(self.act_prev)
        m.addAction(self.act_next)
        m.addAction(self.act_next_unlabelled)
        m.addSeparator()
        m.addAction(self.act_search)

        m = mb.addMenu(self.tr("&Help"))
        m.addAction(self.act_shortcuts)
        m.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("Main toolbar"), self)
        tb.setObjectName("mainToolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setMovable(False)
        for a in (self.act_open, self.act_import, None, self.act_undo, self.act_redo, None, self.act_prev,
                  self.act_next, self.act_next_unlabelled):
            if a is None:
                tb.addSeparator()
            else:
                tb.addAction(a)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb

    def _build_status_bar(self) -> None:
        self.progress_label = QLabel()
        self.progress_label.setObjectName("labellingProgress")
        self.statusBar().addPermanentWidget(self.progress_label)
        self.store_feedback = StoreFeedback(self)  # "Read-only"; "waiting for another writer…"
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(400)  # coalesce counts after a burst of edits
        self._progress_timer.timeout.connect(self._update_progress)

    def _connect(self) -> None:
        self.doc_panel.documentActivated.connect(self._on_document_clicked)
        self.doc_panel.documentOpened.connect(self._on_document_opened)
        self.doc_list.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.annotate_page.navigate.connect(self.navigate)
        self.editor.doneAndNext.connect(self.done_and_next)
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.notifier.edited.connect(self._on_edited)
        self.notifier.failed.connect(self._on_edit_failed)
        self.notifier.schema_changed.connect(lambda: self._on_schema_changed(False))
        self.notifier.documents_changed.connect(self._on_documents_changed)
        self.notifier.busy.connect(self._set_busy)
        if hasattr(self.training_panel, "resplit_requested"):
            self.training_panel.resplit_requested.connect(self.resplit_interactive)
        self.undo_stack.indexChanged.connect(self._on_undo_index)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        if hasattr(self.training_panel, "run_finished"):
            self.training_panel.run_finished.connect(self._on_run_finished)
        if hasattr(self.results_panel, "run_selected") and hasattr(self.prediction_view, "set_run"):
            self.results_panel.run_selected.connect(self.prediction_view.set_run)
        if hasattr(self.results_panel, "run_selected") and hasattr(self.training_panel, "show_selected_run"):
            # The Train tab follows: the chosen run's curves, log and gradient-conflict readings as stored.
            self.results_panel.run_selected.connect(self.training_panel.show_selected_run)
        if hasattr(self.prediction_view, "use_undo_stack"):
            self.prediction_view.use_undo_stack(self.undo_stack)  # one history for every edit in the window
        if hasattr(self.training_panel, "sweep_run_selected"):
            self.training_panel.sweep_run_selected.connect(self._select_run)
        if hasattr(self.prediction_view, "gold_changed"):
            self.prediction_view.gold_changed.connect(self._on_gold_changed_elsewhere)
        if hasattr(self.prediction_view, "open_in_editor"):
            self.prediction_view.open_in_editor.connect(self._open_in_editor)

    # ---- projects ---------------------------------------------------------------------------------

    def open_project(self, path: str | Path) -> bool:
        """Open a project file; False (with a message) when it cannot be opened."""
        path = Path(path)
        try:
            store = ProjectStore.open(path)
            store.count_documents()  # touch the database now: a bad file fails here, not later
        except PROJECT_FILE_ERRORS as e:
            self._warn(self.tr("Cannot open project"),
                       self.tr("{path} could not be opened:\n{error}").format(path=path, error=e))
            self._forget_recent(path)
            return False
        self._set_store(store)
        self._remember_recent(path)
        self.statusBar().showMessage(self.tr("Opened {name}").format(name=path.name), 5000)
        return True

    def new_project(self, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        try:
            ProjectStore.create(path).close()
        except PROJECT_FILE_ERRORS as e:
            self._warn(self.tr("Cannot create project"), str(e))
            return False
        return self.open_project(path)

    def close_project(self) -> None:
        self._set_store(None)

    def _set_store(self, store: ProjectStore | None) -> None:
        if self._training_running():
            self.training_panel.shutdown()  # type: ignore[attr-defined]
        old = self.store
        self.store = store
        self.undo_stack.clear()
        self._undo_index = 0
        self.doc_panel.set_store(store)
        self.store_feedback.set_store(store)
        self.annotate_page.set_context(store, self.undo_stack if store else None, self.notifier if store else None)
        for panel in (self.training_panel, self.results_panel, self.prediction_view):
            if hasattr(panel, "set_project"):
                try:
                    panel.set_project(store)
                except Exception:  # noqa: BLE001 - one panel's failure must not stop the project opening
                    log.exception("%s.set_project failed", type(panel).__name__)
        if old is not None and old is not store:
            old.close()
        self._update_title()
        self._update_enabled()
        self._update_progress()
        self.projectChanged.emit()
        if store is not None:
            last = self._project_setting("lastDocument")
            if last is None or not self.doc_panel.select_doc(int(last)):
                if self.doc_model.rowCount():
                    self.doc_panel.select_row(0)

    def _project_setting(self, key: str) -> Any:
        if self.store is None:
            return None
        return self.settings.value(f"projects/{self._project_key()}/{key}")

    def _set_project_setting(self, key: str, value: Any) -> None:
        if self.store is not None:
            self.settings.setValue(f"projects/{self._project_key()}/{key}", value)

    def _project_key(self) -> str:
        assert self.store is not None
        import hashlib

        return hashlib.blake2b(str(self.store.path.resolve()).encode(), digest_size=6).hexdigest()

    def recent_projects(self) -> list[str]:
        value = self.settings.value("recentProjects", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember_recent(self, path: Path) -> None:
        p = str(path.resolve())
        recent = [r for r in self.recent_projects() if r != p]
        self.settings.setValue("recentProjects", [p] + recent[:MAX_RECENT - 1])
        self._rebuild_recent_menu()

    def _forget_recent(self, path: Path) -> None:
        p = str(path.resolve())
        self.settings.setValue("recentProjects", [r for r in self.recent_projects() if r != p])
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_projects()
        for n, p in enumerate(recent, start=1):
            a = self.recent_menu.addAction(f"&{n}  {Path(p).name}")
            a.setToolTip(p)
            a.setStatusTip(p)
            a.triggered.connect(lambda _=False, path=p: self.open_project(path))
        if not recent:
            a = self.recent_menu.addAction(self.tr("(none yet)"))
            a.setEnabled(False)

    def new_project_interactive(self) -> None:
        from mtl_studio.core.paths import projects_dir

        path, _ = QFileDialog.getSaveFileName(self, self.tr("New project"), str(projects_dir() / "project.mtl"),
                                              self.tr("MTL Studio projects (*.mtl)"))
        if path:
            self.new_project(path)

    def open_project_interactive(self) -> None:
        from mtl_studio.core.paths import projects_dir

        start = str(Path(self.recent_projects()[0]).parent) if self.recent_projects() else str(projects_dir())
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open project"), start,
                                              self.tr("MTL Studio projects (*.mtl);;All files (*)"))
        if path:
            self.open_project(path)

    def open_demo_project(self) -> bool:
        try:
            from mtl_studio.core.demo import ensure_demo_project
        except ImportError:
            self._warn(self.tr("Demo project"), self.tr("The demo project is not available in this installation."))
            return False
        try:
            path = ensure_demo_project()
        except Exception as e:  # noqa: BLE001 - shown to the user
            self._warn(self.tr("Demo project"), self.tr("The demo project could not be prepared:\n{error}").format(
                error=e))
            return False
        return self.open_project(path)

    # ---- documents and navigation ------------------------------------------------------------------

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        doc_id = self.doc_model.doc_id_at(current.row()) if current.isValid() else None
        if doc_id is not None and (self.editor.doc is None or self.editor.doc.id != doc_id):
            self.show_document(doc_id)

    def _on_document_clicked(self, doc_id: int) -> None:
        if doc_id != self.current_doc_id():  # the row change has usually shown it already
            self.show_document(doc_id)

    def _on_document_opened(self, doc_id: int) -> None:
        self.show_document(doc_id)
        if self.tabs.currentWidget() is self.annotate_page:
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_document(self, doc_id: int | None) -> None:
        if self.store is None:
            return
        self.annotate_page.show_document(doc_id)
        if hasattr(self.prediction_view, "show_document"):
            try:
                self.prediction_view.show_document(doc_id)
            except Exception:  # noqa: BLE001
                log.exception("PredictionView.show_document failed")
        if doc_id is not None:
            self._set_project_setting("lastDocument", doc_id)
            if self.doc_panel.current_doc_id() != doc_id:
                self.doc_panel.select_doc(doc_id, emit=False)

    def _open_in_editor(self, doc_id: int) -> None:
        self.tabs.setCurrentWidget(self.annotate_page)
        self.show_document(doc_id)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def current_doc_id(self) -> int | None:
        doc = self.editor.doc
        return doc.id if doc is not None else None

    def navigate(self, where: str) -> None:
        """J/K/N (and Enter's "done & next"): move within the list as filtered, from the current document
        (also when the filter hides the current document: then from where it would be)."""
        if self.store is None or self.model_loop.navigate(where):
            return
        current = self.current_doc_id()
        if where == "next_unlabelled":
            row = self.doc_model.next_unlabelled_row(current)
            if row is None:
                self.statusBar().showMessage(self.tr("Every document in the list is labelled. Well done!"), 6000)
                return
        else:
            row = self.doc_model.neighbour_row(current, 1 if where == "next" else -1)
            if row is None:
                self.statusBar().showMessage(self.tr("No more documents in this direction."), 4000)
                return
        self.doc_panel.select_row(row)

    def done_and_next(self) -> None:
        doc = self.editor.doc
        if doc is None:
            return
        if self.store is not None and self.store.entity_type_names() and not doc.ner_labelled:
            self.editor.set_ner_done(True)
        self.navigate("next_unlabelled")

    def _focus_search(self) -> None:
        self.doc_dock.show()
        self.doc_panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.doc_panel.search.selectAll()

    def zoom_editor(self, step: int) -> None:
        font = self.editor.font()
        font.setPointSizeF(min(40.0, max(8.0, font.pointSizeF() + step)))
        self.editor.setFont(font)
        self.editor.set_document(self.current_doc_id())
        self.settings.setValue("editorFontSize", font.pointSizeF())

    # ---- edits --------------------------------------------------------------------------------------

    def _on_edited(self, doc_id: int) -> None:
        self.doc_model.refresh_document(doc_id)
        if self.current_doc_id() != doc_id:
            # An undo/redo touched another document: bring it into view so the change is visible.
            if not self.doc_panel.select_doc(doc_id):
                self.show_document(doc_id)
        self._progress_timer.start()

    def _on_undo_index(self, index: int) -> None:
        if index < self._undo_index:
            msg = self.tr("Undone: {what}").format(what=self.undo_stack.text(index))
        elif index > self._undo_index:
            msg = self.tr("Saved: {what}").format(what=self.undo_stack.text(index - 1))
        else:
            msg = ""
        self._undo_index = index
        if msg:
            self.statusBar().showMessage(msg, 5000)

    def _update_undo_tips(self) -> None:
        stack = self.undo_stack
        self.act_undo.setEnabled(stack.canUndo() and not self._busy)
        self.act_redo.setEnabled(stack.canRedo() and not self._busy)
        undo_keys = self.act_undo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        redo_keys = self.act_redo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.act_undo.setToolTip(self.tr("Undo: {what} ({keys})").format(what=stack.undoText(), keys=undo_keys)
                                 if stack.canUndo() else self.tr("Nothing to undo"))
        self.act_redo.setToolTip(self.tr("Redo: {what} ({keys})").format(what=stack.redoText(), keys=redo_keys)
                                 if stack.canRedo() else self.tr("Nothing to redo"))

    def _on_edit_failed(self, message: str) -> None:
        self.statusBar().showMessage(self.tr("Not saved: {error}").format(error=message), 10000)

    def _on_gold_changed_elsewhere(self, doc_id: int) -> None:
        self.doc_model.refresh_document(doc_id)
        if self.current_doc_id() == doc_id:
            self.editor.reload()
            self.annotate_page.show_document(doc_id)
        # The status bar line comes from the undo stack ("Saved: …" / "Undone: …").
        self._progress_timer.start()

    def edit_schema(self) -> None:
        if self.store is None:
            return
        from .schema_dialog import SchemaDialog

        dialog = SchemaDialog(self.store, self, undo_stack=self.undo_stack, notifier=self.notifier)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.schemaChanged.connect(self._on_schema_changed)
        dialog.open()  # window-modal without a nested event loop (automation and tests keep running)

    def _on_schema_changed(self, destructive: bool) -> None:
        if destructive:
            self.undo_stack.clear()
            self._undo_index = 0
        self.annotate_page.reload_schema()
        self.doc_panel.reload_tasks()  # a filter per task: label sets come and go
        self.doc_model.refresh()
        doc = self.current_doc_id()
        if doc is not None:
            self.doc_panel.select_doc(doc, emit=False)
        if hasattr(self.prediction_view, "reload_schema"):
            self.prediction_view.reload_schema()
        if hasattr(self.training_panel, "reload_tasks"):
            self.training_panel.reload_tasks()  # a task declared or removed: its weight row follows
        if destructive:
            self.statusBar().showMessage(self.tr("Saved: label schema"), 5000)

    # ---- documents and splits -------------------------------------------------------------------------

    def delete_selected_documents(self) -> None:
        """Delete the documents selected in the list (Delete key there, or its context menu); Ctrl+Z
        brings them back with their annotations."""
        ids = self.doc_panel.selected_doc_ids()
        if self.store is None or not ids or self._busy:
            return
        if len(ids) <= DELETE_ON_GUI_THREAD:
            self.undo_stack.push(DeleteDocumentsCommand(self.store, self.notifier, ids))
            return
        project = str(self.store.path)

        def written(snapshots: list) -> None:
            self._set_busy(False)
            if self.store is None or str(self.store.path) != project:
                return
            self.undo_stack.push(LargeDeleteCommand(project, self.notifier, self.tasks, ids, snapshots))
            self._on_documents_changed()

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._warn(self.tr("Deleting documents failed"), str(error))

        self._set_busy(True)
        self.statusBar().showMessage(self.tr("Deleting {n} documents…").format(n=f"{len(ids):,}"))
        self.tasks.run(lambda: in_project(project, lambda store: snapshot_and_delete(store, ids)), written, failed)

    def resplit_interactive(self) -> None:
        if self.store is None:
            return
        from .resplit_dialog import ResplitDialog

        dialog = ResplitDialog(self.store.split_seed, len(self.store.unassigned_split_ids()), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.resplit(dialog.chosen_ratios(), dialog.seed.value(),
                                                     dialog.only_unassigned.isChecked()))
        dialog.open()  # window-modal without a nested event loop

    def resplit(self, ratios: tuple[float, float, float], seed: int, only_unassigned: bool = False) -> None:
        """A seeded re-split on a worker thread (seconds for 100k documents), then one undoable edit;
        the status bar shows what moved."""
        if self.store is None or self._busy:
            return
        project = str(self.store.path)

        def written(result: tuple[ResplitReport, ResplitChange]) -> None:
            self._set_busy(False)
            if self.store is None or str(self.store.path) != project:
                return
            report, change = result
            self.undo_stack.push(ResplitCommand(project, self.notifier, self.tasks, report, change))
            self._on_documents_changed()
            self.statusBar().showMessage(report.summary().replace("\n", " ·"), 10000)

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._warn(self.tr("Re-split failed"), str(error))

        self._set_busy(True)
        self.statusBar().showMessage(self.tr("Re-splitting the documents…"))
        self.tasks.run(lambda: in_project(project, lambda store: resplit_undoably(
            store, ratios, seed, only_unassigned=only_unassigned)), written, failed)

    def _set_busy(self, busy: bool) -> None:
        """While a long write runs on a worker, undo, redo and another re-split wait for it."""
        self._busy = busy
        self._update_undo_tips()
        self.act_resplit.setEnabled(self._editable() and not busy)
        self.act_delete_docs.setEnabled(self._editable() and not busy)
        if busy:
            self.statusBar().showMessage(self.tr("Writing the change to the project…"))

    def _on_documents_changed(self) -> None:
        """Documents were deleted, restored or re-split: re-list them, keep or replace the open one."""
        if self.store is None:
            return
        current = self.current_doc_id()
        self.doc_panel.reload()
        if current is not None and self.doc_model.row_of(current) is None:
            try:
                self.store.get_document(current)
            except KeyError:  # deleted: show the document that took its place in the list
                row = self.doc_model.neighbour_row(current, 1)
                if row is None:
                    row = self.doc_model.neighbour_row(current, -1)
                if row is not None:
                    self.doc_panel.select_row(row)
                else:
                    self.show_document(None)
        elif current is not None:
            self.annotate_page.show_document(current)  # its split may have changed
        if hasattr(self.prediction_view, "reload_documents"):
            self.prediction_view.reload_documents()
        self._progress_timer.start()

    # ---- import / export ------------------------------------------------------------------------------

    def import_interactive(self, path: str | None = None) -> None:
        if self.store is None:
            self._warn(self.tr("Import"), self.tr("Open or create a project first."))
            return
        from .import_wizard import ImportWizard

        wizard = ImportWizard(self.store.path, self, tasks=self.tasks)
        if path:
            wizard.set_file(path)
        wizard.imported.connect(self._on_imported)
        wizard.open()
        self._wizard = wizard

    def _on_imported(self, summary: str) -> None:
        self.annotate_page.reload_schema()
        self.doc_panel.reload_tasks()  # an import may declare label sets or entity sentiment
        if hasattr(self.training_panel, "reload_tasks"):
            self.training_panel.reload_tasks()  # ... and the Train tab gets a weight row for each
        self.doc_model.refresh()
        if self.current_doc_id() is None and self.doc_model.rowCount():
            self.doc_panel.select_row(0)
        self._update_progress()
        self.statusBar().showMessage(summary, 8000)

    def export_annotations_interactive(self, fmt: str) -> None:
        if self.store is None:
            return
        suffix = {"conll": ".conll", "jsonl": ".jsonl", "csv": ".csv"}[fmt]
        start = str(self.store.path.with_suffix(suffix))
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export annotations"), start,
                                              self.tr("{fmt} files (*{suffix});;All files (*)").format(
                                                  fmt=fmt.upper(), suffix=suffix))
        if path:
            self.export_annotations(path, fmt)

    def export_annotations(self, path: str | Path, fmt: str) -> None:
        """Write the gold annotations off the GUI thread; the status bar reports the result."""
        if self.store is None:
            return
        from . import io_tasks

        project = str(self.store.path)
        out = str(path)
        self.statusBar().showMessage(self.tr("Exporting to {name}…").format(name=Path(out).name))
        self.tasks.run(lambda: io_tasks.export_annotations(project, out, fmt),
                       lambda n: self.statusBar().showMessage(
                           self.tr("Exported {n} documents to {name}").format(n=n, name=Path(out).name), 8000),
                       lambda e: self._warn(self.tr("Export failed"), str(e)))

    def export_model_interactive(self) -> None:
        if self.store is None:
            return
        from . import io_tasks

        try:
            run = self.store.get_run(getattr(self.results_panel, "current_run", lambda: None)() or None)
        except KeyError:
            self._warn(self.tr("Export model"), self.tr("Train a model first (Train tab)."))
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export the model of run {id} into…").format(
            id=run["id"]), str(self.store.path.parent))
        if not folder:
            return
        onnx = QMessageBox.question(
            self, self.tr("Export model"), self.tr("Also export an ONNX file (needs the onnx package)?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes
        project = str(self.store.path)
        run_id = run["id"]
        self.statusBar().showMessage(self.tr("Exporting the model…"))
        self.tasks.run(lambda: io_tasks.export_model(project, run_id, folder, onnx),
                       lambda where: self.statusBar().showMessage(
                           self.tr("Model exported to {path}").format(path=where), 10000),
                       lambda e: self._warn(self.tr("Export failed"), str(e)))

    # ---- training results -------------------------------------------------------------------------------

    def _training_running(self) -> bool:
        fn = getattr(self.training_panel, "is_running", None)
        return bool(fn()) if callable(fn) else False

    def _on_run_finished(self, run_id: str) -> None:
        # show_run re-reads the history: a resumed run's new status and scores appear without Refresh.
        self._select_run(run_id)
        if self.doc_panel.filter_combo.currentData() == "errors":
            self.doc_model.refresh()
        self.statusBar().showMessage(self.tr("Training run {id} finished").format(id=run_id), 8000)

    def _select_run(self, run_id: str) -> None:
        """A run chosen elsewhere (the sweep plot, a finished run): Results, Predictions and export follow it."""
        if hasattr(self.results_panel, "show_run"):
            self.results_panel.show_run(run_id)
        if hasattr(self.prediction_view, "set_run"):
            self.prediction_view.set_run(run_id)

    def _on_tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        on_docs = page in (self._tab_pages.get(self.annotate_page), self._tab_pages.get(self.prediction_view))
        for a in (self.act_prev, self.act_next, self.act_next_unlabelled):
            a.setEnabled(on_docs and self.store is not None)
        self.act_ner_done.setEnabled(page is self.annotate_page and self._editable())

    # ---- misc ---------------------------------------------------------------------------------------------

    def set_language(self, code: str) -> None:
        self.settings.setValue("language", code)
        for c, a in self.language_actions.items():
            a.setChecked(c == code)
        if self.language_switcher is not None and self.undo_stack.count() and not self._training_running():
            self._confirm_language_switch(code)  # the rebuilt window starts with an empty undo history
            return
        self._switch_language(code)

    def _switch_language(self, code: str) -> None:
        # gui.language.LanguageSwitcher (set by the app) rebuilds the window in the new language.
        if self.language_switcher is not None and self.language_switcher(code):
            return
        self._language_at_restart_box(self.tr(
            "The language changes the next time MTL Studio starts (a training run is going on now)."))

    def _language_at_restart_box(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Language"), text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("languageRestartBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _confirm_language_switch(self, code: str) -> None:
        """The window is rebuilt in the new language, and its undo history does not come along (the
        commands belong to this window's project connection): say so, and let the user wait instead."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Language"), self.tr(
            "Switching the language now rebuilds the window and empties the undo history ({n} steps; "
            "every edit stays saved). Switch now, or at the next start?").format(n=self.undo_stack.count()),
            QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("languageSwitchBox")
        now = box.addButton(self.tr("Switch now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("At the next start"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(button) -> None:
            if button is now:
                QTimer.singleShot(0, lambda: self._switch_language(code))  # after the box has closed
            else:
                self._language_at_restart_box(self.tr("The language changes the next time MTL Studio starts."))

        box.buttonClicked.connect(chosen)
        box.open()

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.store, self).exec()

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About MTL Studio"), self.tr(
            "<h3>MTL Studio {version}</h3><p>Annotate entity spans and document sentiment, train one shared "
            "transformer encoder with two heads, read per-task scores, compare predictions and export the "
            "model.</p>").format(version=html.escape(__version__)))

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("warningBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal, never blocks the caller (automation and tests keep running)
        self.statusBar().showMessage(text.splitlines()[0], 10000)

    def _update_title(self) -> None:
        name = self.store.path.name if self.store else self.tr("no project")
        self.setWindowTitle(self.tr("{project} — MTL Studio").format(project=name))

    def _editable(self) -> bool:
        return self.store is not None and not self.store.read_only

    def _update_enabled(self) -> None:
        has = self.store is not None
        for a in (self.act_export_conll, self.act_export_jsonl, self.act_export_csv,
                  self.act_export_model, self.act_prev, self.act_next, self.act_next_unlabelled, self.act_search):
            a.setEnabled(has)
        for a in (self.act_import, self.act_schema, self.act_ner_done, self.act_resplit,
                  self.act_delete_docs):  # a read-only project is browsed only
            a.setEnabled(self._editable())
        self._on_tab_changed(self.tabs.currentIndex())

    def _update_progress(self) -> None:
        """Labelling progress in the status bar, counted on a worker thread (COUNTs over 100k documents)."""
        if self.store is None:
            self.progress_label.setText("")
            return
        project = str(self.store.path)

        def count() -> tuple[int, int, int]:
            store = ProjectStore.open(project)
            try:
                return (store.count_documents(), store.count_filtered(task="ner", labelled=True),
                        store.count_filtered(task="sentiment", labelled=True))
            finally:
                store.close()

        def show(counts: tuple[int, int, int]) -> None:
            if self.store is not None and str(self.store.path) == project:
                total, ner, sent = counts
                self.progress_label.setText(self.tr(
                    "{total} documents · NER labelled {ner} · sentiment labelled {sent}").format(
                    total=f"{total:,}", ner=f"{ner:,}", sent=f"{sent:,}"))

        self.tasks.run(count, show, lambda e: log.warning("progress count failed: %s", e))

    def _restore_window_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._state_restored = isinstance(state, QByteArray) and self.restoreState(state)
        size = self.settings.value("editorFontSize")
        if size:
            font = self.editor.font()
            font.setPointSizeF(float(size))
            self.editor.setFont(font)

    def save_window_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._state_restored:
            # First start: give the document list a useful width (docks take their size once shown).
            self._state_restored = True
            # At most 30% of a laptop-wide window, so the tabs keep room for their tables and forms.
            width = min(self.doc_panel.sizeHint().width(), int(self.width() * 0.3))
            self.resizeDocks([self.doc_dock], [width], Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._training_running():
            answer = QMessageBox.question(self, self.tr("Training is running"),
                                          self.tr("Stop the training run and quit?"),
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop background work and close the project (closing the window, or tests)."""
        self.save_window_state()
        if hasattr(self.training_panel, "shutdown"):
            try:
                self.training_panel.shutdown()
            except Exception:  # noqa: BLE001
                log.exception("TrainingPanel.shutdown failed")
        self.model_loop.shutdown()
        self.tasks.wait()
        self.doc_panel.tasks.wait()
        if self.store is not None:
            self.store.close()
            # A finished job's result may still be queued for this window; its callback checks
            # self.store, so a closed project must read as none (not a closed store on a deleted window).
            self.store = None
