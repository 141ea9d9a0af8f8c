"""Word tokens with character offsets, for any script.

Scripts written without spaces (Chinese, Japanese) are tokenized one character per token, which is
how their NER corpora are annotated; words in alphabetic scripts are runs of letters/digits; every
other visible character (punctuation, emoji, symbols) is a token of its own. Offsets are code points.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .schema import Span, ValidationError

# Characters that form one token each: CJK ideographs (all planes), kana, Hangul syllables are
# treated as words (Korean uses spaces), full-width punctuation falls under "other" anyway.
_CJK_RANGES = (
    "\u2e80-\u2fdf"  # radicals
    "\u3000-\u303f"  # CJK punctuation
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3100-\u312f\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uff00-\uffef"  # half/full-width forms
    "\U00020000-\U0003134f"  # extensions B..H (outside the BMP)
)
_TOKEN_RE = re.compile(rf"[{_CJK_RANGES}]|[^\W{_CJK_RANGES}]+|\S", re.UNICODE)
_CJK_CHAR_RE = re.compile(rf"[{_CJK_RANGES}]")


def is_cjk(char: str) -> bool:
    return bool(_CJK_CHAR_RE.fullmatch(char))


def tokenize(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the word tokens of `text`."""
    return [m.span() for m in _TOKEN_RE.finditer(text)]


def _needs_space(left: str, right: str) -> bool:
    # Text without spaces stays without spaces: no separator between two CJK tokens.
    return not (is_cjk(left[-1]) and is_cjk(right[0]))


