"""Plain data types shared by the store, the formats, the engine and the GUI.

Offsets are always Python string indices (Unicode code points), end-exclusive. The Qt editor converts
to and from UTF-16 code units at its own boundary; nothing else in the core knows about UTF-16.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import MtlStudioError

Split = Literal["train", "dev", "test"]
SPLITS: tuple[str, ...] = ("train", "dev", "test")

Source = Literal["gold", "silver", "predicted"]
SOURCES: tuple[str, ...] = ("gold", "silver", "predicted")

TASK_NER = "ner"
TASK_SENTIMENT = "sentiment"
# The two tasks every project has had since the first version (the span task and the first document
# label set). A project may declare more (core/tasks.py, docs/tasks_as_data.md): entity sentiment, an
# attribute of each entity span, and any number of further document label sets.
TASKS: tuple[str, ...] = (TASK_NER, TASK_SENTIMENT)
TASK_ENTITY_SENTIMENT = "entity_sentiment"
# Task kinds: the span task, the per-span polarity, a document label set (sentiment is the first).
KIND_SPANS = "spans"
KIND_ENTITY_SENTIMENT = "entity_sentiment"
KIND_DOCUMENT = "document"
TASK_KINDS: tuple[str, ...] = (KIND_SPANS, KIND_ENTITY_SENTIMENT, KIND_DOCUMENT)
# Names a document label set cannot take: the built-in tasks and the auxiliary loss.
RESERVED_TASK_NAMES: frozenset[str] = frozenset({TASK_NER, TASK_SENTIMENT, TASK_ENTITY_SENTIMENT, "mlm", "total"})
# Entity sentiment's classes when the task is switched on without others being named.
DEFAULT_POLARITIES: tuple[str, ...] = ("negative", "neutral", "positive")
# The threshold a multi-label head's sigmoid must pass for a label to be predicted.
DEFAULT_MULTI_LABEL_THRESHOLD = 0.5
# CSV cells holding several labels of a multi-label set separate them with this (docs/formats.md).
MULTI_LABEL_DELIMITER = "|"

# Colours given to new entity types in order; chosen to stay readable behind black text.
DEFAULT_COLOURS: tuple[str, ...] = (
    "#8ecae6", "#ffb703", "#90be6d", "#f28482", "#cdb4db", "#f6bd60", "#84a59d", "#ffafcc",
    "#a2d2ff", "#e9c46a", "#b5e48c", "#f4a261",
)


# The keys a label can have in the editor, in the order new labels get them: entity types the digit row,
# sentiment classes the letter row under it. A label's key is stored in the project (not derived from
# its position), so it stays the same whatever order the labels were imported in, and the user sets it.
ENTITY_KEYS = "123456789"
SENTIMENT_KEYS = "QWERTYUIO"
# Entity polarity keys act on the selected span; the keys of the further document label sets share one
# pool (a set's classes take the free keys in order; a class without a key is still a button).
ENTITY_SENTIMENT_KEYS = "ZCVB"
LABEL_SET_KEYS = "FGHLPM"


class ValidationError(MtlStudioError, ValueError):
    """A problem with user data; the message names what and where (file and line when known)."""


# ---- the sane form of values that come from files ------------------------------------------------
# Every importer and the store check labels, offsets and confidences here, so a value that is not of
# the expected type is refused with a message instead of being converted (str() of a list, int() of
# a float) or reaching SQLite (which cannot store an int beyond 64 bits or a lone surrogate).

MAX_LABEL_LENGTH = 100
# The longest document an import accepts. Its tokens cost about 120 bytes each as Python tuples
# (~25x the text), so a 50 MB one-line file would take gigabytes; a document this long is a book,
# which the annotation editor and the encoder's windows are not made for: split it into documents.
MAX_DOCUMENT_CHARS = 1_000_000
# Unicode categories a label may not hold: control, format (zero-width, bidi overrides), surrogate,
# private use and unassigned characters are invisible or unprintable in the editor and in reports.
_BAD_LABEL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Runs of whitespace inside a label read from a file become "_"; whitespace that is also a control
# character (U+001C..U+001F, U+0085) is not replaced, so check_label_form refuses it.
_LABEL_SPACES = re.compile(r"(?:(?![\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f])\s)+")
_SHOWN = 60  # characters of a bad value quoted in a message


def shown(value: object) -> str:
    """repr() of a value cut to a readable length (a message must not quote a 50 MB cell)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"  # repr() of a huge int may itself fail
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def check_label_form(name: str) -> str:
    """`name` stripped, when it is a sane label: non-empty, at most MAX_LABEL_LENGTH characters, no
    whitespace inside (labels become tag names such as B-ORG), no control or invisible characters."""
    if not isinstance(name, str):
        raise ValidationError(f"a label must be a string, not {type(name).__name__} {shown(name)}")
    name = name.strip()
    if not name or any(ch.isspace() for ch in name):
        raise ValidationError(f"label name {shown(name)} must be non-empty and contain no spaces")
    if len(name) > MAX_LABEL_LENGTH:
        raise ValidationError(f"label name {shown(name)} is longer than {MAX_LABEL_LENGTH} characters")
    bad = next((ch for ch in name if unicodedata.category(ch) in _BAD_LABEL_CATEGORIES), None)
    if bad is not None:
        raise ValidationError(f"label name {shown(name)} holds the invisible or control character "
                              f"U+{ord(bad):04X}")
    return name


