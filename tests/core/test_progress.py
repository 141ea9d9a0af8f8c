"""Progress of long commands off a terminal: a line every interval with count, total, rate and ETA."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtl_studio.commands.progress import INTERVAL_ENV, ProgressLine, format_duration, interval_from_env

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_one_line_per_interval_with_rate_and_eta():
    out, clock = io.StringIO(), Clock()
    bar = ProgressLine("predict", 1000, "texts", stream=out, interval=5, clock=clock)
    clock.now += 1
    bar.update(100)  # within the first interval: nothing yet
    assert out.getvalue() == ""
    for done in range(200, 1001, 100):
        clock.now += 1
        bar.update(done)
    bar.finish()
    lines = out.getvalue().splitlines()
    # updates at t=+1..+10: lines at +5 and +10, then finish adds nothing (already printed 1000)
    assert lines == ["predict: 500/1,000 texts (50%) · 100 texts/s · ETA 5s",
                     "predict: 1,000/1,000 texts (100%) · 100 texts/s · 10s elapsed"]


def test_unknown_total_extra_text_and_a_callers_eta():
    out, clock = io.StringIO(), Clock()
    bar = ProgressLine("train", 3000, "steps", stream=out, interval=0, clock=clock)
    clock.now += 60
    bar.update(120, extra="epoch 1 ner=0.532", eta_seconds=1371)
    bar2 = ProgressLine("import", None, "documents", stream=out, interval=0, clock=clock)
    clock.now += 2
    bar2.update(4000)
    clock.now += 2
    bar2.update(8000)
    assert out.getvalue().splitlines() == [
        "train: 120/3,000 steps (4%) · 2.0 steps/s · ETA 22m51s · epoch 1 ner=0.532",
        "import: 4,000 documents · 2,000 documents/s · 2s elapsed",
        "import: 8,000 documents · 2,000 documents/s · 4s elapsed",  # rate from the first update on
    ]


def test_a_quick_command_prints_nothing_and_messages_pass_through():
    out, clock = io.StringIO(), Clock()
    bar = ProgressLine("evaluate", 10, "documents", stream=out, interval=5, clock=clock)
    bar.update(10)
    bar.write("epoch 1 dev: NER F1 0.5")
    bar.finish()
    assert out.getvalue() == "epoch 1 dev: NER F1 0.5\n"


def test_on_a_terminal_the_line_is_redrawn_in_place():
    out, clock = Tty(), Clock()
    bar = ProgressLine("train", 10, "steps", stream=out, interval=60, clock=clock)  # a tty ignores it
    clock.now += 1
    bar.update(5)
    bar.write("epoch 1 dev: ok")
    clock.now += 1
    bar.update(10)
    bar.finish()
    text = out.getvalue()
    assert text.startswith("\r\x1b[Ktrain: 5/10 steps (50%)")
    assert "\r\x1b[Kepoch 1 dev: ok\n\r\x1b[Ktrain: 5/10" in text and text.endswith("elapsed\n")


def test_interval_from_the_environment(monkeypatch):
    monkeypatch.setenv(INTERVAL_ENV, "0.5")
    assert interval_from_env() == 0.5
    monkeypatch.setenv(INTERVAL_ENV, "soon")
    assert interval_from_env() == 5.0
    monkeypatch.delenv(INTERVAL_ENV)
    assert interval_from_env() == 5.0
    assert [format_duration(s) for s in (4, 75, 3725)] == ["4s", "1m15s", "1h02m"]


@pytest.mark.usefixtures("one_torch_thread")
def test_cli_train_prints_progress_lines_into_a_pipe(tmp_path, tiny_encoder):
    from project_helpers import ENGINE, make_project

    project = tmp_path / "p.mtl"
    make_project(project, ENGINE).close()
    env = {**os.environ, INTERVAL_ENV: "0", "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "mtl_studio", "train", str(project), "--encoder", str(tiny_encoder),
                        "--device", "cpu", "--epochs", "2", "--batch-size", "4", "--max-length", "64"],
                       capture_output=True, text=True, env=env, timeout=600)  # stderr is a pipe, not a tty
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("train: ")]
    assert len(lines) >= 4, r.stderr  # 2 epochs of 4 steps, one line each at interval 0
    assert "\r" not in r.stderr
    last = lines[-1]
    assert last.startswith("train: 8/8 steps (100%)") and "steps/s" in last and "ner=" in last, last
    assert any("ETA" in line for line in lines[:-1])


@pytest.mark.usefixtures("one_torch_thread")
def test_predict_evaluate_and_pseudo_label_print_progress(tmp_path, tiny_encoder, capsys, monkeypatch):
    from project_helpers import ENGINE, make_project

    from mtl_studio.cli import main

    monkeypatch.setenv(INTERVAL_ENV, "0")
    project = str(tmp_path / "p.mtl")
    make_project(project, ENGINE).close()
    assert main(["train", project, "--encoder", str(tiny_encoder), "--device", "cpu", "--epochs", "1",
                 "--batch-size", "4", "--max-length", "64", "--export", str(tmp_path / "model")]) == 0
    capsys.readouterr()
    assert main(["evaluate", project, "--split", "dev", "--recompute"]) == 0
    assert "evaluate: 3/3 documents (100%)" in capsys.readouterr().err
    texts = tmp_path / "texts.txt"
    texts.write_text("Apple rose\n\nSiemens fell\n", encoding="utf-8")
    assert main(["predict", str(tmp_path / "model"), str(texts), "-o", str(tmp_path / "out.jsonl")]) == 0
    assert "predict: 3/3 texts (100%)" in capsys.readouterr().err
    assert main(["pseudo-label", project, "--threshold", "0"]) == 0
    err = capsys.readouterr().err
    assert "pseudo-label: " in err and "documents (100%)" in err


def test_import_of_a_big_file_prints_progress(tmp_path, capsys, monkeypatch):
    from mtl_studio.cli import main

    monkeypatch.setenv(INTERVAL_ENV, "0")
    big = tmp_path / "big.txt"
    big.write_text("".join(f"Line {i} of a big file.\n" for i in range(2500)), encoding="utf-8")
    assert main(["new", str(tmp_path / "p.mtl")]) == 0
    assert main(["import", str(tmp_path / "p.mtl"), str(big), "-q"]) == 0
    err = capsys.readouterr().err
    assert "import: 1,000 documents" in err and "import: 2,000 documents" in err and "documents/s" in err
