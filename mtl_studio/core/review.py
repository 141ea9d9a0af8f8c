"""Reviewing a run's predictions against gold: the studio's one definition of a prediction error.

A span is right only with the same boundaries and label as a gold span (entity-level scoring); the
same boundaries with another label is a wrong label, anything else a false positive (predicted only)
or a false negative (gold only). NER is compared only on documents annotated for NER, sentiment only
where a gold sentiment exists. Accepting a prediction makes it the gold of the tasks the run predicted.

Pure Python over the store's API (the one query that finds error documents in bulk is
`ProjectStore.mismatched_document_ids`); the GUI's prediction view and document filter call this.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from .schema import Document, SentimentLabel, Span
from .store import ProjectStore

CORRECT, FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_LABEL = "correct", "false_positive", "false_negative", "wrong_label"
ERROR_KINDS = (FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_LABEL)
# A run that recorded no task list trained both heads (the first releases did not record it).
DEFAULT_TASKS = ("ner", "sentiment")
EVALUATED_SPLITS = ("dev", "test")


@dataclass(frozen=True)
class SpanDiff:
    kind: str  # CORRECT or one of ERROR_KINDS
    start: int  # code points, end-exclusive
    end: int
    gold: str | None  # gold label (None for a false positive)
    predicted: str | None  # predicted label (None for a false negative)
    # Entity sentiment: the polarities on both sides (None: none given / no such span). The kind is
    # about the entity (boundaries and type) only; a polarity error is `polarity_wrong`.
    gold_sentiment: str | None = None
    predicted_sentiment: str | None = None

    @property
    def polarity_wrong(self) -> bool:
        """Both sides hold the span, gold gives it a polarity, and the prediction's differs (or is none)."""
        return (self.gold is not None and self.predicted is not None and self.gold_sentiment is not None
                and self.predicted_sentiment != self.gold_sentiment)


def diff_spans(gold: Iterable[Span], predicted: Iterable[Span]) -> list[SpanDiff]:
    """Compare two span lists span by span, in document order (see the module docstring)."""
    gold_at = {(s.start, s.end): s for s in gold}
    pred_at = {(s.start, s.end): s for s in predicted}
    out: list[SpanDiff] = []
    for (start, end), g in gold_at.items():
        p = pred_at.get((start, end))
        if p is None:
            out.append(SpanDiff(FALSE_NEGATIVE, start, end, g.label, None, g.sentiment))
        else:
            out.append(SpanDiff(CORRECT if p.label == g.label else WRONG_LABEL, start, end, g.label, p.label,
                                g.sentiment, p.sentiment))
    for (start, end), p in pred_at.items():
        if (start, end) not in gold_at:
            out.append(SpanDiff(FALSE_POSITIVE, start, end, None, p.label, None, p.sentiment))
    return sorted(out, key=lambda d: (d.start, d.end))


def run_tasks(store: ProjectStore, run_id: str) -> tuple[str, ...]:
    """The tasks a run trained and predicted; () for a run that does not exist (deleted meanwhile)."""
    try:
        run = store.get_run(run_id)
    except KeyError:
        return ()
    return tuple(run["config"].get("tasks") or run["metrics"].get("tasks") or DEFAULT_TASKS)


