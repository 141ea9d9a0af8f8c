"""Training throughput and model FLOP utilisation (MFU) of the multi-task model.

    python bench/gpu_throughput.py                      # both models, baseline vs optimized, auto device
    python bench/gpu_throughput.py --device cpu --steps 3 --warmup 1 --batch-size 8
    python bench/gpu_throughput.py --models bert-base --variants bf16,optimized --peak-tflops 989

It trains the real MultiTaskModel (shared encoder + BIO token head + sentiment head, both losses, AdamW,
gradient clipping) on synthetic batches of random token ids of a fixed length, so every token is a
real one and the FLOP count is exact:

    MFU = 6 x non-embedding parameters x tokens / seconds / peak FLOPS

(the usual forward + backward estimate; the attention score FLOPs are not in it, so MFU is a slight
under-estimate at long sequences). Peak: --peak-tflops, else a table of dense tensor-core figures for
known GPUs, else a matmul measured in this run (always the case on the CPU).

Models: "offline" (all-MiniLM-L6-v2 from the offline extra, real weights), "minilm-l6" (the same
architecture from its config, random init: throughput does not depend on the weights, so this stands in
where the extra cannot be installed, e.g. an offline GPU machine), "bert-base" (BertConfig() default
sizes, random init: 12 layers, hidden 768), or a local encoder folder.
Variants (comma list): baseline = fp32, eager attention, plain AdamW, pageable memory;
sdpa = baseline + SDPA attention; bf16 = sdpa + autocast (bf16 where supported, else fp16 + scaler);
optimized = bf16 + fused AdamW + pinned memory with non-blocking copies.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without install

from mtl_studio.core.model import MultiTaskModel, load_encoder  # noqa: E402

NUM_TAGS = 9  # BIO over PER/ORG/LOC/MISC, as in CoNLL-2003
NUM_CLASSES = 3  # negative / neutral / positive

# Dense (no sparsity) peak TFLOPS by GPU name fragment: (bf16/fp16 tensor core, tf32, fp32).
GPU_PEAKS: list[tuple[str, tuple[float, float, float]]] = [
    ("H200", (989.0, 494.7, 66.9)),
    ("H100", (989.0, 494.7, 66.9)),  # SXM; PCIe is lower (756 bf16), pass --peak-tflops there
    ("A100", (312.0, 156.0, 19.5)),
    ("L40S", (362.0, 183.0, 91.6)),
    ("A10G", (70.0, 35.0, 31.2)),
    ("A10", (125.0, 62.5, 31.2)),
    ("L4", (121.0, 60.0, 30.3)),
    ("V100", (125.0, 15.7, 15.7)),  # fp16 tensor cores; no bf16
    ("T4", (65.0, 8.1, 8.1)),
]


@dataclass(frozen=True)
class Variant:
    name: str
    precision: str = "fp32"  # fp32 | bf16 | fp16 | amp (bf16 if supported else fp16)
    attn: str = "eager"  # eager | sdpa
    fused_adamw: bool = False
    pin_memory: bool = False


VARIANTS = {
    "baseline": Variant("baseline"),
    "sdpa": Variant("sdpa", attn="sdpa"),
    "bf16": Variant("bf16", precision="amp", attn="sdpa"),
    "optimized": Variant("optimized", precision="amp", attn="sdpa", fused_adamw=True, pin_memory=True),
}


@dataclass
class Result:
    model: str
    variant: str
    device: str
    precision: str
    attn: str
    fused_adamw: bool
    pin_memory: bool
    batch_size: int
    seq_len: int
    steps: int
    seconds: float
    sentences_per_s: float
    tokens_per_s: float
    non_embedding_params: int
    achieved_tflops: float
    peak_tflops: float
    peak_source: str
    mfu: float
    final_loss: float


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for fp32."""
    if precision == "fp32":
        return None
    if precision == "amp":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.bfloat16  # CPU autocast supports bf16 only
    return {"bf16": torch.bfloat16, "fp16": torch.float16}[precision]


