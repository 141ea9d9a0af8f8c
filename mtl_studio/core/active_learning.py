"""Active learning: which unlabelled document is most useful to label next, for both tasks at once.

`score_pool` predicts the unlabelled pool in chunks (a generator of progress events with a stop handle),
computes every strategy's score per document in one pass and stores them per run
(`ProjectStore.replace_document_scores`), so the GUI orders its document list by any strategy without
predicting again; `queue` reads them back for the documents that still lack labels. Higher = label sooner.

Per-document signals, all in [0, 1] (1 = the model is least sure):

- NER, MNLP (Shen et al. 2018, "Deep Active Learning for Named Entity Recognition", ICLR): the
  length-normalised log-probability of the most likely tagging, (1/n) sum_i log max_t p_i(t). Our
  token head is a per-word softmax (no CRF), so the most likely tagging is the per-word argmax and its
  log-probability is that sum. Normalising by length removes plain sequence-probability sampling's
  preference for long documents. Reported as 1 - exp(MNLP) = 1 - (geometric mean of the word maxima).
- NER, token entropy (Settles & Craven 2008, "An Analysis of Active Learning Strategies for Sequence
  Labeling Tasks", EMNLP): the mean over words of the tag distribution's entropy / log(#tags).
- Sentiment, entropy (Shannon entropy of the class distribution / log(#classes)) or margin
  (1 - (p_best - p_second); Scheffer et al. 2001, "Active Hidden Markov Models for Information Extraction").

Strategies (STRATEGIES), each over the documents lacking gold for the tasks it uses:

- random: a seeded uniform score (the baseline every active-learning paper compares with).
- ner-uncertainty / sentiment-uncertainty: the task's signal (measure chosen by ScoringOptions).
- uncertainty: the mean of the two tasks' signals over the tasks the document lacks.
- joint: rank combination (Reichart et al. 2008, "Multi-Task Active Learning for Linguistic
  Annotations", ACL; Rotman & Reichart 2022, "Multi-task Active Learning for Pre-trained Transformer-
  based Models", TACL): each task's signal is turned into its percentile rank in the pool, so neither
  task's scale dominates; the score is sum_t w_t * rank_t over the tasks the document lacks, divided by
  sum_t w_t over all tasks. A document lacking both tasks can reach 1, one lacking one task only its
  weight's share: one reading of it yields two labels. w_t: the run's task weights (ner_weight,
  sentiment_weight), or ScoringOptions.weights.
- disagreement (ours): "exactly one head is unsure". Both heads read one shared encoder; a document
  where one head is confident and the other is not is one where the shared representation serves one
  task but not the other. With suggestions shown, the confident head's labels cost a key press to
  accept, so labelling the document buys an informative label for the unsure task at nearly the price
  of that label alone. The NER side looks only at the words the token head thinks may be entities
  (entity mass m_i = 1 - p_i(O)): u_ent = sum_i m_i H_i / sum_i m_i (H_i: normalised tag entropy);
  0 when no word has entity mass, since a document without candidate entities has nothing to tag.
  With c_sent = the sentiment head's rescaled top probability ((p_max - 1/K) / (1 - 1/K)) and
  c_ent = 1 - u_ent, the score is [lacks NER] c_sent u_ent + [lacks sentiment] c_ent (1 - c_sent),
  an "exclusive or" of the two heads' certainties. In financial news the polarity is usually about a
  named company, so a confident polarity over unsure entities (or the reverse) marks the documents
  where the two annotations inform each other most.
"""
from __future__ import annotations

import math
import os
import random
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .document_predictions import DEFAULT_CHUNK, LoadedModel, load_model, predict_documents, unlabelled_document_ids
from .schema import TASKS
from .store import ProjectStore

if TYPE_CHECKING:
    import numpy as np

RANDOM, UNCERTAINTY, NER_UNCERTAINTY, SENTIMENT_UNCERTAINTY, JOINT, DISAGREEMENT = (
    "random", "uncertainty", "ner-uncertainty", "sentiment-uncertainty", "joint", "disagreement")
STRATEGIES: tuple[str, ...] = (RANDOM, UNCERTAINTY, NER_UNCERTAINTY, SENTIMENT_UNCERTAINTY, JOINT, DISAGREEMENT)
STRATEGY_TITLES: dict[str, str] = {
    RANDOM: "Random", UNCERTAINTY: "Uncertainty (both tasks)", NER_UNCERTAINTY: "NER uncertainty",
    SENTIMENT_UNCERTAINTY: "Sentiment uncertainty", JOINT: "Joint (rank-combined)",
    DISAGREEMENT: "Cross-task disagreement"}
