"""Score an inference Predictor (any backend) on gold documents, and time it while doing so.

The export's int8 check and bench/inference_speed.py use this to compare backends on the same
documents with the same scorer as training (core.evaluate: seqeval entity F1, sentiment macro-F1, and
the further tasks: entity sentiment with gold spans, the label sets).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .evaluate import EvalReport, evaluate_predictions
from .features import DocumentPrediction, document_words
from .schema import Document, Span
from .tokenize import spans_to_tags


@dataclass
class BackendScore:
    backend: str
    documents: int
    seconds: float
    ner_f1: float | None  # entity micro-F1 (seqeval strict IOB2); None without NER gold or head
    sentiment_f1: float | None  # sentiment macro-F1; None without sentiment gold or head
    # The further tasks scored (entity_sentiment, label sets): EvalReport.task_f1's figure per task.
    task_f1: dict[str, float] = field(default_factory=dict)

    @property
    def texts_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"backend": self.backend, "documents": self.documents, "seconds": round(self.seconds, 3),
                "texts_per_second": round(self.texts_per_second, 2), "ner_f1": self.ner_f1,
                "sentiment_f1": self.sentiment_f1, **({"task_f1": self.task_f1} if self.task_f1 else {})}


def document_predictions(predictor: Any, docs: Sequence[Document], batch_size: int = 32) -> list[DocumentPrediction]:
    """The Predictor's output for documents (their own word tokens) as DocumentPredictions: entities with
    their polarity, sentiment, the label sets, and (with entity sentiment) the head read on each gold span."""
    gold = [[(s.start, s.end) for s in d.spans] for d in docs] if "entity_sentiment" in predictor.tasks else None
    preds = predictor.predict_words([d.text for d in docs], [document_words(d) for d in docs], batch_size=batch_size,
                                    spans=gold)
    out = []
    for doc, p in zip(docs, preds):
        tags = spans = None
        if p.entities is not None:
            spans = [Span(e["start"], e["end"], e["label"], "predicted", e.get("score"),
                          sentiment=e["sentiment"]["label"] if e.get("sentiment") else None,
                          sentiment_confidence=e["sentiment"]["probabilities"][e["sentiment"]["label"]]
                          if e.get("sentiment") else None) for e in p.entities]
            tags = spans_to_tags(spans, document_words(doc))
        pred = DocumentPrediction(tags=tags, spans=spans, sentiment=p.sentiment["label"] if p.sentiment else None,
                                  sentiment_probabilities=p.sentiment["probabilities"] if p.sentiment else None)
        if p.span_sentiments is not None:
            pred.gold_span_sentiments = [(x["label"], x["probabilities"][x["label"]]) if x else None
                                         for x in p.span_sentiments]
        for name, ls in p.label_sets.items():
            pred.labels[name] = [(label, ls["probabilities"][label]) for label in ls["labels"]]
            pred.label_probabilities[name] = dict(ls["probabilities"])
        out.append(pred)
    return out


def score_predictor(predictor: Any, docs: Sequence[Document], *, batch_size: int = 32) -> tuple[BackendScore, EvalReport]:
    """Predict `docs`, score them against their gold labels; the prediction time is measured too."""
    from .features import LabelMaps

    start = time.perf_counter()
    preds = document_predictions(predictor, docs, batch_size)
    seconds = time.perf_counter() - start
    report = evaluate_predictions(docs, preds, tasks=predictor.tasks, labels=LabelMaps.from_dict(predictor.labels))
    score = BackendScore(predictor.backend_name, len(docs), seconds,
                         report.ner.f1 if report.ner else None, report.sentiment.f1 if report.sentiment else None,
                         {k: v for k, v in report.task_f1().items() if k not in ("ner", "sentiment")})
    return score, report


__all__ = ["BackendScore", "document_predictions", "score_predictor"]
