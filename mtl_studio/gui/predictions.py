"""Gold beside prediction for one document of one run, with the differences marked.

The engine stores a run's predictions in the project (spans and sentiments with source 'predicted' and
the run id). This view compares them with the gold annotations, span by span (exact boundaries and
label, as entity-level scoring does): false positives, false negatives and wrong labels are underlined
in their own colour and listed below, and one click makes the prediction the gold annotation.

Offsets in the store are code points; QTextDocument positions are UTF-16 units: every conversion
goes through text_offsets.OffsetMap.
"""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QAbstractListModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import (
    QBrush, QColor, QFont, QPainter, QPixmap, QShowEvent, QTextCharFormat, QTextCursor, QTextFormat, QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QListView, QMessageBox, QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout,
    QWidget,
)

from mtl_studio.core.review import (
    CORRECT, FALSE_NEGATIVE, FALSE_POSITIVE, WRONG_LABEL, WRONG_SENTIMENT, DocumentReview, SpanDiff, accepted_state,
    error_document_ids, gold_state, review_document, run_tasks, write_gold_state,
)
from mtl_studio.core.schema import Span, ValidationError, validate_spans
from mtl_studio.core.store import ProjectStore

from .engine_text import run_status_label, series_label
from .flow_layout import FlowLayout
from .text_offsets import OffsetMap

_Index = QModelIndex | QPersistentModelIndex

# Underline colours of the marks (the background keeps the entity type's colour).
MARK_COLOURS = {CORRECT: "#1a7f37", FALSE_POSITIVE: "#cf222e", FALSE_NEGATIVE: "#8250df", WRONG_LABEL: "#bc4c00",
                WRONG_SENTIMENT: "#9a6700"}
MARK_PROPERTY = QTextFormat.Property.UserProperty + 1  # the mark kind, kept on the char format for tests/tools


class AcceptPredictionCommand(QUndoCommand):
    """Undoable 'accept prediction as gold' for one document."""

    def __init__(self, view: "PredictionView", store: ProjectStore, doc_id: int, run_id: str) -> None:
        super().__init__(QCoreApplication.translate("PredictionView", "Accept prediction of run {} as gold")
                         .format(run_id))
        self._view, self._store, self._doc_id = view, store, doc_id
        self._before = gold_state(store, doc_id)
        self.after = accepted_state(store, doc_id, run_id)
        self._annotator = f"accepted:{run_id}"

    def redo(self) -> None:
        write_gold_state(self._store, self._doc_id, self.after, annotator=self._annotator)
        self._view._gold_written(self._doc_id)

    def undo(self) -> None:
        write_gold_state(self._store, self._doc_id, self._before)
        self._view._gold_written(self._doc_id)


# ---- the document list -------------------------------------------------------------------------------

_DOTS: dict[str, QPixmap] = {}


def _dot(colour: str) -> QPixmap:
    """A small filled circle (red: the prediction differs from gold, green: it matches)."""
    if colour not in _DOTS:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        _DOTS[colour] = pixmap
    return _DOTS[colour]


