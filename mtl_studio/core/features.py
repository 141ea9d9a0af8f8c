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

import bisect
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .decode import first_subword_positions, repair_bio
from .decode import decode_token_predictions as decode_word_predictions
from .schema import (
    DEFAULT_MULTI_LABEL_THRESHOLD, KIND_DOCUMENT, KIND_ENTITY_SENTIMENT, TASK_ENTITY_SENTIMENT, TASK_NER,
    TASK_SENTIMENT, Document, DocumentLabel, SentimentLabel, Span, ValidationError,
)
from .run_messages import RunNote
from .tokenize import spans_to_tags, tokenize

IGNORE = -100  # label value the losses skip (transformers' convention)


# ---- label maps ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class LabelSetMap:
    """The label space of one further document label set's head (sentiment is not one of these)."""

    name: str
    classes: tuple[str, ...]
    multi_label: bool = False
    threshold: float = DEFAULT_MULTI_LABEL_THRESHOLD  # multi-label: a sigmoid above it predicts the label

    @property
    def class_to_id(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "classes": list(self.classes), "multi_label": self.multi_label,
                "threshold": self.threshold}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "LabelSetMap":
        return cls(str(d["name"]), tuple(d.get("classes") or ()), bool(d.get("multi_label", False)),
                   float(d.get("threshold", DEFAULT_MULTI_LABEL_THRESHOLD)))


