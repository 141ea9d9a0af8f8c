"""Active learning: the signals (MNLP, entropy, margin), rank combination, the disagreement signal, pool
scoring stored per run (chunked, cancellable) and the queue."""
from __future__ import annotations

import math
import threading

import numpy as np
import pytest
import torch

from mtl_studio.core import active_learning as al
from project_helpers import SMALL, add_fake_run, make_project

torch.set_num_threads(1)


def test_mnlp_is_length_normalised_and_entropy_is_scaled():
    short = np.array([[0.9, 0.05, 0.05], [0.5, 0.25, 0.25]])
    mnlp, entropy, _ = al.ner_signals(short, o_index=0)
    assert mnlp == pytest.approx(1 - math.sqrt(0.9 * 0.5))
    h = lambda p: -sum(x * math.log(x) for x in p) / math.log(3)  # noqa: E731
    assert entropy == pytest.approx((h([0.9, 0.05, 0.05]) + h([0.5, 0.25, 0.25])) / 2)
    # the same words repeated: a longer document is not more uncertain (Shen et al. 2018)
    assert al.ner_signals(np.vstack([short] * 5), o_index=0)[0] == pytest.approx(mnlp)
    assert al.ner_signals(np.zeros((0, 3)), o_index=0) is None


def test_entity_region_uncertainty_ignores_words_sure_to_be_outside():
    sure_o = [0.999, 0.0005, 0.0005]
    torn_entity = [0.1, 0.45, 0.45]
    _, _, region = al.ner_signals(np.array([sure_o] * 10 + [torn_entity]), o_index=0)
    _, _, region_alone = al.ner_signals(np.array([torn_entity]), o_index=0)
    assert region == pytest.approx(region_alone, abs=0.01)  # the ten O words barely count
    assert al.ner_signals(np.array([[1.0, 0.0, 0.0]]), o_index=0)[2] == 0.0


def test_sentiment_entropy_margin_and_confidence():
    entropy, margin, confidence = al.sentiment_signals([0.7, 0.2, 0.1])
    assert margin == pytest.approx(1 - 0.5)
    assert confidence == pytest.approx((0.7 - 1 / 3) / (1 - 1 / 3))
    assert al.sentiment_signals([1 / 3] * 3)[0] == pytest.approx(1.0)
    assert al.sentiment_signals([1 / 3] * 3)[2] == pytest.approx(0.0)


def test_percentile_ranks_share_ties():
    assert al.percentile_ranks({1: 0.1, 2: 0.5, 3: 0.5, 4: 0.9}) == {1: 0.0, 2: 0.5, 3: 0.5, 4: 1.0}
    assert al.percentile_ranks({7: 3.0}) == {7: 1.0}


def _signals(i, needs=("ner", "sentiment"), ner=None, region=None, sent=None, conf=None):
    return al.DocumentSignals(i, needs, ner, ner, region, sent, sent, conf)


def test_joint_ranks_so_a_small_scale_task_still_counts_and_weights_apply():
    # NER uncertainties are tiny numbers, sentiment ones large: uncertainty (raw mean) follows sentiment,
    # joint (ranks) lets a document at the top for NER compete.
    signals = [_signals(1, ner=0.010, sent=0.50), _signals(2, ner=0.001, sent=0.55), _signals(3, ner=0.005, sent=0.52)]
    both = al.strategy_scores(signals, al.ScoringOptions(), {"ner": 0.5, "sentiment": 0.5})
    assert max(both[al.UNCERTAINTY], key=both[al.UNCERTAINTY].get) == 2
    assert both[al.JOINT][1] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert both[al.JOINT][2] == pytest.approx(0.5 * 0.0 + 0.5 * 1.0)
    ner_heavy = al.strategy_scores(signals, al.ScoringOptions(), {"ner": 0.9, "sentiment": 0.1})
    assert max(ner_heavy[al.JOINT], key=ner_heavy[al.JOINT].get) == 1