# all-MiniLM-L6-v2's config.json (the architecture of the default encoder).
MINILM_L6 = dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
                 vocab_size=30522, max_position_embeddings=512, type_vocab_size=2)


def build_encoder(model: str, attn: str):
    if model in ("bert-base", "minilm-l6"):
        from transformers import AutoModel, BertConfig

        config = BertConfig() if model == "bert-base" else BertConfig(**MINILM_L6)
        return AutoModel.from_config(config, attn_implementation=attn)
    encoder, _ = load_encoder(model, attn_implementation=attn)
    return encoder


def non_embedding_params(model: nn.Module) -> int:
    """Parameters that do matmul work per token: everything but the embedding tables."""
    embedding_ids = {id(p) for m in model.modules() if isinstance(m, nn.Embedding) for p in m.parameters()}
    return sum(p.numel() for p in model.parameters() if id(p) not in embedding_ids)


_MEASURED_PEAKS: dict[tuple[str, torch.dtype], float] = {}


def measure_matmul_tflops(device: torch.device, dtype: torch.dtype, n: int = 2048, seconds: float = 1.0) -> float:
    """Achievable dense matmul TFLOPS here (the peak on a CPU, where no spec sheet applies); measured
    once per device and dtype in a run, so every row of the table divides by the same peak."""
    key = (str(device), dtype)
    if key not in _MEASURED_PEAKS:
        # Best of three: a peak is what the hardware can do, and other load only ever lowers a trial.
        _MEASURED_PEAKS[key] = max(_time_matmul(device, dtype, n, seconds / 3) for _ in range(3))
    return _MEASURED_PEAKS[key]


def _time_matmul(device: torch.device, dtype: torch.dtype, n: int, seconds: float) -> float:
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(2):
        a @ b
    _sync(device)
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(5):  # queue a few on a GPU before waiting, so launch gaps do not count
            a @ b
        reps += 5
        _sync(device)
    return 2 * n ** 3 * reps / (time.perf_counter() - start) / 1e12


def table_peak(device: torch.device, dtype: torch.dtype | None) -> float | None:
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for fragment, (half, tf32, fp32) in GPU_PEAKS:
        if fragment in name:
            if dtype is not None:
                return half
            return tf32 if torch.backends.cuda.matmul.allow_tf32 else fp32
    return None


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def make_batches(n: int, batch_size: int, seq_len: int, vocab: int, pin: bool, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(n):
        b = {
            "input_ids": torch.randint(5, vocab, (batch_size, seq_len), generator=g),
            "attention_mask": torch.ones(batch_size, seq_len, dtype=torch.long),
            "tags": torch.randint(0, NUM_TAGS, (batch_size, seq_len), generator=g),
            "labels": torch.randint(0, NUM_CLASSES, (batch_size,), generator=g),
        }
        batches.append({k: v.pin_memory() if pin else v for k, v in b.items()})
    return batches


def run_one(model_name: str, variant: Variant, device: torch.device, *, batch_size: int, seq_len: int,
            steps: int, warmup: int, peak_tflops: float | None) -> Result:
    torch.manual_seed(0)
    encoder = build_encoder(model_name, variant.attn)
    model = MultiTaskModel(encoder, NUM_TAGS, NUM_CLASSES).to(device)
    model.train()
    dtype = resolve_precision(variant.precision, device)
    pin = variant.pin_memory and device.type == "cuda"
    fused = variant.fused_adamw and device.type in ("cuda", "cpu")
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, fused=fused or None)
    scaler = torch.amp.GradScaler(device.type, enabled=(dtype == torch.float16))
    ce = nn.CrossEntropyLoss()
    batches = make_batches(min(steps + warmup, 4), batch_size, seq_len, encoder.config.vocab_size, pin)

    def step(i: int) -> float:
        cpu_batch = batches[i % len(batches)]
        b = {k: v.to(device, non_blocking=pin) for k, v in cpu_batch.items()}
        with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            out = model(b["input_ids"], b["attention_mask"])
            loss = 0.5 * ce(out.token_logits.reshape(-1, NUM_TAGS).float(), b["tags"].reshape(-1)) \
                + 0.5 * ce(out.sequence_logits.float(), b["labels"])
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
        opt.zero_grad(set_to_none=True)
        return loss

    for i in range(warmup):
        step(i)
    _sync(device)
    start = time.perf_counter()
    for i in range(steps):
        last = step(warmup + i)
    _sync(device)
    seconds = time.perf_counter() - start
    final_loss = float(last.detach().float().item())

    n_params = non_embedding_params(model)
    tokens = batch_size * seq_len * steps
    achieved = 6 * n_params * tokens / seconds / 1e12
    peak, source = peak_tflops, "given"
    if peak is None:
        peak, source = table_peak(device, dtype), "table"
    if peak is None:
        peak = measure_matmul_tflops(device, dtype or torch.float32)
        source = "measured matmul"
    return Result(model_name, variant.name, str(device), str(dtype).replace("torch.", "") if dtype else "fp32",
                  variant.attn, fused, pin, batch_size, seq_len, steps, seconds, batch_size * steps / seconds,
                  tokens / seconds, n_params, achieved, peak, source, achieved / peak, final_loss)


