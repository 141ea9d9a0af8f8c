"""Which inference backend `backend="auto"` takes: the fastest one the model folder has.

The order is measured (bench/inference_speed.py, README "Inference backends"): the offline MiniLM
trained on CoNLL + FPB, 128 CoNLL/FPB test texts, batch 32, one thread, AMD EPYC with AVX512-VNNI:
int8 ONNX 129 texts per CPU-second (2.23x PyTorch fp32), ONNX fp32 63 (1.09x), PyTorch fp32 58.
So on a CPU: int8 ONNX, then ONNX, then PyTorch. On a GPU PyTorch is taken: dynamic int8
quantization is a CPU technique, and onnxruntime's CUDA provider is an optional install.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from .onnx_quant import ONNX_INT8_FILE

ONNX_FILE = "model.onnx"
# Fastest first on a CPU (measured, see the module docstring); each needs its file in the folder.
CPU_ORDER = (("onnx-int8", ONNX_INT8_FILE), ("onnx", ONNX_FILE), ("torch", None))


def available_backends(folder: str | Path) -> list[str]:
    """Backends a folder can run here, fastest first on a CPU."""
    folder = Path(folder)
    has_ort = importlib.util.find_spec("onnxruntime") is not None
    return [name for name, file in CPU_ORDER if file is None or (has_ort and (folder / file).is_file())]


def fastest_backend(folder: str | Path, device: str = "cpu") -> str:
    """The backend `auto` means for this folder and device."""
    if not device.startswith("cpu"):
        return "torch"
    return available_backends(folder)[0]


__all__ = ["CPU_ORDER", "available_backends", "fastest_backend"]