NER_MEASURES = ("mnlp", "entropy")
SENTIMENT_MEASURES = ("entropy", "margin")
# The tasks whose missing gold puts a document in a strategy's pool.
STRATEGY_TASKS: dict[str, tuple[str, ...]] = {NER_UNCERTAINTY: ("ner",), SENTIMENT_UNCERTAINTY: ("sentiment",)}


@dataclass(frozen=True)
class ScoringOptions:
    ner_measure: str = "mnlp"
    sentiment_measure: str = "entropy"
    weights: dict[str, float] | None = None  # joint's task weights; None: the run's ner/sentiment weights
    seed: int = 13  # random's seed

    def validate(self) -> None:
        if self.ner_measure not in NER_MEASURES:
            raise ValueError(f"NER measure must be one of {', '.join(NER_MEASURES)}, not {self.ner_measure!r}")
        if self.sentiment_measure not in SENTIMENT_MEASURES:
            raise ValueError(f"sentiment measure must be one of {', '.join(SENTIMENT_MEASURES)}, "
                             f"not {self.sentiment_measure!r}")


@dataclass(frozen=True)
class DocumentSignals:
    """What the model's prediction says about one document (see the module docstring); None: not predicted."""

    document_id: int
    needs: tuple[str, ...]  # the tasks the document lacks gold for (of those the model predicts)
    ner_mnlp: float | None = None
    ner_entropy: float | None = None
    entity_uncertainty: float | None = None
    sentiment_entropy: float | None = None
    sentiment_margin: float | None = None
    sentiment_confidence: float | None = None


@dataclass(frozen=True)
class ScoringProgress:
    done: int
    total: int
    kind: str = "progress"


@dataclass(frozen=True)
class ScoringFinished:
    run_id: str
    documents: int  # documents scored (0 when cancelled: nothing was stored)
    strategies: tuple[str, ...]
    cancelled: bool = False
    kind: str = "finished"


@dataclass(frozen=True)
class QueueEntry:
    id: int
    score: float
    needs: tuple[str, ...]
    preview: str = ""


@dataclass
class PoolScores:
    """Every strategy's score per document of a pool."""

    run_id: str
    scores: dict[str, dict[int, float]] = field(default_factory=dict)


# ---- signals ----------------------------------------------------------------------------------------

def _normalised_entropy(probs: "np.ndarray") -> "np.ndarray":
    """Entropy of each row / log(#columns), in [0, 1]."""
    import numpy as np  # here: the CLI imports this module for its --help choices

    k = probs.shape[-1]
    if k < 2:
        return np.zeros(probs.shape[:-1])
    p = np.clip(probs, 1e-12, 1.0)
    return -(p * np.log(p)).sum(axis=-1) / math.log(k)


def ner_signals(word_probs: "np.ndarray | None", o_index: int) -> tuple[float, float, float] | None:
    """(MNLP uncertainty, mean token entropy, entity-region uncertainty) of one document's per-word tag
    probabilities; None for a document without words."""
    import numpy as np  # here: the CLI imports this module for its --help choices

    if word_probs is None or len(word_probs) == 0:
        return None
    best = np.clip(word_probs.max(axis=1), 1e-12, 1.0)
    mnlp = float(np.log(best).mean())  # Shen et al. 2018: (1/n) sum_i log max_t p_i(t)
    entropy = _normalised_entropy(word_probs)
    entity_mass = 1.0 - word_probs[:, o_index]
    region = float((entity_mass * entropy).sum() / entity_mass.sum()) if entity_mass.sum() > 1e-6 else 0.0
    return 1.0 - math.exp(mnlp), float(entropy.mean()), region


def sentiment_signals(probs: Sequence[float]) -> tuple[float, float, float] | None:
    """(normalised entropy, margin uncertainty, rescaled confidence) of a class distribution."""
    import numpy as np  # here: the CLI imports this module for its --help choices

    p = np.asarray(probs, dtype=np.float64)
    if p.size < 2:
        return None
    top = np.sort(p)[::-1]
    k = p.size
    confidence = float((top[0] - 1.0 / k) / (1.0 - 1.0 / k))
    return float(_normalised_entropy(p)), float(1.0 - (top[0] - top[1])), min(1.0, max(0.0, confidence))


def document_signals(doc_id: int, needs: tuple[str, ...], prediction: object, o_index: int,
                     classes: Sequence[str]) -> DocumentSignals:
    ner = ner_signals(getattr(prediction, "word_tag_probabilities", None), o_index) if "ner" in needs else None
    sentiment = getattr(prediction, "sentiment", None)
    sent = sentiment_signals([sentiment["probabilities"][c] for c in classes]) if sentiment else None
    return DocumentSignals(doc_id, needs,
                           *(ner if ner else (None, None, None)),
                           *(sent if sent else (None, None, None)))


