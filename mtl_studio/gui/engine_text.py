"""What the engine reports as stable codes (run statuses, strategy and device names, task names), in the
words of the interface language.

The engine (mtl_studio.core) is shared with the command line and stays in English; its codes are
translated here, at the GUI edge. Its free-text run messages may name command-line options (the CLI
user's next step); the GUI says what to press instead (`run_outcome_hint`).
"""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP


translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")


# Code -> English text, marked for lupdate; translated when asked for (the language can change).
_RUN_STATUSES = {
    "completed": QT_TRANSLATE_NOOP("EngineText", "completed"),
    "early_stopped": QT_TRANSLATE_NOOP("EngineText", "stopped early (no dev improvement)"),
    "stopped": QT_TRANSLATE_NOOP("EngineText", "stopped"),
    "failed": QT_TRANSLATE_NOOP("EngineText", "failed"),
    "running": QT_TRANSLATE_NOOP("EngineText", "running"),
    "interrupted": QT_TRANSLATE_NOOP("EngineText", "interrupted"),
}
# The core's strategy and preset tables (core.strategies.STRATEGY_TABLE, core.config.PRESET_TABLE) carry
# the English titles the Train tab shows, translated there in the TrainingPanel context. lupdate cannot
# read them in the core, so they are marked here; a test checks that every title of the tables is.
CORE_TABLE_TITLES = (
    QT_TRANSLATE_NOOP("TrainingPanel", "Fixed weights"),
    QT_TRANSLATE_NOOP("TrainingPanel", "Uncertainty (Kendall et al. 2018)"),
    QT_TRANSLATE_NOOP("TrainingPanel", "Dynamic weight average (Liu et al. 2019)"),
    QT_TRANSLATE_NOOP("TrainingPanel", "GradNorm (Chen et al. 2018)"),
    QT_TRANSLATE_NOOP("TrainingPanel", "PCGrad (Yu et al. 2020)"),
    QT_TRANSLATE_NOOP("TrainingPanel", "MiniLM default"),
    QT_TRANSLATE_NOOP("TrainingPanel", "Method"),
)
_STRATEGY_SHORT = {
    "fixed": QT_TRANSLATE_NOOP("EngineText", "fixed"),
    "uncertainty": QT_TRANSLATE_NOOP("EngineText", "uncertainty"),
    "dwa": QT_TRANSLATE_NOOP("EngineText", "DWA"),
    "gradnorm": QT_TRANSLATE_NOOP("EngineText", "GradNorm"),
    "pcgrad": QT_TRANSLATE_NOOP("EngineText", "PCGrad"),
}
_DEVICES = {
    "auto": QT_TRANSLATE_NOOP("EngineText", "Automatic (GPU if available)"),
    "cpu": QT_TRANSLATE_NOOP("EngineText", "CPU"),
    "mps": QT_TRANSLATE_NOOP("EngineText", "Apple GPU (MPS)"),
}
_SERIES = {
    "ner": QT_TRANSLATE_NOOP("EngineText", "NER"),
    "entity_sentiment": QT_TRANSLATE_NOOP("EngineText", "entity sentiment"),
    "sentiment": QT_TRANSLATE_NOOP("EngineText", "sentiment"),
    "mlm": QT_TRANSLATE_NOOP("EngineText", "MLM"),
    "l2sp": QT_TRANSLATE_NOOP("EngineText", "L2-SP"),
    "total": QT_TRANSLATE_NOOP("EngineText", "total (weighted, smoothed)"),
}
# The built-in tasks as a control names them (a further label set is named as the project declares it).
_TASKS = {
    "ner": QT_TRANSLATE_NOOP("EngineText", "NER"),
    "entity_sentiment": QT_TRANSLATE_NOOP("EngineText", "Entity sentiment"),
    "sentiment": QT_TRANSLATE_NOOP("EngineText", "Sentiment"),
}
_SPLITS = {
    "train": QT_TRANSLATE_NOOP("EngineText", "train"),
    "dev": QT_TRANSLATE_NOOP("EngineText", "dev"),
    "test": QT_TRANSLATE_NOOP("EngineText", "test"),
}


