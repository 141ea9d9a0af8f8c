"""Use an exported MTL Studio model outside the studio: no Qt, no project.

    import mtl_studio.inference as inf
    model = inf.load("path/to/exported-model")          # or backend="onnx" when model.onnx is there
    for p in model.predict(["Apple shares rose 5% in Berlin."]):
        print(p.entities, p.sentiment)                   # or p.to_dict()

Entities carry character offsets (code points, end-exclusive) into the text as given, the entity type,
the covered text and a score (the mean probability of the predicted tag over the entity's words).
Sentiment carries the predicted class and the probability of every class. With entity sentiment each
entity has "sentiment": {"label", "probabilities"} (the span head read on the predicted entity, from the
same encoder pass). Each further document label set is under "label_sets": {set: {"labels": [...],
"probabilities": {...}}} (single-label: the most probable class; multi-label: every class at or over the
set's threshold, possibly none). Label sets are nested rather than top-level keys so that a set named
like a field ("text", "id") cannot overwrite it. A task the model was not trained for is left out (None /
absent from to_dict()).

Texts are split into words exactly as in training (mtl_studio.core.tokenize.tokenize) and encoded by the
training encoder (core.features): each word is read at its first sub-word, and ill-formed BIO is repaired
(an I- without a B- starts an entity). A text longer than the model's max_length (in sub-words) is read in
consecutive word windows for entities and by its first window for sentiment, as in training; its
prediction says `truncated`.

This is the core's module; `mtl_studio.inference`, the name the model card cites, re-exports it.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .artifacts import load_model_folder, read_folder_metadata
from .hf_imports import transformers_names
from .decode import first_subword_positions
from .tokenize import tokenize

ONNX_FILE = "model.onnx"
# The entity-sentiment head over span representations, fed the encoder states model.onnx outputs (the
# spans are decoded from the token head between the two graphs); the same file serves the int8 graph.
ONNX_SPAN_HEAD_FILE = "model.entity_sentiment.onnx"
DEFAULT_MAX_LENGTH = 256
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")


@dataclass
class Prediction:
    text: str
    # [{"start", "end", "label", "text", "score"}]; None when the model has no NER task. With entity
    # sentiment each entity also has "sentiment": {"label", "probabilities": {polarity: p}}.
    entities: list[dict[str, Any]] | None = None
    # {"label", "probabilities": {class: p}}; None when the model has no sentiment task.
    sentiment: dict[str, Any] | None = None
    # Further document label sets: {set: {"labels": [class, ...], "probabilities": {class: p}}}; a
    # single-label set names its most probable class, a multi-label set every class at or over its
    # threshold, most probable first (possibly none). Empty when the model has no further set.
    label_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The text was longer than max_length sub-words: entities were read in consecutive windows (as in
    # training), sentiment and label sets from the first window only.
    truncated: bool = False
    # The lowest probability of any word's predicted tag (O included): how sure the model is of the
    # whole tagging, not just of the entities it found. None without NER or without words.
    ner_confidence: float | None = None
    # Per word with a prediction (in word order), the probabilities of every tag at its first sub-word:
    # what uncertainty sampling scores (core.active_learning). Not part of to_dict().
    word_tag_probabilities: np.ndarray | None = field(default=None, repr=False, compare=False)
    # Entity sentiment read on GIVEN spans (predict_words(..., spans=...)): per given span
    # {"label", "probabilities"}, or None for a span no sub-word of which the model read. Not part of
    # to_dict(); None when no spans were given or the model has no entity-sentiment head.
    span_sentiments: list[dict[str, Any] | None] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.entities is not None:
            out["entities"] = self.entities
            out["ner_confidence"] = self.ner_confidence
        if self.sentiment is not None:
            out["sentiment"] = self.sentiment
        if self.label_sets:
            out["label_sets"] = self.label_sets
        if self.truncated:
            out["truncated"] = True
        return out


@dataclass
class BackendOutput:
    """One batch through a backend, as float32 arrays."""

    token_logits: np.ndarray  # (batch, seq, tags)
    sequence_logits: np.ndarray  # (batch, classes)
    label_logits: dict[str, np.ndarray] = field(default_factory=dict)  # label set -> (batch, classes)
    # What span_sentiment() reads for this batch (the encoder states); None without the head.
    state: Any = None


class _Backend(Protocol):
    input_names: tuple[str, ...]
    has_entity_sentiment: bool

    def run(self, inputs: dict[str, np.ndarray]) -> BackendOutput:
        """Every head's logits for a padded batch."""

    def span_sentiment(self, state: Any, entity_spans: np.ndarray) -> np.ndarray:
        """(n, polarities) logits of the entity-sentiment head for spans (n, 3) int64
        [batch row, first sub-word, end sub-word) of the batch `state` came from."""


