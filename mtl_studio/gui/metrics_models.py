"""Qt table models over evaluation reports and the project's run history.

The reports are mtl_studio.core.evaluate's EvalReport (a run's stored scores: RunRecord.report(split)).
The reading into plain rows is kept apart from the Qt models so it can be read (and tested) on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from mtl_studio.core.evaluate import PRF, EvalReport, NerScores, SentimentScores
from mtl_studio.core.run_record import ConflictSummary, RunRecord

from .engine_text import run_status_label, series_label, strategy_short_label, with_gui_controls

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


# ---- the tasks beyond NER and sentiment (docs/tasks_as_data.md) --------------------------------------
# Read from the stored JSON form of a report (EvalReport.to_dict(): a run's metrics, an epoch's event):
# "entity_sentiment" holds the scores on gold spans and the end-to-end scores, "label_sets" one entry
# per further document label set.

@dataclass(frozen=True)
class TaskScore:
    """One task's main score in a report: what the run history and the log lines show."""

    task: str  # the task's name ("ner", "entity_sentiment", "sentiment" or a label set's)
    metric: str  # what the value is, in words ("micro F1", "macro F1", ...)
    value: float | None
    end_to_end: float | None = None  # entity sentiment: strict span + type + polarity F1


def _prf_from(d: Any) -> PRF | None:
    if not isinstance(d, dict) or "f1" not in d:
        return None
    return PRF(float(d.get("precision") or 0.0), float(d.get("recall") or 0.0), float(d["f1"]),
               int(d.get("support") or 0))


