"""Benchmark (issue #12): does active learning reach random sampling's score with fewer labels?

Simulated annotation on the shared data. The pool is CoNLL-2003 train (NER labels) + Financial
PhraseBank train (sentiment labels) with every label hidden until the simulated annotator "labels" a
document: a CoNLL sentence then gets its gold entities (marked NER-labelled), an FPB sentence its gold
sentiment. Dev (CoNLL valid + FPB dev subsets) and test (CoNLL test + FPB test) are labelled from the
start. Each strategy starts from the same random seed set; every round trains a fresh run with the
default settings (TrainConfig defaults: offline MiniLM-L6, batch 16, seed 13, the automatic budget of
core/budget.py -- at least 600 optimizer steps, at most 20 epochs, lr by encoder width (1e-4 for MiniLM),
dev evaluation each epoch with early stopping; --epochs N / --lr X fix them instead) on the labelled
documents, records CoNLL test entity micro-F1 and FPB test macro-F1, then the strategy picks the next
--step documents:

    random       a uniform sample of the pool (seeded)
    uncertainty  core.active_learning "uncertainty" (MNLP for NER, entropy for sentiment, averaged)
    joint        core.active_learning "joint" (rank-combined, weighted by the run's task weights)
    (any other core.active_learning strategy can be named with --strategies)

Reported: a table of test scores per strategy and label count, a PNG of score against labels (with
matplotlib; skipped with a message without it), and the labels each strategy needs to reach random's
score at the largest label count (per task and on both tasks at once).

The full protocol (issue: pool = all of CoNLL train + FPB train, seed 200, +200 per round up to 1,400,
full test sets, 2 seeds) is the default:

    python bench/active_learning.py --json al.json --plot al.png

and needs a GPU (about 7 runs x 3 strategies x 2 seeds, plus scoring a ~18k-document pool each round).
A reduced protocol that fits a shared CPU:

    python bench/active_learning.py --pool-size 3000 --seed-size 100 --step 100 --rounds 4 \
        --test-size 1000 --dev-size 300 --epochs 1 --seeds 1

Note on the mixed pool: a CoNLL sentence carries no sentiment truth and an FPB sentence no entity truth,
so a labelled document leaves the pool whatever its other task (the store still sees it lacking that
task; the simulation keeps its own record of what was annotated).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import build_project, conll_documents, data_dir, fpb_documents  # noqa: E402

from mtl_studio.core.schema import Document  # noqa: E402

TASKS = ("ner", "sentiment")


@dataclass(frozen=True)
class RoundResult:
    strategy: str
    seed: int
    labels: int  # documents annotated so far
    ner_f1: float | None  # CoNLL test entity micro-F1
    sentiment_f1: float | None  # FPB test macro-F1
    train_seconds: float
    select_seconds: float
    # The round's budget as the default settings planned and ran it (None in files from before they were
    # recorded): optimizer steps run and planned, epochs run, the best dev epoch, training documents per task.
    steps: int | None = None
    planned_steps: int | None = None
    epochs_trained: int | None = None
    best_epoch: int | None = None
    train_documents: dict[str, int] | None = None


# ---- the simulated project -----------------------------------------------------------------------

def build_simulation(folder: Path, args: argparse.Namespace, data: Path, seed: int) -> tuple[Path, dict[int, Any]]:
    """A project with the pool unlabelled (train split), dev and test labelled; returns (path, hidden truth
    per pool document id: the Document as read, with its labels)."""
    rng = random.Random(seed)
    conll_pool = conll_documents(data / "conll2003" / "train.txt", "train", None, seed)
    fpb_pool = fpb_documents(data / "financial_phrasebank" / "fpb_train.csv", "train", None, seed)
    pool = conll_pool + fpb_pool
    if args.pool_size and args.pool_size < len(pool):
        # Keep the datasets' proportions in a smaller pool.
        share = len(conll_pool) / len(pool)
        n_conll = round(args.pool_size * share)
        pool = rng.sample(conll_pool, n_conll) + rng.sample(fpb_pool, args.pool_size - n_conll)
    dev = (conll_documents(data / "conll2003" / "valid.txt", "dev", args.dev_size, seed)
           + fpb_documents(data / "financial_phrasebank" / "fpb_dev.csv", "dev", args.dev_size, seed))
    test = (conll_documents(data / "conll2003" / "test.txt", "test", args.test_size, seed)
            + fpb_documents(data / "financial_phrasebank" / "fpb_test.csv", "test", args.test_size, seed))
    unlabelled = [Document(text=d.text, tokens=d.tokens, split="train", source=d.source) for d in pool]
    path = folder / f"al-seed{seed}.mtl"
    store = build_project(path, unlabelled + dev + test)
    ids = store.document_ids("train")  # insertion order = id order
    store.close()
    return path, dict(zip(ids, pool))


def annotate(store: Any, truth: dict[int, Any], ids: list[int]) -> None:
    """The simulated annotator: reveal each document's hidden labels."""
    from mtl_studio.core.schema import Span

    with store.bulk():
        for doc_id in ids:
            doc = truth[doc_id]
            if doc.ner_labelled:
                for s in doc.spans:
                    store.add_span(doc_id, Span(s.start, s.end, s.label, "gold", annotator="simulated"))
                store.set_ner_labelled(doc_id, True)
            if doc.sentiment is not None:
                store.set_sentiment(doc_id, doc.sentiment.label, annotator="simulated")


