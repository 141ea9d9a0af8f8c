"""Label transfer: a trained model adds silver labels for the task a document lacks.

For every document without gold labels for a task, the model predicts that task; the prediction becomes
a silver label when the model is confident enough:

- sentiment: the probability of the predicted class >= threshold;
- NER: every word's predicted tag (O included) has probability >= threshold. A silver NER annotation
  is the complete tagging of a document (training reads unmarked words as O), so one unsure word makes
  the whole document unsure. A confident tagging with no entities is kept too: no span is stored, and
  the document's meta gets "silver_ner" = run id, which training reads as "silver-labelled, all O".

Silver labels carry provenance (source "silver", the run id, annotator "model:<run>", confidence) and
are written through store.replace_model_annotations. Training uses them only with silver_weight > 0;
evaluation never does (it reads gold only). Documents are read with their stored word tokens, as in
training. Writes are committed per batch of documents, so an interrupted run leaves whole documents.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .document_predictions import load_model, predict_documents, unlabelled_document_ids
from .schema import TASKS, Document, SentimentLabel, Span

SILVER_NER_META = "silver_ner"  # document meta key: run id of a confident all-O silver NER tagging


@dataclass
class PseudoLabelReport:
    run_id: str  # provenance recorded on the silver labels
    model_folder: str
    tasks: list[str]
    threshold: float
    replace: bool
    # Per task: documents lacking gold labels (candidates), those that got silver, those below threshold,
    # and those skipped because they already had silver labels (replace=False).
    candidates: dict[str, int] = field(default_factory=dict)
    labelled: dict[str, int] = field(default_factory=dict)
    below_threshold: dict[str, int] = field(default_factory=dict)
    kept_existing: dict[str, int] = field(default_factory=dict)
    silver_spans: int = 0
    silver_sentiment_per_class: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> list[str]:
        lines = [f"model {self.model_folder} (run {self.run_id}), threshold {self.threshold:g}"]
        for t in self.tasks:
            line = (f"{t}: {self.labelled.get(t, 0)} of {self.candidates.get(t, 0)} documents without gold labels "
                    f"got silver labels ({self.below_threshold.get(t, 0)} below the threshold")
            if self.kept_existing.get(t):
                line += f", {self.kept_existing[t]} kept their earlier silver labels"
            lines.append(line + ")")
        if "ner" in self.tasks:
            lines.append(f"silver entity spans: {self.silver_spans}")
        if self.silver_sentiment_per_class:
            lines.append("silver sentiment: " + ", ".join(f"{k} {v}" for k, v in
                                                          sorted(self.silver_sentiment_per_class.items())))
        return lines


def pseudo_label(store: Any, run_id_or_model_folder: str | os.PathLike[str] | None = None,
                 tasks: Sequence[str] = TASKS, threshold: float = 0.9, replace: bool = True, *,
                 splits: Sequence[str] | None = None, batch_size: int = 32, device: str = "cpu",
                 progress: Callable[[int, int], None] | None = None) -> PseudoLabelReport:
    """Add silver labels from a trained model to documents that lack gold labels for a task.

    store: a ProjectStore. run_id_or_model_folder: a run of this project, a model folder, or None for
    the latest run with a saved model. tasks: which tasks to label (those the model was not trained for
    are left out). replace=True: silver labels for these tasks from earlier pseudo-labelling are removed
    from the candidate documents first, so what remains is this model's confident predictions;
    replace=False: documents that already have silver labels for a task keep them and are skipped.
    splits: restrict to these splits (default all). progress(done, total) is called after each batch.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
    unknown = set(tasks) - set(TASKS)
    if unknown or not tasks:
        raise ValueError(f"tasks must be a non-empty subset of {', '.join(TASKS)}, not {list(tasks)}")
    model = load_model(store, run_id_or_model_folder, device=device, tasks=tasks)
    folder, run_id = model.folder, model.run_id
    asked = tasks
    tasks = [t for t in TASKS if t in asked and t in model.tasks]
    if not tasks:
        raise ValueError(f"the model in {folder} was not trained for {', '.join(asked)}")

    report = PseudoLabelReport(run_id=run_id, model_folder=str(folder), tasks=list(tasks), threshold=threshold,
                               replace=replace)
    for t in tasks:
        report.candidates[t] = report.labelled[t] = report.below_threshold[t] = report.kept_existing[t] = 0

    # Candidates: documents lacking gold for at least one task, in id order.
    wanted = unlabelled_document_ids(store, tasks, splits)
    done = 0
    for docs, preds in predict_documents(store, model.predictor, wanted, sources=("gold", "silver"),
                                         chunk_size=max(batch_size * 8, 64), batch_size=batch_size):
        with store.bulk():  # one transaction per chunk: whole documents or nothing
            for doc, pred in zip(docs, preds):
                _label_document(store, doc, pred, tasks, threshold, replace, run_id, report)
        done += len(docs)
        if progress:
            progress(done, len(wanted))
    return report


