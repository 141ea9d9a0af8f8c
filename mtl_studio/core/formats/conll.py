"""CoNLL and other column files: one token per line, a tag column, a blank line between sentences.

Reads real files as they come: columns separated by spaces or tabs, separator lines holding only
whitespace, Windows line ends, a missing final blank line, `-DOCSTART-` lines, extra columns (POS,
chunk) before the tag, and Chinese character-per-line files (`char<TAB>tag`, BIO or BMES), which
`join_tokens` turns back into sentences without spaces.

The file is read twice, streaming both times: the first pass checks every line (encoding, column
count, tag syntax) and detects the tag scheme from the whole file; the second builds the documents.
Each sentence is a document whose token offsets are stored, so export reproduces tokens and tags.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..schema import Document
from ..tokenize import join_tokens, tags_to_spans, to_iob2
from .common import ImportOptions, ParsedDoc, read_lines
from .report import ImportReport

TAG_RE = re.compile(r"^(?:O|[BIESMU][-_]\S+)$")
SCHEMES = ("iob1", "iob2", "bioes")
DOCSTART = "-DOCSTART-"


def split_columns(line: str) -> list[str]:
    """Columns of a token line: tab-separated when the line has a tab (a token may then hold a
    space), else separated by runs of ASCII spaces. Unicode spaces such as U+3000 stay in tokens."""
    if "\t" in line:
        fields = [f.strip(" ") for f in line.split("\t")]
        while fields and fields[-1] == "":
            fields.pop()  # a trailing tab
        return fields
    fields = line.split(" ")
    return [f for f in fields if f] if "" in fields else fields


def _split_tag(tag: str) -> tuple[str, str]:
    return ("O", "") if tag == "O" else (tag[0], tag[2:])


# ---- first pass ----------------------------------------------------------------------------------

@dataclass
class ConllScan:
    """What the first pass learned about a file."""

    columns: Counter = field(default_factory=Counter)  # number of columns -> token lines
    first_line_with: dict[int, int] = field(default_factory=dict)  # columns -> first line with that many
    lines_with: dict[int, list[int]] = field(default_factory=dict)  # columns -> line numbers (capped)
    sentences: int = 0
    tokens: int = 0
    prefixes: set[str] = field(default_factory=set)
    i_starts: int = 0  # entities that start with I- (IOB1 style, or IOB2 violations)
    i_start_lines: list[int] = field(default_factory=list)
    b_fresh: int = 0  # B- tags that do not follow an entity of the same type (impossible in IOB1)
    longest_token: int = 0  # 1 for character-per-line files (Chinese corpora)

    @property
    def expected_columns(self) -> int:
        # Lines with a tag column are what a column file is made of: a line that lost its tag is
        # more likely than a token-only file with a few tags. Among those, the most common count
        # wins; between equally common counts, the one seen first.
        counts = {c: n for c, n in self.columns.items() if c >= 2} or dict(self.columns)
        if not counts:
            return 0
        top = max(counts.values())
        return min((c for c, n in counts.items() if n == top), key=lambda c: self.first_line_with[c])

    def detect_scheme(self) -> str:
        """BIOES (BMES, BILOU) when E/S/M/U prefixes appear; IOB1 when entities start with I- and
        B- only ever separates two adjacent entities of one type (the IOB1 rule); else IOB2."""
        if self.prefixes & {"E", "S", "M", "U"}:
            return "bioes"
        if self.i_starts and not self.b_fresh:
            return "iob1"
        return "iob2"


def _tag_index(n_fields: int, tag_column: int | None) -> int | None:
    """0-based index of the tag column in a line of n fields, or None when the line is too short."""
    if tag_column is None or tag_column == -1:
        return n_fields - 1 if n_fields >= 2 else None
    idx = tag_column - 1 if tag_column > 0 else n_fields + tag_column
    return idx if 0 < idx < n_fields else None


def scan(path: Path, options: ImportOptions, report: ImportReport) -> ConllScan:
    """Check every line and gather what is needed to choose the tag scheme."""
    info = ConllScan()
    prev: tuple[str, str] = ("O", "")
    in_sentence = False
    parsed_tags: dict[str, tuple[str, str] | None] = {}  # a file has few distinct tags: check each once
    columns, first_line_with, lines_with = info.columns, info.first_line_with, info.lines_with
    longest = 0
    for lineno, line in read_lines(path, options.encoding, report):
        if not line or line.isspace():
            if in_sentence:
                info.sentences += 1
            in_sentence, prev = False, ("O", "")
            continue
        fields = split_columns(line)
        if fields[0] == DOCSTART:
            continue
        if not fields[0]:
            report.error("the token column is empty (a line starting with a tab?)", kind="ragged", line=lineno)
        n = len(fields)
        columns[n] += 1
        if n not in first_line_with:
            first_line_with[n] = lineno
            lines_with[n] = []
        if len(lines_with[n]) < options.max_errors:
            lines_with[n].append(lineno)
        info.tokens += 1
        if len(fields[0]) > longest:
            longest = len(fields[0])
        in_sentence = True
        idx = _tag_index(n, options.tag_column)
        if idx is None:
            continue  # reported as a column problem below
        tag = fields[idx]
        if tag not in parsed_tags:
            parsed_tags[tag] = _split_tag(tag) if TAG_RE.match(tag) else None
        pt = parsed_tags[tag]
        if pt is None:
            report.error(f"tag {tag!r} is neither O nor PREFIX-TYPE with prefix B, I, E, S or M "
                         f"(column {idx + 1})", kind="tag", line=lineno)
            prev = ("O", "")
            if report.error_count >= options.max_errors:
                break
            continue
        p, t = pt
        continues = prev[1] == t and prev[0] in ("B", "I", "M")
        if p == "I" and not continues:
            info.i_starts += 1
            if len(info.i_start_lines) < options.max_errors:
                info.i_start_lines.append(lineno)
        elif p == "B" and not continues:
            info.b_fresh += 1
        prev = pt
    info.longest_token = longest
    info.prefixes = {p for p, _ in filter(None, parsed_tags.values())}
    if in_sentence:
        info.sentences += 1  # the file ended without a blank line
    _check_columns(info, options, report)
    return info


def _check_columns(info: ConllScan, options: ImportOptions, report: ImportReport) -> None:
    expected = info.expected_columns
    if not info.columns:
        report.error("no token lines found (expected one token per line with its tag, "
                     "and a blank line between sentences)", kind="empty")
        return
    for n, lines in sorted(info.lines_with.items()):
        if n == expected:
            continue
        for lineno in lines:
            report.error(f"{n} column{'s' if n != 1 else ''} where the file's other lines have {expected} "
                         f"(ragged columns: every token line needs the same columns)", kind="ragged", line=lineno)
    if expected < 2:
        report.error("only one column: a tag column is needed after the token", kind="ragged",
                     line=info.first_line_with.get(expected))
    elif _tag_index(expected, options.tag_column) is None:
        report.error(f"--tag-column {options.tag_column} is outside the file's {expected} columns", kind="ragged",
                     line=info.first_line_with.get(expected))


# ---- tag conversion ------------------------------------------------------------------------------

def convert_tags(tags: Sequence[str], scheme: str) -> tuple[list[str], list[tuple[int, str]]]:
    """IOB2 tags for `tags` in `scheme`, plus (token index, message) for tags that break the scheme.

    Well-formed sequences go through tokenize.to_iob2. A broken entity is read as O (what seqeval's
    strict mode does when it scores), and each one is reported once.
    """
    try:
        return to_iob2(tags, scheme), []
    except ValueError:
        pass
    return (_repair_bioes(tags) if scheme == "bioes" else _repair_bio(tags, scheme))


def _repair_bio(tags: Sequence[str], scheme: str) -> tuple[list[str], list[tuple[int, str]]]:
    out: list[str] = []
    issues: list[tuple[int, str]] = []
    prev_p, prev_t = "O", ""  # of the output
    dropping: str | None = None  # type of a broken entity whose tokens are being read as O
    for i, tag in enumerate(tags):
        p, t = _split_tag(tag)
        if p not in ("B", "I", "O"):
            issues.append((i, f"{tag} is not a BIO tag in a {scheme.upper()} file; read as O"))
            out.append("O")
            prev_p, prev_t, dropping = "O", "", None
            continue
        if p == "I" and not (prev_p in ("B", "I") and prev_t == t):
            if scheme == "iob1":
                out.append("B-" + t)
                prev_p, prev_t = "B", t
                continue
            if dropping != t:
                after = "O" if prev_p == "O" else f"{prev_p}-{prev_t}"
                issues.append((i, f"{tag} after {after} does not continue an entity (IOB2 starts an "
                                  f"entity with B-{t}); read as O (use --scheme iob1 to read it as a start)"))
            out.append("O")
            prev_p, prev_t, dropping = "O", "", t
            continue
        dropping = None
        out.append("O" if p == "O" else f"{p}-{t}")
        prev_p, prev_t = p, t
    return out, issues


def _repair_bioes(tags: Sequence[str]) -> tuple[list[str], list[tuple[int, str]]]:
    out: list[str] = []
    issues: list[tuple[int, str]] = []
    parts = [_split_tag(t) for t in tags]
    i, n = 0, len(tags)
    while i < n:
        p, t = parts[i]
        if p == "O":
            out.append("O")
            i += 1
        elif p in ("S", "U"):
            out.append("B-" + t)
            i += 1
        elif p == "B":
            j = i + 1
            while j < n and parts[j] in (("I", t), ("M", t)):
                j += 1
            if j < n and parts[j] == ("E", t):
                out += ["B-" + t] + ["I-" + t] * (j - i)
                i = j + 1
            else:
                issues.append((i, f"entity {t} begun with {tags[i]} has no E-{t} tag; read as O"))
                out += ["O"] * (j - i)
                i = j
        else:  # I/M/E without a B before it
            j = i + 1
            while j < n and parts[j] in (("I", t), ("M", t)):
                j += 1
            if j < n and parts[j] == ("E", t) and p != "E":
                j += 1
            issues.append((i, f"{tags[i]} does not continue an entity begun with B-{t}; read as O"))
            out += ["O"] * (j - i)
            i = j
    return out, issues


# ---- second pass: documents ------------------------------------------------------------------------

def iter_sentences(path: Path, options: ImportOptions, report: ImportReport,
                   n_columns: int) -> Iterator[tuple[list[str], list[str], list[int]]]:
    """(words, tags, line numbers) per sentence; assumes `scan` found no errors."""
    words: list[str] = []
    tags: list[str] = []
    lines: list[int] = []
    idx = _tag_index(n_columns, options.tag_column)
    assert idx is not None
    for lineno, line in read_lines(path, options.encoding, report):
        if not line or line.isspace():
            if words:
                yield words, tags, lines
                words, tags, lines = [], [], []
            continue
        fields = split_columns(line)
        if fields[0] == DOCSTART:
            continue
        words.append(fields[0])
        tags.append(fields[idx].replace("_", "-", 1) if fields[idx] != "O" else "O")
        lines.append(lineno)
    if words:
        yield words, tags, lines


def read_conll(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    info = scan(path, options, report)
    if not report.ok:
        return
    scheme = options.scheme or info.detect_scheme()
    if scheme not in SCHEMES:
        report.error(f"unknown tag scheme {scheme!r} (choose iob1, iob2 or bioes)", kind="option")
        return
    report.scheme = scheme
    how = "given with --scheme" if options.scheme else "detected"
    report.note(f"tag scheme {scheme.upper()} ({how}); entities stored as spans, exported as IOB2")
    if scheme == "iob2" and info.i_starts and not options.scheme:
        report.note(f"{info.i_starts} entit{'ies start' if info.i_starts > 1 else 'y starts'} with I- in a file "
                    f"that otherwise starts entities with B-: read as O, see warnings "
                    f"(--scheme iob1 reads them as entity starts instead)")
    # In a character-per-line file (Chinese NER corpora) the characters are the text: digits, Latin
    # letters and URLs inside a Chinese sentence are also one character per line, and joining them
    # with spaces would write "2 0 1 3 年" for "2013年".
    by_char = info.longest_token == 1
    if by_char:
        report.note("one character per line: characters joined without spaces")
    for words, tags, lines in iter_sentences(path, options, report, info.expected_columns):
        iob2, issues = convert_tags(tags, scheme)
        for tok, message in issues:
            report.warn(message, kind="scheme", line=lines[tok])
        if by_char:
            text, offsets = "".join(words), [(i, i + 1) for i in range(len(words))]
        else:
            text, offsets = join_tokens(words)
        doc = Document(text=text, tokens=offsets, spans=tags_to_spans(iob2, offsets), ner_labelled=True,
                       source=path.name, meta={"line": lines[0]})
        yield ParsedDoc(doc, line=lines[0])


# ---- export --------------------------------------------------------------------------------------

def write_sentence(out: IO[str], words: Sequence[str], tags: Sequence[str]) -> None:
    """`token tag` lines and a blank line; a token holding a space is written with a tab instead."""
    for word, tag in zip(words, tags):
        sep = "\t" if any(ch.isspace() for ch in word) else " "
        out.write(f"{word}{sep}{tag}\n")
    out.write("\n")
