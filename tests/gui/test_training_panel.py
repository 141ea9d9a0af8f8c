"""The training panel: settings -> TrainConfig, the device list, error dialogs, and real runs of the
engine on the tiny encoder (finished signal, metrics tables, prediction differences, stop, no thread
left running, event-loop responsiveness)."""
from __future__ import annotations

import contextlib
import time

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QLabel

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.events import StepProgress
from mtl_studio.core.paths import offline_encoder_path
from mtl_studio.core.review import FALSE_NEGATIVE, FALSE_POSITIVE, WRONG_LABEL
from mtl_studio.core.schema import Document
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize
from mtl_studio.gui.predictions import PredictionView
from mtl_studio.gui.results import ResultsPanel
from mtl_studio.gui import training as training_module
from mtl_studio.gui.training import TrainingPanel
from mtl_studio.gui.worker import running_threads
from project_helpers import TRAINING, make_project


@pytest.fixture
def store(tmp_path):
    s = make_project(tmp_path / "project.mtl", TRAINING)
    yield s
    s.close()


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel()
    qtbot.addWidget(p)
    yield p
    assert p.shutdown(60_000)
    qtbot.waitUntil(lambda: not running_threads(), timeout=60_000)


def test_weight_boxes_set_task_weights(panel, store):
    panel.set_project(store)
    spins, checks = panel.task_weight_spins(), panel.task_checks()
    assert tuple(spins) == ("ner", "sentiment") and tuple(checks) == ("ner", "sentiment")
    # The default strategy learns the weights: the boxes say how to set them instead.
    assert panel.strategyCombo.currentData() == TrainConfig().strategy == "uncertainty"
    assert not spins["ner"].isEnabled() and "Fixed weights" in spins["ner"].toolTip()
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("fixed"))
    assert spins["ner"].isEnabled() and spins["sentiment"].isEnabled()
    assert "Fixed weights" not in spins["ner"].toolTip()
    assert panel.task_weights() == {"ner": 0.5, "sentiment": 0.5}
    spins["ner"].setValue(0.7)
    spins["sentiment"].setValue(0.3)
    cfg = panel.config()
    assert (cfg.strategy, cfg.ner_weight, cfg.sentiment_weight) == ("fixed", 0.7, 0.3)
    assert cfg.weights_for(("ner", "sentiment")) == {"ner": 0.7, "sentiment": 0.3}
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("uncertainty"))
    assert not spins["ner"].isEnabled()  # weights are learned, the boxes have no meaning
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("fixed"))
    checks["sentiment"].setChecked(False)
    assert not spins["ner"].isEnabled() and not panel.strategyCombo.isEnabled()
    assert panel.config().tasks == ("ner",)


def test_weight_box_keyboard(panel, store, qtbot):
    panel.set_project(store)
    panel.show()
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("fixed"))
    spin = panel.task_weight_spins()["ner"]
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert panel.config().ner_weight == pytest.approx(0.55)
    assert panel.taskRows.findChild(QLabel, "taskShare.ner").text() == "52%"


def test_presets_and_config_round_trip(panel, store):
    panel.set_project(store)
    panel.presetCombo.setCurrentIndex(panel.presetCombo.findData("method"))
    cfg = panel.config()
    assert (cfg.learning_rate, cfg.batch_size, cfg.epochs) == (2e-5, 16, 5)
    panel.epochsSpin.setValue(2)
    assert panel.presetCombo.currentData() == ""  # edited values are no preset any more
    wanted = TrainConfig(encoder="some/hub-model", tasks=("sentiment",), strategy="dwa", ner_weight=0.2,
                         sentiment_weight=0.8, mlm_weight=0.1, l2sp_weight=0.01, silver_weight=0.5,
                         learning_rate=3e-5, batch_size=8, epochs=4, seed=7, device="cpu")
    panel.set_config(wanted)
    assert panel.config() == wanted
    assert panel.encoderKind.currentData() == "hub"


@pytest.mark.parametrize(("ner_weight", "sentiment_weight"), [(1.0, 1.0), (0.333, 0.667), (2.0, 0.5), (0.0, 0.0)])
def test_fixed_weights_survive_set_config(panel, ner_weight, sentiment_weight):
    """set_config -> config() gives back the weights as given, not their normalised share."""
    wanted = TrainConfig(ner_weight=ner_weight, sentiment_weight=sentiment_weight, device="cpu")
    panel.set_config(wanted)
    assert (panel.config().ner_weight, panel.config().sentiment_weight) == (ner_weight, sentiment_weight)
    assert panel.config() == wanted


