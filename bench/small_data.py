"""Benchmark (issue 15): does the default training budget fit small projects?

For each subset, the defaults (TrainConfig(): budget and learning rate planned by core/budget.py) run
against a grid of fixed budgets (epochs x learning rate, early stopping off, the best epoch on dev kept).
Target: on every subset the defaults' test score is within 1.5 points of the best grid point, at no more
than twice that grid point's training time.

Subsets (train sizes in sentences / headlines; test: the full test set unless --test-limit):
    conll-300, conll-1000, conll-3000   CoNLL-2003 train sample, NER only, dev: CoNLL valid sample
    fpb-300, fpb-1000                   Financial PhraseBank train sample, sentiment only, dev: FPB dev
    sentfin-1000                        SEntFiN train headlines, both tasks on every headline
    joint-1000                          CoNLL 1,000 (NER) + FPB 1,000 (sentiment), one joint project

Score: NER entity micro-F1 (seqeval, strict IOB2) for NER subsets, sentiment macro-F1 for sentiment
subsets, the mean of the two for joint subsets (the trainer's model-selection score, on test).

    python bench/small_data.py                                  # everything: many hours on 2 CPU cores
    python bench/small_data.py --subsets conll-300,fpb-300 --test-limit 1000 \\
        --grid "3,10,20x5e-5;20x1e-4" --results small.json      # the reduced run in the README
    python bench/small_data.py --cells default --results small.json   # add the defaults to a results file
    python bench/small_data.py --smoke                          # tiny sizes: checks the script only

--results keeps every finished cell in a JSON file and skips cells already there, so a long benchmark
can be run in pieces; the table is printed from all cells in the file.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import (  # noqa: E402
    SENTFIN_CLASSES, SENTFIN_TYPES, build_project, conll_documents, data_dir, fpb_documents, sentfin_documents,
)
from bench_runs import train_and_score  # noqa: E402

from mtl_studio.core.budget import format_learning_rate  # noqa: E402  (bench_data puts the checkout on the path)

TARGET_POINTS = 1.5
TARGET_TIME_RATIO = 2.0
FULL_GRID = "3,10,20x3e-5,5e-5,1e-4"


Documents = Callable[[Path, int, "int | None", "int | None"], list]  # (data, seed, test limit, dev limit)


@dataclass(frozen=True)
class Subset:
    name: str
    describe: str
    documents: Documents
    entity_types: list[str] | None = None  # None: CoNLL's
    sentiment_classes: list[str] | None = None  # None: FPB's


def _dataset(reader: Callable[..., list], folder: str, files: tuple[str, str, str], n_train: int) -> Documents:
    """A train sample of `n_train` documents with the dataset's dev and test files (limited when asked)."""
    train_file, dev_file, test_file = files

    def docs(data: Path, seed: int, test_limit: int | None, dev_limit: int | None) -> list:
        return (reader(data / folder / train_file, "train", n_train, seed=seed)
                + reader(data / folder / dev_file, "dev", dev_limit, seed=seed)
                + reader(data / folder / test_file, "test", test_limit, seed=seed))
    return docs


def _conll(n_train: int) -> Documents:
    return _dataset(conll_documents, "conll2003", ("train.txt", "valid.txt", "test.txt"), n_train)


def _fpb(n_train: int) -> Documents:
    return _dataset(fpb_documents, "financial_phrasebank", ("fpb_train.csv", "fpb_dev.csv", "fpb_test.csv"), n_train)


def _sentfin(n_train: int) -> Documents:
    return _dataset(sentfin_documents, "sentfin", ("sentfin_train.jsonl", "sentfin_dev.jsonl", "sentfin_test.jsonl"),
                    n_train)


def _joint(n_ner: int, n_sent: int) -> Documents:
    def docs(data: Path, seed: int, test_limit: int | None, dev_limit: int | None) -> list:
        return _conll(n_ner)(data, seed, test_limit, dev_limit) + _fpb(n_sent)(data, seed, test_limit, dev_limit)
    return docs


SUBSETS: dict[str, Subset] = {s.name: s for s in (
    Subset("conll-300", "CoNLL-2003 train 300 sentences (NER)", _conll(300)),
    Subset("conll-1000", "CoNLL-2003 train 1,000 sentences (NER)", _conll(1000)),
    Subset("conll-3000", "CoNLL-2003 train 3,000 sentences (NER)", _conll(3000)),
    Subset("fpb-300", "FPB train 300 sentences (sentiment)", _fpb(300)),
    Subset("fpb-1000", "FPB train 1,000 sentences (sentiment)", _fpb(1000)),
    Subset("sentfin-1000", "SEntFiN train 1,000 headlines (NER + sentiment on each)", _sentfin(1000),
           SENTFIN_TYPES, SENTFIN_CLASSES),
    Subset("joint-1000", "CoNLL 1,000 (NER) + FPB 1,000 (sentiment), joint", _joint(1000, 1000)),
)}