# ---- strategies ----------------------------------------------------------------------------------------

def random_scores(doc_ids: Sequence[int], seed: int = 13) -> dict[int, float]:
    """A uniform score per document, the same for the same (seed, document) whatever the pool."""
    return {i: random.Random(f"{seed}:{i}").random() for i in doc_ids}


def percentile_ranks(values: dict[int, float]) -> dict[int, float]:
    """Each value's rank in [0, 1] (ties share their mean rank; a pool of one ranks 1)."""
    import numpy as np  # here: the CLI imports this module for its --help choices

    if not values:
        return {}
    ids = list(values)
    arr = np.array([values[i] for i in ids], dtype=np.float64)
    if len(arr) == 1:
        return {ids[0]: 1.0}
    order = arr.argsort(kind="stable")
    _, first, counts = np.unique(arr[order], return_index=True, return_counts=True)
    mean_rank = first + (counts - 1) / 2.0  # ties share the mean of the positions they occupy
    ranks = np.empty(len(arr))
    ranks[order] = np.repeat(mean_rank, counts)
    return {i: float(r) / (len(arr) - 1) for i, r in zip(ids, ranks)}


def strategy_scores(signals: Sequence[DocumentSignals], options: ScoringOptions,
                    weights: dict[str, float]) -> dict[str, dict[int, float]]:
    """Every strategy's score per document (documents outside a strategy's pool are left out)."""
    def ner_u(s: DocumentSignals) -> float | None:
        return s.ner_mnlp if options.ner_measure == "mnlp" else s.ner_entropy

    def sent_u(s: DocumentSignals) -> float | None:
        return s.sentiment_entropy if options.sentiment_measure == "entropy" else s.sentiment_margin

    ner = {s.document_id: ner_u(s) for s in signals if "ner" in s.needs and ner_u(s) is not None}
    sent = {s.document_id: sent_u(s) for s in signals if "sentiment" in s.needs and sent_u(s) is not None}
    out: dict[str, dict[int, float]] = {
        RANDOM: random_scores([s.document_id for s in signals], options.seed),
        NER_UNCERTAINTY: dict(ner), SENTIMENT_UNCERTAINTY: dict(sent)}
    out[UNCERTAINTY] = {}
    for s in signals:
        parts = [v[s.document_id] for v in (ner, sent) if s.document_id in v]
        if parts:
            out[UNCERTAINTY][s.document_id] = sum(parts) / len(parts)
    ranks = {"ner": percentile_ranks(ner), "sentiment": percentile_ranks(sent)}
    total_weight = sum(weights.get(t, 0.0) for t in TASKS) or 1.0
    out[JOINT] = {}
    for s in signals:
        parts = [weights.get(t, 0.0) * ranks[t][s.document_id] for t in TASKS if s.document_id in ranks[t]]
        if parts:
            out[JOINT][s.document_id] = sum(parts) / total_weight
    out[DISAGREEMENT] = {}
    for s in signals:
        c_sent = s.sentiment_confidence
        u_ent = s.entity_uncertainty
        if c_sent is None and u_ent is None:
            continue
        c_sent = 0.0 if c_sent is None else c_sent
        u_ent = 1.0 if u_ent is None else u_ent  # no NER prediction: the entity side is unknown
        score = 0.0
        if "ner" in s.needs:
            score += c_sent * u_ent
        if "sentiment" in s.needs:
            score += (1.0 - u_ent) * (1.0 - c_sent)
        out[DISAGREEMENT][s.document_id] = score
    return out


def run_task_weights(model: LoadedModel) -> dict[str, float]:
    """The task weights the model was trained with (0.5 each when the folder does not say)."""
    cfg = model.run_config
    return {"ner": float(cfg.get("ner_weight", 0.5)), "sentiment": float(cfg.get("sentiment_weight", 0.5))}


# ---- the pool ------------------------------------------------------------------------------------------

