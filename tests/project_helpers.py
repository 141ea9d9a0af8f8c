"""A small project with NER-only, sentiment-only, both-task and unlabelled documents, and a run whose
artefact folder is a model folder built from the tiny encoder (no training needed)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mtl_studio.core.schema import Document, SentimentLabel, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize
from model_folders import make_model_folder

DOCS = [
    # (text, spans, sentiment, split)
    ("Apple shares rose in Berlin.", [(0, 5, "ORG"), (21, 27, "LOC")], "positive", "train"),
    ("Nokia cut jobs in Finland.", [(0, 5, "ORG"), (18, 25, "LOC")], None, "train"),
    ("Profit fell sharply.", None, "negative", "train"),
    ("华为在深圳 😀", None, None, "train"),
    ("The bank said sales were good.", None, None, "dev"),
    ("Siemens in London.", [(0, 7, "ORG"), (11, 17, "LOC")], "neutral", "test"),
]


def make_project(path: Path) -> ProjectStore:
    store = ProjectStore.create(path)
    for t in ("ORG", "LOC"):
        store.add_entity_type(t)
    for c in ("negative", "neutral", "positive"):
        store.add_sentiment_class(c)
    for text, spans, sentiment, split in DOCS:
        store.add_document(Document(
            text=text, tokens=tokenize(text), spans=[Span(s, e, lab) for s, e, lab in spans or []],
            sentiment=SentimentLabel(sentiment) if sentiment else None, ner_labelled=spans is not None, split=split))
    return store


def add_fake_run(store: ProjectStore, encoder_dir: Path, *, tasks=("ner", "sentiment"),
                 metrics: dict[str, Any] | None = None, layout: str = "best", **model_kwargs: Any) -> str:
    """A completed run whose best checkpoint is a tiny-encoder model folder (layout "best": in
    <artefact_dir>/best; "flat": the artefact folder itself)."""
    config = {"encoder": str(encoder_dir), "tasks": list(tasks), "max_length": 64, "seed": 0}
    run_id = store.create_run(config)
    artefact = store.path.with_name(store.path.name + ".runs") / run_id
    folder = artefact / "best" if layout == "best" else artefact
    make_model_folder(encoder_dir, folder, tasks=tasks, extra={"run_id": run_id}, **model_kwargs)
    store.update_run(run_id, status="completed", artefact_dir=str(artefact), metrics=metrics or {})
    return run_id