# ---- one document --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentReview:
    """One document's gold beside one run's prediction."""

    document: Document  # gold in spans/sentiment; the run's prediction in other_spans/other_sentiments
    tasks: tuple[str, ...]  # what the run predicted (() without a run)
    predicted_spans: tuple[Span, ...]
    predicted_sentiment: SentimentLabel | None
    run_id: str | None = None  # the run compared (its predicted labels are the ones of this run)

    @property
    def ner_compared(self) -> bool:
        """Spans are compared only when the run predicted NER and the document has gold NER."""
        return "ner" in self.tasks and self.document.ner_labelled

    @functools.cached_property
    def diffs(self) -> tuple[SpanDiff, ...]:
        """The span comparison; empty when spans are not compared."""
        return tuple(diff_spans(self.document.spans, self.predicted_spans)) if self.ner_compared else ()

    @property
    def sentiment_wrong(self) -> bool:
        gold = self.document.sentiment
        if "sentiment" not in self.tasks or gold is None:
            return False
        return self.predicted_sentiment is None or self.predicted_sentiment.label != gold.label

    @property
    def polarity_errors(self) -> tuple[SpanDiff, ...]:
        """Entities found with the right type whose polarity the run got wrong (when it predicted
        entity sentiment)."""
        if "entity_sentiment" not in self.tasks:
            return ()
        return tuple(d for d in self.diffs if d.kind == CORRECT and d.polarity_wrong)

    @property
    def predicted_labels(self) -> dict[str, tuple[str, ...]]:
        """The run's labels per further label set (from the document's predicted labels)."""
        out: dict[str, list[str]] = {}
        for x in self.document.other_labels:
            if x.source == "predicted" and (self.run_id is None or x.run_id == self.run_id):
                out.setdefault(x.label_set, []).append(x.label)
        return {k: tuple(v) for k, v in out.items()}

    @property
    def label_sets_wrong(self) -> tuple[str, ...]:
        """The further label sets the run predicted whose labels differ from the document's gold ones
        (as sets; only sets the document is labelled for)."""
        predicted = self.predicted_labels
        sets = dict.fromkeys(x.label_set for x in self.document.labels)
        return tuple(name for name in sets if name in self.tasks
                     and set(predicted.get(name, ())) != set(self.document.labels_of(name)))

    @property
    def has_error(self) -> bool:
        """Whether this document is one of the run's errors (as error_document_ids counts them: an entity
        or a sentiment error; the store's bulk query knows those two tasks)."""
        return any(d.kind != CORRECT for d in self.diffs) or self.sentiment_wrong

    @property
    def has_further_error(self) -> bool:
        """An error of the further tasks: a wrong polarity on a found entity, or a wrong label set."""
        return bool(self.polarity_errors) or bool(self.label_sets_wrong)


def review_document(store: ProjectStore, doc_id: int, run_id: str | None) -> DocumentReview:
    """Gold and the run's prediction of a document, compared; KeyError when the document is gone."""
    if run_id is None:
        doc = store.get_document(doc_id)
        return DocumentReview(doc, (), (), None)
    tasks = run_tasks(store, run_id)
    doc = store.get_document(doc_id, sources=("gold", "predicted"), run_id=run_id)
    predicted_spans = tuple(s for s in doc.other_spans if s.source == "predicted" and s.run_id == run_id)
    predicted_sentiment = next((x for x in doc.other_sentiments if x.source == "predicted" and x.run_id == run_id),
                               None)
    return DocumentReview(doc, tasks, predicted_spans, predicted_sentiment, run_id)


# ---- error documents of a run --------------------------------------------------------------------

def evaluated_splits(store: ProjectStore, run_id: str) -> tuple[str, ...]:
    """The splits a run was evaluated on (those its metrics report; dev and test when it reports none)."""
    metrics = store.get_run(run_id)["metrics"]
    return tuple(s for s in EVALUATED_SPLITS if s in metrics) or EVALUATED_SPLITS


def error_document_ids(store: ProjectStore, run_id: str | None = None, *, splits: Iterable[str] | None = None,
                       search: str | None = None) -> list[int]:
    """Ids (ascending) of the documents where the run's prediction differs from gold.

    run_id: the newest run that stored predictions when None. splits: the run's evaluated splits when
    None. search: only documents whose text contains it. [] when there is no such run.
    """
    run_id = run_id or store.latest_prediction_run_id()
    if run_id is None:
        return []
    tasks = run_tasks(store, run_id)
    if not tasks:
        return []
    ids: set[int] = set()
    for split in (evaluated_splits(store, run_id) if splits is None else splits):
        ids |= store.mismatched_document_ids(run_id, tasks, split)
    if search and ids:
        ids &= set(store.document_ids(search=search))
    return sorted(ids)


