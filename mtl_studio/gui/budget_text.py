"""The Train tab's budget line ("budget: about 12 epochs, 588 steps, lr 1e-4, ~4 min on this machine (auto:
776 training documents; ...)") in the interface language.

The engine plans the budget (core/budget.py) and says it in English for the command line
(BudgetPreview.describe); the plan carries its reasons as data, so the line is put together here, in the
words of the interface language, from the same numbers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from mtl_studio.core.budget import format_duration, format_learning_rate

from .engine_text import task_label

if TYPE_CHECKING:  # the preview module reads encoder configs: imported where a preview is made
    from mtl_studio.core.budget_preview import BudgetPreview

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")


def _duration(seconds: float) -> str:
    """core.budget.format_duration, with the units in the interface language."""
    return format_duration(seconds, (translate("BudgetText", "{} s"), translate("BudgetText", "{} min"),
                                     translate("BudgetText", "{} h")))


def _reasons(preview: BudgetPreview) -> str:
    plan = preview.plan
    reasons = []
    if plan.auto_epochs:
        reasons.append(translate("BudgetText", "auto: {} training documents").format(plan.train_documents))
        if plan.task_epochs:
            each = translate("BudgetText", ", ").join(
                translate("BudgetText", "{task} {epochs}").format(task=task_label(t), epochs=e)
                for t, e in plan.task_epochs)
            reasons.append(translate("BudgetText", "epochs per task {}").format(each))
    if plan.step_cap is not None:
        reasons.append(translate("BudgetText", "capped at {} steps").format(plan.step_cap))
    if plan.encoder_width is not None:
        reasons.append(translate("BudgetText", "lr for a {}-wide encoder").format(plan.encoder_width))
    if not reasons:
        return translate("BudgetText", "fixed by the settings")
    return translate("BudgetText", "; ").join(reasons)


def budget_text(preview: BudgetPreview) -> str:
    """The whole line, in the interface language."""
    if not preview.train_documents:
        return translate("BudgetText", "budget: none yet (no labelled training documents for these tasks)")
    plan = preview.plan
    if plan.auto_epochs:
        epochs = (translate("BudgetText", "about {} epoch") if plan.epochs == 1
                  else translate("BudgetText", "about {} epochs")).format(plan.epochs)
    else:
        epochs = (translate("BudgetText", "{} epoch") if plan.epochs == 1
                  else translate("BudgetText", "{} epochs")).format(plan.epochs)
    parts = [epochs, translate("BudgetText", "{} steps").format(plan.steps),
             translate("BudgetText", "lr {}").format(format_learning_rate(plan.learning_rate))]
    if preview.seconds is not None:
        if preview.measured_here:
            parts.append(translate("BudgetText", "~{} on this machine").format(_duration(preview.seconds)))
        else:
            parts.append(translate("BudgetText", "~{} by a first guess (no run measured here yet)").format(
                _duration(preview.seconds)))
    return translate("BudgetText", "budget: {parts} ({reasons})").format(
        parts=translate("BudgetText", ", ").join(parts), reasons=_reasons(preview))
