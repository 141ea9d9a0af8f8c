"""What `precision=auto` means on a CPU: bf16 autocast only where it was measured to pay.

bench/cpu_precision.py (README, "bf16 on CPU"), one thread, CPU time, AMD EPYC with AVX512-BF16 (no
AMX): under bf16 autocast MiniLM-L6 (hidden 384) trains 1.52x faster per step (batch 16) and predicts
1.94x faster; a BERT-base-sized encoder (hidden 768, 12 layers) 1.84x and 1.99x. Quality: the same
trained MiniLM predicts CoNLL test / FPB test within 0.12 F1 points under bf16, and a short bf16
training run (800 CoNLL + 400 FPB sentences, 1 epoch) ended 0.18 NER F1 points above its fp32 twin.
Hence the rule: bf16 when the CPU has native bf16 instructions (AVX512-BF16 or AMX-BF16; without them
bf16 is emulated and nothing was measured to gain) and the encoder is at least MiniLM-sized
(hidden >= MIN_HIDDEN, the smallest size measured; tiny encoders are bound by per-op overhead, which
bf16 does not reduce). Everything else keeps fp32, as before.
"""
from __future__ import annotations

from typing import Any

from .hf_imports import transformers_names

MIN_HIDDEN = 384


def cpu_has_native_bf16() -> bool:
    """AVX512-BF16 or AMX tiles, as PyTorch's CPU backend detects them (oneDNN uses either)."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def cpu_auto_precision(hidden_size: int | None) -> str:
    """'bf16' or 'fp32' for training and evaluation on this CPU with an encoder of `hidden_size`."""
    if hidden_size is None or hidden_size < MIN_HIDDEN:
        return "fp32"
    return "bf16" if cpu_has_native_bf16() else "fp32"


def encoder_hidden_size(encoder: str | None, *, trust_remote_code: bool = False) -> int | None:
    """The encoder's hidden size from its config (no weights loaded); None when it cannot be read."""
    (AutoConfig,) = transformers_names("AutoConfig")

    from .model import resolve_encoder

    try:
        config: Any = AutoConfig.from_pretrained(resolve_encoder(encoder), trust_remote_code=trust_remote_code)
    except (OSError, ValueError, RuntimeError):
        return None  # loading the encoder itself reports the problem
    size = getattr(config, "hidden_size", None)
    return int(size) if isinstance(size, int) else None


__all__ = ["MIN_HIDDEN", "cpu_auto_precision", "cpu_has_native_bf16", "encoder_hidden_size"]
