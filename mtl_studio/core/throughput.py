"""Training speed measured on this machine, per encoder and device kind, for the budget's time estimate.

Every finished single-process run records its documents per second in <user data>/throughput.json;
before any run of an encoder here, the estimate scales a reference CPU speed of the default encoder by
parameter count (a rough guess, said as such).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .budget import BudgetPlan, EncoderInfo
from .paths import user_data_dir

THROUGHPUT_FILE = "throughput.json"
# all-MiniLM-L6-v2 (22.7 M parameters) trains at about 30 documents/s on 2 CPU cores (batch 16).
REFERENCE_PARAMETERS = 22_700_000
REFERENCE_CPU_DOCS_PER_S = 30.0
EVALUATION_SPEEDUP = 3.0  # a dev document is scored about 3x faster than it is trained on (no backward)


def _path() -> Path:
    return user_data_dir() / THROUGHPUT_FILE


def _key(encoder: str, device_type: str) -> str:
    return f"{encoder}|{device_type}"


def _load() -> dict[str, float]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(v, (int, float))} if isinstance(data, dict) else {}


def record_throughput(encoder: str, device_type: str, docs_per_second: float) -> None:
    """Keep the speed of a finished run (best effort: a read-only home only loses the estimate)."""
    data = _load()
    data[_key(encoder, device_type)] = round(docs_per_second, 2)
    tmp = _path().with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, _path())
    except OSError:
        pass


def stored_throughput(encoder: str, device_type: str) -> float | None:
    return _load().get(_key(encoder, device_type))


def estimated_docs_per_second(encoder: EncoderInfo, device_type: str) -> tuple[float | None, bool]:
    """(documents/s, measured here?); (None, False) when there is neither a measurement nor a guess."""
    measured = stored_throughput(encoder.name, device_type)
    if measured:
        return measured, True
    if device_type == "cpu" and encoder.parameters:
        return REFERENCE_CPU_DOCS_PER_S * REFERENCE_PARAMETERS / encoder.parameters, False
    return None, False


def estimated_seconds(plan: BudgetPlan, batch_size: int, docs_per_second: float, n_dev_docs: int) -> float:
    """Training plus one dev evaluation per epoch."""
    train = plan.steps * batch_size / docs_per_second
    evaluation = plan.epochs * n_dev_docs / (EVALUATION_SPEEDUP * docs_per_second)
    return train + evaluation
