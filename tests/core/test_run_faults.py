"""Faults during training leave a true state: a killed run reads "interrupted" and resumes; Ctrl-C in
the first epoch writes a checkpoint that resume continues from, with the result of an uninterrupted run.

The runs are real `mtl-studio train` processes on the tiny encoder (tests/core/train_child.py).
"""
from __future__ import annotations

import datetime as dt
import errno
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mtl_studio.cli import main as cli_main
import mtl_studio.core.train as train_module
from mtl_studio.core.config import TrainConfig
from mtl_studio.core.errors import TrainingError
from mtl_studio.core.events import StepProgress
from mtl_studio.core.run_liveness import (HEARTBEAT_STALE_S, ProcessIdentity, current_process, is_alive,
                                          seems_interrupted)
from mtl_studio.core.store import SCHEMA_VERSION, ProjectStore
from mtl_studio.core.train import train
from project_helpers import ENGINE, make_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")
HERE = Path(__file__).resolve().parent


def _config(tmp_path: Path, encoder: Path) -> tuple[Path, TrainConfig]:
    config = TrainConfig(encoder=str(encoder), device="cpu", batch_size=4, epochs=2, max_length=64,
                         early_stopping_patience=0, seed=3)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(config.to_dict()), encoding="utf-8")
    return path, config


def _start(project: Path, config: Path, *more: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, str(HERE / "train_child.py"), str(project), str(config), *more],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=HERE)


def _read_until_step(proc: subprocess.Popen, step: int) -> None:
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.strip() == f"STEP {step}":
            return
    raise AssertionError(f"the run ended before step {step}: {proc.wait()} {proc.stderr.read()}")  # type: ignore


def _steps(stdout: str) -> list[int]:
    return [int(line.split()[1]) for line in stdout.splitlines() if line.startswith("STEP ")]


