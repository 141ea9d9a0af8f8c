"""The Results tab's verdict line: for a joint run with single-task baselines, the per-task difference
with its bootstrap interval in one sentence (core/verdict.py).

The bootstrap reads every document of the split with its predictions: on a small split (up to
SYNC_DOCUMENTS, a few milliseconds) it runs at once, otherwise on a background thread with its own store
connection, and a result that arrives after the user chose another run is dropped.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QLabel, QWidget

from mtl_studio.core.run_record import RunRecord
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.verdict import Verdict, find_baselines, verdict_for_run

from .background import BackgroundTasks


SYNC_DOCUMENTS = 200  # up to this many split documents the verdict is computed on the GUI thread (< 50 ms)


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
            verdict.sentence, max(d.documents for d in verdict.differences), verdict.split, note))
        self.setToolTip("\n".join(
            self.tr("{}: joint {} vs baseline {} (run {})").format(d.metric, f"{d.joint:.1f}", f"{d.baseline:.1f}",
                                                                   d.baseline_run)
            for d in verdict.differences))

    def _failed(self, key: tuple[str, str], exc: BaseException) -> None:
        if key == self._wanted:
            self.setText(self.tr("No verdict: {}").format(exc))

    def wait(self, timeout_ms: int = -1) -> bool:
        return self._tasks.wait(timeout_ms)
