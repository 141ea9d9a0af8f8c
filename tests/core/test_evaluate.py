"""Scores: seqeval strict IOB2 entity F1, sentiment per-class/macro P/R/F1 and confusion, gold only."""
from __future__ import annotations

import json

import pytest

from mtl_studio.core.evaluate import (EvalReport, evaluate_predictions, format_report, ner_scores,
                                      sentiment_scores)
from mtl_studio.core.features import DocumentPrediction
from mtl_studio.core.schema import Document, SentimentLabel, Span
from mtl_studio.core.tokenize import tokenize


def test_ner_entity_scores_by_hand():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
    pred = [["B-PER", "I-PER", "O", "O"], ["O", "B-ORG"]]
    s = ner_scores(gold, pred)
    assert s.per_type["PER"].f1 == 1.0 and s.per_type["LOC"].f1 == 0.0 and s.per_type["LOC"].support == 1
    assert s.micro.precision == 1.0 and s.micro.recall == pytest.approx(2 / 3)
    assert s.micro.f1 == pytest.approx(0.8) and s.micro.support == 3
    assert s.macro.f1 == pytest.approx((1 + 0 + 1) / 3)
    assert s.mode == {"mode": "strict", "scheme": "IOB2"}


def test_strict_mode_does_not_count_ill_formed_chunks():
    # conlleval's default would count I-PER I-PER as a PER entity; strict IOB2 does not.
    s = ner_scores([["B-PER", "I-PER"]], [["I-PER", "I-PER"]])
    assert s.micro.recall == 0.0 and s.micro.f1 == 0.0


def test_token_accuracy_is_not_f1():
    # 9 of 10 tokens right (all O but one missed entity): token accuracy 0.9, entity F1 0.
    gold = [["O"] * 9 + ["B-ORG"]]
    pred = [["O"] * 10]
    assert ner_scores(gold, pred).micro.f1 == 0.0


def test_sentiment_scores_by_hand():
    s = sentiment_scores(["pos", "pos", "neg", "neu"], ["pos", "neg", "neg", "pos"], ["neg", "neu", "pos"])
    assert s.labels == ["neg", "neu", "pos"]
    assert s.confusion == [[1, 0, 0], [0, 0, 1], [1, 0, 1]]  # rows gold, columns predicted
    assert (s.per_class["pos"].precision, s.per_class["pos"].recall, s.per_class["pos"].f1) == (0.5, 0.5, 0.5)
    assert s.per_class["neg"].precision == 0.5 and s.per_class["neg"].recall == 1.0
    assert s.per_class["neg"].f1 == pytest.approx(2 / 3)
    assert s.per_class["neu"].f1 == 0.0 and s.per_class["neu"].support == 1
    assert s.macro.f1 == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    assert s.accuracy == 0.5


def _doc(text, spans=None, sentiment=None, **kw):
    return Document(text=text, tokens=tokenize(text), spans=[Span(*s) for s in spans or []],
                    sentiment=SentimentLabel(sentiment) if sentiment else None, ner_labelled=spans is not None, **kw)


def test_unlabelled_documents_and_silver_labels_are_not_scored():
    labelled = _doc("Apple rose", [(0, 5, "ORG")], "positive")
    silver_only = _doc("Nokia fell", None, None)
    silver_only.other_spans = [Span(0, 5, "ORG", source="silver")]
    silver_only.other_sentiments = [SentimentLabel("negative", source="silver")]
    preds = [DocumentPrediction(["B-ORG", "O"], [], "positive", {"positive": 1.0}),
             DocumentPrediction(["O", "O"], [], "positive", {"positive": 1.0})]
    r = evaluate_predictions([labelled, silver_only], preds, split="dev", classes=["negative", "positive"])
    assert r.ner.documents == 1 and r.ner.micro.f1 == 1.0
    assert r.sentiment.documents == 1 and r.sentiment.accuracy == 1.0
    only_sent = evaluate_predictions([_doc("x", None, "negative")], [DocumentPrediction(None, None, "negative")],
                                     split="test", classes=["negative"])
    assert only_sent.ner is None and only_sent.sentiment.accuracy == 1.0


def test_report_round_trip_and_tables():
    r = EvalReport("test", ner_scores([["B-ORG", "O"]], [["B-ORG", "O"]]),
                   sentiment_scores(["a", "b"], ["a", "a"], ["a", "b"]))
    d = r.to_dict()
    json.dumps(d)  # plain JSON for the run record
    assert d["ner"]["f1"] == 1.0 and d["sentiment"]["f1"] == r.sentiment.macro.f1
    assert d["sentiment"]["confusion_matrix"] == {"labels": ["a", "b"], "matrix": [[1, 0], [1, 0]]}
    assert "accuracy" not in d["ner"]
    assert EvalReport.from_dict(d).to_dict() == d
    assert r.score == pytest.approx((1.0 + r.sentiment.macro.f1) / 2)
    text = format_report(d)
    assert "strict IOB2" in text and "micro avg" in text and "gold a" in text
