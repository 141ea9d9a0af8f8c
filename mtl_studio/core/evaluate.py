"""Honest scores: entity-level NER with seqeval (strict IOB2) and per-class sentiment, from gold only.

NER: seqeval's classification_report with mode="strict", scheme=IOB2, zero_division=0 over word-level tags
(predictions are read at each word's first sub-word, so the -100 sub-token positions never reach the
scorer). Per entity type plus micro and macro precision/recall/F1 with support. Never token accuracy:
the O tag makes it look good whatever the model does.
Sentiment: per class and macro precision/recall/F1, accuracy, and a confusion matrix (rows gold,
columns predicted).
Entity sentiment (with gold spans and strict end to end) and the further document label sets: see
task_scores.py.
A document unlabelled for a task is left out of that task's scores; silver and predicted labels never
count as gold.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .features import (DocumentPrediction, LabelMaps, collate, decode_token_predictions, document_words,
                       encode_documents, sorted_batches)
from .schema import TASK_ENTITY_SENTIMENT, TASK_NER, TASK_SENTIMENT, Document
from .task_scores import (PRF, ClassScores, EntitySentimentScores, LabelSetScores, class_scores,
                          entity_sentiment_scores, multi_label_set_scores, single_label_set_scores)
from .tokenize import spans_to_tags

NER_MODE = {"mode": "strict", "scheme": "IOB2"}


@dataclass
class NerScores:
    per_type: dict[str, PRF]
    micro: PRF
    macro: PRF
    documents: int
    mode: dict[str, str] = field(default_factory=lambda: dict(NER_MODE))

    @property
    def f1(self) -> float:
        return self.micro.f1

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "documents": self.documents,
                "per_type": {k: asdict(v) for k, v in self.per_type.items()},
                "micro": asdict(self.micro), "macro": asdict(self.macro), "f1": self.f1}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "NerScores":
        return cls({k: PRF(**v) for k, v in d["per_type"].items()}, PRF(**d["micro"]), PRF(**d["macro"]),
                   int(d["documents"]), dict(d.get("mode") or NER_MODE))


@dataclass
class SentimentScores(ClassScores):
    """The document sentiment's ClassScores (count = documents scored); its JSON form, as stored in run
    metrics and printed by `evaluate --json`, names that count "documents"."""

    @property
    def documents(self) -> int:
        return self.count

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.count, **super().to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any], count: int | None = None) -> "SentimentScores":
        s = ClassScores.from_dict(d, int(d["documents"]) if count is None else count)
        return cls(s.per_class, s.macro, s.accuracy, s.labels, s.confusion, s.count)


@dataclass
class EvalReport:
    """The scores of one split (`evaluate --json`, stored run metrics): to_dict() is the JSON form.

    entity_sentiment and label_sets ({set name: scores}) appear in to_dict() only when scored, so a
    two-task project's stored metrics are what they always were, and older stored metrics load."""

    split: str
    ner: NerScores | None = None
    sentiment: SentimentScores | None = None
    entity_sentiment: EntitySentimentScores | None = None
    label_sets: dict[str, LabelSetScores] = field(default_factory=dict)

    def task_f1(self) -> dict[str, float]:
        """Each scored task's selection figure, in the task order (ner, entity_sentiment, sentiment, sets):
        NER micro-F1, entity sentiment macro-F1 with gold spans, sentiment and single-label sets macro-F1,
        multi-label sets micro-F1."""
        out: dict[str, float] = {}
        if self.ner is not None:
            out[TASK_NER] = self.ner.f1
        if self.entity_sentiment is not None:
            out[TASK_ENTITY_SENTIMENT] = self.entity_sentiment.f1
        if self.sentiment is not None:
            out[TASK_SENTIMENT] = self.sentiment.f1
        out.update({name: s.f1 for name, s in self.label_sets.items()})
        return out

    @property
    def score(self) -> float | None:
        """Model selection score: the mean of the scored tasks' figures (task_f1); for a project with
        NER and sentiment the mean of NER micro-F1 and sentiment macro-F1, as before."""
        parts = list(self.task_f1().values())
        return sum(parts) / len(parts) if parts else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"split": self.split, "score": self.score}
        if self.ner is not None:
            out["ner"] = self.ner.to_dict()
        if self.sentiment is not None:
            out["sentiment"] = self.sentiment.to_dict()
        if self.entity_sentiment is not None:
            out["entity_sentiment"] = self.entity_sentiment.to_dict()
        if self.label_sets:
            out["label_sets"] = {name: s.to_dict() for name, s in self.label_sets.items()}
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EvalReport":
        return cls(d.get("split", ""), NerScores.from_dict(d["ner"]) if d.get("ner") else None,
                   SentimentScores.from_dict(d["sentiment"]) if d.get("sentiment") else None,
                   EntitySentimentScores.from_dict(d["entity_sentiment"]) if d.get("entity_sentiment") else None,
                   {name: LabelSetScores.from_dict(v) for name, v in (d.get("label_sets") or {}).items()})


