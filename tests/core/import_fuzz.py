"""What the importer fuzz suite checks, and the data it mutates.

`check_import` is the property every generated file must satisfy: the import either commits
documents whose stored values are sane, or raises ImportFailed whose message names the file and a
line (or spreadsheet row) and leaves the project byte-for-byte as it was. Anything else (another
exception, a junk label stored, an error without a place) fails the test.

The strategies build valid records of each supported flavour and then mutate them structurally:
values swapped for values of other types, keys deleted, scalars wrapped in lists, nesting 100,000
levels deep, huge integers, floats, booleans, unpaired surrogates and control characters.
"""
from __future__ import annotations

import copy
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from mtl_studio.core.formats import ImportFailed, ImportOptions, import_file
from mtl_studio.core.schema import Document, Span, check_label_form
from mtl_studio.core.store import ProjectStore

# ---- the property --------------------------------------------------------------------------------

# Errors about the file as a whole (nothing in it, not a workbook) have no line to name.
WHOLE_FILE_KINDS = frozenset({"empty", "bad-file"})


def make_template(folder: Path) -> Path:
    """A small project with labels and one document, copied for every generated case."""
    path = folder / "template.mtl"
    with ProjectStore.create(path) as store:
        with store.bulk():
            for name in ("ORG", "LOC"):
                store.add_entity_type(name)
            for name in ("negative", "positive"):
                store.add_sentiment_class(name)
        store.add_document(Document(text="Nokia in Espoo.", spans=[Span(0, 5, "ORG")], ner_labelled=True))
    return path


def fresh_store(template: Path) -> ProjectStore:
    copy_path = template.with_name(f"case-{uuid.uuid4().hex[:10]}.mtl")
    shutil.copyfile(template, copy_path)
    return ProjectStore.open(copy_path)


def discard(store: ProjectStore) -> None:
    path = Path(store.path)
    store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def snapshot(store: ProjectStore) -> dict[str, list[tuple]]:
    """Every row of every table: what "the project unchanged" compares."""
    tables = [name for (name,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: store.conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in sorted(tables)}


def check_import(template: Path, path: Path, fmt: str | None, *, must_fail: bool = False,
                 shown_as: str | None = None, whole_file_kinds: frozenset[str] = WHOLE_FILE_KINDS) -> str:
    """Import `path` into a copy of the template and check the property; 'imported' or 'refused'.

    shown_as: how messages name the file (a file inside an imported folder is FOLDER/NAME);
    whole_file_kinds: error kinds that need no line (for a folder, a file is one document)."""
    store = fresh_store(template)
    try:
        before = snapshot(store)
        try:
            import_file(store, path, ImportOptions(format=fmt, split="train"))
        except ImportFailed as failure:
            assert snapshot(store) == before, "a failed import changed the project"
            _check_located(failure, shown_as or str(path), whole_file_kinds)
            return "refused"
        assert not must_fail, f"{path.name} holds a value of the wrong type but was imported"
        _check_stored_values(store)
        return "imported"
    finally:
        discard(store)


def _check_located(failure: ImportFailed, name: str, whole_file_kinds: frozenset[str]) -> None:
    report = failure.report
    assert report.errors, "ImportFailed without an error"
    first = report.errors[0]
    message = str(failure)
    assert message.startswith(name), message
    if first.kind in whole_file_kinds:
        return
    assert re.match(rf"{re.escape(name)}[^:]*(:\d+:|: row \d+:) \S", message), message
    for problem in report.errors:
        assert problem.kind in whole_file_kinds or problem.line or problem.row, f"unlocated: {problem}"


def _check_stored_values(store: ProjectStore) -> None:
    for name in store.entity_type_names() + store.sentiment_class_names():
        assert check_label_form(name) == name, f"label {name!r} stored"
    # Lengths in Python: SQLite's length() stops at a NUL character, which a text may hold.
    rows = store.conn.execute('SELECT s.start, s."end", s.label, d.text FROM spans s '
                              'JOIN documents d ON d.id = s.document_id').fetchall()
    bad = [(start, end, label) for start, end, label, text in rows
           if not (type(start) is int and type(end) is int and 0 <= start < end <= len(text))]
    assert not bad, f"spans out of range or not integers: {bad}"
    store.conn.execute("SELECT text, meta FROM documents").fetchall()  # decodes: no broken UTF-8 stored
    # Entity polarities and document label sets: sane labels, all of them declared in the project.
    polarities = set(store.entity_sentiment_class_names())
    for (value,) in store.conn.execute("SELECT sentiment FROM spans WHERE sentiment IS NOT NULL"):
        assert check_label_form(value) == value and value in polarities, f"polarity {value!r} stored"
    declared = {x.name: set(x.class_names) for x in store.label_sets()}
    for label_set, label in store.conn.execute("SELECT label_set, label FROM document_labels"):
        assert label in declared.get(label_set, ()), f"label {label_set}:{label!r} stored undeclared"


# ---- values -------------------------------------------------------------------------------------

DEEP = "__DEEP_NESTING__"  # replaced by 100,000 nested lists once serialised
DEEP_JSON = "[" * 100_000 + "]" * 100_000

surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
controls = st.text(st.characters(categories=["Cc", "Cf"]), min_size=1, max_size=3)
any_text = st.text(max_size=12) | surrogates | controls
# Beyond SQLite's 64 bits, and beyond float range (2 ** 1024) too.
huge_ints = st.integers(2 ** 63, 2 ** 1100) | st.integers(-(2 ** 1100), -(2 ** 63))
scalars = (st.none() | st.booleans() | st.integers(-5, 50) | huge_ints | st.floats() | any_text
           | st.sampled_from(["1", "2.5", "", " ", "ORG", "positive", "train", "B-ORG"]))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                          max_size=3),
                    max_leaves=6) | st.just(DEEP)

