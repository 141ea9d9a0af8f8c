"""Benchmarks 2 and 4 (issue #3): training throughput and peak memory.

Methods, each in its own process (clean memory figures), same encoder (offline MiniLM by default),
batch 16, lr 5e-5, on a random sample of CoNLL-2003 train sentences:

    pad-128       the naive recipe: same model and NER loss, random batches padded to 128 tokens
    hf-trainer    transformers' Trainer, AutoModelForTokenClassification, DataCollatorForTokenClassification
                  (its default: dynamic padding per random batch); needs `accelerate`
    engine-ner    this engine, NER only (length-grouped batches, dynamic padding)
    engine-joint  this engine, NER + sentiment on CoNLL + FPB sentences (2:1), both heads and the
                  weighting, with a dev evaluation at the end (memory of a real run)

Throughput = sentences per second over the measured optimizer steps (the first --warmup steps are not
timed). Peak RSS = the process's maximum resident set size (ru_maxrss) at the end, data loading and
model included. Targets: engine-ner >= 4x pad-128; engine-joint >= 0.9x hf-trainer; engine-joint peak RSS
under 2 GiB at batch 16.

    python bench/train_speed.py                    # 30 timed steps per method, ~5 min on 2 CPU cores
    python bench/train_speed.py --steps 10 --methods engine-ner,pad-128     # quicker
    python bench/train_speed.py --json out.json
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import (CONLL_TYPES, build_project, conll_documents, data_dir,  # noqa: E402
                        fpb_documents)

METHODS = ("pad-128", "hf-trainer", "engine-ner", "engine-joint")
BATCH = 16
LR = 5e-5


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _ner_features(docs: list, encoder: str, max_length: int) -> tuple[Any, Any, Any]:
    from mtl_studio.core.features import LabelMaps, encode_documents
    from mtl_studio.core.model import load_encoder

    enc, tok = load_encoder(encoder)
    labels = LabelMaps(tuple(CONLL_TYPES), ())
    data = encode_documents(docs, tok, labels, max_length=max_length, tasks=("ner",))
    return enc, tok, data


def run_pad128(docs: list, args: argparse.Namespace) -> dict[str, Any]:
    """The naive recipe: pad every batch to 128 tokens, random batches; same model and loss as the engine."""
    import torch

    from mtl_studio.core.features import collate
    from mtl_studio.core.losses import ner_loss_sum
    from mtl_studio.core.model import MultiTaskModel

    enc, tok, data = _ner_features(docs, args.encoder, 128)
    torch.manual_seed(args.seed)
    model = MultiTaskModel(enc, 1 + 2 * len(CONLL_TYPES), 1).train()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01, fused=True)  # as Trainer and engine
    order = list(range(len(data.examples)))
    random.Random(args.seed).shuffle(order)
    times, tokens = [], 0
    for step in range(args.warmup + args.steps):
        idx = order[step * BATCH:(step + 1) * BATCH]
        batch = collate([data.examples[i] for i in idx], tok.pad_token_id)
        pad = 128 - batch.input_ids.shape[1]
        ids = torch.nn.functional.pad(batch.input_ids, (0, pad), value=tok.pad_token_id)
        mask = torch.nn.functional.pad(batch.attention_mask, (0, pad), value=0)
        labels = torch.nn.functional.pad(batch.ner_labels, (0, pad), value=-100)
        out = model(ids, mask)
        total, count = ner_loss_sum(out.token_logits, labels, batch.ner_example_weights)
        (total / count.clamp(min=1)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter())
        if step >= args.warmup:
            tokens += ids.numel()
    return {"sentences_per_second": BATCH * args.steps / (times[-1] - times[args.warmup - 1]),
            "padded_tokens_per_sentence": tokens / (BATCH * args.steps)}


def run_hf_trainer(docs: list, args: argparse.Namespace) -> dict[str, Any]:
    """transformers' Trainer on the same sentences and the same first-sub-word labels."""
    try:
        import accelerate  # noqa: F401  (the Trainer needs it)
    except ImportError:
        return {"error": "the HF Trainer needs accelerate: pip install 'accelerate>=1.1'"}
    import torch
    from transformers import (AutoModelForTokenClassification, DataCollatorForTokenClassification, Trainer,
                              TrainerCallback, TrainingArguments)

    from mtl_studio.core.model import resolve_encoder

    _, tok, data = _ner_features(docs, args.encoder, 256)
    rows = [{"input_ids": e.input_ids, "attention_mask": [1] * e.length, "labels": e.ner_labels}
            for e in data.examples]
    torch.manual_seed(args.seed)
    model = AutoModelForTokenClassification.from_pretrained(resolve_encoder(args.encoder),
                                                            num_labels=1 + 2 * len(CONLL_TYPES))
    times: list[float] = []
    tokens: list[int] = []

    class Clock(TrainerCallback):
        def on_step_end(self, *a: Any, **k: Any) -> None:
            times.append(time.perf_counter())

    collator = DataCollatorForTokenClassification(tok)

    def collate(features: list) -> Any:
        batch = collator(features)
        tokens.append(int(batch["input_ids"].numel()))
        return batch

    out = tempfile.mkdtemp(prefix="hf-trainer-")
    targs = TrainingArguments(output_dir=out, per_device_train_batch_size=BATCH, learning_rate=LR,
                              weight_decay=0.01, max_steps=args.warmup + args.steps, report_to=[],
                              save_strategy="no", logging_strategy="no", disable_tqdm=True, seed=args.seed,
                              dataloader_num_workers=0, use_cpu=not torch.cuda.is_available())
    Trainer(model=model, args=targs, train_dataset=rows, data_collator=collate, callbacks=[Clock()]).train()
    timed = tokens[args.warmup:args.warmup + args.steps]
    return {"sentences_per_second": BATCH * args.steps / (times[-1] - times[args.warmup - 1]),
            "padded_tokens_per_sentence": sum(timed) / (BATCH * len(timed))}


