"""Readable, translated names of the active-learning strategies (core.active_learning.STRATEGIES).

The core keeps its English titles for the CLI; the GUI names each strategy here so that the names go
through the translator (a tr() of a variable is never offered to translators)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mtl_studio.core import active_learning as al


translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls, not a wrapper


def measure_title(measure: str) -> str:
    """An uncertainty measure of ScoringOptions, as the GUI names it."""
    titles = {"mnlp": translate("Strategies", "MNLP"), "entropy": translate("Strategies", "entropy"),
              "margin": translate("Strategies", "margin")}
    return titles.get(measure, measure)


def strategy_title(key: str, options: al.ScoringOptions = al.ScoringOptions()) -> str:
    """The name of a strategy, with the measure it uses (the dock scores with the default options)."""
    titles = {
        al.RANDOM: translate("Strategies", "Random"),
        al.UNCERTAINTY: translate("Strategies", "Uncertainty (both tasks)"),
        al.NER_UNCERTAINTY: translate("Strategies", "Uncertainty (NER: {measure})").format(
            measure=measure_title(options.ner_measure) if options.ner_measure == "mnlp"
            else translate("Strategies", "token entropy")),
        al.SENTIMENT_UNCERTAINTY: translate("Strategies", "Uncertainty (sentiment: {measure})").format(
            measure=measure_title(options.sentiment_measure)),
        al.JOINT: translate("Strategies", "Joint (both tasks, rank-combined)"),
        al.DISAGREEMENT: translate("Strategies", "Cross-task disagreement"),
    }
    # A strategy added to the core before it is named here still shows, in the core's English.
    return titles.get(key, al.STRATEGY_TITLES.get(key, key))