@dataclass(frozen=True)
class LabelMaps:
    """The label spaces of the heads, in the project's schema order (stored as labels.json).

    entity_sentiment_classes: the polarities of the entity-sentiment head (empty: the task is not
    declared); label_sets: the further document label sets, one head each, in the project's order."""

    entity_types: tuple[str, ...]
    sentiment_classes: tuple[str, ...]
    entity_sentiment_classes: tuple[str, ...] = ()
    label_sets: tuple[LabelSetMap, ...] = ()

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

    @property
    def polarity_to_id(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.entity_sentiment_classes)}

    def label_set(self, name: str) -> LabelSetMap:
        for ls in self.label_sets:
            if ls.name == name:
                return ls
        raise KeyError(name)

    @property
    def label_set_names(self) -> tuple[str, ...]:
        return tuple(ls.name for ls in self.label_sets)

    @property
    def task_names(self) -> tuple[str, ...]:
        """Every task these labels declare, in training order (docs/tasks_as_data.md): ner,
        entity_sentiment (when it has classes), sentiment, then the label sets."""
        tasks = [TASK_NER]
        if self.entity_sentiment_classes:
            tasks.append(TASK_ENTITY_SENTIMENT)
        tasks.append(TASK_SENTIMENT)
        return tuple(tasks) + self.label_set_names

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"ner_tags": self.ner_tags, "entity_types": list(self.entity_types),
                             "sentiment_classes": list(self.sentiment_classes)}
        # Written only when declared, so a two-task project's labels.json is what it always was.
        if self.entity_sentiment_classes:
            d["entity_sentiment_classes"] = list(self.entity_sentiment_classes)
        if self.label_sets:
            d["label_sets"] = [ls.to_dict() for ls in self.label_sets]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "LabelMaps":
        maps = cls(tuple(d.get("entity_types") or ()), tuple(d.get("sentiment_classes") or ()),
                   tuple(d.get("entity_sentiment_classes") or ()),
                   tuple(LabelSetMap.from_dict(x) for x in d.get("label_sets") or ()))
        if d.get("ner_tags") and list(d["ner_tags"]) != maps.ner_tags:
            raise ValidationError(f"ner_tags {d['ner_tags']} do not follow entity_types {maps.entity_types}")
        return maps

    @classmethod
    def from_store(cls, store: Any) -> "LabelMaps":
        """The project's label spaces. A store without the task list (older API) has the two tasks."""
        entity_types, sentiment = tuple(store.entity_type_names()), tuple(store.sentiment_class_names())
        if not hasattr(store, "tasks"):
            return cls(entity_types, sentiment)
        polarities: tuple[str, ...] = ()
        sets: list[LabelSetMap] = []
        for spec in store.tasks():
            if spec.kind == KIND_ENTITY_SENTIMENT:
                polarities = tuple(spec.classes)
            elif spec.kind == KIND_DOCUMENT and spec.name != TASK_SENTIMENT:
                sets.append(LabelSetMap(spec.name, tuple(spec.classes), spec.multi_label, spec.threshold))
        return cls(entity_types, sentiment, polarities, tuple(sets))


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
    # labels. Not the task weights (TrainConfig.task_weights), which the strategy applies.
    ner_example_weight: float = 0.0
    sentiment_example_weight: float = 0.0
    # Entity sentiment: the document's entity spans that fall in this window, as sub-word positions
    # [first, end) of this example, with the polarity id (IGNORE: the span has no polarity, it adds
    # nothing to the loss) and the span's index in the list it came from (the document's gold spans,
    # or its silver spans when those carry the polarities), so predictions map back to spans.
    entity_spans: list[tuple[int, int]] = field(default_factory=list)
    entity_sentiments: list[int] = field(default_factory=list)
    entity_span_index: list[int] = field(default_factory=list)
    entity_sentiment_example_weight: float = 0.0
    # Further document label sets (first window only): single-label a class id or IGNORE; multi-label a
    # 0/1 list over the set's classes, or None when the document is not labelled for the set.
    label_targets: dict[str, int | list[float] | None] = field(default_factory=dict)
    label_example_weights: dict[str, float] = field(default_factory=dict)

    @property
    def length(self) -> int:
        return len(self.input_ids)

    @property
    def has_ner(self) -> bool:
        return self.ner_example_weight > 0

    @property
    def has_sentiment(self) -> bool:
        return self.sentiment != IGNORE and self.sentiment_example_weight > 0

    @property
    def has_entity_sentiment(self) -> bool:
        return self.entity_sentiment_example_weight > 0 and any(x != IGNORE for x in self.entity_sentiments)

    def has_label_set(self, name: str) -> bool:
        target = self.label_targets.get(name)
        return self.label_example_weights.get(name, 0.0) > 0 and target is not None and target != IGNORE

    def has_task(self, task: str) -> bool:
        """Whether this example adds to `task`'s loss (any task name)."""
        if task == TASK_NER:
            return self.has_ner
        if task == TASK_SENTIMENT:
            return self.has_sentiment
        if task == TASK_ENTITY_SENTIMENT:
            return self.has_entity_sentiment
        return self.has_label_set(task)


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
    entity_sentiment_documents: int = 0  # documents with at least one span polarity (gold + silver)
    entity_sentiment_spans: int = 0  # spans with a polarity in those documents
    silver_entity_sentiment_documents: int = 0
    label_set_documents: dict[str, int] = field(default_factory=dict)  # set -> labelled documents
    silver_label_set_documents: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.__dict__.items()}
        # The new tasks' counters only when they count something: a two-task run records what it did.
        for key in ("entity_sentiment_documents", "entity_sentiment_spans", "silver_entity_sentiment_documents",
                    "label_set_documents", "silver_label_set_documents"):
            if not d[key]:
                del d[key]
        return d

    def describe(self, max_length: int) -> list[RunNote]:
        """Warnings about what encoding did to the data (for the run's log)."""
        out = []
        if self.long_documents:
            out.append(RunNote("warning", "long_documents", {"n": self.long_documents, "max_length": max_length}))
        if self.words_without_subwords:
            out.append(RunNote("warning", "words_without_subwords", {"n": self.words_without_subwords}))
        return out


