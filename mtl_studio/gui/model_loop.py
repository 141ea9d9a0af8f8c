"""The model in the labelling loop, attached to the main window: suggestions in the editor, the "Most
useful next" dock, optional auto-retrain and the learning curve.

The window creates one ModelLoop and asks it first when J/K/N are pressed (`navigate`); everything else
hangs on signals the window already has (project changed, run finished, edits). Model loading and
prediction run on workers (gui/background.py), each with its own store connection; the GUI thread only
reads the few stored rows of the document on screen.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QDockWidget, QHBoxLayout, QLabel, QSpinBox, QWidget

from mtl_studio.core import suggestions as sg
from mtl_studio.core.document_predictions import LoadedModel, load_model, resolve_model
from mtl_studio.core.schema import SentimentLabel, Span
from mtl_studio.core.store import ProjectStore

from .background import BackgroundTasks
from .document_list import DOCUMENT_ORDER, NO_SCORES, RANKED, RANKING
from .next_queue import NextQueuePanel
from .suggestion_commands import (AcceptAllSuggestionsCommand, AcceptSentimentSuggestionCommand,
                                  AcceptSpanSuggestionCommand, RejectSuggestionCommand)
from .suggestion_layer import SentimentSuggestionLine, SuggestionLayer

if TYPE_CHECKING:
    from .main_window import MainWindow

LOOKAHEAD = 3  # documents after the current one whose suggestions are computed ahead
DEFAULT_RETRAIN_EVERY = 20


class _ModelCache:
    """One loaded model (by what it was loaded from: a run id or a model folder), shared by the workers;
    prediction under a lock, one forward at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.model: LoadedModel | None = None
        self.source: str | None = None

    def get(self, store: ProjectStore, source: str) -> LoadedModel:
        with self.lock:
            if self.model is None or self.source != source:
                self.model, self.source = load_model(store, source), source
            return self.model


def compute_suggestions(project: str, source: str, doc_ids: list[int], cache: _ModelCache) -> str:
    """On a worker: store the suggestions of the model `source` names for those of `doc_ids` that lack
    them; returns the run id they carry."""
    with ProjectStore.open(project) as store:
        model = cache.get(store, source)
        with cache.lock:
            sg.suggest(store, model, document_ids=doc_ids, skip_computed=True)
        return model.run_id


