"""What the engine reports as stable codes (run statuses, strategy and device names, task names), in the
words of the interface language.

The engine (mtl_studio.core) is shared with the command line and stays in English; its codes are
translated here, at the GUI edge. Its free-text run messages may name command-line options (the CLI
user's next step); the GUI says what to press instead (`run_outcome_hint`).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _tr(text: str) -> str:
    return QCoreApplication.translate("EngineText", text)


def run_status_label(status: str) -> str:
    """completed | early_stopped | stopped | failed | running | interrupted, in the interface language."""
    names = {
        "completed": _tr("completed"),
        "early_stopped": _tr("stopped early (no dev improvement)"),
        "stopped": _tr("stopped"),
        "failed": _tr("failed"),
        "running": _tr("running"),
        "interrupted": _tr("interrupted"),
    }
    return names.get(status, status)


def strategy_label(code: str) -> str:
    """A loss-weighting strategy's name with the paper it comes from."""
    names = {
        "fixed": _tr("Fixed weights"),
        "uncertainty": _tr("Uncertainty (Kendall et al. 2018)"),
        "dwa": _tr("Dynamic weight average (Liu et al. 2019)"),
        "gradnorm": _tr("GradNorm (Chen et al. 2018)"),
        "pcgrad": _tr("PCGrad (Yu et al. 2020)"),
    }
    return names.get(code, code)


def strategy_short_label(code: str) -> str:
    """A strategy's name alone (tables, log lines)."""
    names = {"fixed": _tr("fixed"), "uncertainty": _tr("uncertainty"), "dwa": _tr("DWA"),
             "gradnorm": _tr("GradNorm"), "pcgrad": _tr("PCGrad")}
    return names.get(code, code)


def device_label(device: str) -> str:
    """auto / cpu / cuda:N / mps as a person reads them."""
    if device == "auto":
        return _tr("Automatic (GPU if available)")
    if device == "cpu":
        return _tr("CPU")
    if device == "mps":
        return _tr("Apple GPU (MPS)")
    if device.startswith("cuda"):
        return _tr("GPU {index}").format(index=device.partition(":")[2] or "0")
    return device


def series_label(code: str) -> str:
    """A loss or weight curve's legend name."""
    names = {"ner": _tr("NER"), "sentiment": _tr("sentiment"), "mlm": _tr("MLM"), "l2sp": _tr("L2-SP"),
             "total": _tr("total (weighted, smoothed)")}
    return names.get(code, code)


def run_outcome_hint(status: str, resumable: bool) -> str:
    """What the user can do next after a run ended with `status` (button wording, never a command)."""
    if status in ("stopped", "interrupted", "failed", "running") and resumable:
        return _tr("Press Resume to continue it from its last checkpoint.")
    if status in ("stopped", "interrupted"):
        return _tr("It has no checkpoint to resume from: press Train to start again.")
    return ""