class PredictionDocumentsModel(QAbstractListModel):
    """Document ids of a split with a text preview fetched a page at a time; errors marked."""

    PAGE = 200

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._store: ProjectStore | None = None
        self._ids: list[int] = []
        self._errors: set[int] = set()
        self._rows: dict[int, dict[str, Any]] = {}

    def set_documents(self, store: ProjectStore | None, ids: list[int], errors: set[int]) -> None:
        self.beginResetModel()
        self._store, self._ids, self._errors, self._rows = store, list(ids), set(errors), {}
        self.endResetModel()

    def ids(self) -> list[int]:
        return list(self._ids)

    def row_of(self, doc_id: int) -> int:
        try:
            return self._ids.index(doc_id)
        except ValueError:
            return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def _row(self, i: int) -> dict[str, Any]:
        doc_id = self._ids[i]
        if doc_id not in self._rows and self._store is not None:
            start = (i // self.PAGE) * self.PAGE
            for r in self._store.document_rows(self._ids[start:start + self.PAGE]):
                self._rows[r["id"]] = r
        return self._rows.get(doc_id, {"id": doc_id, "preview": ""})

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        doc_id = self._ids[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            preview = " ".join(self._row(index.row())["preview"].split())
            return f"#{doc_id}  {preview[:90]}"
        if role == Qt.ItemDataRole.UserRole:
            return doc_id
        if role == Qt.ItemDataRole.DecorationRole:
            return _dot(MARK_COLOURS[FALSE_POSITIVE] if doc_id in self._errors else MARK_COLOURS[CORRECT])
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.tr("The prediction differs from gold") if doc_id in self._errors
                    else self.tr("The prediction matches gold"))
        return None


# ---- the view -------------------------------------------------------------------------------------

class PredictionView(QWidget):
    """Gold | prediction for the selected document, a list of documents, accept-as-gold."""

    gold_changed = Signal(int)  # document id whose gold annotations this view replaced
    open_in_editor = Signal(int)  # document id double-clicked in the list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("predictionView")
        self._store: ProjectStore | None = None
        self._run_id: str | None = None
        self._tasks: tuple[str, ...] = ()
        self._doc_id: int | None = None
        self._diffs: list[SpanDiff] = []
        self._colours: dict[str, str] = {}
        self._with_polarity = False  # the project has entity sentiment (the legend names wrong polarities)
        self._stale = False  # documents to list once the view is shown (see reload_documents)
        self.undoStack = QUndoStack(self)
        self._build()
        self._show_empty()

    # ---- construction --------------------------------------------------------------------------

    def _build(self) -> None:
        self.runLabel = QLabel(objectName="predictionRunLabel")
        bold = QFont(self.runLabel.font())
        bold.setBold(True)
        self.runLabel.setFont(bold)
        self.runCombo = QComboBox(objectName="predictionRunCombo")
        self.runCombo.setToolTip(self.tr("Finished runs that stored predictions, newest first"))
        # A long run description must not widen the tab past a small screen: the closed combo needs
        # about 28 characters and grows into the row's free width (the tooltip and popup have the whole
        # text; at 1280x720 on X11 a fixed 28 cut "ner + sentiment" short beside empty space).
        self.runCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.runCombo.setMinimumContentsLength(28)
        self.splitCombo = QComboBox(objectName="predictionSplitCombo")
        self.splitCombo.addItem(self.tr("Test"), "test")
        self.splitCombo.addItem(self.tr("Dev"), "dev")
        self.splitCombo.addItem(self.tr("Train"), "train")
        self.errorsOnly = QCheckBox(self.tr("Only documents with errors"), objectName="errorsOnlyCheck")
        self.countLabel = QLabel(objectName="predictionCountLabel")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Run")))
        bar.addWidget(self.runCombo, 1)  # the free width of the row shows more of the run's description
        bar.addWidget(QLabel(self.tr("Split")))
        bar.addWidget(self.splitCombo)
        bar.addWidget(self.errorsOnly)

        self.docsModel = PredictionDocumentsModel(self)
        self.documentList = QListView(objectName="predictionDocumentList")
        self.documentList.setModel(self.docsModel)
        self.documentList.setUniformItemSizes(True)
        self.documentList.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.documentList.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.documentList.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.countLabel)
        ll.addWidget(self.documentList, 1)

        self.goldText = QTextBrowser(objectName="goldText")
        self.predictedText = QTextBrowser(objectName="predictedText")
        for view in (self.goldText, self.predictedText):
            font = QFont(view.font())
            font.setPointSizeF(font.pointSizeF() * 1.25)
            view.setFont(font)
        self.goldSentiment = QLabel(objectName="goldSentimentLabel")
        self.predictedSentiment = QLabel(objectName="predictedSentimentLabel")
        # The further document label sets (topic, urgency...), one line each; hidden when there are none.
        self.goldLabels = QLabel(objectName="goldLabelSetsLabel")
        self.predictedLabels = QLabel(objectName="predictedLabelSetsLabel")
        for label in (self.goldSentiment, self.predictedSentiment, self.goldLabels, self.predictedLabels):
            label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.goldLabels, self.predictedLabels):
            label.setWordWrap(True)
            label.hide()
        gold_box = QGroupBox(self.tr("Gold"))
        gl = QVBoxLayout(gold_box)
        gl.addWidget(self.goldText, 1)
        gl.addWidget(self.goldSentiment)
        gl.addWidget(self.goldLabels)
        self.predictedBox = QGroupBox(self.tr("Prediction"))
        pl = QVBoxLayout(self.predictedBox)
        pl.addWidget(self.predictedText, 1)
        pl.addWidget(self.predictedSentiment)
        pl.addWidget(self.predictedLabels)
        sides = QHBoxLayout()
        sides.addWidget(gold_box, 1)
        sides.addWidget(self.predictedBox, 1)

        self.legend = QWidget(objectName="predictionLegend")
        self._legend_layout = FlowLayout(self.legend)  # wraps: long (translated) names never clip

        self.differencesTable = QTableWidget(0, 4, objectName="differencesTable")
        self.differencesTable.setHorizontalHeaderLabels(
            [self.tr("Difference"), self.tr("Text"), self.tr("Gold"), self.tr("Predicted")])
        self.differencesTable.verticalHeader().hide()
        self.differencesTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.differencesTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.differencesTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.differencesTable.setMaximumHeight(150)

        self.acceptButton = QPushButton(self.tr("Accept prediction as gold"), objectName="acceptPredictionButton")
        self.acceptButton.setToolTip(self.tr(
            "Replace this document's gold annotations of the run's tasks (entities, their polarity, sentiment, "
            "label sets) by the prediction (undoable)"))
        self.undoButton = QPushButton(self.tr("Undo"), objectName="predictionUndoButton")
        self.undoButton.setEnabled(False)
        self.statusLabel = QLabel(objectName="predictionStatusLabel")
        # The run's description wraps beside the actions instead of widening the top bar.
        self.runLabel.setWordWrap(True)
        self.statusLabel.setWordWrap(True)
        # Accept first: at 1024x640 the page is wider than its view (the two texts side by side) and
        # scrolls sideways, and a button at the right end was out of view.
        actions = QHBoxLayout()
        actions.addWidget(self.acceptButton)
        actions.addWidget(self.undoButton)
        actions.addWidget(self.statusLabel, 1)
        actions.addWidget(self.runLabel, 2)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(sides, 1)
        rl.addWidget(self.legend)
        rl.addWidget(self.differencesTable)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 780])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        # The actions row above the texts, not under them: on a short screen (1024x640) the texts and the
        # differences table shrink, and Accept stays in view.
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)

        self.runCombo.currentIndexChanged.connect(lambda _i: self._apply_run(self.runCombo.currentData()))
        self.splitCombo.currentIndexChanged.connect(self.reload_documents)
        self.errorsOnly.toggled.connect(self.reload_documents)
        self.documentList.selectionModel().currentRowChanged.connect(self._list_row_changed)
        self.documentList.clicked.connect(lambda index: self._list_row_changed(index, None))
        self.documentList.doubleClicked.connect(
            lambda index: self.open_in_editor.emit(index.data(Qt.ItemDataRole.UserRole)))
        self.acceptButton.clicked.connect(self.accept_prediction)
        self.undoButton.clicked.connect(lambda _=False: self.undoStack.undo())
        self.use_undo_stack(self.undoStack)

    def _rebuild_legend(self) -> None:
        while self._legend_layout.count():
            item = self._legend_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        names = {CORRECT: self.tr("correct"), FALSE_POSITIVE: self.tr("false positive (predicted, not gold)"),
                 FALSE_NEGATIVE: self.tr("false negative (gold, missed)"),
                 WRONG_LABEL: self.tr("wrong label")}
        if self._with_polarity:
            names[WRONG_SENTIMENT] = self.tr("wrong polarity (right entity)")
        for kind, name in names.items():
            weight = "normal" if kind == CORRECT else "bold"
            swatch = QLabel(f'<span style="text-decoration: underline; color:{MARK_COLOURS[kind]}; '
                            f'font-weight: {weight}">{name}</span>')
            swatch.setObjectName(f"legend_{kind}")
            self._legend_layout.addWidget(swatch)
        for label, colour in self._colours.items():
            chip = QLabel(f" {label} ")
            chip.setStyleSheet(f"background: {colour}; color: black; border-radius: 3px;")
            self._legend_layout.addWidget(chip)

    # ---- public API ----------------------------------------------------------------------------

    def use_undo_stack(self, stack: QUndoStack) -> None:
        """Push accepted predictions onto `stack` (the window's: one history for every edit)."""
        if stack is not self.undoStack:
            self.undoStack.canUndoChanged.disconnect(self.undoButton.setEnabled)
        self.undoStack = stack
        stack.canUndoChanged.connect(self.undoButton.setEnabled)
        self.undoButton.setEnabled(stack.canUndo())

    def set_project(self, store: ProjectStore | None) -> None:
        self._store = store
        self._run_id = None
        self._doc_id = None
        self.undoStack.clear()
        self._colours = {t.name: t.colour for t in store.entity_types()} if store is not None else {}
        self._with_polarity = store is not None and store.has_entity_sentiment()
        self._rebuild_legend()
        # A project opens (or the app restarts) on its latest run with predictions, not on an empty view.
        self._fill_runs(None)
        self._apply_run(self.runCombo.currentData())

    def reload_schema(self) -> None:
        """Entity colours changed (schema dialog, or its undo): redraw the legend and the document."""
        if self._store is None:
            return
        self._colours = {t.name: t.colour for t in self._store.entity_types()}
        self._with_polarity = self._store.has_entity_sentiment()
        self._rebuild_legend()
        self.show_document(self._doc_id)

    def set_run(self, run_id: str | None) -> None:
        """Show a run (chosen in Results, or just finished): the picker is re-read, so a new run is in it."""
        if self._store is None:
            return
        self._fill_runs(run_id)
        self._apply_run(run_id)

    def run_choices(self) -> list[str]:
        """The run ids the picker offers, in its order (newest first)."""
        return [self.runCombo.itemData(i) for i in range(self.runCombo.count()) if self.runCombo.itemData(i)]

    def _fill_runs(self, selected: str | None) -> None:
        runs = self._store.prediction_runs() if self._store is not None else []
        self.runCombo.blockSignals(True)  # filling is not a choice: _apply_run follows explicitly
        self.runCombo.clear()
        for run in runs:
            self.runCombo.addItem(self.tr("{id} · {tasks} · {status}").format(
                id=run["id"], tasks=" + ".join(map(series_label, run["tasks"])) or "–",
                status=run_status_label(run["status"])), run["id"])
        if selected is not None and self.runCombo.findData(selected) < 0:
            self.runCombo.insertItem(0, self.tr("{id} (no stored predictions)").format(id=selected), selected)
        if self.runCombo.count() == 0:
            self.runCombo.addItem(self.tr("No finished run with predictions yet"), None)
        self.runCombo.setCurrentIndex(max(self.runCombo.findData(selected), 0) if selected is not None else 0)
        self.runCombo.blockSignals(False)

    def _apply_run(self, run_id: str | None) -> None:
        if self._store is None:
            return
        # The undo history is kept: an accepted prediction's command names its own run.
        self._run_id = run_id
        self._tasks = run_tasks(self._store, run_id) if run_id else ()
        if run_id:
            self.runLabel.setText(self.tr("Run {} ({})").format(run_id, " + ".join(map(series_label, self._tasks))))
            self.predictedBox.setTitle(self.tr("Prediction of run {}").format(run_id))
        else:
            self.runLabel.setText(self.tr("No run selected"))
            self.predictedBox.setTitle(self.tr("Prediction"))
        self._pick_split()
        self.reload_documents()

    def run_id(self) -> str | None:
        return self._run_id

    def current_document(self) -> int | None:
        return self._doc_id

    def differences(self) -> list[SpanDiff]:
        """The span comparison shown for the current document."""
        return list(self._diffs)

    def show_document(self, doc_id: int | None) -> None:
        self._doc_id = doc_id
        if self._store is None or doc_id is None:
            self._show_empty()
            return
        try:
            review = review_document(self._store, doc_id, self._run_id)
        except KeyError:
            self._doc_id = None
            self._show_empty()
            return
        doc = review.document
        has_run = self._run_id is not None
        # Without a comparison (no run, or no gold NER) each side shows its own spans, unmarked.
        self._diffs = list(review.diffs)
        spans_predicted = "ner" in self._tasks or review.sentiment_compared
        self._render(self.goldText, doc.text, doc.spans, "gold", review.ner_compared)
        self._render(self.predictedText, doc.text, list(review.predicted_spans) if spans_predicted else [],
                     "predicted", review.ner_compared)
        self._show_sentiments(doc.sentiment.label if doc.sentiment else None, review.predicted_sentiment)
        self._show_label_sets(review)
        self._fill_differences(doc.text, review.ner_compared, doc.ner_labelled)
        self.acceptButton.setEnabled(has_run and bool(review.predicted_spans or review.predicted_sentiment
                                                      or review.predicted_labels or "ner" in self._tasks))
        row = self.docsModel.row_of(doc_id)
        if self.documentList.currentIndex().row() != row:
            # Not in this split's list: no row is highlighted (a click on any row then shows that row).
            selection = self.documentList.selectionModel()
            selection.blockSignals(True)
            if row >= 0:
                self.documentList.setCurrentIndex(self.docsModel.index(row))
            else:
                selection.clear()
            selection.blockSignals(False)

    @Slot()
    def reload_documents(self) -> None:
        """Re-list the documents of the split (after a run, an edit or a filter change).

        Behind another tab of a shown window the listing waits until the view is shown: comparing a
        large split with gold takes a while, and opening a project should not pay for a hidden tab."""
        if self._hidden_in_a_shown_window():
            self._stale = True
            return
        self._stale = False
        if self._store is None or self._run_id is None:
            self.docsModel.set_documents(self._store, [], set())
            self.countLabel.setText(self.tr("Select a finished run to compare its predictions with gold."))
            self._show_empty()
            return
        split = self.splitCombo.currentData()
        ids = self._store.document_ids(split or None)
        errors = set(error_document_ids(self._store, self._run_id, splits=[split or None]))
        shown = [i for i in ids if i in errors] if self.errorsOnly.isChecked() else ids
        self.docsModel.set_documents(self._store, shown, errors)
        predicted = self._store.count_predicted_documents(self._run_id, split)
        if predicted == 0:
            self.countLabel.setText(self.tr("Run {} stored no predictions for the {} split.").format(
                self._run_id, split))
        else:
            self.countLabel.setText(self.tr("{} of {} documents differ from gold").format(
                len(errors & set(ids)), len(ids)))
        keep = self._doc_id if self._doc_id in shown else (shown[0] if shown else None)
        self.show_document(keep)

    @Slot()
    def accept_prediction(self) -> bool:
        """Make the current document's prediction its gold annotation (one transaction, undoable)."""
        if self._store is None or self._run_id is None or self._doc_id is None:
            return False
        try:
            command = AcceptPredictionCommand(self, self._store, self._doc_id, self._run_id)
            # Check before pushing: push() runs redo() from C++, where an exception would not reach us.
            validate_spans(self._store.get_document(self._doc_id).text, list(command.after.spans),
                           where=self.tr("document {}").format(self._doc_id))
        except (ValidationError, KeyError) as e:
            QMessageBox.critical(self, self.tr("Cannot accept the prediction"), str(e))
            return False
        self.undoStack.push(command)
        self.statusLabel.setText(self.tr("Document {} now has the prediction as gold.").format(self._doc_id))
        return True

    # ---- internals -------------------------------------------------------------------------------

    def _hidden_in_a_shown_window(self) -> bool:
        top = self.window()
        return top is not self and top.isVisible() and not self.isVisible()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if self._stale:
            self.reload_documents()

    def _gold_written(self, doc_id: int) -> None:
        """After accept/undo: refresh the list and this document, tell the window."""
        self._doc_id = doc_id
        self.reload_documents()
        if self._doc_id != doc_id:
            self.show_document(doc_id)
        self.gold_changed.emit(doc_id)

    def _pick_split(self) -> None:
        """Start on the first split for which the run stored predictions (test, then dev)."""
        if self._store is None or self._run_id is None:
            return
        for i in range(self.splitCombo.count()):
            if self._store.count_predicted_documents(self._run_id, self.splitCombo.itemData(i)):
                self.splitCombo.blockSignals(True)
                self.splitCombo.setCurrentIndex(i)
                self.splitCombo.blockSignals(False)
                return

    @Slot()
    def _list_row_changed(self, current, _previous) -> None:
        if current.isValid() and current.data(Qt.ItemDataRole.UserRole) != self._doc_id:
            self.show_document(current.data(Qt.ItemDataRole.UserRole))

    def _show_empty(self) -> None:
        self._diffs = []
        self.goldText.clear()
        self.predictedText.clear()
        self.goldSentiment.clear()
        self.predictedSentiment.clear()
        for label in (self.goldLabels, self.predictedLabels):
            label.clear()
            label.hide()
        self.differencesTable.setRowCount(0)
        self.acceptButton.setEnabled(False)

    def _mark_of(self, span: Span, side: str, compared: bool) -> str | None:
        if not compared:
            return None
        for d in self._diffs:
            if d.start == span.start and d.end == span.end:
                if d.kind in (WRONG_LABEL, WRONG_SENTIMENT):
                    return d.kind
                if d.kind == CORRECT:
                    return CORRECT
                if side == "gold" and d.kind == FALSE_NEGATIVE:
                    return FALSE_NEGATIVE
                if side == "predicted" and d.kind == FALSE_POSITIVE:
                    return FALSE_POSITIVE
        return None

    def _render(self, view: QTextBrowser, text: str, spans: list[Span], side: str, compared: bool) -> None:
        view.setPlainText(text)
        offsets = OffsetMap(text)
        cursor = QTextCursor(view.document())
        names = {CORRECT: self.tr("correct"), FALSE_POSITIVE: self.tr("false positive"),
                 FALSE_NEGATIVE: self.tr("false negative"), WRONG_LABEL: self.tr("wrong label"),
                 WRONG_SENTIMENT: self.tr("wrong polarity")}
        for span in spans:
            start, end = offsets.span_to_utf16(span.start, span.end)
            fmt = QTextCharFormat()
            fmt.setBackground(QBrush(QColor(self._colours.get(span.label, "#dddddd"))))
            mark = self._mark_of(span, side, compared)
            tip = span.label
            if span.confidence is not None:
                tip += self.tr(" (score {})").format(f"{span.confidence:.2f}")
            if span.sentiment is not None:  # entity sentiment: the polarity toward this entity
                tip += self.tr(" · polarity {}").format(span.sentiment)
                if span.sentiment_confidence is not None:
                    tip += self.tr(" (probability {})").format(f"{span.sentiment_confidence:.2f}")
            if mark is not None:
                # Errors: bold text in the mark's colour, underlined; correct spans keep black text.
                fmt.setProperty(MARK_PROPERTY, mark)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(QColor(MARK_COLOURS[mark]))
                if mark != CORRECT:
                    fmt.setFontWeight(QFont.Weight.Bold)
                    fmt.setForeground(QBrush(QColor(MARK_COLOURS[mark])))
                tip = f"{names[mark]}: {tip}"
            fmt.setToolTip(tip)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)

    def rendered_marks(self, side: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) in code points of the marks drawn on one side ('gold' or 'predicted'),
        read back from the text document (what the user sees)."""
        view = self.goldText if side == "gold" else self.predictedText
        document = view.document()
        offsets = OffsetMap(document.toPlainText())
        out: list[tuple[int, int, str]] = []
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                kind = fragment.charFormat().property(MARK_PROPERTY)
                if kind:
                    start = offsets.to_code_point(fragment.position())
                    end = offsets.to_code_point(fragment.position() + fragment.length(), round_up=True)
                    if out and out[-1][1] == start and out[-1][2] == kind:
                        out[-1] = (out[-1][0], end, kind)  # one span split over fragments
                    else:
                        out.append((start, end, kind))
                it += 1
            block = block.next()
        return out

    def _show_sentiments(self, gold: str | None, predicted) -> None:
        none = self.tr("none")
        self.goldSentiment.setText(self.tr("Sentiment: <b>{}</b>").format(gold or none))
        if self._run_id is None or "sentiment" not in self._tasks:
            self.predictedSentiment.setText(self.tr("Sentiment: not predicted by this run"))
            return
        if predicted is None:
            self.predictedSentiment.setText(self.tr("Sentiment: <b>{}</b>").format(none))
            return
        prob = self.tr(" (probability {})").format(f"{predicted.confidence:.2f}") \
            if predicted.confidence is not None else ""
        if gold is None:
            verdict, colour = self.tr("no gold to compare"), "#57606a"
        elif gold == predicted.label:
            verdict, colour = self.tr("correct"), MARK_COLOURS[CORRECT]
        else:
            verdict, colour = self.tr("wrong: gold is {}").format(gold), MARK_COLOURS[FALSE_POSITIVE]
        self.predictedSentiment.setText(self.tr("Sentiment: <b>{}</b>{} — <span style=\"color:{}\">{}</span>").format(
            predicted.label, prob, colour, verdict))

    def _show_label_sets(self, review: DocumentReview) -> None:
        """One line per further document label set: gold labels, and the run's with its verdict."""
        doc = review.document
        project_sets = [s.name for s in self._store.label_sets()] if self._store is not None else []
        sets = list(dict.fromkeys([*project_sets, *review.label_sets]))
        if not sets:
            for label in (self.goldLabels, self.predictedLabels):
                label.hide()
            return
        none = self.tr("none")
        gold_lines, predicted_lines = [], []
        for name in sets:
            gold = doc.labels_of(name)
            gold_lines.append(self.tr("{}: <b>{}</b>").format(escape(name), escape(", ".join(gold)) or none))
            if self._run_id is None or name not in review.label_sets:
                predicted_lines.append(self.tr("{}: not predicted by this run").format(escape(name)))
                continue
            predicted = review.predicted_labels.get(name, ())
            shown = ", ".join(x.label + (f" ({x.confidence:.2f})" if x.confidence is not None else "")
                              for x in predicted)
            if not gold:
                verdict, colour = self.tr("no gold to compare"), "#57606a"
            elif review.label_set_wrong(name):
                verdict, colour = self.tr("wrong: gold is {}").format(", ".join(gold)), MARK_COLOURS[FALSE_POSITIVE]
            else:
                verdict, colour = self.tr("correct"), MARK_COLOURS[CORRECT]
            predicted_lines.append(self.tr("{}: <b>{}</b> — <span style=\"color:{}\">{}</span>").format(
                escape(name), escape(shown) or none, colour, escape(verdict)))
        self.goldLabels.setText("<br>".join(gold_lines))
        self.predictedLabels.setText("<br>".join(predicted_lines))
        for label in (self.goldLabels, self.predictedLabels):
            label.show()

    def _fill_differences(self, text: str, compared: bool, ner_labelled: bool) -> None:
        errors = [d for d in self._diffs if d.kind != CORRECT]
        names = {FALSE_POSITIVE: self.tr("false positive"), FALSE_NEGATIVE: self.tr("false negative"),
                 WRONG_LABEL: self.tr("wrong label"), WRONG_SENTIMENT: self.tr("wrong polarity")}

        def shown(label: str | None, polarity: str | None) -> str:
            # "ORG · positive" where polarities are compared and the span has one.
            if label is None:
                return "–"
            return self.tr("{} · {}").format(label, polarity) if polarity else label
        self.differencesTable.setRowCount(len(errors))
        for row, d in enumerate(errors):
            cells = [names[d.kind], text[d.start:d.end], shown(d.gold, d.gold_sentiment),
                     shown(d.predicted, d.predicted_sentiment)]
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setForeground(QBrush(QColor(MARK_COLOURS[d.kind])))
                    item.setData(Qt.ItemDataRole.UserRole, d.kind)
                self.differencesTable.setItem(row, col, item)
        correct = sum(1 for d in self._diffs if d.kind == CORRECT)
        if self._run_id is None:
            self.statusLabel.setText("")
        elif "ner" in self._tasks and not ner_labelled:
            self.statusLabel.setText(self.tr("This document has no gold NER annotation; nothing to compare."))
        elif compared and any(d.gold_sentiment for d in self._diffs):
            polar = [d for d in self._diffs if d.gold_sentiment is not None and d.kind in (CORRECT, WRONG_SENTIMENT)]
            right = sum(1 for d in polar if d.kind == CORRECT)
            self.statusLabel.setText(self.tr("{} entities right, {} differences; polarity right on {} of {} "
                                             "entities found").format(correct, len(errors), right, len(polar)))
        elif compared:
            self.statusLabel.setText(self.tr("{} entities right, {} differences").format(correct, len(errors)))
        else:
            self.statusLabel.setText("")