# ---- scoring -------------------------------------------------------------------------------------

def ner_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> NerScores:
    """seqeval strict IOB2 entity scores over word-level tag sequences (one per document)."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    if len(gold) != len(predicted) or any(len(g) != len(p) for g, p in zip(gold, predicted)):
        raise ValueError("gold and predicted tag sequences must align document by document, word by word")
    if not gold:
        zero = PRF(0.0, 0.0, 0.0, 0)
        return NerScores({}, zero, zero, 0)
    report = classification_report([list(g) for g in gold], [list(p) for p in predicted], mode="strict",
                                   scheme=IOB2, output_dict=True, zero_division=0)
    per_type = {k: PRF.from_seqeval(v) for k, v in sorted(report.items()) if not k.endswith(" avg")}
    return NerScores(per_type, PRF.from_seqeval(report["micro avg"]), PRF.from_seqeval(report["macro avg"]),
                     len(gold))


def sentiment_scores(gold: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> SentimentScores:
    """Per-class and macro P/R/F1 (zero when undefined), accuracy and the confusion matrix."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted sentiment lists differ in length")
    s = class_scores(gold, predicted, classes)
    return SentimentScores(s.per_class, s.macro, s.accuracy, s.labels, s.confusion, s.count)


def evaluate_predictions(docs: Sequence[Document], predictions: Sequence[DocumentPrediction], *, split: str = "",
                         tasks: Sequence[str] = ("ner", "sentiment"), classes: Sequence[str] = (),
                         labels: LabelMaps | None = None) -> EvalReport:
    """Score predictions against the GOLD labels of `docs` (aligned lists); unlabelled documents are skipped.

    `classes` orders the sentiment classes (default: labels.sentiment_classes). Entity sentiment and
    the further label sets in `tasks` need `labels` (their classes; a set's multi_label): a label set
    the labels do not declare is not scored."""
    if len(docs) != len(predictions):
        raise ValueError("one prediction per document is needed")
    if not classes and labels is not None:
        classes = labels.sentiment_classes
    report = EvalReport(split)
    if TASK_NER in tasks:
        gold_tags, pred_tags = [], []
        for doc, pred in zip(docs, predictions):
            if not doc.ner_labelled or pred.tags is None:
                continue
            gold_tags.append(spans_to_tags(doc.spans, document_words(doc)))
            pred_tags.append(pred.tags)
        report.ner = ner_scores(gold_tags, pred_tags) if gold_tags else None
    if TASK_SENTIMENT in tasks:
        pairs = [(d.sentiment.label, p.sentiment) for d, p in zip(docs, predictions)
                 if d.sentiment is not None and p.sentiment is not None]
        report.sentiment = sentiment_scores([g for g, _ in pairs], [p for _, p in pairs], classes) if pairs else None
    if TASK_ENTITY_SENTIMENT in tasks:
        report.entity_sentiment = entity_sentiment_report(
            docs, predictions, labels.entity_sentiment_classes if labels is not None else ())
    if labels is not None:
        for ls in labels.label_sets:
            if ls.name in tasks:
                scores = label_set_report(docs, predictions, ls.name, ls.classes, multi_label=ls.multi_label)
                if scores is not None:
                    report.label_sets[ls.name] = scores
    return report