class ModelLoop(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.store: ProjectStore | None = None
        self.source: str | None = None  # what the suggestion model is loaded from: a run id or a model folder
        self.run_id: str | None = None  # the provenance its suggestions carry (known once loaded)
        self.enabled = True
        self.tasks = BackgroundTasks(self)
        self.cache = _ModelCache()
        self._pending: set[int] = set()
        self._requested: set[int] = set()  # documents whose suggestions were asked for with this run
        self._shown_doc: int | None = None
        self._labelled_seen: dict[int, int] = {}  # document -> labelled task count when last seen
        self.new_labels = 0  # gold labels since the last (auto) retrain
        self._closed = False  # after shutdown(): a late signal (a run's end) starts no new work

        self.layer = SuggestionLayer(self.editor)
        self.sentiment_line = SentimentSuggestionLine(window.annotate_page)
        page_layout = window.annotate_page.layout()
        page_layout.insertWidget(page_layout.indexOf(window.annotate_page.hint), self.sentiment_line)
        self.queue_panel = NextQueuePanel()
        self._build_dock()
        self._build_actions()
        self._connect()

    # ---- construction ------------------------------------------------------------------------------

    def _build_dock(self) -> None:
        holder = QWidget()
        from PySide6.QtWidgets import QVBoxLayout

        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.queue_panel, 1)
        retrain = QHBoxLayout()
        retrain.setContentsMargins(6, 0, 6, 6)
        self.retrain_check = QCheckBox(self.tr("Retrain after every"), objectName="autoRetrainCheck")
        self.retrain_check.setToolTip(self.tr("Train a new model in the background after this many new gold "
                                              "labels, then refresh the suggestions and the order"))
        self.retrain_every = QSpinBox(objectName="autoRetrainEvery")
        self.retrain_every.setRange(1, 100_000)
        self.retrain_every.setValue(DEFAULT_RETRAIN_EVERY)
        self.retrain_every.setSuffix(self.tr(" labels"))
        retrain.addWidget(self.retrain_check)
        retrain.addWidget(self.retrain_every)
        retrain.addStretch(1)
        layout.addLayout(retrain)
        self.dock = QDockWidget(self.tr("Most useful next"), self.window)
        self.dock.setObjectName("nextQueueDock")
        self.dock.setWidget(holder)
        self.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.window.tabifyDockWidget(self.window.doc_dock, self.dock)
        self.window.doc_dock.raise_()
        # Visible whenever auto-retrain is on (the issue: "off by default, visible when on").
        self.retrain_status = QLabel(objectName="autoRetrainStatus")
        self.retrain_status.setVisible(False)
        self.window.statusBar().addPermanentWidget(self.retrain_status)

    def _action(self, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        self.window.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_accept = self._action(self.tr("&Accept suggestion"), self.accept_selected, "A",
                                       self.tr("Make the selected suggestion gold"))
        self.act_reject = self._action(self.tr("Re&ject suggestion"), self.reject_selected, "Shift+X",
                                       self.tr("Reject the selected suggestion (not shown again for this model)"))
        self.act_accept_all = self._action(self.tr("Accept a&ll suggestions and mark done"), self.accept_all,
                                           "Shift+A", self.tr("All suggestions of the document become gold"))
        self.act_next_suggestion = self._action(self.tr("&Next suggestion"), lambda: self.layer.select_next(1), "S")
        self.act_show = QAction(self.tr("&Show model suggestions"), self.window, checkable=True, checked=True)
        self.act_show.toggled.connect(self.set_enabled)
        self.act_model_folder = self._action(self.tr("Use a model &folder for suggestions…"), self.choose_model_folder,
                                             tip=self.tr("Suggest with an exported model instead of the latest run"))
        self.act_curve = self._action(self.tr("Learning &curve…"), self.show_learning_curve,
                                      tip=self.tr("Will more labels help? Train on growing shares of the labels"))
        menu = self.window.menuBar().addMenu(self.tr("&Model"))
        menu.setObjectName("modelMenu")
        for a in (self.act_accept, self.act_reject, self.act_accept_all, self.act_next_suggestion):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.act_show)
        menu.addAction(self.act_model_folder)
        menu.addAction(self.dock.toggleViewAction())
        menu.addSeparator()
        menu.addAction(self.act_curve)

    def _connect(self) -> None:
        w = self.window
        w.projectChanged.connect(lambda: self.set_project(w.store))
        self.editor.selectionChanged_.connect(self._on_editor_changed)
        w.notifier.edited.connect(self._on_edited)
        if hasattr(w.training_panel, "run_finished"):
            w.training_panel.run_finished.connect(self.on_run_finished)
        self.queue_panel.documentChosen.connect(self._go_to)
        self.queue_panel.orderChanged.connect(self._sync_list_order)
        self.queue_panel.follow_check.toggled.connect(self._on_follow_toggled)
        w.doc_panel.orderChosen.connect(self._on_list_order_chosen)
        self.retrain_check.toggled.connect(lambda _on: self._update_retrain_status())
        self.retrain_every.valueChanged.connect(lambda _v: self._update_retrain_status())

    # ---- project and model ----------------------------------------------------------------------------

    def set_project(self, store: ProjectStore | None) -> None:
        if store is not None and store.read_only:
            store = None  # suggestions and scores are stored in the project: nothing to do read-only
        self.store = store
        self._pending.clear()
        self._requested.clear()
        self._labelled_seen.clear()
        self._shown_doc = None
        self.new_labels = 0
        self.source = self._suggestion_source(store) if store is not None else None
        self.run_id = sg.current_suggestion_run(store) if store is not None and self.source else self.source
        self.queue_panel.set_project(store, self.source)
        if store is not None and self.queue_panel.follow_check.isChecked():
            self.queue_panel.refresh()  # the list follows the order: rank the new project's documents
        self._refresh_current()

    @staticmethod
    def _suggestion_source(store: ProjectStore) -> str | None:
        """The model of the project's suggestions, else the latest run with a saved model (None: no model)."""
        source = sg.suggestion_source(store)
        if source:
            return source
        try:
            return resolve_model(store, None)[1]
        except KeyError:
            return None

    def on_run_finished(self, run_id: str) -> None:
        """A new model: its suggestions replace the old ones, and the order is ranked again with it."""
        if self.store is None or self._closed:
            return
        try:
            resolve_model(self.store, run_id)
        except Exception:  # noqa: BLE001 - a stopped or failed run has no model to suggest with
            return
        self._use_model(run_id, run_id)
        self.new_labels = 0
        self._update_retrain_status()

    def use_model_folder(self, folder: str) -> None:
        """Suggest with an exported model folder (Model › Use a model folder…); its run id is known once
        a worker has loaded it."""
        self._use_model(folder, None)

    def choose_model_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self.window, self.tr("Model folder for suggestions"))
        if folder:
            self.use_model_folder(folder)

    def _use_model(self, source: str, run_id: str | None) -> None:
        self.source, self.run_id = source, run_id
        self._pending.clear()
        self._requested.clear()
        self.queue_panel.set_run(source)
        self._shown_doc = None
        self._refresh_current()

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self._shown_doc = None
        self._refresh_current()

    # ---- the document on screen -------------------------------------------------------------------------

    def _on_editor_changed(self) -> None:
        doc = self.editor.doc
        doc_id = doc.id if doc is not None else None
        if doc_id != self._shown_doc:
            self._shown_doc = doc_id
            self._refresh_current()

    def _refresh_current(self) -> None:
        doc = self.editor.doc
        if self.store is None or doc is None or doc.id is None or not self.enabled or self.source is None:
            self.layer.set_suggestions(None)
            self.sentiment_line.show_suggestions(None, False)
            return
        self._labelled_seen.setdefault(doc.id, _labelled_tasks(doc.ner_labelled, doc.sentiment))
        if self.run_id is None:  # a model folder not loaded yet: its suggestions come with its run id
            self.sentiment_line.show_suggestions(None, True)
            self._compute_ahead(doc.id)
            return
        shown = sg.document_suggestions(self.store, doc.id, self.run_id)
        self.layer.set_suggestions(shown)
        self.sentiment_line.show_suggestions(shown, doc.id in self._pending)
        if not shown.computed:
            self._compute_ahead(doc.id)
        elif not self._pending:
            self._compute_ahead(doc.id, current_done=True)

    def _compute_ahead(self, doc_id: int, *, current_done: bool = False) -> None:
        """Suggestions for the current document (unless stored) and the next LOOKAHEAD ones, on a worker."""
        assert self.store is not None and self.source is not None
        if self._closed:
            return
        ids = [] if current_done else [doc_id]
        after = doc_id
        for _ in range(LOOKAHEAD):
            nxt = self._next_target(after)
            if nxt is None or nxt in ids or nxt == doc_id:
                break
            ids.append(nxt)
            after = nxt
        ids = [i for i in ids if i not in self._pending and (i == doc_id or i not in self._requested)]
        if not ids:
            return
        self._pending.update(ids)
        self._requested.update(ids)
        project, source, cache = str(self.store.path), self.source, self.cache
        store = self.store

        def done(run_id: str) -> None:
            self._pending.difference_update(ids)
            if self.store is store and self.source == source:
                self.run_id = run_id
                self._refresh_if_shown(ids)

        def failed(exc: BaseException) -> None:
            self._pending.difference_update(ids)
            self.window.statusBar().showMessage(self.tr("Suggestions failed: {}").format(exc), 8000)
            self.sentiment_line.show_suggestions(None, False)

        self.tasks.run(lambda: compute_suggestions(project, source, ids, cache), done, failed)

    def _next_target(self, after: int) -> int | None:
        if self.queue_panel.follows:
            return self.queue_panel.neighbour(after, "next_unlabelled", self._still_open)
        assert self.store is not None
        return self.store.next_unlabelled_document_id(after)

    def _refresh_if_shown(self, ids: list[int]) -> None:
        doc = self.editor.doc
        if doc is not None and doc.id in ids:
            self._refresh_current()

    def _on_edited(self, doc_id: int) -> None:
        doc = self.editor.doc
        if self.store is None:
            return
        if doc is not None and doc.id == doc_id:
            fresh = self.store.get_document(doc_id)
            now = _labelled_tasks(fresh.ner_labelled, fresh.sentiment)
            before = self._labelled_seen.get(doc_id, now)
            self._labelled_seen[doc_id] = now
            if now > before:
                self._count_new_labels(now - before)
            self._refresh_current()

    # ---- accept and reject ----------------------------------------------------------------------------

    def _ready(self) -> bool:
        return (self.store is not None and self.editor.doc is not None and self.editor.doc.id is not None
                and self.window.tabs.currentWidget() is self.window.annotate_page)

    def accept_selected(self) -> None:
        if not self._ready():
            return
        target = self.layer.selected()
        doc_id = self.editor.doc.id  # type: ignore[union-attr]
        if isinstance(target, Span):
            self.window.undo_stack.push(AcceptSpanSuggestionCommand(
                self.store, self.window.notifier, doc_id, target, self._preview(target)))
        elif isinstance(target, SentimentLabel):
            self.window.undo_stack.push(AcceptSentimentSuggestionCommand(self.store, self.window.notifier, doc_id,
                                                                         target))
        else:
            self.window.statusBar().showMessage(self.tr("No suggestion to accept on this document."), 4000)

    def reject_selected(self) -> None:
        if not self._ready():
            return
        target = self.layer.selected()
        if target is None:
            self.window.statusBar().showMessage(self.tr("No suggestion to reject on this document."), 4000)
            return
        preview = self._preview(target) if isinstance(target, Span) else ""
        self.window.undo_stack.push(RejectSuggestionCommand(self.store, self.window.notifier,
                                                            self.editor.doc.id, target, preview))  # type: ignore

    def accept_all(self) -> None:
        if not self._ready():
            return
        shown = self.layer.suggestions
        if shown is None or not shown.computed:
            self.window.statusBar().showMessage(self.tr("No suggestions for this document yet."), 4000)
            return
        self.window.undo_stack.push(AcceptAllSuggestionsCommand(self.store, self.window.notifier,
                                                                self.editor.doc.id))  # type: ignore[union-attr]

    def _preview(self, span: Span) -> str:
        text = self.editor.doc.text[span.start:span.end] if self.editor.doc else ""
        return text if len(text) <= 40 else text[:37] + "…"

    # ---- the document list in the "most useful next" order ----------------------------------------------
    # One order for both: with "follow" ticked the list shows the dock's ranking (its ids, best first,
    # then the other documents), and choosing a "most useful next" order in the list picks the dock's
    # strategy and ticks "follow"; "Document order" (or a column sort) unticks it.

    def _on_list_order_chosen(self, key: str) -> None:
        panel = self.queue_panel
        if key == DOCUMENT_ORDER:
            panel.follow_check.setChecked(False)
            return
        i = panel.strategy_combo.findData(key)
        if i >= 0 and i != panel.strategy_combo.currentIndex():
            panel.strategy_combo.setCurrentIndex(i)  # ranks again (a worker), then _sync_list_order
        if panel.follow_check.isChecked():
            self._sync_list_order()
        else:
            panel.follow_check.setChecked(True)

    def _on_follow_toggled(self, on: bool) -> None:
        panel = self.queue_panel
        if on and self.store is not None and not panel.busy() and (
                panel.ranked is None or panel.ranked.strategy != panel.strategy):
            panel.refresh()  # nothing ranked yet: rank by the stored scores (or score the pool)
        self._sync_list_order()

    def _sync_list_order(self) -> None:
        panel, doc_panel = self.queue_panel, self.window.doc_panel
        if self.store is None or not panel.follow_check.isChecked():
            if doc_panel.ranking_strategy() is not None:
                doc_panel.set_ranking(None)
            return
        strategy, ranked = panel.strategy, panel.ranked
        if panel.busy():
            doc_panel.set_ranking(strategy, state=RANKING)
        elif ranked is not None and ranked.strategy == strategy:
            doc_panel.set_ranking(strategy, panel.order, state=RANKED, run_id=ranked.scored_run)
        else:
            doc_panel.set_ranking(strategy, state=NO_SCORES, run_id=self.run_id)

    # ---- navigation in the "most useful next" order ------------------------------------------------------

    def navigate(self, where: str) -> bool:
        """J/K/N in the active-learning order when the dock says to follow it; False: the window's own,
        which is the same order once the document list shows it (and also moves under its filter)."""
        if not self.queue_panel.follows or self.store is None or self.window.doc_panel.shows_ranked_order():
            return False
        target = self.queue_panel.neighbour(self.window.current_doc_id(), where, self._still_open)
        if target is None:
            self.window.statusBar().showMessage(self.tr("No more documents in the “most useful next” order."), 4000)
            return True
        self._go_to(target)
        return True

    def _still_open(self, doc_id: int) -> bool:
        assert self.store is not None
        try:
            doc = self.store.get_document(doc_id)
        except KeyError:
            return False
        needs_ner = bool(self.store.entity_type_names()) and not doc.ner_labelled
        needs_sentiment = bool(self.store.sentiment_class_names()) and doc.sentiment is None
        return needs_ner or needs_sentiment

    def _go_to(self, doc_id: int) -> None:
        self.window.show_document(doc_id)
        if not self.window.doc_panel.select_doc(doc_id, emit=False):
            self.window.doc_panel.table.clearSelection()

    # ---- auto-retrain -----------------------------------------------------------------------------------

    def _count_new_labels(self, n: int) -> None:
        self.new_labels += n
        self._update_retrain_status()
        if not self.retrain_check.isChecked() or self.new_labels < self.retrain_every.value():
            return
        panel = self.window.training_panel
        if getattr(panel, "is_running", lambda: True)():
            return  # a run is going; the count keeps growing and the next label retries
        start = getattr(panel, "start_training", None)
        if callable(start) and start():
            self.new_labels = 0
            self.window.statusBar().showMessage(self.tr("Auto-retrain: training a new model in the background"),
                                                8000)
        self._update_retrain_status()

    def _update_retrain_status(self) -> None:
        on = self.retrain_check.isChecked()
        self.retrain_status.setVisible(on)
        if on:
            self.retrain_status.setText(self.tr("Auto-retrain on: {n}/{every} new labels").format(
                n=self.new_labels, every=self.retrain_every.value()))

    # ---- learning curve ---------------------------------------------------------------------------------

    def show_learning_curve(self) -> None:
        from mtl_studio.core.config import TrainConfig

        from .learning_curve_view import LearningCurveDialog

        if self.store is None:
            return
        config_of = getattr(self.window.training_panel, "config", None)
        config = config_of() if callable(config_of) else TrainConfig()
        self.curve_dialog = LearningCurveDialog(str(self.store.path), config, self.window)
        self.curve_dialog.show()

    def shutdown(self) -> None:
        self._closed = True
        self.queue_panel.close_down()
        self.tasks.wait(30_000)
        self.queue_panel.tasks.wait(30_000)


def _labelled_tasks(ner_labelled: bool, sentiment: object) -> int:
    return int(bool(ner_labelled)) + int(sentiment is not None)
