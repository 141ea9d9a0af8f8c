"""The one builder of test projects: documents, label schema and (optionally) a run with a model folder.

A project is a `ProjectSpec` (documents, entity types, sentiment classes in schema order) built with
`make_project` through the ProjectStore API, so no importer is involved. The specs:

- SMALL: six documents, NER-only, sentiment-only, both-task and unlabelled ones (one with CJK and an
  emoji); with `add_fake_run` a run whose model folder comes from the tiny encoder (export, pseudo-labels).
- ENGINE: nineteen short sentences with PER too, partially labelled, for training runs.
- ANNOTATION: four unlabelled documents (an emoji and astral characters in ANNOTATION_EMOJI_TEXT, CJK)
  from source "fixture", for the editor and main window tests.
- MULTI_TASK: SMALL with entity sentiment and two further label sets (topic multi-label, urgency).
- TRAINING: forty sentences labelled for both tasks, for the training / results / prediction GUI tests;
  the test split holds EMOJI_TEXT (an emoji and a character outside the BMP), so code point <-> UTF-16
  mapping is exercised.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mtl_studio.core.schema import Document, DocumentLabel, SentimentLabel, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize

# (text, [(entity text, type)] found left to right, or None for "not NER-labelled"; sentiment or None; split)
DocSpec = tuple[str, "list[tuple[str, str]] | None", "str | None", str]


@dataclass(frozen=True)
class ProjectSpec:
    docs: tuple[DocSpec, ...]
    entity_types: tuple[str, ...]
    sentiment_classes: tuple[str, ...]  # in schema order (the order a model's sentiment head uses)
    source: str = ""  # every document's source (the import file name in a real project)
    # The further tasks (docs/tasks_as_data.md), all optional. Polarities declare entity sentiment;
    # label sets are (name, multi_label, classes). Per document, aligned with `docs` (shorter: the rest
    # have none): the polarity of each of its entities (None: that span has none), and {set: labels}.
    entity_sentiment_classes: tuple[str, ...] = ()
    label_sets: tuple[tuple[str, bool, tuple[str, ...]], ...] = ()
    polarities: tuple["tuple[str | None, ...] | None", ...] = ()
    doc_labels: tuple[dict[str, tuple[str, ...]], ...] = ()

    def with_docs(self, docs: Sequence[DocSpec]) -> "ProjectSpec":
        """The same label schema with other documents."""
        return replace(self, docs=tuple(docs))


SMALL = ProjectSpec(
    docs=(
        ("Apple shares rose in Berlin.", [("Apple", "ORG"), ("Berlin", "LOC")], "positive", "train"),
        ("Nokia cut jobs in Finland.", [("Nokia", "ORG"), ("Finland", "LOC")], None, "train"),
        ("Profit fell sharply.", None, "negative", "train"),
        ("华为在深圳 😀", None, None, "train"),
        ("The bank said sales were good.", None, None, "dev"),
        ("Siemens in London.", [("Siemens", "ORG"), ("London", "LOC")], "neutral", "test"),
    ),
    entity_types=("ORG", "LOC"),
    sentiment_classes=("negative", "neutral", "positive"),
)

ENGINE = ProjectSpec(
    docs=(
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
    ),
    entity_types=("ORG", "LOC", "PER"),
    sentiment_classes=("negative", "neutral", "positive"),
)

ANNOTATION_EMOJI_TEXT = "Great day 😀🚀 for 𠀋 Apple shares in Berlin"
ANNOTATION = ProjectSpec(
    docs=(
        ("Tim Cook said Apple shares rose in Berlin.", None, None, "train"),
        (ANNOTATION_EMOJI_TEXT, None, None, "dev"),
        ("华为在深圳发布了新手机。", None, None, "test"),
        ("Nokia cut 300 jobs in Finland.", None, None, "train"),
    ),
    entity_types=("PER", "ORG", "LOC"),
    sentiment_classes=("positive", "neutral", "negative"),
    source="fixture",
)

TRAINING = ProjectSpec(
    docs=(
        ("Apple shares rose in Berlin .", [("Apple", "ORG"), ("Berlin", "LOC")], "positive", "train"),
        ("Nokia cut jobs in Finland .", [("Nokia", "ORG"), ("Finland", "LOC")], "negative", "train"),
        ("Siemens profit rose after the quarter .", [("Siemens", "ORG")], "positive", "train"),
        ("Tesla reported a net loss .", [("Tesla", "ORG")], "negative", "train"),
        ("Peter Smith said sales were strong .", [("Peter Smith", "PER")], "positive", "train"),
        ("Google expects growth in London .", [("Google", "ORG"), ("London", "LOC")], "positive", "train"),
        ("Amazon stock fell in New York .", [("Amazon", "ORG"), ("New York", "LOC")], "negative", "train"),
        ("The bank reported results for the year .", [], "neutral", "train"),
        ("Microsoft revenue rose in China .", [("Microsoft", "ORG"), ("China", "LOC")], "positive", "train"),
        ("Volkswagen shares fell after the report .", [("Volkswagen", "ORG")], "negative", "train"),
        ("John said the market was weak .", [("John", "PER")], "negative", "train"),
        ("Mary Smith is chief executive officer of Nokia .", [("Mary Smith", "PER"), ("Nokia", "ORG")], "neutral",
         "train"),
        ("Deutsche Bank cut prices in Germany .", [("Deutsche Bank", "ORG"), ("Germany", "LOC")], "negative", "train"),
        ("Huawei profit rose in Shenzhen .", [("Huawei", "ORG"), ("Shenzhen", "LOC")], "positive", "train"),
        ("Alibaba sales were good in Shanghai .", [("Alibaba", "ORG"), ("Shanghai", "LOC")], "positive", "train"),
        ("Tencent reported a decline in Beijing .", [("Tencent", "ORG"), ("Beijing", "LOC")], "negative", "train"),
        ("The company will report in Paris .", [("Paris", "LOC")], "neutral", "train"),
        ("Investors expect the price to be stable .", [], "neutral", "train"),
        ("Apple cut jobs in Japan .", [("Apple", "ORG"), ("Japan", "LOC")], "negative", "train"),
        ("Nokia sales rose in France .", [("Nokia", "ORG"), ("France", "LOC")], "positive", "train"),
        ("Peter said Tesla had a poor quarter .", [("Peter", "PER"), ("Tesla", "ORG")], "negative", "train"),
        ("Siemens expects strong growth in Tokyo .", [("Siemens", "ORG"), ("Tokyo", "LOC")], "positive", "train"),
        ("Google shares were stable in London .", [("Google", "ORG"), ("London", "LOC")], "neutral", "train"),
        ("Amazon reported a great year .", [("Amazon", "ORG")], "positive", "train"),
        ("Microsoft cut prices in Germany .", [("Microsoft", "ORG"), ("Germany", "LOC")], "neutral", "train"),
        ("John Smith said profit fell .", [("John Smith", "PER")], "negative", "train"),
        ("Huawei will report results in Beijing .", [("Huawei", "ORG"), ("Beijing", "LOC")], "neutral", "train"),
        ("Volkswagen had a weak year in China .", [("Volkswagen", "ORG"), ("China", "LOC")], "negative", "train"),
        ("Tesla stock rose in New York .", [("Tesla", "ORG"), ("New York", "LOC")], "positive", "dev"),
        ("Mary said the group was strong .", [("Mary", "PER")], "positive", "dev"),
        ("Alibaba shares fell in Shanghai .", [("Alibaba", "ORG"), ("Shanghai", "LOC")], "negative", "dev"),
        ("Deutsche Bank profit rose in Berlin .", [("Deutsche Bank", "ORG"), ("Berlin", "LOC")], "positive", "dev"),
        ("Tencent sales were poor in Shenzhen .", [("Tencent", "ORG"), ("Shenzhen", "LOC")], "negative", "dev"),
        ("Nokia expects good results in Finland .", [("Nokia", "ORG"), ("Finland", "LOC")], "positive", "dev"),
        ("The market was stable in Tokyo .", [("Tokyo", "LOC")], "neutral", "test"),
        ("Apple 😀 shares rose 𠀋 in Paris .", [("Apple", "ORG"), ("Paris", "LOC")], "positive", "test"),
        ("Siemens cut jobs in France .", [("Siemens", "ORG"), ("France", "LOC")], "negative", "test"),
        ("Peter Smith expects growth at Google .", [("Peter Smith", "PER"), ("Google", "ORG")], "positive", "test"),
        ("Amazon will report the quarter in London .", [("Amazon", "ORG"), ("London", "LOC")], "neutral", "test"),
        ("Microsoft shares fell after a loss .", [("Microsoft", "ORG")], "negative", "test"),
    ),
    entity_types=("ORG", "LOC", "PER"),
    sentiment_classes=("positive", "negative", "neutral"),
)
# SMALL with entity sentiment (one span left without a polarity) and two further label sets, one of
# them multi-label; the unlabelled documents stay unlabelled for every task.
MULTI_TASK = replace(
    SMALL,
    entity_sentiment_classes=("negative", "neutral", "positive"),
    label_sets=(("topic", True, ("markets", "jobs", "other")), ("urgency", False, ("low", "high"))),
    polarities=(("positive", None), ("negative", "neutral"), None, None, None, ("neutral", "positive")),
    doc_labels=({"topic": ("markets",), "urgency": ("low",)}, {"topic": ("jobs", "markets"), "urgency": ("high",)},
                {"topic": ("markets",)}, {}, {}, {"urgency": ("low",)}),
)

EMOJI_TEXT = "Apple 😀 shares rose 𠀋 in Paris ."
assert any(text == EMOJI_TEXT and split == "test" for text, _, _, split in TRAINING.docs)


def entity_spans(text: str, entities: Sequence[tuple[str, str]]) -> list[Span]:
    """Gold spans of entities named by their text, each searched after the previous one."""
    spans, pos = [], 0
    for surface, label in entities:
        start = text.index(surface, pos)
        spans.append(Span(start, start + len(surface), label))
        pos = start + len(surface)
    return spans


def make_project(path: str | Path, spec: ProjectSpec = SMALL) -> ProjectStore:
    """A new project file at `path` holding the spec's schema and documents (ids in spec order, from 1)."""
    store = ProjectStore.create(path)
    for name in spec.entity_types:
        store.add_entity_type(name)
    for name in spec.sentiment_classes:
        store.add_sentiment_class(name)
    if spec.entity_sentiment_classes:
        store.enable_entity_sentiment(spec.entity_sentiment_classes)
    for name, multi_label, classes in spec.label_sets:
        store.add_label_set(name, multi_label=multi_label, classes=classes)
    with store.bulk():
        for i, (text, entities, sentiment, split) in enumerate(spec.docs):
            spans = entity_spans(text, entities or [])
            polarities = spec.polarities[i] if i < len(spec.polarities) else None
            if polarities is not None:
                spans = [replace(span, sentiment=p) for span, p in zip(spans, polarities, strict=True)]
            labels = spec.doc_labels[i] if i < len(spec.doc_labels) else {}
            store.add_document(Document(text=text, tokens=tokenize(text), spans=spans,
                                        sentiment=SentimentLabel(sentiment) if sentiment else None,
                                        ner_labelled=entities is not None, split=split, source=spec.source,
                                        labels=[DocumentLabel(name, label) for name, values in labels.items()
                                                for label in values]))
    return store


def add_fake_run(store: ProjectStore, encoder_dir: Path, *, tasks=("ner", "sentiment"),
                 metrics: dict[str, Any] | None = None, layout: str = "best", **model_kwargs: Any) -> str:
    """A completed run whose best checkpoint is a tiny-encoder model folder (layout "best": in
    <artefact_dir>/best; "flat": the artefact folder itself). model_kwargs go to make_model_folder."""
    # Imported here: model_folders imports torch, which tests that only need documents should not pay for.
    from model_folders import make_model_folder

    config = {"encoder": str(encoder_dir), "tasks": list(tasks), "max_length": 64, "seed": 0}
    run_id = store.create_run(config)
    artefact = store.path.with_name(store.path.name + ".runs") / run_id
    folder = artefact / "best" if layout == "best" else artefact
    make_model_folder(encoder_dir, folder, tasks=tasks, extra={"run_id": run_id}, **model_kwargs)
    store.update_run(run_id, status="completed", artefact_dir=str(artefact), metrics=metrics or {})
    return run_id
