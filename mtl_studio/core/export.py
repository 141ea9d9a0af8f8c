"""Export a run's best model as a self-contained folder (and optionally ONNX) with a model card.

The folder is a model folder (see artifacts.py) that mtl_studio.inference loads without the project:
safetensors weights, encoder config, tokenizer, labels.json, mtl_config.json, plus README.md (the model
card: data, labels, config, metrics, intended use, limitations, how to load). The masked-token head of
the auxiliary loss is left out: it only serves training. Everything, ONNX included, is written into a
temporary folder and renamed into place, so OUT is either the previous content or the complete export.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import MtlStudioError
from .inference import ONNX_FILE, ONNX_SPAN_HEAD_FILE
from .artifacts import (
    MTL_CONFIG_FILE, LoadedModel, PICKLE_SUFFIXES, is_model_folder, load_model_folder, write_folder_atomically,
    write_model_files,
)
from .run_record import RunRecord
from .safe_output import check_output_path
from .verdict import Verdict, verdict_for_run

ONNX_OPSET = 17
ONNX_TOLERANCE = 1e-4
# Texts the ONNX check runs (with padding, CJK, emoji, and a longer text than the export example).
CHECK_TEXTS = (
    "Apple shares rose 5% after the results in Berlin.",
    "Nokia cut 300 jobs in Finland.",
    "华为在深圳 😀",
    "The company said net profit fell in the quarter , while sales in Germany , France and China rose "
    "more than expected and the chief executive said growth would continue next year .",
)


class ExportError(MtlStudioError, RuntimeError):
    """The run cannot be exported (no checkpoint, ONNX mismatch); the message says why."""


# ---- where a run's model lives -------------------------------------------------------------------

def run_model_folder(run: RunRecord, project_path: str | os.PathLike[str] | None = None) -> Path:
    """The best checkpoint folder of a run record (store.run_record), checked to be a model folder.

    Training keeps the best checkpoint in <artefact_dir>/best (or the artefact folder is the model itself).
    """
    if not run.artefact_dir:
        raise ExportError(f"run {run.id} has no saved model (status: {run.status})")
    base = Path(run.artefact_dir)
    if not base.is_absolute() and project_path is not None:
        base = Path(project_path).parent / base
    for candidate in (base / "best", base):
        if is_model_folder(candidate):
            return candidate
    raise ExportError(f"run {run.id}: no model checkpoint found in {base} "
                      "(was the run stopped before its first evaluation, or the folder moved?)")


# ---- ONNX ----------------------------------------------------------------------------------------

def _onnx_wrapper(model: Any, use_token_type_ids: bool) -> Any:
    import torch

    with_states = getattr(model, "entity_sentiment_head", None) is not None

    class _Heads(torch.nn.Module):
        """Positional inputs and a tuple of every document-level head's logits (and, for the span head,
        the encoder states), as the ONNX graph exposes them."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids=None):  # type: ignore[no-untyped-def]
            out = self.model(input_ids, attention_mask, token_type_ids if use_token_type_ids else None)
            labels = tuple(out.label_logits[name] for name in self.model.label_set_names)
            states = (out.hidden, out.pooled) if with_states else ()
            return (out.token_logits, out.sequence_logits) + labels + states

    return _Heads().eval()


def _uses_token_type_ids(tokenizer: Any) -> bool:
    return "token_type_ids" in getattr(tokenizer, "model_input_names", ())


def onnx_output_names(model: Any) -> list[str]:
    """The outputs of model.onnx for `model`, in order."""
    from .inference import label_output_name

    names = ["token_logits", "sequence_logits"]
    names += [label_output_name(i) for i in range(len(getattr(model, "label_set_names", ())))]
    if getattr(model, "entity_sentiment_head", None) is not None:
        names += ["hidden", "pooled"]
    return names


