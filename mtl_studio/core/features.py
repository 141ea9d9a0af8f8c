"""Documents -> model features, length-grouped batches, and token outputs -> word tags and spans.

Words are the document's stored tokens (the tokens a CoNLL file gave, or `tokenize(text)` for raw text),
encoded with the model's fast tokenizer as pre-split words so that every word maps to its sub-words
exactly. Only the FIRST sub-word of a word carries its BIO label; later pieces and special tokens are
-100 (ignored by the loss), as in transformers' token-classification recipe.

Partial labels: a document without NER annotation gets -100 everywhere (it adds nothing to the NER
loss), one without a sentiment label gets sentiment -100. Silver (pseudo) labels fill a missing task
only when `silver_weight > 0`, with that per-example weight; gold always wins.

Long documents: a document longer than `max_length` sub-words is cut into consecutive word windows
that each fit (the NER labels of every word are kept); its sentiment is read from the first window
only. `EncodingStats` counts them so the caller can say so.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .decode import first_subword_positions, repair_bio
from .decode import decode_token_predictions as decode_word_predictions
from .schema import Document, SentimentLabel, Span, ValidationError
from .tokenize import spans_to_tags, tokenize

IGNORE = -100  # label value the losses skip (transformers' convention)


# ---- label maps ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class LabelMaps:
    """The label spaces of the two heads, in the project's schema order (stored as labels.json)."""

    entity_types: tuple[str, ...]
    sentiment_classes: tuple[str, ...]

    @property
    def ner_tags(self) -> list[str]:
        tags = ["O"]
        for t in self.entity_types:
            tags += [f"B-{t}", f"I-{t}"]
        return tags

    @property
    def tag_to_id(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.ner_tags)}

    @property
    def class_to_id(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.sentiment_classes)}

    def to_dict(self) -> dict[str, list[str]]:
        return {"ner_tags": self.ner_tags, "entity_types": list(self.entity_types),
                "sentiment_classes": list(self.sentiment_classes)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "LabelMaps":
        maps = cls(tuple(d.get("entity_types") or ()), tuple(d.get("sentiment_classes") or ()))
        if d.get("ner_tags") and list(d["ner_tags"]) != maps.ner_tags:
            raise ValidationError(f"ner_tags {d['ner_tags']} do not follow entity_types {maps.entity_types}")
        return maps

    @classmethod
    def from_store(cls, store: Any) -> "LabelMaps":
        return cls(tuple(store.entity_type_names()), tuple(store.sentiment_class_names()))


# ---- per-document label selection ------------------------------------------------------------------

def document_words(doc: Document) -> list[tuple[int, int]]:
    """The word offsets of a document: its stored tokens, or tokenize(text) when it has none."""
    return [tuple(t) for t in doc.tokens] if doc.tokens else tokenize(doc.text)  # type: ignore[misc]


def _latest_run(items: Iterable[Any]) -> str | None:
    # Run ids start with a timestamp, so the largest one is the most recent pseudo-labelling run.
    runs = [x.run_id or "" for x in items]
    return max(runs) if runs else None


def silver_spans(doc: Document) -> list[Span] | None:
    """The silver NER annotation of a document (its most recent pseudo-labelling run), or None.

    A document counts as silver-labelled for NER when it has silver spans, or when pseudo-labelling
    marked it with meta["silver_ner"] (a confident "no entities here" leaves no span to find)."""
    silver = [s for s in doc.other_spans if s.source == "silver"]
    if silver:
        run = _latest_run(silver)
        return [s for s in silver if (s.run_id or "") == run]
    return [] if doc.meta.get("silver_ner") else None


def silver_sentiment(doc: Document) -> SentimentLabel | None:
    silver = [s for s in doc.other_sentiments if s.source == "silver"]
    if not silver:
        return None
    run = _latest_run(silver)
    return next(s for s in silver if (s.run_id or "") == run)


# ---- encoded examples ----------------------------------------------------------------------------

@dataclass
class Example:
    """One model input: a document, or one window of a long document."""

    doc_index: int  # position of the document in EncodedDataset.documents
    window: int  # 0 for the first (or only) window
    input_ids: list[int]
    word_ids: list[int | None]  # per position: index of the word in the DOCUMENT, None for special tokens
    ner_labels: list[int]  # per position: tag id at a word's first sub-word, IGNORE elsewhere/unlabelled
    sentiment: int = IGNORE  # class id, IGNORE when unlabelled (or not the first window)
    # How much this example counts in each task's loss: 1 gold, TrainConfig.silver_weight silver, 0 no
    # labels. Not the task weights (TrainConfig.ner_weight / sentiment_weight), which the strategy applies.
    ner_example_weight: float = 0.0
    sentiment_example_weight: float = 0.0

    @property
    def length(self) -> int:
        return len(self.input_ids)

    @property
    def has_ner(self) -> bool:
        return self.ner_example_weight > 0

    @property
    def has_sentiment(self) -> bool:
        return self.sentiment != IGNORE and self.sentiment_example_weight > 0


@dataclass
class EncodingStats:
    documents: int = 0
    examples: int = 0
    long_documents: int = 0  # longer than max_length sub-words (windows for NER, first window for sentiment)
    words_without_subwords: int = 0  # words the tokenizer dropped (control characters): read as O
    ner_documents: int = 0  # documents contributing to the NER loss (gold + silver)
    sentiment_documents: int = 0
    silver_ner_documents: int = 0
    silver_sentiment_documents: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def describe(self, max_length: int) -> list[str]:
        """Human sentences about what encoding did to the data (for log messages)."""
        out = []
        if self.long_documents:
            out.append(f"{self.long_documents} document(s) are longer than {max_length} sub-word tokens: NER reads "
                       f"them in consecutive windows, sentiment reads the first {max_length} tokens")
        if self.words_without_subwords:
            out.append(f"{self.words_without_subwords} word(s) produce no sub-word token with this tokenizer "
                       "(e.g. control or zero-width characters): they are read as O")
        return out


@dataclass
class EncodedDataset:
    documents: list[Document]
    words: list[list[tuple[int, int]]]  # per document: word offsets
    examples: list[Example]
    stats: EncodingStats = field(default_factory=EncodingStats)

    def lengths(self) -> list[int]:
        return [e.length for e in self.examples]

    def kinds(self) -> list[tuple[bool, bool]]:
        """Per example: (has NER labels, has a sentiment label), for task-homogeneous batches."""
        return [(e.has_ner, e.has_sentiment) for e in self.examples]

    def task_documents(self) -> dict[str, int]:
        return {"ner": self.stats.ner_documents, "sentiment": self.stats.sentiment_documents}


def encode_documents(docs: Sequence[Document], tokenizer: Any, labels: LabelMaps, *, max_length: int = 256,
                     tasks: Sequence[str] = ("ner", "sentiment"), silver_weight: float = 0.0,
                     for_training: bool = True) -> EncodedDataset:
    """Encode documents for the model.

    for_training=True: a document labelled for no task in `tasks` is left out, and a sentiment-only long
    document keeps only its first window. for_training=False (prediction): every document and every
    window is kept; labels are still filled in where known.
    Gold labels only when silver_weight == 0; silver fills a missing task otherwise (never both).
    """
    if max_length < 8:
        raise ValueError(f"max_length {max_length} is too small")
    use_ner = "ner" in tasks and bool(labels.entity_types)
    use_sent = "sentiment" in tasks and bool(labels.sentiment_classes)
    stats = EncodingStats()
    kept_docs: list[Document] = []
    kept_words: list[list[tuple[int, int]]] = []
    # Per kept document: (ner tag ids per word or None, ner weight, sentiment id, sentiment weight).
    targets: list[tuple[list[int] | None, float, int, float]] = []
    for doc in docs:
        words = document_words(doc)
        ner_ids, ner_w = _ner_target(doc, words, labels, silver_weight, stats) if use_ner else (None, 0.0)
        sent_id, sent_w = _sentiment_target(doc, labels, silver_weight, stats) if use_sent else (IGNORE, 0.0)
        if for_training and ner_ids is None and sent_id == IGNORE:
            continue
        stats.ner_documents += ner_ids is not None
        stats.sentiment_documents += sent_id != IGNORE
        kept_docs.append(doc)
        kept_words.append(words)
        targets.append((ner_ids, ner_w, sent_id, sent_w))

    examples: list[Example] = []
    word_texts = [[d.text[s:e] for s, e in w] for d, w in zip(kept_docs, kept_words)]
    # One batched call for all documents (the Rust tokenizer is fast); long ones are re-encoded in windows.
    enc = _tokenize_words(tokenizer, word_texts, truncation=False) if word_texts else None
    n_special = tokenizer.num_special_tokens_to_add(pair=False)
    budget = max_length - n_special
    windowed: list[tuple[int, int, list[str]]] = []  # (doc index, first word, words)
    for i, words in enumerate(word_texts):
        ids = enc["input_ids"][i]
        word_ids = enc.word_ids(i)
        seen = {w for w in word_ids if w is not None}
        stats.words_without_subwords += len(words) - len(seen)
        if len(ids) <= max_length:
            examples.append(_example(i, 0, ids, word_ids, 0, targets[i]))
            continue
        stats.long_documents += 1
        pieces = [0] * len(words)
        for w in word_ids:
            if w is not None:
                pieces[w] += 1
        chunks = _word_windows(pieces, budget)
        if for_training and targets[i][0] is None:
            chunks = chunks[:1]  # sentiment-only: only the first window carries a label
        windowed += [(i, start, words[start:end]) for start, end in chunks]
    if windowed:
        wenc = _tokenize_words(tokenizer, [w for _, _, w in windowed], truncation=True, max_length=max_length)
        counters: dict[int, int] = {}
        for j, (i, start, _) in enumerate(windowed):
            window = counters.get(i, 0)
            counters[i] = window + 1
            examples.append(_example(i, window, wenc["input_ids"][j], wenc.word_ids(j), start, targets[i]))
        examples.sort(key=lambda e: (e.doc_index, e.window))
    stats.documents = len(kept_docs)
    stats.examples = len(examples)
    return EncodedDataset(kept_docs, kept_words, examples, stats)


def _ner_target(doc: Document, words: list[tuple[int, int]], labels: LabelMaps, silver_weight: float,
                stats: EncodingStats) -> tuple[list[int] | None, float]:
    """(tag id per word, example weight) of a document for the NER loss; (None, 0) when it has no NER
    label: gold when NER-labelled, else silver spans if silver_weight > 0."""
    spans: list[Span] | None = doc.spans if doc.ner_labelled else None
    weight = 1.0
    if spans is None and silver_weight > 0:
        spans, weight = silver_spans(doc), silver_weight
        stats.silver_ner_documents += spans is not None
    if spans is None:
        return None, 0.0
    try:
        return [labels.tag_to_id[t] for t in spans_to_tags(spans, words)], weight
    except KeyError as e:
        raise ValidationError(f"document {doc.id}: entity type {str(e.args[0])[2:]!r} is not in the "
                              f"label schema {list(labels.entity_types)}") from None


def _sentiment_target(doc: Document, labels: LabelMaps, silver_weight: float,
                      stats: EncodingStats) -> tuple[int, float]:
    """(class id, example weight) of a document for the sentiment loss; (IGNORE, 0) when it has none."""
    sl, weight = doc.sentiment, 1.0
    if sl is None and silver_weight > 0:
        sl, weight = silver_sentiment(doc), silver_weight
        stats.silver_sentiment_documents += sl is not None
    if sl is None:
        return IGNORE, 0.0
    if sl.label not in labels.class_to_id:
        raise ValidationError(f"document {doc.id}: sentiment {sl.label!r} is not one of "
                              f"{list(labels.sentiment_classes)}")
    return labels.class_to_id[sl.label], weight


def _tokenize_words(tokenizer: Any, word_lists: list[list[str]], *, truncation: bool,
                    max_length: int | None = None) -> Any:
    try:
        return tokenizer(word_lists, is_split_into_words=True, truncation=truncation, max_length=max_length,
                         add_special_tokens=True, return_token_type_ids=False, return_attention_mask=False,
                         verbose=False)
    except (ValueError, TypeError) as e:
        # Byte-level BPE tokenizers (RoBERTa, GPT-2) need add_prefix_space=True for pre-split words.
        if "add_prefix_space" in str(e):
            raise ValidationError(
                "this encoder's tokenizer needs add_prefix_space=True for word-level labels; save the "
                "tokenizer with add_prefix_space=True in its folder and train from that folder") from e
        raise


def _word_windows(pieces: list[int], budget: int) -> list[tuple[int, int]]:
    """Greedy consecutive word ranges whose sub-word counts fit `budget` (a longer word gets its own
    window and is truncated by the tokenizer)."""
    chunks: list[tuple[int, int]] = []
    start, used = 0, 0
    for w, n in enumerate(pieces):
        if used and used + n > budget:
            chunks.append((start, w))
            start, used = w, 0
        used += n
    chunks.append((start, len(pieces)))
    return chunks


def _example(doc_index: int, window: int, ids: list[int], local_word_ids: list[int | None], word_offset: int,
             target: tuple[list[int] | None, float, int, float]) -> Example:
    ner_ids, ner_w, sent_id, sent_w = target
    word_ids = [None if w is None else w + word_offset for w in local_word_ids]
    labels = [IGNORE] * len(ids)
    if ner_ids is not None:
        prev = None
        for pos, w in enumerate(word_ids):
            if w is not None and w != prev:
                labels[pos] = ner_ids[w]
            prev = w
    if window:
        sent_id, sent_w = IGNORE, 0.0  # a document's sentiment is learned from its first window
    return Example(doc_index, window, list(ids), word_ids, labels, sent_id, ner_w, sent_w)


# ---- batching ------------------------------------------------------------------------------------

def length_grouped_batches(lengths: Sequence[int], batch_size: int, *, seed: int, epoch: int,
                           group_batches: int = 50, min_batch: int = 1,
                           kinds: Sequence[Any] | None = None) -> list[list[int]]:
    """Batches of example indices: shuffle, sort by length inside groups of `group_batches` batches,
    then shuffle the batch order. Same (seed, epoch) -> same batches, so a resumed run sees the same data.

    Padding within a batch stays small (dynamic padding pays off) while batches stay random enough.
    `kinds` (one key per example, e.g. which tasks it is labelled for) keeps every batch to one kind:
    each task's loss is then the mean over a full batch, never over the two documents of a batch that
    happen to carry its labels (task-homogeneous mini-batches, as in MT-DNN; Liu et al. 2019).
    Batches with fewer than `min_batch` examples are dropped (distributed runs need one per rank).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    rng = random.Random(seed * 1_000_003 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    by_kind: dict[Any, list[int]] = {}
    for i in order:
        by_kind.setdefault(kinds[i] if kinds is not None else None, []).append(i)
    group = batch_size * group_batches
    batches: list[list[int]] = []
    for kind in sorted(by_kind, key=repr):  # a fixed order, whatever the dict's insertion order
        members = by_kind[kind]
        for g in range(0, len(members), group):
            chunk = sorted(members[g:g + group], key=lambda i: lengths[i], reverse=True)
            batches += [chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return [b for b in batches if len(b) >= min_batch]


def sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Batches for prediction: by length (least padding), no randomness."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[b:b + batch_size] for b in range(0, len(order), batch_size)]


@dataclass
class Batch:
    input_ids: Any  # (batch, seq) long
    attention_mask: Any  # (batch, seq) long
    ner_labels: Any  # (batch, seq) long, IGNORE where not scored
    sentiment_labels: Any  # (batch,) long, IGNORE where unlabelled
    ner_example_weights: Any  # (batch,) float: per-example weight of the NER loss (Example.ner_example_weight)
    sentiment_example_weights: Any  # (batch,) float
    special_mask: Any  # (batch, seq) bool: special tokens and padding (never masked for MLM)

    def to(self, device: Any, non_blocking: bool = False) -> "Batch":
        return Batch(**{k: v.to(device, non_blocking=non_blocking) for k, v in self.__dict__.items()})

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])


def collate(examples: Sequence[Example], pad_id: int, *, pin_memory: bool = False) -> Batch:
    """Dynamic padding: pad to the longest example of THIS batch."""
    import torch

    n = len(examples)
    width = max(e.length for e in examples)
    input_ids = torch.full((n, width), pad_id, dtype=torch.long)
    attention = torch.zeros((n, width), dtype=torch.long)
    ner = torch.full((n, width), IGNORE, dtype=torch.long)
    special = torch.ones((n, width), dtype=torch.bool)
    for b, e in enumerate(examples):
        L = e.length
        input_ids[b, :L] = torch.tensor(e.input_ids, dtype=torch.long)
        attention[b, :L] = 1
        ner[b, :L] = torch.tensor(e.ner_labels, dtype=torch.long)
        special[b, :L] = torch.tensor([w is None for w in e.word_ids], dtype=torch.bool)
    batch = Batch(input_ids, attention, ner,
                  torch.tensor([e.sentiment for e in examples], dtype=torch.long),
                  torch.tensor([e.ner_example_weight for e in examples], dtype=torch.float32),
                  torch.tensor([e.sentiment_example_weight for e in examples], dtype=torch.float32),
                  special)
    if pin_memory:
        batch = Batch(**{k: v.pin_memory() for k, v in batch.__dict__.items()})
    return batch


# ---- predictions back to words -------------------------------------------------------------------

@dataclass
class DocumentPrediction:
    """What the model says about one document, in word and character terms."""

    tags: list[str] | None  # IOB2 tag per word (repaired); None when the model has no NER task
    spans: list[Span] | None  # entities with character offsets and confidence
    sentiment: str | None = None
    sentiment_probabilities: dict[str, float] | None = None

    @property
    def sentiment_confidence(self) -> float | None:
        if self.sentiment is None or not self.sentiment_probabilities:
            return None
        return self.sentiment_probabilities[self.sentiment]


def decode_token_predictions(token_probs: Any, word_ids: Sequence[int | None],
                             words: Sequence[tuple[int, int]], tag_names: Sequence[str], *,
                             source: str = "predicted") -> tuple[list[str], list[Span]]:
    """Map token-level tag probabilities back to word tags and character spans.

    token_probs: (positions, num_tags) probabilities (tensor, array or nested lists) for the encoded
      positions of ONE document; windows of a long document are concatenated in order.
    word_ids: per position the index of its word in `words` (None for special tokens); the word is
      read at its first sub-word, as in training.
    words: (start, end) character offsets of the document's words; tag_names: the head's tags.
    Returns (IOB2 tag per word, repaired; spans with confidence = mean probability of the predicted
    tags over the entity's words). A word with no sub-word (dropped by the tokenizer) reads as O.
    """
    positions = first_subword_positions(word_ids, len(words))
    tag_ids: list[int | None] = []
    scores: list[float | None] = []
    for p in positions:
        if p is None:
            tag_ids.append(None)
            scores.append(None)
            continue
        row = [float(x) for x in token_probs[p][:len(tag_names)]]
        best = max(range(len(row)), key=row.__getitem__)
        tag_ids.append(best)
        scores.append(row[best])
    tags = repair_bio(["O" if t is None else tag_names[t] for t in tag_ids])
    spans = [Span(e.start, e.end, e.label, source=source, confidence=e.score)
             for e in decode_word_predictions(tag_ids, scores, tag_names, words)]
    return tags, spans