def test_a_document_lacking_one_task_scores_only_that_task():
    signals = [_signals(1, needs=("sentiment",), ner=0.9, sent=0.2), _signals(2, ner=0.1, sent=0.1)]
    scores = al.strategy_scores(signals, al.ScoringOptions(), {"ner": 0.5, "sentiment": 0.5})
    assert 1 not in scores[al.NER_UNCERTAINTY] and scores[al.UNCERTAINTY][1] == pytest.approx(0.2)


def test_disagreement_is_high_when_exactly_one_head_is_unsure():
    signals = [_signals(1, region=0.9, conf=0.95),  # confident sentiment, torn entities
               _signals(2, region=0.05, conf=0.05),  # sure entities, unsure sentiment
               _signals(3, region=0.9, conf=0.05),  # both unsure
               _signals(4, region=0.05, conf=0.95)]  # both sure
    d = al.strategy_scores(signals, al.ScoringOptions(), {"ner": 0.5, "sentiment": 0.5})[al.DISAGREEMENT]
    assert min(d[1], d[2]) > 0.8 and max(d[3], d[4]) < 0.2


@pytest.fixture
def scored(tmp_path, tiny_encoder):
    store = make_project(tmp_path / "p.mtl", SMALL)
    run = add_fake_run(store, tiny_encoder, seed=3)  # random heads: the documents score differently
    yield store, run
    store.close()


def test_score_pool_stores_every_strategy_for_the_unlabelled_pool(scored):
    store, run = scored
    events = list(al.score_pool(store, run, splits=None, chunk_size=2))
    progress = [e for e in events if isinstance(e, al.ScoringProgress)]
    assert [p.done for p in progress] == sorted(p.done for p in progress) and progress[-1].done == progress[-1].total
    (finished,) = [e for e in events if isinstance(e, al.ScoringFinished)]
    lacking_ner = set(store.document_ids(task="ner", labelled=False))
    lacking_sent = set(store.document_ids(task="sentiment", labelled=False))
    assert finished.run_id == run and finished.documents == len(lacking_ner | lacking_sent)
    assert {i for i, _ in store.document_scores(run, al.NER_UNCERTAINTY)} == lacking_ner
    assert {i for i, _ in store.document_scores(run, al.SENTIMENT_UNCERTAINTY)} == lacking_sent
    for strategy in al.STRATEGIES:
        values = [s for _, s in store.document_scores(run, strategy)]
        assert values == sorted(values, reverse=True) and all(0.0 <= v <= 1.0 for v in values)


def test_queue_follows_the_scores_and_drops_documents_labelled_since(scored):
    store, run = scored
    list(al.score_pool(store, run, splits=None))
    entries = al.queue(store, al.JOINT, splits=None, top=3)
    stored = store.document_scores(run, al.JOINT)
    assert [(e.id, e.score) for e in entries] == [(i, pytest.approx(s)) for i, s in stored[:3]]
    first = entries[0].id
    store.set_ner_labelled(first, True)
    store.set_sentiment(first, "neutral")
    assert first not in [e.id for e in al.queue(store, al.JOINT, splits=None)]
    ner_only = al.queue(store, al.NER_UNCERTAINTY, splits=None)
    assert all("ner" in e.needs for e in ner_only)


def test_cancelled_scoring_stores_nothing(scored):
    store, run = scored
    stop = threading.Event()
    events = al.score_pool(store, run, splits=None, chunk_size=1, stop=stop)
    next(events)
    stop.set()
    rest = list(events)
    assert rest[-1].cancelled and rest[-1].documents == 0
    assert store.scored_run_ids() == []


def test_random_needs_no_model_and_is_seeded(small_store):
    first = al.queue(small_store, al.RANDOM, splits=None)
    assert [e.id for e in first] == [e.id for e in al.queue(small_store, al.RANDOM, splits=None)]
    assert len(first) == 4  # SMALL: four documents lack a label for a task
    assert [e.id for e in first] != [e.id for e in al.queue(small_store, al.RANDOM, splits=None, seed=99)]
    with pytest.raises(KeyError):
        al.queue(small_store, al.JOINT)
