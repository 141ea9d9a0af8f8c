"""Model suggestions while labelling: a trained model's entity spans and sentiment, shown where gold is
missing, accepted into gold or rejected one by one.

What a suggestion is:
- Computing suggestions (`suggest`) predicts documents lacking gold for a task and stores the
  predictions with the `predicted` provenance (run id, annotator "model:<run>", confidence) through
  `ProjectStore.replace_model_annotations`, the same rows a training run stores for its dev/test
  review; `suggestion_documents` records which documents were predicted (so "the model found no entity"
  is told apart from "not computed yet"). The project's meta key `suggestion_run` names the run whose
  suggestions are shown: computing suggestions from a new run replaces the old ones there, while the
  old run's rows stay for its own review.
- A document shows the run's suggestions for a task only while it lacks gold for that task (NER:
  not marked NER-labelled; sentiment: no gold sentiment). A suggested span that overlaps a gold span
  or that was rejected for this run is not shown.
- Accepting a suggestion writes gold whose provenance names the run it came from (run_id on the gold
  row), the annotator and the time (created_at). Accepting ONE span keeps the document's NER state as
  it was: a document with some accepted entities is in progress, not a complete annotation, so its
  unmarked words do not train as O until it is marked done (`accept_all` marks it done; so does the
  editor's "NER done").
- Rejecting remembers (run, document, task, offsets, label) in `rejected_suggestions`; that suggestion is
  never shown again for that run (a new run's model may suggest it again: it is a new opinion).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .document_predictions import DEFAULT_CHUNK, LoadedModel, load_model, predict_documents, unlabelled_document_ids
from .review import GoldState, gold_state
from .schema import TASKS, DocumentLabel, SentimentLabel, Span
from .store import ProjectStore

SUGGESTION_RUN_META = "suggestion_run"
SUGGESTION_TASKS_META = "suggestion_tasks"  # the tasks the suggestion model predicts, comma-separated
SUGGESTION_MODEL_META = "suggestion_model"  # the folder the suggestion model was loaded from
NER, SENTIMENT = "ner", "sentiment"
NO_OFFSET = -1  # start/end of a rejected sentiment in the store


@dataclass(frozen=True)
class DocumentSuggestions:
    """What the editor shows as suggestions on one document (nothing: run_id None or empty lists)."""

    document_id: int
    run_id: str | None
    computed: bool  # the run's predictions exist for this document
    spans: tuple[Span, ...] = ()
    sentiment: SentimentLabel | None = None
    ner_open: bool = False  # the document lacks gold NER (so accept-all marks it done)
    # The run's labels of the further document label sets the document has no gold label of.
    labels: tuple[DocumentLabel, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.spans and self.sentiment is None and not self.labels


@dataclass
class SuggestReport:
    run_id: str
    model_folder: str
    tasks: list[str]
    documents: int = 0  # documents predicted
    spans: int = 0  # suggested spans stored
    sentiments: int = 0  # suggested sentiments stored
    labels: int = 0  # suggested labels of further document label sets stored
    cancelled: bool = False
    per_class: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        text = (f"suggestions of run {self.run_id} for {self.documents} document(s): {self.spans} entity span(s), "
                f"{self.sentiments} sentiment(s)" + (f", {self.labels} label(s) of further sets" if self.labels else ""))
        return text + (" (stopped early)" if self.cancelled else "")


# ---- computing ----------------------------------------------------------------------------------

def current_suggestion_run(store: ProjectStore) -> str | None:
    return store.get_meta(SUGGESTION_RUN_META) or None


def suggestion_source(store: ProjectStore) -> str | None:
    """What to load to go on with the current suggestions: the suggestion run when it is a run of this
    project, else the model folder they came from (an exported model); None when there are none."""
    run_id = current_suggestion_run(store)
    if run_id is None:
        return None
    try:
        store.run_record(run_id)
        return run_id
    except KeyError:
        folder = store.get_meta(SUGGESTION_MODEL_META)
        return folder if folder and os.path.isdir(folder) else None


def suggestion_tasks(store: ProjectStore) -> tuple[str, ...]:
    return tuple(t for t in (store.get_meta(SUGGESTION_TASKS_META) or "").split(",") if t)


def suggest(store: ProjectStore, model: LoadedModel | str | os.PathLike[str] | None = None, *,
            splits: Sequence[str] | None = None, document_ids: Sequence[int] | None = None,
            limit: int | None = None, skip_computed: bool = False, device: str = "cpu", batch_size: int = 32,
            chunk_size: int = DEFAULT_CHUNK, stop: threading.Event | None = None,
            progress: Callable[[int, int], None] | None = None) -> SuggestReport:
    """Compute and store the suggestions of a model for documents lacking gold for a task it predicts.

    model: a LoadedModel (the GUI keeps one loaded), a run id, a model folder, or None for the latest
    run with a saved model. document_ids: only these (still only where gold is missing); else the
    unlabelled documents of `splits` (default all), the first `limit` of them in id order.
    skip_computed: leave documents whose suggestions from this run are stored already (the GUI's cache).
    Makes the model's run the project's suggestion run. Written per chunk, so a stop keeps whole chunks.
    """
    loaded = model if isinstance(model, LoadedModel) else load_model(store, model, device=device)
    tasks = [t for t in TASKS if t in loaded.tasks]
    wanted = unlabelled_document_ids(store, tasks, splits)
    if document_ids is not None:
        asked = set(int(i) for i in document_ids)
        wanted = [i for i in wanted if i in asked]
    if skip_computed and wanted:
        wanted = sorted(set(wanted) - store.suggested_document_ids(loaded.run_id, wanted))
    if limit is not None:
        wanted = wanted[:max(0, limit)]
    report = SuggestReport(loaded.run_id, str(loaded.folder), tasks)
    with store.bulk():
        store.set_meta(SUGGESTION_RUN_META, loaded.run_id)
        store.set_meta(SUGGESTION_TASKS_META, ",".join(tasks))
        store.set_meta(SUGGESTION_MODEL_META, str(loaded.folder))
    for docs, preds in predict_documents(store, loaded.predictor, wanted, chunk_size=chunk_size,
                                         batch_size=batch_size, stop=stop):
        with store.bulk():  # whole chunks or nothing
            for doc, pred in zip(docs, preds):
                assert doc.id is not None
                # With entity sentiment the span carries its predicted polarity (stored where the store
                # keeps span polarities of model annotations).
                spans = [Span(e["start"], e["end"], e["label"], "predicted", float(e["score"]),
                              sentiment=e["sentiment"]["label"] if e.get("sentiment") else None,
                              sentiment_confidence=float(e["sentiment"]["probabilities"][e["sentiment"]["label"]])
                              if e.get("sentiment") else None)
                         for e in (pred.entities or [])]
                sentiment = None
                if pred.sentiment is not None:
                    label = pred.sentiment["label"]
                    sentiment = SentimentLabel(label, "predicted", float(pred.sentiment["probabilities"][label]))
                    report.per_class[label] = report.per_class.get(label, 0) + 1
                labels = [DocumentLabel(name, label, "predicted", float(out["probabilities"][label]))
                          for name, out in pred.label_sets.items() for label in out["labels"]]
                # Every task is stored even where one has gold: the same rows a run stores for review.
                store.replace_model_annotations(doc.id, "predicted", loaded.run_id, spans, sentiment, labels)
                report.labels += len(labels)
                report.spans += len(spans)
                report.sentiments += sentiment is not None
            store.mark_suggested(loaded.run_id, [d.id for d in docs if d.id is not None])
        report.documents += len(docs)
        if progress:
            progress(report.documents, len(wanted))
    report.cancelled = bool(stop is not None and stop.is_set() and report.documents < len(wanted))
    return report


# ---- what a document shows ----------------------------------------------------------------------

def document_suggestions(store: ProjectStore, doc_id: int, run_id: str | None = None) -> DocumentSuggestions:
    """The suggestions to show on a document: the suggestion run's (or `run_id`'s) predictions for the
    tasks the document lacks gold for, without rejected ones and spans overlapping gold."""
    run_id = run_id or current_suggestion_run(store)
    if run_id is None:
        return DocumentSuggestions(doc_id, None, False)
    doc = store.get_document(doc_id, sources=("gold", "predicted"), run_id=run_id)
    computed = bool(store.suggested_document_ids(run_id, [doc_id]))
    if not computed:
        return DocumentSuggestions(doc_id, run_id, False, ner_open=not doc.ner_labelled)
    rejected = store.rejected_suggestions(run_id, doc_id)
    spans: tuple[Span, ...] = ()
    if not doc.ner_labelled:
        spans = tuple(s for s in doc.other_spans
                      if s.source == "predicted" and s.run_id == run_id
                      and (NER, s.start, s.end, s.label) not in rejected
                      and not any(s.overlaps(g) for g in doc.spans))
    sentiment = None
    if doc.sentiment is None:
        sentiment = next((x for x in doc.other_sentiments if x.source == "predicted" and x.run_id == run_id
                          and (SENTIMENT, NO_OFFSET, NO_OFFSET, x.label) not in rejected), None)
    labels = tuple(x for x in doc.other_labels if x.source == "predicted" and x.run_id == run_id
                   and not doc.labels_of(x.label_set)
                   and (x.label_set, NO_OFFSET, NO_OFFSET, x.label) not in rejected)
    return DocumentSuggestions(doc_id, run_id, True, spans, sentiment, ner_open=not doc.ner_labelled, labels=labels)


# ---- accepting and rejecting --------------------------------------------------------------------

def _gold_span(store: ProjectStore, span: Span, annotator: str | None) -> Span:
    """The gold span an accepted suggestion becomes: its polarity comes along when the project labels
    entity sentiment with that class (a model folder from elsewhere may know polarities the project lacks)."""
    polarity = span.sentiment if span.sentiment in store.entity_sentiment_class_names() else None
    return Span(span.start, span.end, span.label, "gold", annotator=annotator, run_id=span.run_id,
                sentiment=polarity)


def accept_span(store: ProjectStore, doc_id: int, span: Span, *, annotator: str | None = None) -> None:
    """Make one suggested span gold (provenance: its run, the annotator, now); the NER state stays."""
    with store.bulk():
        was_labelled = store.get_document(doc_id).ner_labelled
        store.add_span(doc_id, _gold_span(store, span, annotator))
        if not was_labelled:  # add_span marks the document NER-labelled; one accepted span is not all
            store.set_ner_labelled(doc_id, False)


def accept_sentiment(store: ProjectStore, doc_id: int, suggestion: SentimentLabel, *,
                     annotator: str | None = None) -> None:
    store.set_sentiment(doc_id, suggestion.label, annotator=annotator, run_id=suggestion.run_id)


def accept_all(store: ProjectStore, doc_id: int, run_id: str | None = None, *,
               annotator: str | None = None) -> GoldState:
    """Accept every shown suggestion of a document and mark NER done (when the run's predictions were
    computed for it: an empty suggestion then means "no entities"). Returns the gold state before, to undo."""
    before = gold_state(store, doc_id)
    shown = document_suggestions(store, doc_id, run_id)
    if not shown.computed:
        return before
    with store.bulk():
        for span in shown.spans:
            store.add_span(doc_id, _gold_span(store, span, annotator))
        if shown.ner_open and NER in suggestion_tasks(store):
            store.set_ner_labelled(doc_id, True)
        if shown.sentiment is not None:
            accept_sentiment(store, doc_id, shown.sentiment, annotator=annotator)
        accept_labels(store, doc_id, shown.labels, annotator=annotator)
    return before


def accept_labels(store: ProjectStore, doc_id: int, suggestions: Sequence[DocumentLabel], *,
                  annotator: str | None = None) -> None:
    """Make suggested labels of further label sets gold, set by set (a set's gold labels become the
    suggested ones; provenance: the run they came from)."""
    by_set: dict[str, list[DocumentLabel]] = {}
    for x in suggestions:
        by_set.setdefault(x.label_set, []).append(x)
    with store.bulk():
        for name, chosen in by_set.items():
            store.set_document_labels(doc_id, name, [x.label for x in chosen], annotator=annotator,
                                      run_id=chosen[0].run_id)


def reject_label(store: ProjectStore, doc_id: int, suggestion: DocumentLabel, *, annotator: str | None = None) -> None:
    """Never show this suggested label of a further label set again for its run (task: the set's name)."""
    assert suggestion.run_id, "a suggestion names the run it came from"
    store.reject_suggestion(suggestion.run_id, doc_id, suggestion.label_set, suggestion.label, annotator=annotator)


def reject_span(store: ProjectStore, doc_id: int, span: Span, *, annotator: str | None = None) -> None:
    assert span.run_id, "a suggestion names the run it came from"
    store.reject_suggestion(span.run_id, doc_id, NER, span.label, span.start, span.end, annotator=annotator)


def reject_sentiment(store: ProjectStore, doc_id: int, suggestion: SentimentLabel, *,
                     annotator: str | None = None) -> None:
    assert suggestion.run_id, "a suggestion names the run it came from"
    store.reject_suggestion(suggestion.run_id, doc_id, SENTIMENT, suggestion.label, annotator=annotator)


def unreject_span(store: ProjectStore, doc_id: int, span: Span) -> None:
    assert span.run_id
    store.unreject_suggestion(span.run_id, doc_id, NER, span.label, span.start, span.end)


def unreject_sentiment(store: ProjectStore, doc_id: int, suggestion: SentimentLabel) -> None:
    assert suggestion.run_id
    store.unreject_suggestion(suggestion.run_id, doc_id, SENTIMENT, suggestion.label)