def score_pool(store: ProjectStore, model: LoadedModel | str | os.PathLike[str] | None = None, *,
               splits: Sequence[str] | None = ("train",), options: ScoringOptions = ScoringOptions(),
               chunk_size: int = DEFAULT_CHUNK, batch_size: int = 32, device: str = "cpu",
               stop: threading.Event | None = None) -> Iterator[ScoringProgress | ScoringFinished]:
    """Score the documents lacking gold (in `splits`; None: all) with every strategy and store the scores.

    Yields ScoringProgress after each chunk and ScoringFinished at the end. On stop.set() it ends after
    the current chunk with ScoringFinished(cancelled=True) and stores nothing, so the previous scores of
    the run stay whole (joint's ranks need the whole pool anyway)."""
    options.validate()
    loaded = model if isinstance(model, LoadedModel) else load_model(store, model, device=device)
    tasks = tuple(t for t in TASKS if t in loaded.tasks)
    ner_unlabelled = set(store.document_ids(task="ner", labelled=False)) if "ner" in tasks else set()
    sent_unlabelled = set(store.document_ids(task="sentiment", labelled=False)) if "sentiment" in tasks else set()
    pool = unlabelled_document_ids(store, tasks, splits)
    tags = list(loaded.predictor.labels["ner_tags"])
    o_index = tags.index("O") if "O" in tags else 0
    classes = list(loaded.predictor.labels["sentiment_classes"])
    signals: list[DocumentSignals] = []
    yield ScoringProgress(0, len(pool))
    for docs, preds in predict_documents(store, loaded.predictor, pool, chunk_size=chunk_size,
                                         batch_size=batch_size, stop=stop):
        for doc, pred in zip(docs, preds):
            assert doc.id is not None
            needs = tuple(t for t, lacking in (("ner", ner_unlabelled), ("sentiment", sent_unlabelled))
                          if doc.id in lacking)
            signals.append(document_signals(doc.id, needs, pred, o_index, classes))
        yield ScoringProgress(len(signals), len(pool))
    if stop is not None and stop.is_set() and len(signals) < len(pool):
        yield ScoringFinished(loaded.run_id, 0, STRATEGIES, cancelled=True)
        return
    scores = strategy_scores(signals, options, options.weights or run_task_weights(loaded))
    store.replace_document_scores(loaded.run_id, ((strategy, doc_id, value) for strategy, per_doc in scores.items()
                                                  for doc_id, value in per_doc.items()))
    yield ScoringFinished(loaded.run_id, len(signals), STRATEGIES)


def strategy_pool_tasks(strategy: str, store: ProjectStore) -> tuple[str, ...]:
    """The tasks whose missing gold keeps a document in `strategy`'s queue (the project's tasks by default)."""
    project_tasks = tuple(t for t, has in (("ner", store.entity_type_names()),
                                           ("sentiment", store.sentiment_class_names())) if has)
    return tuple(t for t in STRATEGY_TASKS.get(strategy, TASKS) if t in project_tasks)


def queue(store: ProjectStore, strategy: str, *, run_id: str | None = None, top: int | None = None,
          splits: Sequence[str] | None = ("train",), seed: int = 13) -> list[QueueEntry]:
    """The next documents to label by `strategy`, highest score first, among those still lacking gold.

    run_id: whose stored scores (default: the newest run with stored scores). random needs no model:
    without stored scores it draws the seeded uniform score directly. KeyError when a model strategy
    has no stored scores (score the pool first: `score_pool` / `mtl-studio queue` does it)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    tasks = strategy_pool_tasks(strategy, store)
    open_ids = set(unlabelled_document_ids(store, tasks, splits))
    run_id = run_id or latest_scored_run(store)
    if run_id is None:
        if strategy != RANDOM:
            raise KeyError(f"no active-learning scores yet for {strategy}: score the pool with a trained model first")
        ranked = sorted(random_scores(sorted(open_ids), seed).items(), key=lambda kv: (-kv[1], kv[0]))
    else:
        ranked = [(i, s) for i, s in store.document_scores(run_id, strategy) if i in open_ids]
    ranked = ranked[:top] if top is not None else ranked
    needs = _needs(store, [i for i, _ in ranked], tasks)
    previews = {}
    for start in range(0, len(ranked), 500):  # bounded IN (...) lists
        previews.update((r["id"], r["preview"]) for r in store.document_rows([i for i, _ in ranked[start:start + 500]]))
    return [QueueEntry(i, round(float(s), 6), needs[i], previews.get(i, "")) for i, s in ranked]


def latest_scored_run(store: ProjectStore) -> str | None:
    """The newest run (in run order) with stored scores; a scored model folder when no run has any."""
    scored = set(store.scored_run_ids())
    for run in reversed(store.run_records()):
        if run.id in scored:
            return run.id
    return sorted(scored)[-1] if scored else None


def _needs(store: ProjectStore, ids: list[int], tasks: tuple[str, ...]) -> dict[int, tuple[str, ...]]:
    lacking = {t: set(store.document_ids(task=t, labelled=False)) for t in tasks}
    return {i: tuple(t for t in tasks if i in lacking[t]) for i in ids}