def entity_sentiment_report(docs: Sequence[Document], predictions: Sequence[DocumentPrediction],
                            polarities: Sequence[str] = ()) -> EntitySentimentScores | None:
    """Entity sentiment of the documents with at least one gold polarity; None when there are none.

    With gold spans: each gold span with a polarity that the head read (gold_span_sentiments; a span no
    sub-word of which the model saw has nothing to score). End to end: the documents also labelled for
    NER whose prediction has spans (the model has the ner task)."""
    labelled = [(d, p) for d, p in zip(docs, predictions) if d.entity_sentiment_labelled]
    if not labelled:
        return None
    gold_pol: list[str] = []
    pred_pol: list[str] = []
    for doc, pred in labelled:
        read = pred.gold_span_sentiments
        if read is None:
            continue
        for span, got in zip(doc.spans, read):
            if span.sentiment is not None and got is not None:
                gold_pol.append(span.sentiment)
                pred_pol.append(got[0])
    ends = [(d, p) for d, p in labelled if d.ner_labelled and p.spans is not None]
    gold_ents = [[(s.start, s.end, s.label, s.sentiment) for s in d.spans] for d, _ in ends]
    pred_ents = [[(s.start, s.end, s.label, s.sentiment) for s in p.spans or ()] for _, p in ends]
    if not gold_pol and not ends:
        return None
    return entity_sentiment_scores(gold_pol, pred_pol, gold_ents if ends else None, pred_ents if ends else None,
                                   classes=polarities, documents=len(labelled))


def label_set_report(docs: Sequence[Document], predictions: Sequence[DocumentPrediction], name: str,
                     classes: Sequence[str] = (), *, multi_label: bool = False) -> LabelSetScores | None:
    """One further label set over the documents labelled for it (at least one gold label of the set)
    and predicted for it; None when there are none."""
    gold: list[tuple[str, ...]] = []
    pred: list[list[str]] = []
    for doc, p in zip(docs, predictions):
        g = doc.labels_of(name)
        if not g or name not in p.labels:
            continue
        got = [label for label, _ in p.labels[name]]
        if not multi_label and not got:
            continue  # a single-label head always names one class; nothing predicted is nothing to score
        gold.append(g)
        pred.append(got)
    if not gold:
        return None
    if multi_label:
        return multi_label_set_scores(name, gold, pred, classes)
    return single_label_set_scores(name, [g[0] for g in gold], [p[0] for p in pred], classes)


# ---- running a model over documents --------------------------------------------------------------

