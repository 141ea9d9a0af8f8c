"""Results: the run history (runs side by side, single-task baselines included) and, for the selected
run and split, the NER table per entity type, the sentiment table per class and its confusion matrix."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
    QTableView, QVBoxLayout, QWidget,
)

from mtl_studio.core.run_record import RunRecord
from mtl_studio.core.store import ProjectStore

from .engine_text import run_status_label, series_label, split_label, strategy_short_label
from .metrics_models import ConfusionMatrixModel, RunHistoryModel, ScoreTableModel, confusion, ner_rows, sentiment_rows


def _table(name: str) -> QTableView:
    view = QTableView(objectName=name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _fit_rows(view: QTableView) -> None:
    """Keep the table at least as tall as its rows, so no row (and no number) is cut off at the bottom."""
    rows = sum(view.rowHeight(r) for r in range(view.model().rowCount()))
    view.setMinimumHeight(rows + view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth())


class ResultsPanel(QWidget):
    """Run history on top; the selected run's per-task scores below."""

    run_selected = Signal(str)  # run id chosen in the history

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self._store: ProjectStore | None = None
        self._run_id: str | None = None
        self._runs: dict[str, RunRecord] = {}
        self._selected_by_press: str | None = None

        self.splitCombo = QComboBox(objectName="resultsSplitCombo")
        self.splitCombo.addItem(self.tr("Test split"), "test")
        self.splitCombo.addItem(self.tr("Dev split (best epoch)"), "dev")
        self.splitCombo.setToolTip(self.tr("Which held-out split the scores are computed on"))
        self.refreshButton = QPushButton(self.tr("Refresh"), objectName="resultsRefreshButton")
        self.runLabel = QLabel(self.tr("No run selected."), objectName="resultsRunLabel")
        self.runLabel.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Scores on:")))
        bar.addWidget(self.splitCombo)
        bar.addWidget(self.refreshButton)
        bar.addStretch(1)

        self.historyModel = RunHistoryModel(self)
        self.runHistoryTable = _table("runHistoryTable")
        self.runHistoryTable.setModel(self.historyModel)
        self.runHistoryTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.runHistoryTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The settings column (last) gives way on a narrow screen instead of the table scrolling sideways.
        self.runHistoryTable.horizontalHeader().setSectionResizeMode(len(RunHistoryModel.COLUMNS) - 1,
                                                                     QHeaderView.ResizeMode.Stretch)
        self.runHistoryTable.setToolTip(self.tr(
            "Every training run of this project. Compare joint runs with the single-task baselines "
            "(train with Tasks: NER only / Sentiment only and the same settings)."))
        history_box = QGroupBox(self.tr("Run history"))
        hl = QVBoxLayout(history_box)
        hl.addWidget(self.runHistoryTable)

        self.nerModel = ScoreTableModel(self)
        self.nerMetricsTable = _table("nerMetricsTable")
        self.nerMetricsTable.setModel(self.nerModel)
        self.nerEmpty = QLabel(objectName="nerEmptyLabel")
        ner_box = QGroupBox(self.tr("NER: entity level (seqeval, strict IOB2)"))
        nl = QVBoxLayout(ner_box)
        nl.addWidget(self.nerMetricsTable)
        nl.addWidget(self.nerEmpty)

        self.sentimentModel = ScoreTableModel(self)
        self.sentimentMetricsTable = _table("sentimentMetricsTable")
        self.sentimentMetricsTable.setModel(self.sentimentModel)
        self.sentimentEmpty = QLabel(objectName="sentimentEmptyLabel")
        sent_box = QGroupBox(self.tr("Sentiment: per class"))
        sl = QVBoxLayout(sent_box)
        sl.addWidget(self.sentimentMetricsTable)
        sl.addWidget(self.sentimentEmpty)

        self.confusionModel = ConfusionMatrixModel(self)
        self.confusionMatrixTable = QTableView(objectName="confusionMatrixTable")
        self.confusionMatrixTable.setModel(self.confusionModel)
        self.confusionMatrixTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusionMatrixTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusionMatrixTable.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        conf_box = QGroupBox(self.tr("Sentiment confusion matrix (rows: gold, columns: predicted)"))
        cl = QVBoxLayout(conf_box)
        cl.addWidget(self.confusionMatrixTable)

        for view in (self.nerMetricsTable, self.sentimentMetricsTable):
            header = view.horizontalHeader()
            header.setStretchLastSection(False)  # it would keep the last column at its default width
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)

        # NER on the left; sentiment per class above its confusion matrix on the right: each table gets
        # about half the width, enough for its five columns without eliding the numbers.
        sentiment_side = QSplitter(Qt.Orientation.Vertical)
        sentiment_side.addWidget(sent_box)
        sentiment_side.addWidget(conf_box)
        scores = QSplitter(Qt.Orientation.Horizontal)
        scores.addWidget(ner_box)
        scores.addWidget(sentiment_side)
        scores.setStretchFactor(0, 1)
        scores.setStretchFactor(1, 1)

        bold = QFont(self.runLabel.font())
        bold.setBold(True)
        self.runLabel.setFont(bold)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.runLabel)
        ll.addWidget(scores, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(history_box)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        # Room for about three runs before the history scrolls (the score tables need the height at 720 px).
        self.runHistoryTable.setMinimumHeight(self.runHistoryTable.verticalHeader().defaultSectionSize() * 3
                                              + self.runHistoryTable.horizontalHeader().sizeHint().height())

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.splitCombo.currentIndexChanged.connect(self.refresh)
        self.refreshButton.clicked.connect(self.refresh)
        self.runHistoryTable.selectionModel().currentRowChanged.connect(self._history_row_changed)
        # A click on the run that is already selected still means "show me this run" (in Predictions).
        self.runHistoryTable.clicked.connect(self._history_clicked)
        self._show_metrics()

    # ---- public API --------------------------------------------------------------------------

    def set_project(self, store: ProjectStore | None) -> None:
        self._store = store
        self._run_id = None
        self.refresh()

    def split(self) -> str:
        return self.splitCombo.currentData()

    def set_split(self, split: str) -> None:
        self.splitCombo.setCurrentIndex(max(self.splitCombo.findData(split), 0))

    def current_run(self) -> str | None:
        return self._run_id

    @Slot()
    def refresh(self) -> None:
        """Reload the run history (after a run or an edit) and keep the selection."""
        self.show_run(self._run_id)

    def show_run(self, run_id: str | None) -> None:
        """Select a run in the history and show its scores (None: the latest run, if any).

        The history is re-read: the run may be new, or known with an older status (a stopped run that
        was resumed and completed since)."""
        runs = self._store.run_records() if self._store is not None else []
        self._runs = {r.id: r for r in runs}
        self.historyModel.set_runs(runs, self.split())
        if run_id not in self._runs:
            run_id = None
        if run_id is None and self.historyModel.rowCount():
            run_id = self.historyModel.run_ids()[0]
        self._run_id = run_id
        row = self.historyModel.row_of(run_id) if run_id else -1
        selection = self.runHistoryTable.selectionModel()
        selection.blockSignals(True)
        if row >= 0:
            index = self.historyModel.index(row, 0)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
            self.runHistoryTable.scrollTo(index)
        else:
            selection.clearSelection()
        selection.blockSignals(False)
        self._show_metrics()

    # ---- internals -------------------------------------------------------------------------------

    @Slot()
    def _history_row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        run_id = self.historyModel.run_at(current.row()).run_id
        if run_id != self._run_id:
            self._run_id = run_id
            self._selected_by_press = run_id  # the click that follows this press is not a second choice
            self._show_metrics()
            self.run_selected.emit(run_id)

    @Slot()
    def _history_clicked(self, index) -> None:
        if not index.isValid():
            return
        run_id = self.historyModel.run_at(index.row()).run_id
        if self._selected_by_press == run_id:
            self._selected_by_press = None
            return
        self.run_selected.emit(run_id)

    def _show_metrics(self) -> None:
        run = self._runs.get(self._run_id) if self._run_id else None
        split = self.split()
        report = run.report(split) if run else None
        tasks = tuple(run.config.get("tasks") or ()) if run else ()
        ner = report.ner if report else None
        sent = report.sentiment if report else None
        self.nerModel.set_rows(ner_rows(ner))
        self.sentimentModel.set_rows(sentiment_rows(sent))
        _fit_rows(self.sentimentMetricsTable)  # a few classes: all of them in view, the matrix gives way
        self.confusionModel.set_matrix(*confusion(sent))
        if run is None:
            self.runLabel.setText(self.tr("No run selected. Train a model in the Train tab."))
        else:
            self.runLabel.setText(self.tr("Run {} · {} · tasks {} · strategy {} · split {}").format(
                run.id, run_status_label(run.status), " + ".join(map(series_label, tasks)) or "–",
                strategy_short_label(run.config.get("strategy", "–")), split_label(split)))
        self._set_empty(self.nerEmpty, self.nerMetricsTable, ner, "ner", tasks, run, report)
        self._set_empty(self.sentimentEmpty, self.sentimentMetricsTable, sent, "sentiment", tasks, run, report)

    def _set_empty(self, label: QLabel, table: QTableView, part, task: str, tasks, run, report) -> None:
        if part:
            label.hide()
            return
        if run is None:
            text = self.tr("No scores yet.")
        elif tasks and task not in tasks:
            text = self.tr("This run did not train this task (single-task baseline).")
        elif report is None:
            text = self.tr("No scores on this split for this run (no labelled documents in it, or the run "
                           "did not finish).")
        else:
            text = self.tr("No labelled documents for this task in this split.")
        label.setText(text)
        label.setWordWrap(True)
        label.show()
