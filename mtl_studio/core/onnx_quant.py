"""int8 ONNX: dynamic quantization of model.onnx, checked against the fp32 model on the dev split.

Dynamic quantization (onnxruntime.quantization.quantize_dynamic) stores MatMul weights as int8 and
quantizes activations per batch at run time, so it needs no calibration data; onnxruntime then runs
the matrix products with VNNI / AMX-INT8 instructions where the CPU has them. Only MatMul/Gemm are
quantized: quantizing the embedding Gather as well saves memory, not time, and costs accuracy.
Weights are quantized per output channel (a scale per column), which keeps the few large columns of
transformer projections from crushing the resolution of all the others (see the README's table for
per-tensor against per-channel on the same model).

The check runs the exported fp32 model (PyTorch) and the int8 model over the project's dev
documents with the training scorer; the score difference (in F1 points) goes into the model card and
into mtl_config.json ("onnx_int8").
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ONNX_INT8_FILE = "model.int8.onnx"
PER_CHANNEL = True
QUANTIZED_OPS = ("MatMul", "Gemm")


def quantize_int8(fp32_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *,
                  per_channel: bool = PER_CHANNEL) -> Path:
    """Write the dynamically quantized (QInt8 weights) version of an fp32 ONNX model."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_path = Path(out_path)
    # quantize_dynamic logs a "consider pre-processing" hint at WARNING on every call; shape inference
    # (what the pre-processing adds) does not change dynamic quantization of MatMul weights.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(fp32_path), str(out_path), op_types_to_quantize=list(QUANTIZED_OPS),
                         per_channel=per_channel, weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
    return out_path


@dataclass
class Int8Check:
    """Dev-split scores of the fp32 model and its int8 version (F1 in [0, 1]; differences in points)."""

    documents: int
    per_channel: bool
    # {"ner_f1", "sentiment_f1"} and per further task scored "<task>_f1" (entity_sentiment_f1, topic_f1, ...)
    fp32: dict[str, float | None] = field(default_factory=dict)
    int8: dict[str, float | None] = field(default_factory=dict)
    texts_per_second: dict[str, float] = field(default_factory=dict)  # measured during the check

    @property
    def difference_points(self) -> dict[str, float]:
        """int8 minus fp32, in F1 points (100 x), per scored metric."""
        return {k: round(100 * (self.int8[k] - v), 2) for k, v in self.fp32.items()
                if v is not None and self.int8.get(k) is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"weights": "QInt8", "per_channel": self.per_channel, "quantized_ops": list(QUANTIZED_OPS),
                "dev_documents": self.documents, "fp32": self.fp32, "int8": self.int8,
                "difference_points": self.difference_points, "texts_per_second": self.texts_per_second}

    def card_lines(self) -> list[str]:
        """Model card paragraph."""
        head = (f"`{ONNX_INT8_FILE}`: the same graph with int8 weights (onnxruntime dynamic quantization, QInt8, "
                f"{'per channel' if self.per_channel else 'per tensor'}; activations quantized at run time). "
                "Load it with `backend='onnx-int8'` (or `backend='auto'`).")
        if not self.documents:
            return [head, "", "It was not checked on a dev split (the export had no labelled dev documents): "
                              "check it on your own data before relying on it."]
        names = {"ner_f1": "NER entity micro-F1", "sentiment_f1": "sentiment macro-F1",
                 "entity_sentiment_f1": "entity sentiment macro-F1 (gold spans)"}
        # Label sets: "<set>_f1" (macro-F1 single-label, micro-F1 multi-label; evaluate.EvalReport.task_f1).
        names.update({k: f"label set {k[:-3]} F1" for k in self.fp32 if k not in names})
        lines = [head, "", f"Checked at export on {self.documents} dev documents:", "",
                 "| metric | fp32 | int8 | difference (points) |", "|---|---:|---:|---:|"]
        diff = self.difference_points
        for key, name in names.items():
            if key in diff:
                lines.append(f"| {name} | {self.fp32[key]:.4f} | {self.int8[key]:.4f} | {diff[key]:+.2f} |")
        if self.texts_per_second:
            speeds = ", ".join(f"{k} {v:.1f}" for k, v in self.texts_per_second.items())
            lines += ["", f"Texts per second during this check (the exporting machine): {speeds}."]
        return lines


def check_int8(fp32_predictor: Any, int8_predictor: Any, docs: Sequence[Any], *,
               per_channel: bool = PER_CHANNEL) -> Int8Check:
    """Score both predictors on the labelled documents of `docs` (the dev split) with the training scorer."""
    from .predictor_eval import score_predictor

    docs = [d for d in docs if d.ner_labelled or d.sentiment is not None or d.labels or d.entity_sentiment_labelled]
    check = Int8Check(len(docs), per_channel)
    if not docs:
        return check
    for predictor, scores in ((fp32_predictor, check.fp32), (int8_predictor, check.int8)):
        score, _ = score_predictor(predictor, docs)
        scores.update(ner_f1=score.ner_f1, sentiment_f1=score.sentiment_f1)
        scores.update({f"{task}_f1": f1 for task, f1 in score.task_f1.items()})
        check.texts_per_second[score.backend] = round(score.texts_per_second, 2)
    return check


__all__ = ["ONNX_INT8_FILE", "Int8Check", "quantize_int8", "check_int8"]
