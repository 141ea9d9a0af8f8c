"""A run whose process died shows as interrupted in the run history and can be resumed from the Train tab."""
from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtCore import Qt

from mtl_studio.core.config import TrainConfig
from mtl_studio.gui.metrics_models import RunHistoryModel
from test_training_panel import panel, store  # noqa: F401 - the training panel fixtures (dialogs: conftest)

# A process that records a run as running and exits without a word, as a killed trainer would.
CREATE_RUN_AND_VANISH = ("import json, sys\nfrom mtl_studio.core.store import ProjectStore\n"
                         "s = ProjectStore.open(sys.argv[1])\nprint(s.create_run(json.loads(sys.argv[2])))\n"
                         "import os; os._exit(0)\n")


def _vanished_run(store, config: TrainConfig) -> str:
    out = subprocess.run([sys.executable, "-c", CREATE_RUN_AND_VANISH, str(store.path),
                          json.dumps(config.to_dict())], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_an_interrupted_run_is_shown_and_offered_for_resume(panel, store, tiny_encoder, qtbot, dialogs):
    config = TrainConfig(encoder=str(tiny_encoder), epochs=1, batch_size=4, device="cpu",
                         early_stopping_patience=0)
    run_id = _vanished_run(store, config)
    run = store.run_record(run_id)
    assert run.status == "interrupted" and "from the beginning" in run.message  # no checkpoint was written

    history = RunHistoryModel()
    history.set_runs([run], "test")
    status = history.index(0, RunHistoryModel.COLUMNS.index("status"))
    assert history.data(status) == "interrupted"
    tip = history.data(status, Qt.ItemDataRole.ToolTipRole)
    assert "the Resume button" in tip and "--resume" not in tip  # the GUI names its button, not the CLI

    panel.set_project(store)
    assert panel.resumeButton.isEnabled()
    assert "interrupted" in panel.statusLabel.text()
    with qtbot.waitSignal(panel.run_finished, timeout=120_000):
        assert panel.resume_training()
    assert not dialogs, dialogs
    assert panel.last_result.status == "completed" and panel.last_result.run_id == run_id
    assert store.run_record(run_id).status == "completed"


def test_the_status_line_names_the_averaged_epochs_of_a_weight_soup(panel, store, tiny_encoder):
    """A finished joint run whose model is the average of epochs 12 and 13 (core/weight_soup.py) says so;
    one whose model is its best epoch names that epoch only."""
    config = TrainConfig(encoder=str(tiny_encoder), epochs=20, device="cpu").to_dict()
    plain = store.create_run(config)
    store.update_run(plain, status="completed", metrics={"tasks": ["ner", "sentiment"], "best_epoch": 7})
    panel.set_project(store)
    assert panel.statusLabel.text().endswith(", best epoch 7")
    soup = store.create_run(config)
    store.update_run(soup, status="early_stopped", metrics={"tasks": ["ner", "sentiment"], "best_epoch": 12,
                                                           "soup_epochs": [12, 13]})
    panel.set_project(store)
    assert soup in panel.statusLabel.text()
    assert panel.statusLabel.text().endswith(", best epoch 12 (weights of epochs 12, 13 averaged)")
