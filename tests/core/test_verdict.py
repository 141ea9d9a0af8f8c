"""The verdict: paired bootstrap of joint minus single-task baseline from stored predictions."""
from __future__ import annotations

import numpy as np
import pytest

from mtl_studio.core.config import TrainConfig
from mtl_studio.core.evaluate import ner_scores, sentiment_scores
from mtl_studio.core.features import DocumentPrediction, document_words
from mtl_studio.core.prediction_store import store_predictions
from mtl_studio.core.run_record import RunRecord
from mtl_studio.core.schema import Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import spans_to_tags
from mtl_studio.core.verdict import (TaskDifference, find_baselines, macro_f1, micro_f1, resample_weights,
                                     strict_iob2_entities, verdict_for_run, verdict_sentence)
from project_helpers import ProjectSpec, make_project

CLASSES = ("negative", "neutral", "positive")


def _spec(n: int) -> ProjectSpec:
    """n test documents, each with one ORG entity and a sentiment cycling over the classes."""
    docs = tuple((f"Apple shares rose in Berlin number {i} .", [("Apple", "ORG"), ("Berlin", "LOC")],
                  CLASSES[i % 3], "test") for i in range(n))
    return ProjectSpec(docs=docs, entity_types=("ORG", "LOC"), sentiment_classes=CLASSES)


def _run(store: ProjectStore, tasks: tuple[str, ...], **cfg) -> str:
    run_id = store.create_run(TrainConfig(tasks=tasks, **cfg).to_dict())
    store.update_run(run_id, status="completed", metrics={"tasks": list(tasks)})
    return run_id


def _predict(store: ProjectStore, run_id: str, *, wrong_sentiment: set[int] = frozenset(),
             missed_entity: set[int] = frozenset(), tasks=("ner", "sentiment")) -> None:
    """Store predictions: gold everywhere, except a wrong class / a missed LOC in the listed documents."""
    docs = list(store.iter_documents("test"))
    preds = []
    for i, doc in enumerate(docs):
        spans = [s for s in doc.spans if not (i in missed_entity and s.label == "LOC")]
        sentiment = doc.sentiment.label
        if i in wrong_sentiment:
            sentiment = CLASSES[(CLASSES.index(sentiment) + 1) % 3]
        preds.append(DocumentPrediction(
            tags=None, spans=[Span(s.start, s.end, s.label) for s in spans] if "ner" in tasks else None,
            sentiment=sentiment if "sentiment" in tasks else None,
            sentiment_probabilities={sentiment: 0.9} if "sentiment" in tasks else None))
    store_predictions(store, run_id, docs, preds)


@pytest.fixture
def store(tmp_path):
    s = make_project(tmp_path / "v.mtl", _spec(120))
    yield s
    s.close()


def test_a_clear_gain_excludes_zero_and_no_change_includes_it(store):
    joint = _run(store, ("ner", "sentiment"))
    ner_base, sent_base = _run(store, ("ner",)), _run(store, ("sentiment",))
    _predict(store, joint, missed_entity={5})
    _predict(store, ner_base, missed_entity={7}, tasks=("ner",))  # the same quality, other document
    _predict(store, sent_base, wrong_sentiment=set(range(0, 120, 3)), tasks=("sentiment",))  # a third wrong
    verdict = verdict_for_run(store, joint)
    assert verdict is not None and not verdict.data_changed
    by_task = {d.task: d for d in verdict.differences}
    ner, sent = by_task["ner"], by_task["sentiment"]
    assert ner.baseline_run == ner_base and sent.baseline_run == sent_base
    assert ner.documents == sent.documents == 120
    assert ner.difference == pytest.approx(0.0) and ner.low <= 0 <= ner.high and not ner.clear
    assert sent.difference > 20 and sent.low > 0 and sent.clear
    assert sent.low <= sent.difference <= sent.high
    text = verdict.sentence
    assert text.startswith("Joint training changed NER F1 by +0.0 (95% CI")
    assert "raised sentiment macro-F1 by" in text and "(CI " in text
    assert verdict.to_dict()["tasks"]["sentiment"]["clear"] is True
    # Seeded: the same interval twice.
    again = verdict_for_run(store, joint)
    assert again.differences == verdict.differences


def test_a_clear_loss_is_called_lowered(store):
    joint = _run(store, ("ner", "sentiment"))
    base = _run(store, ("ner",))
    _predict(store, joint, missed_entity=set(range(0, 120, 2)))
    _predict(store, base, tasks=("ner",))
    [diff] = verdict_for_run(store, joint).differences
    assert diff.high < 0 and diff.clear
    assert verdict_sentence([diff]).startswith("Joint training lowered NER F1 by")


