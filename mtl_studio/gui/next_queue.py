"""The "Most useful next" dock: an active-learning order of the unlabelled documents that J/K/N follow.

Scoring the pool (core.active_learning.score_pool) runs on a worker in chunks, with progress and a
Cancel button; reading the ranked order back also happens there (a 100k-document pool is a large
query). The GUI thread only swaps in the finished order. With "J / K / N follow this order" ticked the
document list shows the same order (model_loop.py keeps the two in step).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from mtl_studio.core import active_learning as al
from mtl_studio.core.document_predictions import load_model
from mtl_studio.core.store import ProjectStore

from .background import BackgroundTasks
from .models import task_title
from .strategy_names import strategy_title

SHOWN_ROWS = 300  # rows listed in the dock; navigation follows the whole order


@dataclass(frozen=True)
class RankedPool:
    run_id: str | None
    strategy: str
    entries: list[al.QueueEntry]
    scored_run: str | None = None  # whose stored scores ranked them (None: random, no model)


class _Progress(QObject):
    changed = Signal(int, int)  # done, total (emitted from the worker, delivered on the GUI thread)


def rank_pool(project: str, strategy: str, source: str | None, rescore: bool,
              progress: Callable[[int, int], None], stop: threading.Event) -> RankedPool | None:
    """On a worker: score the pool with the model `source` names (a run id or a model folder) when its
    scores are not stored (or rescore), then read the order back. None when cancelled. Without a model
    (source None) the order is random."""
    with ProjectStore.open(project) as store:
        run_id = None
        if source is not None:
            model = load_model(store, source)
            run_id = model.run_id
            if rescore or run_id not in store.scored_run_ids():
                for event in al.score_pool(store, model, stop=stop):
                    if isinstance(event, al.ScoringProgress):
                        progress(event.done, event.total)
                    elif event.cancelled:
                        return None
        scored = run_id if run_id in store.scored_run_ids() else None
        entries = al.queue(store, strategy, run_id=scored)
        scored = scored or al.latest_scored_run(store)  # what queue() fell back to
    return RankedPool(run_id, strategy, entries, scored)


class NextQueuePanel(QWidget):
    """Strategy picker, scoring progress with Cancel, the ranked documents, and "J/K/N follow this order"."""

    documentChosen = Signal(int)
    orderChanged = Signal()  # ranking started, finished or failed (the document list follows)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nextQueuePanel")
        self.store: ProjectStore | None = None
        self.source: str | None = None  # the model: a run id or a model folder (None: random order)
        self.order: list[int] = []
        self.ranked: RankedPool | None = None  # the order shown (None: not ranked, or ranking failed)
        self.tasks = BackgroundTasks(self)
        self._stop: threading.Event | None = None
        self._generation = 0
        self._closed = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        self.strategy_combo = QComboBox(objectName="nextStrategyCombo")
        # Narrow: the dock shares the left area with the document list and must not widen it.
        self.strategy_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.strategy_combo.setMinimumContentsLength(10)
        for key in al.STRATEGIES:
            self.strategy_combo.addItem(strategy_title(key), key)
        self.strategy_combo.setCurrentIndex(al.STRATEGIES.index(al.JOINT))
        self.strategy_combo.setToolTip(self.tr("How to pick the most useful next document (see the manual)"))
        row.addWidget(self.strategy_combo, 1)
        layout.addLayout(row)
        row = QHBoxLayout()
        self.score_button = QPushButton(self.tr("Score"), objectName="scoreButton")
        self.score_button.setToolTip(self.tr("Score the unlabelled documents with the latest model"))
        row.addWidget(self.score_button)
        self.cancel_button = QPushButton(self.tr("Cancel"), objectName="cancelScoringButton")
        self.cancel_button.setEnabled(False)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.follow_check = QCheckBox(self.tr("J / K / N follow this order"), objectName="followOrderCheck")
        layout.addWidget(self.follow_check)
        self.progress = QProgressBar(objectName="scoringProgress")
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel(objectName="queueStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #666;")
        layout.addWidget(self.status)
        self.table = QTableWidget(0, 4, objectName="queueTable")
        self.table.setHorizontalHeaderLabels([self.tr("#"), self.tr("Score"), self.tr("Needs"), self.tr("Text")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumWidth(120)
        layout.addWidget(self.table, 1)

        self._relay = _Progress(self)
        self._relay.changed.connect(self._on_progress)
        self.score_button.clicked.connect(lambda: self.refresh(rescore=True))
        self.cancel_button.clicked.connect(self.cancel)
        self.strategy_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.cellActivated.connect(self._on_activated)
        self.table.cellClicked.connect(self._on_activated)

    # ---- project and model ------------------------------------------------------------------------

    def set_project(self, store: ProjectStore | None, source: str | None) -> None:
        self.cancel()
        self.store, self.source = store, source
        self.order = []
        self.ranked = None
        self.table.setRowCount(0)
        self.status.setText("" if store is None else self.tr("Press Score to rank the unlabelled documents."))
        self.orderChanged.emit()

    def set_run(self, source: str | None, *, rescore: bool = True) -> None:
        """A new model (a run id or a model folder): rank again with it ("reruns after each run")."""
        self.source = source
        self.refresh(rescore=rescore)

    @property
    def strategy(self) -> str:
        return str(self.strategy_combo.currentData())

    @property
    def follows(self) -> bool:
        return self.follow_check.isChecked() and bool(self.order)

    def busy(self) -> bool:
        return self._stop is not None

    # ---- scoring ------------------------------------------------------------------------------------

    def refresh(self, *, rescore: bool = False) -> None:
        if self.store is None or self._closed:
            return
        self.cancel()
        self._generation += 1
        generation = self._generation
        stop = self._stop = threading.Event()
        project, strategy, source = str(self.store.path), self.strategy, self.source
        relay = self._relay
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Scoring the unlabelled documents…") if source else
                            self.tr("No trained model yet: random order."))

        def done(result: RankedPool | None) -> None:
            if generation != self._generation:
                return
            self._finish_busy()
            if result is None:
                self.status.setText(self.tr("Scoring cancelled; the previous order stays."))
            else:
                self._show(result)
            self.orderChanged.emit()

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._finish_busy()
                # The previous order was another strategy's (or model's): J/K/N must not follow it.
                self.order, self.ranked = [], None
                self.table.setRowCount(0)
                self.status.setText(self.tr("Scoring failed: {}").format(exc))
                self.orderChanged.emit()

        self.tasks.run(lambda: rank_pool(project, strategy, source, rescore, relay.changed.emit, stop), done, failed)
        self.orderChanged.emit()

    def close_down(self) -> None:
        """The window is closing: stop scoring and start nothing new."""
        self._closed = True
        self.cancel()

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self._finish_busy()

    def _finish_busy(self) -> None:
        self._stop = None
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)

    def _on_progress(self, done: int, total: int) -> None:
        if self._stop is not None:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)

    def _show(self, ranked: RankedPool) -> None:
        self.order = [e.id for e in ranked.entries]
        self.ranked = ranked
        shown = ranked.entries[:SHOWN_ROWS]
        self.table.setRowCount(len(shown))
        for row, e in enumerate(shown):
            cells = [str(e.id), f"{e.score:.3f}", " + ".join(task_title(t) for t in e.needs),
                     " ".join(e.preview.split())]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, e.id)
                self.table.setItem(row, col, item)
        source = self.tr("run {}").format(ranked.run_id) if ranked.run_id else self.tr("no model")
        self.status.setText(self.tr("{n} documents to label, by {strategy} ({source})").format(
            n=len(self.order), strategy=strategy_title(ranked.strategy), source=source))

    def _on_activated(self, row: int, _col: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.documentChosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    # ---- navigation ---------------------------------------------------------------------------------

    def neighbour(self, current: int | None, where: str, still_open: Callable[[int], bool]) -> int | None:
        """The document J ("next"), K ("previous") or N ("next_unlabelled") goes to in this order."""
        if not self.order:
            return None
        pos = self.order.index(current) if current in self.order else -1
        if where == "previous":
            return self.order[pos - 1] if pos > 0 else None
        if where == "next":
            return self.order[pos + 1] if pos + 1 < len(self.order) else None
        for doc_id in self.order[pos + 1:] + self.order[:max(pos, 0)]:
            if still_open(doc_id):
                return doc_id
        return None