# Values of the wrong type where an offset is required, or a label.
bad_offsets = st.floats(allow_nan=True) | st.booleans() | st.sampled_from(["0", "3"]) | st.lists(st.integers(0, 3),
                                                                                                 max_size=2)
# A one-element list is doccano's way to give a sentiment ("label": ["positive"]): several are refused.
bad_labels = (st.lists(st.sampled_from([0.0, 5.0, "ORG"]), min_size=2, max_size=3)
              | st.dictionaries(st.just("name"), st.just("ORG"), min_size=1) | st.booleans()
              | st.floats().filter(lambda f: not float(f).is_integer())
              # Tab, newline and carriage return inside a label read from a file become "_" (a label
              # split over lines is still one label); every other control character is refused.
              | controls.filter(lambda c: any(ch not in "\t\n\r" for ch in c)).map(lambda c: f"OR{c}G")
              | st.just("L" * 101))
# A blank sentiment means "no sentiment label"; a blank span label is an error, and so is a span
# label in a list.
bad_span_labels = bad_labels | st.sampled_from(["", "   ", ["ORG"], [0.0]])

plain_words = st.sampled_from(["Apple", "shares", "rose", "in", "Berlin", "华为", "😀", "Nokia", "cut", "jobs"])
texts = st.lists(plain_words, min_size=2, max_size=8).map(" ".join) | st.text(min_size=2, max_size=30)
labels = st.sampled_from(["ORG", "LOC", "PER", "MISC"])
classes = st.sampled_from(["positive", "negative", "neutral", 2, 0])


@st.composite
def spans_in(draw: st.DrawFn, text: str) -> list[tuple[int, int, str]]:
    """Up to three non-overlapping spans inside `text`, as (start, end, label)."""
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    return [(a, b, draw(labels)) for a, b in pairs]


# ---- record flavours ------------------------------------------------------------------------------

POLARITIES = ("positive", "negative", "neutral", "conflict")


def own_record(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"text": text, "spans": [{"start": a, "end": b, "label": t,
                                                    "sentiment": POLARITIES[i % len(POLARITIES)]}
                                                   for i, (a, b, t) in enumerate(spans)],
                           "sentiment": sentiment, "split": "dev", "tokens": [[0, len(text)]],
                           "meta": {"id": 7, "note": "x"}, "ner_labelled": True,
                           "labels": {"topic": ["billing", "refund"], "urgency": "high"}}
    rec["spans"].append({"start": 0, "end": 1, "label": "ORG", "source": "silver", "confidence": 0.9,
                         "run_id": "r1", "sentiment": {"label": "positive", "confidence": 0.7}})
    rec["other_sentiments"] = [{"label": "positive", "source": "silver", "confidence": 0.8}]
    rec["other_labels"] = [{"label_set": "topic", "label": "billing", "source": "predicted", "confidence": 0.6}]
    return rec