def predict_documents(model: Any, tokenizer: Any, labels: LabelMaps, docs: Sequence[Document], *,
                      tasks: Sequence[str] = ("ner", "sentiment"), device: Any = "cpu", batch_size: int = 32,
                      max_length: int = 256, autocast_dtype: Any = None, stop: Any = None
                      ) -> list[DocumentPrediction] | None:
    """One DocumentPrediction per document (in order). Long documents are read in windows like in
    training. Returns None when `stop` (a threading.Event) is set midway.

    Entity sentiment (in `tasks`, with a head): the head reads each PREDICTED span from the same encoder
    pass (end to end; needs the ner task) and each GOLD span of the document (gold_span_sentiments).
    A long document's predicted spans are decoded per window for the head; a span that only the whole
    document's decoding forms (it crosses a window boundary) takes the polarity of the window span it
    starts in. Further label sets in `tasks`: `labels` / `label_probabilities`."""
    import torch

    device = torch.device(device)
    enc = encode_documents(docs, tokenizer, labels, max_length=max_length, tasks=(), for_training=False)
    tag_names = labels.ner_tags
    classes = list(labels.sentiment_classes)
    polarities = list(labels.entity_sentiment_classes)
    do_ner = "ner" in tasks and bool(labels.entity_types)
    do_sent = "sentiment" in tasks and bool(classes)
    has_head = getattr(model, "entity_sentiment_head", None) is not None
    do_entity = "entity_sentiment" in tasks and bool(polarities) and has_head
    sets = [ls for ls in labels.label_sets if ls.name in tasks and ls.name in getattr(model, "label_set_names", ())]
    token_probs: list[Any] = [None] * len(enc.examples)
    sent_probs: list[Any] = [None] * len(enc.examples)
    set_probs: list[dict[str, Any]] = [{} for _ in enc.examples]
    gold_polarity: list[Any] = [None] * len(enc.examples)  # (n_gold_spans_in_window, P) per example
    window_spans: list[list[tuple[Any, Any]]] = [[] for _ in enc.examples]  # (Span, probabilities) per window
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for idx in sorted_batches(enc.lengths(), batch_size):
                if stop is not None and stop.is_set():
                    return None
                examples = [enc.examples[i] for i in idx]
                batch = collate(examples, pad_id).to(device)
                with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
                    out = model(batch.input_ids, batch.attention_mask)
                    gold_logits = model.span_sentiment_logits(out, batch.entity_spans) \
                        if do_entity and batch.entity_spans.shape[0] else None
                tok = torch.softmax(out.token_logits.float()[..., :len(tag_names)], -1).cpu().numpy() if do_ner else None
                seq = torch.softmax(out.sequence_logits.float()[..., :len(classes)], -1).cpu().numpy() \
                    if do_sent else None
                for ls in sets:
                    logits = out.label_logits[ls.name].float()[..., :len(ls.classes)]
                    probs = (torch.sigmoid(logits) if ls.multi_label else torch.softmax(logits, -1)).cpu().numpy()
                    for b, i in enumerate(idx):
                        set_probs[i][ls.name] = probs[b]
                if gold_logits is not None:
                    gold = torch.softmax(gold_logits.float()[..., :len(polarities)], -1).cpu().numpy()
                    offset = 0
                    for i in idx:
                        n = len(enc.examples[i].entity_spans)
                        gold_polarity[i] = gold[offset:offset + n]
                        offset += n
                for b, i in enumerate(idx):
                    if tok is not None:
                        token_probs[i] = tok[b, :enc.examples[i].length]
                    if seq is not None:
                        sent_probs[i] = seq[b]
                if do_entity and do_ner:
                    _predicted_span_polarities(model, out, enc, idx, token_probs, tag_names, polarities,
                                               window_spans, autocast_dtype, device)
    finally:
        model.train(was_training)
    # Examples are ordered by (document, window): gather each document's windows.
    per_doc: dict[int, list[int]] = {}
    for i, e in enumerate(enc.examples):
        per_doc.setdefault(e.doc_index, []).append(i)
    out_preds: list[DocumentPrediction] = []
    for d, words in enumerate(enc.words):
        ex = per_doc.get(d, [])
        pred = DocumentPrediction(tags=None, spans=None)
        if do_ner:
            rows = [r for i in ex for r in token_probs[i]]
            word_ids = [w for i in ex for w in enc.examples[i].word_ids]
            pred.tags, pred.spans = decode_token_predictions(rows, word_ids, words, tag_names)
        if do_sent and ex:
            probs = sent_probs[ex[0]]
            best = int(probs.argmax())
            pred.sentiment = classes[best]
            pred.sentiment_probabilities = {c: float(p) for c, p in zip(classes, probs)}
        if do_entity:
            gold_out: list[tuple[str, float] | None] = [None] * len(enc.documents[d].spans)
            for i in ex:
                if gold_polarity[i] is None:
                    continue
                for k, probs in zip(enc.examples[i].entity_span_index, gold_polarity[i]):
                    if gold_out[k] is None:  # a span cut by a window boundary: its first window
                        best = int(probs.argmax())
                        gold_out[k] = (polarities[best], float(probs[best]))
            pred.gold_span_sentiments = gold_out
            if pred.spans is not None:
                pred.spans, pred.span_sentiment_probabilities = _attach_polarities(
                    pred.spans, [s for i in ex for s in window_spans[i]], polarities)
        for ls in sets:
            if not ex:
                continue
            probs = set_probs[ex[0]][ls.name]  # document labels: from the first window, as in training
            pred.label_probabilities[ls.name] = {c: float(p) for c, p in zip(ls.classes, probs)}
            if ls.multi_label:
                chosen = sorted((i for i, p in enumerate(probs) if p >= ls.threshold), key=lambda i: -probs[i])
            else:
                chosen = [int(probs.argmax())]
            pred.labels[ls.name] = [(ls.classes[i], float(probs[i])) for i in chosen]
        out_preds.append(pred)
    return out_preds