def join_tokens(words: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Build a text from given tokens (CoNLL rows) and return it with each token's offsets.

    English tokens are joined by one space; two adjacent CJK characters are joined without one, so
    a character-per-line Chinese sentence becomes the sentence as it is written.
    """
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for i, word in enumerate(words):
        if i and _needs_space(words[i - 1], word):
            parts.append(" ")
            pos += 1
        parts.append(word)
        offsets.append((pos, pos + len(word)))
        pos += len(word)
    return "".join(parts), offsets


def tags_to_spans(tags: Sequence[str], tokens: Sequence[tuple[int, int]], source: str = "gold") -> list[Span]:
    """Turn well-formed IOB2 tags into spans over token offsets."""
    spans: list[Span] = []
    start_tok: int | None = None
    label: str | None = None

    def close(end_tok: int) -> None:
        nonlocal start_tok, label
        if start_tok is not None and label is not None:
            spans.append(Span(tokens[start_tok][0], tokens[end_tok][1], label, source=source))
        start_tok, label = None, None

    for i, tag in enumerate(tags):
        if tag == "O":
            close(i - 1)
            continue
        prefix, _, typ = tag.partition("-")
        if prefix == "B" or label != typ:
            close(i - 1)
            start_tok, label = i, typ
        # prefix I continuing the same type: nothing to do
    close(len(tags) - 1)
    return spans


def spans_to_tags(spans: Sequence[Span], tokens: Sequence[tuple[int, int]]) -> list[str]:
    """IOB2 tags for tokens; a token belongs to a span when it overlaps it.

    Spans that do not cover whole tokens are still tagged (by overlap), and
    `misaligned_spans` reports them so the import can warn.
    """
    tags = ["O"] * len(tokens)
    for span in sorted(spans, key=lambda s: s.start):
        first = True
        for i, (s, e) in enumerate(tokens):
            if s < span.end and span.start < e:
                if tags[i] != "O":
                    continue  # an earlier span owns this token
                tags[i] = ("B-" if first else "I-") + span.label
                first = False
    return tags


def misaligned_spans(spans: Sequence[Span], tokens: Sequence[tuple[int, int]]) -> list[Span]:
    """Spans whose boundaries fall inside a token (cannot be expressed in token-level BIO exactly)."""
    starts = {s for s, _ in tokens}
    ends = {e for _, e in tokens}
    return [sp for sp in spans if sp.start not in starts or sp.end not in ends]


def snap_to_tokens(start: int, end: int, tokens: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """Widen a character selection to whole tokens; None when it touches no token."""
    touched = [(s, e) for s, e in tokens if s < end and start < e]
    if not touched:
        return None
    return touched[0][0], touched[-1][1]


def retokenize_for_spans(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Tokenize so that every span boundary is also a token boundary (spans from JSONL/doccano)."""
    cuts = sorted({p for sp in spans for p in (sp.start, sp.end)})
    out: list[tuple[int, int]] = []
    for s, e in tokenize(text):
        inner = [c for c in cuts if s < c < e]
        prev = s
        for c in inner:
            out.append((prev, c))
            prev = c
        out.append((prev, e))
    return out


# ---- tag schemes -------------------------------------------------------------------------------

def _split_tag(tag: str) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    if len(tag) > 2 and tag[1] in "-_" and tag[0] in "BIESMU":
        return tag[0], tag[2:]
    raise ValueError(f"tag {tag!r} is neither O nor PREFIX-TYPE with prefix B, I, E, S, M or U")


def detect_scheme(tag_sequences: Sequence[Sequence[str]]) -> str:
    """'bioes' when E/S/M/U prefixes appear, 'iob1' when an entity starts with I-, else 'iob2'."""
    prefixes: set[str] = set()
    starts_with_i = False
    for tags in tag_sequences:
        prev_type = None
        for tag in tags:
            p, t = _split_tag(tag)
            prefixes.add(p)
            if p == "I" and prev_type != t:
                starts_with_i = True
            prev_type = t if p != "O" else None
    if prefixes & {"E", "S", "M", "U"}:
        return "bioes"
    return "iob1" if starts_with_i else "iob2"


def to_iob2(tags: Sequence[str], scheme: str) -> list[str]:
    """Convert IOB1 / BIOES (BMES, BILOU) tags to IOB2. Raises ValueError on a tag that breaks `scheme`."""
    out: list[str] = []
    prev_p, prev_t = "O", ""
    for i, tag in enumerate(tags):
        p, t = _split_tag(tag)
        if scheme == "bioes":
            if p in ("S", "U"):
                new = "B-" + t
            elif p == "B":
                new = "B-" + t
            elif p in ("I", "M", "E"):
                if prev_p not in ("B", "I", "M") or prev_t != t:
                    raise ValueError(f"token {i + 1}: {tag} does not continue an entity of type {t}")
                new = "I-" + t
            else:
                if prev_p in ("B", "I", "M"):
                    raise ValueError(f"token {i + 1}: entity {prev_t} ends without an E- tag")
                new = "O"
        elif scheme in ("iob1", "iob2"):
            if p not in ("B", "I", "O"):
                raise ValueError(f"token {i + 1}: {tag} is not a BIO tag")
            if p == "I" and (prev_p == "O" or prev_t != t):
                if scheme == "iob2":
                    raise ValueError(f"token {i + 1}: {tag} starts an entity (IOB2 needs B-{t})")
                new = "B-" + t
            else:
                new = "O" if p == "O" else f"{p}-{t}"
        else:
            raise ValueError(f"unknown tag scheme {scheme!r}")
        out.append(new)
        prev_p, prev_t = p, t
    if scheme == "bioes" and prev_p in ("B", "I", "M"):
        raise ValueError(f"token {len(tags)}: entity {prev_t} ends without an E- tag")
    return out


def normalize(text: str) -> str:
    """NFC-normalize; used for duplicate detection only (stored text is kept exactly as given)."""
    return unicodedata.normalize("NFC", text).strip()


__all__ = [
    "ValidationError", "tokenize", "join_tokens", "tags_to_spans", "spans_to_tags", "misaligned_spans",
    "snap_to_tokens", "retokenize_for_spans", "detect_scheme", "to_iob2", "is_cjk", "normalize",
]