def test_a_killed_run_reads_interrupted_and_resumes(tmp_path, tiny_encoder, capsys):
    project = tmp_path / "p.mtl"
    make_project(project, ENGINE).close()
    config, _ = _config(tmp_path, tiny_encoder)
    proc = _start(project, config)
    try:
        _read_until_step(proc, 2)
        with ProjectStore.open(project) as store:
            assert store.get_run()["status"] == "running"  # alive: the process is there
        proc.send_signal(signal.SIGKILL)  # no handler runs: as the OOM killer or a power loss
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with ProjectStore.open(project) as store:
        run = store.get_run()
    assert run["status"] == "interrupted"
    assert cli_main(["runs", str(project)]) == 0
    assert "interrupted" in capsys.readouterr().out
    assert cli_main(["runs", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "interrupted"

    assert cli_main(["train", str(project), "--resume", run["id"]]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == run["id"]
    with ProjectStore.open(project) as store:
        resumed = store.get_run(run["id"])
    assert resumed["status"] == "completed" and resumed["metrics"]["test"]


def test_ctrl_c_in_the_first_epoch_checkpoints_and_resume_continues_there(tmp_path, tiny_encoder):
    project, twin = tmp_path / "p.mtl", tmp_path / "twin.mtl"
    make_project(project, ENGINE).close()
    make_project(twin, ENGINE).close()
    config_file, config = _config(tmp_path, tiny_encoder)
    proc = _start(project, config_file)
    _read_until_step(proc, 2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    run_id = out.strip().splitlines()[-1]
    assert "--resume" in err
    state = json.loads((tmp_path / "p.mtl.runs" / run_id / "last" / "trainer_state.json").read_text())
    stopped_at = state["state"]["global_step"]
    assert state["state"]["epoch"] == 0 and 2 <= stopped_at < 4  # 4 steps per epoch: inside the first
    with ProjectStore.open(project) as store:
        assert store.get_run(run_id)["status"] == "stopped"

    resume = _start(project, config_file, "--resume", run_id)
    out, err = resume.communicate(timeout=300)
    assert resume.returncode == 0, err
    assert _steps(out) == list(range(stopped_at + 1, 9))  # on from the checkpoint, to the last of 8 steps
    uninterrupted = list(train(str(twin), config))[-1]
    with ProjectStore.open(project) as store:
        assert store.get_run(run_id)["metrics"]["test"] == uninterrupted.metrics["test"]


# ---- the liveness rule itself ---------------------------------------------------------------------------

def _stamp(seconds_ago: float) -> str:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds_ago)).isoformat(timespec="seconds")


def test_a_live_process_is_alive_and_a_reused_pid_is_not():
    me = current_process()
    assert is_alive(me) is True
    assert is_alive(ProcessIdentity(me.host, me.pid, "another-boot:1")) is False  # same PID, other process
    assert not seems_interrupted(me, None, _stamp(3600))  # alive: however old its heartbeat


def test_a_dead_process_reads_interrupted_at_once():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    me = current_process()
    from mtl_studio.core.run_liveness import process_start

    identity = ProcessIdentity(me.host, child.pid, process_start(child.pid))
    assert not seems_interrupted(identity, _stamp(0), _stamp(0))
    child.kill()
    child.wait()
    assert seems_interrupted(identity, _stamp(0), _stamp(0))  # a fresh heartbeat does not matter here


def test_a_process_on_another_host_goes_by_its_heartbeat():
    elsewhere = ProcessIdentity("some-other-host", 1, "x:1")
    assert is_alive(elsewhere) is None
    assert not seems_interrupted(elsewhere, _stamp(5), _stamp(600))
    assert seems_interrupted(elsewhere, _stamp(HEARTBEAT_STALE_S + 30), _stamp(600))
    assert seems_interrupted(None, None, _stamp(HEARTBEAT_STALE_S + 30))  # a run row from before heartbeats


# ---- projects from before run liveness (schema 1) --------------------------------------------------------

def _schema_1_project(path: Path, status: str) -> None:
    from mtl_studio.core.store import MIGRATIONS, _split_sql

    conn = sqlite3.connect(path, isolation_level=None)
    for statement in _split_sql(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('created_at', '2025-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO runs (id, created_at, status, config, dataset_hash) VALUES "
                 "('old-run', '2025-01-01T00:00:00+00:00', ?, '{}', 'h')", (status,))
    conn.execute("PRAGMA user_version=1")
    conn.close()


def test_a_schema_1_project_upgrades_and_its_dead_running_run_reads_interrupted(tmp_path):
    project = tmp_path / "old.mtl"
    _schema_1_project(project, "running")
    with ProjectStore.open(project) as store:
        assert store.get_run("old-run")["status"] == "interrupted"
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with ProjectStore.open(project) as store:  # opens again as it is
        assert [r["status"] for r in store.list_runs()] == ["interrupted"]


def test_a_read_only_schema_1_project_is_browsed_without_upgrading(tmp_path):
    project = tmp_path / "old.mtl"
    _schema_1_project(project, "completed")
    with ProjectStore.open(project, read_only=True) as store:
        assert [r["status"] for r in store.list_runs()] == ["completed"]
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 1


# ---- in-process faults: a full disk under the checkpoint, a closed run, a live run --------------------------

def _stop_at(project: Path, config: TrainConfig, step: int) -> list:
    stop = threading.Event()
    events = []
    for ev in train(str(project), config, stop=stop):
        events.append(ev)
        if isinstance(ev, StepProgress) and ev.step == step:
            stop.set()
    return events


def test_a_full_disk_under_the_first_checkpoint_says_so_and_promises_nothing(tmp_path, tiny_encoder, monkeypatch):
    project = tmp_path / "p.mtl"
    make_project(project, ENGINE).close()
    _, config = _config(tmp_path, tiny_encoder)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(train_module, "save_resume_point", full_disk)
    finished = _stop_at(project, config, 2)[-1]
    assert finished.status == "failed"
    assert "no space left on device" in finished.message and "no checkpoint to resume from" in finished.message
    assert "--resume" not in finished.message
    with ProjectStore.open(project) as store:
        run = store.get_run(finished.run_id)
    assert run["status"] == "failed" and run["message"] == finished.message


def test_a_full_disk_under_a_later_checkpoint_keeps_the_previous_one(tmp_path, tiny_encoder, monkeypatch):
    project = tmp_path / "p.mtl"
    make_project(project, ENGINE).close()
    _, config = _config(tmp_path, tiny_encoder)
    real_save, calls = train_module.save_resume_point, []

    def full_the_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(train_module, "save_resume_point", full_the_second_time)
    finished = _stop_at(project, config, 6)[-1]  # the end of epoch 1 saved; the stop in epoch 2 cannot
    assert finished.status == "failed" and "previous checkpoint is kept" in finished.message
    monkeypatch.undo()
    resumed = list(train(str(project), config, resume_run_id=finished.run_id))
    assert [e.step for e in resumed if isinstance(e, StepProgress)][0] == 5  # on from the end of epoch 1
    assert resumed[-1].status == "completed"


def test_a_run_closed_before_its_first_checkpoint_does_not_promise_one(tmp_path, tiny_encoder):
    project = tmp_path / "p.mtl"
    make_project(project, ENGINE).close()
    _, config = _config(tmp_path, tiny_encoder)
    events = train(str(project), config)
    next(ev for ev in events if isinstance(ev, StepProgress))
    events.close()  # the consumer went away (a closed window): GeneratorExit inside the trainer
    with ProjectStore.open(project) as store:
        run = store.get_run()
    assert run["status"] == "stopped" and "no checkpoint was written yet" in run["message"]
    assert "continues it from its last checkpoint" not in run["message"]


def test_a_run_whose_process_lives_cannot_be_resumed_twice(tmp_path, tiny_encoder):
    project = tmp_path / "p.mtl"
    store = make_project(project, ENGINE)
    _, config = _config(tmp_path, tiny_encoder)
    run_id = store.create_run(config.to_dict())  # owned by this live process, as a run in progress is
    store.close()
    with pytest.raises(TrainingError, match="still running"):
        list(train(str(project), config, resume_run_id=run_id))