# The training run's notes (core.run_messages.RUN_MESSAGES), by code. The same str.format fields as the
# core's English templates (a test checks both tables have the same codes and fields).
_RUN_NOTES = {
    "max_length_capped": QT_TRANSLATE_NOOP(
        "RunNotes", "max length {requested} exceeds what this encoder reads; using {used}"),
    "long_documents": QT_TRANSLATE_NOOP(
        "RunNotes", "{n} document(s) are longer than {max_length} sub-word tokens: NER reads them in "
                    "consecutive windows, sentiment reads the first {max_length} tokens"),
    "words_without_subwords": QT_TRANSLATE_NOOP(
        "RunNotes", "{n} word(s) produce no sub-word token with this tokenizer (e.g. control or zero-width "
                    "characters): they are read as O"),
    "silver_labels": QT_TRANSLATE_NOOP(
        "RunNotes", "silver labels (weight {weight}): {ner} NER and {sentiment} sentiment documents{more}"),
    "no_dev_documents": QT_TRANSLATE_NOOP(
        "RunNotes", "no labelled dev documents: no early stopping, the last epoch is kept as best"),
    "ner_without_types": QT_TRANSLATE_NOOP("RunNotes", "NER left out: the project has no entity types"),
    "sentiment_without_classes": QT_TRANSLATE_NOOP(
        "RunNotes", "sentiment left out: the project has no sentiment classes"),
    "entity_sentiment_without_polarities": QT_TRANSLATE_NOOP(
        "RunNotes", "entity sentiment left out: the project has no polarities"),
    "label_set_without_classes": QT_TRANSLATE_NOOP("RunNotes", "{task} left out: the label set has no classes"),
    "task_without_training_documents": QT_TRANSLATE_NOOP(
        "RunNotes", "{task} left out: no training document is labelled for it"),
    "data_changed_since_run": QT_TRANSLATE_NOOP(
        "RunNotes", "the project's labelled data changed since run {run} started: the resumed run will not "
                    "equal an uninterrupted one"),
    "single_task_strategy": QT_TRANSLATE_NOOP(
        "RunNotes", "single-task run: strategy '{strategy}' needs two tasks; weight 1"),
    "resuming": QT_TRANSLATE_NOOP("RunNotes", "resuming run {run} at epoch {epoch}, step {step}"),
    "resume_without_checkpoint": QT_TRANSLATE_NOOP(
        "RunNotes", "run {run} has no checkpoint yet: starting it from the beginning"),
    "weight_collapsed": QT_TRANSLATE_NOOP(
        "RunNotes", "the weight of task {task} collapsed to {weight:.2e} (under 1/1000 of the largest): it "
                    "barely trains; consider the fixed strategy"),
    "gradient_conflict": QT_TRANSLATE_NOOP(
        "RunNotes", "the tasks pull the shared encoder in opposite directions (gradient cosine {mean:+.2f} over "
                    "the last {n} measurements): try the PCGrad strategy or a lower weight for one task"),
    "early_stopping": QT_TRANSLATE_NOOP(
        "RunNotes", "early stopping after epoch {epoch}: no dev improvement for {patience} epoch(s); best "
                    "epoch {best}"),
    "task_distilled": QT_TRANSLATE_NOOP(
        "RunNotes", "after epoch {epoch}, {task} has not improved on dev for {patience} epoch(s) (best "
                    "{best:.4f}): it now trains toward its own predictions of its best epoch while the other "
                    "tasks go on"),
    "task_distillation_ended": QT_TRANSLATE_NOOP(
        "RunNotes", "after epoch {epoch}, {task} beat its best dev score ({best:.4f}): it trains on its labels "
                    "again"),
    "weight_soup_trying": QT_TRANSLATE_NOOP(
        "RunNotes", "averaging the weights of the best epochs: trying {n} average(s) on dev"),
    "weight_soup_used": QT_TRANSLATE_NOOP(
        "RunNotes", "the average of epochs {epochs} scores {score:.4f} on dev against {best:.4f} for epoch "
                    "{best_epoch} alone: it is the run's model"),
    "weight_soup_not_better": QT_TRANSLATE_NOOP(
        "RunNotes", "no average of the best epochs beat epoch {best_epoch} on dev ({best:.4f}): it stays the "
                    "run's model"),
    "evaluating_best": QT_TRANSLATE_NOOP("RunNotes", "evaluating the best model on dev and test"),
}
# Parameters that name something the GUI translates elsewhere.
_NOTE_PARAM_LABELS = {"task": lambda v: task_label(str(v)), "strategy": lambda v: strategy_short_label(str(v))}


def run_note_text(code: str, params: dict, english: str) -> str:
    """A training run's note in the interface language; its English text when the code is unknown (a
    free-text message such as an error, or a newer engine) or a translation does not fit its fields."""
    if code not in _RUN_NOTES:
        return english
    shown = {k: _NOTE_PARAM_LABELS[k](v) if k in _NOTE_PARAM_LABELS else v for k, v in params.items()}
    try:
        return translate("RunNotes", _RUN_NOTES[code]).format(**shown)
    except (KeyError, IndexError, ValueError):  # a broken translation must not lose the message
        return english