def test_full_sample_scores_equal_the_evaluation_scorers(store):
    joint = _run(store, ("ner", "sentiment"))
    base = _run(store, ("ner",))
    sbase = _run(store, ("sentiment",))
    wrong, missed = {1, 4, 9, 30, 31}, {2, 3, 50}
    _predict(store, joint, wrong_sentiment=wrong, missed_entity=missed)
    _predict(store, base, tasks=("ner",))
    _predict(store, sbase, tasks=("sentiment",))
    by_task = {d.task: d for d in verdict_for_run(store, joint).differences}
    docs = list(store.iter_documents("test", sources=("gold", "predicted")))
    gold_tags = [spans_to_tags(d.spans, document_words(d)) for d in docs]
    pred_tags = [spans_to_tags([s for s in d.other_spans if s.run_id == joint], document_words(d)) for d in docs]
    assert by_task["ner"].joint == pytest.approx(100 * ner_scores(gold_tags, pred_tags).f1)
    gold = [d.sentiment.label for d in docs]
    pred = [next(s.label for s in d.other_sentiments if s.run_id == joint) for d in docs]
    assert by_task["sentiment"].joint == pytest.approx(100 * sentiment_scores(gold, pred, CLASSES).f1)
    assert by_task["sentiment"].baseline == pytest.approx(100.0)


def test_baselines_need_the_same_encoder_seed_budget_and_data():
    def record(i, tasks, status="completed", hash_="h", **cfg):
        return RunRecord(f"r{i}", "", status, TrainConfig(tasks=tasks, **cfg).to_dict(), hash_, None, {})

    joint = record(0, ("ner", "sentiment"))
    runs = [joint, record(1, ("ner",)), record(2, ("ner",), seed=99), record(3, ("sentiment",), epochs=9),
            record(4, ("sentiment",), status="stopped"), record(5, ("sentiment",), hash_="other"),
            record(6, ("ner",), strategy="fixed", learning_rate=1e-4)]
    found = find_baselines(joint, runs)
    assert {t: r.id for t, r in found.items()} == {"ner": "r6"}  # the newest match; lr is not the budget
    assert find_baselines(record(7, ("ner",)), runs) == {}


def test_no_baseline_gives_no_verdict(store):
    joint = _run(store, ("ner", "sentiment"))
    _run(store, ("ner",), seed=1)
    assert verdict_for_run(store, joint) is None


def test_vectorised_scores_match_the_scalar_definitions():
    counts = np.array([[3.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    assert micro_f1(counts).tolist() == [pytest.approx(6 / 9), 0.0]
    # Two classes: class 0 tp 2 fp 0 fn 1, class 1 tp 1 fp 1 fn 0 -> F1 0.8 and 2/3.
    per_class = np.array([2.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    assert float(macro_f1(per_class, 2)) == pytest.approx((0.8 + 2 / 3) / 2)
    weights = resample_weights(50, 20, seed=1)
    assert weights.shape == (20, 50) and (weights.sum(1) == 50).all()


def test_sentence_reads_naturally_for_two_tasks():
    diffs = [TaskDifference("sentiment", "sentiment macro-F1", "b", 80.0, 77.3, 2.7, 1.1, 4.2, 300),
             TaskDifference("ner", "NER F1", "c", 70.0, 70.3, -0.3, -0.9, 0.4, 300)]
    assert verdict_sentence(diffs) == ("Joint training raised sentiment macro-F1 by 2.7 points (95% CI 1.1 to "
                                       "4.2) and changed NER F1 by -0.3 (CI -0.9 to 0.4, not distinguishable "
                                       "from 0).")


@pytest.mark.parametrize("tags", [
    ["B-PER", "I-PER", "O", "B-LOC"], ["I-PER", "I-PER", "O"], ["B-PER", "I-LOC", "I-LOC"],
    ["B-ORG", "B-ORG", "I-ORG", "O", "I-ORG"], [], ["O", "B-MISC"],
])
def test_entity_extraction_equals_seqeval_strict_iob2(tags):
    from seqeval.scheme import IOB2, Entities

    expected = {(e.tag, e.start, e.end) for e in Entities([tags], IOB2).entities[0]} if tags else set()
    assert strict_iob2_entities(tags) == expected