def _predicted_span_polarities(model: Any, out: Any, enc: Any, idx: Sequence[int], token_probs: list[Any],
                               tag_names: Sequence[str], polarities: Sequence[str],
                               window_spans: list[list[tuple[Any, Any]]], autocast_dtype: Any, device: Any) -> None:
    """Decode each window's entities and read the entity-sentiment head on them (same encoder pass)."""
    import torch

    from .features import span_sub_word_rows

    rows: list[list[int]] = []
    owners: list[tuple[int, Any]] = []
    for b, i in enumerate(idx):
        ex = enc.examples[i]
        words = enc.words[ex.doc_index]
        _, spans = decode_token_predictions(token_probs[i], ex.word_ids, words, tag_names)
        for row, span in span_sub_word_rows(b, ex.word_ids, words, spans):
            rows.append(row)
            owners.append((i, span))
    if not rows:
        return
    with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
        logits = model.span_sentiment_logits(out, torch.tensor(rows, dtype=torch.long, device=device))
    probs = torch.softmax(logits.float()[..., :len(polarities)], -1).cpu().numpy()
    for (i, span), p in zip(owners, probs):
        window_spans[i].append((span, p))


def _attach_polarities(spans: list[Any], window_spans: list[tuple[Any, Any]], polarities: Sequence[str]
                       ) -> tuple[list[Any], list[dict[str, float] | None]]:
    """The document's decoded spans with the polarity the head gave the same span in its window (or the
    window span it starts in), and every polarity's probability per span."""
    import dataclasses

    exact = {(s.start, s.end): p for s, p in window_spans}
    out, all_probs = [], []
    for span in spans:
        probs = exact.get((span.start, span.end))
        if probs is None:
            probs = next((p for s, p in window_spans if s.start <= span.start < s.end), None)
        if probs is None:
            out.append(span)
            all_probs.append(None)
            continue
        best = int(probs.argmax())
        out.append(dataclasses.replace(span, sentiment=polarities[best], sentiment_confidence=float(probs[best])))
        all_probs.append({c: float(x) for c, x in zip(polarities, probs)})
    return out, all_probs


def evaluate_model(model: Any, tokenizer: Any, labels: LabelMaps, docs: Sequence[Document], *, split: str,
                   tasks: Sequence[str], device: Any = "cpu", batch_size: int = 32, max_length: int = 256,
                   autocast_dtype: Any = None, stop: Any = None
                   ) -> tuple[EvalReport, list[DocumentPrediction]] | None:
    """Predict `docs` and score them against their gold labels; None when stopped."""
    preds = predict_documents(model, tokenizer, labels, docs, tasks=tasks, device=device, batch_size=batch_size,
                              max_length=max_length, autocast_dtype=autocast_dtype, stop=stop)
    if preds is None:
        return None
    return evaluate_predictions(docs, preds, split=split, tasks=tasks, labels=labels), preds


# ---- tables for people ---------------------------------------------------------------------------