@dataclass
class EncodedDataset:
    documents: list[Document]
    words: list[list[tuple[int, int]]]  # per document: word offsets
    examples: list[Example]
    stats: EncodingStats = field(default_factory=EncodingStats)
    tasks: tuple[str, ...] = (TASK_NER, TASK_SENTIMENT)  # the tasks encoded, in training order

    def lengths(self) -> list[int]:
        return [e.length for e in self.examples]

    def _kind_task_order(self) -> tuple[str, ...]:
        return self.tasks if len(self.tasks) > 2 or set(self.tasks) - {TASK_NER, TASK_SENTIMENT} \
            else (TASK_NER, TASK_SENTIMENT)

    def kinds(self) -> list[tuple[bool, ...]]:
        """Per example: which of the encoded tasks it is labelled for, for task-homogeneous batches
        (for ner + sentiment: (has NER labels, has a sentiment label), as always)."""
        tasks = self._kind_task_order()
        return [tuple(e.has_task(t) for t in tasks) for e in self.examples]

    def kind_tasks(self, kind: tuple[bool, ...]) -> tuple[str, ...]:
        """The encoded tasks a kind (of kinds()) carries."""
        return tuple(t for t, has in zip(self._kind_task_order(), kind) if has and t in self.tasks)

    def task_documents(self) -> dict[str, int]:
        """Training documents labelled per task: ner and sentiment always, the others when encoded."""
        out = {TASK_NER: self.stats.ner_documents, TASK_SENTIMENT: self.stats.sentiment_documents}
        if TASK_ENTITY_SENTIMENT in self.tasks:
            out[TASK_ENTITY_SENTIMENT] = self.stats.entity_sentiment_documents
        for t in self.tasks:
            if t not in out:
                out[t] = self.stats.label_set_documents.get(t, 0)
        return out


@dataclass
class _Targets:
    """What one kept document contributes to each task (before windowing)."""

    ner_ids: list[int] | None = None  # tag id per word, None: not labelled for NER
    ner_weight: float = 0.0
    sentiment: int = IGNORE
    sentiment_weight: float = 0.0
    # (first word, end word, polarity id or IGNORE, index in the span list) per entity span
    entity: list[tuple[int, int, int, int]] = field(default_factory=list)
    entity_weight: float = 0.0
    labels: dict[str, int | list[float] | None] = field(default_factory=dict)
    label_weights: dict[str, float] = field(default_factory=dict)

    def any_label(self) -> bool:
        return (self.ner_ids is not None or self.sentiment != IGNORE
                or (self.entity_weight > 0 and any(p != IGNORE for _, _, p, _ in self.entity))
                or any(v is not None and v != IGNORE for v in self.labels.values()))


def encode_documents(docs: Sequence[Document], tokenizer: Any, labels: LabelMaps, *, max_length: int = 256,
                     tasks: Sequence[str] = ("ner", "sentiment"), silver_weight: float = 0.0,
                     for_training: bool = True) -> EncodedDataset:
    """Encode documents for the model.

    for_training=True: a document labelled for no task in `tasks` is left out, and a long document
    labelled only for document-level tasks keeps only its first window. for_training=False
    (prediction): every document and every window is kept; labels are still filled in where known, and
    when the labels declare entity sentiment every example carries the document's GOLD spans (so the
    entity-sentiment head can be read on gold spans, whatever `tasks` says).
    Gold labels only when silver_weight == 0; silver fills a missing task otherwise (never both).
    """
    if max_length < 8:
        raise ValueError(f"max_length {max_length} is too small")
    use_ner = TASK_NER in tasks and bool(labels.entity_types)
    use_sent = TASK_SENTIMENT in tasks and bool(labels.sentiment_classes)
    use_entity = TASK_ENTITY_SENTIMENT in tasks and bool(labels.entity_sentiment_classes)
    gold_entity_spans = not for_training and bool(labels.entity_sentiment_classes)
    used_sets = [ls for ls in labels.label_sets if ls.name in tasks and ls.classes]
    stats = EncodingStats()
    kept_docs: list[Document] = []
    kept_words: list[list[tuple[int, int]]] = []
    targets: list[_Targets] = []
    for doc in docs:
        words = document_words(doc)
        t = _Targets()
        if use_ner:
            t.ner_ids, t.ner_weight = _ner_target(doc, words, labels, silver_weight, stats)
        if use_sent:
            t.sentiment, t.sentiment_weight = _sentiment_target(doc, labels, silver_weight, stats)
        if use_entity or gold_entity_spans:
            t.entity, t.entity_weight = _entity_target(doc, words, labels, silver_weight if use_entity else 0.0,
                                                       stats, gold_spans=gold_entity_spans)
            if not use_entity:
                t.entity_weight = 0.0
        for ls in used_sets:
            t.labels[ls.name], t.label_weights[ls.name] = _label_set_target(doc, ls, silver_weight, stats)
        if for_training and not t.any_label():
            continue
        stats.ner_documents += t.ner_ids is not None
        stats.sentiment_documents += t.sentiment != IGNORE
        if use_entity and t.entity_weight > 0:
            labelled = sum(p != IGNORE for _, _, p, _ in t.entity)
            stats.entity_sentiment_documents += labelled > 0
            stats.entity_sentiment_spans += labelled
        for ls in used_sets:
            if t.labels[ls.name] is not None and t.labels[ls.name] != IGNORE:
                stats.label_set_documents[ls.name] = stats.label_set_documents.get(ls.name, 0) + 1
        kept_docs.append(doc)
        kept_words.append(words)
        targets.append(t)

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
        if for_training and targets[i].ner_ids is None and not (targets[i].entity_weight > 0):
            chunks = chunks[:1]  # document labels only: only the first window carries a label
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
    encoded = tuple(t for t in labels.task_names if t in tasks and (
        (t == TASK_NER and use_ner) or (t == TASK_SENTIMENT and use_sent) or (t == TASK_ENTITY_SENTIMENT and use_entity)
        or t in {ls.name for ls in used_sets}))
    return EncodedDataset(kept_docs, kept_words, examples, stats, encoded)


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


