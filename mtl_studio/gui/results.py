"""Results: the run history (runs side by side, single-task baselines included) and, for the selected
run and split, every task's scores: the NER table per entity type (with entity sentiment end to end
below it when the project has that task), and a classification task's table per class with its
confusion matrix: sentiment, entity sentiment on gold spans or any further document label set, chosen
in a combo box shown when there is more than one (docs/tasks_as_data.md)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
    QTableView, QVBoxLayout, QWidget,
)

from mtl_studio.core.evaluate import EvalReport
from mtl_studio.core.run_record import RunRecord
from mtl_studio.core.store import ProjectStore

from .engine_text import (run_status_label, series_label, split_label, strategy_short_label, task_label,
                          task_score_text)
from .verdict_label import VerdictLabel
from .metrics_models import (
    ConfusionMatrixModel, RunHistoryModel, ScoreTableModel, classification_confusion, classification_rows, confusion,
    end_to_end_rows, entity_sentiment_parts, label_set_scores, ner_rows, sentiment_rows, task_scores,
)


WEIGHTS_COLUMN_WIDTH = 110  # px: the most the run history's weights column takes (one weight per task)


def _table(name: str) -> QTableView:
    view = QTableView(objectName=name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    return view


# The class-task combo's entry for entity sentiment scored end to end (not a task name of its own).
END_TO_END = "entity_sentiment:end_to_end"


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
        # The tasks beyond NER and sentiment share one column, shown once a run scores one of them.
        self._other_scores_column = RunHistoryModel.COLUMNS.index("other_scores")
        self.runHistoryTable.setColumnHidden(self._other_scores_column, True)
        # Column widths settle after a resize or a refill (content widths count the rows in view): fit
        # the settings column once they have, whatever changed them.
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_settings_column)
        self.runHistoryTable.viewport().installEventFilter(self)
        self.runHistoryTable.horizontalHeader().sectionResized.connect(lambda *_: self._fit_timer.start())
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

        # One classification task at a time: sentiment, entity sentiment on gold spans and end to end
        # (span, type and polarity right), a label set. End to end sits here rather than under NER: at
        # 720 px the two span tables cannot both show every row.
        self.classTaskCombo = QComboBox(objectName="classTaskCombo")
        self.classTaskCombo.setToolTip(self.tr("Which classification task the table and the confusion matrix show"))
        self.classTaskCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.classTaskCombo.setMinimumContentsLength(16)
        self.classTaskRow = QWidget()
        task_row = QHBoxLayout(self.classTaskRow)
        task_row.setContentsMargins(0, 0, 0, 0)
        task_row.addWidget(QLabel(self.tr("Task:")))
        task_row.addWidget(self.classTaskCombo, 1)
        self.classTaskRow.hide()
        self.sentimentModel = ScoreTableModel(self)
        self.sentimentMetricsTable = _table("sentimentMetricsTable")
        self.sentimentMetricsTable.setModel(self.sentimentModel)
        self.sentimentEmpty = QLabel(objectName="sentimentEmptyLabel")
        self.classBox = QGroupBox(self.tr("Sentiment: per class"))
        sl = QVBoxLayout(self.classBox)
        sl.addWidget(self.classTaskRow)
        sl.addWidget(self.sentimentMetricsTable)
        sl.addWidget(self.sentimentEmpty)

        self.confusionModel = ConfusionMatrixModel(self)
        self.confusionMatrixTable = QTableView(objectName="confusionMatrixTable")
        self.confusionMatrixTable.setModel(self.confusionModel)
        self.confusionMatrixTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusionMatrixTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusionMatrixTable.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusionBox = QGroupBox(self.tr("Sentiment confusion matrix (rows: gold, columns: predicted)"))
        cl = QVBoxLayout(self.confusionBox)
        cl.addWidget(self.confusionMatrixTable)

        for view in (self.nerMetricsTable, self.sentimentMetricsTable):
            header = view.horizontalHeader()
            header.setStretchLastSection(False)  # it would keep the last column at its default width
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)

        # Span tasks on the left; the chosen classification task above its confusion matrix on the right:
        # each table gets about half the width, enough for its five columns without eliding the numbers.
        sentiment_side = QSplitter(Qt.Orientation.Vertical)
        sentiment_side.addWidget(self.classBox)
        sentiment_side.addWidget(self.confusionBox)
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
        # Every task's main score in one line, shown when the run scores more than NER and sentiment.
        self.taskScoresLabel = QLabel(objectName="taskScoresLabel")
        self.taskScoresLabel.setWordWrap(True)
        self.taskScoresLabel.hide()
        ll.addWidget(self.taskScoresLabel)
        self.verdictLabel = VerdictLabel()
        ll.addWidget(self.verdictLabel)
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
        self.classTaskCombo.currentIndexChanged.connect(self._show_class_task)
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
        self._show_task_columns(self.historyModel.has_other_scores())
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

    def _show_task_columns(self, other_tasks: bool) -> None:
        """With tasks beyond NER and sentiment their scores take the last, stretching column and the
        training settings move into the run's tooltip: a laptop-wide tab has no room for both without
        scrolling sideways. The weights cell (one weight per task) fits its text up to
        WEIGHTS_COLUMN_WIDTH and elides beyond it (its tooltip names every task's weight)."""
        header = self.runHistoryTable.horizontalHeader()
        self.runHistoryTable.setColumnHidden(self._other_scores_column, not other_tasks)
        header.setSectionResizeMode(self._other_scores_column, QHeaderView.ResizeMode.Stretch)
        weights = RunHistoryModel.COLUMNS.index("weights")
        header.setSectionResizeMode(weights, QHeaderView.ResizeMode.Interactive)
        self.runHistoryTable.resizeColumnToContents(weights)
        if header.sectionSize(weights) > WEIGHTS_COLUMN_WIDTH:
            header.resizeSection(weights, WEIGHTS_COLUMN_WIDTH)
        self._fit_settings_column()  # now, so the other tasks' column never shows beside the settings
        self._fit_timer.start()  # and again once the refilled columns have their content widths

    def _fit_settings_column(self) -> None:
        """The settings column (last, stretching) is shown only where the table has room for its header
        beside the other columns at their content widths; else it hides and the run's tooltip carries
        the settings, so the table never scrolls sideways. Seen on X11 at 1280x720: its fonts are wider
        than the offscreen platform's, the other columns took 746 of 790 pixels and the table scrolled."""
        table, header = self.runHistoryTable, self.runHistoryTable.horizontalHeader()
        settings = RunHistoryModel.COLUMNS.index("settings")
        weights = RunHistoryModel.COLUMNS.index("weights")
        hide = self.historyModel.has_other_scores()  # their column takes the settings' place
        if not hide:
            # Content widths, not current sizes: the last shown column is stretched to the edge.
            others = sum(header.sectionSize(c) if c == weights
                         else max(header.sectionSizeHint(c), table.sizeHintForColumn(c))
                         for c in range(header.count()) if c != settings and not table.isColumnHidden(c))
            hide = others + header.sectionSizeHint(settings) > table.viewport().width()
        if table.isColumnHidden(settings) != hide:
            table.setColumnHidden(settings, hide)
        self.historyModel.set_settings_hidden(hide)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt name)
        if watched is self.runHistoryTable.viewport() and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._fit_timer.start()
        return super().eventFilter(watched, event)

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
        run, split, report, stored, tasks = self._shown_run()
        ner = report.ner if report else None
        self.nerModel.set_rows(ner_rows(ner))
        _fit_rows(self.nerMetricsTable)  # every entity type's row in view (720 px: the page scrolls)
        if run is None:
            self.runLabel.setText(self.tr("No run selected. Train a model in the Train tab."))
        else:
            self.runLabel.setText(self.tr("Run {} · {} · tasks {} · strategy {} · split {}").format(
                run.id, run_status_label(run.status), " + ".join(map(series_label, tasks)) or "–",
                strategy_short_label(run.config.get("strategy", "–")), split_label(split)))
        self._show_task_scores(stored)
        self.verdictLabel.show_run(self._store, run, list(self._runs.values()), split)
        self._set_empty(self.nerEmpty, self.nerMetricsTable, ner, "ner", tasks, run, report)
        self._fill_class_tasks(stored, tasks)
        self._show_class_task()

    def _shown_run(self) -> tuple[RunRecord | None, str, EvalReport | None, dict | None, tuple[str, ...]]:
        """(the selected run, the chosen split, its report and stored metrics on that split, its tasks)."""
        run = self._runs.get(self._run_id) if self._run_id else None
        split = self.split()
        report = run.report(split) if run else None
        stored = run.metrics.get(split) if run and isinstance(run.metrics.get(split), dict) else None
        return run, split, report, stored, tuple(run.config.get("tasks") or ()) if run else ()

    def _project_tasks(self) -> list[str]:
        return [t.name for t in self._store.tasks()] if self._store is not None else []

    def _show_task_scores(self, stored) -> None:
        """One line with every task's main score, when the run scores more than NER and sentiment."""
        scores = task_scores(stored)
        if not any(s.task not in ("ner", "sentiment") for s in scores):
            self.taskScoresLabel.hide()
            return
        parts = [task_score_text(score.task, score.metric, score.value, score.end_to_end) for score in scores]
        self.taskScoresLabel.setText(" · ".join(parts))
        self.taskScoresLabel.show()

    def class_tasks(self) -> list[str]:
        """The classification tasks the combo offers for the selected run, in the project's order."""
        return [self.classTaskCombo.itemData(i) for i in range(self.classTaskCombo.count())]

    def set_class_task(self, task: str) -> None:
        index = self.classTaskCombo.findData(task)
        if index >= 0:
            self.classTaskCombo.setCurrentIndex(index)

    def _fill_class_tasks(self, stored, tasks: tuple[str, ...]) -> None:
        """Sentiment, entity sentiment (on gold spans) and each label set the project declares, the run
        trained or the report scores; the choice is kept while it is offered."""
        offered = ["sentiment"]
        project = self._project_tasks()
        gold, end = entity_sentiment_parts(stored)
        if gold is not None or end is not None or "entity_sentiment" in tasks or "entity_sentiment" in project:
            offered[:0] = ["entity_sentiment", END_TO_END]
        sets = [t for t in project if t not in ("ner", "sentiment", "entity_sentiment")]
        for name in [*tasks, *label_set_scores(stored)]:
            if name not in ("ner", "sentiment", "entity_sentiment") and name not in sets:
                sets.append(name)
        offered += sets
        current = self.classTaskCombo.currentData() or "sentiment"
        self.classTaskCombo.blockSignals(True)
        self.classTaskCombo.clear()
        for task in offered:
            self.classTaskCombo.addItem(self.tr("Entity sentiment end to end") if task == END_TO_END
                                        else task_label(task), task)
        self.classTaskCombo.setCurrentIndex(max(self.classTaskCombo.findData(current),
                                                self.classTaskCombo.findData("sentiment")))
        self.classTaskCombo.blockSignals(False)
        self.classTaskRow.setVisible(len(offered) > 1)

    @Slot()
    def _show_class_task(self) -> None:
        """The chosen classification task's table and confusion matrix."""
        run, split, report, stored, tasks = self._shown_run()
        task = self.classTaskCombo.currentData() or "sentiment"
        multi_label = False
        if task == "sentiment":
            part = report.sentiment if report else None
            rows, matrix = sentiment_rows(part), confusion(part)
            self.classBox.setTitle(self.tr("Sentiment: per class"))
            self.confusionBox.setTitle(self.tr("Sentiment confusion matrix (rows: gold, columns: predicted)"))
        elif task == "entity_sentiment":
            part, _end = entity_sentiment_parts(stored)
            rows, matrix = classification_rows(part), classification_confusion(part)
            self.classBox.setTitle(self.tr("Entity sentiment on gold spans: per class"))
            self.confusionBox.setTitle(self.tr("Entity sentiment confusion matrix (rows: gold, columns: predicted)"))
        elif task == END_TO_END:
            _gold, part = entity_sentiment_parts(stored)
            rows, matrix = end_to_end_rows(part), ([], [])
            self.classBox.setTitle(self.tr("Entity sentiment end to end (span, type and polarity right): per polarity"))
        else:
            part = label_set_scores(stored).get(task)
            multi_label = bool(part and part.get("multi_label"))
            rows, matrix = classification_rows(part), classification_confusion(part)
            self.classBox.setTitle(self.tr("{}: per label (multi-label)").format(task) if multi_label
                                   else self.tr("{}: per class").format(task))
            self.confusionBox.setTitle(self.tr("{} confusion matrix (rows: gold, columns: predicted)").format(task))
        self.sentimentModel.set_rows(rows)
        _fit_rows(self.sentimentMetricsTable)  # a few classes: all of them in view, the matrix gives way
        self.confusionModel.set_matrix(*matrix)
        # Each label of a multi-label set is a yes/no decision of its own: no matrix of classes; end to
        # end counts entities found or missed, which no gold x predicted matrix of polarities holds.
        self.confusionBox.setVisible(not multi_label and task != END_TO_END)
        self._set_empty(self.sentimentEmpty, self.sentimentMetricsTable, part,
                        "entity_sentiment" if task == END_TO_END else task, tasks, run, report)

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