def label_from_value(value: object) -> str:
    """A label read from a file: a string (inner whitespace runs become '_') or a whole number
    ('0', '1', ... as sentiment classes in numbered datasets); anything else is refused."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(f"a label must be a string, not {type(value).__name__} {shown(value)}")
    return check_label_form(_LABEL_SPACES.sub("_", str(value).strip()))


def offset_from_value(value: object, what: str = "offset") -> int:
    """A character offset read from a file: an integer (not a bool, not a float that would be
    truncated, not a numeric string)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{what} must be an integer, not {type(value).__name__} {shown(value)}")
    return value


def confidence_from_value(value: object) -> float | None:
    """A model confidence read from a file: None, or a finite number in [0, 1]."""
    if value is None:
        return None
    # 0 <= value is checked first: math.isfinite() of an int beyond float range raises OverflowError.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not (0 <= value <= 1 and math.isfinite(value)):
        raise ValidationError(f"confidence must be a number from 0 to 1, not {shown(value)}")
    return float(value)


def optional_name(value: object, what: str) -> str | None:
    """An annotator or run id read from a file: None or a string."""
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{what} must be a string, not {type(value).__name__} {shown(value)}")
    return value


def check_document_length(text: str) -> None:
    """Refuse a document longer than MAX_DOCUMENT_CHARS; readers call it before tokenizing."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise ValidationError(f"a document of {len(text):,} characters is longer than the limit of "
                              f"{MAX_DOCUMENT_CHARS:,}: split it into several documents")


def check_storable_text(text: str, what: str = "the text") -> None:
    """Refuse a string that SQLite cannot store as UTF-8 (an unpaired surrogate from a JSON escape)."""
    found = _LONE_SURROGATE.search(text)
    if found:
        raise ValidationError(f"{what} holds an unpaired surrogate U+{ord(found.group()):04X} at character "
                              f"{found.start() + 1} (not valid Unicode; the file's \\u escapes are broken)")


@dataclass(frozen=True)
class Span:
    """An entity mention: text[start:end] is of type `label`."""

    start: int
    end: int
    label: str
    source: str = "gold"
    confidence: float | None = None
    annotator: str | None = None
    id: int | None = None  # row id once stored
    run_id: str | None = None  # the run that produced a silver/predicted span
    # Entity sentiment: the polarity toward this entity (one of the project's entity sentiment
    # classes), None when the span is not labelled for that task (partial labels are per span).
    sentiment: str | None = None
    sentiment_confidence: float | None = None  # a model's probability of `sentiment`

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class SentimentLabel:
    label: str
    source: str = "gold"
    confidence: float | None = None
    annotator: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class DocumentLabel:
    """One label of a document label set other than sentiment (a single-label set holds at most one
    gold label per document; a multi-label set any number). A document is labelled for a set when it
    has at least one gold label of it ("none applies" is a class the project declares)."""

    label_set: str
    label: str
    source: str = "gold"
    confidence: float | None = None
    annotator: str | None = None
    run_id: str | None = None


@dataclass
class Document:
    """A document as imported or stored.

    `tokens` are (start, end) character offsets of the tokens the text was given in (CoNLL) or
    tokenized into; they make span snapping and CoNLL export exact. `ner_labelled` says whether the
    document is annotated for NER at all: an unlabelled document is not "all O".
    """

    text: str
    tokens: list[tuple[int, int]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    sentiment: SentimentLabel | None = None
    ner_labelled: bool = False
    split: str | None = None
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    # Silver / predicted annotations, loaded only when asked for.
    other_spans: list[Span] = field(default_factory=list)
    other_sentiments: list[SentimentLabel] = field(default_factory=list)
    # Gold labels of the further document label sets (source "gold"), and silver/predicted ones.
    labels: list[DocumentLabel] = field(default_factory=list)
    other_labels: list[DocumentLabel] = field(default_factory=list)

    @property
    def sentiment_labelled(self) -> bool:
        return self.sentiment is not None

    def labels_of(self, label_set: str) -> tuple[str, ...]:
        """The gold labels of one document label set, in stored order (empty: not labelled for it)."""
        return tuple(x.label for x in self.labels if x.label_set == label_set)

    @property
    def entity_sentiment_labelled(self) -> bool:
        return any(s.sentiment is not None for s in self.spans)

    def token_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.tokens]


@dataclass(frozen=True)
class EntityType:
    name: str
    colour: str
    position: int = 0
    key: str | None = None  # one of ENTITY_KEYS, or None (more types than keys)


@dataclass(frozen=True)
class SentimentClass:
    name: str
    position: int = 0
    key: str | None = None  # one of SENTIMENT_KEYS, or None


@dataclass(frozen=True)
class LabelClass:
    """A class of entity sentiment or of a further document label set, with its editor key."""

    name: str
    position: int = 0
    key: str | None = None


@dataclass(frozen=True)
class LabelSet:
    """A document label set beyond sentiment (topic, urgency, intent...): single- or multi-label."""

    name: str
    multi_label: bool = False
    classes: tuple[LabelClass, ...] = ()
    position: int = 0
    threshold: float = DEFAULT_MULTI_LABEL_THRESHOLD  # multi-label only

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.classes)


@dataclass(frozen=True)
class TaskSpec:
    """One task a project declares, in training order: what the engine trains a head for.

    name: "ner", "entity_sentiment", "sentiment" or a label set's name; kind one of TASK_KINDS."""

    name: str
    kind: str
    classes: tuple[str, ...] = ()  # entity types (spans), polarities, or a label set's classes
    multi_label: bool = False
    threshold: float = DEFAULT_MULTI_LABEL_THRESHOLD

    @property
    def is_document_task(self) -> bool:
        return self.kind == KIND_DOCUMENT