def print_table(results: list[Result]) -> None:
    header = ["model", "variant", "device", "prec", "attn", "fused", "pin", "batch", "seq", "sent/s",
              "tok/s", "non-emb M", "TFLOPS", "peak", "MFU %"]
    rows = [[r.model[-24:], r.variant, r.device, r.precision, r.attn, "y" if r.fused_adamw else "n",
             "y" if r.pin_memory else "n", str(r.batch_size), str(r.seq_len), f"{r.sentences_per_s:.1f}",
             f"{r.tokens_per_s:.0f}", f"{r.non_embedding_params / 1e6:.1f}", f"{r.achieved_tflops:.3f}",
             f"{r.peak_tflops:.1f} ({r.peak_source})", f"{100 * r.mfu:.1f}"] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="offline,bert-base",
                   help="comma list: offline, bert-base, or encoder folders (default: %(default)s)")
    p.add_argument("--variants", default="baseline,optimized",
                   help=f"comma list of {', '.join(VARIANTS)} (default: %(default)s)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=128)
    p.add_argument("--steps", type=int, default=20, help="timed optimizer steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (allocator, kernels)")
    p.add_argument("--peak-tflops", type=float, default=None,
                   help="peak of this device in the run's precision; default: GPU table or measured matmul")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: leave as is)")
    p.add_argument("--json", dest="json_out", default=None, help="also write the results to this file")
    args = p.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True  # what the trainer does for fp32 on Ampere+
        torch.backends.cudnn.allow_tf32 = True
    unknown = [v for v in args.variants.split(",") if v not in VARIANTS]
    if unknown:
        p.error(f"unknown variant(s) {unknown}; choose from {', '.join(VARIANTS)}")
    info = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__} on {device} ({info})", flush=True)

    results = []
    for model_name in [m for m in args.models.split(",") if m]:
        for v in args.variants.split(","):
            r = run_one(model_name, VARIANTS[v], device, batch_size=args.batch_size, seq_len=args.seq_len,
                        steps=args.steps, warmup=args.warmup, peak_tflops=args.peak_tflops)
            if not math.isfinite(r.final_loss):
                print(f"warning: {model_name}/{v} loss is {r.final_loss}", file=sys.stderr)
            print(f"  {model_name} {v}: {r.sentences_per_s:.1f} sentences/s, {r.tokens_per_s:.0f} tokens/s, "
                  f"MFU {100 * r.mfu:.1f}%", flush=True)
            results.append(r)
            if device.type == "cuda":
                torch.cuda.empty_cache()
    print()
    print_table(results)
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