def test_the_shares_follow_the_weights(panel):
    panel.set_config(TrainConfig(ner_weight=1.0, sentiment_weight=1.0))
    share = {n: panel.taskRows.findChild(QLabel, f"taskShare.{n}") for n in ("ner", "sentiment")}
    assert (share["ner"].text(), share["sentiment"].text()) == ("50%", "50%")
    panel.task_weight_spins()["ner"].setValue(3.0)
    assert (panel.config().ner_weight, panel.config().sentiment_weight) == (3.0, 1.0)
    assert (share["ner"].text(), share["sentiment"].text()) == ("75%", "25%")
    panel.task_checks()["sentiment"].setChecked(False)
    assert share["ner"].text() == ""  # one task: nothing to share


def test_a_weight_from_the_form_reaches_the_loss(panel, store, tiny_encoder, qtbot, dialogs):
    """The walk from the form to the strategy: non-default fixed weights set in the panel are the weights
    the engine reports for every optimizer step."""
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu",
                                 max_steps_per_epoch=2, ner_weight=1.0, sentiment_weight=1.0, strategy="fixed"))
    panel.task_weight_spins()["ner"].setValue(1.6)
    panel.task_weight_spins()["sentiment"].setValue(0.4)
    assert panel.start_training()
    weights: list[dict[str, float]] = []
    panel.job.event.connect(lambda ev: weights.append(ev.weights) if isinstance(ev, StepProgress) else None)
    with qtbot.waitSignal(panel.run_finished, timeout=120_000):
        pass
    assert not dialogs, dialogs
    assert panel.last_result.status == "completed"
    assert weights and all(w == pytest.approx({"ner": 1.6, "sentiment": 0.4}) for w in weights), weights


def test_strategy_and_preset_combos_list_the_core_tables(panel):
    from mtl_studio.core.config import PRESET_TABLE
    from mtl_studio.core.strategies import STRATEGY_TABLE

    strategies = [panel.strategyCombo.itemData(i) for i in range(panel.strategyCombo.count())]
    assert strategies == [spec.name for spec in STRATEGY_TABLE]
    assert panel.strategyCombo.itemText(strategies.index("gradnorm")) == "GradNorm (Chen et al. 2018)"
    presets = [panel.presetCombo.itemData(i) for i in range(panel.presetCombo.count())]
    assert presets == [p.name for p in PRESET_TABLE] + [""]
    assert panel.presetCombo.itemText(presets.index("method")) == "Method: 2e-5, 16, 5"
    assert panel.presetCombo.itemText(presets.index("minilm")) == "MiniLM default: auto lr, 16, auto epochs"


def test_epochs_and_learning_rate_default_to_auto_and_can_be_overridden(panel, store):
    panel.set_project(store)
    assert panel.presetCombo.currentData() == "minilm"
    assert (panel.epochsSpin.text(), panel.lrSpin.text()) == ("Auto", "Auto")
    assert (panel.config().epochs, panel.config().learning_rate) == ("auto", "auto")
    panel.epochsSpin.setValue(7)
    panel.lrSpin.setValue(3e-5)
    assert (panel.config().epochs, panel.config().learning_rate) == (7, 3e-5)
    assert panel.presetCombo.currentData() == ""
    panel.presetCombo.setCurrentIndex(panel.presetCombo.findData("minilm"))
    assert (panel.config().epochs, panel.config().learning_rate) == ("auto", "auto")


def test_settings_saved_with_the_former_fixed_defaults_get_the_planned_budget(panel, store):
    import json

    from mtl_studio.gui.training import CONFIG_META_KEY

    former = TrainConfig(learning_rate=5e-5, batch_size=16, epochs=3, seed=9)
    store.set_meta(CONFIG_META_KEY, json.dumps(former.to_dict()))
    panel.set_project(store)
    assert (panel.config().epochs, panel.config().learning_rate, panel.config().seed) == ("auto", "auto", 9)
    chosen = TrainConfig(learning_rate=5e-5, batch_size=16, epochs=4)  # a choice, not the former default
    store.set_meta(CONFIG_META_KEY, json.dumps(chosen.to_dict()))
    panel.set_project(store)
    assert (panel.config().epochs, panel.config().learning_rate) == (4, 5e-5)


