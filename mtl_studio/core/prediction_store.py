"""Storing a run's predictions in the project, where the side-by-side view reads them.

Training predicts every dev and test document with the best model; the predictions are kept as
annotations of source 'predicted' tagged with the run id, so a later run never overwrites another's.
"""
from __future__ import annotations

from collections.abc import Sequence

from .features import DocumentPrediction
from .schema import Document, DocumentLabel, SentimentLabel, Span
from .store import ProjectStore


def store_predictions(store: ProjectStore, run_id: str, docs: Sequence[Document],
                      predictions: Sequence[DocumentPrediction]) -> None:
    """Replace the run's predicted spans and sentiment of each document (aligned lists), in one write."""
    with store.bulk():
        for doc, pred in zip(docs, predictions):
            sentiment = None
            if pred.sentiment is not None:
                sentiment = SentimentLabel(pred.sentiment, "predicted", pred.sentiment_confidence)
            spans = [Span(s.start, s.end, s.label, "predicted", s.confidence, sentiment=s.sentiment,
                          sentiment_confidence=s.sentiment_confidence) for s in (pred.spans or [])]
            if pred.spans is None and pred.gold_span_sentiments is not None:
                # A run with entity sentiment but no NER (its single-task baseline) predicted polarities on
                # the gold entities: stored as its spans, so the verdict and the review can compare them.
                spans = [Span(g.start, g.end, g.label, "predicted", sentiment=got[0], sentiment_confidence=got[1])
                         for g, got in zip(doc.spans, pred.gold_span_sentiments) if got is not None]
            labels = [DocumentLabel(name, label, "predicted", p) for name, chosen in pred.labels.items()
                      for label, p in chosen]
            store.replace_model_annotations(doc.id, "predicted", run_id, spans, sentiment, labels)