def span_word_range(span: Span, words: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """[first word, end word) of the words a character span overlaps; None when it covers no word."""
    first = bisect.bisect_right([e for _, e in words], span.start)  # first word ending after the start
    end = first
    while end < len(words) and words[end][0] < span.end:
        end += 1
    return (first, end) if end > first else None


def span_sub_word_rows(row: int, word_ids: Sequence[int | None], words: Sequence[tuple[int, int]],
                       spans: Sequence[Span]) -> list[tuple[list[int], Span]]:
    """([row, first sub-word, end sub-word], span) for each span that covers a sub-word of this window:
    the entity-sentiment head's input rows for spans decoded from (or given for) one encoded example."""
    where: dict[int, list[int]] = {}  # word -> [first, last] sub-word position in the window
    for pos, w in enumerate(word_ids):
        if w is not None:
            where.setdefault(w, [pos, pos])[1] = pos
    out = []
    for span in spans:
        r = span_word_range(span, words)
        present = [w for w in range(*r) if w in where] if r else []
        if present:
            out.append(([row, where[present[0]][0], where[present[-1]][1] + 1], span))
    return out


def _entity_target(doc: Document, words: list[tuple[int, int]], labels: LabelMaps, silver_weight: float,
                   stats: EncodingStats, *, gold_spans: bool = False
                   ) -> tuple[list[tuple[int, int, int, int]], float]:
    """(per span: first word, end word, polarity id or IGNORE, span index; example weight).

    Training: the gold spans when any carries a polarity (weight 1), else the latest silver spans with
    polarities when silver_weight > 0; nothing otherwise. gold_spans=True (prediction): always the
    document's gold spans, with their polarities where known (weight 1 when there are some)."""
    spans, weight = list(doc.spans), 1.0
    if not gold_spans and not any(s.sentiment is not None for s in spans):
        spans, weight = [], 0.0
        silver = silver_spans(doc) if silver_weight > 0 else None
        if silver and any(s.sentiment is not None for s in silver):
            spans, weight = list(silver), silver_weight
            stats.silver_entity_sentiment_documents += 1
    ids = labels.polarity_to_id
    out = []
    for k, s in enumerate(spans):
        if s.sentiment is not None and s.sentiment not in ids:
            raise ValidationError(f"document {doc.id}: entity sentiment {s.sentiment!r} is not one of "
                                  f"{list(labels.entity_sentiment_classes)}")
        r = span_word_range(s, words)
        if r is not None:
            out.append((r[0], r[1], ids[s.sentiment] if s.sentiment is not None else IGNORE, k))
    if not any(p != IGNORE for _, _, p, _ in out) and not gold_spans:
        weight = 0.0
    return out, weight


def silver_labels(doc: Document, label_set: str) -> list[DocumentLabel] | None:
    """The silver labels of one label set (its most recent pseudo-labelling run), or None."""
    silver = [x for x in doc.other_labels if x.source == "silver" and x.label_set == label_set]
    if not silver:
        return None
    run = _latest_run(silver)
    return [x for x in silver if (x.run_id or "") == run]


def _label_set_target(doc: Document, ls: LabelSetMap, silver_weight: float,
                      stats: EncodingStats) -> tuple[int | list[float] | None, float]:
    """(target, example weight) for one further label set; unlabelled: IGNORE (single) or None (multi)."""
    names: Sequence[str] = doc.labels_of(ls.name)
    weight = 1.0
    if not names and silver_weight > 0:
        silver = silver_labels(doc, ls.name)
        if silver:
            names, weight = [x.label for x in silver], silver_weight
            stats.silver_label_set_documents[ls.name] = stats.silver_label_set_documents.get(ls.name, 0) + 1
    if not names:
        return (None if ls.multi_label else IGNORE), 0.0
    ids = ls.class_to_id
    unknown = [n for n in names if n not in ids]
    if unknown:
        raise ValidationError(f"document {doc.id}: label {unknown[0]!r} is not one of the classes of label set "
                              f"{ls.name!r} {list(ls.classes)}")
    if ls.multi_label:
        vector = [0.0] * len(ls.classes)
        for n in names:
            vector[ids[n]] = 1.0
        return vector, weight
    return ids[names[0]], weight


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
             target: _Targets) -> Example:
    word_ids = [None if w is None else w + word_offset for w in local_word_ids]
    labels = [IGNORE] * len(ids)
    if target.ner_ids is not None:
        prev = None
        for pos, w in enumerate(word_ids):
            if w is not None and w != prev:
                labels[pos] = target.ner_ids[w]
            prev = w
    ex = Example(doc_index, window, list(ids), word_ids, labels, target.sentiment, target.ner_weight,
                 target.sentiment_weight)
    if window:
        ex.sentiment, ex.sentiment_example_weight = IGNORE, 0.0  # document labels: from the first window
    else:
        ex.label_targets = dict(target.labels)
        ex.label_example_weights = dict(target.label_weights)
    if target.entity:
        # Sub-word positions [first, last] of each word in this window.
        where: dict[int, list[int]] = {}
        for pos, w in enumerate(word_ids):
            if w is not None:
                where.setdefault(w, [pos, pos])[1] = pos
        seen_before = min(where) if where else 0  # words before it belong to earlier windows
        for first, end, polarity, k in target.entity:
            present = [w for w in range(first, end) if w in where]
            # A span belongs to the window of its first word that has sub-words (a span cut by a window
            # boundary is read from the part in that window).
            if not present or (window and first < seen_before):
                continue
            ex.entity_spans.append((where[present[0]][0], where[present[-1]][1] + 1))
            ex.entity_sentiments.append(polarity)
            ex.entity_span_index.append(k)
        ex.entity_sentiment_example_weight = target.entity_weight if ex.entity_spans else 0.0
    return ex


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
    # Entity sentiment: (n, 3) long [row, first sub-word, end sub-word) per span of the batch, the
    # polarity per span (IGNORE: unlabelled) and the span's example weight.
    entity_spans: Any = None
    entity_sentiment_labels: Any = None  # (n,) long
    entity_sentiment_weights: Any = None  # (n,) float
    # Per further label set: single-label (batch,) long with IGNORE; multi-label (batch, classes) float
    # 0/1 with every entry IGNORE in an unlabelled row. And the per-example weights (batch,) float.
    label_targets: dict[str, Any] = field(default_factory=dict)
    label_example_weights: dict[str, Any] = field(default_factory=dict)

    def _map(self, fn: Any) -> "Batch":
        def one(v: Any) -> Any:
            if v is None:
                return None
            if isinstance(v, dict):
                return {k: fn(x) for k, x in v.items()}
            return fn(v)
        return Batch(**{k: one(v) for k, v in self.__dict__.items()})

    def to(self, device: Any, non_blocking: bool = False) -> "Batch":
        return self._map(lambda v: v.to(device, non_blocking=non_blocking))

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])