def test_the_budget_line_shows_the_plan_and_follows_the_settings(panel, store, qtbot):
    """The line under the form is the engine's plan for the project's training documents, computed in
    the background, and it changes when an override changes the plan."""
    from mtl_studio.core.budget_preview import preview_budget

    train_docs = store.labelled_counts_per_split(("ner", "sentiment"))["train"]
    panel.set_project(store)
    qtbot.waitUntil(lambda: "budget:" in panel.budgetLabel.text(), timeout=30_000)
    text = panel.budgetLabel.text()
    assert text == preview_budget(store, panel.config()).describe()
    assert text.startswith("budget: about ") and f"auto: {train_docs} training documents" in text
    panel.epochsSpin.setValue(2)
    qtbot.waitUntil(lambda: panel.budgetLabel.text().startswith("budget: 2 epochs"), timeout=30_000)
    assert "about" not in panel.budgetLabel.text()


def test_device_choices_offer_torchrun_with_several_gpus(panel, monkeypatch):
    import torch

    labels = [panel.deviceCombo.itemText(i) for i in range(panel.deviceCombo.count())]
    assert labels[:2] == ["Automatic (GPU if available)", "CPU"]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: "Test GPU")
    panel.refresh_devices()
    choices = [panel.deviceCombo.itemData(i) for i in range(panel.deviceCombo.count())]
    assert [c.device for c in choices][2:4] == ["cuda:0", "cuda:1"]
    torchrun = [c for c in choices if c.nproc > 1]
    assert len(torchrun) == 1 and torchrun[0].nproc == 2
    assert "2 GPUs (torchrun)" in [panel.deviceCombo.itemText(i) for i in range(panel.deviceCombo.count())]


def test_torchrun_choice_uses_the_launcher(monkeypatch, tmp_path):
    """The worker's event source for N GPUs is launch_torchrun with the project, config and N."""
    import threading

    from mtl_studio.core import launcher
    from mtl_studio.gui.worker import engine_events

    calls = []
    monkeypatch.setattr(launcher, "launch_torchrun",
                        lambda project, config, nproc, *, stop: calls.append((project, config, nproc, stop)) or iter(()))
    config = TrainConfig(device="cuda")
    stop = threading.Event()
    assert list(engine_events(tmp_path / "p.mtl", config, nproc=2)(stop)) == []
    assert calls == [(str(tmp_path / "p.mtl"), config, 2, stop)]


def test_train_needs_a_project_and_an_encoder(panel, store, dialogs, tmp_path):
    assert not panel.trainButton.isEnabled()
    panel.set_project(store)
    assert panel.trainButton.isEnabled()
    panel.set_config(TrainConfig(encoder=str(tmp_path)))  # a folder: the local-folder mode
    assert panel.encoderKind.currentData() == "folder"
    panel.encoderEdit.setText(str(tmp_path / "missing"))
    assert not panel.start_training()
    assert dialogs[-1][:2] == ("critical", "Encoder not found")
    (tmp_path / "empty").mkdir()
    panel.encoderEdit.setText(str(tmp_path / "empty"))
    assert not panel.start_training()
    assert dialogs[-1][:2] == ("critical", "Encoder not found") and "config.json" in dialogs[-1][2]
    assert not running_threads()


def test_engine_error_becomes_a_dialog(panel, store, dialogs, qtbot):
    """A hub name that cannot be loaded (offline): the engine raises on its thread, the user sees a
    dialog naming the encoder, no traceback, and the thread ends."""
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder="no-such-org/no-such-encoder", epochs=1, device="cpu"))
    assert panel.encoderKind.currentData() == "hub"
    assert panel.start_training()
    assert not panel.trainButton.isEnabled() and panel.stopButton.isEnabled()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    assert dialogs, "no dialog shown"
    kind, title, text = dialogs[-1]
    assert (kind, title) == ("critical", "Encoder not found")
    assert "no-such-org/no-such-encoder" in text and "Traceback" not in text
    assert panel.trainButton.isEnabled() and not panel.stopButton.isEnabled()
    assert not running_threads()


def test_missing_device_becomes_a_dialog(panel, store, tiny_encoder, dialogs, qtbot, monkeypatch):
    """A GPU listed earlier but gone when the run starts: the engine refuses, a dialog names the device."""
    import torch

    from mtl_studio.gui.training import DeviceChoice

    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    monkeypatch.setattr(training_module, "available_devices",
                        lambda: [DeviceChoice("cpu", "cpu"), DeviceChoice("cuda:0 vanished", "cuda:0")])
    panel.refresh_devices()
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=1, device="cuda:0"))
    assert panel.device_choice().device == "cuda:0"
    assert panel.start_training()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    kind, title, text = dialogs[-1]
    assert (kind, title) == ("critical", "Cannot train") and "cuda" in text.lower()
    assert "Traceback" not in text
    assert not running_threads()


