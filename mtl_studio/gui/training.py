"""The training panel: run settings on the left, the live view of a run on the right.

One Train button starts a run of the engine (mtl_studio.core.train.train, or torchrun over several
GPUs through mtl_studio.core.launcher) on a worker thread; the panel only reacts to the plain events
that come back. Errors reach the user as dialogs, never as tracebacks.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QSpinBox,
    QSplitter, QVBoxLayout, QWidget,
)

from mtl_studio.core.budget import AUTO, learning_rate_text
from mtl_studio.core.config import DEFAULT_PRESET, PRESET_TABLE, PRESETS, TrainConfig, upgrade_former_defaults
from mtl_studio.core.evaluate import EvalReport
from mtl_studio.core.events import EpochEvaluated, LogMessage, RunFinished, RunStarted, StepProgress
from mtl_studio.core.paths import has_resume_point, runs_dir_for
from mtl_studio.core.schema import KIND_DOCUMENT, KIND_SPANS, TASK_NER, TASK_SENTIMENT, TaskSpec
from mtl_studio.core.splits import NoTrainingDocuments, check_training_documents
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.strategies import STRATEGY_TABLE

from .background import BackgroundTasks
from .budget_text import budget_text
from .charts import LineChart
from .engine_text import (
    device_label, run_note_text, run_outcome_hint, run_status_label, series_label, split_label,
    strategy_short_label, task_label, task_score_text, with_gui_controls,
)
from .loss_curves import LossCurves
from .language_fit_view import LanguageFitLabel, suggested_encoder_combo
from .conflict_chart import ConflictChart
from .metrics_models import headline_scores, task_scores
from .vertical_scroll import VerticalScrollArea
from .worker import TrainingJob, engine_events

if TYPE_CHECKING:
    from mtl_studio.core.budget_preview import BudgetPreview

translate = QCoreApplication.translate  # for the titles of the core's tables (lupdate cannot see them)
log = logging.getLogger(__name__)
CONFIG_META_KEY = "gui.train_config"  # the panel's last settings, kept in the project
# Up to this many stored gradient-conflict readings are read on the GUI thread (a few ms); more go to a worker.
SYNC_CONFLICT_READINGS = 1000
# The tasks of a panel without a project (and of every project before issue 13).
BUILT_IN_TASKS: tuple[TaskSpec, ...] = (TaskSpec(TASK_NER, KIND_SPANS), TaskSpec(TASK_SENTIMENT, KIND_DOCUMENT))


def upgrade_saved_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The panel's settings as saved by any version, ready for TrainConfig.from_dict.

    Before the task list was data the "Joint: NER + sentiment" choice was saved as that pair: it meant
    every task of the project, which is what no task list means now."""
    values = upgrade_former_defaults(values)
    if "task_weights" not in values and list(values.get("tasks") or ()) == [TASK_NER, TASK_SENTIMENT]:
        values = {**values, "tasks": []}
    return values


def task_weight(config: TrainConfig, task: str) -> float:
    """A task's loss weight in a config (the engine's default for a task the config names no weight for)."""
    return float(config.weight(task))


def with_task_weights(config: TrainConfig, weights: dict[str, float]) -> TrainConfig:
    """`config` with these task weights (ner / sentiment go to their fields ner_weight / sentiment_weight)."""
    return config.with_weights(weights)


@dataclass(frozen=True)
class DeviceChoice:
    label: str
    device: str  # TrainConfig.device
    nproc: int = 1  # > 1: torchrun with this many processes, one GPU each


