"""Reviewing a run's predictions against gold: the studio's one definition of a prediction error.

A span is right only with the same boundaries and label as a gold span (entity-level scoring); the
same boundaries with another label is a wrong label, anything else a false positive (predicted only)
or a false negative (gold only). When the run predicted entity sentiment, a span with the right
boundaries and type but another polarity than its gold one is a wrong polarity (a gold span without a
polarity is not labelled for that task). NER is compared only on documents annotated for NER,
sentiment only where a gold sentiment exists, a document label set only where the document has gold
labels of it (a multi-label set is right only with exactly the gold labels). Accepting a prediction
makes it the gold of the tasks the run predicted.

Pure Python over the store's API (the one query that finds error documents in bulk is
`ProjectStore.mismatched_document_ids`); the GUI's prediction view and document filter call this.
"""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from .schema import TASK_ENTITY_SENTIMENT, TASK_NER, TASK_SENTIMENT, Document, DocumentLabel, SentimentLabel, Span
from .store import ProjectStore

CORRECT, FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_LABEL = "correct", "false_positive", "false_negative", "wrong_label"
WRONG_SENTIMENT = "wrong_sentiment"  # right span and type, another polarity than gold's
ERROR_KINDS = (FALSE_POSITIVE, FALSE_NEGATIVE, WRONG_LABEL, WRONG_SENTIMENT)
BUILT_IN_TASKS = frozenset({TASK_NER, TASK_SENTIMENT, TASK_ENTITY_SENTIMENT})
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
    # Entity sentiment, when compared: the gold span's polarity and the predicted span's.
    gold_sentiment: str | None = None
    predicted_sentiment: str | None = None


def diff_spans(gold: Iterable[Span], predicted: Iterable[Span], *, sentiment: bool = False,
               missing_spans: bool = True) -> list[SpanDiff]:
    """Compare two span lists span by span, in document order (see the module docstring).

    sentiment: compare the polarities too (the run predicted entity sentiment). missing_spans: False
    compares only the spans both sides have (a run that predicted polarities but no entities)."""
    gold_at = {(s.start, s.end): s for s in gold}
    pred_at = {(s.start, s.end): s for s in predicted}
    out: list[SpanDiff] = []
    for (start, end), g in gold_at.items():
        p = pred_at.get((start, end))
        g_pol = g.sentiment if sentiment else None
        if p is None:
            if missing_spans:
                out.append(SpanDiff(FALSE_NEGATIVE, start, end, g.label, None, g_pol, None))
            continue
        p_pol = p.sentiment if sentiment else None
        if p.label != g.label:
            kind = WRONG_LABEL
        elif g_pol is not None and p_pol != g_pol:
            kind = WRONG_SENTIMENT
        else:
            kind = CORRECT
        out.append(SpanDiff(kind, start, end, g.label, p.label, g_pol, p_pol))
    if missing_spans:
        for (start, end), p in pred_at.items():
            if (start, end) not in gold_at:
                out.append(SpanDiff(FALSE_POSITIVE, start, end, None, p.label, None,
                                    p.sentiment if sentiment else None))
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

    document: Document  # gold in spans/sentiment/labels; the run's prediction in other_spans/... /other_labels
    tasks: tuple[str, ...]  # what the run predicted (() without a run)
    predicted_spans: tuple[Span, ...]
    predicted_sentiment: SentimentLabel | None
    # Label set name -> the run's predicted labels of it (only the sets the run predicted).
    predicted_labels: dict[str, tuple[DocumentLabel, ...]] = dataclasses.field(default_factory=dict)

    @property
    def ner_compared(self) -> bool:
        """Spans are compared when the run predicted NER (or entity polarities) and the document has gold NER."""
        return (TASK_NER in self.tasks or self.sentiment_compared) and self.document.ner_labelled

    @property
    def sentiment_compared(self) -> bool:
        """Whether span polarities are compared (the run predicted entity sentiment)."""
        return TASK_ENTITY_SENTIMENT in self.tasks

    @functools.cached_property
    def diffs(self) -> tuple[SpanDiff, ...]:
        """The span comparison; empty when spans are not compared."""
        if not self.ner_compared:
            return ()
        return tuple(diff_spans(self.document.spans, self.predicted_spans, sentiment=self.sentiment_compared,
                                missing_spans=TASK_NER in self.tasks))

    @property
    def label_sets(self) -> tuple[str, ...]:
        """The further document label sets the run predicted, in its task order."""
        return tuple(t for t in self.tasks if t not in BUILT_IN_TASKS)

    def label_set_wrong(self, label_set: str) -> bool:
        """The run's labels of a set differ from the document's gold ones (where it has gold labels)."""
        gold = set(self.document.labels_of(label_set))
        if label_set not in self.label_sets or not gold:
            return False
        return {x.label for x in self.predicted_labels.get(label_set, ())} != gold

    @property
    def sentiment_wrong(self) -> bool:
        gold = self.document.sentiment
        if "sentiment" not in self.tasks or gold is None:
            return False
        return self.predicted_sentiment is None or self.predicted_sentiment.label != gold.label

    @property
    def has_error(self) -> bool:
        """Whether this document is one of the run's errors (as error_document_ids counts them)."""
        return any(d.kind != CORRECT for d in self.diffs) or self.sentiment_wrong or \
            any(self.label_set_wrong(name) for name in self.label_sets)


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
    predicted_labels: dict[str, list[DocumentLabel]] = {}
    for x in doc.other_labels:
        if x.source == "predicted" and x.run_id == run_id and x.label_set in tasks:
            predicted_labels.setdefault(x.label_set, []).append(x)
    return DocumentReview(doc, tasks, predicted_spans, predicted_sentiment,
                          {k: tuple(v) for k, v in predicted_labels.items()})


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
    """Everything accepting a prediction may change on a document (kept to undo it)."""

    spans: tuple[Span, ...]  # with their polarities (entity sentiment)
    ner_labelled: bool
    sentiment: str | None
    # Label set name -> gold labels of the further document label sets the state covers.
    labels: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def _gold_labels(doc: Document) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for x in doc.labels:
        out.setdefault(x.label_set, []).append(x.label)
    return {k: tuple(v) for k, v in out.items()}