def _label(table: dict[str, str], code: str) -> str:
    """The translated text of `code`, or the code itself when the engine sends one this table lacks."""
    return translate("EngineText", table[code]) if code in table else code


def run_status_label(status: str) -> str:
    """completed | early_stopped | stopped | failed | running | interrupted, in the interface language."""
    return _label(_RUN_STATUSES, status)


def strategy_short_label(code: str) -> str:
    """A strategy's name alone (tables, log lines)."""
    return _label(_STRATEGY_SHORT, code)


def device_label(device: str) -> str:
    """auto / cpu / cuda:N / mps as a person reads them."""
    if device.startswith("cuda"):
        return translate("EngineText", "GPU {index}").format(index=device.partition(":")[2] or "0")
    return _label(_DEVICES, device)


def series_label(code: str) -> str:
    """A loss or weight curve's legend name (task names too)."""
    return _label(_SERIES, code)


def task_label(name: str) -> str:
    """A task's name on a control or a table heading: the built-in ones translated, a label set's as declared."""
    return _label(_TASKS, name)


def task_score_text(task: str, metric: str, value: float | None, end_to_end: float | None = None, *,
                    name=task_label) -> str:
    """One task's main score as the Results and Train tabs write it ("entity sentiment macro-F1 0.881
    (end to end F1 0.731)"); `name` gives the task's shown name."""
    shown = "–" if value is None else f"{value:.3f}"
    text = translate("EngineText", "{task} {metric} {value}").format(task=name(task), metric=metric, value=shown)
    if end_to_end is not None:
        text += translate("EngineText", " (end to end F1 {})").format(f"{end_to_end:.3f}")
    return text


def split_label(code: str) -> str:
    """train / dev / test as the interface names them."""
    return _label(_SPLITS, code)


def run_outcome_hint(status: str, has_checkpoint: bool) -> str:
    """What the user can do next after a run ended with `status` (button wording, never a command)."""
    if status in ("stopped", "interrupted", "failed") and has_checkpoint:
        return translate("EngineText", "Press Resume to continue it from its last checkpoint.")
    if status in ("stopped", "interrupted"):
        return translate("EngineText", "Press Resume to start it again from the beginning (no checkpoint was "
                                       "written yet).")
    return ""


# The importers' notes (mtl_studio.core.formats) are English sentences for the CLI report. The ones a
# person meets on every import are recognised here and said in the interface language, without the
# command-line options some of them mention; any other note is shown as the engine wrote it.
_IMPORT_NOTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"tag scheme (?P<scheme>\w+) \(detected\); entities stored as spans, exported as IOB2"),
     QT_TRANSLATE_NOOP("EngineText", "tag scheme {scheme} (detected); entities are stored as spans and exported "
                                     "as IOB2")),
    (re.compile(r"tag scheme (?P<scheme>\w+) \(given with --scheme\); entities stored as spans, exported as IOB2"),
     QT_TRANSLATE_NOOP("EngineText", "tag scheme {scheme} (as chosen); entities are stored as spans and exported "
                                     "as IOB2")),
    (re.compile(r"one character per line: characters joined without spaces"),
     QT_TRANSLATE_NOOP("EngineText", "one character per line: characters joined without spaces")),
    (re.compile(r"entity types added to the project: (?P<names>.+)"),
     QT_TRANSLATE_NOOP("EngineText", "entity types added to the project: {names}")),
    (re.compile(r"sentiment classes added to the project: (?P<names>.+)"),
     QT_TRANSLATE_NOOP("EngineText", "sentiment classes added to the project: {names}")),
    (re.compile(r"stopped reading after (?P<n>\d+) errors"),
     QT_TRANSLATE_NOOP("EngineText", "stopped reading after {n} errors")),
    (re.compile(r"split rule (?P<rule>[\w-]+): (?P<parts>.+)"),
     QT_TRANSLATE_NOOP("EngineText", "split rule {rule}: {parts}")),
    (re.compile(r"the seeded random split uses the project's split seed (?P<seed>\d+) \(`mtl-studio split "
                r"--seed N` re-splits with another\)"),
     QT_TRANSLATE_NOOP("EngineText", "the seeded random split uses the project's split seed {seed}")),
    (re.compile(r"the file name says '(?P<split>\w+)', but no train\* file lies beside it and the project had no "
                r"training documents, so it was split 80/10/10 instead; --split-rule file-name puts it all in \w+"),
     QT_TRANSLATE_NOOP("EngineText", "the file name says {split}, but no train* file lies beside it and the "
                                     "project had no training documents, so it was split 80/10/10 instead; the "
                                     "Split choice “by file name” puts it all in {split}")),
)