def entity_sentiment_parts(metrics: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(scores on gold spans, end-to-end scores) of a stored report's entity sentiment; None where absent."""
    part = (metrics or {}).get("entity_sentiment")
    if not isinstance(part, dict) or not part:
        return None, None
    gold = part.get("gold_spans")
    end = part.get("end_to_end")
    return (gold if isinstance(gold, dict) and gold else None), (end if isinstance(end, dict) and end else None)


def label_set_scores(metrics: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Label set name -> its stored scores, in the report's order."""
    sets = (metrics or {}).get("label_sets")
    return {k: v for k, v in sets.items() if isinstance(v, dict) and v} if isinstance(sets, dict) else {}


def _main_f1(scores: dict[str, Any]) -> float | None:
    """A classification task's main score as the evaluation states it ("f1": macro F1, micro F1 for a
    multi-label set), else read from its averages."""
    value = scores.get("f1")
    if value is None:
        average = _prf_from(scores.get("micro" if scores.get("multi_label") else "macro"))
        value = average.f1 if average is not None else None
    return None if value is None else float(value)


def _end_to_end_f1(end: dict[str, Any] | None) -> float | None:
    if not end:
        return None
    micro = _prf_from(end.get("micro"))
    return micro.f1 if micro is not None else (float(end["f1"]) if end.get("f1") is not None else None)


def task_scores(metrics: dict[str, Any] | None) -> list[TaskScore]:
    """The main score of every task a stored report scores, in the project's task order."""
    if not metrics:
        return []
    out: list[TaskScore] = []
    ner = metrics.get("ner")
    if ner:
        out.append(TaskScore("ner", translate("MetricsModels", "micro F1"), float(ner["micro"]["f1"])))
    gold, end = entity_sentiment_parts(metrics)
    if gold or end:
        out.append(TaskScore("entity_sentiment", translate("MetricsModels", "macro F1"),
                             _main_f1(gold) if gold else None, _end_to_end_f1(end)))
    sent = metrics.get("sentiment")
    if sent:
        out.append(TaskScore("sentiment", translate("MetricsModels", "macro F1"), _main_f1(sent)))
    for name, scores in label_set_scores(metrics).items():
        metric = translate("MetricsModels", "micro F1") if scores.get("multi_label") \
            else translate("MetricsModels", "macro F1")
        out.append(TaskScore(name, metric, _main_f1(scores)))
    return out


def classification_rows(scores: dict[str, Any] | None) -> list[ScoreRow]:
    """A classification task's table (entity sentiment on gold spans, a document label set): per class,
    then macro (and micro for a multi-label set) averages and, for a single-label task, accuracy."""
    if not scores:
        return []
    rows = _class_and_average_rows(scores, "per_label")
    total = sum(r.support or 0 for r in rows if not r.summary) or None
    if scores.get("accuracy") is not None and not scores.get("multi_label"):
        rows.append(ScoreRow(translate("MetricsModels", "accuracy"), None, None, float(scores["accuracy"]), total,
                             True))
    if scores.get("subset_accuracy") is not None and scores.get("multi_label"):
        # The share of documents whose predicted label set is exactly the gold one.
        documents = scores.get("documents")
        rows.append(ScoreRow(translate("MetricsModels", "exact set match"), None, None,
                             float(scores["subset_accuracy"]), int(documents) if documents else None, True))
    return rows


def end_to_end_rows(end: dict[str, Any] | None) -> list[ScoreRow]:
    """Entity sentiment end to end (an entity counts when span, type and polarity are right): per
    polarity, then the micro and macro averages."""
    if not end:
        return []
    return _class_and_average_rows(end, "per_polarity")


def _class_and_average_rows(scores: dict[str, Any], per_class_key: str) -> list[ScoreRow]:
    """One row per class (stored under "per_class" or `per_class_key`), then the micro and macro
    averages the scores hold."""
    per_class = scores.get("per_class") or scores.get(per_class_key) or {}
    rows = [_score_row(name, prf) for name, prf in ((n, _prf_from(v)) for n, v in per_class.items())
            if prf is not None]
    for key, title in (("micro", translate("MetricsModels", "micro avg")),
                       ("macro", translate("MetricsModels", "macro avg"))):
        average = _prf_from(scores.get(key))
        if average is not None:
            rows.append(_score_row(title, average, summary=True))
    return rows


def classification_confusion(scores: dict[str, Any] | None) -> tuple[list[str], list[list[int]]]:
    """(labels, matrix[gold][predicted]) of a single-label classification task; empty otherwise."""
    if not scores or scores.get("multi_label"):
        return [], []
    cm = scores.get("confusion_matrix") or {}
    labels, matrix = cm.get("labels"), cm.get("matrix")
    if not labels or not matrix:
        return [], []
    return list(labels), [list(map(int, row)) for row in matrix]


def headline_scores(report: EvalReport | None) -> Headline:
    if report is None:
        return Headline()
    return Headline(
        ner_f1=report.ner.micro.f1 if report.ner is not None else None,
        sentiment_f1=report.sentiment.macro.f1 if report.sentiment is not None else None,
        sentiment_accuracy=report.sentiment.accuracy if report.sentiment is not None else None,
    )


def _lr_text(value: float | str | None) -> str:
    """A run's learning rate: 5e-05, or "auto" in a config that was never run (its lr not yet planned)."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


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
    conflict: ConflictSummary | None = None  # the gradient-conflict meter's summary
    # The main scores of the tasks beyond NER and sentiment (entity sentiment, further label sets).
    other_scores: tuple[TaskScore, ...] = ()
    # Task name -> loss weight of the tasks the run trained (a run before issue 13: NER and sentiment).
    task_weights: dict[str, float] = field(default_factory=dict)


def _run_task_weights(cfg: dict[str, Any], tasks: tuple[str, ...]) -> dict[str, float]:
    weights = dict(cfg.get("task_weights") or {})
    for task, alias in (("ner", "ner_weight"), ("sentiment", "sentiment_weight")):
        if task not in weights and cfg.get(alias) is not None:
            weights[task] = cfg[alias]
    return {t: float(weights[t]) for t in tasks if t in weights}


def run_row(run: RunRecord, split: str) -> RunRow:
    cfg = run.config
    tasks = tuple(cfg.get("tasks") or ())
    stored = run.metrics.get(split) if isinstance(run.metrics.get(split), dict) else None
    return RunRow(
        other_scores=tuple(s for s in task_scores(stored) if s.task not in ("ner", "sentiment")),
        task_weights=_run_task_weights(cfg, tasks),
        run_id=run.id, created_at=run.created_at, status=run.status,
        tasks=tasks, strategy=cfg.get("strategy", ""),
        ner_weight=cfg.get("ner_weight"), sentiment_weight=cfg.get("sentiment_weight"),
        learning_rate=cfg.get("learning_rate"), batch_size=cfg.get("batch_size"), epochs=cfg.get("epochs"),
        encoder=str(cfg.get("encoder", "")), scores=headline_scores(run.report(split)),
        mlm_weight=cfg.get("mlm_weight") or 0.0, message=run.message, conflict=run.gradient_conflict,
    )


class RunHistoryModel(QAbstractTableModel):
    """One row per run: its configuration and its headline scores on the chosen split."""

    # Scores right after what distinguishes runs (tasks, strategy, weights): the columns people compare.
    # The training settings share one last column that gives way (elides) on a narrow screen; its
    # tooltip has them in full.
    # "other_scores" is one compact cell for the tasks beyond NER and sentiment (entity sentiment, further label
    # sets: any number of them), hidden while no run has such scores.
    COLUMNS = ("run", "status", "tasks", "strategy", "weights", "ner_f1", "sentiment_f1", "accuracy", "other_scores",
               "conflict", "settings")
    SCORE_COLUMNS = ("ner_f1", "sentiment_f1", "accuracy")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[RunRow] = []
        self._best: dict[str, float | None] = {}
        self._all_tasks: set[str] = set()
        self._settings_hidden = False

    def set_settings_hidden(self, hidden: bool) -> None:
        """The view hid the settings column (no room for it): the run's tooltip carries them then."""
        self._settings_hidden = hidden

    def set_runs(self, runs: list[RunRecord], split: str) -> None:
        self.beginResetModel()
        # Newest first: the run the user just trained is on top.
        self._rows = [run_row(r, split) for r in reversed(runs)]
        self._all_tasks = {t for r in self._rows for t in r.tasks}
        self._best = {c: max((v for v in (self._score(r, c) for r in self._rows) if v is not None), default=None)
                      for c in self.SCORE_COLUMNS}
        self.endResetModel()

    @staticmethod
    def _score(row: RunRow, column: str) -> float | None:
        return {"ner_f1": row.scores.ner_f1, "sentiment_f1": row.scores.sentiment_f1,
                "accuracy": row.scores.sentiment_accuracy}[column]

    def run_ids(self) -> list[str]:
        return [r.run_id for r in self._rows]

    def has_other_scores(self) -> bool:
        """Whether a run scores a task beyond NER and sentiment (the "other_scores" column is shown)."""
        return any(r.other_scores for r in self._rows)

    def _per_task_weights(self) -> bool:
        return any(set(r.task_weights) - {"ner", "sentiment"} for r in self._rows)

    def row_of(self, run_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.run_id == run_id), -1)

    def run_at(self, row: int) -> RunRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[section] == "settings":
            return self.tr("Learning rate · batch size · epochs · encoder (each run's cell has them in full)")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        # Long headers take two lines: nine columns must fit a laptop-wide tab without scrolling sideways.
        names = {"run": self.tr("Run"), "status": self.tr("Status"), "tasks": self.tr("Tasks"),
                 "strategy": self.tr("Strategy"),
                 "weights": self.tr("Weights\nper task") if self._per_task_weights() else self.tr("Weights\nNER/Sent."),
                 "other_scores": self.tr("Other tasks\nmain score"),
                 # The column that gives way on a narrow tab: one word still reads there (the two-line
                 # "LR · batch / epochs · encoder" was clipped at both ends at 1280x720 in English).
                 "settings": self.tr("Settings"),
                 "ner_f1": self.tr("NER\nmicro F1"), "sentiment_f1": self.tr("Sent.\nmacro F1"),
                 "accuracy": self.tr("Sent.\naccuracy"), "conflict": self.tr("Grad. cosine\n(share < 0)")}
        return names[self.COLUMNS[section]]

    def _display(self, row: RunRow, column: str) -> str:
        joint = len(row.tasks) > 1
        if column == "run":
            return row.run_id
        if column == "status":
            return run_status_label(row.status)  # "interrupted": the store's reading of a dead "running" run
        if column == "tasks":
            if not row.tasks:
                return ""
            if not joint:
                task = {"ner": self.tr("NER"), "sentiment": self.tr("sentiment")}.get(row.tasks[0],
                                                                                      series_label(row.tasks[0]))
                return self.tr("{} only (baseline)").format(task)
            if set(row.tasks) >= self._all_tasks:
                return self.tr("joint")  # every task any run of the history trained
            return " + ".join(map(series_label, row.tasks))
        if column == "strategy":
            extra = self.tr(" + MLM {}").format(f"{row.mlm_weight:g}") if row.mlm_weight else ""
            return (strategy_short_label(row.strategy) if joint else "–") + extra
        if column == "weights":
            weights = row.task_weights
            if not joint or len(weights) < 2:
                return "–"
            initial = "" if row.strategy == "fixed" else self.tr(" (initial)")
            # Two weights as they always were shown; more in their shortest form (the cell stays narrow).
            form = ".2f" if len(weights) == 2 else "g"
            return " / ".join(format(weights[t], form) for t in row.tasks if t in weights) + initial
        if column == "other_scores":
            return self._other_scores_text(row) or "–"
        if column == "settings":
            return self._settings_text(row)
        if column == "conflict":
            c = row.conflict
            return "–" if c is None else f"{c.mean_cosine:+.2f} ({100 * c.negative_share:.0f}%)"
        value = self._score(row, column)
        return _fmt(value) if value is not None else "–"

    @staticmethod
    def _other_scores_text(row: RunRow) -> str:
        """"entity sentiment 0.712 (end to end 0.553) · topic 0.640": each further task's main score."""
        parts = []
        for score in row.other_scores:
            text = f"{series_label(score.task)} {_fmt(score.value) or '–'}"
            if score.end_to_end is not None:
                text += translate("MetricsModels", " (end to end {})").format(_fmt(score.end_to_end))
            parts.append(text)
        return " · ".join(parts)

    def _settings_tooltip(self, row: RunRow) -> str:
        return self.tr("Learning rate {lr} · batch size {batch} · epochs {epochs} · encoder {encoder}").format(
            lr=_lr_text(row.learning_rate), batch=row.batch_size,
            epochs=row.epochs, encoder=row.encoder)

    @staticmethod
    def _settings_text(row: RunRow) -> str:
        encoder = row.encoder.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        values = [_lr_text(row.learning_rate),
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
                return self._settings_tooltip(row)
            if column == "conflict" and row.conflict is not None:
                return self.tr("Mean cosine of the tasks' gradients on the shared encoder over {} measurements; "
                               "{}% of them negative (the tasks pulled in opposite directions)").format(
                    row.conflict.measurements, f"{100 * row.conflict.negative_share:.0f}")
            if column == "run":
                started = self.tr("Started {}").format(row.created_at.replace("T", " "))
                if not (self.has_other_scores() or self._settings_hidden):
                    return started
                # The settings column gave way (to the other tasks' scores or to a narrow tab): its text is here.
                return started + "\n" + self._settings_tooltip(row)
            if column == "other_scores" and row.other_scores:
                lines = []
                for score in row.other_scores:
                    line = self.tr("{task}: {metric} {value}").format(
                        task=series_label(score.task), metric=score.metric, value=_fmt(score.value) or "–")
                    if score.end_to_end is not None:
                        line += self.tr("; end to end (span, type and polarity right) F1 {}").format(
                            _fmt(score.end_to_end))
                    lines.append(line)
                return "\n".join(lines)
            if column == "weights" and len(row.task_weights) > 1:
                return " · ".join(f"{series_label(t)} {w:g}" for t, w in row.task_weights.items())
            if column == "tasks" and row.tasks:
                return " + ".join(map(series_label, row.tasks))
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