@dataclass(frozen=True)
class Cell:
    """One configuration of a subset: the defaults, or a fixed (epochs, learning rate) grid point."""

    name: str
    overrides: dict[str, Any]


DEFAULT_CELL = Cell("default", {})


def parse_grid(text: str) -> list[Cell]:
    """"3,10,20x5e-5;20x1e-4" -> fixed-budget cells (early stopping off: the best dev epoch is kept)."""
    cells = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        epochs_text, _, lrs_text = part.partition("x")
        if not lrs_text:
            raise SystemExit(f"grid item {part!r}: write EPOCHS[,EPOCHS...]xLR[,LR...]")
        for epochs in (int(e) for e in epochs_text.split(",")):
            for lr in (float(x) for x in lrs_text.split(",")):
                cells.append(Cell(f"e{epochs}-lr{format_learning_rate(lr)}", {"epochs": epochs, "learning_rate": lr,
                                                          "early_stopping_patience": 0}))
    return cells


def subset_score(result: dict[str, Any]) -> float:
    """The score of a cell in points (test)."""
    return 100 * result["test_score"]


def load_results(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def save_results(path: Path | None, results: list[dict[str, Any]], setup: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps({"setup": setup, "cells": results}, indent=1), encoding="utf-8")


def run_subset(subset: Subset, cells: list[Cell], done: set[tuple[str, str, int]], args: argparse.Namespace,
               seed: int, workdir: Path, on_result: Callable[[dict[str, Any]], None]) -> None:
    """The cells of one subset not yet in `done`, on the subset sampled with `seed` (training too)."""
    from mtl_studio.core.config import TrainConfig

    todo = [c for c in cells if (subset.name, c.name, seed) not in done]
    if not todo:
        return
    project = workdir / f"{subset.name}-seed{seed}.mtl"
    if project.exists():
        project.unlink()
    docs = subset.documents(data_dir(args.data), seed, args.test_limit, args.dev_limit)
    build_project(project, docs, subset.entity_types, subset.sentiment_classes).close()
    for cell in todo:
        base = {"encoder": args.encoder, "seed": seed, "device": args.device}
        config = TrainConfig(**{**base, **cell.overrides})
        result = train_and_score(project, config, f"{subset.name} {cell.name} seed {seed}", log_every=19)
        result.update(subset=subset.name, cell=cell.name, seed=seed,
                      epochs=result["planned_epochs"] or config.epochs)
        on_result(result)


def result_seed(result: dict[str, Any], setup_seed: int = 13) -> int:
    """The seed of a stored cell (files written before --seeds hold one seed, the setup's)."""
    return int(result.get("seed", setup_seed))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def verdicts(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per subset: the defaults against the best grid point that was run, each averaged over the seeds
    both ran with (one seed's test score on a few hundred documents moves by a point or more)."""
    out = []
    for subset in dict.fromkeys(r["subset"] for r in results):
        rows = [r for r in results if r["subset"] == subset]
        defaults = {result_seed(r): r for r in rows if r["cell"] == DEFAULT_CELL.name}
        by_cell: dict[str, dict[int, dict[str, Any]]] = {}
        for r in rows:
            if r["cell"] != DEFAULT_CELL.name and result_seed(r) in defaults:
                by_cell.setdefault(r["cell"], {})[result_seed(r)] = r
        if not defaults or not by_cell:
            continue

        def mean_over(cell_rows: dict[int, dict[str, Any]], key: Callable[[dict[str, Any]], float]) -> float:
            return _mean([key(r) for r in cell_rows.values()])

        best_cell, best_rows = max(by_cell.items(), key=lambda item: mean_over(item[1], subset_score))
        paired = {seed: defaults[seed] for seed in best_rows}
        gap = mean_over(best_rows, subset_score) - mean_over(paired, subset_score)
        ratio = mean_over(paired, lambda r: r["train_seconds"]) / max(mean_over(best_rows, lambda r: r["train_seconds"]), 1e-9)
        default_scores = [subset_score(r) for r in paired.values()]
        spread = (max(default_scores) - min(default_scores)) if len(default_scores) > 1 else None
        out.append({"subset": subset, "best_cell": best_cell, "gap_points": round(gap, 2),
                    "time_ratio": round(ratio, 2), "grid_cells": len(by_cell), "seeds": sorted(paired),
                    "default_spread_points": None if spread is None else round(spread, 2),
                    "meets": gap <= TARGET_POINTS and ratio <= TARGET_TIME_RATIO})
    return out


def print_table(results: list[dict[str, Any]]) -> None:
    def pts(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.2f}"

    header = (f"{'subset':<14}{'cell':<14}{'seed':>5}{'lr':>8}{'epochs':>8}{'best ep':>8}{'steps':>7}{'NER F1':>8}"
              f"{'sent F1':>9}{'score':>8}{'train s':>9}")
    print(header)
    print("-" * len(header))
    for r in results:
        epochs = r.get("epochs_trained") or r["epochs"]
        print(f"{r['subset']:<14}{r['cell']:<14}{result_seed(r):>5}{format_learning_rate(r['learning_rate']):>8}{epochs:>8}{r['best_epoch'] or '-':>8}"
              f"{r['steps']:>7}{pts(r['ner_f1']):>8}{pts(r['sentiment_macro_f1']):>9}{pts(r['test_score']):>8}"
              f"{r['train_seconds']:>9.0f}")
    for v in verdicts(results):
        seeds = v["seeds"]
        over = f"mean of seeds {','.join(map(str, seeds))}; " if len(seeds) > 1 else f"seed {seeds[0]}; "
        spread = (f", the defaults' scores spread {v['default_spread_points']:.2f} points over the seeds"
                  if v["default_spread_points"] is not None else "")
        print(f"{v['subset']} ({over.rstrip('; ')}): defaults {-v['gap_points']:+.2f} points vs the best of "
              f"{v['grid_cells']} grid cell(s) ({v['best_cell']}), {v['time_ratio']:.2f}x its training time{spread}: "
              f"{'meets' if v['meets'] else 'misses'} the target (within {TARGET_POINTS} points, "
              f"at most {TARGET_TIME_RATIO:g}x the time)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subsets", default=",".join(SUBSETS), help="comma-separated subset of " + ", ".join(SUBSETS))
    p.add_argument("--grid", default=FULL_GRID, help=f"fixed-budget cells, EPOCHSxLR items joined by ';' "
                                                     f"(default {FULL_GRID!r}; '' for none)")
    p.add_argument("--cells", choices=["all", "default", "grid"], default="all",
                   help="run the defaults, the grid, or both")
    p.add_argument("--test-limit", type=int, help="test documents per dataset (default: the full test sets)")
    p.add_argument("--dev-limit", type=int, default=500, help="dev documents per dataset (default 500)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--seeds", help="comma-separated seeds (sample and training) to average over; default: --seed")
    p.add_argument("--encoder", default="offline")
    p.add_argument("--device", default="auto")
    p.add_argument("--data", help="shared data folder (default ../shared/data)")
    p.add_argument("--workdir", help="keep the projects here (default: a temporary folder)")
    p.add_argument("--results", help="JSON file of finished cells: read, skipped, extended")
    p.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script end to end")
    args = p.parse_args(argv)

    names = [s.strip() for s in args.subsets.split(",") if s.strip()]
    unknown = [n for n in names if n not in SUBSETS]
    if unknown:
        raise SystemExit(f"unknown subset(s) {unknown}; choose from {list(SUBSETS)}")
    subsets = [SUBSETS[n] for n in names]
    cells = ([DEFAULT_CELL] if args.cells in ("all", "default") else []) + \
            (parse_grid(args.grid) if args.cells in ("all", "grid") else [])
    if args.smoke:
        subsets = [Subset(s.name, s.describe, _smoke_documents(s), s.entity_types, s.sentiment_classes)
                   for s in subsets]
        args.test_limit, args.dev_limit = 32, 16
        cells = [Cell(DEFAULT_CELL.name, {"max_steps": 4}),  # the planned budget, cut to 4 steps
                 Cell("e1-lr5e-5", {"epochs": 1, "learning_rate": 5e-5, "early_stopping_patience": 0, "max_steps": 2})]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="mtl-small-data-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results_path = Path(args.results) if args.results else None
    results = load_results(results_path)
    setup = {"test_limit": args.test_limit, "dev_limit": args.dev_limit, "seed": args.seed, "encoder": args.encoder}
    done = {(r["subset"], r["cell"], result_seed(r, args.seed)) for r in results}
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [args.seed]

    def keep(result: dict[str, Any]) -> None:
        results.append(result)
        save_results(results_path, results, setup)
        print(f"{result['subset']} {result['cell']}: score {subset_score(result):.2f}, "
              f"{result['train_seconds']:.0f} s training", file=sys.stderr)

    for seed in seeds:  # seeds outer: a run cut short still has whole seeds to compare
        for subset in subsets:
            run_subset(subset, cells, done, args, seed, workdir, keep)
    print()
    print(f"Small data (test: {'a sample of ' + str(args.test_limit) if args.test_limit else 'the full'} test documents "
          f"per dataset; dev: {args.dev_limit} per dataset; encoder {args.encoder}; seeds {','.join(map(str, seeds))})")
    print_table([r for r in results if r["subset"] in names])
    return 0


def _smoke_documents(subset: Subset) -> Documents:
    """The subset's documents with the training split cut to 24 documents."""
    def docs(data: Path, seed: int, test_limit: int | None, dev_limit: int | None) -> list:
        all_docs = subset.documents(data, seed, test_limit, dev_limit)
        train = [d for d in all_docs if d.split == "train"][:24]
        return train + [d for d in all_docs if d.split != "train"]
    return docs


if __name__ == "__main__":
    sys.exit(main())
