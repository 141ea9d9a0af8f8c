"""A trained model over a project's documents: the one prediction loop of pseudo-labelling, suggestions
and active-learning scores.

Which model (a run of the project, an exported folder, or the latest run with a saved model), which
documents (those lacking gold for a task), and their predictions in chunks. Documents are read with
their stored word tokens, as in training, so a prediction's words are the words an annotator labels.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .artifacts import is_model_folder, read_folder_metadata
from .features import document_words
from .schema import TASKS, Document, ValidationError

DEFAULT_CHUNK = 256  # documents read and predicted at a time: memory stays flat, a stop is honoured soon


@dataclass(frozen=True)
class LoadedModel:
    """A predictor and the provenance its annotations carry."""

    predictor: Any  # core.inference.Predictor
    run_id: str  # the run (or "folder:<name>" for an exported folder without a run id)
    folder: Path

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(self.predictor.tasks)

    @property
    def run_config(self) -> dict[str, Any]:
        """The training configuration recorded with the model ({} when the folder has none)."""
        return dict(self.predictor.config.get("config") or {})


def resolve_model(store: Any, which: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """(model folder, provenance run id) for a run id, a model folder, or None (the latest run with a model)."""
    from .export import ExportError, run_model_folder

    if which is not None and os.path.isdir(which) and is_model_folder(which):
        _, cfg = read_folder_metadata(which)
        return Path(which), str(cfg.get("run_id") or f"folder:{Path(which).name}")
    if which is not None:
        run = store.run_record(str(which))  # KeyError names the missing run
        return run_model_folder(run, store.path), run.id
    for run in reversed(store.run_records()):
        try:
            return run_model_folder(run, store.path), run.id
        except ExportError:
            continue
    raise KeyError("this project has no run with a saved model; train one first")


def load_model(store: Any, which: str | os.PathLike[str] | None = None, *, device: str = "cpu",
               tasks: Sequence[str] = TASKS) -> LoadedModel:
    """Load the model `which` names (see resolve_model) and check that the project can hold its labels."""
    from .inference import load

    folder, run_id = resolve_model(store, which)
    model = LoadedModel(load(folder, device=device), run_id, folder)
    check_labels_fit(store, model, tasks)
    return model


def check_labels_fit(store: Any, model: LoadedModel, tasks: Sequence[str]) -> None:
    """ValidationError when the model predicts entity types or classes the project's schema lacks."""
    labels = model.predictor.labels
    missing = set()
    if "ner" in tasks and "ner" in model.tasks:
        missing |= set(labels["entity_types"]) - set(store.entity_type_names())
    if "sentiment" in tasks and "sentiment" in model.tasks:
        missing |= set(labels["sentiment_classes"]) - set(store.sentiment_class_names())
    # The further tasks, where the store declares them (docs/tasks_as_data.md).
    if "entity_sentiment" in tasks and "entity_sentiment" in model.tasks and hasattr(store, "entity_sentiment_class_names"):
        missing |= set(labels.get("entity_sentiment_classes") or ()) - set(store.entity_sentiment_class_names())
    if hasattr(store, "label_sets"):
        declared = {ls.name: set(ls.class_names) for ls in store.label_sets()}
        for ls in labels.get("label_sets") or ():
            if ls["name"] in tasks and ls["name"] in model.tasks:
                if ls["name"] not in declared:
                    raise ValidationError(f"the model predicts the label set {ls['name']!r}, which this project "
                                          "does not declare; add it to the schema first")
                missing |= set(ls["classes"]) - declared[ls["name"]]
    if missing:
        raise ValidationError(f"the model predicts labels this project does not have: "
                              f"{', '.join(sorted(missing))}; add them to the schema first")


def unlabelled_document_ids(store: Any, tasks: Iterable[str], splits: Sequence[str] | None = None) -> list[int]:
    """Ids (ascending) of documents lacking gold for at least one of `tasks`, in `splits` (default all)."""
    wanted: set[int] = set()
    for task in tasks:
        for split in (splits or (None,)):
            wanted.update(store.document_ids(split, task=task, labelled=False))
    return sorted(wanted)


def predict_documents(store: Any, predictor: Any, ids: Sequence[int], *, sources: tuple[str, ...] = ("gold",),
                      chunk_size: int = DEFAULT_CHUNK, batch_size: int = 32,
                      stop: threading.Event | None = None) -> Iterator[tuple[list[Document], list[Any]]]:
    """(documents, predictions) per chunk of `ids`, in the order given; stops between chunks on stop.set()."""
    for start in range(0, len(ids), max(1, chunk_size)):
        if stop is not None and stop.is_set():
            return
        docs = store.get_documents(ids[start:start + chunk_size], sources=sources)
        if not docs:
            continue
        preds = predictor.predict_words([d.text for d in docs], [document_words(d) for d in docs],
                                        batch_size=batch_size)
        yield docs, preds