def format_report(report: EvalReport | dict[str, Any]) -> str:
    """Plain-text tables of a report (the CLI prints them)."""
    import pandas as pd

    if isinstance(report, dict):
        report = EvalReport.from_dict(report)
    parts: list[str] = []
    if report.ner is not None:
        rows = {k: asdict(v) for k, v in report.ner.per_type.items()}
        rows["micro avg"] = asdict(report.ner.micro)
        rows["macro avg"] = asdict(report.ner.macro)
        df = pd.DataFrame.from_dict(rows, orient="index")[["precision", "recall", "f1", "support"]]
        parts.append(f"NER on {report.split} ({report.ner.documents} documents; seqeval strict IOB2, entity level)\n"
                     + df.to_string(float_format=lambda x: f"{x:.4f}"))
    if report.sentiment is not None:
        s = report.sentiment
        rows = {k: asdict(v) for k, v in s.per_class.items()}
        rows["macro avg"] = asdict(s.macro)
        df = pd.DataFrame.from_dict(rows, orient="index")[["precision", "recall", "f1", "support"]]
        cm = pd.DataFrame(s.confusion, index=[f"gold {x}" for x in s.labels], columns=s.labels)
        parts.append(f"Sentiment on {report.split} ({s.documents} documents; accuracy {s.accuracy:.4f})\n"
                     + df.to_string(float_format=lambda x: f"{x:.4f}")
                     + "\nConfusion matrix (rows gold, columns predicted)\n" + cm.to_string())
    if report.entity_sentiment is not None:
        parts.append(_entity_sentiment_table(report.split, report.entity_sentiment))
    for name, scores in report.label_sets.items():
        parts.append(_label_set_table(report.split, scores))
    if not parts:
        parts.append(f"no labelled documents to score on {report.split}")
    return "\n\n".join(parts)


def _prf_table(rows: dict[str, PRF], **extra: PRF | None) -> str:
    import pandas as pd

    table = {k: asdict(v) for k, v in rows.items()}
    table.update({k.replace("_", " "): asdict(v) for k, v in extra.items() if v is not None})
    df = pd.DataFrame.from_dict(table, orient="index", columns=["precision", "recall", "f1", "support"])
    return df.to_string(float_format=lambda x: f"{x:.4f}")


def _confusion_table(labels: Sequence[str], matrix: Sequence[Sequence[int]]) -> str:
    import pandas as pd

    cm = pd.DataFrame(matrix, index=[f"gold {x}" for x in labels], columns=list(labels))
    return "Confusion matrix (rows gold, columns predicted)\n" + cm.to_string()


def _entity_sentiment_table(split: str, s: EntitySentimentScores) -> str:
    lines = [f"Entity sentiment on {split} ({s.documents} documents with entity polarities)"]
    if s.gold_spans is not None:
        g = s.gold_spans
        lines.append(f"with gold spans ({g.count} spans; accuracy {g.accuracy:.4f}, macro-F1 {g.f1:.4f})\n"
                     + _prf_table(g.per_class, macro_avg=g.macro) + "\n" + _confusion_table(g.labels, g.confusion))
    if s.end_to_end is not None:
        e = s.end_to_end
        lines.append(f"end to end, strict: span, type and polarity all right ({e.documents} documents)\n"
                     + _prf_table(e.per_polarity, micro_avg=e.micro, macro_avg=e.macro))
    return "\n".join(lines)


def _label_set_table(split: str, s: LabelSetScores) -> str:
    if s.single is not None:
        return (f"Label set {s.name} on {split} ({s.documents} documents; accuracy {s.single.accuracy:.4f})\n"
                + _prf_table(s.per_class, macro_avg=s.macro) + "\n"
                + _confusion_table(s.single.labels, s.single.confusion))
    return (f"Label set {s.name} on {split}, multi-label ({s.documents} documents; subset accuracy "
            f"{(s.subset_accuracy or 0.0):.4f})\n" + _prf_table(s.per_class, micro_avg=s.micro, macro_avg=s.macro))
