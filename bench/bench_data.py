"""Shared-data readers for the engine benchmarks (CoNLL-2003 and Financial PhraseBank).

The benchmarks read the files themselves (a few lines each) rather than through the project importers,
so they measure the engine only. Documents keep the CoNLL tokens (IOB2 checked) and carry explicit splits.
"""
from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without install

from mtl_studio.core.schema import Document, SentimentLabel, Span  # noqa: E402
from mtl_studio.core.store import ProjectStore  # noqa: E402
from mtl_studio.core.tokenize import detect_scheme, join_tokens, tags_to_spans, to_iob2, tokenize  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CONLL_TYPES = ["PER", "ORG", "LOC", "MISC"]
FPB_CLASSES = ["negative", "neutral", "positive"]
SENTFIN_TYPES = ["ENT"]
SENTFIN_CLASSES = ["negative", "neutral", "positive", "mixed"]  # headline label: common polarity or mixed


def data_dir(given: str | None) -> Path:
    path = Path(given) if given else SHARED
    if not (path / "conll2003").is_dir() or not (path / "financial_phrasebank").is_dir():
        raise SystemExit(f"shared data not found under {path} (needs conll2003/ and financial_phrasebank/); "
                         "pass --data DIR")
    return path


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    """(words, IOB2 tags) per sentence; -DOCSTART- lines skipped, IOB1 converted."""
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        if not parts:
            if words:
                sentences.append((words, tags))
            words, tags = [], []
        elif parts[0] != "-DOCSTART-":
            words.append(parts[0])
            tags.append(parts[-1])
    scheme = detect_scheme([t for _, t in sentences])
    if scheme != "iob2":
        sentences = [(w, to_iob2(t, scheme)) for w, t in sentences]
    return sentences


def conll_documents(path: Path, split: str, limit: int | None, seed: int = 0) -> list[Document]:
    sentences = read_conll(path)
    if limit is not None and limit < len(sentences):
        sentences = random.Random(seed).sample(sentences, limit)
    docs = []
    for words, tags in sentences:
        text, offsets = join_tokens(words)
        docs.append(Document(text=text, tokens=offsets, spans=tags_to_spans(tags, offsets), ner_labelled=True,
                             split=split, source=path.name))
    return docs


def read_fpb(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [(r["text"], r["label"]) for r in csv.DictReader(f)]


def fpb_documents(path: Path, split: str, limit: int | None, seed: int = 0) -> list[Document]:
    rows = read_fpb(path)
    if limit is not None and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)
    return [Document(text=t, tokens=tokenize(t), sentiment=SentimentLabel(lab), split=split, source=path.name)
            for t, lab in rows]


def sentfin_documents(path: Path, split: str, limit: int | None, seed: int = 0) -> list[Document]:
    """SEntFiN headlines (derived JSONL): entity spans of type ENT and the headline sentiment, both labelled
    on every headline."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit is not None and limit < len(records):
        records = random.Random(seed).sample(records, limit)
    return [Document(text=r["text"], tokens=[tuple(t) for t in r["token_spans"]],
                     spans=[Span(s["start"], s["end"], "ENT") for s in r["spans"]], ner_labelled=True,
                     sentiment=SentimentLabel(r["label"]), split=split, source=path.name)
            for r in records]


def build_project(path: Path, docs: list[Document], entity_types: list[str] | None = None,
                  sentiment_classes: list[str] | None = None) -> ProjectStore:
    """A project of `docs`; the label sets default to CoNLL's entity types and FPB's classes."""
    store = ProjectStore.create(path)
    for t in entity_types or CONLL_TYPES:
        store.add_entity_type(t)
    for c in sentiment_classes or FPB_CLASSES:
        store.add_sentiment_class(c)
    with store.bulk():
        for d in docs:
            store.add_document(d)
    return store


def ner_and_sentiment_documents(data: Path, *, ner_train: int, sent_train: int, ner_dev: int | None,
                                sent_dev: int | None, test_limit: int | None, seed: int) -> list[Document]:
    """The shared-data project of the quality and sweep benchmarks: CoNLL-2003 sentences with NER labels
    only and Financial PhraseBank sentences with sentiment labels only, in train, dev and test (None:
    the whole file)."""
    return (conll_documents(data / "conll2003" / "train.txt", "train", ner_train, seed=seed)
            + fpb_documents(data / "financial_phrasebank" / "fpb_train.csv", "train", sent_train, seed=seed)
            + conll_documents(data / "conll2003" / "valid.txt", "dev", ner_dev, seed=seed)
            + fpb_documents(data / "financial_phrasebank" / "fpb_dev.csv", "dev", sent_dev, seed=seed)
            + conll_documents(data / "conll2003" / "test.txt", "test", test_limit, seed=seed)
            + fpb_documents(data / "financial_phrasebank" / "fpb_test.csv", "test", test_limit, seed=seed))
