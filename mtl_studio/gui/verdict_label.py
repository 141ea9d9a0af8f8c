"""The Results tab's verdict line: for a joint run with single-task baselines, the per-task difference
with its bootstrap interval in one sentence (core/verdict.py).

The bootstrap reads every document of the split with its predictions: on a small split (up to
SYNC_DOCUMENTS, a few milliseconds) it runs at once, otherwise on a background thread with its own store
connection, and a result that arrives after the user chose another run is dropped.

The sentence is composed here from the verdict's fields (verdict_text), not taken from the core: the
core's English sentence (Verdict.sentence, for `evaluate --json` and the model card) cannot be
translated, and a translation may need another word order. In English both are the same text.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from mtl_studio.core.run_record import RunRecord
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.verdict import TASK_METRIC, TaskDifference, Verdict, find_baselines, verdict_for_run

from .background import BackgroundTasks
from .engine_text import series_label, split_label, task_label

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")
SYNC_DOCUMENTS = 200  # up to this many split documents the verdict is computed on the GUI thread (< 50 ms)
# The measure ending core.verdict.task_metric's name -> the metric's name around the task's shown name.
_MEASURES = {
    "F1": QT_TRANSLATE_NOOP("VerdictLabel", "{task} F1"),
    "macro-F1": QT_TRANSLATE_NOOP("VerdictLabel", "{task} macro-F1"),
    "micro-F1": QT_TRANSLATE_NOOP("VerdictLabel", "{task} micro-F1"),
}


def metric_text(difference: TaskDifference) -> str:
    """The compared figure's name in the interface language ("sentiment macro-F1"); a metric the core
    names in a way this table does not know is shown as the core wrote it."""
    measure = difference.metric.rpartition(" ")[2]
    if measure not in _MEASURES:
        return difference.metric
    # The built-in tasks as the curves name them (lower case inside a sentence), a label set as declared.
    task = series_label(difference.task) if difference.task in TASK_METRIC else task_label(difference.task)
    return translate("VerdictLabel", _MEASURES[measure]).format(task=task)


def _clause(d: TaskDifference, first: bool) -> str:
    # Numbers as core.verdict.verdict_sentence writes them: one decimal, a signed one when unclear.
    low, high = f"{d.low:.1f}", f"{d.high:.1f}"
    ci = (translate("VerdictLabel", "95% CI {low} to {high}") if first
          else translate("VerdictLabel", "CI {low} to {high}")).format(low=low, high=high)
    metric = metric_text(d)
    if d.clear and d.difference > 0:
        return translate("VerdictLabel", "raised {metric} by {difference} points ({ci})").format(
            metric=metric, difference=f"{d.difference:.1f}", ci=ci)
    if d.clear and d.difference < 0:
        return translate("VerdictLabel", "lowered {metric} by {difference} points ({ci})").format(
            metric=metric, difference=f"{-d.difference:.1f}", ci=ci)
    return translate("VerdictLabel", "changed {metric} by {difference} ({ci}, not distinguishable from 0)").format(
        metric=metric, difference=f"{d.difference:+.1f}", ci=ci)


def verdict_text(differences: Sequence[TaskDifference]) -> str:
    """core.verdict.verdict_sentence in the interface language, from the same fields."""
    clauses = [_clause(d, i == 0) for i, d in enumerate(differences)]
    if not clauses:
        return translate("VerdictLabel", "No single-task baseline to compare with.")
    joined = clauses[0] if len(clauses) == 1 else translate("VerdictLabel", "{clauses} and {last}").format(
        clauses=translate("VerdictLabel", ", ").join(clauses[:-1]), last=clauses[-1])
    return translate("VerdictLabel", "Joint training {clauses}.").format(clauses=joined)


def _compute(project: Path, run_id: str, split: str) -> Verdict | None:
    with ProjectStore.open(project) as store:
        return verdict_for_run(store, run_id, split=split)


class VerdictLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictLabel")
        self.setWordWrap(True)
        self.setStyleSheet("background: #eef6ff; border: 1px solid #b6d4fe; border-radius: 3px; padding: 4px;")
        self._tasks = BackgroundTasks(self)
        self._wanted: tuple[str, str] | None = None
        self.verdict: Verdict | None = None
        self.hide()

    def show_run(self, store: ProjectStore | None, run: RunRecord | None, runs: Sequence[RunRecord],
                 split: str) -> None:
        """Show the verdict of `run` on `split`, or hide when it has no single-task baseline."""
        self.verdict = None
        if store is None or run is None or not run.finished or not find_baselines(run, runs):
            self._wanted = None
            self.hide()
            return
        key = (run.id, split)
        self._wanted = key
        if store.count_documents(split) <= SYNC_DOCUMENTS:
            self._done(key, verdict_for_run(store, run.id, split=split))
            return
        self.setText(self.tr("Comparing with the single-task baselines…"))
        self.show()
        project = store.path
        self._tasks.run(lambda: _compute(project, run.id, split), lambda v: self._done(key, v),
                        lambda e: self._failed(key, e))

    def _done(self, key: tuple[str, str], verdict: Verdict | None) -> None:
        if key != self._wanted:
            return  # the user moved on
        self.verdict = verdict
        if verdict is None:
            self.hide()
            return
        self.show()
        note = self.tr(" (the labelled data changed since: scored on today's labels)") if verdict.data_changed else ""
        self.setText(self.tr("{} Paired bootstrap over {} {} documents.{}").format(
            verdict_text(verdict.differences), max(d.documents for d in verdict.differences),
            split_label(verdict.split), note))
        self.setToolTip("\n".join(
            self.tr("{}: joint {} vs baseline {} (run {})").format(metric_text(d), f"{d.joint:.1f}",
                                                                   f"{d.baseline:.1f}", d.baseline_run)
            for d in verdict.differences))

    def _failed(self, key: tuple[str, str], exc: BaseException) -> None:
        if key == self._wanted:
            self.setText(self.tr("No verdict: {}").format(exc))

    def wait(self, timeout_ms: int = -1) -> bool:
        return self._tasks.wait(timeout_ms)
