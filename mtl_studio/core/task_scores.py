"""Scores of the tasks beyond NER and sentiment: entity sentiment and the further document label sets.

Pure functions over labels (no model, no torch): evaluate.py gathers the gold and predicted labels from
documents and DocumentPrediction and calls these.

Entity sentiment is scored two ways (docs/tasks_as_data.md, "Evaluation, inference"):
- with gold spans: the head reads each gold span that has a polarity; accuracy, per-class P/R/F1,
  macro-F1 over the polarities that occur in the gold labels, and the confusion matrix;
- end to end, strict: a predicted entity counts only when its offsets, its type and its polarity all
  match a gold entity; micro P/R/F1 and per polarity. A gold span without a polarity is not labelled for
  the task (partial labels are per span): it is not counted as missed, and a predicted span at the same
  offsets and type is not counted as wrong (we cannot say what its polarity should be).

A document label set is scored from the documents labelled for it: single-label like sentiment (accuracy,
per class, macro-F1 over the gold classes, confusion); multi-label per label P/R/F1, micro and macro
F1, and example-based subset accuracy (the predicted set equals the gold set).

Every ratio with a zero denominator is 0.0 (like seqeval's zero_division=0), never NaN, so the JSON
form is valid JSON and a run's stored metrics can be compared.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class PRF:
    precision: float
    recall: float
    f1: float
    support: int

    @classmethod
    def from_counts(cls, tp: int, predicted: int, support: int) -> "PRF":
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, support)

    @classmethod
    def from_seqeval(cls, d: dict[str, Any]) -> "PRF":
        import math

        def num(x: Any) -> float:
            x = float(x)
            return 0.0 if math.isnan(x) else x
        return cls(num(d["precision"]), num(d["recall"]), num(d["f1-score"]), int(d["support"]))


def macro_prf(per_class: dict[str, PRF], total: int) -> PRF:
    """Mean P/R/F1 over the classes that occur in the gold labels (a class nobody labelled has no recall
    to speak of and would drag the mean down for nothing); all classes when none occurs."""
    scored = [x for x in per_class.values() if x.support > 0] or list(per_class.values())
    n = max(len(scored), 1)
    return PRF(sum(x.precision for x in scored) / n, sum(x.recall for x in scored) / n,
               sum(x.f1 for x in scored) / n, total)


def _prf_dict(d: dict[str, PRF]) -> dict[str, dict[str, Any]]:
    return {k: asdict(v) for k, v in d.items()}


def _prf_from(d: dict[str, Any]) -> dict[str, PRF]:
    return {k: PRF(**v) for k, v in d.items()}


# ---- single-label classification ---------------------------------------------------------------

@dataclass
class ClassScores:
    """One label per item (a document's sentiment or single-label set, a span's polarity)."""

    per_class: dict[str, PRF]
    macro: PRF
    accuracy: float
    labels: list[str]
    confusion: list[list[int]]  # confusion[i][j]: gold labels[i] predicted as labels[j]
    count: int  # items scored

    @property
    def f1(self) -> float:
        return self.macro.f1

    def to_dict(self) -> dict[str, Any]:
        return {"per_class": _prf_dict(self.per_class), "macro": asdict(self.macro), "accuracy": self.accuracy,
                "f1": self.f1, "confusion_matrix": {"labels": self.labels, "matrix": self.confusion}}

    @classmethod
    def from_dict(cls, d: dict[str, Any], count: int) -> "ClassScores":
        cm = d["confusion_matrix"]
        return cls(_prf_from(d["per_class"]), PRF(**d["macro"]), float(d["accuracy"]), list(cm["labels"]),
                   [list(r) for r in cm["matrix"]], count)


def class_scores(gold: Sequence[str], predicted: Sequence[str], classes: Sequence[str] = ()) -> ClassScores:
    """Per-class and macro P/R/F1, accuracy and the confusion matrix. `classes` fixes the order of the
    rows; a label met in the data but not in `classes` is appended (sorted), so nothing is dropped."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted label lists differ in length")
    labels = list(dict.fromkeys(classes)) + sorted({*gold, *predicted} - set(classes))
    index = {c: i for i, c in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted):
        matrix[index[g]][index[p]] += 1
    per_class = {c: PRF.from_counts(matrix[i][i], sum(row[i] for row in matrix), sum(matrix[i]))
                 for i, c in enumerate(labels)}
    accuracy = sum(matrix[i][i] for i in range(len(labels))) / len(gold) if gold else 0.0
    return ClassScores(per_class, macro_prf(per_class, len(gold)), accuracy, labels, matrix, len(gold))


