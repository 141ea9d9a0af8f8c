"""Use an exported MTL Studio model outside the studio: no Qt, no project.

    import mtl_studio.inference as inf
    model = inf.load("path/to/exported-model")          # or backend="onnx" when model.onnx is there
    for p in model.predict(["Apple shares rose 5% in Berlin."]):
        print(p.entities, p.sentiment)                   # or p.to_dict()

Entities carry character offsets (code points, end-exclusive) into the text as given, the entity type,
the covered text and a score (the mean probability of the predicted tag over the entity's words).
Sentiment carries the predicted class and the probability of every class. A task the model was not
trained for is left out (None / absent from to_dict()).

Texts are split into words exactly as in training (mtl_studio.core.tokenize.tokenize), each word is read
at its first sub-word, and ill-formed BIO is repaired (an I- without a B- starts an entity). Texts longer
than the model's max_length (in sub-words) are truncated: words past the limit get no entity
prediction and the prediction says `truncated`.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from mtl_studio.core.artifacts import load_model_folder, read_folder_metadata
from mtl_studio.core.decode import decode_token_predictions, first_subword_positions
from mtl_studio.core.tokenize import tokenize

ONNX_FILE = "model.onnx"
DEFAULT_MAX_LENGTH = 256


@dataclass
class Prediction:
    text: str
    # [{"start", "end", "label", "text", "score"}]; None when the model has no NER task.
    entities: list[dict[str, Any]] | None = None
    # {"label", "probabilities": {class: p}}; None when the model has no sentiment task.
    sentiment: dict[str, Any] | None = None
    truncated: bool = False  # the text was longer than max_length sub-words; its tail got no entities
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
        self.input_names = ("input_ids", "attention_mask", "token_type_ids")

    def __call__(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        torch = self._torch
        t = {k: torch.from_numpy(v).to(self.device) for k, v in inputs.items()}
        with torch.inference_mode():
            out = self.model(t["input_ids"], t["attention_mask"], t.get("token_type_ids"))
        return (out.token_logits.float().cpu().numpy(), out.sequence_logits.float().cpu().numpy())


class _OnnxBackend:
    def __init__(self, path: Path, providers: Sequence[str] | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
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

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[Prediction]:
        """One Prediction per text, in input order."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of texts, not one string")
        return self.predict_words(list(texts), [tokenize(t) for t in texts], batch_size=batch_size)

    def predict_words(self, texts: Sequence[str], words: Sequence[Sequence[tuple[int, int]]],
                      batch_size: int = 32) -> list[Prediction]:
        """Like predict() with the word offsets given (documents of a project keep their import tokens)."""
        if len(texts) != len(words):
            raise ValueError("texts and words must have the same length")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        results: list[Prediction | None] = [None] * len(texts)
        # Length-sorted batches pad less (dynamic padding); results go back to input order.
        order = sorted(range(len(texts)), key=lambda i: len(words[i]))
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            for i, pred in zip(idx, self._predict_batch([texts[i] for i in idx], [words[i] for i in idx])):
                results[i] = pred
        return [r for r in results if r is not None]

    # ---- internals -------------------------------------------------------------------------------

    def _encode(self, texts: list[str], words: list[Sequence[tuple[int, int]]]) -> Any:
        word_lists = [[text[s:e] for s, e in offsets] for text, offsets in zip(texts, words)]
        return self.tokenizer(word_lists, is_split_into_words=True, truncation=True, max_length=self.max_length,
                              padding=True, return_tensors="np")

    def _predict_batch(self, texts: list[str], words: list[Sequence[tuple[int, int]]]) -> list[Prediction]:
        enc = self._encode(texts, words)
        inputs = {k: np.asarray(enc[k], dtype=np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")
                  if k in enc and k in self.backend.input_names}
        token_logits, sequence_logits = self.backend(inputs)
        out: list[Prediction] = []
        for b, (text, offsets) in enumerate(zip(texts, words)):
            pred = Prediction(text=text)
            word_ids = enc.word_ids(b)
            positions = first_subword_positions(word_ids, len(offsets))
            real_len = int(inputs["attention_mask"][b].sum())
            # Truncated: the sequence is full and the last word got no sub-word.
            pred.truncated = real_len >= self.max_length and bool(positions) and positions[-1] is None
            if "ner" in self.tasks:
                pred.entities, pred.ner_confidence = self._entities(text, offsets, positions, token_logits[b])
            if "sentiment" in self.tasks:
                pred.sentiment = self._sentiment(sequence_logits[b])
            out.append(pred)
        return out

    def _entities(self, text: str, offsets: Sequence[tuple[int, int]], positions: list[int | None],
                  logits: np.ndarray) -> tuple[list[dict[str, Any]], float | None]:
        tags = self.labels["ner_tags"]
        probs = _softmax(logits[:, :len(tags)].astype(np.float64))
        tag_ids = [None if p is None else int(probs[p].argmax()) for p in positions]
        scores = [None if p is None else float(probs[p].max()) for p in positions]
        entities = [{"start": e.start, "end": e.end, "label": e.label, "text": text[e.start:e.end],
                     "score": round(e.score, 6)}
                    for e in decode_token_predictions(tag_ids, scores, tags, offsets)]
        scored = [x for x in scores if x is not None]
        return entities, (round(min(scored), 6) if scored else None)

    def _sentiment(self, logits: np.ndarray) -> dict[str, Any]:
        classes = self.labels["sentiment_classes"]
        probs = _softmax(logits[:len(classes)].astype(np.float64))
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


def load(folder: str | os.PathLike[str], device: str = "cpu", backend: str = "torch") -> Predictor:
    """A Predictor for an exported model folder (or a run's checkpoint folder).

    backend "torch" rebuilds the PyTorch model from safetensors; "onnx" runs model.onnx with onnxruntime
    (pip install 'mtl-studio[onnx]'; export with --onnx), on CPU unless device is "cuda".
    """
    folder = Path(folder)
    if backend == "torch":
        loaded = load_model_folder(folder, device=_resolve_device(device))
        return Predictor(_TorchBackend(loaded.model, _resolve_device(device)), loaded.tokenizer, loaded.labels,
                         loaded.config, backend_name="torch")
    if backend == "onnx":
        from transformers import AutoTokenizer

        labels, config = read_folder_metadata(folder)
        path = folder / ONNX_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: export the model with --onnx")
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.startswith("cuda") else None
        tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True, trust_remote_code=False)
        return Predictor(_OnnxBackend(path, providers), tokenizer, labels, config, backend_name="onnx")
    raise ValueError(f"backend must be 'torch' or 'onnx', not {backend!r}")


__all__ = ["Prediction", "Predictor", "load"]