def gold_state(store: ProjectStore, doc_id: int) -> GoldState:
    """The document's gold; every label set of the project is named (an unlabelled one with no labels),
    so writing the state back undoes labels accepted into a set the document had none of."""
    doc = store.get_document(doc_id)
    labels = {ls.name: () for ls in store.label_sets()} if hasattr(store, "label_sets") else {}
    labels.update(_gold_labels(doc))
    return GoldState(tuple(doc.spans), doc.ner_labelled, doc.sentiment.label if doc.sentiment else None, labels)


def write_gold_state(store: ProjectStore, doc_id: int, state: GoldState, *, annotator: str | None = None) -> None:
    """Replace a document's gold spans (and their polarities), NER flag, sentiment and the labels of the
    label sets the state names (a set it names with no labels is cleared), all in one transaction."""
    with store.bulk():
        doc = store.get_document(doc_id)
        for s in doc.spans:
            store.remove_span(s.id)
        for s in state.spans:
            store.add_span(doc_id, Span(s.start, s.end, s.label, "gold", annotator=annotator or s.annotator,
                                        run_id=s.run_id, sentiment=s.sentiment))  # an accepted suggestion keeps its run
        store.set_ner_labelled(doc_id, state.ner_labelled)
        store.set_sentiment(doc_id, state.sentiment, annotator=annotator)
        before = _gold_labels(doc)
        for label_set, labels in state.labels.items():
            if tuple(labels) != before.get(label_set, ()):
                store.set_document_labels(doc_id, label_set, list(labels), annotator=annotator)


def accepted_state(store: ProjectStore, doc_id: int, run_id: str) -> GoldState:
    """The gold a document gets when its prediction is accepted: the run's tasks come from the
    prediction, a task the run did not predict keeps its gold (entity polarities a run predicted
    without entities go onto the gold spans they match)."""
    review = review_document(store, doc_id, run_id)
    current = gold_state(store, doc_id)
    spans, labelled, sentiment = current.spans, current.ner_labelled, current.sentiment
    labels = {k: v for k, v in current.labels.items()}
    with_polarity = review.sentiment_compared
    if TASK_NER in review.tasks:
        spans = tuple(Span(s.start, s.end, s.label, "gold", sentiment=s.sentiment if with_polarity else None)
                      for s in review.predicted_spans)
        if not with_polarity:  # a span the run found again keeps its gold polarity
            kept = {(s.start, s.end, s.label): s.sentiment for s in current.spans}
            spans = tuple(dataclasses.replace(s, sentiment=kept.get((s.start, s.end, s.label))) for s in spans)
        labelled = True
    elif with_polarity:
        predicted = {(s.start, s.end, s.label): s.sentiment for s in review.predicted_spans}
        spans = tuple(dataclasses.replace(s, sentiment=predicted.get((s.start, s.end, s.label), s.sentiment))
                      for s in current.spans)
    if TASK_SENTIMENT in review.tasks and review.predicted_sentiment is not None:
        sentiment = review.predicted_sentiment.label
    for label_set in review.label_sets:
        predicted_labels = review.predicted_labels.get(label_set, ())
        if predicted_labels:
            labels[label_set] = tuple(x.label for x in predicted_labels)
    return GoldState(spans, labelled, sentiment, labels)
