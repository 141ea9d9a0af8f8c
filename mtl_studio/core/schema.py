"""Plain data types shared by the store, the formats, the engine and the GUI.

Offsets are always Python string indices (Unicode code points), end-exclusive. The Qt editor converts
to and from UTF-16 code units at its own boundary; nothing else in the core knows about UTF-16.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import MtlStudioError

Split = Literal["train", "dev", "test"]
SPLITS: tuple[str, ...] = ("train", "dev", "test")

Source = Literal["gold", "silver", "predicted"]
SOURCES: tuple[str, ...] = ("gold", "silver", "predicted")

TASK_NER = "ner"
TASK_SENTIMENT = "sentiment"
TASKS: tuple[str, ...] = (TASK_NER, TASK_SENTIMENT)

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


class ValidationError(MtlStudioError, ValueError):
    """A problem with user data; the message names what and where (file and line when known)."""


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

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class SentimentLabel:
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

    @property
    def sentiment_labelled(self) -> bool:
        return self.sentiment is not None

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
        if not (0 <= s.start < s.end <= len(text)):
            raise ValidationError(
                f"{prefix}span {s.start}-{s.end} ({s.label}) is out of range for a text of "
                f"{len(text)} characters"
            )
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for a, b in zip(ordered, ordered[1:]):
        if a.overlaps(b):
            raise ValidationError(
                f"{prefix}spans {a.start}-{a.end} ({a.label}) and {b.start}-{b.end} ({b.label}) overlap"
            )
