"""Effort measurement (issue #12): label 20 demo documents in the real main window with and without model
suggestions, counting key presses and mouse clicks. Slow: it trains a model first.

The simulated annotator knows each document's gold (the demo's own labels, hidden from the project) and
uses only the studio's keys and clicks:
- without suggestions: per entity a click on its first word, Shift+Right per further word, the type's
  number key; the sentiment key; Enter (NER done and next unlabelled document);
- with suggestions: when the suggestions are exactly the gold, Shift+A (accept all, NER done) and Enter;
  otherwise A for each right suggested span and S to step over a wrong one before it (they come in text
  order; wrong ones after the last right one cost nothing: Enter marks NER done and they are never
  gold), the missing entities as above, A for a right sentiment suggestion when no span suggestion is
  left, else the sentiment key, Enter.
Both passes must end with the project's gold equal to the hidden labels, so the counts are for a
complete, correct annotation. Run with -s to see the counts:

    python -m pytest tests/gui/test_labelling_effort.py -m slow -s
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.demo import demo_source
from mtl_studio.core.events import RunFinished
from mtl_studio.core.schema import Document, SentimentLabel, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize
from mtl_studio.core.train import train
from mtl_studio.gui.app import app_settings
from mtl_studio.gui.main_window import MainWindow

pytestmark = pytest.mark.slow
LABELLED_DOCUMENTS = 20
ENTITY_TYPES = ("ORG", "PER", "LOC", "PRODUCT", "MONEY")  # the demo project's schema
CLASSES = ("negative", "neutral", "positive")


@dataclass
class Effort:
    keys: int = 0
    clicks: int = 0


def _demo_rows() -> list[dict]:
    rows = [json.loads(line) for line in demo_source().read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("spans") is not None and r.get("sentiment")]  # both tasks labelled


def _build(path, rows, targets: int) -> ProjectStore:
    """Training documents (labelled, train/dev) first, then the `targets` documents to label, unlabelled."""
    store = ProjectStore.create(path)
    for name in ENTITY_TYPES:
        store.add_entity_type(name)
    for name in CLASSES:
        store.add_sentiment_class(name)
    train_rows, target_rows = rows[targets:], rows[:targets]
    with store.bulk():
        for i, r in enumerate(train_rows):
            store.add_document(Document(text=r["text"], tokens=tokenize(r["text"]),
                                        spans=[Span(s["start"], s["end"], s["label"]) for s in r["spans"]],
                                        sentiment=SentimentLabel(r["sentiment"]), ner_labelled=True,
                                        split="dev" if i % 5 == 0 else "train"))
        for r in target_rows:
            store.add_document(Document(text=r["text"], tokens=tokenize(r["text"]), split="train"))
    return store


@pytest.fixture(scope="module")
def trained_project(tmp_path_factory, tiny_encoder):
    folder = tmp_path_factory.mktemp("effort")
    rows = _demo_rows()
    _build(folder / "base.mtl", rows, LABELLED_DOCUMENTS).close()
    # MTL_STUDIO_EFFORT_ENCODER=offline measures with the bundled MiniLM (a realistic model; minutes),
    # by default the tiny test encoder (a weak model: the counts then show the mechanics, not the gain).
    encoder = os.environ.get("MTL_STUDIO_EFFORT_ENCODER")
    if encoder:
        config = TrainConfig(encoder=encoder, device="cpu", epochs=6, batch_size=16, learning_rate=1e-4,
                             max_length=64, early_stopping_patience=0, seed=3)
    else:
        config = TrainConfig(encoder=str(tiny_encoder), device="cpu", epochs=12, batch_size=8, learning_rate=1e-3,
                             max_length=64, early_stopping_patience=0, seed=3)
    finished = [e for e in train(str(folder / "base.mtl"), config) if isinstance(e, RunFinished)][-1]
    assert finished.status == "completed", finished.message
    return folder, rows[:LABELLED_DOCUMENTS], finished


def _copy(folder, name):
    with ProjectStore.open(folder / "base.mtl") as store:
        store.copy_to(folder / name).close()
    return folder / name


def _press(qtbot, window, effort, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.editor.setFocus()
    qtbot.keyClick(window.editor, key, modifier)
    effort.keys += 1


def _add_entity(qtbot, window, effort, start, end, label):
    editor = window.editor
    words = [(a, b) for a, b in editor._tokens if a < end and start < b]  # noqa: SLF001
    point = editor._fragments(*words[0])[0].center().toPoint()  # noqa: SLF001
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=point)
    effort.clicks += 1
    for _ in words[1:]:
        _press(qtbot, window, effort, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    number = editor.entity_type_order.index(label) + 1
    _press(qtbot, window, effort, Qt.Key.Key_0 + number)


def _set_sentiment(qtbot, window, effort, label):
    doc_id = window.editor.doc.id
    key = {c.name: c.key for c in window.store.sentiment_classes()}[label]  # the project's own label keys
    _press(qtbot, window, effort, Qt.Key(ord(key)))
    # A button shortcut "animates" its click for a moment: wait for it before the next key.
    qtbot.waitUntil(lambda: (window.store.get_document(doc_id).sentiment or SentimentLabel("")).label == label,
                    timeout=5000)


def _label(qtbot, window, truth, use_suggestions: bool) -> Effort:
    effort = Effort()
    layer = window.model_loop.layer
    for row in truth:
        doc = window.editor.doc
        assert doc is not None and doc.text == row["text"], "Enter leads to the next document to label"
        gold = {(s["start"], s["end"], s["label"]) for s in row["spans"]}
        missing = set(gold)
        sentiment_done = False
        if use_suggestions:
            qtbot.waitUntil(lambda: layer.suggestions is not None and layer.suggestions.computed
                            and layer.suggestions.document_id == doc.id, timeout=60_000)
            suggested = {(s.start, s.end, s.label) for s in layer.spans}
            sentiment = layer.sentiment.label if layer.sentiment is not None else None
            if suggested == gold and sentiment == row["sentiment"]:
                _press(qtbot, window, effort, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
                missing, sentiment_done = set(), True
            else:
                # A accepts the selected suggestion (the first shown); S steps over a wrong one. Wrong ones
                # after the last right one need no key: marking NER done (Enter) leaves them unaccepted.
                keys = [(s.start, s.end, s.label) for s in layer.spans]
                last_right = max((i for i, k in enumerate(keys) if k in gold), default=-1)
                for key in keys[:last_right + 1]:
                    _press(qtbot, window, effort, Qt.Key.Key_A if key in gold else Qt.Key.Key_S)
                    missing.discard(key)
                if sentiment == row["sentiment"] and not layer.spans:
                    _press(qtbot, window, effort, Qt.Key.Key_A)  # no span left: A takes the sentiment
                    sentiment_done = True
        for start, end, label in sorted(missing):
            _add_entity(qtbot, window, effort, start, end, label)
        if not sentiment_done:
            _set_sentiment(qtbot, window, effort, row["sentiment"])
        _press(qtbot, window, effort, Qt.Key.Key_Return)
    return effort


def _check_gold(store, truth):
    by_text = {d.text: d for d in store.iter_documents("train")}
    for row in truth:
        doc = by_text[row["text"]]
        assert doc.ner_labelled and doc.sentiment.label == row["sentiment"]
        assert {(s.start, s.end, s.label) for s in doc.spans} == {(s["start"], s["end"], s["label"])
                                                                   for s in row["spans"]}


def _session(qtbot, path, truth, use_suggestions):
    window = MainWindow(app_settings())
    qtbot.addWidget(window)
    window.show()
    assert window.open_project(path)
    window.model_loop.act_show.setChecked(use_suggestions)
    # The sentiment buttons of the schema are shown once the event loop has run (their shortcuts need it).
    qtbot.waitUntil(lambda: all(b.isVisible() for b in window.annotate_page.sentiment.buttons().values()),
                    timeout=5000)
    first = next(i for i in window.store.document_ids("train", task="ner", labelled=False))
    window.show_document(first)
    try:
        effort = _label(qtbot, window, truth, use_suggestions)
        _check_gold(window.store, truth)
        qtbot.waitUntil(lambda: not window.model_loop.tasks.busy(), timeout=60_000)
    finally:
        window.shutdown()
    return effort


def test_labelling_effort_with_and_without_suggestions(qtbot, trained_project):
    folder, truth, finished = trained_project
    without = _session(qtbot, _copy(folder, "without.mtl"), truth, use_suggestions=False)
    with_suggestions = _session(qtbot, _copy(folder, "with.mtl"), truth, use_suggestions=True)
    dev = finished.metrics.get("dev", {})
    encoder = os.environ.get("MTL_STUDIO_EFFORT_ENCODER") or "tiny encoder"
    print(f"\nlabelling effort for {len(truth)} demo documents (model: {encoder} trained on "
          f"{finished.metrics['train_documents']} documents, dev NER F1 {dev.get('ner', {}).get('f1', 0):.3f}, "
          f"sentiment macro-F1 {dev.get('sentiment', {}).get('f1', 0):.3f}):")
    print(f"  without suggestions: {without.keys} key presses, {without.clicks} clicks")
    print(f"  with suggestions:    {with_suggestions.keys} key presses, {with_suggestions.clicks} clicks")
    entities = sum(len(r["spans"]) for r in truth)
    assert without.keys >= entities + 2 * len(truth)  # a number key per entity, sentiment and Enter per document
    assert without.clicks == entities