def test_nan_loss_becomes_a_dialog(panel, store, tiny_encoder, dialogs, qtbot, monkeypatch):
    """A NaN loss (injected into the real engine's NER loss) ends the run as failed with a dialog."""
    from mtl_studio.core import losses

    real = losses.ner_loss_sum
    monkeypatch.setattr(losses, "ner_loss_sum",
                        lambda *a, **k: (real(*a, **k)[0] * float("nan"), real(*a, **k)[1]))
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu"))
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        assert panel.start_training()
    assert panel.last_result.status == "failed"
    assert store.get_run(finished.args[0])["status"] == "failed"
    kind, title, text = dialogs[-1]
    assert (kind, title) == ("critical", "Training failed") and "nan" in text.lower()
    assert "Traceback" not in text
    assert not running_threads()


def test_joint_run_then_single_task_baselines(panel, store, tiny_encoder, dialogs, qtbot):
    """'Also train single-task baselines' queues NER-only and sentiment-only runs with the same settings."""
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=1, learning_rate=5e-5, batch_size=4, device="cpu",
                                 seed=5, max_steps_per_epoch=2))
    panel.baselinesCheck.setChecked(True)
    finished: list[str] = []
    panel.run_finished.connect(finished.append)
    assert panel.start_training()
    assert [c.tasks for c in panel.pending_runs()] == [("ner",), ("sentiment",)]
    qtbot.waitUntil(lambda: len(finished) == 3 and not panel.is_running(), timeout=300_000)
    assert not dialogs, dialogs
    runs = {r["id"]: r for r in store.list_runs()}
    assert [tuple(runs[i]["config"]["tasks"]) for i in finished] == [("ner", "sentiment"), ("ner",), ("sentiment",)]
    for i in finished:
        cfg = runs[i]["config"]
        assert (cfg["seed"], cfg["epochs"], cfg["learning_rate"], cfg["encoder"]) == (5, 1, 5e-5, str(tiny_encoder))
        assert runs[i]["status"] == "completed"
    assert panel.pending_runs() == []
    # Single-task tasks: the box has no meaning and is disabled.
    panel.task_checks()["sentiment"].setChecked(False)
    assert not panel.baselinesCheck.isEnabled()
    assert not running_threads()


def test_engine_warning_shows_a_banner(panel, store):
    """The engine's LogMessage warnings (e.g. a collapsed task weight) stay visible above the charts."""
    from mtl_studio.core.events import LogMessage

    panel.set_project(store)
    text = "the weight of task sentiment collapsed to 1.00e-04 (under 1/1000 of the largest)"
    panel._on_event(LogMessage("warning", text))
    assert panel.warningLabel.isVisibleTo(panel) and panel.warningLabel.text() == text
    assert text in panel.logView.toPlainText()


