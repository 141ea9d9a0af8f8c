"""Score an inference Predictor (any backend) on gold documents, and time it while doing so.

The export's int8 check and bench/inference_speed.py use this to compare backends on the same
documents with the same scorer as training (core.evaluate: seqeval entity F1, sentiment macro-F1).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
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

    @property
    def texts_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"backend": self.backend, "documents": self.documents, "seconds": round(self.seconds, 3),
                "texts_per_second": round(self.texts_per_second, 2), "ner_f1": self.ner_f1,
                "sentiment_f1": self.sentiment_f1}


def document_predictions(predictor: Any, docs: Sequence[Document], batch_size: int = 32) -> list[DocumentPrediction]:
    """The Predictor's output for documents (their own word tokens) as DocumentPredictions."""
    preds = predictor.predict_words([d.text for d in docs], [document_words(d) for d in docs], batch_size=batch_size)
    out = []
    for doc, p in zip(docs, preds):
        tags = None
        if p.entities is not None:
            spans = [Span(e["start"], e["end"], e["label"]) for e in p.entities]
            tags = spans_to_tags(spans, document_words(doc))
        out.append(DocumentPrediction(tags=tags, spans=None,
                                      sentiment=p.sentiment["label"] if p.sentiment else None))
    return out


def score_predictor(predictor: Any, docs: Sequence[Document], *, batch_size: int = 32) -> tuple[BackendScore, EvalReport]:
    """Predict `docs`, score them against their gold labels; the prediction time is measured too."""
    start = time.perf_counter()
    preds = document_predictions(predictor, docs, batch_size)
    seconds = time.perf_counter() - start
    report = evaluate_predictions(docs, preds, tasks=predictor.tasks,
                                  classes=predictor.labels["sentiment_classes"])
    score = BackendScore(predictor.backend_name, len(docs), seconds,
                         report.ner.f1 if report.ner else None, report.sentiment.f1 if report.sentiment else None)
    return score, report


__all__ = ["BackendScore", "document_predictions", "score_predictor"]