def available_devices() -> list[DeviceChoice]:
    """What this machine offers: automatic, CPU, each CUDA GPU, Apple MPS, and torchrun over all GPUs."""
    import torch

    choices = [DeviceChoice("auto", "auto"), DeviceChoice("cpu", "cpu")]
    n = torch.cuda.device_count() if torch.cuda.is_available() else 0
    for i in range(n):
        try:
            name = torch.cuda.get_device_name(i)
        except Exception:  # noqa: BLE001 - a name is only decoration
            name = ""
        choices.append(DeviceChoice(f"cuda:{i} {name}".strip(), f"cuda:{i}"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        choices.append(DeviceChoice("mps", "mps"))
    if n > 1:
        choices.append(DeviceChoice(f"{n} GPUs (torchrun)", "cuda", n))
    return choices


class SciSpinBox(QDoubleSpinBox):
    """A spin box that shows small numbers as 2e-05 and accepts that notation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(1e-9, 1.0)
        self.setSingleStep(1e-5)
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt name)
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt name)
        if self.specialValueText() and text.strip() == self.specialValueText():
            return self.minimum()
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):  # noqa: D401 - Qt override
        from PySide6.QtGui import QValidator

        stripped = text.strip()
        if not stripped:
            return QValidator.State.Intermediate, text, pos
        special = self.specialValueText()
        if special and special.startswith(stripped):
            return (QValidator.State.Acceptable if stripped == special else QValidator.State.Intermediate), text, pos
        try:
            float(stripped)
        except ValueError:
            ok = all(c in "0123456789.eE+-" for c in stripped)
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        return QValidator.State.Acceptable, text, pos


def _format_eta(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class TrainingPanel(QWidget):
    """Settings, Train / Stop, progress with ETA, live loss and weight curves, a log."""

    run_finished = Signal(str)  # run id, once the worker thread has ended
    run_started = Signal(str)
    resplit_requested = Signal()  # the user pressed Re-split… after a run found no training documents
    sweep_run_selected = Signal(str)  # a point clicked on the sweep plot (Results, Predictions, export follow)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self._store: ProjectStore | None = None
        self._job: TrainingJob | None = None
        self._current_run: str | None = None
        self._epoch_offset = 0
        self._loading_preset = False
        self.last_result: RunFinished | None = None
        self.steps_after_stop: int | None = None
        self._resumable: str | None = None  # id of the last run if it stopped with a checkpoint
        self._job_store: ProjectStore | None = None
        self.sweep_dialog = None  # gui/sweep_dialog.SweepDialog once opened
        self._queue: list[TrainConfig] = []  # runs to start after the current one (single-task baselines)
        self._background = BackgroundTasks(self)
        self._budget_request = 0  # the latest preview asked for; older answers are dropped
        self._conflict_request = 0  # the latest stored-readings read asked for (show_stored_run)
        self._build()
        self._refresh_devices()
        self.set_config(TrainConfig(**PRESETS[DEFAULT_PRESET]))
        self._update_enabled()

    # ---- construction --------------------------------------------------------------------------

    def _build(self) -> None:
        settings = QWidget()
        form_box = QVBoxLayout(settings)
        form_box.setContentsMargins(0, 0, 6, 0)

        # Encoder
        enc_group = QGroupBox(self.tr("Encoder"))
        enc = QFormLayout(enc_group)
        self.encoderKind = QComboBox(objectName="encoderKind")
        self.encoderKind.addItem(self.tr("Offline default (all-MiniLM-L6-v2)"), "offline")
        self.encoderKind.addItem(self.tr("Hugging Face model name"), "hub")
        self.encoderKind.addItem(self.tr("Local folder"), "folder")
        self.encoderEdit = QLineEdit(objectName="encoderEdit")
        self.encoderEdit.setPlaceholderText(self.tr("e.g. bert-base-cased"))
        self.browseButton = QPushButton(self.tr("Browse…"), objectName="encoderBrowseButton")
        row = QHBoxLayout()
        row.addWidget(self.encoderEdit, 1)
        row.addWidget(self.browseButton)
        enc.addRow(self.tr("Source"), self.encoderKind)
        enc.addRow(self.tr("Name / folder"), row)
        self.suggestedEncoders = suggested_encoder_combo(self.tr("Encoders by language…"))
        enc.addRow(self.tr("Suggested"), self.suggestedEncoders)
        self.languageFitLabel = LanguageFitLabel()
        enc.addRow(self.languageFitLabel)
        self.encoderKind.currentIndexChanged.connect(self._encoder_kind_changed)
        self.browseButton.clicked.connect(self._browse_encoder)
        self.suggestedEncoders.activated.connect(self._use_suggested_encoder)
        self.encoderKind.currentIndexChanged.connect(self._check_language_fit)
        self.encoderEdit.editingFinished.connect(self._check_language_fit)

        # Tasks and loss weighting: one row per task of the project (docs/tasks_as_data.md), a check box to
        # train it and the weight of its loss; a single checked task is a single-task baseline.
        loss_group = QGroupBox(self.tr("Tasks and losses"))
        loss = QFormLayout(loss_group)
        # One weight per task replaced the NER-vs-sentiment slider; the control keeps the slider's object name,
        # which the first version's acceptance contract (and scripts driving the window) look for.
        self.taskRows = QWidget(objectName="taskWeightSlider")
        self._task_grid = QGridLayout(self.taskRows)
        self._task_grid.setContentsMargins(0, 0, 0, 0)
        self._task_grid.setHorizontalSpacing(6)
        self._task_grid.setVerticalSpacing(2)
        self._task_grid.setColumnStretch(0, 1)
        self._task_specs: list[TaskSpec] = list(BUILT_IN_TASKS)
        self._task_checks: dict[str, QCheckBox] = {}
        self._task_spins: dict[str, QDoubleSpinBox] = {}
        self._task_shares: dict[str, QLabel] = {}
        # The weights set_config gave: a spin box shows them rounded, config() gives them back as given.
        self._given_weights: dict[str, float] = {}
        self.strategyCombo = QComboBox(objectName="strategyCombo")
        for spec in STRATEGY_TABLE:  # titles from the core's table, translated in this context
            self.strategyCombo.addItem(translate("TrainingPanel", spec.title), spec.name)
            self.strategyCombo.setItemData(self.strategyCombo.count() - 1, spec.paper, Qt.ItemDataRole.ToolTipRole)
        self.mlmSpin = self._weight_spin("mlmWeightSpin", self.tr(
            "Auxiliary masked-token reconstruction on the shared encoder (0 = off)"))
        self.l2spSpin = self._weight_spin("l2spWeightSpin", self.tr(
            "Pull the encoder toward its pretrained weights (L2-SP; 0 = off)"))
        self.silverSpin = self._weight_spin("silverWeightSpin", self.tr(
            "Weight of silver (pseudo) labels in training (0 = leave them out); never used in evaluation"))
        self.baselinesCheck = QCheckBox(self.tr("Also train single-task baselines"), objectName="baselinesCheck")
        self.baselinesCheck.setToolTip(self.tr(
            "After the joint run, train each checked task alone with the same encoder, seed and budget, "
            "so the run history shows whether joint training helped"))
        loss.addRow(self.tr("Tasks · weight"), self.taskRows)
        loss.addRow("", self.baselinesCheck)
        loss.addRow(self.tr("Strategy"), self.strategyCombo)
        loss.addRow(self.tr("Auxiliary MLM weight"), self.mlmSpin)
        loss.addRow(self.tr("L2-SP weight"), self.l2spSpin)
        loss.addRow(self.tr("Silver-label weight"), self.silverSpin)
        self.strategyCombo.currentIndexChanged.connect(self._update_enabled)
        self._fill_task_rows()

        # Optimisation
        opt_group = QGroupBox(self.tr("Optimisation"))
        opt = QFormLayout(opt_group)
        self.presetCombo = QComboBox(objectName="presetCombo")
        for preset in PRESET_TABLE:  # title and values from the core's table
            self.presetCombo.addItem(self.tr("{}: {}, {}, {}").format(
                translate("TrainingPanel", preset.title),
                self.tr("auto lr") if preset.auto_budget else preset.learning_rate_text, preset.batch_size,
                self.tr("auto epochs") if preset.auto_budget else preset.epochs), preset.name)
        self.presetCombo.addItem(self.tr("Custom"), "")
        # The lowest value of the learning rate and epochs boxes is "Auto": planned from the data and the
        # encoder (core/budget.py), shown in budgetLabel.
        self.lrSpin = SciSpinBox()
        self.lrSpin.setObjectName("learningRateSpin")
        self.lrSpin.setMinimum(0.0)
        self.lrSpin.setSpecialValueText(self.tr("Auto"))
        self.batchSpin = QSpinBox(objectName="batchSizeSpin")
        self.batchSpin.setRange(1, 4096)
        self.epochsSpin = QSpinBox(objectName="epochsSpin")
        self.epochsSpin.setRange(0, 1000)
        self.epochsSpin.setSpecialValueText(self.tr("Auto"))
        self.budgetLabel = QLabel(objectName="budgetLabel")
        self.budgetLabel.setWordWrap(True)
        self.budgetLabel.setToolTip(self.tr(
            "What this run will train: set Epochs or Learning rate to a number to override the automatic budget"))
        self.seedSpin = QSpinBox(objectName="seedSpin")
        self.seedSpin.setRange(0, 2**31 - 1)
        self.deviceCombo = QComboBox(objectName="deviceCombo")
        opt.addRow(self.tr("Preset"), self.presetCombo)
        opt.addRow(self.tr("Learning rate"), self.lrSpin)
        opt.addRow(self.tr("Batch size"), self.batchSpin)
        opt.addRow(self.tr("Epochs"), self.epochsSpin)
        opt.addRow(self.tr("Seed"), self.seedSpin)
        opt.addRow(self.tr("Device"), self.deviceCombo)
        opt.addRow(self.budgetLabel)
        self.presetCombo.currentIndexChanged.connect(self._apply_preset)
        for spin in (self.lrSpin, self.batchSpin, self.epochsSpin):
            spin.valueChanged.connect(self._match_preset)
        self._budget_timer = QTimer(self, singleShot=True, interval=300)  # one preview per burst of edits
        self._budget_timer.timeout.connect(self._preview_budget)
        for signal in (self.lrSpin.valueChanged, self.batchSpin.valueChanged, self.epochsSpin.valueChanged,
                       self.encoderKind.currentIndexChanged,
                       self.encoderEdit.editingFinished, self.deviceCombo.currentIndexChanged):
            signal.connect(self.refresh_budget)

        self.trainButton = QPushButton(self.tr("Train"), objectName="trainButton")
        self.trainButton.setToolTip(self.tr("Start a training run with these settings (Ctrl+Return)"))
        self.trainButton.setShortcut("Ctrl+Return")
        self.trainButton.setDefault(True)
        self.stopButton = QPushButton(self.tr("Stop"), objectName="stopButton")
        self.stopButton.setToolTip(self.tr("Stop after the current optimizer step; the run keeps its checkpoint"))
        self.trainButton.clicked.connect(self.start_training)
        self.stopButton.clicked.connect(self.stop_training)
        self.resumeButton = QPushButton(self.tr("Resume"), objectName="resumeButton")
        self.resumeButton.setToolTip(self.tr("Continue the stopped run from its last checkpoint"))
        self.resumeButton.clicked.connect(self.resume_training)
        buttons = QHBoxLayout()
        buttons.addWidget(self.trainButton, 2)
        buttons.addWidget(self.stopButton, 1)
        buttons.addWidget(self.resumeButton, 1)

        # Long item texts (strategy names with their papers) must not force the form wide: combos elide.
        for combo in (self.encoderKind, self.strategyCombo, self.presetCombo, self.deviceCombo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        form_box.addWidget(enc_group)
        form_box.addWidget(loss_group)
        form_box.addWidget(opt_group)
        self.sweepButton = QPushButton(self.tr("Sweep task weights…"), objectName="sweepButton")
        self.sweepButton.setToolTip(self.tr("Train across task weights and see the Pareto front of the dev scores"))
        self.sweepButton.clicked.connect(self.open_sweep_dialog)
        form_box.addWidget(self.sweepButton)  # in the scroll area: the Train tab needs no more height for it
        form_box.addStretch(1)
        scroll = VerticalScrollArea(settings)  # never narrower than the form: nothing cut at the right
        scroll.setObjectName("trainSettingsScroll")
        # Train / Stop / Resume stay under the settings, outside their scroll area: always in view.
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(scroll, 1)
        left_box.addLayout(buttons)

        # Live view
        live = QWidget()
        live_box = QVBoxLayout(live)
        live_box.setContentsMargins(6, 0, 0, 0)
        self.statusLabel = QLabel(self.tr("No run yet."), objectName="trainingStatusLabel")
        font = QFont(self.statusLabel.font())
        font.setBold(True)
        self.statusLabel.setFont(font)
        # Wrapped: a long line (a run id, its status, the averaged epochs) must not widen the column
        # past a laptop screen.
        self.statusLabel.setWordWrap(True)
        self.progressBar = QProgressBar(objectName="trainingProgress")
        self.progressBar.setRange(0, 1)
        self.progressBar.setValue(0)
        self.progressBar.setFormat(self.tr("Step %v of %m"))
        self.etaLabel = QLabel("", objectName="etaLabel")
        self.warningLabel = QLabel("", objectName="trainingWarningLabel")
        self.warningLabel.setWordWrap(True)
        self.warningLabel.setStyleSheet("background: #fff3cd; color: #664d03; border: 1px solid #ffe69c; "
                                        "border-radius: 3px; padding: 4px;")
        self.warningLabel.hide()
        self.lossChart = LineChart(self.tr("Training loss"), self.tr("step"))
        self.lossChart.setObjectName("lossChart")
        self.lossChart.set_y_floor(0.0)
        self.weightChart = LineChart(self.tr("Task weights"), self.tr("step"))
        self.weightChart.setObjectName("weightChart")
        self.weightChart.set_y_floor(0.0)
        self.curves = LossCurves(self.lossChart, self.weightChart, self)
        self._curves_per_epoch = False  # the charts show a stored run's epoch means, not live steps
        self._last_step: StepProgress | None = None
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(100)
        self._step_timer.timeout.connect(self._show_step)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.lossChart)
        charts.addWidget(self.weightChart)
        self.conflictChart = ConflictChart()  # below the two: hidden until the meter reads (joint runs only)
        self.logView = QPlainTextEdit(objectName="trainingLog")
        self.logView.setReadOnly(True)
        self.logView.setMaximumBlockCount(5000)
        self.logView.setPlaceholderText(self.tr("Messages and per-epoch scores of the run appear here."))
        lower = QSplitter(Qt.Orientation.Vertical)
        lower.addWidget(charts)
        lower.addWidget(self.conflictChart)
        lower.addWidget(self.logView)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setStretchFactor(2, 2)
        live_box.addWidget(self.statusLabel)
        live_box.addWidget(self.progressBar)
        live_box.addWidget(self.etaLabel)
        live_box.addWidget(self.warningLabel)
        # Shown when a run found no training documents but labelled ones elsewhere (the window re-splits).
        self.resplitButton = QPushButton(self.tr("Re-split…"), objectName="trainingResplitButton")
        self.resplitButton.setToolTip(self.tr("Give the documents a new train/dev/test split (Data › Re-split…)"))
        self.resplitButton.clicked.connect(lambda _=False: self.resplit_requested.emit())
        self.resplitButton.hide()
        live_box.addWidget(self.resplitButton, 0, Qt.AlignmentFlag.AlignLeft)
        live_box.addWidget(lower, 1)

        outer = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(live)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 700])
        outer.addWidget(splitter)

    def _weight_spin(self, name: str, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(objectName=name)
        spin.setRange(0.0, 100.0)
        spin.setDecimals(3)
        spin.setSingleStep(0.05)
        spin.setToolTip(tip)
        return spin

    # ---- project and settings ------------------------------------------------------------------

    def set_project(self, store: ProjectStore | None) -> None:
        """Show a project's last settings; None disables training."""
        if self.is_running() and store is not self._store:
            self.stop_training()
        if store is not self._store:
            # Another project: the last run's log, chart and (red) error state belong to the old one.
            self._reset_live_view()
            self.statusLabel.setText(self.tr("No run yet."))
        self._store = store
        self._resumable = None
        self.reload_tasks()
        if store is not None:
            saved = store.get_meta(CONFIG_META_KEY)
            if saved:
                try:
                    self.set_config(TrainConfig.from_dict(upgrade_saved_settings(json.loads(saved))))
                except (ValueError, TypeError, AttributeError):
                    pass  # settings from another version: keep the defaults
        if not self.is_running():
            self.show_stored_run()
        self._update_enabled()
        self._check_language_fit()
        self.refresh_budget()

    @Slot(str)
    def show_selected_run(self, run_id: str) -> None:
        """A run chosen in the Results history: shown as stored, unless a run is training (its live view
        stays) or it is the run on screen already (a just-finished run keeps its per-step curves)."""
        if not self.is_running() and run_id != self._current_run:
            self.show_stored_run(run_id)
            self._update_enabled()  # Resume follows the run on screen

    def show_stored_run(self, run_id: str | None = None) -> None:
        """A run as it was stored (None: the project's latest): its settings, status, per-epoch curves,
        gradient-conflict readings and scores (after a restart the panel shows where training stands,
        and Resume works for a stopped run)."""
        self._reset_live_view()
        self.lossChart.set_x_label(self.tr("step"))
        self.weightChart.set_x_label(self.tr("step"))
        self.statusLabel.setText(self.tr("No run yet."))
        if self._store is None:
            return
        try:
            run = self._store.run_record(run_id)
        except KeyError:
            return
        self._current_run = run.id
        self._show_stored_conflict(run.id, run.gradient_conflict.measurements if run.gradient_conflict else 0)
        status = run.status  # the store reads a run whose process died as "interrupted"
        has_checkpoint = has_resume_point(runs_dir_for(self._store.path) / run.id)
        # A stopped or interrupted run resumes (from the beginning when no checkpoint was written yet).
        resumable = status in ("stopped", "interrupted") or (status == "failed" and has_checkpoint)
        self._resumable = run.id if resumable else None
        best = self._best_text(run.best_epoch, run.soup_epochs)
        shown = self.tr("Last run {} {}{}") if run_id is None else self.tr("Run {} {}{}")
        self.statusLabel.setText(shown.format(run.id, run_status_label(status), best))
        config = run.config
        self._append_log("info", self.tr("Run {} started {}: {} · strategy {} · lr {} · batch {} · epochs {} · "
                                         "device {}").format(
            run.id, run.created_at.replace("T", " ")[:19], " + ".join(map(task_label, config.get("tasks", []))),
            strategy_short_label(str(config.get("strategy", ""))), learning_rate_text(config.get("learning_rate", "")),
            config.get("batch_size", ""), config.get("epochs", ""), device_label(str(config.get("device", "")))))
        epochs = run.epochs or []
        if epochs:
            # Only per-epoch means are stored: the curves of an earlier session are drawn per epoch.
            self._curves_per_epoch = True
            self.lossChart.set_x_label(self.tr("epoch"))
            self.weightChart.set_x_label(self.tr("epoch"))
        for epoch in epochs:
            self.curves.add_epoch(epoch["epoch"], epoch.get("train_loss") or {}, epoch.get("weights") or {})
            if epoch.get("dev"):
                self._append_log("info", self._scores_line(self.tr("Epoch {} on {}").format(epoch["epoch"], "dev"),
                                                           epoch["dev"]))
        test = run.metrics.get("test")
        if isinstance(test, dict) and test:
            self._append_log("info", self._scores_line(self.tr("Best model on test"), test))
        self._append_log("error" if status == "failed" else "info", " ".join(
            p for p in (self.tr("Run {} {}{}.").format(run.id, run_status_label(status), best),
                        run_outcome_hint(status, has_checkpoint)) if p))
        # No step count is stored: the bar says how the run ended instead of "step 0 of 1".
        self.progressBar.setFormat(run_status_label(status))
        if status in ("completed", "early_stopped"):
            self.progressBar.setValue(self.progressBar.maximum())

    def _best_text(self, best_epoch: int | None, soup_epochs: list[int]) -> str:
        """", best epoch N" for the status line; the averaged epochs when the run's model is a weight soup."""
        if not best_epoch:
            return ""
        if soup_epochs:
            return self.tr(", best epoch {} (weights of epochs {} averaged)").format(
                best_epoch, ", ".join(map(str, soup_epochs)))
        return self.tr(", best epoch {}").format(best_epoch)

    def _show_stored_conflict(self, run_id: str, readings: int) -> None:
        """Redraw the conflict chart from the run's stored meter readings: a few hundred at once, more
        (a long run read every few steps) from a background connection, dropped when another run is on
        screen or one is training by the time they arrive."""
        assert self._store is not None
        self._conflict_request += 1
        if readings <= SYNC_CONFLICT_READINGS:
            self.conflictChart.show_readings(self._store.conflict_measurements(run_id))
            return
        request, path, read_only = self._conflict_request, self._store.path, self._store.read_only

        def read() -> list[dict[str, Any]]:
            with ProjectStore.open(path, read_only=read_only) as store:
                return store.conflict_measurements(run_id)

        def show(rows: list[dict[str, Any]]) -> None:
            if request == self._conflict_request and not self.is_running():
                self.conflictChart.show_readings(rows)

        def failed(error: BaseException) -> None:  # no chart is all a failed read costs
            log.warning("reading the gradient-conflict readings of run %s failed: %s", run_id, error)

        self._background.run(read, show, failed)

    def set_config(self, config: TrainConfig) -> None:
        """Fill the controls from a config (fields the panel does not show are kept for config())."""
        self._base_config = config
        if config.encoder in ("", "offline"):
            self.encoderKind.setCurrentIndex(self.encoderKind.findData("offline"))
            self.encoderEdit.clear()
        else:
            kind = "folder" if os.path.isdir(config.encoder) else "hub"
            self.encoderKind.setCurrentIndex(self.encoderKind.findData(kind))
            self.encoderEdit.setText(config.encoder)
        self.strategyCombo.setCurrentIndex(max(self.strategyCombo.findData(config.strategy), 0))
        self._set_task_choice(config)
        self.mlmSpin.setValue(config.mlm_weight)
        self.l2spSpin.setValue(config.l2sp_weight)
        self.silverSpin.setValue(config.silver_weight)
        self._loading_preset = True
        self._set_auto_spin(self.lrSpin, config.learning_rate)
        self.batchSpin.setValue(config.batch_size)
        self._set_auto_spin(self.epochsSpin, config.epochs)
        self._loading_preset = False
        self._match_preset()
        self.seedSpin.setValue(config.seed)
        index = next((i for i in range(self.deviceCombo.count())
                      if self.deviceCombo.itemData(i).device == config.device
                      and self.deviceCombo.itemData(i).nproc == 1), 0)
        self.deviceCombo.setCurrentIndex(index)
        self._encoder_kind_changed()
        self._update_enabled()

    def config(self) -> TrainConfig:
        """The TrainConfig the controls describe."""
        kind = self.encoderKind.currentData()
        encoder = "offline" if kind == "offline" else self.encoderEdit.text().strip()
        device: DeviceChoice = self.deviceCombo.currentData()
        return dataclasses.replace(
            with_task_weights(self._base_config, self.task_weights()),
            encoder=encoder,
            # Every task checked: no list, the engine trains every task the project declares (a task declared
            # later too, when these settings are saved); a subset as it is.
            tasks=() if self.all_tasks_checked() else self.tasks(),
            strategy=self.strategyCombo.currentData(),
            mlm_weight=self.mlmSpin.value(),
            l2sp_weight=self.l2spSpin.value(),
            silver_weight=self.silverSpin.value(),
            learning_rate=self._auto_spin_value(self.lrSpin),
            batch_size=self.batchSpin.value(),
            epochs=self._auto_spin_value(self.epochsSpin),
            seed=self.seedSpin.value(),
            device=device.device if device else "auto",
        )

    @staticmethod
    def _set_auto_spin(spin: QSpinBox | QDoubleSpinBox, value: float | int | str) -> None:
        spin.setValue(spin.minimum() if value == AUTO else value)

    @staticmethod
    def _auto_spin_value(spin: QSpinBox | QDoubleSpinBox) -> float | int | str:
        return AUTO if spin.value() == spin.minimum() else spin.value()

    # ---- the task rows ------------------------------------------------------------------------------

    def _fill_task_rows(self) -> None:
        """One row per task of `_task_specs`: check box (train it), weight, share of the total weight.
        Rows of tasks that stay keep their state; a new task starts checked with the default weight."""
        checked = {name: box.isChecked() for name, box in self._task_checks.items()}
        weights = {name: spin.value() for name, spin in self._task_spins.items()}
        while self._task_grid.count():
            item = self._task_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().setParent(None)  # out of the panel at once (findChild, layout), gone soon
                item.widget().deleteLater()
        self._task_checks, self._task_spins, self._task_shares = {}, {}, {}
        for row, spec in enumerate(self._task_specs):
            box = QCheckBox(task_label(spec.name), objectName=f"taskCheck.{spec.name}")
            box.setToolTip(self.tr("Train the {} head; a single checked task is a single-task baseline")
                           .format(task_label(spec.name)))
            box.setChecked(checked.get(spec.name, True))
            spin = self._weight_spin(f"taskWeightSpin.{spec.name}", self.tr(
                "Weight of the {} loss in the total (fixed weights; the other strategies start from it)")
                .format(task_label(spec.name)))
            spin.setProperty("weightTip", spin.toolTip())  # shown again when the weights are fixed
            spin.setValue(weights.get(spec.name, self._default_weight(spec.name)))
            share = QLabel(objectName=f"taskShare.{spec.name}")
            share.setToolTip(self.tr("Share of this task's weight in the sum of the trained tasks' weights"))
            share.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            share.setMinimumWidth(share.fontMetrics().horizontalAdvance("100%") + 4)
            self._task_grid.addWidget(box, row, 0)
            self._task_grid.addWidget(spin, row, 1)
            self._task_grid.addWidget(share, row, 2)
            box.toggled.connect(lambda on, name=spec.name: self._task_toggled(name, on))
            spin.valueChanged.connect(self._update_shares)
            self._task_checks[spec.name], self._task_spins[spec.name], self._task_shares[spec.name] = box, spin, share
        self._update_shares()

    def _default_weight(self, task: str) -> float:
        """The weight a task has in a config that names no weight for it (the engine's default)."""
        base = getattr(self, "_base_config", None) or TrainConfig()
        return task_weight(base, task)

    def _set_task_choice(self, config: TrainConfig) -> None:
        """Check the config's tasks (every row when it names none or none of this project's) and show
        its weights."""
        known = [t for t in config.tasks if t in self._task_checks]
        wanted = set(known) if known else set(self._task_checks)
        self._given_weights = {}
        for name, box in self._task_checks.items():
            box.blockSignals(True)
            box.setChecked(name in wanted)
            box.blockSignals(False)
            weight = task_weight(config, name)
            self._given_weights[name] = weight
            self._task_spins[name].blockSignals(True)
            self._task_spins[name].setValue(weight)
            self._task_spins[name].blockSignals(False)
        self._update_shares()

    def task_checks(self) -> dict[str, QCheckBox]:
        """Task name -> its check box, in the project's task order."""
        return dict(self._task_checks)

    def task_weight_spins(self) -> dict[str, QDoubleSpinBox]:
        """Task name -> its weight box, in the project's task order."""
        return dict(self._task_spins)

    def task_weights(self) -> dict[str, float]:
        """Every shown task's weight: the config's own while its box is untouched (a box shows 3 decimals),
        else the box's value."""
        out = {}
        for name, spin in self._task_spins.items():
            given = self._given_weights.get(name)
            out[name] = given if given is not None and round(given, spin.decimals()) == spin.value() \
                else spin.value()
        return out

    def tasks(self) -> tuple[str, ...]:
        """The checked tasks in the project's order (config().tasks is empty when they are all of them)."""
        return tuple(name for name, box in self._task_checks.items() if box.isChecked())

    def all_tasks_checked(self) -> bool:
        return all(box.isChecked() for box in self._task_checks.values())

    @Slot()
    def reload_tasks(self) -> None:
        """The project's task list changed (schema dialog, import): rebuild the task rows."""
        specs = self._store.tasks() if self._store is not None else list(BUILT_IN_TASKS)
        if [s.name for s in specs] != [s.name for s in self._task_specs]:
            self._task_specs = list(specs)
            self._fill_task_rows()
            self._update_enabled()
            self.refresh_budget()

    def _task_toggled(self, name: str, on: bool) -> None:
        if not on and not self.tasks():
            # At least one task is trained: unchecking the last one is undone.
            box = self._task_checks[name]
            box.blockSignals(True)
            box.setChecked(True)
            box.blockSignals(False)
        self._update_shares()
        self._update_enabled()
        self.refresh_budget()

    @Slot()
    def _update_shares(self) -> None:
        weights = self.task_weights()
        trained = self.tasks()
        total = sum(weights[t] for t in trained)
        for name, label in self._task_shares.items():
            if name in trained and len(trained) > 1:
                label.setText(f"{100 * weights[name] / total:.0f}%" if total > 0 else "–")
            else:
                label.setText("")

    # ---- the budget line ---------------------------------------------------------------------------

    @Slot()
    def refresh_budget(self) -> None:
        """Plan the budget line again soon (settings or the project's data changed)."""
        self._budget_timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.refresh_budget()  # documents may have been labelled or imported on another tab

    def budget_pending(self) -> bool:
        """True while the budget line waits for its timer or its answer (the line may still change size)."""
        return self._budget_timer.isActive() or self._background.busy()

    @Slot()
    def _preview_budget(self) -> None:
        """Count documents and read the encoder's config off the GUI thread; show the newest answer."""
        if self._store is None:
            self.budgetLabel.clear()
            return
        self._budget_request += 1
        request, path, config = self._budget_request, self._store.path, self.config()

        def plan() -> BudgetPreview:
            from mtl_studio.core.budget_preview import preview_budget

            with ProjectStore.open(path) as store:
                return preview_budget(store, config)

        def show(preview: BudgetPreview) -> None:
            if request == self._budget_request:
                self.budgetLabel.setText(budget_text(preview))

        def failed(error: BaseException) -> None:
            if request == self._budget_request:
                self.budgetLabel.setText(self.tr("budget: not known yet ({})").format(error))
        self._background.run(plan, show, failed)

    def device_choice(self) -> DeviceChoice:
        return self.deviceCombo.currentData()

    def _refresh_devices(self) -> None:
        current = self.deviceCombo.currentData()
        self.deviceCombo.clear()
        for choice in available_devices():
            # The engine's device code in words; a GPU keeps its model name (cuda:0 NVIDIA ... -> GPU 0 NVIDIA ...).
            label = f"{device_label(choice.device)} {choice.label.removeprefix(choice.device)}".strip()
            if choice.nproc > 1:
                label = self.tr("{} GPUs (torchrun)").format(choice.nproc)
            self.deviceCombo.addItem(label, choice)
        if current is not None:
            index = next((i for i in range(self.deviceCombo.count())
                          if self.deviceCombo.itemData(i) == current), 0)
            self.deviceCombo.setCurrentIndex(index)

    def refresh_devices(self) -> None:
        """Look for devices again (a GPU can appear after a driver loads)."""
        self._refresh_devices()

    # ---- control state ---------------------------------------------------------------------------

    @Slot()
    def _encoder_kind_changed(self) -> None:
        kind = self.encoderKind.currentData()
        self.encoderEdit.setEnabled(kind != "offline" and not self.is_running())
        self.browseButton.setEnabled(kind == "folder" and not self.is_running())
        self.encoderEdit.setPlaceholderText(
            self.tr("Folder with config.json and a fast tokenizer") if kind == "folder"
            else self.tr("e.g. bert-base-cased") if kind == "hub" else "")

    @Slot()
    def _use_suggested_encoder(self) -> None:
        name = self.suggestedEncoders.currentData()
        if name:
            self.encoderKind.setCurrentIndex(self.encoderKind.findData("hub"))
            self.encoderEdit.setText(name)
            self._check_language_fit()
        self.suggestedEncoders.setCurrentIndex(0)  # the combo is a picker, not a setting

    @Slot()
    def _check_language_fit(self) -> None:
        """The unknown-token warning for the chosen encoder on this project (measured off the GUI thread)."""
        store = self._store
        encoder = self.config().encoder
        self.languageFitLabel.check(str(store.path) if store else None, encoder,
                                    store.count_documents() if store else 0)

    @Slot()
    def _browse_encoder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose an encoder folder"),
                                                  self.encoderEdit.text() or str(Path.home()))
        if folder:
            self.encoderEdit.setText(folder)

    @Slot()
    def _apply_preset(self) -> None:
        name = self.presetCombo.currentData()
        if not name or self._loading_preset:
            return
        self._loading_preset = True
        preset = PRESETS[name]
        self._set_auto_spin(self.lrSpin, preset["learning_rate"])
        self.batchSpin.setValue(preset["batch_size"])
        self._set_auto_spin(self.epochsSpin, preset["epochs"])
        self._loading_preset = False

    @Slot()
    def _match_preset(self) -> None:
        """Show which preset the lr / batch / epochs values are (or Custom)."""
        if self._loading_preset:
            return
        values = {"learning_rate": self._auto_spin_value(self.lrSpin), "batch_size": self.batchSpin.value(),
                  "epochs": self._auto_spin_value(self.epochsSpin)}

        def same(a: float | int | str, b: float | int | str) -> bool:
            if isinstance(a, str) or isinstance(b, str):
                return a == b
            return math.isclose(a, b, rel_tol=1e-9)
        match = next((n for n, p in PRESETS.items() if all(same(values[k], v) for k, v in p.items() if k in values)),
                     "")
        self._loading_preset = True
        self.presetCombo.setCurrentIndex(self.presetCombo.findData(match))
        self._loading_preset = False

    @Slot()
    def _update_enabled(self) -> None:
        running = self.is_running()
        trained = self.tasks()
        joint = len(trained) > 1
        fixed = self.strategyCombo.currentData() == "fixed"
        learned_tip = self.tr("The strategy learns the weights, starting from these; choose Fixed weights to set "
                              "how much each task counts.")
        for name, spin in self._task_spins.items():
            spin.setEnabled(joint and fixed and name in trained and not running)
            spin.setToolTip(spin.property("weightTip") if fixed or not joint else learned_tip)
        for box in self._task_checks.values():
            box.setEnabled(not running)
        self.strategyCombo.setEnabled(joint and not running)
        self.baselinesCheck.setEnabled(joint and not running)
        for w in (self.encoderKind, self.suggestedEncoders, self.mlmSpin, self.l2spSpin, self.silverSpin,
                  self.presetCombo, self.lrSpin, self.batchSpin, self.epochsSpin, self.seedSpin, self.deviceCombo):
            w.setEnabled(not running)
        self._encoder_kind_changed()
        self.trainButton.setEnabled(self._store is not None and not running)
        self.sweepButton.setEnabled(self._store is not None and not running)
        self.resumeButton.setEnabled(self._store is not None and not running and self._resumable is not None)
        self.stopButton.setEnabled(running and not (self._job and self._job.worker.stop_requested))

    # ---- running -------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._job is not None and self._job.is_running()

    @property
    def job(self) -> TrainingJob | None:
        return self._job

    @Slot()
    def start_training(self) -> bool:
        """Validate the settings and start a run; False (and a dialog) when it cannot start."""
        if self.is_running():
            return False
        if self._store is None:
            QMessageBox.warning(self, self.tr("No project"), self.tr("Open or create a project first."))
            return False
        config = self.config()
        try:
            config.validate()
        except ValueError as e:
            QMessageBox.critical(self, self.tr("Cannot train with these settings"), str(e))
            return False
        kind = self.encoderKind.currentData()
        if kind != "offline" and not config.encoder:
            QMessageBox.critical(self, self.tr("Encoder not found"),
                                 self.tr("Enter a Hugging Face model name or choose a local folder."))
            return False
        if kind == "folder" and not os.path.isdir(config.encoder):
            QMessageBox.critical(self, self.tr("Encoder not found"),
                                 self.tr("The folder {} does not exist.").format(config.encoder))
            return False
        if kind == "folder" and not os.path.isfile(os.path.join(config.encoder, "config.json")):
            QMessageBox.critical(self, self.tr("Encoder not found"), self.tr(
                "The folder {} is not a Hugging Face model folder (it has no config.json).").format(config.encoder))
            return False
        choice = self.device_choice()
        self._store.set_meta(CONFIG_META_KEY, json.dumps(config.to_dict()))
        self._reset_live_view()
        self._append_log("info", self.tr(
            "Starting: {} · strategy {} · lr {} · batch {} · epochs {} · device {}").format(
            " + ".join(task_label(t) for t in self.tasks()), strategy_short_label(config.strategy), learning_rate_text(config.learning_rate),
            config.batch_size, config.epochs, self.deviceCombo.currentText() if choice else device_label(config.device)))
        self._queue = []
        if len(self.tasks()) > 1 and self.baselinesCheck.isChecked():
            self._queue = [dataclasses.replace(config, tasks=(task,)) for task in self.tasks()]
        self._launch(engine_events(self._store.path, config, nproc=choice.nproc if choice else 1))
        return True

    def pending_runs(self) -> list[TrainConfig]:
        """Runs queued after the current one (the single-task baselines)."""
        return list(self._queue)

    def _start_next_queued(self) -> None:
        config = self._queue.pop(0)
        choice = self.device_choice()
        self._reset_live_view()
        self._append_log("info", self.tr("Single-task baseline: {} only, same settings.").format(config.tasks[0]))
        self._launch(engine_events(self._store.path, config, nproc=choice.nproc if choice else 1))

    @Slot()
    def resume_training(self) -> bool:
        """Continue the last stopped run from its checkpoint (its own settings, not the form's)."""
        if self.is_running() or self._store is None or self._resumable is None:
            return False
        run_id = self._resumable
        # The stored run's own config, device included: the engine picks its device before it reads the
        # run, so the form's device (or anything else the form changed since) must not reach it.
        config = TrainConfig.from_dict(self._store.run_record(run_id).config)
        if self._current_run != run_id:
            self._reset_live_view()
        # The same run as on screen: its curves and log go on where they stopped.
        self.lossChart.set_x_label(self.tr("step"))
        self.weightChart.set_x_label(self.tr("step"))
        if self._curves_per_epoch:
            self.curves.clear()  # per-epoch points of a stored run do not continue as per-step ones
            self._curves_per_epoch = False
        self._append_log("info", self.tr("Resuming run {}.").format(run_id))
        self._launch(engine_events(self._store.path, config, resume_run_id=run_id))
        return True

    def _launch(self, source) -> None:
        self._resumable = None
        self._job_store = self._store  # a run's end is only announced for the project it trained on
        self._job = TrainingJob(source, self)
        self._job.event.connect(self._on_event)
        self._job.failed.connect(self._on_failed)
        self._job.finished.connect(self._on_job_finished)
        self.statusLabel.setText(self.tr("Preparing data and loading the encoder…"))
        self.progressBar.setFormat(self.tr("Step %v of %m"))
        self.progressBar.setRange(0, 0)  # busy until the engine reports its step count
        self._job.start()
        self._update_enabled()

    @Slot()
    def stop_training(self) -> None:
        if self._job is None or not self._job.is_running():
            return
        self._job.stop()
        self._queue = []  # Stop means stop: queued baselines do not start
        self.statusLabel.setText(self.tr("Stopping after the current step…"))
        self.etaLabel.clear()
        self._append_log("info", self.tr("Stop requested."))
        self._update_enabled()

    @Slot()
    def open_sweep_dialog(self):
        """The weight-sweep dialog (gui/sweep_dialog.py) on this project, from the form's settings."""
        from .sweep_dialog import SweepDialog

        if self._store is None:
            return None
        if self.sweep_dialog is not None and self.sweep_dialog.is_running():
            self.sweep_dialog.show()
            self.sweep_dialog.raise_()
            return self.sweep_dialog
        # A sweep weighs two tasks whatever the form's task choice (its baselines are the single-task runs).
        self.sweep_dialog = SweepDialog(self._store.path, dataclasses.replace(self.config(), tasks=("ner", "sentiment")),
                                        self)
        self.sweep_dialog.run_selected.connect(self.sweep_run_selected)
        self.sweep_dialog.run_done.connect(self.run_finished)
        self.sweep_dialog.show()
        return self.sweep_dialog

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop a run and wait for its thread, a budget preview and a language-fit measurement (call from the
        main window's closeEvent)."""
        if self.sweep_dialog is not None:
            self.sweep_dialog.shutdown(timeout_ms)
        self.languageFitLabel.tasks.wait(timeout_ms)  # a language-fit measurement still running
        self._budget_timer.stop()
        if not self._background.wait(timeout_ms):
            return False
        if self._job is None:
            return True
        if self._job.is_running():
            self._job.stop()
        return self._job.wait(timeout_ms)

    def _offer_resplit(self) -> None:
        """Show Re-split… when train has no labelled document but other splits have (core's rule)."""
        if self._store is None:
            return
        try:
            check_training_documents(self._store, self.tasks(), str(self._store.path))
        except NoTrainingDocuments as e:
            self.resplitButton.setVisible(e.can_resplit)
            self.resplitButton.setToolTip(str(e))

    def _reset_live_view(self) -> None:
        self.resplitButton.hide()
        self._current_run = None
        self.last_result = None
        self._last_step = None
        self._curves_per_epoch = False
        self.curves.clear()
        self._conflict_request += 1  # a stored run's readings still being read are not wanted any more
        self.conflictChart.reset()
        self.warningLabel.hide()
        self.warningLabel.clear()
        self.logView.clear()
        self.etaLabel.clear()
        self.progressBar.setRange(0, 1)
        self.progressBar.setValue(0)

    @Slot(object)
    def _on_event(self, ev: object) -> None:
        self.conflictChart.on_event(ev)
        if isinstance(ev, StepProgress):
            self._on_step(ev)
        elif isinstance(ev, RunStarted):
            self._current_run = ev.run_id
            self.progressBar.setRange(0, max(ev.total_steps, 1))
            self.progressBar.setValue(0)
            counts = ", ".join(f"{task_label(task)} {n}" for task, n in ev.train_documents.items())
            self.statusLabel.setText(self.tr("Training run {}").format(ev.run_id))
            self._append_log("info", self.tr("Run {} on {} ({}); training documents: {}; {} steps.").format(
                ev.run_id, device_label(ev.device), ev.precision, counts, ev.total_steps))
            self.run_started.emit(ev.run_id)
        elif isinstance(ev, EpochEvaluated):
            self._append_log("info", self._epoch_line(ev))
        elif isinstance(ev, LogMessage):
            text = run_note_text(ev.code, ev.params, ev.text)
            self._append_log(ev.level, text)
            if ev.level == "warning":
                self._show_warning(text)
        elif isinstance(ev, RunFinished):
            self._on_run_finished_event(ev)

    def _on_step(self, ev: StepProgress) -> None:
        self._last_step = ev
        self.curves.add_step(ev)
        if not self._step_timer.isActive():
            self._step_timer.start()  # the labels follow at the charts' pace, not at every step

    def _show_step(self) -> None:
        ev = self._last_step
        if ev is None:
            return
        if self.progressBar.maximum() != ev.total_steps:
            self.progressBar.setRange(0, max(ev.total_steps, 1))
        self.progressBar.setValue(min(ev.step, ev.total_steps))
        if self.last_result is not None or self._job is None or self._job.worker.stop_requested:
            return  # stopping or over: no time is left to estimate
        self.etaLabel.setText(self.tr("Epoch {} · {} samples/s · lr {} · ETA {}").format(
            ev.epoch, f"{ev.samples_per_second:.1f}", f"{ev.learning_rate:.2e}", _format_eta(ev.eta_seconds)))

    def _show_warning(self, text: str) -> None:
        self.warningLabel.setText(text)
        self.warningLabel.show()

    def _scores_line(self, what: str, metrics: dict[str, Any] | None) -> str:
        """'Epoch 2 on dev: NER micro F1 …, sentiment macro F1 …, accuracy …, <further tasks>' from a report
        in its stored form (EvalReport.to_dict())."""
        metrics = metrics or None
        scores = headline_scores(EvalReport.from_dict(metrics) if metrics else None)
        parts = []
        if scores.ner_f1 is not None:
            parts.append(self.tr("NER micro F1 {}").format(f"{scores.ner_f1:.3f}"))
        if scores.sentiment_f1 is not None:
            parts.append(self.tr("sentiment macro F1 {}").format(f"{scores.sentiment_f1:.3f}"))
        if scores.sentiment_accuracy is not None:
            parts.append(self.tr("accuracy {}").format(f"{scores.sentiment_accuracy:.3f}"))
        parts += [task_score_text(score.task, score.metric, score.value, score.end_to_end, name=series_label)
                  for score in task_scores(metrics) if score.task not in ("ner", "sentiment")]
        return self.tr("{}: {}").format(what, ", ".join(parts) or "–")

    def _epoch_line(self, ev: EpochEvaluated) -> str:
        best = self.tr(" (best so far)") if ev.is_best else ""
        return self._scores_line(self.tr("Epoch {} on {}").format(ev.epoch, split_label(ev.split)), ev.metrics) + best

    def _on_run_finished_event(self, ev: RunFinished) -> None:
        self.last_result = ev
        self._current_run = ev.run_id
        self.curves.flush()
        self._step_timer.stop()
        self._show_step()
        self.etaLabel.clear()  # the run is over: nothing is left to estimate
        status = run_status_label(ev.status)
        best = self._best_text(ev.best_epoch, ev.metrics.get("soup_epochs") or [])
        self.statusLabel.setText(self.tr("Run {} {}{}").format(ev.run_id, status, best))
        if ev.status == "failed":
            # The engine's message says what went wrong (and what to change).
            self._append_log("error", self.tr("Run {} {}{}. {}").format(ev.run_id, status, best,
                                                                         with_gui_controls(ev.message)).strip())
        else:
            # Not the engine's message: for the CLI it names `mtl-studio train --resume`; here a button does it.
            stopped_at = self.tr(" at step {} of {}").format(self._last_step.step, self._last_step.total_steps) \
                if ev.status == "stopped" and self._last_step is not None else ""
            self._append_log("info", " ".join(p for p in (
                self.tr("Run {} {}{}{}.").format(ev.run_id, status, stopped_at, best),
                run_outcome_hint(ev.status, has_checkpoint=True)) if p))  # a stop saves a checkpoint
        if ev.status in ("completed", "early_stopped"):
            self.progressBar.setValue(self.progressBar.maximum())
        if ev.status == "failed":
            QMessageBox.critical(self, self.tr("Training failed"),
                                 with_gui_controls(ev.message) or self.tr("The run failed; see the log for details."))

    @Slot(str, str)
    def _on_failed(self, title: str, message: str) -> None:
        self.statusLabel.setText(self.tr("Training failed."))
        self.etaLabel.clear()
        self._append_log("error", message)
        self._offer_resplit()
        QMessageBox.critical(self, title, message)

    @Slot()
    def _on_job_finished(self) -> None:
        job = self._job
        self.curves.flush()
        self.etaLabel.clear()
        if self.progressBar.maximum() == 0:
            self.progressBar.setRange(0, 1)
        self.steps_after_stop = None
        if job is not None and job.worker.stop_requested_at_step is not None and job.result is not None:
            # Optimizer steps the engine still reported after the user pressed Stop (0 or 1 expected).
            self.steps_after_stop = max(job.worker.last_step - job.worker.stop_requested_at_step, 0)
            self._append_log("info", self.tr("Stopped {} step(s) after the request.").format(self.steps_after_stop))
        result = job.result if job is not None else None
        if result is not None and result.status == "stopped" and result.run_id and self._store is self._job_store:
            self._resumable = result.run_id
        if job is not None:
            job.deleteLater()
        self._job = None
        self._update_enabled()
        same_project = self._store is not None and self._store is self._job_store
        if result is not None and result.run_id and same_project:
            self.run_finished.emit(result.run_id)
        if self._queue and same_project and result is not None and result.status in ("completed", "early_stopped") \
                and not self.is_running():
            self._start_next_queued()
        else:
            self._queue = []

    def _append_log(self, level: str, text: str) -> None:
        colours = {"warning": "#9a6700", "error": "#b42318"}
        if level in colours:
            from html import escape

            self.logView.appendHtml(f'<span style="color:{colours[level]}">{escape(text)}</span>')
        else:
            self.logView.appendPlainText(text)