class StallMeter:
    """A 10 ms QTimer; the longest gap between two ticks is the longest the event loop was blocked."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = 0
        self.longest_ms = 0
        self.ticks = 0

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.longest_ms = max(self.longest_ms, now - self.last)
        self.last = now
        self.ticks += 1

    def __enter__(self) -> "StallMeter":
        self.clock.start()
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


def test_train_run_end_to_end(panel, store, tiny_encoder, qtbot, dialogs):
    """Train button -> real engine run on the tiny encoder -> run_finished; the live view, the results
    tables and the prediction view all show it; the window stays responsive; no thread is left."""
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=2, batch_size=4, device="cpu", strategy="fixed"))
    panel.task_weight_spins()["ner"].setValue(0.6)
    panel.task_weight_spins()["sentiment"].setValue(0.4)
    panel.resize(1100, 700)
    panel.show()
    started = time.perf_counter()
    with StallMeter() as meter, qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        qtbot.mouseClick(panel.trainButton, Qt.MouseButton.LeftButton)
        assert panel.is_running() and not panel.trainButton.isEnabled()
    elapsed = time.perf_counter() - started
    print(f"\nrun took {elapsed:.1f} s; longest event-loop stall {meter.longest_ms} ms over {meter.ticks} ticks")
    run_id = finished.args[0]
    assert not running_threads()
    assert not dialogs, dialogs
    # Training in the GUI thread would block for the whole run (seconds); the worker thread keeps the
    # loop ticking. One stall of about 0.2-0.5 s remains in a fresh process: the engine's first import of
    # seqeval -> scikit-learn loads shared libraries while holding the GIL.
    assert meter.longest_ms < 2000, f"the event loop stalled {meter.longest_ms} ms"

    run = store.get_run(run_id)
    assert run["status"] == "completed"
    assert (run["config"]["ner_weight"], run["config"]["sentiment_weight"]) == (0.6, 0.4)
    assert panel.progressBar.maximum() > 1 and panel.progressBar.value() == panel.progressBar.maximum()
    assert set(panel.lossChart.series_names()) >= {"ner", "sentiment"}
    assert len(panel.lossChart.points("ner")) == panel.progressBar.maximum()
    assert [y for _, y in panel.weightChart.points("ner")] == [0.6] * panel.progressBar.maximum()
    log = panel.logView.toPlainText()
    assert "Epoch 1 on dev" in log and "Epoch 2 on dev" in log and "completed" in log
    assert panel.trainButton.isEnabled() and not panel.stopButton.isEnabled()

    # Results: the tables fill from the stored run.
    results = ResultsPanel()
    qtbot.addWidget(results)
    results.set_project(store)
    results.show_run(run_id)
    ner = results.nerMetricsTable.model()
    names = [ner.index(r, 0).data() for r in range(ner.rowCount())]
    assert names == ["LOC", "ORG", "PER", "micro avg", "macro avg"]
    micro_f1 = ner.index(3, 3).data(Qt.ItemDataRole.UserRole)
    assert micro_f1 == pytest.approx(run["metrics"]["test"]["ner"]["micro"]["f1"])
    sent = results.sentimentMetricsTable.model()
    assert [sent.index(r, 0).data() for r in range(sent.rowCount())][-2:] == ["macro avg", "accuracy"]
    matrix = results.confusionMatrixTable.model().matrix()
    assert sum(map(sum, matrix)) == run["metrics"]["test"]["sentiment"]["documents"] == 6

    # Predictions: a document whose prediction differs from gold shows marked differences.
    view = PredictionView()
    qtbot.addWidget(view)
    view.set_project(store)
    view.set_run(run_id)
    assert view.splitCombo.currentData() == "test"
    view.errorsOnly.setChecked(True)
    wrong = view.docsModel.ids()
    assert wrong, "the tiny random encoder got every test document right?"
    doc_id = view.current_document()
    assert doc_id == wrong[0]
    marks = view.rendered_marks("gold") + view.rendered_marks("predicted")
    sentiment_wrong = "wrong" in view.predictedSentiment.text()
    assert any(kind in (FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_LABEL) for *_, kind in marks) or sentiment_wrong
    predicted = store.get_document(doc_id, sources=("predicted",), run_id=run_id)
    with qtbot.waitSignal(view.gold_changed):
        qtbot.mouseClick(view.acceptButton, Qt.MouseButton.LeftButton)
    gold = store.get_document(doc_id)
    assert [(s.start, s.end, s.label) for s in gold.spans] == [
        (s.start, s.end, s.label) for s in predicted.other_spans]
    assert gold.sentiment.label == predicted.other_sentiments[0].label
    assert doc_id not in view.docsModel.ids()  # no longer an error document


def test_stop_button_stops_within_one_step_and_resume_finishes(panel, store, tiny_encoder, qtbot, dialogs,
                                                              monkeypatch):
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=2, batch_size=2, device="cpu",
                                 early_stopping_patience=0))
    assert not panel.resumeButton.isEnabled()
    assert panel.start_training()
    job = panel.job
    steps: list[int] = []

    def on_event(ev):
        if isinstance(ev, StepProgress):
            steps.append(ev.step)
            if len(steps) == 3:
                qtbot.mouseClick(panel.stopButton, Qt.MouseButton.LeftButton)
                assert not panel.stopButton.isEnabled()

    job.event.connect(on_event)
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        pass
    run_id = finished.args[0]
    assert not running_threads()
    assert not dialogs, dialogs
    assert panel.last_result.status == "stopped"
    assert store.get_run(run_id)["status"] == "stopped"
    # The engine ran at most one more optimizer step after the click.
    assert panel.steps_after_stop is not None and panel.steps_after_stop <= 1
    total = panel.progressBar.maximum()
    assert steps[-1] < total
    assert "Stop requested." in panel.logView.toPlainText()

    # Resume continues the same run from its checkpoint to the end, with the run's own settings: the
    # form changed since (another device, another seed) does not reach the engine.
    stored = TrainConfig.from_dict(store.get_run(run_id)["config"])
    panel.deviceCombo.setCurrentIndex(panel.deviceCombo.findText("Automatic (GPU if available)"))
    panel.seedSpin.setValue(stored.seed + 1)
    assert panel.config().device == "auto" != stored.device
    sources = []
    real_engine_events = training_module.engine_events
    monkeypatch.setattr(training_module, "engine_events", lambda project, config, **kw: sources.append(
        (config, kw)) or real_engine_events(project, config, **kw))
    assert panel.resumeButton.isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as resumed:
        qtbot.mouseClick(panel.resumeButton, Qt.MouseButton.LeftButton)
    assert resumed.args == [run_id]
    assert sources == [(stored, {"resume_run_id": run_id})]
    assert stored.device == "cpu"
    assert panel.last_result.status == "completed"
    assert store.get_run(run_id)["status"] == "completed"
    assert not panel.resumeButton.isEnabled()
    assert not running_threads()


@pytest.mark.slow
def test_torchrun_choice_streams_into_the_panel(panel, store, tiny_encoder, qtbot, dialogs, monkeypatch):
    """'N GPUs (torchrun)' runs the real launcher; here 2 CPU processes with Gloo stand in for 2 GPUs
    (the device list is patched to offer them), and the events arrive in the same panel."""
    from mtl_studio.gui.training import DeviceChoice

    monkeypatch.setattr(training_module, "available_devices",
                        lambda: [DeviceChoice("auto", "auto"), DeviceChoice("cpu", "cpu"),
                                 DeviceChoice("2 processes", "cpu", 2)])
    panel.refresh_devices()
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu"))
    panel.deviceCombo.setCurrentIndex(2)
    assert panel.device_choice().nproc == 2 and panel.deviceCombo.currentText() == "2 GPUs (torchrun)"
    with qtbot.waitSignal(panel.run_finished, timeout=300_000) as finished:
        assert panel.start_training()
    assert not dialogs, dialogs
    assert panel.last_result.status == "completed"
    assert store.get_run(finished.args[0])["status"] == "completed"
    assert len(store.list_runs()) == 1  # only rank 0 recorded the run
    assert panel.progressBar.value() == panel.progressBar.maximum() > 0
    assert "Epoch 1 on dev" in panel.logView.toPlainText()
    assert not running_threads()


# ---- language fit: the unknown-token warning and the encoders-by-language picker -----------------

needs_offline = pytest.mark.skipif(offline_encoder_path() is None, reason="offline encoder not installed")


@contextlib.contextmanager
def _panel_on_texts(panel, path, texts):
    """The panel showing a new project of these texts; yields its language-fit label."""
    store = ProjectStore.create(path)
    store.add_sentiment_class("pos")
    for t in texts:
        store.add_document(Document(text=t, tokens=tokenize(t)))
    try:
        panel.set_project(store)
        yield panel.languageFitLabel
    finally:
        panel.languageFitLabel.tasks.wait()
        store.close()


@needs_offline
def test_chinese_project_shows_the_warning_and_a_suggestion_fills_the_encoder(panel, qtbot, tmp_path):
    with _panel_on_texts(panel, tmp_path / "zh.mtl", ["熟悉机器学习与自然语言处理，负责过推荐系统和搜索排序的研发工作。"]) as label:
        qtbot.waitUntil(lambda: label.isVisibleTo(panel), timeout=30_000)
        assert "bert-base-chinese" in label.text() and "unknown token" in label.text()
        combo = panel.suggestedEncoders
        index = combo.findData("bert-base-chinese")
        assert index > 0 and combo.itemText(index).startswith("Chinese")
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
        assert panel.config().encoder == "bert-base-chinese"
        assert combo.currentIndex() == 0  # back to the prompt: the picker is not a setting itself


@needs_offline
def test_english_project_shows_no_warning(panel, qtbot, tmp_path):
    with _panel_on_texts(panel, tmp_path / "en.mtl", ["Apple shares rose 5% after the results in Berlin."]) as label:
        qtbot.waitUntil(label.settled, timeout=30_000)
        assert not label.isVisibleTo(panel)
