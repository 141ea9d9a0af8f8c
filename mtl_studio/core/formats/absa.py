"""SemEval-2014 aspect-based sentiment XML (ABSA, Task 4): reader and writer.

    <sentences>
      <sentence id="813">
        <text>All the appetizers and salads were fabulous.</text>
        <aspectTerms>
          <aspectTerm term="appetizers" polarity="positive" from="8" to="18"/>
        </aspectTerms>
        <aspectCategories>
          <aspectCategory category="food" polarity="positive"/>
        </aspectCategories>
      </sentence>
    </sentences>

Each sentence is a document; each aspect term a span of type ASPECT whose `polarity` is its entity
sentiment (`conflict` is a class like the others); aspect categories are the multi-label document
label set `aspect_category`, and category + polarity the multi-label set `aspect_category_polarity`
("food:positive"), so that both SemEval subtasks 3 and 4 are trainable. `from`/`to` must locate
`term` in the text: a disagreement is an error naming the line and the sentence id.

The file is parsed with expat, streaming, and refuses what makes XML dangerous to parse: entity
declarations (the "billion laughs" expansion), external entities and external DTDs are errors, never
expanded or fetched (what defusedxml does, without the dependency).
"""
from __future__ import annotations

import re
import xml.parsers.expat as expat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from ..schema import Document, DocumentLabel, Span, ValidationError, check_document_length, label_from_value, shown
from ..tokenize import retokenize_for_spans
from .common import ImportOptions, ParsedDoc, polarity_from_value
from .report import ImportReport

ASPECT_TYPE = "ASPECT"
CATEGORY_SET = "aspect_category"
CATEGORY_POLARITY_SET = "aspect_category_polarity"
CATEGORY_POLARITY_JOIN = ":"  # "food:positive"; split at the last ':' (a category may hold one)
ROOT = "sentences"
CHUNK_BYTES = 64 * 1024
# Characters XML 1.0 cannot hold at all (not even as a character reference).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_PROLOG = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)*", re.S)
_FIRST_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def root_element(sample: str) -> str | None:
    """The name of the first element of an XML / HTML sample (after the declaration, comments and a
    DOCTYPE), or None when the sample does not start with markup."""
    sample = sample.lstrip("\ufeff")
    m = _FIRST_ELEMENT.match(sample, _XML_PROLOG.match(sample).end())
    return m.group(1) if m else None


def is_absa(sample: str) -> bool:
    return root_element(sample) == ROOT


class _Refused(Exception):
    """Raised inside an expat handler: the file is not read further."""