# core.splits: how each document got its split ("12 by the file name, 3 by seeded random 80/10/10").
_SPLIT_WAYS = {
    "--split": QT_TRANSLATE_NOOP("EngineText", "{n} by the Split choice"),
    "the file's split field": QT_TRANSLATE_NOOP("EngineText", "{n} by the file's split field"),
    "the file name": QT_TRANSLATE_NOOP("EngineText", "{n} by the file name"),
    "seeded random 80/10/10": QT_TRANSLATE_NOOP("EngineText", "{n} by seeded random 80/10/10"),
    "all train": QT_TRANSLATE_NOOP("EngineText", "{n} all in train"),
}
_SPLIT_RULES = {
    "auto": QT_TRANSLATE_NOOP("EngineText", "automatic"),
    "file-field": QT_TRANSLATE_NOOP("EngineText", "the file's split field"),
    "file-name": QT_TRANSLATE_NOOP("EngineText", "by file name"),
    "random": QT_TRANSLATE_NOOP("EngineText", "seeded random 80/10/10"),
    "all-train": QT_TRANSLATE_NOOP("EngineText", "all train"),
    "fixed": QT_TRANSLATE_NOOP("EngineText", "one split for the whole file"),
}
_SPLIT_WAY = re.compile(r"(?P<n>\d+) by (?P<how>.+)")


def _split_parts(parts: str) -> str:
    out = []
    for part in parts.split(", "):
        match = _SPLIT_WAY.fullmatch(part)
        how = match and _SPLIT_WAYS.get(match["how"])
        out.append(translate("EngineText", how).format(n=match["n"]) if how else part)
    return translate("EngineText", ", ").join(out)


def import_note_label(note: str) -> str:
    """An importer's note in the interface language (unknown notes as they are)."""
    for pattern, template in _IMPORT_NOTES:
        match = pattern.fullmatch(note)
        if match:
            fields = match.groupdict()
            if "rule" in fields:
                fields["rule"] = _label(_SPLIT_RULES, fields["rule"])
            if "parts" in fields:
                fields["parts"] = _split_parts(fields["parts"])
            if "split" in fields:
                fields["split"] = split_label(fields["split"])
            return translate("EngineText", template).format(**fields)
    return with_gui_controls(note)


# Command-line options the engine's messages name, and the control that does the same in the GUI.
_OPTION_CONTROLS = {
    "--add-labels": QT_TRANSLATE_NOOP(
        "EngineText", "the “Add unknown entity types and sentiment classes to the schema” option"),
    "--split": QT_TRANSLATE_NOOP("EngineText", "the Split choice"),
    "--scheme": QT_TRANSLATE_NOOP("EngineText", "the Tag scheme choice"),
    "--format": QT_TRANSLATE_NOOP("EngineText", "the Format choice"),
    "--text-column": QT_TRANSLATE_NOOP("EngineText", "the Text column choice"),
    "--label-column": QT_TRANSLATE_NOOP("EngineText", "the Sentiment column choice"),
    "--batch-size": QT_TRANSLATE_NOOP("EngineText", "Batch size"),
    "--mlm-weight": QT_TRANSLATE_NOOP("EngineText", "Auxiliary MLM weight"),
    "--resume": QT_TRANSLATE_NOOP("EngineText", "the Resume button"),
}
_OPTION = re.compile(r"`?(--[a-z][a-z-]+)`?")


# The engine's resume hint names the CLI command; in the GUI the Resume button does it.
_RESUME_COMMAND = re.compile(r"`mtl-studio train PROJECT --resume [\w.-]+`")


def with_gui_controls(message: str) -> str:
    """An engine message with the command-line options it names replaced by the GUI's controls
    ("try a smaller --batch-size" -> "try a smaller Batch size"); options with no control in the GUI
    stay as they are."""
    def control(match: re.Match[str]) -> str:
        option = match.group(1)
        return translate("EngineText", _OPTION_CONTROLS[option]) if option in _OPTION_CONTROLS else match.group(0)
    message = _RESUME_COMMAND.sub(lambda _m: translate("EngineText", "the Resume button (Train tab)"), message)
    return _OPTION.sub(control, message)