def export_onnx(model: Any, tokenizer: Any, path: str | os.PathLike[str], *, opset: int = ONNX_OPSET) -> Path:
    """Write `model` (a MultiTaskModel on CPU, eval mode) as ONNX with dynamic batch and sequence axes.

    Inputs input_ids, attention_mask (+ token_type_ids when the tokenizer produces them); outputs
    token_logits (batch, sequence, tags), sequence_logits (batch, classes), label_logits_<i> (batch,
    classes) per further label set in labels.json order, and for a model with entity sentiment the
    encoder states hidden (batch, sequence, hidden) and pooled (batch, hidden), which the span head's
    own graph (export_span_head_onnx, written next to `path`) reads: the spans it reads are decoded
    from token_logits, so they cannot be an input of the same pass.
    """
    import warnings

    import torch

    path = Path(path)
    model = model.eval()
    with_tt = _uses_token_type_ids(tokenizer)
    # The example batch has padding so the traced graph keeps the attention-mask path (transformers
    # skips the mask when nothing is padded, and tracing would bake that in).
    enc = tokenizer([CHECK_TEXTS[0], CHECK_TEXTS[1][:6]], padding=True, return_tensors="pt")
    if bool(enc["attention_mask"].all()):
        raise ExportError("internal: the ONNX example batch must contain padding")
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if with_tt else [])
    args = tuple(enc[n] for n in names)
    outputs = onnx_output_names(model)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    for name in outputs:
        axes[name] = {0: "batch", 1: "sequence"} if name in ("token_logits", "hidden") else {0: "batch"}
    with warnings.catch_warnings():
        # The TorchScript exporter warns about traced Python conditions in transformers' mask helpers;
        # check_onnx below is what proves the graph right on other shapes.
        warnings.simplefilter("ignore")
        torch.onnx.export(_onnx_wrapper(model, with_tt), args, str(path), dynamo=False, input_names=names,
                          output_names=outputs, dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    if getattr(model, "entity_sentiment_head", None) is not None:
        export_span_head_onnx(model, path.with_name(ONNX_SPAN_HEAD_FILE), opset=opset)
    return path


def export_span_head_onnx(model: Any, path: str | os.PathLike[str], *, opset: int = ONNX_OPSET) -> Path:
    """The entity-sentiment head alone: inputs hidden (batch, sequence, hidden), pooled (batch, hidden)
    and entity_spans (spans, 3) int64 [batch row, first sub-word, end sub-word); output
    entity_sentiment_logits (spans, polarities)."""
    import warnings

    import torch

    head = model.entity_sentiment_head.eval()
    width = model.encoder.config.hidden_size
    example = (torch.zeros(2, 5, width), torch.zeros(2, width), torch.tensor([[0, 1, 3], [1, 2, 5], [1, 0, 1]]))
    axes = {"hidden": {0: "batch", 1: "sequence"}, "pooled": {0: "batch"}, "entity_spans": {0: "spans"},
            "entity_sentiment_logits": {0: "spans"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(head, example, str(path), dynamo=False, input_names=["hidden", "pooled", "entity_spans"],
                          output_names=["entity_sentiment_logits"], dynamic_axes=axes, opset_version=opset,
                          do_constant_folding=True)
    return Path(path)


@dataclass
class OnnxCheck:
    max_abs_diff_token: float
    max_abs_diff_sequence: float
    texts: int
    tolerance: float
    max_abs_diff_label_sets: float = 0.0  # over every further label set's logits
    max_abs_diff_entity_sentiment: float = 0.0  # the span head, ONNX states into the ONNX span graph
    heads: tuple[str, ...] = ("token_logits", "sequence_logits")  # the outputs compared

    @property
    def max_abs_diff(self) -> float:
        return max(self.max_abs_diff_token, self.max_abs_diff_sequence, self.max_abs_diff_label_sets,
                   self.max_abs_diff_entity_sentiment)

    @property
    def ok(self) -> bool:
        return self.max_abs_diff < self.tolerance


def _check_spans(mask: Any) -> Any:
    """A few spans per row of a padded batch: the first sub-word alone, and the first three."""
    import numpy as np

    rows = []
    for b, length in enumerate(mask.sum(1).tolist()):
        rows.append([b, 1, min(2, length)])
        rows.append([b, 0, min(3, length)])
    return np.asarray(rows, dtype=np.int64)


def check_onnx(model: Any, tokenizer: Any, onnx_path: str | os.PathLike[str], *,
               texts: Sequence[str] = CHECK_TEXTS, tolerance: float = ONNX_TOLERANCE) -> OnnxCheck:
    """Run the same padded batches through PyTorch and onnxruntime and compare every head's logits (the
    span head: onnxruntime's encoder states through its span graph against PyTorch end to end)."""
    import numpy as np
    import onnxruntime as ort
    import torch

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    wanted = [i.name for i in session.get_inputs()]
    model = model.eval()
    outputs = onnx_output_names(model)
    n_sets = len(getattr(model, "label_set_names", ()))
    with_span = getattr(model, "entity_sentiment_head", None) is not None
    span_session = ort.InferenceSession(str(Path(onnx_path).with_name(ONNX_SPAN_HEAD_FILE)),
                                        providers=["CPUExecutionProvider"]) if with_span else None
    diff_tok = diff_seq = diff_sets = diff_span = 0.0
    # Different batch sizes and lengths than the export example: the dynamic axes must really be dynamic.
    for batch in (list(texts), list(texts[:1]), list(texts[1:3])):
        enc = tokenizer(batch, padding=True, return_tensors="np")
        feed = {n: enc[n].astype(np.int64) for n in wanted}
        got = session.run(outputs, feed)
        tok, seq = got[0], got[1]
        with torch.inference_mode():
            out = model(torch.from_numpy(feed["input_ids"]), torch.from_numpy(feed["attention_mask"]),
                        torch.from_numpy(feed["token_type_ids"]) if "token_type_ids" in feed else None)
            spans = _check_spans(feed["attention_mask"]) if with_span else None
            ref_span = model.span_sentiment_logits(out, torch.from_numpy(spans)).numpy() if with_span else None
        mask = feed["attention_mask"].astype(bool)  # padded positions are not outputs anyone reads
        diff_tok = max(diff_tok, float(np.abs(tok - out.token_logits.numpy())[mask].max()))
        diff_seq = max(diff_seq, float(np.abs(seq - out.sequence_logits.numpy()).max()))
        for i, name in enumerate(getattr(model, "label_set_names", ())):
            diff_sets = max(diff_sets, float(np.abs(got[2 + i] - out.label_logits[name].numpy()).max()))
        if span_session is not None:
            hidden, pooled = got[2 + n_sets], got[3 + n_sets]
            logits = span_session.run(["entity_sentiment_logits"],
                                      {"hidden": hidden, "pooled": pooled, "entity_spans": spans})[0]
            diff_span = max(diff_span, float(np.abs(logits - ref_span).max()))
    heads = tuple(o for o in outputs if o not in ("hidden", "pooled")) + (("entity_sentiment_logits",) if with_span else ())
    return OnnxCheck(diff_tok, diff_seq, len(texts), tolerance, diff_sets, diff_span, heads)


# ---- the model card ------------------------------------------------------------------------------

def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.4f}"
    return "" if x is None else str(x)


def _metrics_lines(metrics: dict[str, Any]) -> list[str]:
    """Markdown tables of per-task metrics per split, from the run record's metrics.

    Expects {split: {"ner": {...}, "sentiment": {...}}} (evaluate.EvalReport.to_dict() per split), but reads
    them as plain dicts: a model folder from elsewhere may hold partial reports, shown as far as they go;
    other shapes are shown as JSON rather than guessed at.
    """
    splits = {k: v for k, v in metrics.items() if k in ("train", "dev", "test") and isinstance(v, dict)}
    if not splits:
        return ["```json", json.dumps(metrics, indent=2, ensure_ascii=False)[:4000], "```"] if metrics else \
            ["No metrics were recorded for this run."]
    lines = ["| split | task | metric | precision | recall | F1 | accuracy | support |",
             "|---|---|---|---|---|---|---|---|"]
    for split, tasks in splits.items():
        for task in ("ner", "sentiment"):
            m = tasks.get(task)
            if not isinstance(m, dict):
                continue
            for avg in ("micro", "macro", "weighted"):
                a = m.get(avg)
                if isinstance(a, dict):
                    lines.append(f"| {split} | {task} | {avg} avg | {_fmt(a.get('precision'))} | "
                                 f"{_fmt(a.get('recall'))} | {_fmt(a.get('f1'))} | "
                                 f"{_fmt(m.get('accuracy') if avg == 'macro' else None)} | {_fmt(a.get('support'))} |")
            per = m.get("per_type") or m.get("per_class") or {}
            for name, a in per.items() if isinstance(per, dict) else ():
                if isinstance(a, dict):
                    lines.append(f"| {split} | {task} | {name} | {_fmt(a.get('precision'))} | "
                                 f"{_fmt(a.get('recall'))} | {_fmt(a.get('f1'))} |  | {_fmt(a.get('support'))} |")
    for split, tasks in splits.items():
        lines += _further_metric_rows(split, tasks)
    if len(lines) == 2:
        return ["```json", json.dumps(metrics, indent=2, ensure_ascii=False)[:4000], "```"]
    for split, tasks in splits.items():
        cm = (tasks.get("sentiment") or {}).get("confusion_matrix") if isinstance(tasks.get("sentiment"), dict) else None
        if isinstance(cm, dict) and cm.get("labels") and cm.get("matrix"):
            lines += ["", f"Sentiment confusion matrix, {split} (rows gold, columns predicted):", "",
                      "| gold \\ predicted | " + " | ".join(cm["labels"]) + " |",
                      "|---|" + "---:|" * len(cm["labels"])]
            lines += [f"| {g} | " + " | ".join(str(x) for x in row) + " |" for g, row in zip(cm["labels"], cm["matrix"])]
    modes = []
    for m in splits.values():
        mode = m.get("ner", {}).get("mode") if isinstance(m.get("ner"), dict) else None
        text = ", ".join(f"{k}={v}" for k, v in mode.items()) if isinstance(mode, dict) else mode
        if text and text not in modes:
            modes.append(str(text))
    if modes:
        lines += ["", f"NER scores are entity-level (seqeval, {'; '.join(modes)})."]
    if any(isinstance(t.get("entity_sentiment"), dict) for t in splits.values()):
        lines += ["", "Entity sentiment with gold spans: the polarity read on each gold entity that has one; end to "
                      "end, strict: an entity counts only when its span, type and polarity are all right."]
    if any(isinstance(m, dict) and m.get("multi_label") for t in splits.values()
           for m in (t.get("label_sets") or {}).values()):
        lines += ["", "For a multi-label set the accuracy column is the subset accuracy (the predicted labels "
                      "equal the gold labels)."]
    return lines


def _row(split: str, task: str, metric: str, a: Any, accuracy: Any = None) -> str:
    a = a if isinstance(a, dict) else {}
    return (f"| {split} | {task} | {metric} | {_fmt(a.get('precision'))} | {_fmt(a.get('recall'))} | "
            f"{_fmt(a.get('f1'))} | {_fmt(accuracy)} | {_fmt(a.get('support'))} |")


def _further_metric_rows(split: str, tasks: dict[str, Any]) -> list[str]:
    """Rows for entity sentiment (gold spans, end to end) and each further label set of one split."""
    rows: list[str] = []
    es = tasks.get("entity_sentiment")
    if isinstance(es, dict):
        gold = es.get("gold_spans")
        if isinstance(gold, dict):
            rows.append(_row(split, "entity sentiment (gold spans)", "macro avg", gold.get("macro"), gold.get("accuracy")))
            rows += [_row(split, "entity sentiment (gold spans)", name, a)
                     for name, a in (gold.get("per_class") or {}).items()]
        e2e = es.get("end_to_end")
        if isinstance(e2e, dict):
            rows.append(_row(split, "entity sentiment (end to end, strict)", "micro avg", e2e.get("micro")))
            rows.append(_row(split, "entity sentiment (end to end, strict)", "macro avg", e2e.get("macro")))
            rows += [_row(split, "entity sentiment (end to end, strict)", name, a)
                     for name, a in (e2e.get("per_polarity") or {}).items()]
    for name, m in (tasks.get("label_sets") or {}).items():
        if not isinstance(m, dict):
            continue
        if m.get("multi_label"):
            rows.append(_row(split, name, "micro avg", m.get("micro"), m.get("subset_accuracy")))
            rows.append(_row(split, name, "macro avg", m.get("macro")))
        else:
            rows.append(_row(split, name, "macro avg", m.get("macro"), m.get("accuracy")))
        rows += [_row(split, name, cls, a) for cls, a in (m.get("per_class") or {}).items()]
    return rows


def _verdict_lines(verdict: Verdict) -> list[str]:
    """The verdict (core/verdict.py) as a sentence and a table."""
    lines = [verdict.sentence, "",
             f"Paired bootstrap over {verdict.split} documents ({verdict.resamples} resamples, seed {verdict.seed}); "
             "scores in F1 points, recomputed from the runs' stored predictions.", "",
             "| task | metric | joint | single-task baseline | difference | 95% CI | documents | baseline run |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {d.task} | {d.metric} | {d.joint:.1f} | {d.baseline:.1f} | {d.difference:+.1f} | "
              f"{d.low:.1f} to {d.high:.1f} | {d.documents} | {d.baseline_run} |" for d in verdict.differences]
    if verdict.data_changed:
        lines += ["", "**Note:** the labelled data changed after these runs; the scores use today's gold labels."]
    return lines


def _data_lines(stats: dict[str, Any] | None, same_data: bool | None) -> list[str]:
    if not stats:
        return ["Data counts are not available (exported from a model folder without its project)."]
    lines = ["| split | documents | NER documents | entities | sentiment documents | per class |",
             "|---|---|---|---|---|---|"]
    for split, s in stats.get("splits", {}).items():
        per_class = ", ".join(f"{k}: {v}" for k, v in s["sentiment"]["labels_per_class"].items())
        lines.append(f"| {split} | {s['documents']} | {s['ner']['documents']} | {s['ner']['entities']} | "
                     f"{s['sentiment']['documents']} | {per_class} |")
    per_type = stats.get("totals", {}).get("entities_per_type") or {}
    if per_type:
        lines += ["", "Entities per type (gold, all splits): " + ", ".join(f"{k}: {v}" for k, v in per_type.items())]
    silver = stats.get("totals", {}).get("silver") or {}
    if any(silver.values()):
        lines += ["", f"Silver (pseudo) labels in the project: {silver.get('spans', 0)} spans, "
                      f"{silver.get('sentiments', 0)} sentiment labels (used in training only when silver_weight > 0; "
                      "never in evaluation)."]
    if same_data is False:
        lines += ["", "**Note:** the project's data changed after this run was trained; the counts above are the "
                      "project's data at export time, not exactly the data the model saw."]
    return lines


def _further_task_lines(labels: dict[str, Any], tasks: Sequence[str]) -> list[str]:
    """Model section lines for entity sentiment and the further label sets (none for a two-task model)."""
    lines = []
    if labels.get("entity_sentiment_classes"):
        lines.append(f"- Entity sentiment classes: {', '.join(labels['entity_sentiment_classes'])}"
                     + ("" if "entity_sentiment" in tasks else " (head not trained)"))
    for ls in labels.get("label_sets") or ():
        kind = f"multi-label, threshold {ls.get('threshold', 0.5):g}" if ls.get("multi_label") else "single-label"
        lines.append(f"- Label set {ls['name']} ({kind}): {', '.join(ls.get('classes') or ()) or '(none)'}"
                     + ("" if ls["name"] in tasks else " (head not trained)"))
    return lines


def _onnx_outputs_text(loaded: LoadedModel) -> str:
    names = onnx_output_names(loaded.model)
    text = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    sets = [ls["name"] for ls in loaded.labels.get("label_sets") or ()]
    if sets:
        text += " (label_logits_<i>: " + ", ".join(f"{i} {n}" for i, n in enumerate(sets)) + ")"
    if getattr(loaded.model, "entity_sentiment_head", None) is not None:
        text += (f"; `{ONNX_SPAN_HEAD_FILE}` is the entity-sentiment head: it takes hidden, pooled and "
                 "entity_spans (spans, 3) [batch row, first sub-word, end sub-word) of the entities decoded "
                 "from token_logits and returns entity_sentiment_logits")
    return text


def model_card(loaded: LoadedModel, run: RunRecord | None, stats: dict[str, Any] | None, *,
               project_name: str | None, same_data: bool | None, onnx: OnnxCheck | None,
               int8: Any = None, verdict: Verdict | None = None) -> str:
    from .model import encoder_name_for_card

    cfg = loaded.run_config
    labels = loaded.labels
    tasks = list(loaded.tasks)
    run_id = (run.id if run else None) or loaded.config.get("run_id") or "unknown"
    title = f"MTL Studio model: {project_name or 'project'}, run {run_id}"
    L = [f"# {title}", "",
         "A multi-task text model trained with MTL Studio: one shared transformer encoder with a token head "
         "(named entities, BIO tags) and a sequence head (document sentiment)"
         + (", an entity-sentiment head (the polarity toward each entity, read on the entity's span with the "
            "sentence)" if labels.get("entity_sentiment_classes") else "")
         + (", and one head per further document label set" if labels.get("label_sets") else "") + ".", "",
         "## Model", "",
         f"- Encoder: {encoder_name_for_card(cfg.get('encoder'))}",
         f"- Tasks trained: {', '.join(tasks)}",
         f"- Entity types: {', '.join(labels['entity_types']) or '(none)'}"
         + ("" if "ner" in tasks else " (head not trained)"),
         f"- Sentiment classes: {', '.join(labels['sentiment_classes']) or '(none)'}"
         + ("" if "sentiment" in tasks else " (head not trained)"),
         *_further_task_lines(labels, tasks),
         f"- Pooling for sentiment: {loaded.config['model'].get('pooling')}; max length {cfg.get('max_length', 256)} "
         "sub-word tokens",
         f"- Format: {loaded.config['format']} (schema {loaded.config['schema_version']})",
         f"- Run: {run_id}" + (f", status {run.status}, created {run.created_at}" if run else "")
         + (f", dataset hash {run.dataset_hash}" if run and run.dataset_hash else ""),
         f"- Exported: {_dt.datetime.now(_dt.timezone.utc).isoformat(timespec='seconds')}", "",
         "## Training data", ""]
    L += _data_lines(stats, same_data)
    L += ["", "## Metrics", ""]
    L += _metrics_lines((run.metrics if run else None) or loaded.config.get("metrics") or {})
    if verdict is not None:
        L += ["", "## Did joint training help?", ""] + _verdict_lines(verdict)
    L += ["", "## Training configuration", "", "| option | value |", "|---|---|"]
    L += [f"| {k} | {json.dumps(v, ensure_ascii=False)} |" for k, v in sorted(cfg.items())]
    L += ["", "## How to use", "", "```python",
          "import mtl_studio.inference as inf",
          "model = inf.load('PATH/TO/THIS/FOLDER')" + ("  # or backend='onnx'" if onnx else ""),
          "for p in model.predict(['Apple shares rose 5% after the results in Berlin.']):",
          "    print(p.to_dict())  # entities with character offsets and scores, sentiment with probabilities",
          "```", "",
          "From the command line (one JSON line per input text; txt, JSONL or CSV input):", "",
          "```", "mtl-studio predict PATH/TO/THIS/FOLDER texts.txt > predictions.jsonl", "```", "",
          "Needs `pip install mtl-studio` (no project and no GUI). Weights are safetensors; nothing is "
          "unpickled and no remote code runs."]
    if onnx:
        L += ["", f"`model.onnx` (opset {ONNX_OPSET}) takes input_ids, attention_mask"
              + (", token_type_ids" if "token_type_ids" in getattr(loaded.tokenizer, "model_input_names", ()) else "")
              + " with dynamic batch and sequence axes and returns " + _onnx_outputs_text(loaded) + ". "
              f"Checked against PyTorch at export ({', '.join(onnx.heads)}): max abs difference {onnx.max_abs_diff:.2e} "
              f"(tolerance {onnx.tolerance:g}). Word splitting, first-sub-word decoding and BIO repair "
              "happen outside the graph (mtl_studio.inference does them)."]
    if int8 is not None:  # an onnx_quant.Int8Check
        L += [""] + int8.card_lines()
    L += ["", "## Intended use", "",
          "Tagging entities of the types above and classifying the sentiment of texts similar to the "
          "training data (same language, domain and writing style), e.g. to pre-annotate documents for "
          "review or to analyse a collection. Check the metrics above on your own data before relying on it.",
          "", "## Limitations", "",
          "- Scores are softmax probabilities, not calibrated confidences.",
          "- Texts are split into words as in training (CJK one character per word); entities are whole words.",
          f"- Texts longer than {cfg.get('max_length', 256)} sub-word tokens are read in consecutive windows for "
          "entities (no context crosses a window edge) and by their first window for sentiment, as in training "
          "(the prediction says `truncated`).",
          "- Quality depends on the size and quality of the annotated data; metrics on a small test split "
          "have wide uncertainty, and results vary with the random seed.",
          "- The model has not been checked for bias; it can reproduce the biases of its training data and "
          "of the pre-trained encoder.", ""]
    return "\n".join(L)


# ---- export --------------------------------------------------------------------------------------

def _add_int8(folder: Path, dev_documents: Sequence[Any]) -> Any:
    """Quantize folder/model.onnx, score fp32 and int8 on the dev documents, record it in mtl_config.json."""
    from . import inference

    from .onnx_quant import ONNX_INT8_FILE, check_int8, quantize_int8

    quantize_int8(folder / ONNX_FILE, folder / ONNX_INT8_FILE)
    check = check_int8(inference.load(folder, backend="torch"), inference.load(folder, backend="onnx-int8"),
                       dev_documents)
    config_path = folder / MTL_CONFIG_FILE
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["onnx_int8"] = check.to_dict()
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    return check


def _check_out(out: Path) -> None:
    # Never through a symlink or onto a file, FIFO or device (safe_output); replace an earlier
    # export, but never a folder that holds something else.
    check_output_path(out, force=False, folder=True)
    if out.exists() and any(out.iterdir()) and not is_model_folder(out):
        raise FileExistsError(f"{out} exists and is not an MTL Studio model folder; choose a new folder")


def export_model(store_or_path: Any, run_id: str | None, out: str | os.PathLike[str], onnx: bool = False,
                 int8: bool = False) -> Path:
    """Export the best checkpoint of `run_id` (None: the latest run) from a project to folder `out`.

    store_or_path: a ProjectStore or a project file path. With onnx=True also writes model.onnx and
    fails (leaving `out` untouched) when onnxruntime's outputs differ from PyTorch's by >= 1e-4. With
    int8=True also writes model.int8.onnx, scored against the fp32 model on the project's dev split.
    """
    from .store import ProjectStore

    out = Path(out)
    _check_out(out)
    store = store_or_path if isinstance(store_or_path, ProjectStore) else ProjectStore.open(store_or_path)
    try:
        run = store.run_record(run_id)
        source = run_model_folder(run, store.path)
        stats = store.stats()
        same_data = run.dataset_hash == store.dataset_hash() if run.dataset_hash else None
        project_name = store.path.stem
        dev_documents = list(store.iter_documents("dev")) if int8 else []
        verdict = verdict_for_run(store, run.id)
    finally:
        if store is not store_or_path:
            store.close()
    return export_model_folder(source, out, onnx=onnx, run=run, stats=stats, project_name=project_name,
                               same_data=same_data, int8=int8, dev_documents=dev_documents, verdict=verdict)


def export_model_folder(source: str | os.PathLike[str], out: str | os.PathLike[str], *, onnx: bool = False,
                        run: RunRecord | None = None, stats: dict[str, Any] | None = None,
                        project_name: str | None = None, same_data: bool | None = None, int8: bool = False,
                        dev_documents: Sequence[Any] = (), verdict: Verdict | None = None) -> Path:
    """Export a model folder (a checkpoint) to `out` with a model card and optional ONNX (int8: also quantized)."""
    onnx = onnx or int8  # the int8 model is quantized from model.onnx
    out = Path(out)
    _check_out(out)
    loaded = load_model_folder(source, device="cpu")
    loaded.model.mlm = None  # the auxiliary head only serves training
    extra = {k: v for k, v in loaded.config.items()
             if k not in ("format", "schema_version", "model", "tasks", "config")}
    if run is not None:
        extra.update(run_id=run.id, metrics=run.metrics, dataset_hash=run.dataset_hash)

    def fill(tmp: Path) -> None:
        write_model_files(tmp, loaded.model, loaded.tokenizer, loaded.labels, loaded.run_config, extra=extra)
        check: OnnxCheck | None = None
        if onnx:
            try:
                import onnxruntime  # noqa: F401
            except ImportError as e:
                raise ExportError("ONNX export needs onnx and onnxruntime: pip install 'mtl-studio[onnx]'") from e
            export_onnx(loaded.model, loaded.tokenizer, tmp / ONNX_FILE)
            check = check_onnx(loaded.model, loaded.tokenizer, tmp / ONNX_FILE)
            if not check.ok:
                raise ExportError(f"the ONNX model differs from PyTorch by {check.max_abs_diff:.2e} "
                                  f"(tolerance {check.tolerance:g}); not exported")
        int8_check = _add_int8(tmp, dev_documents) if int8 else None
        (tmp / "README.md").write_text(model_card(loaded, run, stats, project_name=project_name,
                                                  same_data=same_data, onnx=check, int8=int8_check,
                                                  verdict=verdict), encoding="utf-8")
        bad = [p.name for p in tmp.rglob("*") if p.suffix in PICKLE_SUFFIXES]
        if bad:  # the tokenizer or a future writer must not smuggle pickles into an export
            raise ExportError(f"export would contain pickle files: {bad}")

    return write_folder_atomically(out, fill)
