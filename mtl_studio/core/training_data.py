"""What a training run reads from the project: labels, the encoded training set of the tasks that can
be trained, and the dev and test documents it is scored on.

A requested task is left out (with a note for the user) when the schema has no labels for it or no
training document is labelled for it; a run with no task left cannot start.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .config import TrainConfig
from .features import EncodedDataset, LabelMaps, encode_documents
from .run_messages import Notes, RunNote
from .schema import TASK_ENTITY_SENTIMENT, TASK_NER, TASK_SENTIMENT, Document
from .splits import NoTrainingDocuments
from .store import ProjectStore



@dataclass
class TrainingData:
    labels: LabelMaps
    train_set: EncodedDataset  # encoded for `tasks` only
    dev_docs: list[Document]
    test_docs: list[Document]
    tasks: tuple[str, ...]  # the requested tasks that have training labels
    dev_tasks: list[str]  # the tasks with labelled dev documents (scored each epoch)
    max_length: int  # the configured max length, capped at what the encoder reads
    requested: tuple[str, ...] = ()  # TrainConfig.tasks resolved against the project (empty: every task)

    @property
    def train_counts(self) -> dict[str, int]:
        """Training documents labelled per task."""
        counts = self.train_set.task_documents()
        return {t: counts[t] for t in self.tasks}


def load_training_data(store: ProjectStore, tokenizer: Any, config: TrainConfig, notes: Notes) -> TrainingData:
    """Read and encode the project's data for `config`; notes for the user are appended to `notes`."""
    cfg = config
    labels = LabelMaps.from_store(store)
    requested = cfg.resolved_tasks(labels.task_names)
    sources = ("gold", "silver") if cfg.silver_weight > 0 else ("gold",)
    train_docs = list(store.iter_documents("train", sources=sources))
    dev_docs = list(store.iter_documents("dev"))
    test_docs = list(store.iter_documents("test"))

    limit = getattr(tokenizer, "model_max_length", None)
    max_length = min(cfg.max_length, limit) if isinstance(limit, int) and 0 < limit < 100_000 else cfg.max_length
    if max_length < cfg.max_length:
        notes.append(RunNote("info", "max_length_capped", {"requested": cfg.max_length, "used": max_length}))
    tasks, train_set = _trainable_tasks(train_docs, tokenizer, labels, cfg, requested, max_length, notes)
    if not tasks:  # the error carries the labelled counts per split, so the GUI can offer a re-split
        raise NoTrainingDocuments(requested, store.labelled_counts_per_split(requested), str(store.path))
    notes += train_set.stats.describe(max_length)
    if cfg.silver_weight > 0:
        st = train_set.stats
        more = "".join(f", {n} {t}" for t, n in [("entity sentiment", st.silver_entity_sentiment_documents)]
                       + list(st.silver_label_set_documents.items()) if n)
        notes.append(RunNote("info", "silver_labels", {
            "weight": cfg.silver_weight, "ner": st.silver_ner_documents, "sentiment": st.silver_sentiment_documents,
            "more": more}))
    dev_tasks = [t for t in tasks if any(labelled_for(d, t) for d in dev_docs)]
    if cfg.eval_each_epoch and not dev_tasks:
        notes.append(RunNote("warning", "no_dev_documents"))
    return TrainingData(trained_labels(labels, tasks), train_set, dev_docs, test_docs, tasks, dev_tasks, max_length,
                        requested)


def project_tasks(store: ProjectStore) -> tuple[str, ...]:
    """Every task the project declares, in training order (LabelMaps.task_names)."""
    return LabelMaps.from_store(store).task_names


def resolve_tasks(store: ProjectStore, config: TrainConfig) -> TrainConfig:
    """`config` with its tasks resolved against the project (an empty list: every declared task), for
    the callers that plan from the task list before a run (budget preview, learning curve, sweep)."""
    return dataclasses.replace(config, tasks=config.resolved_tasks(project_tasks(store)))


def labelled_for(doc: Document, task: str) -> bool:
    """Whether a document has a gold label for `task` (any task name)."""
    if task == TASK_NER:
        return doc.ner_labelled
    if task == TASK_SENTIMENT:
        return doc.sentiment is not None
    if task == TASK_ENTITY_SENTIMENT:
        return doc.entity_sentiment_labelled
    return bool(doc.labels_of(task))


def trained_labels(labels: LabelMaps, tasks: Sequence[str]) -> LabelMaps:
    """The label maps of a run's model: the token and sentiment heads as always, the further heads only
    for the tasks it trains (a single-task baseline has no untrained entity-sentiment or label-set head)."""
    return dataclasses.replace(
        labels, entity_sentiment_classes=labels.entity_sentiment_classes if TASK_ENTITY_SENTIMENT in tasks else (),
        label_sets=tuple(ls for ls in labels.label_sets if ls.name in tasks))


def _trainable_tasks(train_docs: list[Document], tokenizer: Any, labels: LabelMaps, cfg: TrainConfig,
                     requested: tuple[str, ...], max_length: int, notes: Notes
                     ) -> tuple[tuple[str, ...], EncodedDataset]:
    """The requested tasks that have labels in the schema and in the training split, and the training
    set encoded for them (no task: the caller raises)."""
    tasks = []
    for task in requested:
        if task == TASK_NER and not labels.entity_types:
            notes.append(RunNote("warning", "ner_without_types"))
            continue
        if task == TASK_SENTIMENT and not labels.sentiment_classes:
            notes.append(RunNote("warning", "sentiment_without_classes"))
            continue
        if task == TASK_ENTITY_SENTIMENT and not labels.entity_sentiment_classes:
            notes.append(RunNote("warning", "entity_sentiment_without_polarities"))
            continue
        if task in labels.label_set_names and not labels.label_set(task).classes:
            notes.append(RunNote("warning", "label_set_without_classes", {"task": task}))
            continue
        tasks.append(task)

    def encode() -> EncodedDataset:
        return encode_documents(train_docs, tokenizer, labels, max_length=max_length, tasks=tasks,
                                silver_weight=cfg.silver_weight, for_training=True)

    train_set = encode()
    counts = train_set.task_documents()
    for task in list(tasks):
        if counts.get(task, 0) == 0:
            notes.append(RunNote("warning", "task_without_training_documents", {"task": task}))
            tasks.remove(task)
    if tasks and tasks != list(requested):
        train_set = encode()  # so that labels of a dropped task do not keep documents in the training set
    return tuple(tasks), train_set