def run_engine(docs: list, args: argparse.Namespace, tasks: tuple[str, ...]) -> dict[str, Any]:
    from mtl_studio.core.config import TrainConfig
    from mtl_studio.core.events import RunFinished, StepProgress
    from mtl_studio.core.train import train

    workdir = Path(tempfile.mkdtemp(prefix="engine-speed-"))
    build_project(workdir / "speed.mtl", docs).close()
    cfg = TrainConfig(encoder=args.encoder, tasks=tasks, batch_size=BATCH, learning_rate=LR, epochs=1,
                      max_steps_per_epoch=args.warmup + args.steps, seed=args.seed, early_stopping_patience=0,
                      eval_each_epoch=True)
    times: list[float] = []
    finished = None
    for ev in train(str(workdir / "speed.mtl"), cfg):
        if isinstance(ev, StepProgress):
            times.append(time.perf_counter())
        elif isinstance(ev, RunFinished):
            finished = ev
    if finished is None or finished.status != "completed":
        return {"error": f"run did not complete: {finished}"}
    return {"sentences_per_second": BATCH * args.steps / (times[-1] - times[args.warmup - 1]),
            "padded_tokens_per_sentence": _engine_tokens(docs, args, tasks)}


def _engine_tokens(docs: list, args: argparse.Namespace, tasks: tuple[str, ...]) -> float:
    """Padded tokens per sentence of the timed steps: the engine's batches depend only on (seed, epoch),
    so they are rebuilt here exactly."""
    from mtl_studio.core.features import LabelMaps, encode_documents, length_grouped_batches
    from mtl_studio.core.model import load_encoder

    from bench_data import FPB_CLASSES

    _, tok = load_encoder(args.encoder)
    train_docs = [d for d in docs if d.split == "train"]
    data = encode_documents(train_docs, tok, LabelMaps(tuple(CONLL_TYPES), tuple(FPB_CLASSES)), max_length=256,
                            tasks=tasks)
    lengths = data.lengths()
    batches = length_grouped_batches(lengths, BATCH, seed=args.seed, epoch=0,
                                     kinds=data.kinds())[args.warmup:args.warmup + args.steps]
    return sum(len(b) * max(lengths[i] for i in b) for b in batches) / sum(len(b) for b in batches)