def check_task_name(name: str) -> str:
    """A new label set's name as stored: a sane label that is not a built-in task's name."""
    name = check_label_form(name)
    if name.lower() in RESERVED_TASK_NAMES:
        raise ValidationError(f"{name!r} is a built-in task's name; choose another name for the label set")
    return name


def check_label_name(name: str) -> str:
    """The name as stored (stripped); ValidationError when it is empty or contains whitespace."""
    name = name.strip()
    if not name or any(ch.isspace() for ch in name):
        raise ValidationError(f"label name {name!r} must be non-empty and contain no spaces")
    return name


def validate_spans(text: str, spans: list[Span], where: str = "") -> None:
    """Raise ValidationError for out-of-range, empty or overlapping spans (one source at a time)."""
    prefix = f"{where}: " if where else ""
    for s in spans:
        offset_from_value(s.start, f"{prefix}span start")
        offset_from_value(s.end, f"{prefix}span end")
        if not (0 <= s.start < s.end <= len(text)):
            raise ValidationError(
                f"{prefix}span {shown(s.start)}-{shown(s.end)} ({s.label}) is out of range for a text of "
                f"{len(text)} characters"
            )
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for a, b in zip(ordered, ordered[1:]):
        if a.overlaps(b):
            raise ValidationError(
                f"{prefix}spans {a.start}-{a.end} ({a.label}) and {b.start}-{b.end} ({b.label}) overlap"
            )


def validate_document(doc: Document) -> None:
    """Raise ValidationError unless `doc` can be stored as it is: storable text and metadata, spans
    in range and not overlapping within each source, labels and confidences of the sane form."""
    check_storable_text(doc.text)
    check_storable_text(doc.source, "the source name")
    try:
        meta = json.dumps(doc.meta, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as e:
        kind = "nested too deeply" if isinstance(e, RecursionError) else "not JSON data"
        raise ValidationError(f"the document's metadata is {kind}") from None
    check_storable_text(meta, "the document's metadata")
    for source in SOURCES:
        validate_spans(doc.text, [s for s in list(doc.spans) + list(doc.other_spans) if s.source == source])
    for span in list(doc.spans) + list(doc.other_spans):
        check_label_form(span.label)
        confidence_from_value(span.confidence)
    for sentiment in ([doc.sentiment] if doc.sentiment else []) + list(doc.other_sentiments):
        check_label_form(sentiment.label)
        confidence_from_value(sentiment.confidence)
    for span in list(doc.spans) + list(doc.other_spans):
        if span.sentiment is not None:
            check_label_form(span.sentiment)
        confidence_from_value(span.sentiment_confidence)
    for label in list(doc.labels) + list(doc.other_labels):
        check_label_form(label.label_set)
        check_label_form(label.label)
        confidence_from_value(label.confidence)
    if any(x.source != "gold" for x in doc.labels):
        raise ValidationError("a document's gold labels hold a silver or predicted label")
