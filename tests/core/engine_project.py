"""A tiny project for engine tests: NER-only, sentiment-only and two-task documents in train/dev/test,
built through the ProjectStore API (no importer needed)."""
from __future__ import annotations

from pathlib import Path

from mtl_studio.core.schema import Document, SentimentLabel, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize

# (text, [(entity text, type)] or None for "not NER-labelled", sentiment or None, split)
DOCS: list[tuple[str, list[tuple[str, str]] | None, str | None, str]] = [
    ("Apple shares rose in Berlin .", [("Apple", "ORG"), ("Berlin", "LOC")], "positive", "train"),
    ("Nokia cut jobs in Finland .", [("Nokia", "ORG"), ("Finland", "LOC")], None, "train"),
    ("Siemens profit rose after the quarter .", [("Siemens", "ORG")], None, "train"),
    ("Peter Smith said sales were strong .", [("Peter Smith", "PER")], None, "train"),
    ("Google expects growth in London .", [("Google", "ORG"), ("London", "LOC")], None, "train"),
    ("Amazon stock fell in New York .", [("Amazon", "ORG"), ("New York", "LOC")], "negative", "train"),
    ("The bank reported results for the year .", None, "neutral", "train"),
    ("Profit fell sharply after a weak quarter .", None, "negative", "train"),
    ("Sales were good and growth was strong .", None, "positive", "train"),
    ("Prices were stable this year .", None, "neutral", "train"),
    ("Net loss increased and shares fell .", None, "negative", "train"),
    ("Revenue rose more than expected .", None, "positive", "train"),
    ("华为在深圳 😀", None, None, "train"),
    ("Tesla reported a net loss in China .", [("Tesla", "ORG"), ("China", "LOC")], "negative", "dev"),
    ("Mary Smith expects growth .", [("Mary Smith", "PER")], None, "dev"),
    ("Sales were poor this quarter .", None, "negative", "dev"),
    ("Microsoft revenue rose in Paris .", [("Microsoft", "ORG"), ("Paris", "LOC")], "positive", "test"),
    ("John said the market was weak .", [("John", "PER")], None, "test"),
    ("The group reported good results .", None, "positive", "test"),
]


def make_engine_project(path: str | Path, docs=DOCS) -> ProjectStore:
    store = ProjectStore.create(path)
    for name in ("ORG", "LOC", "PER"):
        store.add_entity_type(name)
    for name in ("negative", "neutral", "positive"):
        store.add_sentiment_class(name)
    with store.bulk():
        for text, entities, sentiment, split in docs:
            spans, pos = [], 0
            for surface, label in entities or []:
                start = text.index(surface, pos)
                spans.append(Span(start, start + len(surface), label))
                pos = start + len(surface)
            store.add_document(Document(text=text, tokens=tokenize(text), spans=spans,
                                        sentiment=SentimentLabel(sentiment) if sentiment else None,
                                        ner_labelled=entities is not None, split=split))
    return store
