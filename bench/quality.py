"""Benchmark 1 (issues #3, #15): does joint training keep the quality of single-task training?

Two datasets (--dataset):

conll-fpb (default): one project holds CoNLL-2003 sentences (NER labels only) and Financial PhraseBank
sentences (sentiment labels only): train = subsets of CoNLL train + FPB train, dev = a CoNLL valid
subset + FPB dev, test = the FULL CoNLL test (3,453 sentences) + FPB test (483). Four runs with the
same encoder, seed, epochs, learning rate and batch size:

    joint-fixed        both tasks, fixed weights 0.5 / 0.5
    joint-uncertainty  both tasks, Kendall et al. uncertainty weighting
    ner-only           NER documents only (single-task baseline)
    sentiment-only     sentiment documents only (single-task baseline)

sentfin: the shared SEntFiN headlines (8,549 train / 1,069 dev / 1,068 test, derived JSONL), entity
spans (one type ENT) and the headline sentiment labelled on EVERY headline, so the joint runs see both
labels on each document; --ner-train / --sent-train are ignored (--train-limit samples the headlines).

Scores: NER entity micro-F1 on CoNLL test (seqeval strict IOB2) and sentiment macro-F1 / accuracy on FPB
test, from the best epoch on dev. Target: each joint run within 0.5 points of the single-task run on
both tasks.

    python bench/quality.py --dataset sentfin    # the default settings (auto budget) on SEntFiN
    python bench/quality.py                      # ~18 min of training on 2 CPU cores (offline MiniLM)
    python bench/quality.py --budget 6           # subset sizes chosen to fit 6 minutes of training
    python bench/quality.py --ner-train 4000 --sent-train 2000 --epochs 3 --json out.json
    python bench/quality.py --smoke              # tiny sizes, checks the script end to end

--budget first measures this machine's joint training speed (a few steps), then picks subset sizes so
the four runs' training fits the budget (CoNLL:FPB = 2:1 sentences; CoNLL sentences are about half as
long). Evaluation comes on top (about 1-2 minutes per run on 2 cores).
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

from bench_data import (build_project, conll_documents, data_dir, fpb_documents,  # noqa: E402
                        ner_and_sentiment_documents, sentfin_documents)
from bench_runs import train_and_score  # noqa: E402

RUNS = {
    "joint-fixed": {"tasks": ("ner", "sentiment"), "strategy": "fixed", "ner_weight": 0.5, "sentiment_weight": 0.5},
    "joint-uncertainty": {"tasks": ("ner", "sentiment"), "strategy": "uncertainty"},
    "ner-only": {"tasks": ("ner",), "strategy": "fixed"},
    "sentiment-only": {"tasks": ("sentiment",), "strategy": "fixed"},
}
TARGET_POINTS = 0.5


def train_run(project: Path, name: str, base: dict[str, Any], log_every: int = 50) -> dict[str, Any]:
    """One of the RUNS; returns its scores and timings (also printed as one JSON line, so a benchmark cut
    short keeps the runs it finished)."""
    from mtl_studio.core.config import TrainConfig

    result = train_and_score(project, TrainConfig(**{**base, **RUNS[name]}), name, log_every)
    print(f"[{name}] result {json.dumps({k: v for k, v in result.items() if k != 'dev'})}", file=sys.stderr)
    return result


def calibrate(data: Path, workdir: Path, base: dict[str, Any]) -> float:
    """Joint training sentences/s on this machine (a few steps on a small CoNLL + FPB project)."""
    from mtl_studio.core.config import TrainConfig
    from mtl_studio.core.events import RunStarted, StepProgress
    from mtl_studio.core.train import train

    docs = (conll_documents(data / "conll2003" / "train.txt", "train", 400, seed=99)
            + fpb_documents(data / "financial_phrasebank" / "fpb_train.csv", "train", 200, seed=99))
    project = workdir / "calibration.mtl"
    build_project(project, docs).close()
    cfg = TrainConfig(**{**base, **RUNS["joint-fixed"], "epochs": 1, "max_steps_per_epoch": 8,
                         "eval_each_epoch": False})
    times = []
    for ev in train(str(project), cfg):
        if isinstance(ev, (RunStarted, StepProgress)):
            times.append(time.perf_counter())
    # Skip the first two steps (warm-up); the batch size is the number of sentences per step.
    rate = cfg.batch_size * (len(times) - 3) / (times[-1] - times[2])
    print(f"calibration: joint training at {rate:.1f} sentences/s", file=sys.stderr)
    return rate


def main(argv: list[str] | None = None) -> int:
    from mtl_studio.commands.engine import auto_or

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget", type=float, default=18.0, help="minutes of training for the four runs together "
                                                              "(ignored when --ner-train/--sent-train are given)")
    p.add_argument("--ner-train", type=int, help="CoNLL train sentences")
    p.add_argument("--sent-train", type=int, help="FPB train sentences")
    p.add_argument("--ner-dev", type=int, default=1000, help="CoNLL valid sentences used as dev")
    p.add_argument("--dataset", choices=("conll-fpb", "sentfin"), default="conll-fpb")
    p.add_argument("--train-limit", type=int, help="sentfin: a seeded sample of the training headlines")
    p.add_argument("--epochs", type=auto_or(int), default=2, help="epochs per run, or auto (the default budget, "
                                                                   "core/budget.py, with early stopping on dev)")
    p.add_argument("--lr", type=auto_or(float), default=5e-5, help="learning rate, or auto (by encoder width)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--encoder", default="offline")
    p.add_argument("--runs", default=",".join(RUNS), help="comma-separated subset of " + ", ".join(RUNS))
    p.add_argument("--data", help="shared data folder (default ../shared/data)")
    p.add_argument("--workdir", help="keep the project here (default: a temporary folder)")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument("--smoke", action="store_true", help="tiny sizes and test subsets: checks the script only")
    args = p.parse_args(argv)

    data = data_dir(args.data)
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    unknown = [r for r in runs if r not in RUNS]
    if unknown:
        raise SystemExit(f"unknown run(s) {unknown}; choose from {list(RUNS)}")
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="mtl-quality-"))
    workdir.mkdir(parents=True, exist_ok=True)
    epochs: int | str = args.epochs
    base = {"encoder": args.encoder, "epochs": epochs, "learning_rate": args.lr, "batch_size": args.batch_size,
            "seed": args.seed, "device": "auto"}
    if epochs != "auto":  # a fixed budget trains every epoch (the auto budget keeps its early stopping)
        base["early_stopping_patience"] = 0

    test_limit = dev_limit = None
    if args.dataset == "sentfin":
        return run_sentfin(data, workdir, base, runs, args)
    if args.smoke:
        n_ner, n_sent, test_limit, dev_limit = 64, 32, 64, 32
        base.update(epochs=1)
    elif args.ner_train or args.sent_train:
        n_ner, n_sent = args.ner_train or 2 * (args.sent_train or 1000), args.sent_train or (args.ner_train or 2000) // 2
    else:
        rate = calibrate(data, workdir, base)
        # Training passes: each joint run sees N_ner + N_sent per epoch, the two baselines one part each.
        passes = (2 * len([r for r in runs if r.startswith("joint")])
                  + len([r for r in runs if not r.startswith("joint")])) / 2
        total = rate * args.budget * 60 / (passes * (3 if epochs == "auto" else int(epochs)))
        n_ner, n_sent = int(total * 2 / 3), int(total / 3)
    n_ner = min(n_ner, 14041)
    n_sent = min(n_sent, 3871)

    docs = ner_and_sentiment_documents(data, ner_train=n_ner, sent_train=n_sent, ner_dev=dev_limit or args.ner_dev,
                                       sent_dev=dev_limit, test_limit=test_limit, seed=args.seed)
    setup = (f"train: {n_ner} CoNLL-2003 train sentences (NER only) + {n_sent} FPB train sentences (sentiment "
             f"only); dev: {dev_limit or args.ner_dev} CoNLL valid + FPB dev; test: "
             f"{'subsets' if test_limit else 'full'} CoNLL test + FPB test; encoder {args.encoder}, "
             f"epochs {base['epochs']}, lr {base['learning_rate']}, batch {args.batch_size}, seed {args.seed}")
    return run_and_report(workdir / "quality.mtl", docs, {}, setup, base, runs, args.json)


def run_and_report(project: Path, docs: list[Any], label_sets: dict[str, Any], setup: str, base: dict[str, Any],
                   runs: list[str], json_path: str | None) -> int:
    """A fresh project of `docs` (build_project's label-set keywords), the runs on it, the table."""
    if project.exists():
        project.unlink()
    build_project(project, docs, **label_sets).close()
    print(setup, file=sys.stderr)
    return report(setup, [train_run(project, name, base) for name in runs], json_path)


def run_sentfin(data: Path, workdir: Path, base: dict[str, Any], runs: list[str], args: argparse.Namespace) -> int:
    """The SEntFiN variant: both labels on every headline."""
    folder = data / "sentfin"
    smoke = 64 if args.smoke else None
    docs = (sentfin_documents(folder / "sentfin_train.jsonl", "train", smoke or args.train_limit, seed=args.seed)
            + sentfin_documents(folder / "sentfin_dev.jsonl", "dev", smoke, seed=args.seed)
            + sentfin_documents(folder / "sentfin_test.jsonl", "test", smoke, seed=args.seed))
    if args.smoke:
        base.update(epochs=1, early_stopping_patience=0)
    classes = sorted({d.sentiment.label for d in docs if d.sentiment is not None})
    counts = {s: sum(d.split == s for d in docs) for s in ("train", "dev", "test")}
    setup = (f"SEntFiN headlines: {counts['train']} train / {counts['dev']} dev / {counts['test']} test, entity "
             f"spans (ENT) and headline sentiment ({', '.join(classes)}) on every headline; encoder "
             f"{args.encoder}, epochs {base['epochs']}, lr {base['learning_rate']}, batch {args.batch_size}, "
             f"seed {args.seed}")
    return run_and_report(workdir / "quality-sentfin.mtl", docs,
                          {"entity_types": ["ENT"], "sentiment_classes": classes}, setup, base, runs, args.json)


def report(setup: str, results: list[dict[str, Any]], json_path: str | None) -> int:
    by_name = {r["run"]: r for r in results}
    print()
    print(f"Quality ({setup})")
    header = (f"{'run':<20}{'NER F1':>9}{'sent. macro-F1':>16}{'sent. acc':>11}{'best ep':>9}{'epochs':>8}"
              f"{'lr':>8}{'train s':>9}")
    print(header)
    print("-" * len(header))

    def fmt(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.2f}"

    for r in results:
        print(f"{r['run']:<20}{fmt(r['ner_f1']):>9}{fmt(r['sentiment_macro_f1']):>16}"
              f"{fmt(r['sentiment_accuracy']):>11}{r['best_epoch'] or '-':>9}{r['epochs_trained'] or '-':>8}"
              f"{r['learning_rate'] or '-':>8}{r['train_seconds']:>9.0f}")
    verdicts = []
    for joint in ("joint-fixed", "joint-uncertainty"):
        if joint not in by_name:
            continue
        for single, key, label in (("ner-only", "ner_f1", "NER F1"),
                                   ("sentiment-only", "sentiment_macro_f1", "sentiment macro-F1")):
            if single not in by_name:
                continue
            delta = 100 * (by_name[joint][key] - by_name[single][key])
            ok = delta >= -TARGET_POINTS
            verdicts.append({"joint": joint, "single": single, "metric": key, "delta_points": round(delta, 2),
                             "within_target": ok})
            print(f"{joint} vs {single}: {label} {delta:+.2f} points "
                  f"({'meets' if ok else 'misses'} the target: joint within {TARGET_POINTS} points)")
    if json_path:
        Path(json_path).write_text(json.dumps({"setup": setup, "results": results, "comparisons": verdicts},
                                              indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