class _TorchBackend:
    def __init__(self, model: Any, device: str) -> None:
        import torch

        self._torch = torch
        self.model = model
        self.device = torch.device(device)
        self.input_names = ("input_ids", "attention_mask")  # token types default to one segment, as in training
        self.has_entity_sentiment = getattr(model, "entity_sentiment_head", None) is not None

    def run(self, inputs: dict[str, np.ndarray]) -> BackendOutput:
        torch = self._torch
        t = {k: torch.from_numpy(v).to(self.device) for k, v in inputs.items()}
        with torch.inference_mode():
            out = self.model(t["input_ids"], t["attention_mask"], t.get("token_type_ids"))
        return BackendOutput(out.token_logits.float().cpu().numpy(), out.sequence_logits.float().cpu().numpy(),
                             {k: v.float().cpu().numpy() for k, v in out.label_logits.items()},
                             out if self.has_entity_sentiment else None)

    def span_sentiment(self, state: Any, entity_spans: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            logits = self.model.span_sentiment_logits(state, torch.from_numpy(entity_spans).to(self.device))
        return logits.float().cpu().numpy()

    def __call__(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        out = self.run(inputs)
        return out.token_logits, out.sequence_logits


class _OnnxBackend:
    """model.onnx (or model.int8.onnx): the encoder and every document-level head; outputs token_logits,
    sequence_logits, label_logits_<i> per further label set (in labels.json order) and, with entity
    sentiment, the encoder states hidden and pooled that model.entity_sentiment.onnx (the span head,
    inputs hidden, pooled, entity_spans) reads (core/export.py)."""

    def __init__(self, path: Path, providers: Sequence[str] | None = None, threads: int | None = None, *,
                 label_sets: Sequence[str] = (), span_head: Path | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        # Idle worker threads sleep instead of spin-waiting for the next op: measured on 2 busy cores
        # (bench/inference_speed.py runs, README) spinning took the CPU the working thread needed,
        # 1.2-1.6x slower per CPU second (wall 10-30% slower) for ONNX fp32 and int8 alike.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = list(providers or ["CPUExecutionProvider"])
        self.session = ort.InferenceSession(str(path), options, providers=providers)
        self.input_names = tuple(i.name for i in self.session.get_inputs())
        outputs = [o.name for o in self.session.get_outputs()]
        if outputs[:2] != ["token_logits", "sequence_logits"]:
            raise ValueError(f"{path}: outputs are {outputs}, expected token_logits and sequence_logits")
        self.label_sets = tuple(label_sets)
        self._label_outputs = [label_output_name(i) for i in range(len(self.label_sets))]
        missing = [n for n in self._label_outputs if n not in outputs]
        if missing:
            raise ValueError(f"{path}: outputs are {outputs}; the label sets {list(self.label_sets)} need "
                             f"{self._label_outputs} (export the model again with --onnx)")
        self.has_entity_sentiment = span_head is not None
        self.span_session = None
        if span_head is not None:
            if not {"hidden", "pooled"} <= set(outputs):
                raise ValueError(f"{path}: outputs are {outputs}; entity sentiment needs hidden and pooled "
                                 "(export the model again with --onnx)")
            if not span_head.is_file():
                raise FileNotFoundError(f"{span_head} not found: export the model again with --onnx")
            self.span_session = ort.InferenceSession(str(span_head), options, providers=providers)
        self._outputs = ["token_logits", "sequence_logits", *self._label_outputs] \
            + (["hidden", "pooled"] if self.has_entity_sentiment else [])

    def run(self, inputs: dict[str, np.ndarray]) -> BackendOutput:
        feed = {k: inputs[k] for k in self.input_names}
        got = self.session.run(self._outputs, feed)
        labels = dict(zip(self.label_sets, got[2:2 + len(self.label_sets)]))
        state = tuple(got[2 + len(self.label_sets):]) if self.has_entity_sentiment else None
        return BackendOutput(got[0], got[1], labels, state)

    def span_sentiment(self, state: Any, entity_spans: np.ndarray) -> np.ndarray:
        assert self.span_session is not None
        hidden, pooled = state
        return self.span_session.run(["entity_sentiment_logits"], {
            "hidden": hidden, "pooled": pooled, "entity_spans": entity_spans.astype(np.int64)})[0]

    def __call__(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        out = self.run(inputs)
        return out.token_logits, out.sequence_logits


def label_output_name(index: int) -> str:
    """The ONNX output of the label set at `index` (a set's name may hold characters a name cannot)."""
    return f"label_logits_{index}"


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow warning for large negative logits


def _class_probabilities(classes: Sequence[str], probs: np.ndarray) -> dict[str, Any]:
    best = int(probs.argmax())
    return {"label": classes[best], "probabilities": {c: round(float(p), 6) for c, p in zip(classes, probs)}}


class Predictor:
    """Entities (with their polarity), sentiment and the further label sets for lists of texts, from a
    loaded model folder."""

    def __init__(self, backend: _Backend, tokenizer: Any, labels: dict[str, Any], config: dict[str, Any],
                 *, backend_name: str = "torch") -> None:
        self.backend = backend
        self.backend_name = backend_name
        self.tokenizer = tokenizer
        self.labels = labels
        self.config = config
        trained = tuple(config.get("tasks") or ("ner", "sentiment"))
        sets = {str(ls["name"]): ls for ls in labels.get("label_sets") or ()}
        # A head with no labels (a project without entity types) has nothing to predict either.
        self.tasks = tuple(t for t in trained if (t == "ner" and labels["entity_types"])
                           or (t == "sentiment" and labels["sentiment_classes"])
                           or (t == "entity_sentiment" and labels.get("entity_sentiment_classes")
                               and getattr(backend, "has_entity_sentiment", False))
                           or (t in sets and sets[t].get("classes")))
        # The label sets this predictor reports, in the project's order: (name, classes, multi_label, threshold).
        self.label_sets = tuple((name, tuple(ls["classes"]), bool(ls.get("multi_label")),
                                 float(ls.get("threshold", 0.5))) for name, ls in sets.items() if name in self.tasks)
        run = config.get("config") or {}
        limit = int(run.get("max_length") or DEFAULT_MAX_LENGTH)
        model_limit = getattr(tokenizer, "model_max_length", None)
        if isinstance(model_limit, int) and 0 < model_limit < 100_000:
            limit = min(limit, model_limit)
        self.max_length = limit

    # ---- public API ------------------------------------------------------------------------------

    def predict(self, texts: Iterable[str], batch_size: int = 32) -> list[Prediction]:
        """One Prediction per text, in input order."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of texts, not one string")
        texts = list(texts)  # may be a generator: iterated twice below
        return self.predict_words(texts, [tokenize(t) for t in texts], batch_size=batch_size)

    def predict_words(self, texts: Sequence[str], words: Sequence[Sequence[tuple[int, int]]],
                      batch_size: int = 32, *, spans: Sequence[Sequence[tuple[int, int]]] | None = None
                      ) -> list[Prediction]:
        """Like predict() with the word offsets given (documents of a project keep their import tokens).

        spans: per text, character spans (start, end) to read the entity-sentiment head on (gold spans,
        for scoring it apart from NER); the result is Prediction.span_sentiments."""
        from mtl_studio.core.features import LabelMaps, encode_documents, sorted_batches
        from mtl_studio.core.schema import Document, Span

        if len(texts) != len(words) or (spans is not None and len(spans) != len(texts)):
            raise ValueError("texts, words (and spans) must have the same length")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        do_entity = "entity_sentiment" in self.tasks
        docs = [Document(text=t, tokens=[tuple(w) for w in ws],
                         spans=[Span(int(a), int(b), "ENTITY") for a, b in spans[k]] if spans is not None and do_entity
                         else []) for k, (t, ws) in enumerate(zip(texts, words))]
        labels = LabelMaps.from_dict(self.labels)
        # The training encoder: pre-split words, first sub-word per word, long texts in word windows.
        enc = encode_documents(docs, self.tokenizer, labels, max_length=self.max_length, tasks=(), for_training=False)
        token_probs: list[np.ndarray | None] = [None] * len(enc.examples)
        sent_probs: list[np.ndarray | None] = [None] * len(enc.examples)
        set_probs: list[dict[str, np.ndarray]] = [{} for _ in enc.examples]
        window_spans: list[list[tuple[Any, np.ndarray]]] = [[] for _ in enc.examples]
        given: list[np.ndarray | None] = [None] * len(enc.examples)
        n_tags, n_classes = len(self.labels["ner_tags"]), len(self.labels["sentiment_classes"])
        polarities = list(labels.entity_sentiment_classes)
        for idx in sorted_batches(enc.lengths(), batch_size):  # length-sorted: little padding
            examples = [enc.examples[i] for i in idx]
            out = self.backend.run(self._inputs(examples))
            for b, (i, e) in enumerate(zip(idx, examples)):
                if "ner" in self.tasks:
                    token_probs[i] = _softmax(out.token_logits[b, :e.length, :n_tags].astype(np.float64))
                if "sentiment" in self.tasks:
                    sent_probs[i] = _softmax(out.sequence_logits[b, :n_classes].astype(np.float64))
                for name, classes, multi, _ in self.label_sets:
                    logits = out.label_logits[name][b, :len(classes)].astype(np.float64)
                    set_probs[i][name] = _sigmoid(logits) if multi else _softmax(logits)
            if do_entity:
                self._span_polarities(out, idx, enc, token_probs, polarities, window_spans, given)
        per_doc: dict[int, list[int]] = {}
        for i, e in enumerate(enc.examples):  # ordered by (document, window)
            per_doc.setdefault(e.doc_index, []).append(i)
        results = []
        for d, (text, doc_words) in enumerate(zip(texts, enc.words)):
            ex = per_doc.get(d, [])
            pred = Prediction(text=text, truncated=len(ex) > 1)
            if "ner" in self.tasks:
                rows = np.concatenate([token_probs[i] for i in ex]) if ex else np.zeros((0, n_tags))
                word_ids = [w for i in ex for w in enc.examples[i].word_ids]
                pred.entities, pred.ner_confidence, pred.word_tag_probabilities = self._entities(
                    text, doc_words, rows, word_ids)
                if do_entity:
                    _attach_polarities(pred.entities, [s for i in ex for s in window_spans[i]], polarities)
            if "sentiment" in self.tasks and ex:
                pred.sentiment = self._sentiment(sent_probs[ex[0]])  # the first window, as in training
            for name, classes, multi, threshold in self.label_sets:
                if ex:
                    pred.label_sets[name] = _label_set_output(classes, set_probs[ex[0]][name], multi, threshold)
            if do_entity and spans is not None:
                pred.span_sentiments = self._given_span_sentiments(len(spans[d]), ex, enc, given, polarities)
            results.append(pred)
        return results

    # ---- internals -------------------------------------------------------------------------------

    def _inputs(self, examples: list[Any]) -> dict[str, np.ndarray]:
        """Dynamic padding to the longest example of the batch."""
        width = max(e.length for e in examples)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        input_ids = np.full((len(examples), width), pad, dtype=np.int64)
        mask = np.zeros((len(examples), width), dtype=np.int64)
        for b, e in enumerate(examples):
            input_ids[b, :e.length] = e.input_ids
            mask[b, :e.length] = 1
        inputs = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self.backend.input_names:
            inputs["token_type_ids"] = np.zeros_like(input_ids)  # one segment, as in training
        return inputs

    def _span_polarities(self, out: BackendOutput, idx: Sequence[int], enc: Any, token_probs: list[Any],
                         polarities: Sequence[str], window_spans: list[list[tuple[Any, np.ndarray]]],
                         given: list[np.ndarray | None]) -> None:
        """The entity-sentiment head on this batch's spans, from the same encoder pass: each window's
        decoded entities (as core.evaluate.predict_documents does) and the given spans."""
        from mtl_studio.core.features import decode_token_predictions, span_sub_word_rows

        rows: list[list[int]] = []
        owners: list[tuple[int, Any]] = []  # (example, decoded Span) or (example, None) for given spans
        for b, i in enumerate(idx):
            ex = enc.examples[i]
            rows += [[b, first, end] for first, end in ex.entity_spans]
            owners += [(i, None)] * len(ex.entity_spans)
            if "ner" not in self.tasks:
                continue
            words = enc.words[ex.doc_index]
            _, decoded = decode_token_predictions(token_probs[i], ex.word_ids, words, self.labels["ner_tags"])
            for row, span in span_sub_word_rows(b, ex.word_ids, words, decoded):
                rows.append(row)
                owners.append((i, span))
        if not rows:
            return
        probs = _softmax(self.backend.span_sentiment(out.state, np.asarray(rows, dtype=np.int64))
                         [:, :len(polarities)].astype(np.float64))
        for i in dict.fromkeys(i for i, span in owners if span is None):
            given[i] = np.stack([p for (j, span), p in zip(owners, probs) if j == i and span is None])
        for (i, span), p in zip(owners, probs):
            if span is not None:
                window_spans[i].append((span, p))

    @staticmethod
    def _given_span_sentiments(n: int, ex: Sequence[int], enc: Any, given: list[np.ndarray | None],
                               polarities: Sequence[str]) -> list[dict[str, Any] | None]:
        out: list[dict[str, Any] | None] = [None] * n
        for i in ex:
            if given[i] is None:
                continue
            for k, probs in zip(enc.examples[i].entity_span_index, given[i]):
                if out[k] is None:  # a span cut by a window boundary: its first window
                    out[k] = _class_probabilities(polarities, probs)
        return out

    def _entities(self, text: str, words: Sequence[tuple[int, int]], probs: np.ndarray,
                  word_ids: list[int | None]) -> tuple[list[dict[str, Any]], float | None, np.ndarray]:
        from mtl_studio.core.features import decode_token_predictions

        _, spans = decode_token_predictions(probs, word_ids, words, self.labels["ner_tags"])
        entities = [{"start": s.start, "end": s.end, "label": s.label, "text": text[s.start:s.end],
                     "score": round(float(s.confidence or 0.0), 6)} for s in spans]
        positions = [p for p in first_subword_positions(word_ids, len(words)) if p is not None]
        word_probs = probs[positions] if positions else np.zeros((0, probs.shape[1]))
        scored = word_probs.max(axis=1) if positions else ()
        return entities, (round(float(min(scored)), 6) if positions else None), word_probs

    def _sentiment(self, probs: np.ndarray) -> dict[str, Any]:
        return _class_probabilities(self.labels["sentiment_classes"], probs)


def _attach_polarities(entities: list[dict[str, Any]], window_spans: list[tuple[Any, np.ndarray]],
                       polarities: Sequence[str]) -> None:
    """Give each entity the polarity the head read on the same span in its window, or on the window span
    it starts in (an entity that only the whole text's decoding forms: it crosses a window edge)."""
    exact = {(s.start, s.end): p for s, p in window_spans}
    for entity in entities:
        probs = exact.get((entity["start"], entity["end"]))
        if probs is None:
            probs = next((p for s, p in window_spans if s.start <= entity["start"] < s.end), None)
        if probs is not None:
            entity["sentiment"] = _class_probabilities(polarities, probs)


def _label_set_output(classes: Sequence[str], probs: np.ndarray, multi_label: bool,
                      threshold: float) -> dict[str, Any]:
    if multi_label:
        chosen = sorted((i for i, p in enumerate(probs) if p >= threshold), key=lambda i: -probs[i])
    else:
        chosen = [int(probs.argmax())]
    return {"labels": [classes[i] for i in chosen],
            "probabilities": {c: round(float(p), 6) for c, p in zip(classes, probs)}}


def _resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def load(folder: str | os.PathLike[str], device: str = "cpu", backend: str = "torch", *,
         threads: int | None = None) -> Predictor:
    """A Predictor for an exported model folder (or a run's checkpoint folder).

    backend "torch" rebuilds the PyTorch model from safetensors; "onnx" runs model.onnx with onnxruntime
    (pip install 'mtl-studio[onnx]'; export with --onnx), on CPU unless device is "cuda"; "onnx-int8"
    runs model.int8.onnx (export with --int8); "auto" takes the fastest of these the folder has
    (core.backend_choice). threads: CPU threads of the onnxruntime session (torch uses
    torch.set_num_threads, a process-wide setting).
    """
    folder = Path(folder)
    if backend == "auto":
        from mtl_studio.core.backend_choice import fastest_backend

        backend = fastest_backend(folder, _resolve_device(device))
    if backend == "torch":
        loaded = load_model_folder(folder, device=_resolve_device(device))
        return Predictor(_TorchBackend(loaded.model, _resolve_device(device)), loaded.tokenizer, loaded.labels,
                         loaded.config, backend_name="torch")
    if backend in ("onnx", "onnx-int8"):
        (AutoTokenizer,) = transformers_names("AutoTokenizer")

        from mtl_studio.core.onnx_quant import ONNX_INT8_FILE

        labels, config = read_folder_metadata(folder)
        path = folder / (ONNX_FILE if backend == "onnx" else ONNX_INT8_FILE)
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: export the model with --onnx"
                                    + (" --int8" if backend == "onnx-int8" else ""))
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.startswith("cuda") else None
        tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True, trust_remote_code=False)
        sets = [str(ls["name"]) for ls in labels.get("label_sets") or ()]
        span_head = folder / ONNX_SPAN_HEAD_FILE if labels.get("entity_sentiment_classes") else None
        return Predictor(_OnnxBackend(path, providers, threads, label_sets=sets, span_head=span_head), tokenizer,
                         labels, config, backend_name=backend)
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


__all__ = ["BACKENDS", "BackendOutput", "ONNX_FILE", "ONNX_SPAN_HEAD_FILE", "Prediction", "Predictor", "load"]