@dataclass
class _Sentence:
    id: str | None
    line: int
    text_parts: list[str] = field(default_factory=list)
    in_text: bool = False
    has_text: bool = False
    terms: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    categories: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _mentions_aspect_terms(path: Path) -> bool:
    """Whether the file has any <aspectTerm: then a sentence without one is "no aspect terms" (as
    SemEval's files leave <aspectTerms> out), else the file carries no aspect-term annotation at all."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            if b"<aspectTerm" in tail + chunk or "<aspectTerm".encode("utf-16-le") in tail + chunk:
                return True
            tail = chunk[-24:]
    return False


def read_absa(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    labelled_terms = _mentions_aspect_terms(path)
    encoding = None if options.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else options.encoding
    try:
        parser = expat.ParserCreate(encoding)
    except (ValueError, LookupError) as e:
        report.error(f"cannot read XML in encoding {options.encoding!r}: {e}", kind="encoding")
        return
    done: list[ParsedDoc] = []
    stack: list[str] = []
    current: list[_Sentence] = []
    ids_seen: dict[str, int] = {}

    def refuse(what: str) -> None:
        raise _Refused(f"the file {what}; MTL Studio does not expand or fetch XML entities (unsafe)")

    def start(name: str, attrs: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
        if not stack and name != ROOT:
            raise _Refused(f"the root element is <{name}>, not <{ROOT}>: not SemEval-2014 ABSA XML")
        stack.append(name)
        if name == "sentence":
            if current:
                raise _Refused("a <sentence> inside a <sentence>")
            current.append(_Sentence(attrs.get("id"), line))
        elif current:
            s = current[0]
            if name == "text":
                s.in_text, s.has_text = True, True
            elif name == "aspectTerm":
                s.terms.append((line, attrs))
            elif name == "aspectCategory":
                s.categories.append((line, attrs))

    def end(name: str) -> None:
        stack.pop()
        if not current:
            return
        s = current[0]
        if name == "text":
            s.in_text = False
        elif name == "sentence":
            current.clear()
            parsed = _document(s, path, report, labelled_terms, ids_seen)
            if parsed is not None:
                done.append(parsed)

    def characters(data: str) -> None:
        if current and current[0].in_text:
            current[0].text_parts.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.buffer_text = True
    # The defences: no entity declarations (internal ones are how "billion laughs" expands), no external
    # entities or DTD (a file must not make the importer read other files or the network).
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = lambda *a: refuse("declares XML entities (<!ENTITY>)")
    parser.UnparsedEntityDeclHandler = lambda *a: refuse("declares XML entities (<!ENTITY>)")
    parser.ExternalEntityRefHandler = lambda *a: refuse("refers to an external entity")
    try:
        with open(path, "rb") as f:
            while True:
                chunk = f.read(CHUNK_BYTES)
                parser.Parse(chunk, not chunk)
                yield from done
                done.clear()
                if not chunk or report.error_count >= options.max_errors:
                    break
    except _Refused as e:
        report.error(str(e), kind="xml", line=parser.CurrentLineNumber)
    except expat.ExpatError as e:
        report.error(f"not well-formed XML ({expat.ErrorString(e.code)} at column {e.offset + 1})", kind="xml",
                     line=e.lineno)


def _document(s: _Sentence, path: Path, report: ImportReport, labelled_terms: bool,
              ids_seen: dict[str, int]) -> ParsedDoc | None:
    where = f"sentence {s.id!r}" if s.id is not None else "a sentence without an id"
    if not s.has_text:
        report.error(f"{where} has no <text>", kind="record", line=s.line)
        return None
    text = "".join(s.text_parts)
    if s.id is not None:
        if s.id in ids_seen:
            report.warn(f"{where} has the id of the sentence at line {ids_seen[s.id]}", kind="duplicate-id",
                        line=s.line)
        else:
            ids_seen[s.id] = s.line
    try:
        check_document_length(text)
    except ValidationError as e:
        report.error(f"{where}: {e}", kind="too-long", line=s.line)
        return None
    spans: list[Span] = []
    labels: list[DocumentLabel] = []
    try:
        for line, attrs in s.terms:
            span = _aspect_term(attrs, text, where, line)
            if span not in spans:  # a term listed twice with the same offsets and polarity is one span
                spans.append(span)
        for line, attrs in s.categories:
            for x in _aspect_category(attrs, where, line):
                if x not in labels:
                    labels.append(x)
    except _TermError as e:
        report.error(str(e), kind="record", line=e.line)
        return None
    doc = Document(text=text, tokens=retokenize_for_spans(text, spans), spans=spans, ner_labelled=labelled_terms,
                   labels=labels, source=path.name, meta={"id": s.id} if s.id is not None else {})
    multi = frozenset({CATEGORY_SET, CATEGORY_POLARITY_SET}) if s.categories else frozenset()
    return ParsedDoc(doc, line=s.line, multi_label_sets=multi)


class _TermError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _offset(attrs: dict[str, str], key: str, where: str, line: int) -> int:
    value = attrs.get(key)
    if value is None or not value.strip().isdigit() or not value.strip().isascii():
        raise _TermError(f"{where}: aspectTerm {shown(attrs.get('term'))} needs a whole-number {key!r}, "
                         f"found {shown(value)}", line)
    return int(value)


def _aspect_term(attrs: dict[str, str], text: str, where: str, line: int) -> Span:
    term = attrs.get("term")
    start, end = _offset(attrs, "from", where, line), _offset(attrs, "to", where, line)
    if term is None:
        raise _TermError(f"{where}: an aspectTerm without a term attribute", line)
    if not (0 <= start < end <= len(text)):
        raise _TermError(f"{where}: aspectTerm {shown(term)} from={start} to={end} is outside the text "
                         f"({len(text)} characters)", line)
    if text[start:end] != term:
        raise _TermError(f"{where}: aspectTerm {shown(term)} from={start} to={end}, but the text there is "
                         f"{shown(text[start:end])}", line)
    try:
        polarity, _ = polarity_from_value(attrs.get("polarity"), "polarity")
        label = label_from_value(attrs.get("type", ASPECT_TYPE))
    except ValidationError as e:
        raise _TermError(f"{where}: aspectTerm {shown(term)}: {e}", line) from None
    return Span(start, end, label, sentiment=polarity)


def _aspect_category(attrs: dict[str, str], where: str, line: int) -> list[DocumentLabel]:
    try:
        category = label_from_value(attrs.get("category"))
        polarity, _ = polarity_from_value(attrs.get("polarity"), "polarity")
    except ValidationError as e:
        raise _TermError(f"{where}: aspectCategory: {e}", line) from None
    out = [DocumentLabel(CATEGORY_SET, category)]
    if polarity is not None:
        out.append(DocumentLabel(CATEGORY_POLARITY_SET, f"{category}{CATEGORY_POLARITY_JOIN}{polarity}"))
    return out


# ---- writing ---------------------------------------------------------------------------------------

def _xml_text(value: str, what: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise ValidationError(f"{what} holds U+{ord(bad.group()):04X}, which XML 1.0 cannot hold; export it as "
                              f"JSONL instead")
    return value


def _attr(value: str, what: str) -> str:
    return quoteattr(_xml_text(value, what), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def write_absa_header(f: IO[str]) -> None:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<sentences>\n')


def write_absa_footer(f: IO[str]) -> None:
    f.write("</sentences>\n")


def write_absa_sentence(f: IO[str], doc: Document, fallback_id: str) -> None:
    """One <sentence>: gold spans as aspect terms (a type other than ASPECT in a `type` attribute, a span
    without polarity without `polarity`), the aspect category sets as aspect categories."""
    sid = doc.meta.get("id")
    sid = str(sid) if isinstance(sid, (str, int)) and not isinstance(sid, bool) else fallback_id
    where = f"document {doc.id if doc.id is not None else sid}"
    lines = [f"    <sentence id={_attr(sid, where + ': the id')}>",
             f"        <text>{escape(_xml_text(doc.text, where), {chr(13): '&#13;'})}</text>"]
    if doc.spans:
        lines.append("        <aspectTerms>")
        for s in sorted(doc.spans, key=lambda s: (s.start, s.end)):
            attrs = f"term={_attr(doc.text[s.start:s.end], where)}"
            if s.sentiment is not None:
                attrs += f" polarity={_attr(s.sentiment, where)}"
            attrs += f' from="{s.start}" to="{s.end}"'
            if s.label != ASPECT_TYPE:
                attrs += f" type={_attr(s.label, where)}"
            lines.append(f"            <aspectTerm {attrs}/>")
        lines.append("        </aspectTerms>")
    categories = _categories(doc)
    if categories:
        lines.append("        <aspectCategories>")
        for category, polarity in categories:
            attrs = f"category={_attr(category, where)}"
            if polarity is not None:
                attrs += f" polarity={_attr(polarity, where)}"
            lines.append(f"            <aspectCategory {attrs}/>")
        lines.append("        </aspectCategories>")
    lines.append("    </sentence>")
    f.write("\n".join(lines) + "\n")


def _categories(doc: Document) -> list[tuple[str, str | None]]:
    """(category, polarity) pairs: each category+polarity label, then each category that has none."""
    pairs: list[tuple[str, str | None]] = []
    with_polarity: set[str] = set()
    for label in doc.labels_of(CATEGORY_POLARITY_SET):
        category, sep, polarity = label.rpartition(CATEGORY_POLARITY_JOIN)
        if not sep or not category:
            raise ValidationError(f"document {doc.id}: {CATEGORY_POLARITY_SET} label {label!r} is not "
                                  f"CATEGORY{CATEGORY_POLARITY_JOIN}POLARITY")
        pairs.append((category, polarity))
        with_polarity.add(category)
    pairs += [(c, None) for c in doc.labels_of(CATEGORY_SET) if c not in with_polarity]
    return pairs

