"""`mtl-studio train` in a child process that the fault tests can kill or interrupt at a known step.

    python train_child.py PROJECT CONFIG_JSON [more train options, e.g. --resume RUN_ID]

Runs the real command (its Ctrl-C handling included) and prints `STEP n` on stdout, flushed, after the
engine reports optimizer step n, so the test knows when to send its signal. The command's own output
(the run id as the last line) follows on stdout.
"""
from __future__ import annotations

import sys

import torch

import mtl_studio.core.train as train_module
from mtl_studio.cli import main
from mtl_studio.core.events import StepProgress

plain_train = train_module.train


def train_telling_steps(*args, **kwargs):
    for event in plain_train(*args, **kwargs):
        if isinstance(event, StepProgress):
            print(f"STEP {event.step}", flush=True)
        yield event


if __name__ == "__main__":
    torch.set_num_threads(1)
    train_module.train = train_telling_steps  # cmd_train imports it from the module when it runs
    project, config, *more = sys.argv[1:]
    sys.exit(main(["train", project, "--config", config, *more]))