def worker(args: argparse.Namespace) -> dict[str, Any]:
    data = data_dir(args.data)
    conll = conll_documents(data / "conll2003" / "train.txt", "train", args.sentences, seed=args.seed)
    if args.worker == "pad-128":
        result = run_pad128(conll, args)
    elif args.worker == "hf-trainer":
        result = run_hf_trainer(conll, args)
    elif args.worker == "engine-ner":
        result = run_engine(conll, args, ("ner",))
    else:
        fpb = fpb_documents(data / "financial_phrasebank" / "fpb_train.csv", "train", args.sentences // 2,
                            seed=args.seed)
        dev = (conll_documents(data / "conll2003" / "valid.txt", "dev", 200, seed=args.seed)
               + fpb_documents(data / "financial_phrasebank" / "fpb_dev.csv", "dev", 100, seed=args.seed))
        result = run_engine(conll + fpb + dev, args, ("ner", "sentiment"))
    result.update(method=args.worker, peak_rss_mib=round(peak_rss_mib(), 1))
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=30, help="timed optimizer steps per method")
    p.add_argument("--warmup", type=int, default=3, help="untimed first steps")
    p.add_argument("--sentences", type=int, default=2000, help="CoNLL train sentences sampled (FPB: half as many)")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--encoder", default="offline")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--data", help="shared data folder (default ../shared/data)")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.warmup < 1:
        raise SystemExit("--warmup must be at least 1")
    if args.worker:
        print(json.dumps(worker(args)))
        return 0

    data_dir(args.data)  # fail early with a clear message
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    results: dict[str, dict[str, Any]] = {}
    for m in methods:
        cmd = [sys.executable, __file__, "--worker", m, "--steps", str(args.steps), "--warmup", str(args.warmup),
               "--sentences", str(args.sentences), "--encoder", args.encoder, "--seed", str(args.seed)]
        if args.data:
            cmd += ["--data", args.data]
        print(f"measuring {m} ...", file=sys.stderr)
        env = dict(os.environ, TOKENIZERS_PARALLELISM="false")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            results[m] = {"method": m, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
        else:
            results[m] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"  {results[m]}", file=sys.stderr)

    def rate(m: str) -> float | None:
        return results.get(m, {}).get("sentences_per_second")

    base_pad, base_hf = rate("pad-128"), rate("hf-trainer")
    print(f"\nTraining throughput, batch {BATCH}, encoder {args.encoder}, {args.steps} timed steps after "
          f"{args.warmup} warm-up; {args.sentences} CoNLL-2003 train sentences (+{args.sentences // 2} FPB for "
          "engine-joint); ratios against baselines measured in this run")
    header = f"{'method':<14}{'sent/s':>9}{'vs pad-128':>12}{'vs HF Trainer':>15}{'tokens/sent':>13}{'peak RSS MiB':>14}"
    print(header)
    print("-" * len(header))
    for m in methods:
        r = results[m]
        if "error" in r:
            print(f"{m:<14}  error: {r['error']}")
            continue
        s = r["sentences_per_second"]
        vs_pad = f"{s / base_pad:.2f}x" if base_pad else "-"
        vs_hf = f"{s / base_hf:.2f}x" if base_hf else "-"
        toks = r.get("padded_tokens_per_sentence")
        print(f"{m:<14}{s:>9.1f}{vs_pad:>12}{vs_hf:>15}{(f'{toks:.1f}' if toks else '-'):>13}"
              f"{r['peak_rss_mib']:>14.0f}")
    checks = []
    if rate("engine-ner") and base_pad:
        checks.append(("engine-ner >= 4x pad-128", rate("engine-ner") / base_pad >= 4))
    if rate("engine-joint") and base_hf:
        checks.append(("engine-joint >= 0.9x HF Trainer (single-task)", rate("engine-joint") / base_hf >= 0.9))
    if "engine-joint" in results and "peak_rss_mib" in results["engine-joint"]:
        checks.append(("engine-joint peak RSS < 2 GiB", results["engine-joint"]["peak_rss_mib"] < 2048))
    for name, ok in checks:
        print(f"target {name}: {'met' if ok else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "targets": dict(checks)}, indent=2),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
