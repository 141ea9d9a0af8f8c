"""What a training run tells the user, as stable codes with parameters.

The engine speaks English (the CLI prints `RunNote.text`); the GUI shows the same notes in the user's
language by looking the code up in its own table of translatable templates (gui/engine_text.py
run_note_text), so no English sentence has to be matched and a translation may reorder the words. The
templates use str.format fields; a translated template keeps the same fields and format specs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUN_MESSAGES: dict[str, str] = {
    "max_length_capped": "max length {requested} exceeds what this encoder reads; using {used}",
    "long_documents": "{n} document(s) are longer than {max_length} sub-word tokens: NER reads them in "
                      "consecutive windows, sentiment reads the first {max_length} tokens",
    "words_without_subwords": "{n} word(s) produce no sub-word token with this tokenizer (e.g. control or "
                              "zero-width characters): they are read as O",
    "silver_labels": "silver labels (weight {weight}): {ner} NER and {sentiment} sentiment documents{more}",
    "no_dev_documents": "no labelled dev documents: no early stopping, the last epoch is kept as best",
    "ner_without_types": "NER left out: the project has no entity types",
    "sentiment_without_classes": "sentiment left out: the project has no sentiment classes",
    "entity_sentiment_without_polarities": "entity sentiment left out: the project has no polarities",
    "label_set_without_classes": "{task} left out: the label set has no classes",
    "task_without_training_documents": "{task} left out: no training document is labelled for it",
    "data_changed_since_run": "the project's labelled data changed since run {run} started: the resumed run "
                              "will not equal an uninterrupted one",
    "single_task_strategy": "single-task run: strategy '{strategy}' needs two tasks; weight 1",
    "resuming": "resuming run {run} at epoch {epoch}, step {step}",
    "resume_without_checkpoint": "run {run} has no checkpoint yet: starting it from the beginning",
    "weight_collapsed": "the weight of task {task} collapsed to {weight:.2e} (under 1/1000 of the largest): "
                        "it barely trains; consider the fixed strategy",
    "gradient_conflict": "the tasks pull the shared encoder in opposite directions (gradient cosine {mean:+.2f} "
                         "over the last {n} measurements): try the PCGrad strategy or a lower weight for one task",
    "early_stopping": "early stopping after epoch {epoch}: no dev improvement for {patience} epoch(s); "
                      "best epoch {best}",
    "task_distilled": "after epoch {epoch}, {task} has not improved on dev for {patience} epoch(s) (best "
                      "{best:.4f}): it now trains toward its own predictions of its best epoch while the other "
                      "tasks go on",
    "task_distillation_ended": "after epoch {epoch}, {task} beat its best dev score ({best:.4f}): it trains on "
                               "its labels again",
    "weight_soup_trying": "averaging the weights of the best epochs: trying {n} average(s) on dev",
    "weight_soup_used": "the average of epochs {epochs} scores {score:.4f} on dev against {best:.4f} for epoch "
                        "{best_epoch} alone: it is the run's model",
    "weight_soup_not_better": "no average of the best epochs beat epoch {best_epoch} on dev ({best:.4f}): it "
                              "stays the run's model",
    "evaluating_best": "evaluating the best model on dev and test",
}


@dataclass(frozen=True)
class RunNote:
    level: str  # info | warning | error
    code: str  # a key of RUN_MESSAGES
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in RUN_MESSAGES:
            raise KeyError(f"unknown run message code {self.code!r}")

    @property
    def text(self) -> str:
        return RUN_MESSAGES[self.code].format(**self.params)


Notes = list[RunNote]  # collected during a run's set-up, sent as LogMessage events
