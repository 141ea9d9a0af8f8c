"""A small two-task project for the training / results / prediction GUI tests.

Forty short financial sentences with entity spans (ORG, LOC, PER) and a sentiment, spread over
train/dev/test, built through the ProjectStore API. The test split holds one sentence with an emoji
and a character outside the BMP, so the prediction view's code point <-> UTF-16 mapping is exercised.
"""
from __future__ import annotations

from pathlib import Path

from mtl_studio.core.schema import Document, SentimentLabel, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize

# (text, [(entity text, type)], sentiment)
SENTENCES: list[tuple[str, list[tuple[str, str]], str]] = [
    ("Apple shares rose in Berlin .", [("Apple", "ORG"), ("Berlin", "LOC")], "positive"),
    ("Nokia cut jobs in Finland .", [("Nokia", "ORG"), ("Finland", "LOC")], "negative"),
    ("Siemens profit rose after the quarter .", [("Siemens", "ORG")], "positive"),
    ("Tesla reported a net loss .", [("Tesla", "ORG")], "negative"),
    ("Peter Smith said sales were strong .", [("Peter Smith", "PER")], "positive"),
    ("Google expects growth in London .", [("Google", "ORG"), ("London", "LOC")], "positive"),
    ("Amazon stock fell in New York .", [("Amazon", "ORG"), ("New York", "LOC")], "negative"),
    ("The bank reported results for the year .", [], "neutral"),
    ("Microsoft revenue rose in China .", [("Microsoft", "ORG"), ("China", "LOC")], "positive"),
    ("Volkswagen shares fell after the report .", [("Volkswagen", "ORG")], "negative"),
    ("John said the market was weak .", [("John", "PER")], "negative"),
    ("Mary Smith is chief executive officer of Nokia .", [("Mary Smith", "PER"), ("Nokia", "ORG")], "neutral"),
    ("Deutsche Bank cut prices in Germany .", [("Deutsche Bank", "ORG"), ("Germany", "LOC")], "negative"),
    ("Huawei profit rose in Shenzhen .", [("Huawei", "ORG"), ("Shenzhen", "LOC")], "positive"),
    ("Alibaba sales were good in Shanghai .", [("Alibaba", "ORG"), ("Shanghai", "LOC")], "positive"),
    ("Tencent reported a decline in Beijing .", [("Tencent", "ORG"), ("Beijing", "LOC")], "negative"),
    ("The company will report in Paris .", [("Paris", "LOC")], "neutral"),
    ("Investors expect the price to be stable .", [], "neutral"),
    ("Apple cut jobs in Japan .", [("Apple", "ORG"), ("Japan", "LOC")], "negative"),
    ("Nokia sales rose in France .", [("Nokia", "ORG"), ("France", "LOC")], "positive"),
    ("Peter said Tesla had a poor quarter .", [("Peter", "PER"), ("Tesla", "ORG")], "negative"),
    ("Siemens expects strong growth in Tokyo .", [("Siemens", "ORG"), ("Tokyo", "LOC")], "positive"),
    ("Google shares were stable in London .", [("Google", "ORG"), ("London", "LOC")], "neutral"),
    ("Amazon reported a great year .", [("Amazon", "ORG")], "positive"),
    ("Microsoft cut prices in Germany .", [("Microsoft", "ORG"), ("Germany", "LOC")], "neutral"),
    ("John Smith said profit fell .", [("John Smith", "PER")], "negative"),
    ("Huawei will report results in Beijing .", [("Huawei", "ORG"), ("Beijing", "LOC")], "neutral"),
    ("Volkswagen had a weak year in China .", [("Volkswagen", "ORG"), ("China", "LOC")], "negative"),
    ("Tesla stock rose in New York .", [("Tesla", "ORG"), ("New York", "LOC")], "positive"),
    ("Mary said the group was strong .", [("Mary", "PER")], "positive"),
    ("Alibaba shares fell in Shanghai .", [("Alibaba", "ORG"), ("Shanghai", "LOC")], "negative"),
    ("Deutsche Bank profit rose in Berlin .", [("Deutsche Bank", "ORG"), ("Berlin", "LOC")], "positive"),
    ("Tencent sales were poor in Shenzhen .", [("Tencent", "ORG"), ("Shenzhen", "LOC")], "negative"),
    ("Nokia expects good results in Finland .", [("Nokia", "ORG"), ("Finland", "LOC")], "positive"),
    ("The market was stable in Tokyo .", [("Tokyo", "LOC")], "neutral"),
    ("Apple 😀 shares rose 𠀋 in Paris .", [("Apple", "ORG"), ("Paris", "LOC")], "positive"),
    ("Siemens cut jobs in France .", [("Siemens", "ORG"), ("France", "LOC")], "negative"),
    ("Peter Smith expects growth at Google .", [("Peter Smith", "PER"), ("Google", "ORG")], "positive"),
    ("Amazon will report the quarter in London .", [("Amazon", "ORG"), ("London", "LOC")], "neutral"),
    ("Microsoft shares fell after a loss .", [("Microsoft", "ORG")], "negative"),
]
EMOJI_TEXT = SENTENCES[35][0]


def split_of(i: int) -> str:
    """Documents 0-27 train, 28-33 dev, 34-39 test (the emoji sentence is in test)."""
    return "train" if i < 28 else "dev" if i < 34 else "test"


def build_project(path: str | Path) -> ProjectStore:
    store = ProjectStore.create(path)
    for name in ("ORG", "LOC", "PER"):
        store.add_entity_type(name)
    for name in ("positive", "negative", "neutral"):
        store.add_sentiment_class(name)
    with store.bulk():
        for i, (text, entities, sentiment) in enumerate(SENTENCES):
            spans, pos = [], 0
            for surface, label in entities:
                start = text.index(surface, pos)
                spans.append(Span(start, start + len(surface), label))
                pos = start + len(surface)
            store.add_document(Document(text=text, tokens=tokenize(text), spans=spans,
                                        sentiment=SentimentLabel(sentiment), ner_labelled=True,
                                        split=split_of(i)))
    return store