# ---- one strategy ---------------------------------------------------------------------------------

def train_round(project: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Train the round's fresh run with the default settings (or --epochs / --lr); bench_runs' row of it."""
    from bench_runs import train_and_score

    from mtl_studio.core.config import TrainConfig

    cfg = TrainConfig(epochs=args.epochs, learning_rate=args.lr, device=args.device, max_length=args.max_length)
    if args.encoder:
        cfg.encoder = args.encoder
    return train_and_score(project, cfg, "round", log_every=10**9)


def select(store: Any, strategy: str, run_id: str, annotated: set[int], pool: list[int], step: int,
           rng: random.Random, args: argparse.Namespace, truth: dict[int, Any] | None = None) -> list[int]:
    from mtl_studio.core import active_learning as al

    remaining = [i for i in pool if i not in annotated]
    if strategy == "random":
        return rng.sample(remaining, min(step, len(remaining)))
    for _ in al.score_pool(store, run_id, splits=["train"], device=args.device, batch_size=64):
        pass
    ranked = [e.id for e in al.queue(store, strategy, run_id=run_id, splits=["train"]) if e.id not in annotated]
    if not args.quota or truth is None:
        return ranked[:step]
    return with_quota(ranked, remaining, truth, step)


def with_quota(ranked: list[int], remaining: list[int], truth: dict[int, Any], step: int) -> list[int]:
    """--quota: each dataset of the mixed pool gets its share of the round (its share of the remaining
    pool), filled from the strategy's order. Without it, a sentence picked for its sentiment
    uncertainty may be a CoNLL one, which the simulated annotator can only give entities."""
    def source(doc_id: int) -> str:
        return "ner" if truth[doc_id].ner_labelled else "sentiment"

    share = sum(source(i) == "ner" for i in remaining) / max(1, len(remaining))
    wanted = {"ner": round(step * share)}
    wanted["sentiment"] = step - wanted["ner"]
    picked: list[int] = []
    for doc_id in ranked:
        if wanted[source(doc_id)] > 0:
            wanted[source(doc_id)] -= 1
            picked.append(doc_id)
        if len(picked) == step:
            break
    return picked


class Simulation:
    """One strategy's annotation loop on its own copy of the simulated project."""

    def __init__(self, strategy: str, seed: int, args: argparse.Namespace, data: Path, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.strategy, self.seed, self.args = strategy, seed, args
        self.path, self.truth = build_simulation(folder, args, data, seed)
        self.pool = sorted(self.truth)
        self.rng = random.Random(seed)
        # The same seed set for every strategy of this seed.
        self.batch = self.rng.sample(self.pool, min(args.seed_size, len(self.pool)))
        self.annotated: set[int] = set()

    def round(self, last: bool) -> RoundResult:
        """Annotate the chosen batch, train, score test; then choose the next batch (unless last)."""
        from mtl_studio.core.store import ProjectStore

        with ProjectStore.open(self.path) as store:
            annotate(store, self.truth, self.batch)
        self.annotated |= set(self.batch)
        row = train_round(self.path, self.args)
        # The whole training call, dev evaluation between epochs included.
        scored = RoundResult(self.strategy, self.seed, len(self.annotated), row["ner_f1"],
                             row["sentiment_macro_f1"], round(row["total_seconds"], 1), 0.0, row["steps"],
                             row["planned_steps"], row["epochs_trained"], row["best_epoch"], row["train_documents"])
        return self._after_training(row["run_id"], scored, last)

    def share_first_round(self, trained: "Simulation", result: RoundResult, last: bool) -> RoundResult:
        """Round 0 is the same for every strategy of a seed (same seed set, same deterministic training):
        start from a copy of the strategy that trained it instead of training it again."""
        from mtl_studio.core.store import ProjectStore

        self.path.unlink()
        with ProjectStore.open(trained.path) as store:
            store.copy_to(self.path).close()  # the run's model stays in `trained`'s run folder
        self.annotated = set(trained.annotated)
        with ProjectStore.open(self.path) as store:
            run_id = store.run_record().id
        return self._after_training(run_id, replace(result, strategy=self.strategy), last)

    def _after_training(self, run_id: str, scored: RoundResult, last: bool) -> RoundResult:
        """The round's result (its scores and budget in `scored`) with the time taken to choose the next
        batch (unless last)."""
        from mtl_studio.core.store import ProjectStore

        select_s = 0.0
        if not last:
            t0 = time.perf_counter()
            with ProjectStore.open(self.path) as store:
                self.batch = select(store, self.strategy, run_id, self.annotated, self.pool, self.args.step,
                                    self.rng, self.args, self.truth)
            select_s = time.perf_counter() - t0
        result = replace(scored, select_seconds=round(select_s, 1))
        print(f"{self.strategy} seed {self.seed}: {result.labels} labels -> NER F1 {_fmt(result.ner_f1)}, "
              f"sentiment macro-F1 {_fmt(result.sentiment_f1)} (train {result.train_seconds:.0f}s: {result.steps} "
              f"of {result.planned_steps} planned steps, {result.epochs_trained} epochs, best {result.best_epoch}, "
              f"documents {result.train_documents}; select {select_s:.0f}s)", file=sys.stderr, flush=True)
        return result


# ---- reporting ------------------------------------------------------------------------------------

def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.4f}"


def mean_curve(results: list[RoundResult], strategy: str) -> dict[int, dict[str, float | None]]:
    """Per label count, the mean over seeds of each task's test score."""
    out: dict[int, dict[str, float | None]] = {}
    for labels in sorted({r.labels for r in results if r.strategy == strategy}):
        rows = [r for r in results if r.strategy == strategy and r.labels == labels]
        out[labels] = {}
        for task, attr in (("ner", "ner_f1"), ("sentiment", "sentiment_f1")):
            values = [getattr(r, attr) for r in rows if getattr(r, attr) is not None]
            out[labels][task] = sum(values) / len(values) if values else None
    return out


def labels_to_reach(curve: dict[int, dict[str, float | None]], target: dict[str, float | None]) -> dict[str, int | None]:
    """The fewest labels at which the curve reaches the target, per task and on both tasks at once."""
    def reached(point: dict[str, float | None], tasks: tuple[str, ...]) -> bool:
        return all(point[t] is not None and target[t] is not None and point[t] >= target[t] for t in tasks)

    out: dict[str, int | None] = {}
    for name, tasks in (("ner", ("ner",)), ("sentiment", ("sentiment",)), ("both", TASKS)):
        out[name] = next((labels for labels, point in sorted(curve.items()) if reached(point, tasks)), None)
    return out


def budget_text(results: list[RoundResult], strategy: str, labels: int) -> str:
    """The rounds' budgets at one label count ("1,250 / 1,250, 20 ep"; seeds joined by "; "), "–" for
    rounds stored before budgets were recorded."""
    parts = [f"{r.steps:,} / {r.planned_steps:,}, {r.epochs_trained} ep"
             for r in results if r.strategy == strategy and r.labels == labels and r.steps is not None]
    return "; ".join(parts) or "–"


def seed_counts(results: list[RoundResult], strategies: list[str]) -> dict[str, int]:
    """How many seeds each strategy's curve averages."""
    return {s: len({r.seed for r in results if r.strategy == s}) for s in strategies}


def report(results: list[RoundResult], strategies: list[str]) -> dict[str, Any]:
    curves = {s: mean_curve(results, s) for s in strategies}
    seeds = seed_counts(results, strategies)
    lines = ["| strategy | labels | CoNLL test entity F1 | FPB test macro-F1 | budget (steps run / planned, epochs) |",
             "|---|---:|---:|---:|---|"]
    for s in strategies:
        for labels, point in curves[s].items():
            lines.append(f"| {s} | {labels} | {_fmt(point['ner'])} | {_fmt(point['sentiment'])} | "
                         f"{budget_text(results, s, labels)} |")
    # Strategies run over different numbers of seeds are not equally settled: say so under the table.
    lines += ["", "Mean over seeds: " + ", ".join(f"{s} {seeds[s]}" for s in strategies)]
    out: dict[str, Any] = {"table": lines, "curves": curves, "seeds": seeds}
    if "random" in curves and curves["random"]:
        final = max(curves["random"])
        target = curves["random"][final]
        out["target"] = {"labels": final, **target}
        reach = {s: labels_to_reach(curves[s], target) for s in strategies}
        out["labels_to_reach_random_final"] = reach
        lines += ["", f"Labels needed to reach random's score at {final} labels "
                      f"(NER {_fmt(target['ner'])}, sentiment {_fmt(target['sentiment'])}):", "",
                  "| strategy | NER | sentiment | both |", "|---|---:|---:|---:|"]
        for s in strategies:
            r = reach[s]
            ran = max(curves[s], default=final)  # a strategy cut short is judged on the labels it reached
            lines.append("| " + " | ".join([s] + [str(r[k]) if r[k] is not None else f"not within {ran}"
                                                  for k in ("ner", "sentiment", "both")]) + " |")
    return out


def plot(curves: dict[str, dict[int, dict[str, float | None]]], path: Path, title: str,
         seeds: dict[str, int] | None = None) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, task, name in ((axes[0], "ner", "CoNLL test entity F1"), (axes[1], "sentiment", "FPB test macro-F1")):
        for strategy, curve in curves.items():
            xs = [x for x in curve if curve[x][task] is not None]
            n = (seeds or {}).get(strategy)
            label = f"{strategy} ({n} seed{'s' if n != 1 else ''})" if n else strategy
            ax.plot(xs, [curve[x][task] for x in xs], marker="o", label=label)
        ax.set_xlabel("labelled documents")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"plot written to {path}", file=sys.stderr)