def _label_document(store: Any, doc: Document, pred: Any, tasks: list[str], threshold: float, replace: bool,
                    run_id: str, report: PseudoLabelReport) -> None:
    assert doc.id is not None
    silver_spans = [s for s in doc.other_spans if s.source == "silver"]
    silver_sents = [s for s in doc.other_sentiments if s.source == "silver"]
    # Per run: the silver labels it made on this document (the runs we may have to rewrite).
    runs = {s.run_id or "" for s in silver_spans} | {s.run_id or "" for s in silver_sents}
    new_spans: dict[str, list[Span]] = {r: [s for s in silver_spans if (s.run_id or "") == r] for r in runs}
    new_sent: dict[str, SentimentLabel | None] = {
        r: next((s for s in silver_sents if (s.run_id or "") == r), None) for r in runs}
    new_spans.setdefault(run_id, [])
    new_sent.setdefault(run_id, None)
    dirty: set[str] = set()  # runs whose silver labels on this document change
    meta_changes: dict[str, Any] = {}

    if "ner" in tasks and not doc.ner_labelled:
        report.candidates["ner"] += 1
        has_silver = bool(silver_spans) or bool(doc.meta.get(SILVER_NER_META))
        if has_silver and not replace:
            report.kept_existing["ner"] += 1
        else:
            for r in new_spans:
                if new_spans[r]:
                    dirty.add(r)
                new_spans[r] = []  # this task's earlier silver goes, from every run
            meta_changes[SILVER_NER_META] = None
            confident = pred.ner_confidence is not None and pred.ner_confidence >= threshold
            if confident:
                new_spans[run_id] = [Span(e["start"], e["end"], e["label"], "silver", float(e["score"]))
                                     for e in pred.entities]
                if not new_spans[run_id]:
                    meta_changes[SILVER_NER_META] = run_id
                dirty.add(run_id)
                report.labelled["ner"] += 1
                report.silver_spans += len(new_spans[run_id])
            else:
                report.below_threshold["ner"] += 1

    if "sentiment" in tasks and doc.sentiment is None:
        report.candidates["sentiment"] += 1
        if silver_sents and not replace:
            report.kept_existing["sentiment"] += 1
        else:
            for r in new_sent:
                if new_sent[r] is not None:
                    dirty.add(r)
                new_sent[r] = None
            label = pred.sentiment["label"]
            p = float(pred.sentiment["probabilities"][label])
            if p >= threshold:
                new_sent[run_id] = SentimentLabel(label, "silver", p)
                dirty.add(run_id)
                report.labelled["sentiment"] += 1
                report.silver_sentiment_per_class[label] = report.silver_sentiment_per_class.get(label, 0) + 1
            else:
                report.below_threshold["sentiment"] += 1

    # Silver labels without a run id (imported ones) cannot be addressed per run and are left alone.
    for r in sorted(dirty - {""}):
        store.replace_model_annotations(doc.id, "silver", r, new_spans[r], new_sent[r])
    if meta_changes and any(doc.meta.get(k) != v for k, v in meta_changes.items()):
        store.update_document_meta(doc.id, meta_changes)
