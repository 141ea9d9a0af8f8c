"""Use an exported MTL Studio model outside the studio: no Qt, no project.

    import mtl_studio.inference as inf
    model = inf.load("path/to/exported-model")          # or backend="onnx" when model.onnx is there
    for p in model.predict(["Apple shares rose 5% in Berlin."]):
        print(p.entities, p.sentiment)                   # or p.to_dict()

Entities carry character offsets (code points, end-exclusive) into the text as given, the entity type,
the covered text and a score (the mean probability of the predicted tag over the entity's words).
Sentiment carries the predicted class and the probability of every class. A task the model was not
trained for is left out (None / absent from to_dict()).

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
from .decode import first_subword_positions
from .tokenize import tokenize

ONNX_FILE = "model.onnx"
DEFAULT_MAX_LENGTH = 256
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")


@dataclass
class Prediction:
    text: str
    # [{"start", "end", "label", "text", "score"}]; None when the model has no NER task.
    entities: list[dict[str, Any]] | None = None
    # {"label", "probabilities": {class: p}}; None when the model has no sentiment task.
    sentiment: dict[str, Any] | None = None
    # The text was longer than max_length sub-words: entities were read in consecutive windows (as in
    # training), sentiment from the first window only.
    truncated: bool = False
    # The lowest probability of any word's predicted tag (O included): how sure the model is of the
    # whole tagging, not just of the entities it found. None without NER or without words.
    ner_confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.entities is not None:
            out["entities"] = self.entities
            out["ner_confidence"] = self.ner_confidence
        if self.sentiment is not None:
            out["sentiment"] = self.sentiment
        if self.truncated:
            out["truncated"] = True
        return out


class _Backend(Protocol):
    input_names: tuple[str, ...]

    def __call__(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(token_logits (batch, seq, tags), sequence_logits (batch, classes)) as float32 arrays."""


class _TorchBackend:
    def __init__(self, model: Any, device: str) -> None:
        import torch

        self._torch = torch
        self.model = model
        self.device = torch.device(device)
        self.input_names = ("input_ids", "attention_mask")  # token types default to one segment, as in training

    def __call__(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        torch = self._torch
        t = {k: torch.from_numpy(v).to(self.device) for k, v in inputs.items()}
        with torch.inference_mode():
            out = self.model(t["input_ids"], t["attention_mask"], t.get("token_type_ids"))
        return (out.token_logits.float().cpu().numpy(), out.sequence_logits.float().cpu().numpy())


class _OnnxBackend:
    def __init__(self, path: Path, providers: Sequence[str] | None = None, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        # Idle worker threads sleep instead of spin-waiting for the next op: measured on 2 busy cores
        # (bench/inference_speed.py runs, README) spinning took the CPU the working thread needed,
        # 1.2-1.6x slower per CPU second (wall 10-30% slower) for ONNX fp32 and int8 alike.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options,
                                            providers=list(providers or ["CPUExecutionProvider"]))
        self.input_names = tuple(i.name for i in self.session.get_inputs())
        outputs = [o.name for o in self.session.get_outputs()]
        if outputs[:2] != ["token_logits", "sequence_logits"]:
            raise ValueError(f"{path}: outputs are {outputs}, expected token_logits and sequence_logits")

    def __call__(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        feed = {k: inputs[k] for k in self.input_names}
        token_logits, sequence_logits = self.session.run(["token_logits", "sequence_logits"], feed)
        return token_logits, sequence_logits


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


class Predictor:
    """Entities and sentiment for lists of texts, from a loaded model folder."""

    def __init__(self, backend: _Backend, tokenizer: Any, labels: dict[str, list[str]], config: dict[str, Any],
                 *, backend_name: str = "torch") -> None:
        self.backend = backend
        self.backend_name = backend_name
        self.tokenizer = tokenizer
        self.labels = labels
        self.config = config
        trained = tuple(config.get("tasks") or ("ner", "sentiment"))
        # A head with no labels (a project without entity types) has nothing to predict either.
        self.tasks = tuple(t for t in trained if (t == "ner" and labels["entity_types"])
                           or (t == "sentiment" and labels["sentiment_classes"]))
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
                      batch_size: int = 32) -> list[Prediction]:
        """Like predict() with the word offsets given (documents of a project keep their import tokens)."""
        from mtl_studio.core.features import LabelMaps, document_words, encode_documents, sorted_batches
        from mtl_studio.core.schema import Document

        if len(texts) != len(words):
            raise ValueError("texts and words must have the same length")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        docs = [Document(text=t, tokens=[tuple(w) for w in ws]) for t, ws in zip(texts, words)]
        # The training encoder: pre-split words, first sub-word per word, long texts in word windows.
        enc = encode_documents(docs, self.tokenizer, LabelMaps.from_dict(self.labels), max_length=self.max_length,
                               tasks=(), for_training=False)
        token_probs: list[np.ndarray | None] = [None] * len(enc.examples)
        sent_probs: list[np.ndarray | None] = [None] * len(enc.examples)
        n_tags, n_classes = len(self.labels["ner_tags"]), len(self.labels["sentiment_classes"])
        for idx in sorted_batches(enc.lengths(), batch_size):  # length-sorted: little padding
            examples = [enc.examples[i] for i in idx]
            token_logits, sequence_logits = self.backend(self._inputs(examples))
            for b, (i, e) in enumerate(zip(idx, examples)):
                if "ner" in self.tasks:
                    token_probs[i] = _softmax(token_logits[b, :e.length, :n_tags].astype(np.float64))
                if "sentiment" in self.tasks:
                    sent_probs[i] = _softmax(sequence_logits[b, :n_classes].astype(np.float64))
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
                pred.entities, pred.ner_confidence = self._entities(text, doc_words, rows, word_ids)
            if "sentiment" in self.tasks and ex:
                pred.sentiment = self._sentiment(sent_probs[ex[0]])  # the first window, as in training
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

    def _entities(self, text: str, words: Sequence[tuple[int, int]], probs: np.ndarray,
                  word_ids: list[int | None]) -> tuple[list[dict[str, Any]], float | None]:
        from mtl_studio.core.features import decode_token_predictions

        _, spans = decode_token_predictions(probs, word_ids, words, self.labels["ner_tags"])
        entities = [{"start": s.start, "end": s.end, "label": s.label, "text": text[s.start:s.end],
                     "score": round(float(s.confidence or 0.0), 6)} for s in spans]
        scored = [float(probs[p].max()) for p in first_subword_positions(word_ids, len(words)) if p is not None]
        return entities, (round(min(scored), 6) if scored else None)

    def _sentiment(self, probs: np.ndarray) -> dict[str, Any]:
        classes = self.labels["sentiment_classes"]
        best = int(probs.argmax())
        return {"label": classes[best], "probabilities": {c: round(float(p), 6) for c, p in zip(classes, probs)}}


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
        from transformers import AutoTokenizer

        from mtl_studio.core.onnx_quant import ONNX_INT8_FILE

        labels, config = read_folder_metadata(folder)
        path = folder / (ONNX_FILE if backend == "onnx" else ONNX_INT8_FILE)
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: export the model with --onnx"
                                    + (" --int8" if backend == "onnx-int8" else ""))
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.startswith("cuda") else None
        tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True, trust_remote_code=False)
        return Predictor(_OnnxBackend(path, providers, threads), tokenizer, labels, config, backend_name=backend)
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


__all__ = ["Prediction", "Predictor", "load"]
