"""Qt table models over evaluation reports and the project's run history.

The reports are mtl_studio.core.evaluate's EvalReport (a run's stored scores: RunRecord.report(split)).
The reading into plain rows is kept apart from the Qt models so it can be read (and tested) on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from mtl_studio.core.evaluate import PRF, EvalReport, NerScores, SentimentScores
from mtl_studio.core.run_record import RunRecord

from .engine_text import run_status_label, strategy_short_label, with_gui_controls

_Index = QModelIndex | QPersistentModelIndex
translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")



# ---- plain rows out of reports -----------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreRow:
    name: str
    precision: float | None
    recall: float | None
    f1: float | None
    support: int | None
    summary: bool = False  # micro / macro / accuracy rows, drawn in bold below the per-label rows


@dataclass(frozen=True)
class Headline:
    ner_f1: float | None = None  # NER micro F1 (entity level, strict IOB2)
    sentiment_f1: float | None = None  # sentiment macro F1
    sentiment_accuracy: float | None = None


def _score_row(name: str, scores: PRF, summary: bool = False) -> ScoreRow:
    return ScoreRow(name, scores.precision, scores.recall, scores.f1, int(scores.support), summary)


def _typed(scores: Any, record: type) -> Any:
    """Scores come typed from the core, or in their stored JSON form (a run record's metrics)."""
    return record.from_dict(scores) if isinstance(scores, dict) else scores


def ner_rows(scores: NerScores | dict[str, Any] | None) -> list[ScoreRow]:
    """Per entity type, then micro and macro averages."""
    if not scores:
        return []
    ner: NerScores = _typed(scores, NerScores)
    rows = [_score_row(name, prf) for name, prf in ner.per_type.items()]
    rows.append(_score_row(translate("MetricsModels", "micro avg"), ner.micro, summary=True))
    rows.append(_score_row(translate("MetricsModels", "macro avg"), ner.macro, summary=True))
    return rows


def sentiment_rows(scores: SentimentScores | dict[str, Any] | None) -> list[ScoreRow]:
    """Per class, then the macro average and accuracy (in the F1 column, as scikit-learn prints it)."""
    if not scores:
        return []
    sent: SentimentScores = _typed(scores, SentimentScores)
    rows = [_score_row(name, prf) for name, prf in sent.per_class.items()]
    total = sum(r.support or 0 for r in rows) or None
    rows.append(_score_row(translate("MetricsModels", "macro avg"), sent.macro, summary=True))
    rows.append(ScoreRow(translate("MetricsModels", "accuracy"), None, None, sent.accuracy, total, True))
    return rows


def confusion(scores: SentimentScores | dict[str, Any] | None) -> tuple[list[str], list[list[int]]]:
    """(labels, matrix) with matrix[gold][predicted]; empty without sentiment scores."""
    if not scores:
        return [], []
    sent: SentimentScores = _typed(scores, SentimentScores)
    return list(sent.labels), [list(map(int, row)) for row in sent.confusion]


def headline_scores(report: EvalReport | None) -> Headline:
    if report is None:
        return Headline()
    return Headline(
        ner_f1=report.ner.micro.f1 if report.ner is not None else None,
        sentiment_f1=report.sentiment.macro.f1 if report.sentiment is not None else None,
        sentiment_accuracy=report.sentiment.accuracy if report.sentiment is not None else None,
    )


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


# ---- Qt models ----------------------------------------------------------------------------------

class ScoreTableModel(QAbstractTableModel):
    """Label | Precision | Recall | F1 | Support."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[ScoreRow] = []

    def set_rows(self, rows: list[ScoreRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[ScoreRow]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Label"), self.tr("Precision"), self.tr("Recall"), self.tr("F1"),
                    self.tr("Support"))[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.name
            if col == 4:
                return "" if row.support is None else str(row.support)
            return _fmt((row.precision, row.recall, row.f1)[col - 1])
        if role == Qt.ItemDataRole.UserRole:  # raw values for sorting and tests
            return (row.name, row.precision, row.recall, row.f1, row.support)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.summary:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and row.summary:
            return QBrush(QColor("#f2f4f7"))
        return None


class ConfusionMatrixModel(QAbstractTableModel):
    """Rows: gold class, columns: predicted class; the cell colour grows with the share of its row."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._matrix: list[list[int]] = []

    def set_matrix(self, labels: list[str], matrix: list[list[int]]) -> None:
        self.beginResetModel()
        self._labels, self._matrix = list(labels), [list(r) for r in matrix]
        self.endResetModel()

    def matrix(self) -> list[list[int]]:
        return [list(r) for r in self._matrix]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._matrix)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._labels)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and section < len(self._labels):
            return self._labels[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            vertical = orientation == Qt.Orientation.Vertical
            return self.tr("Gold class") if vertical else self.tr("Predicted class")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        value = self._matrix[r][c]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
            return value if role == Qt.ItemDataRole.UserRole else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        row_total = sum(self._matrix[r])
        share = value / row_total if row_total else 0.0
        if role == Qt.ItemDataRole.BackgroundRole:
            # Correct predictions in green, confusions in red; stronger colour for a larger share.
            base = QColor("#1a7f37") if r == c else QColor("#cf222e")
            alpha = int(25 + 200 * share) if value else 0
            return QBrush(QColor(base.red(), base.green(), base.blue(), alpha))
        if role == Qt.ItemDataRole.ForegroundRole and share > 0.6:
            return QBrush(QColor("white"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("gold {}, predicted {}: {} ({}% of the gold class)").format(
                self._labels[r], self._labels[c], value, f"{100 * share:.0f}")
        return None


@dataclass(frozen=True)
class RunRow:
    run_id: str
    created_at: str
    status: str
    tasks: tuple[str, ...]
    strategy: str
    ner_weight: float | None
    sentiment_weight: float | None
    learning_rate: float | None
    batch_size: int | None
    epochs: int | None
    encoder: str
    scores: Headline
    mlm_weight: float = 0.0
    message: str = ""  # why it stopped, failed or was interrupted (the status tooltip)


def run_row(run: RunRecord, split: str) -> RunRow:
    cfg = run.config
    return RunRow(
        run_id=run.id, created_at=run.created_at, status=run.status,
        tasks=tuple(cfg.get("tasks") or ()), strategy=cfg.get("strategy", ""),
        ner_weight=cfg.get("ner_weight"), sentiment_weight=cfg.get("sentiment_weight"),
        learning_rate=cfg.get("learning_rate"), batch_size=cfg.get("batch_size"), epochs=cfg.get("epochs"),
        encoder=str(cfg.get("encoder", "")), scores=headline_scores(run.report(split)),
        mlm_weight=cfg.get("mlm_weight") or 0.0, message=run.message,
    )


class RunHistoryModel(QAbstractTableModel):
    """One row per run: its configuration and its headline scores on the chosen split."""

    # Scores right after what distinguishes runs (tasks, strategy, weights): the columns people compare.
    # The training settings share one last column that gives way (elides) on a narrow screen; its
    # tooltip has them in full.
    COLUMNS = ("run", "status", "tasks", "strategy", "weights", "ner_f1", "sentiment_f1", "accuracy", "settings")
    SCORE_COLUMNS = ("ner_f1", "sentiment_f1", "accuracy")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[RunRow] = []
        self._best: dict[str, float | None] = {}

    def set_runs(self, runs: list[RunRecord], split: str) -> None:
        self.beginResetModel()
        # Newest first: the run the user just trained is on top.
        self._rows = [run_row(r, split) for r in reversed(runs)]
        self._best = {c: max((v for v in (self._score(r, c) for r in self._rows) if v is not None), default=None)
                      for c in self.SCORE_COLUMNS}
        self.endResetModel()

    @staticmethod
    def _score(row: RunRow, column: str) -> float | None:
        return {"ner_f1": row.scores.ner_f1, "sentiment_f1": row.scores.sentiment_f1,
                "accuracy": row.scores.sentiment_accuracy}[column]

    def run_ids(self) -> list[str]:
        return [r.run_id for r in self._rows]

    def row_of(self, run_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.run_id == run_id), -1)

    def run_at(self, row: int) -> RunRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        # Long headers take two lines: nine columns must fit a laptop-wide tab without scrolling sideways.
        names = {"run": self.tr("Run"), "status": self.tr("Status"), "tasks": self.tr("Tasks"),
                 "strategy": self.tr("Strategy"), "weights": self.tr("Weights\nNER/Sent."),
                 "settings": self.tr("LR · batch\nepochs · encoder"),
                 "ner_f1": self.tr("NER\nmicro F1"), "sentiment_f1": self.tr("Sent.\nmacro F1"),
                 "accuracy": self.tr("Sent.\naccuracy")}
        return names[self.COLUMNS[section]]

    def _display(self, row: RunRow, column: str) -> str:
        joint = len(row.tasks) == 2
        if column == "run":
            return row.run_id
        if column == "status":
            return run_status_label(row.status)  # "interrupted": the store's reading of a dead "running" run
        if column == "tasks":
            if joint:
                return self.tr("joint")
            if not row.tasks:
                return ""
            task = {"ner": self.tr("NER"), "sentiment": self.tr("sentiment")}.get(row.tasks[0], row.tasks[0])
            return self.tr("{} only (baseline)").format(task)
        if column == "strategy":
            extra = self.tr(" + MLM {}").format(f"{row.mlm_weight:g}") if row.mlm_weight else ""
            return (strategy_short_label(row.strategy) if joint else "–") + extra
        if column == "weights":
            if not joint or row.ner_weight is None or row.sentiment_weight is None:
                return "–"
            initial = "" if row.strategy == "fixed" else self.tr(" (initial)")
            return f"{row.ner_weight:.2f} / {row.sentiment_weight:.2f}{initial}"
        if column == "settings":
            return self._settings_text(row)
        value = self._score(row, column)
        return _fmt(value) if value is not None else "–"

    @staticmethod
    def _settings_text(row: RunRow) -> str:
        encoder = row.encoder.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        values = ["" if row.learning_rate is None else f"{row.learning_rate:g}",
                  "" if row.batch_size is None else str(row.batch_size),
                  "" if row.epochs is None else str(row.epochs), encoder]
        return " · ".join(v or "–" for v in values)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "settings":
                return self.tr("Learning rate {lr} · batch size {batch} · epochs {epochs} · encoder {encoder}").format(
                    lr="" if row.learning_rate is None else f"{row.learning_rate:g}", batch=row.batch_size,
                    epochs=row.epochs, encoder=row.encoder)
            if column == "run":
                return self.tr("Started {}").format(row.created_at.replace("T", " "))
            if column == "status" and row.message:
                return with_gui_controls(row.message)
        if role == Qt.ItemDataRole.FontRole and column in self.SCORE_COLUMNS and len(self._rows) > 1:
            value = self._score(row, column)
            if value is not None and value == self._best.get(column):
                font = QFont()
                font.setBold(True)  # the best run on this score
                return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.SCORE_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and row.status == "failed":
            return QBrush(QColor("#b42318"))
        return None
