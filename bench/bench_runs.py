"""One training run of a benchmark: train a project with a TrainConfig and return its test scores and its
training time (optimizer steps only: dev evaluation between epochs is not counted)."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without install


def train_and_score(project: Path, config: Any, name: str, log_every: int = 50) -> dict[str, Any]:
    """Train `config` (a TrainConfig) on `project`; the best model's test scores and the timings."""
    from mtl_studio.core.events import LogMessage, RunFinished, RunStarted, StepProgress
    from mtl_studio.core.train import train

    t0 = time.perf_counter()
    train_s = 0.0
    last_step_t = t0
    steps = total_steps = 0
    resolved: dict[str, Any] = {}  # the run's configuration as the trainer resolved it (planned budget)
    train_documents: dict[str, int] = {}
    finished = None
    for ev in train(str(project), config):
        now = time.perf_counter()
        if isinstance(ev, RunStarted):
            total_steps = ev.total_steps
            resolved = ev.config
            train_documents = dict(ev.train_documents)
            print(f"[{name}] {ev.total_steps} steps, training documents {ev.train_documents}", file=sys.stderr)
            last_step_t = now
        elif isinstance(ev, StepProgress):
            train_s += now - last_step_t
            last_step_t = now
            steps = ev.step
            if ev.step % log_every == 0:
                print(f"[{name}] step {ev.step}/{ev.total_steps} " +
                      " ".join(f"{k}={v:.3f}" for k, v in ev.losses.items()), file=sys.stderr)
        elif isinstance(ev, LogMessage) and (ev.level != "info" or ev.code.startswith(("weight_soup", "task_dist"))):
            print(f"[{name}] {ev.level}: {ev.text}", file=sys.stderr)
        elif isinstance(ev, RunFinished):
            finished = ev
        else:
            last_step_t = now  # evaluation time is not training time
    if finished is None or finished.status not in ("completed", "early_stopped"):
        raise SystemExit(f"{name}: run did not complete: {finished}")
    test = finished.metrics.get("test", {})
    ner, sent = test.get("ner"), test.get("sentiment")
    return {
        "run": name, "run_id": finished.run_id, "status": finished.status, "best_epoch": finished.best_epoch,
        "epochs_trained": finished.metrics.get("epochs_trained"), "steps": steps, "planned_steps": total_steps,
        "learning_rate": resolved.get("learning_rate"), "planned_epochs": resolved.get("epochs"),
        "train_seconds": round(train_s, 1), "total_seconds": round(time.perf_counter() - t0, 1),
        "ner_f1": ner["micro"]["f1"] if ner else None,
        "ner_test_documents": ner["documents"] if ner else None,
        "sentiment_macro_f1": sent["macro"]["f1"] if sent else None,
        "sentiment_accuracy": sent["accuracy"] if sent else None,
        "sentiment_test_documents": sent["documents"] if sent else None,
        "test_score": test.get("score"),
        "soup_epochs": finished.metrics.get("soup_epochs"),
        "train_documents": train_documents,
        "dev": finished.metrics.get("dev"),
    }