def label_set_unlabelled(targets: Any) -> Any:
    """Rows of a label-set target tensor that carry no label (single (b,) or multi-label (b, C))."""
    return (targets == IGNORE) if targets.ndim == 1 else (targets[:, 0] == IGNORE)


def collate(examples: Sequence[Example], pad_id: int, *, pin_memory: bool = False,
            label_sets: Sequence[LabelSetMap] | None = None) -> Batch:
    """Dynamic padding: pad to the longest example of THIS batch. `label_sets`: the sets whose targets
    the batch carries (default: those the examples hold targets for; a set missing from an example is
    unlabelled there); their sizes shape the multi-label target rows."""
    import torch

    n = len(examples)
    width = max(e.length for e in examples)
    input_ids = torch.full((n, width), pad_id, dtype=torch.long)
    attention = torch.zeros((n, width), dtype=torch.long)
    ner = torch.full((n, width), IGNORE, dtype=torch.long)
    special = torch.ones((n, width), dtype=torch.bool)
    spans: list[tuple[int, int, int]] = []
    polarities: list[int] = []
    span_weights: list[float] = []
    for b, e in enumerate(examples):
        L = e.length
        input_ids[b, :L] = torch.tensor(e.input_ids, dtype=torch.long)
        attention[b, :L] = 1
        ner[b, :L] = torch.tensor(e.ner_labels, dtype=torch.long)
        special[b, :L] = torch.tensor([w is None for w in e.word_ids], dtype=torch.bool)
        for (first, end), p in zip(e.entity_spans, e.entity_sentiments):
            spans.append((b, first, end))
            polarities.append(p)
            span_weights.append(e.entity_sentiment_example_weight)
    targets: dict[str, Any] = {}
    weights: dict[str, Any] = {}
    names = [ls.name for ls in label_sets] if label_sets is not None else \
        list(dict.fromkeys(k for e in examples for k in e.label_targets))
    sizes = {ls.name: len(ls.classes) for ls in label_sets or ()}
    for name in names:
        values = [e.label_targets.get(name) for e in examples]
        multi = any(isinstance(v, list) for v in values) or \
            (label_sets is not None and next(ls for ls in label_sets if ls.name == name).multi_label)
        if multi:
            size = sizes.get(name) or max(len(v) for v in values if isinstance(v, list))
            rows = [v if isinstance(v, list) else [float(IGNORE)] * size for v in values]
            targets[name] = torch.tensor(rows, dtype=torch.float32).reshape(n, size)
        else:
            targets[name] = torch.tensor([IGNORE if v is None else int(v) for v in values], dtype=torch.long)
        weights[name] = torch.tensor([e.label_example_weights.get(name, 0.0) for e in examples], dtype=torch.float32)
    batch = Batch(input_ids, attention, ner,
                  torch.tensor([e.sentiment for e in examples], dtype=torch.long),
                  torch.tensor([e.ner_example_weight for e in examples], dtype=torch.float32),
                  torch.tensor([e.sentiment_example_weight for e in examples], dtype=torch.float32),
                  special,
                  torch.tensor(spans, dtype=torch.long).reshape(len(spans), 3),
                  torch.tensor(polarities, dtype=torch.long),
                  torch.tensor(span_weights, dtype=torch.float32),
                  targets, weights)
    if pin_memory:
        batch = batch._map(lambda v: v.pin_memory())
    return batch