def _write_json(args: argparse.Namespace, results: list[RoundResult], strategies: list[str]) -> None:
    summary = report(results, strategies)
    Path(args.json).write_text(json.dumps({"args": vars(args), "results": [asdict(r) for r in results], **summary},
                                          indent=2, default=str))


def stored_rounds(paths: list[str]) -> list[RoundResult]:
    """The rounds of several result files; a (strategy, seed, labels) round found twice is kept once (the
    same protocol's training is deterministic: two processes give the same round the same scores)."""
    rounds: dict[tuple[str, int, int], RoundResult] = {}
    for path in paths:
        for row in json.loads(Path(path).read_text(encoding="utf-8"))["results"]:
            r = RoundResult(**row)
            rounds.setdefault((r.strategy, r.seed, r.labels), r)
    return list(rounds.values())


def report_stored(args: argparse.Namespace) -> int:
    results = stored_rounds(args.report)
    strategies = list(dict.fromkeys(r.strategy for r in results))
    summary = report(results, strategies)
    print("\n".join(summary["table"]))
    if args.json:
        _write_json(args, results, strategies)
    if args.plot:
        plot(summary["curves"], Path(args.plot), "Active learning, mean over seeds", summary["seeds"])
    return 0


def main(argv: list[str] | None = None) -> int:
    from mtl_studio.commands.engine import auto_or

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", help="shared data folder (default ../shared/data)")
    p.add_argument("--pool-size", type=int, default=0, help="pool documents (0: all of CoNLL train + FPB train)")
    p.add_argument("--seed-size", type=int, default=200, help="random seed set (default 200)")
    p.add_argument("--step", type=int, default=200, help="documents added per round (default 200)")
    p.add_argument("--rounds", type=int, default=6, help="rounds after the seed set (default 6: up to 1,400)")
    p.add_argument("--test-size", type=int, default=None, help="test sentences per dataset (default all)")
    p.add_argument("--dev-size", type=int, default=500, help="dev sentences per dataset (default 500)")
    p.add_argument("--epochs", type=auto_or(int), default="auto",
                   help="epochs per round (default auto: the default budget, core/budget.py)")
    p.add_argument("--lr", type=auto_or(float), default="auto",
                   help="learning rate (default auto: by encoder width, core/budget.py)")
    p.add_argument("--max-length", type=int, default=128, help="sub-words per window (default 128)")
    p.add_argument("--encoder", help="encoder (default: the offline MiniLM)")
    p.add_argument("--device", default="auto")
    p.add_argument("--strategies", default="random,uncertainty,joint")
    p.add_argument("--seeds", type=int, default=2, help="repetitions with different seed sets (default 2)")
    p.add_argument("--first-seed", type=int, default=0,
                   help="number of the first repetition (default 0): run further seeds of a protocol in "
                        "another process and join them with --report")
    p.add_argument("--quota", action="store_true",
                   help="give each dataset of the mixed pool its share of every round (see with_quota)")
    p.add_argument("--json", metavar="FILE", help="write results as JSON")
    p.add_argument("--plot", metavar="PNG", help="write the plot (needs matplotlib)")
    p.add_argument("--report", nargs="+", metavar="JSON",
                   help="train nothing: the table (and --json, --plot) from the rounds stored in these files "
                        "(runs of the same protocol made in pieces, e.g. one process per strategy)")
    args = p.parse_args(argv)
    if args.report:
        return report_stored(args)

    from mtl_studio.core.active_learning import STRATEGIES

    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise SystemExit(f"unknown strategies {unknown}; choose from {', '.join(STRATEGIES)}")
    data = data_dir(args.data)
    results: list[RoundResult] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="al-bench-") as tmp:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            sims = [Simulation(s, seed, args, data, Path(tmp) / f"{s}-{seed}") for s in strategies]
            first_round: RoundResult | None = None
            # Rounds outer, strategies inner: a run cut short still compares strategies at equal labels.
            for round_index in range(args.rounds + 1):
                last = round_index == args.rounds
                for sim in sims:
                    if round_index == 0 and sim is not sims[0]:
                        assert first_round is not None
                        results.append(sim.share_first_round(sims[0], first_round, last))
                    else:
                        results.append(sim.round(last=last))
                    if round_index == 0 and sim is sims[0]:
                        first_round = results[-1]
                    if args.json:  # written after every round, so a cut-short run keeps its results
                        _write_json(args, results, strategies)
    summary = report(results, strategies)
    print("\n".join(summary["table"]))
    print(f"\nprotocol: pool {args.pool_size or 'all'}, seed set {args.seed_size}, +{args.step} x {args.rounds} rounds, "
          f"test {args.test_size or 'all'} per dataset, dev {args.dev_size} per dataset, epochs {args.epochs}, "
          f"lr {args.lr}, "
          f"{args.seeds} seed(s); {time.perf_counter() - t0:.0f}s in all")
    if args.json:
        _write_json(args, results, strategies)
    if args.plot:
        plot(summary["curves"], Path(args.plot), "Active learning, mean over seeds", summary["seeds"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
