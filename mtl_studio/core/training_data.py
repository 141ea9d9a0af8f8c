"""What a training run reads from the project: labels, the encoded training set of the tasks that can
be trained, and the dev and test documents it is scored on.

A requested task is left out (with a note for the user) when the schema has no labels for it or no
training document is labelled for it; a run with no task left cannot start.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import TrainConfig
from .features import EncodedDataset, LabelMaps, encode_documents
from .schema import Document
from .splits import NoTrainingDocuments
from .store import ProjectStore

Notes = list[tuple[str, str]]  # (level, text) for the user, sent as LogMessage events


@dataclass
class TrainingData:
    labels: LabelMaps
    train_set: EncodedDataset  # encoded for `tasks` only
    dev_docs: list[Document]
    test_docs: list[Document]
    tasks: tuple[str, ...]  # the requested tasks that have training labels
    dev_tasks: list[str]  # the tasks with labelled dev documents (scored each epoch)
    max_length: int  # the configured max length, capped at what the encoder reads

    @property
    def train_counts(self) -> dict[str, int]:
        """Training documents labelled per task."""
        counts = self.train_set.task_documents()
        return {t: counts[t] for t in self.tasks}


def load_training_data(store: ProjectStore, tokenizer: Any, config: TrainConfig, notes: Notes) -> TrainingData:
    """Read and encode the project's data for `config`; notes for the user are appended to `notes`."""
    cfg = config
    labels = LabelMaps.from_store(store)
    sources = ("gold", "silver") if cfg.silver_weight > 0 else ("gold",)
    train_docs = list(store.iter_documents("train", sources=sources))
    dev_docs = list(store.iter_documents("dev"))
    test_docs = list(store.iter_documents("test"))

    limit = getattr(tokenizer, "model_max_length", None)
    max_length = min(cfg.max_length, limit) if isinstance(limit, int) and 0 < limit < 100_000 else cfg.max_length
    if max_length < cfg.max_length:
        notes.append(("info", f"max length {cfg.max_length} exceeds what this encoder reads; using {max_length}"))
    tasks, train_set = _trainable_tasks(train_docs, tokenizer, labels, cfg, max_length, notes)
    if not tasks:  # the error carries the labelled counts per split, so the GUI can offer a re-split
        raise NoTrainingDocuments(cfg.tasks, store.labelled_counts_per_split(cfg.tasks), str(store.path))
    notes += [("warning", s) for s in train_set.stats.describe(max_length)]
    if cfg.silver_weight > 0:
        st = train_set.stats
        notes.append(("info", f"silver labels (weight {cfg.silver_weight}): {st.silver_ner_documents} NER and "
                              f"{st.silver_sentiment_documents} sentiment documents"))
    dev_tasks = [t for t in tasks if any(
        (d.ner_labelled if t == "ner" else d.sentiment is not None) for d in dev_docs)]
    if cfg.eval_each_epoch and not dev_tasks:
        notes.append(("warning", "no labelled dev documents: no early stopping, the last epoch is kept as best"))
    return TrainingData(labels, train_set, dev_docs, test_docs, tasks, dev_tasks, max_length)


def _trainable_tasks(train_docs: list[Document], tokenizer: Any, labels: LabelMaps, cfg: TrainConfig,
                     max_length: int, notes: Notes) -> tuple[tuple[str, ...], EncodedDataset]:
    """The requested tasks that have labels in the schema and in the training split, and the training
    set encoded for them (no task: the caller raises)."""
    tasks = []
    for task in cfg.tasks:
        if task == "ner" and not labels.entity_types:
            notes.append(("warning", "NER left out: the project has no entity types"))
            continue
        if task == "sentiment" and not labels.sentiment_classes:
            notes.append(("warning", "sentiment left out: the project has no sentiment classes"))
            continue
        tasks.append(task)

    def encode() -> EncodedDataset:
        return encode_documents(train_docs, tokenizer, labels, max_length=max_length, tasks=tasks,
                                silver_weight=cfg.silver_weight, for_training=True)

    train_set = encode()
    counts = train_set.task_documents()
    for task in list(tasks):
        if counts[task] == 0:
            notes.append(("warning", f"{task} left out: no training document is labelled for it"))
            tasks.remove(task)
    if tasks and tasks != list(cfg.tasks):
        train_set = encode()  # so that labels of a dropped task do not keep documents in the training set
    return tuple(tasks), train_set
