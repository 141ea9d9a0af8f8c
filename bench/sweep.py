"""Issue 14 measured: a task-weight sweep on shared data, its Pareto front, the best point against the
single-task baselines (with the verdict's bootstrap interval on test) and the gradient-conflict meter.

The project: CoNLL-2003 train sentences with NER labels only and Financial PhraseBank train sentences
with sentiment labels only (default 2,000 + 1,000, the issue's sizes); dev: CoNLL valid + FPB dev
subsets; test: CoNLL test + FPB test (full unless --test-limit). Runs, one after another through
core/sweep.py (the same code as `mtl-studio sweep`): --points fixed-weight runs (w, 1-w), the
automatic strategies (default uncertainty) and the two single-task baselines, all with the same
encoder, seed, budget and the meter at its default interval.

    python bench/sweep.py                                    # the issue's run: 2,000 + 1,000, 2 epochs
    python bench/sweep.py --ner-train 1000 --sent-train 500 --epochs 1 --test-limit 1000   # reduced
    python bench/sweep.py --smoke                            # tiny sizes: checks the script end to end

"Best point": the front point with the highest mean dev score over the two tasks (dev chooses; test
reports). The meter's throughput cost is measured by bench/train_speed.py (engine-joint vs
engine-joint-no-meter); here each run's mean cosine and share of negative readings are reported.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import build_project, data_dir, ner_and_sentiment_documents  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ner-train", type=int, default=2000, help="CoNLL train sentences (NER only)")
    p.add_argument("--sent-train", type=int, default=1000, help="FPB train sentences (sentiment only)")
    p.add_argument("--ner-dev", type=int, default=500, help="CoNLL valid sentences used as dev")
    p.add_argument("--sent-dev", type=int, help="FPB dev sentences (default: all 485)")
    p.add_argument("--test-limit", type=int, help="sentences of CoNLL test and of FPB test (default: all)")
    p.add_argument("--points", type=int, default=5)
    p.add_argument("--strategies", default="uncertainty", help="comma-separated automatic strategies")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--max-steps", type=int, help="cap each run at N optimizer steps (one epoch; a reduced run)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--encoder", default="offline")
    p.add_argument("--data", help="shared data folder (default ../shared/data)")
    p.add_argument("--workdir", help="keep the project here (default: a temporary folder)")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument("--no-estimate", dest="estimate", action="store_false",
                   help="skip the probe run that measures the step time for the estimate")
    p.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script only")
    args = p.parse_args(argv)
    if args.smoke:
        args.ner_train, args.sent_train, args.ner_dev, args.sent_dev, args.test_limit = 48, 24, 24, 24, 24
        args.points, args.epochs = 2, 1

    from mtl_studio.core.config import TrainConfig
    from mtl_studio.core.events import RunFinished, StepProgress
    from mtl_studio.core.store import ProjectStore
    from mtl_studio.core.sweep import (SweepFinished, SweepPointFinished, SweepPointStarted, budget_config,
                                       estimate_sweep, plan_sweep, run_sweep)
    from mtl_studio.core.verdict import compute_verdict

    data = data_dir(args.data)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="mtl-sweep-"))
    workdir.mkdir(parents=True, exist_ok=True)
    project = workdir / "sweep.mtl"
    if project.exists():
        project.unlink()
    docs = ner_and_sentiment_documents(data, ner_train=args.ner_train, sent_train=args.sent_train,
                                       ner_dev=args.ner_dev, sent_dev=args.sent_dev, test_limit=args.test_limit,
                                       seed=args.seed)
    build_project(project, docs).close()
    setup = (f"train {args.ner_train} CoNLL-2003 (NER only) + {args.sent_train} FPB (sentiment only); dev "
             f"{args.ner_dev} CoNLL valid + {args.sent_dev or 'all'} FPB dev; test {args.test_limit or 'all'} "
             f"CoNLL test + {args.test_limit or 'all'} FPB test; encoder {args.encoder}, "
             + (f"{args.max_steps} steps per run" if args.max_steps else f"{args.epochs} epoch(s)") + ", "
             f"lr {args.lr:g}, batch {args.batch_size}, seed {args.seed}")
    print(setup, file=sys.stderr)
    base = budget_config(TrainConfig(encoder=args.encoder, epochs=args.epochs, learning_rate=args.lr,
                                     batch_size=args.batch_size, seed=args.seed, early_stopping_patience=0),
                         max_steps=args.max_steps)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    plan = plan_sweep(base.tasks, args.points, strategies, baselines=True)
    estimate = None
    if args.estimate:
        t0 = time.perf_counter()
        estimate = estimate_sweep(project, plan, base)
        print(f"estimate: {estimate.total_seconds / 60:.1f} min ({estimate.runs} runs, {estimate.total_steps} "
              f"steps in all at {estimate.step_seconds:.2f} s/step + evaluation; step time "
              f"{'of finished runs here' if estimate.from_finished_runs else 'from the probe'}); probe took "
              f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    finished: SweepFinished | None = None
    for ev in run_sweep(project, plan, base):
        if isinstance(ev, SweepPointStarted):
            started = time.perf_counter()
            print(f"[{ev.index + 1}/{len(plan)}] {ev.point.label}", file=sys.stderr)
        elif isinstance(ev, StepProgress) and ev.step % 50 == 0:
            print(f"  step {ev.step}/{ev.total_steps}", file=sys.stderr)
        elif isinstance(ev, SweepPointFinished):
            seconds[ev.run_id] = time.perf_counter() - started
            print(f"  {ev.status}, dev {ev.dev}, {seconds[ev.run_id]:.0f} s", file=sys.stderr)
        elif isinstance(ev, RunFinished) and ev.status == "failed":
            raise SystemExit(f"a run failed: {ev.message}")
        elif isinstance(ev, SweepFinished):
            finished = ev
    assert finished is not None
    wall = sum(seconds.values())

    with ProjectStore.open(project) as store:
        records = {r.id: r for r in store.run_records()}
        test_docs = list(store.iter_documents("test", sources=("gold", "predicted")))
    rows = []
    for r in finished.results:
        rec = records[r.run_id]
        test = rec.report("test")
        meter = rec.gradient_conflict
        rows.append({**r.to_dict(), "seconds": round(seconds.get(r.run_id, 0.0), 1),
                     "test": {"ner": test.ner.f1 if test and test.ner else None,
                              "sentiment": test.sentiment.f1 if test and test.sentiment else None},
                     "meter": meter.to_dict() if meter else None})
    joint_front = [r for r in rows if r["on_front"]]
    best = max(joint_front, key=lambda r: sum(r["dev"].values()) / len(r["dev"])) if joint_front else None
    baselines = {r["baseline_task"]: records[r["run_id"]] for r in rows if r["baseline_task"]}
    t_verdict = time.perf_counter()
    verdict = compute_verdict(records[best["run_id"]], baselines, test_docs) if best else None
    verdict_seconds = time.perf_counter() - t_verdict

    def pts(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.2f}"

    print()
    estimated = f"estimate {estimate.total_seconds / 60:.1f} min" if estimate else "no estimate"
    print(f"Weight sweep ({setup}); {wall / 60:.1f} min of runs ({estimated})")
    header = (f"{'point':<28}{'front':>6}{'dev NER':>9}{'dev sent':>10}{'test NER':>10}{'test sent':>11}"
              f"{'mean cos':>10}{'cos<0':>7}{'s':>6}")
    print(header)
    print("-" * len(header))
    for r in rows:
        m = r["meter"]
        cos = f"{m['mean_cosine']:+.3f}" if m else "-"
        negative = f"{m['negative_share']:.2f}" if m else "-"
        print(f"{r['label']:<28}{'*' if r['on_front'] else '':>6}{pts(r['dev'].get('ner')):>9}"
              f"{pts(r['dev'].get('sentiment')):>10}{pts(r['test']['ner']):>10}{pts(r['test']['sentiment']):>11}"
              f"{cos:>10}{negative:>7}"
              f"{r['seconds']:>6.0f}")
    if best is not None:
        print(f"best front point on dev: {best['label']} (run {best['run_id']})")
    if verdict is not None:
        print(f"verdict on test: {verdict.sentence} ({verdict_seconds:.2f} s for {len(test_docs)} test documents, "
              f"{verdict.resamples} paired resamples)")
    if args.json:
        Path(args.json).write_text(json.dumps({"setup": setup, "sweep_id": finished.sweep_id, "points": rows,
                                               "best": best, "verdict": verdict.to_dict() if verdict else None,
                                               "estimate_seconds": estimate.total_seconds if estimate else None, "run_seconds": wall,
                                               "verdict_seconds": verdict_seconds},
                                              indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