# ---- predictions back to words -------------------------------------------------------------------

@dataclass
class DocumentPrediction:
    """What the model says about one document, in word and character terms.

    Entity sentiment (when the model has the task): every predicted span carries `sentiment` and
    `sentiment_confidence` (the head read on the PREDICTED span: end to end), with all polarity
    probabilities in `span_sentiment_probabilities` (aligned with `spans`); `gold_span_sentiments` is the
    head read on each of the document's GOLD spans (aligned with `Document.spans`; None for a span no
    sub-word of which the model read), for scoring entity sentiment with gold spans.
    Further label sets: `labels[set]` the predicted (label, probability) pairs (single-label: the argmax;
    multi-label: every label over the set's threshold, most probable first, possibly none) and
    `label_probabilities[set]` every class's probability.
    """

    tags: list[str] | None  # IOB2 tag per word (repaired); None when the model has no NER task
    spans: list[Span] | None  # entities with character offsets and confidence
    sentiment: str | None = None
    sentiment_probabilities: dict[str, float] | None = None
    span_sentiment_probabilities: list[dict[str, float] | None] | None = None
    gold_span_sentiments: list[tuple[str, float] | None] | None = None
    labels: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    label_probabilities: dict[str, dict[str, float]] = field(default_factory=dict)

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
