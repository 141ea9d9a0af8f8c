"""From token-head outputs to entity spans: first-sub-word decoding and BIO repair.

Training labels only the first sub-word of each word (later pieces are ignored in the loss), so a word's
prediction is read at its first sub-word. A model can still emit ill-formed IOB2 (an I-X that does not
continue an X entity); `repair_bio` turns such an I-X into B-X, i.e. it starts a new entity, which is what
seqeval's lenient mode and most annotation tools do. Shared by inference, pseudo-labelling and evaluation
so that every place turns logits into spans the same way.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DecodedEntity:
    start: int  # character offsets (code points) into the text, end-exclusive
    end: int
    label: str
    score: float  # mean probability of the predicted tag over the entity's words


def first_subword_positions(word_ids: Sequence[int | None], num_words: int) -> list[int | None]:
    """For each word, the position of its first sub-word in the encoded sequence (None when the word
    produced no sub-word, e.g. a control character the tokenizer drops, or it was truncated away)."""
    positions: list[int | None] = [None] * num_words
    for pos, w in enumerate(word_ids):
        if w is not None and w < num_words and positions[w] is None:
            positions[w] = pos
    return positions


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Well-formed IOB2: an I-X that does not follow B-X or I-X starts an entity (becomes B-X)."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def decode_token_predictions(tag_ids: Sequence[int | None], scores: Sequence[float | None], tags: Sequence[str],
                             offsets: Sequence[tuple[int, int]]) -> list[DecodedEntity]:
    """Entities from per-word predictions.

    tag_ids[i] / scores[i]: the predicted tag index of word i and its probability (None: no prediction,
    read as O); tags: the tag names of the token head; offsets[i]: word i's character span.
    """
    if not (len(tag_ids) == len(scores) == len(offsets)):
        raise ValueError("tag_ids, scores and offsets must have one entry per word")
    names = repair_bio(["O" if t is None else tags[t] for t in tag_ids])
    entities: list[DecodedEntity] = []
    start = label = None
    probs: list[float] = []
    end = 0

    def close() -> None:
        nonlocal start, label, probs
        if start is not None and label is not None:
            entities.append(DecodedEntity(start, end, label, sum(probs) / len(probs)))
        start, label, probs = None, None, []

    for i, name in enumerate(names):
        if name == "O":
            close()
            continue
        if name.startswith("B-"):
            close()
            start, label = offsets[i][0], name[2:]
        end = offsets[i][1]
        probs.append(float(scores[i] if scores[i] is not None else 0.0))
    close()
    return entities
