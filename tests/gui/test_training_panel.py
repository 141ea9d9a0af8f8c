"""The training panel: settings -> TrainConfig, the device list, error dialogs, and real runs of the
engine on the tiny encoder (finished signal, metrics tables, prediction differences, stop, no thread
left running, event-loop responsiveness)."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from mtl_studio.core.config import StepProgress, TrainConfig
from mtl_studio.gui import training as training_module
from mtl_studio.gui.predictions import FALSE_NEGATIVE, FALSE_POSITIVE, WRONG_LABEL, PredictionView
from mtl_studio.gui.results import ResultsPanel
from mtl_studio.gui.training import TrainingPanel
from mtl_studio.gui.worker import running_threads
from training_project import build_project


@pytest.fixture
def dialogs(monkeypatch):
    """Capture QMessageBox dialogs instead of blocking on them."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda parent, title, text, *a, _k=kind, **kw: shown.append((_k, title, text))
            or QMessageBox.StandardButton.Ok))
    return shown


@pytest.fixture
def store(tmp_path):
    s = build_project(tmp_path / "project.mtl")
    yield s
    s.close()


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel()
    qtbot.addWidget(p)
    yield p
    assert p.shutdown(60_000)
    qtbot.waitUntil(lambda: not running_threads(), timeout=60_000)


def test_slider_sets_task_weights(panel, store):
    panel.set_project(store)
    slider = panel.taskWeightSlider
    assert slider.isEnabled()
    assert panel.weightLabel.text() == "NER 0.50 / Sentiment 0.50"
    slider.setValue(70)
    assert panel.weightLabel.text() == "NER 0.70 / Sentiment 0.30"
    cfg = panel.config()
    assert (cfg.strategy, cfg.ner_weight, cfg.sentiment_weight) == ("fixed", 0.7, 0.3)
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("uncertainty"))
    assert not slider.isEnabled()  # weights are learned, the slider has no meaning
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("fixed"))
    panel.tasksCombo.setCurrentIndex(panel.tasksCombo.findData("ner"))
    assert not slider.isEnabled() and not panel.strategyCombo.isEnabled()
    assert panel.config().tasks == ("ner",)


def test_slider_keyboard(panel, store, qtbot):
    panel.set_project(store)
    panel.show()
    panel.taskWeightSlider.setFocus()
    qtbot.keyClick(panel.taskWeightSlider, Qt.Key.Key_PageUp)
    assert panel.config().ner_weight == pytest.approx(0.6)
    assert panel.weightLabel.text() == "NER 0.60 / Sentiment 0.40"


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
    panel.encoderEdit.setText(str(tmp_path / "missing"))
    assert not panel.start_training()
    assert dialogs and dialogs[-1][:2] == ("critical", "Encoder not found")
    assert not running_threads()


def test_engine_error_becomes_a_dialog(panel, store, dialogs, tmp_path, qtbot):
    """An encoder folder without a model: the engine raises, the user sees a dialog, no traceback."""
    empty = tmp_path / "empty-encoder"
    empty.mkdir()
    panel.set_project(store)
    panel.set_config(TrainConfig(encoder=str(empty), epochs=1, device="cpu"))
    assert panel.start_training()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    assert dialogs, "no dialog shown"
    kind, title, text = dialogs[-1]
    assert kind == "critical" and "encoder" in (title + text).lower()
    assert "Traceback" not in text
    assert not running_threads()


def test_collapse_warning_for_automatic_strategies(panel, store):
    panel.set_project(store)
    panel.strategyCombo.setCurrentIndex(panel.strategyCombo.findData("uncertainty"))
    panel._on_event(StepProgress(1, 10, 1, {"ner": 1.0, "sentiment": 1.0}, {"ner": 1.9, "sentiment": 0.02},
                                 10.0, 5.0, 5e-5))
    assert panel.warningLabel.isVisibleTo(panel)
    assert "sentiment" in panel.warningLabel.text()