# ---- accepting a prediction as gold --------------------------------------------------------------

@dataclass(frozen=True)
class GoldState:
    """Everything accepting a prediction may change on a document (kept to undo it). Spans keep their
    polarity. labels: the gold labels per further label set; None leaves the label sets as they are (a
    state made before there were any)."""

    spans: tuple[Span, ...]
    ner_labelled: bool
    sentiment: str | None
    # Not compared: a state equals another of the same spans, flag and sentiment whatever the label sets
    # (callers compare what accepting changes on the two original tasks; the labels are undone all the same).
    labels: dict[str, tuple[str, ...]] | None = field(default=None, compare=False)


def gold_state(store: ProjectStore, doc_id: int) -> GoldState:
    doc = store.get_document(doc_id)
    labels: dict[str, tuple[str, ...]] = {}
    for x in doc.labels:
        labels[x.label_set] = labels.get(x.label_set, ()) + (x.label,)
    return GoldState(tuple(doc.spans), doc.ner_labelled, doc.sentiment.label if doc.sentiment else None, labels)


def write_gold_state(store: ProjectStore, doc_id: int, state: GoldState, *, annotator: str | None = None) -> None:
    """Replace a document's gold spans (with their polarities), NER flag, sentiment and (when the state
    holds them) label set labels, all in one transaction."""
    with store.bulk():
        current = store.get_document(doc_id)
        for s in current.spans:
            store.remove_span(s.id)
        for s in state.spans:
            store.add_span(doc_id, Span(s.start, s.end, s.label, "gold", annotator=annotator or s.annotator,
                                        run_id=s.run_id, sentiment=s.sentiment))  # an accepted suggestion keeps its run
        store.set_ner_labelled(doc_id, state.ner_labelled)
        store.set_sentiment(doc_id, state.sentiment, annotator=annotator)
        if state.labels is not None:
            for name in dict.fromkeys([*(x.label_set for x in current.labels), *state.labels]):
                wanted = state.labels.get(name, ())
                if wanted != current.labels_of(name):
                    store.set_document_labels(doc_id, name, list(wanted), annotator=annotator)


def accepted_state(store: ProjectStore, doc_id: int, run_id: str) -> GoldState:
    """The gold a document gets when its prediction is accepted: the run's tasks come from the
    prediction, a task the run did not predict keeps its gold (a span's polarity too: an accepted
    span keeps the gold polarity at its offsets unless the run predicted entity sentiment)."""
    review = review_document(store, doc_id, run_id)
    current = gold_state(store, doc_id)
    spans, labelled, sentiment = current.spans, current.ner_labelled, current.sentiment
    if "ner" in review.tasks:
        gold_polarity = {(s.start, s.end): s.sentiment for s in current.spans}
        spans = tuple(Span(s.start, s.end, s.label, "gold",
                           sentiment=s.sentiment if "entity_sentiment" in review.tasks
                           else gold_polarity.get((s.start, s.end))) for s in review.predicted_spans)
        labelled = True
    elif "entity_sentiment" in review.tasks:  # polarities on the gold entities only
        predicted = {(s.start, s.end, s.label): s.sentiment for s in review.predicted_spans}
        spans = tuple(Span(s.start, s.end, s.label, "gold", annotator=s.annotator, run_id=s.run_id,
                           sentiment=predicted.get((s.start, s.end, s.label), s.sentiment)) for s in current.spans)
    if "sentiment" in review.tasks and review.predicted_sentiment is not None:
        sentiment = review.predicted_sentiment.label
    labels = dict(current.labels or {})
    for name, chosen in review.predicted_labels.items():
        if name in review.tasks:
            labels[name] = chosen
    return GoldState(spans, labelled, sentiment, labels)