# ---- entity sentiment ----------------------------------------------------------------------------

# (start, end, entity type, polarity) of one entity in one document; gold polarity may be None.
Entity = tuple[int, int, str, "str | None"]


@dataclass
class EndToEndScores:
    """Strict entity + polarity scores: a hit needs offsets, type and polarity all right."""

    micro: PRF
    macro: PRF  # over the polarities that occur in the gold labels
    per_polarity: dict[str, PRF]
    documents: int

    @property
    def f1(self) -> float:
        return self.micro.f1

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "micro": asdict(self.micro), "macro": asdict(self.macro),
                "per_polarity": _prf_dict(self.per_polarity), "f1": self.f1}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EndToEndScores":
        return cls(PRF(**d["micro"]), PRF(**d["macro"]), _prf_from(d["per_polarity"]), int(d["documents"]))


def end_to_end_scores(gold: Sequence[Sequence[Entity]], predicted: Sequence[Sequence[Entity]],
                      classes: Sequence[str] = ()) -> EndToEndScores:
    """Strict P/R/F1 of (span, type, polarity) over aligned documents. Gold entities without a polarity
    are left out, and so are predicted entities at exactly their offsets and type (see the module doc);
    a predicted entity without a polarity can never be right."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted entity lists must align document by document")
    gold_count: Counter[str] = Counter()
    pred_count: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for g_doc, p_doc in zip(gold, predicted):
        unlabelled = {(s, e, t) for s, e, t, pol in g_doc if pol is None}
        g_set = {(s, e, t, pol) for s, e, t, pol in g_doc if pol is not None}
        p_set = {(s, e, t, pol) for s, e, t, pol in p_doc if (s, e, t) not in unlabelled}
        gold_count.update(pol for *_, pol in g_set)
        # A predicted entity without a polarity is counted under "" for the micro figure only.
        pred_count.update(pol if pol is not None else "" for *_, pol in p_set)
        hits.update(pol for *_, pol in g_set & p_set)
    polarities = list(dict.fromkeys(classes)) + sorted((set(gold_count) | set(pred_count)) - set(classes) - {""})
    per = {p: PRF.from_counts(hits[p], pred_count[p], gold_count[p]) for p in polarities}
    micro = PRF.from_counts(sum(hits.values()), sum(pred_count.values()), sum(gold_count.values()))
    return EndToEndScores(micro, macro_prf(per, micro.support), per, len(gold))


@dataclass
class EntitySentimentScores:
    """Entity sentiment with gold spans (`gold_spans`) and end to end (`end_to_end`); either is None
    when it could not be measured (no gold span with a polarity; no predicted spans)."""

    gold_spans: ClassScores | None
    end_to_end: EndToEndScores | None
    documents: int  # documents with at least one gold polarity

    @property
    def spans(self) -> int:
        return self.gold_spans.count if self.gold_spans is not None else 0

    @property
    def f1(self) -> float:
        """The task's own selection figure: macro-F1 with gold spans (what its head is trained for);
        end-to-end micro-F1 when only that was measured."""
        if self.gold_spans is not None:
            return self.gold_spans.f1
        return self.end_to_end.f1 if self.end_to_end is not None else 0.0

    @property
    def accuracy(self) -> float | None:
        return self.gold_spans.accuracy if self.gold_spans is not None else None

    def to_dict(self) -> dict[str, Any]:
        gold = None
        if self.gold_spans is not None:
            gold = {"spans": self.gold_spans.count, **self.gold_spans.to_dict()}
        return {"documents": self.documents, "f1": self.f1, "gold_spans": gold,
                "end_to_end": self.end_to_end.to_dict() if self.end_to_end is not None else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EntitySentimentScores":
        gold = d.get("gold_spans")
        e2e = d.get("end_to_end")
        return cls(ClassScores.from_dict(gold, int(gold["spans"])) if gold else None,
                   EndToEndScores.from_dict(e2e) if e2e else None, int(d.get("documents", 0)))


def entity_sentiment_scores(gold_polarities: Sequence[str], predicted_polarities: Sequence[str],
                            gold_entities: Sequence[Sequence[Entity]] | None,
                            predicted_entities: Sequence[Sequence[Entity]] | None, *,
                            classes: Sequence[str] = (), documents: int = 0) -> EntitySentimentScores:
    """Both views of entity sentiment. gold/predicted_polarities: aligned per gold span that has a
    polarity (the head applied to the gold span); gold/predicted_entities: aligned per document for the
    end-to-end view (None to skip it)."""
    gold_view = class_scores(gold_polarities, predicted_polarities, classes) if gold_polarities else None
    e2e = None
    if gold_entities is not None and predicted_entities is not None and gold_entities:
        e2e = end_to_end_scores(gold_entities, predicted_entities, classes)
    return EntitySentimentScores(gold_view, e2e, documents)


# ---- document label sets -------------------------------------------------------------------------

@dataclass
class LabelSetScores:
    """One document label set. Single-label: `single` holds accuracy, per class, macro, confusion.
    Multi-label: `per_class` per label, `micro`, `macro`, `subset_accuracy` (single is None)."""

    name: str
    multi_label: bool
    documents: int
    per_class: dict[str, PRF]
    macro: PRF
    micro: PRF | None = None  # multi-label only
    subset_accuracy: float | None = None  # multi-label only: predicted set == gold set
    single: ClassScores | None = None  # single-label only

    @property
    def f1(self) -> float:
        """Selection figure: macro-F1 for a single-label set (as sentiment), micro-F1 for a multi-label
        one (the usual headline figure there; a label seen twice would swing a macro mean)."""
        if self.multi_label:
            return self.micro.f1 if self.micro is not None else 0.0
        return self.macro.f1

    @property
    def accuracy(self) -> float:
        """Single-label accuracy; for multi-label the subset accuracy."""
        if self.single is not None:
            return self.single.accuracy
        return self.subset_accuracy or 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "multi_label": self.multi_label, "documents": self.documents,
                               "f1": self.f1}
        if self.single is not None:
            out.update(self.single.to_dict())
        else:
            out.update({"per_class": _prf_dict(self.per_class), "macro": asdict(self.macro),
                        "micro": asdict(self.micro) if self.micro is not None else None,
                        "subset_accuracy": self.subset_accuracy})
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "LabelSetScores":
        documents = int(d["documents"])
        if not d.get("multi_label"):
            single = ClassScores.from_dict(d, documents)
            return cls(str(d["name"]), False, documents, single.per_class, single.macro, single=single)
        return cls(str(d["name"]), True, documents, _prf_from(d["per_class"]), PRF(**d["macro"]),
                   PRF(**d["micro"]) if d.get("micro") else None,
                   float(d["subset_accuracy"]) if d.get("subset_accuracy") is not None else None)


def single_label_set_scores(name: str, gold: Sequence[str], predicted: Sequence[str],
                            classes: Sequence[str] = ()) -> LabelSetScores:
    s = class_scores(gold, predicted, classes)
    return LabelSetScores(name, False, s.count, s.per_class, s.macro, single=s)


def multi_label_set_scores(name: str, gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]],
                           classes: Sequence[str] = ()) -> LabelSetScores:
    """Per-label P/R/F1 (support: documents with the gold label), micro over every (document, label)
    decision, macro over the labels that occur in the gold labels, and subset accuracy."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted label lists differ in length")
    g_sets = [set(g) for g in gold]
    p_sets = [set(p) for p in predicted]
    seen = set().union(*g_sets, *p_sets) if g_sets else set()
    labels = list(dict.fromkeys(classes)) + sorted(seen - set(classes))
    per = {c: PRF.from_counts(sum(1 for g, p in zip(g_sets, p_sets) if c in g and c in p),
                              sum(1 for p in p_sets if c in p), sum(1 for g in g_sets if c in g))
           for c in labels}
    micro = PRF.from_counts(sum(len(g & p) for g, p in zip(g_sets, p_sets)), sum(len(p) for p in p_sets),
                            sum(len(g) for g in g_sets))
    subset = sum(1 for g, p in zip(g_sets, p_sets) if g == p) / len(g_sets) if g_sets else 0.0
    return LabelSetScores(name, True, len(g_sets), per, macro_prf(per, micro.support), micro, subset)
