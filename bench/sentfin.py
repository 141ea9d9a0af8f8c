"""Entity-level sentiment on SEntFiN headlines: the joint model against single-task baselines and anchors.

    python bench/sentfin.py [--data ../shared/data] [--train-limit N] [--runs joint,ner,entity_sentiment,sentiment]

One project of the shared SEntFiN data (derived JSONL: 8,549 train / 1,069 dev / 1,068 test headlines), with
three tasks: the entity spans (one type ENT), the polarity toward each entity (entity sentiment), and the
headline label (the data's derived common polarity or "mixed"). Runs, all with the default preset and the
offline MiniLM, the same seed and budget rules:

- joint: one shared encoder, the three heads;
- a single-task baseline per task (same encoder, seed and planned budget rules).

Printed per run: entity-sentiment accuracy and macro-F1 with GOLD spans, end-to-end strict F1 (span and
polarity both right), NER micro-F1, headline macro-F1, and the ratios against the anchors: the SEntFiN paper
(Sinha et al. 2022: 94.3% accuracy / 93.3% F1 with gold entities, RoBERTa/FinBERT) and the FinEntity paper
(Tang et al. 2023: 0.84 micro F1 end to end, FinBERT-CRF). The issue's target is 90% of each anchor.
A majority-polarity baseline (every gold entity gets the training set's most frequent polarity) is
computed in the same run as a floor.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without install
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_runs import train_and_score  # noqa: E402
from mtl_studio.commands.engine import auto_or  # noqa: E402
from mtl_studio.core.config import TrainConfig  # noqa: E402
from mtl_studio.core.schema import DEFAULT_POLARITIES, Document, SentimentLabel, Span  # noqa: E402
from mtl_studio.core.store import ProjectStore  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
HEADLINE_CLASSES = ["negative", "neutral", "positive", "mixed"]
ANCHOR_ACCURACY = 0.943  # SEntFiN paper, gold entities
ANCHOR_GOLD_F1 = 0.933  # SEntFiN paper, gold entities (macro F1)
ANCHOR_END_TO_END_F1 = 0.84  # FinEntity paper, micro F1 end to end
TARGET = 0.90
RUNS = {
    "joint": ("ner", "entity_sentiment", "sentiment"),
    "ner": ("ner",),
    "entity_sentiment": ("entity_sentiment",),
    "sentiment": ("sentiment",),
}


def read_split(path: Path, split: str, limit: int | None, seed: int) -> list[Document]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit is not None and limit < len(records):
        records = random.Random(seed).sample(records, limit)
    return [Document(text=r["text"], tokens=[tuple(t) for t in r["token_spans"]],
                     spans=[Span(s["start"], s["end"], "ENT", sentiment=s["sentiment"]) for s in r["spans"]],
                     ner_labelled=True, sentiment=SentimentLabel(r["label"]), split=split, source=path.name)
            for r in records]


def build_project(path: Path, data: Path, train_limit: int | None, seed: int) -> tuple[ProjectStore, list[Document]]:
    store = ProjectStore.create(path)
    store.add_entity_type("ENT")
    for c in HEADLINE_CLASSES:
        store.add_sentiment_class(c)
    store.enable_entity_sentiment(DEFAULT_POLARITIES)
    folder = data / "sentfin"
    train = read_split(folder / "sentfin_train.jsonl", "train", train_limit, seed)
    docs = train + read_split(folder / "sentfin_dev.jsonl", "dev", None, seed) + \
        read_split(folder / "sentfin_test.jsonl", "test", None, seed)
    with store.bulk():
        for d in docs:
            store.add_document(d)
    return store, docs


def majority_floor(docs: list[Document]) -> dict[str, float]:
    """Accuracy and macro-F1 on test when every gold entity gets the most frequent training polarity."""
    train = Counter(s.sentiment for d in docs if d.split == "train" for s in d.spans if s.sentiment)
    majority = train.most_common(1)[0][0]
    gold = [s.sentiment for d in docs if d.split == "test" for s in d.spans if s.sentiment]
    accuracy = sum(g == majority for g in gold) / len(gold)
    # F1 of the majority class only (the others score 0), averaged over the classes present in gold.
    support = Counter(gold)
    precision = support[majority] / len(gold)
    f1_major = 2 * precision / (precision + 1)
    return {"accuracy": accuracy, "macro_f1": f1_major / len(support), "majority": majority}


def _get(d: Any, *keys: str) -> float | None:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return float(d) if isinstance(d, (int, float)) else None


def entity_scores(test: dict[str, Any]) -> dict[str, float | None]:
    es = test.get("entity_sentiment") or {}
    return {
        "es_accuracy": _get(es, "gold_spans", "accuracy"),
        "es_macro_f1": _get(es, "gold_spans", "macro", "f1"),
        "end_to_end_f1": _get(es, "end_to_end", "micro", "f1"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(SHARED), help="the shared data folder (holds sentfin/)")
    ap.add_argument("--train-limit", type=int, default=None, help="a seeded sample of the training headlines")
    ap.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated, of {', '.join(RUNS)}")
    ap.add_argument("--epochs", type=auto_or(int), default="auto",
                    help="epochs per run (default auto: the default preset)")
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--strategy", default="fixed", help="task weighting of the runs (core.strategies)")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "sentfin" / "sentfin_train.jsonl").is_file():
        raise SystemExit(f"SEntFiN not found under {data}/sentfin; pass --data DIR")
    names = [n.strip() for n in args.runs.split(",") if n.strip()]
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        raise SystemExit(f"unknown run {unknown[0]!r}; choose from {', '.join(RUNS)}")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sentfin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    project = workdir / "sentfin.mtl"
    if project.exists():
        project.unlink()
    store, docs = build_project(project, data, args.train_limit, args.seed)
    store.close()
    floor = majority_floor(docs)
    epochs: int | str = args.epochs
    rows = []
    for name in names:
        config = TrainConfig(tasks=RUNS[name], epochs=epochs, max_steps=args.max_steps, seed=args.seed,
                             strategy=args.strategy)
        result = train_and_score(project, config, name)
        with ProjectStore.open(project) as s:
            test = s.run_record(result["run_id"]).metrics.get("test", {})
        row = {"run": name, "tasks": "+".join(RUNS[name]), **entity_scores(test),
               "ner_f1": result["ner_f1"], "headline_macro_f1": result["sentiment_macro_f1"],
               "train_seconds": result["train_seconds"], "steps": result["steps"]}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:5.1f}"

    def ratio(x: float | None, anchor: float) -> str:
        return "-" if x is None else f"{x / anchor:4.2f}x"

    print(f"SEntFiN: {sum(d.split == 'train' for d in docs)} train / {sum(d.split == 'dev' for d in docs)} dev / "
          f"{sum(d.split == 'test' for d in docs)} test headlines; offline MiniLM, seed {args.seed}, "
          f"strategy {args.strategy}")
    header = (f"{'run':<17} {'ES acc':>6} {'vs94.3':>6} {'ES mF1':>6} {'vs93.3':>6} {'E2E F1':>6} {'vs.84':>6} "
              f"{'NER F1':>6} {'head F1':>7} {'train s':>7}")
    print(header)
    print("-" * len(header))
    print(f"{'majority floor':<17} {pct(floor['accuracy']):>6} {ratio(floor['accuracy'], ANCHOR_ACCURACY):>6} "
          f"{pct(floor['macro_f1']):>6} {ratio(floor['macro_f1'], ANCHOR_GOLD_F1):>6}")
    for r in rows:
        print(f"{r['run']:<17} {pct(r['es_accuracy']):>6} {ratio(r['es_accuracy'], ANCHOR_ACCURACY):>6} "
              f"{pct(r['es_macro_f1']):>6} {ratio(r['es_macro_f1'], ANCHOR_GOLD_F1):>6} "
              f"{pct(r['end_to_end_f1']):>6} {ratio(r['end_to_end_f1'], ANCHOR_END_TO_END_F1):>6} "
              f"{pct(r['ner_f1']):>6} {pct(r['headline_macro_f1']):>7} {r['train_seconds']:>7}")
    print(f"target: {TARGET:.0%} of each anchor (ES accuracy {TARGET * ANCHOR_ACCURACY:.1%}, ES macro-F1 "
          f"{TARGET * ANCHOR_GOLD_F1:.1%}, end-to-end F1 {TARGET * ANCHOR_END_TO_END_F1:.3f})")
    if args.json:
        Path(args.json).write_text(json.dumps({"floor": floor, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
