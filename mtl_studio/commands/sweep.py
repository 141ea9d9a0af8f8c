"""`mtl-studio sweep PROJECT --points K`: a task-weight sweep and its Pareto front (core/sweep.py).

Prints the time estimate on stderr before the first run, one line per finished point, then the points
(a table, or with --json one object per point with `on_front`) on stdout; the sweep id is the last line
of the table output. Ctrl-C stops after the current step; the runs that finished stay.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any

from mtl_studio.core.config import DEFAULT_PRESET, PRESET_TABLE, PRESETS
from mtl_studio.core.strategies import STRATEGIES


def register(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("sweep", help="train across task weights and show the Pareto front of the dev scores",
                       description="K runs with fixed task weights (w, 1-w) at evenly spaced interior points "
                                   "(a grid on the simplex for more tasks), optionally the automatic "
                                   "strategies and the single-task baselines, one after another. Dev scores "
                                   "per task and the Pareto front; every run is tagged with the sweep id.")
    p.add_argument("project", help="project file (.mtl)")
    p.add_argument("--points", type=int, default=5, help="weight points (default 5)")
    p.add_argument("--strategies", type=_strategies, default=(),
                   help=f"also run these automatic strategies, comma-separated ({', '.join(STRATEGIES)})")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=int, help="epochs per run")
    budget.add_argument("--max-steps", type=int, help="optimizer steps per run (one epoch capped at N steps)")
    p.add_argument("--baselines", action="store_true", help="also train the single-task baselines")
    p.add_argument("--json", action="store_true", help="print every point as JSON, the front marked")
    p.add_argument("--config", metavar="FILE", help="JSON run configuration the points start from")
    p.add_argument("--preset", choices=list(PRESETS),
                   help="; ".join(f"{x.name}: {x.summary()}" + (" (default)" if x.name == DEFAULT_PRESET else "")
                                  for x in PRESET_TABLE))
    p.add_argument("--encoder", help="'offline' (bundled MiniLM), a Hugging Face model name, or a folder")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    for flag, dest in (("--batch-size", "batch_size"), ("--max-length", "max_length"), ("--seed", "seed"),
                       ("--conflict-every", "conflict_every")):
        p.add_argument(flag, dest=dest, type=int)
    p.add_argument("--no-estimate", dest="estimate", action="store_false",
                   help="skip the short probe run that measures the step time for the estimate")
    p.set_defaults(func=cmd_sweep)


def _strategies(value: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in value.split(",") if s.strip())
    bad = [s for s in names if s not in STRATEGIES]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown strategy {bad[0]!r}; choose from {', '.join(STRATEGIES)}")
    return names


def _scores(dev: dict[str, float]) -> str:
    return " ".join(f"{t} {v:.4f}" for t, v in dev.items()) or "no dev scores"


def cmd_sweep(args: argparse.Namespace) -> int:
    import dataclasses
    import os

    from mtl_studio.commands.engine import _SigintStop, _quiet_transformers, build_config
    from mtl_studio.commands.progress import ProgressLine, format_duration
    from mtl_studio.core.sweep import (SweepFinished, SweepPointFinished, SweepPointStarted, budget_config,
                                       estimate_sweep, plan_sweep, run_sweep)
    from mtl_studio.core.events import StepProgress

    if not os.path.exists(args.project):
        raise FileNotFoundError(f"no project at {args.project}")
    if args.points < 1:
        raise ValueError("--points must be at least 1")
    base = budget_config(build_config(args), max_steps=args.max_steps)
    if not base.tasks:  # the sweep trades the two built-in tasks off, as it always has
        base = dataclasses.replace(base, tasks=("ner", "sentiment"))
    if len(base.tasks) < 2:
        raise ValueError("a weight sweep needs two tasks (ner,sentiment)")
    _quiet_transformers()
    plan = plan_sweep(base.tasks, args.points, args.strategies, baselines=args.baselines)
    print(f"sweep: {len(plan)} runs: " + ", ".join(p.label for p in plan), file=sys.stderr)
    if args.estimate:
        est = estimate_sweep(args.project, plan, base)
        print(f"estimate: {format_duration(est.total_seconds)} in all ({est.runs} runs, {est.total_steps} "
              f"steps in all at {est.step_seconds:.2f} s/step, plus evaluation; step time "
              f"{'of finished runs on this machine' if est.from_finished_runs else 'from a probe run'})",
              file=sys.stderr)
    stop = threading.Event()
    progress: ProgressLine | None = None
    finished: SweepFinished | None = None
    with _SigintStop(stop):
        for ev in run_sweep(args.project, plan, base, stop=stop):
            if isinstance(ev, SweepPointStarted):
                progress = ProgressLine(f"run {ev.index + 1}/{len(plan)} ({ev.point.label})", None, "steps")
            elif isinstance(ev, StepProgress) and progress is not None:
                progress.update(ev.step, total=ev.total_steps, eta_seconds=ev.eta_seconds)
            elif isinstance(ev, SweepPointFinished):
                if progress is not None:
                    progress.finish()
                print(f"{ev.point.label}: {ev.status}, dev {_scores(ev.dev)} (run {ev.run_id})", file=sys.stderr)
            elif isinstance(ev, SweepFinished):
                finished = ev
    if finished is None:
        raise RuntimeError("the sweep ended without a result")
    if args.json:
        print(json.dumps({"sweep_id": finished.sweep_id, "status": finished.status,
                          "points": [r.to_dict() for r in finished.results]}, indent=2))
    else:
        _print_table(finished.results)
        print(finished.sweep_id)
    return 0 if finished.status == "completed" else 130


def _print_table(results: list[Any]) -> None:
    for r in results:
        mark = "*" if r.on_front else " "
        print(f"{mark} {r.label:<28} {r.status:<13} {_scores(r.dev):<40} {r.run_id}")
    if any(r.on_front for r in results):
        print("* on the Pareto front of the dev scores")
