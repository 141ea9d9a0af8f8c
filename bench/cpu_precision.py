"""bf16 autocast against fp32 on this CPU: a training step and an inference pass, MiniLM and BERT-base size.

    python bench/cpu_precision.py                        # offline MiniLM + random-init BERT-base (768 x 12)
    python bench/cpu_precision.py --steps 3 --encoders minilm   # quick

Each measurement builds the multi-task model (encoder + token head + sentence head), then times
--steps optimizer steps (AdamW, batch --batch-size, both heads' losses, backward) and --steps forward
passes under inference_mode (batch 32), after one untimed warm-up, for fp32 and for
torch.autocast("cpu", dtype=torch.bfloat16), interleaved (fp32 step, bf16 step, ...) so that a change
of machine load hits both alike. Time is this process's CPU time (time.process_time), with --threads 1
by default: on a machine shared with other jobs wall time also measures the neighbours, CPU time of one
thread measures the work. The batches are real CoNLL-2003 / FPB sentences when ../shared/data is
there, else generated ones. BERT-base is random-init (BertConfig defaults: hidden 768, 12 layers,
12 heads): it measures speed only. The output says which bf16 instructions the CPU has (AMX, AVX512-BF16)
because they decide whether bf16 can pay at all.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from inference_speed import load_texts  # noqa: E402

ENCODERS = ("minilm", "bert-base")


def cpu_bf16_support() -> dict[str, Any]:
    cpu = getattr(torch, "cpu", None)
    return {"capability": torch.backends.cpu.get_cpu_capability(),
            "amx_tile": bool(getattr(cpu, "_is_amx_tile_supported", lambda: False)()),
            "avx512_bf16": bool(getattr(cpu, "_is_avx512_bf16_supported", lambda: False)())}


def build(encoder: str) -> tuple[Any, Any]:
    from mtl_studio.core.model import MultiTaskModel, load_encoder

    enc, tok = load_encoder(None)
    if encoder == "bert-base":
        from transformers import BertConfig, BertModel

        torch.manual_seed(0)
        enc = BertModel(BertConfig(vocab_size=tok.vocab_size))
    return MultiTaskModel(enc, 9, 3), tok


def batches(tok: Any, texts: list[str], size: int) -> list[dict[str, torch.Tensor]]:
    out = []
    for i in range(0, len(texts) - size + 1, size):
        enc = tok(texts[i:i + size], padding=True, truncation=True, max_length=128, return_tensors="pt")
        out.append({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]})
    return out


def train_step(model: Any, opt: Any, batch: dict[str, torch.Tensor], bf16: bool) -> None:
    opt.zero_grad(set_to_none=True)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        out = model(batch["input_ids"], batch["attention_mask"])
        tags = torch.zeros_like(batch["input_ids"])
        loss = (torch.nn.functional.cross_entropy(out.token_logits.flatten(0, 1).float(), tags.flatten())
                + torch.nn.functional.cross_entropy(out.sequence_logits.float(),
                                                    torch.zeros(len(tags), dtype=torch.long)))
    loss.backward()
    opt.step()


def measure(encoder: str, texts: list[str], steps: int, batch_size: int) -> dict[str, dict[str, float]]:
    model, tok = build(encoder)
    train_batches = batches(tok, texts, batch_size)
    infer_batches = batches(tok, texts, 32)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    secs: dict[str, list[float]] = {k: [] for k in ("train fp32", "train bf16", "infer fp32", "infer bf16")}
    model.train()
    for i in range(steps + 1):
        b = train_batches[i % len(train_batches)]
        for bf16 in (False, True):
            t = time.process_time()
            train_step(model, opt, b, bf16)
            if i:  # the first round warms up both paths
                secs[f"train {'bf16' if bf16 else 'fp32'}"].append(time.process_time() - t)
    model.eval()
    with torch.inference_mode():
        for i in range(steps + 1):
            b = infer_batches[i % len(infer_batches)]
            for bf16 in (False, True):
                t = time.process_time()
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    model(b["input_ids"], b["attention_mask"])
                if i:
                    secs[f"infer {'bf16' if bf16 else 'fp32'}"].append(time.process_time() - t)
    return {k: {"median_s": statistics.median(v), "items_per_s": (batch_size if k.startswith("train") else 32)
                / statistics.median(v)} for k, v in secs.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoders", default=",".join(ENCODERS))
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1, see above)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    texts, source = load_texts(32 * (args.steps + 1))
    support = cpu_bf16_support()
    results = {e: measure(e, texts, args.steps, args.batch_size) for e in args.encoders.split(",")}
    print(f"\nCPU precision: {source}; {torch.get_num_threads()} threads; torch {torch.__version__}; "
          f"CPU capability {support['capability']}, AMX {'yes' if support['amx_tile'] else 'no'}, "
          f"AVX512-BF16 {'yes' if support['avx512_bf16'] else 'no'}; median of {args.steps} interleaved steps")
    print("\n| encoder | what | fp32 items per CPU-s | bf16 items per CPU-s | bf16 vs fp32 |")
    print("|---|---|---:|---:|---:|")
    for enc, r in results.items():
        for what, label in (("train", f"train step, batch {args.batch_size}"), ("infer", "inference, batch 32")):
            fp32, bf16 = r[f"{what} fp32"]["items_per_s"], r[f"{what} bf16"]["items_per_s"]
            print(f"| {enc} | {label} | {fp32:.1f} | {bf16:.1f} | {bf16 / fp32:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps({"source": source, "cpu": support, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
