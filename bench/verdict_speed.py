"""How long the verdict (core/verdict.py) takes: 1,000 paired bootstrap resamples over N test documents
per task, from documents with stored-style predictions of two runs.

Documents: CoNLL-2003 test sentences (NER gold) and FPB test sentences (sentiment gold), repeated to N
when a file is shorter; the two "runs" predict the gold with seeded random errors (a dropped entity, a
wrong class), so the counts are realistic. Target: under 1-2 s for 3,000 documents.

    python bench/verdict_speed.py                 # N = 3000
    python bench/verdict_speed.py --documents 10000
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import conll_documents, data_dir, fpb_documents  # noqa: E402


def with_predictions(docs: list, run_ids: tuple[str, str], seed: int) -> list:
    """Each document with both runs' predictions as `predicted` annotations (as the store loads them)."""
    from mtl_studio.core.schema import SentimentLabel, Span

    rng = random.Random(seed)
    classes = ["negative", "neutral", "positive"]
    out = []
    for i, doc in enumerate(docs):
        spans, sentiments = [], []
        for run in run_ids:
            spans += [Span(s.start, s.end, s.label, "predicted", run_id=run) for s in doc.spans if rng.random() > 0.15]
            if doc.sentiment is not None:
                label = doc.sentiment.label if rng.random() > 0.2 else rng.choice(classes)
                sentiments.append(SentimentLabel(label, "predicted", run_id=run))
        out.append(replace(doc, id=i + 1, other_spans=spans, other_sentiments=sentiments))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--documents", type=int, default=3000, help="documents per task")
    p.add_argument("--data", help="shared data folder (default ../shared/data)")
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args(argv)

    from mtl_studio.core.run_record import RunRecord
    from mtl_studio.core.verdict import compute_verdict

    data = data_dir(args.data)
    ner = conll_documents(data / "conll2003" / "test.txt", "test", None)
    sent = fpb_documents(data / "financial_phrasebank" / "fpb_test.csv", "test", None)
    docs = [ner[i % len(ner)] for i in range(args.documents)] + [sent[i % len(sent)] for i in range(args.documents)]
    docs = with_predictions(docs, ("joint", "base"), args.seed)
    joint = RunRecord("joint", "", "completed", {"tasks": ["ner", "sentiment"]}, "h", None, {})
    baseline = RunRecord("base", "", "completed", {"tasks": ["ner"]}, "h", None, {})
    t0 = time.perf_counter()
    verdict = compute_verdict(joint, {"ner": baseline, "sentiment": baseline}, docs)
    seconds = time.perf_counter() - t0
    print(f"verdict over {args.documents} NER + {args.documents} sentiment test documents, {verdict.resamples} "
          f"paired resamples: {seconds:.2f} s")
    print(verdict.sentence)
    return 0


if __name__ == "__main__":
    sys.exit(main())