def doccano_ner(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    return {"id": 3, "text": text, "label": [[a, b, t] for a, b, t in spans] or [[0, 1, "ORG"]]}


def doccano_entities(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    return {"text": text, "entities": [{"start_offset": a, "end_offset": b, "label": t} for a, b, t in spans]}


def doccano_classes(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    return {"text": text, "label": [sentiment], "cats": {"positive": 0.7, "negative": 0.3}}


def label_studio(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    results = [{"type": "labels", "value": {"start": a, "end": b, "text": text[a:b], "labels": [t]}}
               for a, b, t in spans]
    results += [{"id": f"r{i}", "type": "choices", "from_name": "polarity_of_entity",
                 "value": {"start": a, "end": b, "choices": [POLARITIES[i % 3]]}} for i, (a, b, _) in enumerate(spans)]
    for i, result in enumerate(results[:len(spans)]):
        result["id"] = f"r{i}"
    results.append({"type": "choices", "from_name": "topic", "value": {"choices": ["billing", "refund"]}})
    results.append({"type": "choices", "value": {"choices": [sentiment]}})
    return {"id": 11, "data": {"text": text, "source": "web"}, "annotations": [{"result": results}],
            "predictions": [{"result": []}]}


def json_min(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    return {"text": text, "label": [{"start": a, "end": b, "text": text[a:b], "labels": [t]} for a, b, t in spans]
            or [{"start": 0, "end": 1, "labels": ["ORG"]}], "sentiment": sentiment}


def sentfin(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    return {"text": text, "spans": [{"start": a, "end": b, "sentiment": POLARITIES[i % 3]}
                                    for i, (a, b, _) in enumerate(spans)], "label": sentiment,
            "ner_tags": ["B-ORG"] * len(spans), "token_spans": [[a, b] for a, b, _ in spans],
            "tokens": [text[a:b] for a, b, _ in spans]}


def finentity(text: str, spans: list, sentiment: Any) -> dict[str, Any]:
    return {"content": text, "annotations": [{"start": a, "end": b, "value": text[a:b], "tag": "Positive",
                                              "label": "Positive"} for a, b, _ in spans]}


FLAVOURS = (own_record, doccano_ner, doccano_entities, doccano_classes, label_studio, json_min, sentfin, finentity)


@st.composite
def valid_records(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(texts)
    return draw(st.sampled_from(FLAVOURS))(text, draw(spans_in(text)), draw(classes))


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, prefix + (i,))
    return found


def _parent(value: Any, path: tuple) -> Any:
    for key in path[:-1]:
        value = value[key]
    return value


@st.composite
def mutated_records(draw: st.DrawFn) -> Any:
    """A valid record with one to three structural mutations anywhere in its tree."""
    rec = copy.deepcopy(draw(valid_records()))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(rec)[1:]
        action = draw(st.sampled_from(["replace", "replace", "delete", "wrap", "extra"]))
        if not paths or action == "extra":
            if not isinstance(rec, dict):
                return rec
            rec[draw(st.sampled_from(["tokens", "cats", "label", "spans", "meta", "split", "data", "result",
                                      "annotations", "other_sentiments", "ner_labelled", "sentiment", "labels",
                                      "other_labels", "content"]))] = draw(junk)
            continue
        path = draw(st.sampled_from(paths))
        parent, key = _parent(rec, path), path[-1]
        if action == "replace":
            parent[key] = draw(junk)
        elif action == "delete":
            del parent[key]
        else:
            parent[key] = [parent[key]]
    if draw(st.integers(0, 30)) == 0:
        return draw(junk)  # the whole record is not an object
    return rec


# Where a strict type is required, by flavour: (path to the value, kind of value).
STRICT_PATHS = {
    own_record: [(("spans", 0, "start"), "offset"), (("spans", 0, "end"), "offset"),
                 (("spans", 0, "label"), "span-label"), (("sentiment",), "label"), (("spans", 0, "sentiment"), "label")],
    finentity: [(("annotations", 0, "start"), "offset"), (("annotations", 0, "tag"), "label")],
    doccano_ner: [(("label", 0, 0), "offset"), (("label", 0, 1), "offset"), (("label", 0, 2), "span-label")],
    doccano_entities: [(("entities", 0, "start_offset"), "offset"), (("entities", 0, "label"), "span-label")],
    label_studio: [(("annotations", 0, "result", 0, "value", "start"), "offset"),
                   (("annotations", 0, "result", 0, "value", "labels", 0), "span-label"),
                   (("annotations", 0, "result", -1, "value", "choices", 0), "label")],
}


@st.composite
def records_with_a_bad_type(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record with one offset or label replaced by a value of the wrong type."""
    flavour = draw(st.sampled_from(sorted(STRICT_PATHS, key=lambda f: f.__name__)))
    text = draw(texts)
    spans = draw(spans_in(text).filter(bool))
    rec = flavour(text, spans, draw(classes))
    path, kind = draw(st.sampled_from(STRICT_PATHS[flavour]))
    bad_values = {"offset": bad_offsets, "label": bad_labels, "span-label": bad_span_labels}
    _parent(rec, path)[path[-1]] = draw(bad_values[kind])
    return rec


def serialise_json(value: Any, ensure_ascii: bool, indent: int | None = None) -> str:
    """JSON text of a generated value, with DEEP markers turned into 100,000 nested lists."""
    import json

    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent).replace(f'"{DEEP}"', DEEP_JSON)


def encode(text: str) -> bytes:
    """UTF-8, with unpaired surrogates written as the (invalid) bytes a broken encoder would write."""
    return text.encode("utf-8", "surrogatepass")


# ---- CSV / TSV / Excel ----------------------------------------------------------------------------

COLUMNS = ["text", "sentiment", "split", "entities", "note", "labels:topic"]
cells = any_text | st.sampled_from(["a,b", 'say "hi"', "two\nlines", "tab\there", "=1+1", "[1]", "-", ""])


@st.composite
def entities_cells(draw: st.DrawFn, text: str) -> str:
    import json

    spans = [{"start": a, "end": b, "label": t, "sentiment": draw(st.sampled_from(POLARITIES))}
             for a, b, t in draw(spans_in(text))]
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return ""
    if choice == 1:
        return DEEP
    if choice == 2:
        return draw(cells)
    if choice == 3 and spans:
        rec = copy.deepcopy(spans)
        path = draw(st.sampled_from(_paths(rec)[1:]))
        _parent(rec, path)[path[-1]] = draw(junk)
        return serialise_json(rec, ensure_ascii=True)
    if choice == 4 and spans:
        return json.dumps([[s["start"], s["end"], s["label"]] for s in spans])
    return json.dumps(spans)


@st.composite
def table_rows(draw: st.DrawFn) -> tuple[list[str], list[list[str]], bool]:
    """(header, rows, ragged): rows of text, sentiment, split, entities, note; some cells junk, and
    with `ragged` a row with fewer or more cells than the header."""
    header = COLUMNS[:draw(st.integers(1, len(COLUMNS)))]
    rows, ragged = [], False
    for _ in range(draw(st.integers(1, 4))):
        text = draw(texts | cells)
        row = [text, draw(st.sampled_from(["positive", "negative", "2", ""]) | cells),
               draw(st.sampled_from(["train", "dev", "valid", ""]) | cells), draw(entities_cells(text)), draw(cells),
               draw(st.sampled_from(["billing|refund", "billing", "", "a||b", "|"]) | cells)]
        row = row[:len(header)]
        if draw(st.integers(0, 5)) == 0:
            row = row[:-1] if draw(st.booleans()) and len(row) > 1 else row + ["extra"]
            ragged = True
        rows.append(row)
    return header, rows, ragged


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[DEEP_JSON if cell == DEEP else cell for cell in row] for row in rows])
    path.write_bytes(encode(buffer.getvalue()))


# ---- CoNLL and plain text ---------------------------------------------------------------------------

tokens = st.text(st.characters(blacklist_categories=["Zs", "Zl", "Zp", "Cc"]), min_size=1, max_size=8)
tags = st.sampled_from(["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "E-LOC", "S-PER", "M-ORG", "B_MISC"]) | \
    any_text.map(lambda t: f"B-{t}") | any_text


@st.composite
def conll_text(draw: st.DrawFn) -> str:
    lines = ["-DOCSTART- -X- O O", ""] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 4))):
        for _ in range(draw(st.integers(1, 6))):
            fields = [draw(tokens)] + (["NNP"] if draw(st.integers(0, 4)) == 0 else []) + [draw(tags)]
            if draw(st.integers(0, 10)) == 0:
                fields = fields[:1]  # a line that lost its tag
            lines.append(draw(st.sampled_from([" ", "\t"])).join(fields))
        lines.append(draw(st.sampled_from(["", " ", "\t"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


plain_lines = st.lists(texts | any_text, min_size=1, max_size=5).map("\n".join)


# ---- SemEval-2014 ABSA XML ----------------------------------------------------------------------------

xml_values = st.integers(-2, 40).map(str) | any_text | st.sampled_from(["", "1.5", "０", "positive", "conflict"])


@st.composite
def absa_xml(draw: st.DrawFn) -> str:
    """An ABSA file of one to three sentences, its offsets, polarities and categories sometimes junk."""
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<sentences>"]
    for n in range(draw(st.integers(1, 3))):
        text = draw(texts)
        out.append(f'  <sentence id="{n}">')
        out.append(f"    <text>{escape(text)}</text>")
        terms = draw(spans_in(text))
        if terms:
            out.append("    <aspectTerms>")
            for a, b, _ in terms:
                attrs = {"term": text[a:b], "polarity": draw(st.sampled_from(POLARITIES)), "from": str(a), "to": str(b)}
                if draw(st.integers(0, 3)) == 0:
                    attrs[draw(st.sampled_from(sorted(attrs)))] = draw(xml_values)
                out.append("      <aspectTerm " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>")
            out.append("    </aspectTerms>")
        if draw(st.booleans()):
            category = draw(st.sampled_from(["food", "service", "anecdotes/miscellaneous"]) | xml_values)
            out.append(f"    <aspectCategories><aspectCategory category={quoteattr(category)} "
                       f"polarity={quoteattr(draw(st.sampled_from(POLARITIES) | xml_values))}/></aspectCategories>")
        out.append("  </sentence>")
    out.append("</sentences>")
    return "\n".join(out) + "\n"
