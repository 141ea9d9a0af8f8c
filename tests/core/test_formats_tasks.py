"""Entity sentiment and document label sets in every format: read, write, read again equal (issue 13).

Readers and writers are tested on Document objects here; test_formats_tasks_store.py imports into a
project and exports through the CLI.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from formats_util import write
from mtl_studio.core.formats import ImportOptions, ImportReport, UnknownFormat, detect_format, get_reader
from mtl_studio.core.formats.absa import (
    CATEGORY_POLARITY_SET, CATEGORY_SET, write_absa_footer, write_absa_header, write_absa_sentence,
)
from mtl_studio.core.formats.jsonl import write_finentity_record, write_label_studio_task, write_record
from mtl_studio.core.formats.tabular import write_csv_header, write_csv_row
from mtl_studio.core.schema import Document, DocumentLabel, LabelSet, SentimentLabel, Span

FMT = "formats"
TOPIC = LabelSet("topic", multi_label=True)
URGENCY = LabelSet("urgency")


def read(path: Path, fmt: str) -> tuple[list[Document], ImportReport]:
    report = ImportReport(str(path))
    docs = [p.doc for p in get_reader(fmt)(path, ImportOptions(), report)]
    return docs, report


def key(doc: Document) -> tuple:
    """What a round trip must keep: text, spans with type and polarity, sentiment, label sets, NER labelling."""
    return (doc.text, sorted((s.start, s.end, s.label, s.sentiment) for s in doc.spans),
            doc.sentiment.label if doc.sentiment else None, sorted((x.label_set, x.label) for x in doc.labels),
            doc.ner_labelled)


def sample_docs() -> list[Document]:
    return [
        Document("Alphabet slid while Microsoft rallied.", spans=[Span(0, 8, "ORG", sentiment="negative"),
                                                                 Span(20, 29, "ORG", sentiment="positive")],
                 ner_labelled=True, sentiment=SentimentLabel("mixed"),
                 labels=[DocumentLabel("topic", "markets"), DocumentLabel("topic", "tech"),
                         DocumentLabel("urgency", "high")]),
        Document("Card charged twice in Oslo.", spans=[Span(0, 4, "PRODUCT", sentiment="conflict"),
                                                      Span(22, 26, "LOC")],  # a span without polarity
                 ner_labelled=True, labels=[DocumentLabel("topic", "billing")]),
        Document("No entities, a sentiment only.", sentiment=SentimentLabel("neutral")),
        Document("Labelled for NER, none found.", ner_labelled=True, labels=[DocumentLabel("urgency", "low")]),
    ]


# ---- own JSONL ------------------------------------------------------------------------------------

def test_jsonl_round_trip_keeps_span_polarity_and_label_sets(tmp_path):
    docs = sample_docs()
    lines = [json.dumps(write_record(d, multi_label={"topic"})) for d in docs]
    rec = json.loads(lines[1])
    assert rec["labels"] == {"topic": ["billing"]}  # a multi-label set is a list even with one label
    assert rec["spans"][0]["sentiment"] == "conflict" and "sentiment" not in rec["spans"][1]
    assert json.loads(lines[0])["labels"]["urgency"] == "high"
    back, report = read(write(tmp_path, "own.jsonl", "\n".join(lines) + "\n"), "jsonl")
    assert report.ok, report.problems
    assert [key(d) for d in back] == [key(d) for d in docs]


def test_jsonl_multi_label_list_is_declared_and_predicted_polarity_keeps_confidence(tmp_path):
    line = {"text": "Nokia rose.", "spans": [
        {"start": 0, "end": 5, "label": "ORG", "sentiment": "positive"},
        {"start": 0, "end": 5, "label": "ORG", "source": "predicted", "confidence": 0.9,
         "sentiment": {"label": "positive", "confidence": 0.75}}],
        "labels": {"topic": ["markets", "markets", "tech"], "urgency": "low", "sentiment": "positive"},
        "other_labels": [{"label_set": "urgency", "label": "high", "source": "predicted", "confidence": 0.6}]}
    path = write(tmp_path, "p.jsonl", json.dumps(line) + "\n")
    parsed = list(get_reader("jsonl")(path, ImportOptions(), ImportReport(str(path))))
    doc = parsed[0].doc
    assert parsed[0].multi_label_sets == {"topic"}
    assert doc.labels_of("topic") == ("markets", "tech") and doc.labels_of("urgency") == ("low",)
    assert doc.sentiment.label == "positive"  # labels.sentiment is the sentiment
    assert (doc.other_spans[0].sentiment, doc.other_spans[0].sentiment_confidence) == ("positive", 0.75)
    assert doc.other_labels == [DocumentLabel("urgency", "high", "predicted", 0.6)]
    again = write_record(doc, ("gold", "predicted"), {"topic"})
    assert again["spans"][1]["sentiment"] == {"label": "positive", "confidence": 0.75}
    assert again["other_labels"][0]["label"] == "high"


@pytest.mark.parametrize("record, expected", [
    ({"labels": {"ner": "x"}}, "built-in task"),
    ({"labels": {"topic": [["nested"]]}}, "label set 'topic'"),
    ({"labels": {"topic": True}}, "label set 'topic'"),
    ({"labels": ["topic", "tech"]}, "one sentiment label"),  # a list is doccano's label list, as before
    ({"sentiment": "positive", "labels": {"sentiment": "negative"}}, "disagree"),
    ({"spans": [{"start": 0, "end": 3, "label": "ORG", "sentiment": ["pos"]}]}, "span 1: sentiment"),
    ({"spans": [{"start": 0, "end": 3, "label": "ORG", "sentiment": {"confidence": 1}}]}, "needs a \"label\""),
    ({"other_labels": [{"label_set": "topic", "label": "x", "source": "gold"}]}, "other_labels"),
])
def test_jsonl_bad_polarity_or_labels_name_the_line(tmp_path, record, expected):
    good = json.dumps({"text": "Fine text."})
    path = write(tmp_path, "bad.jsonl", good + "\n" + json.dumps({"text": "Bad text.", **record}) + "\n")
    _, report = read(path, "jsonl")
    assert not report.ok
    assert report.errors[0].line == 2 and expected in report.errors[0].message, report.errors[0].message


# ---- SEntFiN, FinEntity, Label Studio ---------------------------------------------------------------

def test_sentfin_entity_polarities_are_span_sentiment(fixtures_dir):
    docs, report = read(fixtures_dir / FMT / "sentfin_like.jsonl", "jsonl")
    assert report.ok
    assert [(d.text[s.start:s.end], s.label, s.sentiment) for d in docs for s in d.spans] == [
        ("Jet Airways", "ENT", "negative"), ("Gold", "ENT", "positive"), ("rupee", "ENT", "negative")]
    # The derived headline label stays the document sentiment ("mixed" included: the headline task).
    assert [d.sentiment.label for d in docs] == ["negative", "mixed", "negative"]
    assert all("entity_sentiments" not in d.meta for d in docs)


def test_finentity_polarity_as_tag(fixtures_dir, tmp_path):
    path = fixtures_dir / FMT / "finentity_like.json"
    assert detect_format(path) == "json"
    docs, report = read(path, "json")
    assert report.ok, report.problems
    assert [(d.text[s.start:s.end], s.label, s.sentiment) for d in docs for s in d.spans] == [
        ("Ocado", "ENT", "negative"), ("Tesco", "ENT", "positive"), ("BofA", "ENT", "neutral")]
    assert any("listed twice" in n for n in report.notes)  # the repeated annotation is one span
    assert all(d.ner_labelled for d in docs)
    out = write(tmp_path, "back.json", json.dumps([write_finentity_record(d) for d in docs]))
    assert json.loads(out.read_text())[0]["annotations"][0]["tag"] == "Negative"
    assert [key(d) for d in read(out, "json")[0]] == [key(d) for d in docs]


def test_finentity_round_trip_of_typed_spans_and_labels(tmp_path):
    docs = [d for d in sample_docs() if d.ner_labelled]
    out = write(tmp_path, "fe.jsonl", "\n".join(json.dumps(write_finentity_record(d)) for d in docs) + "\n")
    back, report = read(out, "jsonl")
    assert report.ok, report.problems
    assert [key(d) for d in back] == [key(d) for d in docs]


def test_label_studio_per_region_choices_are_span_polarity(fixtures_dir):
    docs, report = read(fixtures_dir / FMT / "label_studio_regions.json", "json")
    assert report.ok, report.problems
    doc = docs[0]
    assert [(doc.text[s.start:s.end], s.sentiment) for s in doc.spans] == [
        ("Alphabet", "negative"), ("Microsoft", "positive"), ("Nvidia", None)]
    assert doc.sentiment.label == "positive"  # from_name "sentiment" without a region
    assert doc.labels_of("topic") == ("markets", "tech")  # any other from_name: a label set


def test_label_studio_round_trip(tmp_path):
    docs = sample_docs()
    tasks = [write_label_studio_task(d, n) for n, d in enumerate(docs, 1)]
    region = [r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "choices" and "start" in r["value"]]
    assert region[0]["id"] == tasks[0]["annotations"][0]["result"][0]["id"]  # linked to its labels region
    back, report = read(write(tmp_path, "ls.json", json.dumps(tasks)), "json")
    assert report.ok, report.problems
    assert [key(d) for d in back] == [key(d) for d in docs]


def test_label_studio_region_choice_without_its_region_is_an_error(tmp_path):
    task = {"data": {"text": "Nokia rose."}, "annotations": [{"result": [
        {"id": "x", "from_name": "sentiment", "to_name": "text", "type": "choices",
         "value": {"start": 0, "end": 5, "choices": ["positive"]}}]}]}
    _, report = read(write(tmp_path, "ls.json", json.dumps([task], indent=1)), "json")
    assert not report.ok and report.errors[0].line == 2 and "no labelled region" in report.errors[0].message


# ---- CSV ------------------------------------------------------------------------------------------

def test_csv_entities_with_polarity_and_label_set_columns(fixtures_dir):
    docs, report = read(fixtures_dir / FMT / "tickets.csv", "csv")
    assert report.ok, report.problems
    assert [(s.label, s.sentiment) for s in docs[0].spans] == [("PRODUCT", "negative")]
    assert docs[0].labels_of("topic") == ("billing", "refund") and docs[0].labels_of("urgency") == ("high",)
    assert docs[1].labels_of("topic") == ("account",) and docs[1].ner_labelled and not docs[1].spans
    assert docs[2].labels == [] and not docs[2].ner_labelled  # empty cells: not labelled
    assert not any(k.startswith("label") for d in docs for k in d.meta)


def test_csv_round_trip(tmp_path):
    docs = sample_docs()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    write_csv_header(writer, ("gold",), [TOPIC, URGENCY])
    for d in docs:
        write_csv_row(writer, d, ("gold",), label_sets=[TOPIC, URGENCY])
    assert buffer.getvalue().splitlines()[0] == "text,sentiment,split,entities,labels:topic,label:urgency"
    assert "markets|tech" in buffer.getvalue()
    back, report = read(write(tmp_path, "out.csv", buffer.getvalue()), "csv")
    assert report.ok, report.problems
    assert [key(d) for d in back] == [key(d) for d in docs]


@pytest.mark.parametrize("header, cell, expected", [
    ("label:urgency", "high|low", "single-label"),
    ("labels:topic", "billing||refund", "empty label"),
    ("label:ner", "x", "built-in task"),
])
def test_csv_bad_label_set_cells_name_the_row(tmp_path, header, cell, expected):
    path = write(tmp_path, "bad.csv", f"text,{header}\nfine,\nbad text,{cell}\n")
    _, report = read(path, "csv")
    assert not report.ok and expected in report.errors[0].message, report.errors[0].message
    assert report.errors[0].row in (1, 3)  # a bad header is row 1, a bad cell its row


# ---- SemEval-2014 ABSA XML ------------------------------------------------------------------------

def test_absa_reader_keeps_conflict_and_categories(fixtures_dir):
    path = fixtures_dir / FMT / "absa_2014.xml"
    assert detect_format(path) == "absa"
    docs, report = read(path, "absa")
    assert report.ok, report.problems
    assert [d.meta["id"] for d in docs] == ["3121", "2777", "1634", "2846"]
    third = docs[2]
    assert [(third.text[s.start:s.end], s.label, s.sentiment) for s in third.spans] == [
        ("pizza", "ASPECT", "positive"), ("service & wait", "ASPECT", "conflict")]
    assert third.labels_of(CATEGORY_SET) == ("food", "service")
    assert third.labels_of(CATEGORY_POLARITY_SET) == ("food:positive", "service:conflict")
    # A sentence without aspect terms in a file that has them: labelled, no aspect terms (as SemEval).
    assert docs[3].ner_labelled and not docs[3].spans
    assert docs[3].labels_of(CATEGORY_SET) == ("anecdotes/miscellaneous",)


def test_absa_round_trip(fixtures_dir, tmp_path):
    docs, _ = read(fixtures_dir / FMT / "absa_2014.xml", "absa")
    docs.append(Document("Odd \"quotes\" <tags> & a\ttab\r\nline.", spans=[Span(0, 3, "ORG", sentiment="neutral")],
                         ner_labelled=True, meta={"id": "x&1"}))
    buffer = io.StringIO()
    write_absa_header(buffer)
    for n, d in enumerate(docs):
        write_absa_sentence(buffer, d, str(n))
    write_absa_footer(buffer)
    back, report = read(write(tmp_path, "back.xml", buffer.getvalue()), "absa")
    assert report.ok, report.problems
    assert [key(d) for d in back] == [key(d) for d in docs]
    assert back[-1].meta == {"id": "x&1"}


@pytest.mark.parametrize("change, line, expected", [
    (('from="8" to="13"', 'from="9" to="13"'), 6, "sentence '3121': aspectTerm 'staff' from=9 to=13, but the text "
                                                 "there is 'taff'"),
    (('from="8" to="13"', 'from="8" to="99"'), 6, "outside the text"),
    (('from="8" to="13"', 'from="eight" to="13"'), 6, "whole-number 'from'"),
    (('<aspectTerm term="food" polarity="negative"', '<aspectTerm term="food" polarity=""'), None, None),
    (("</sentence>\n    <sentence id=\"2777\">", "<sentence id=\"2777\">"), 11, "inside a <sentence>"),
    (("</aspectTerms>", "</aspectTerm>"), 7, "not well-formed XML"),
])
def test_absa_errors_name_file_line_and_sentence(fixtures_dir, tmp_path, change, line, expected):
    text = (fixtures_dir / FMT / "absa_2014.xml").read_text(encoding="utf-8").replace(*change, 1)
    path = write(tmp_path, "bad.xml", text)
    docs, report = read(path, "absa")
    if expected is None:  # an empty polarity: the term is not labelled for entity sentiment
        assert report.ok and docs[1].spans[0].sentiment is None
        return
    assert not report.ok
    assert (report.errors[0].line, report.errors[0].file) == (line, str(path))
    assert expected in report.errors[0].message, report.errors[0].message


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',  # billion laughs, in small
    '<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>',  # an external entity
])
def test_absa_refuses_entity_declarations(tmp_path, doctype):
    path = write(tmp_path, "evil.xml", f'<?xml version="1.0"?>\n{doctype}\n<sentences><sentence id="1">'
                                       f"<text>&b;</text></sentence></sentences>\n")
    docs, report = read(path, "absa")
    assert docs == [] and not report.ok
    assert "entities" in report.errors[0].message and report.errors[0].line == 2


def test_absa_format_on_other_xml_names_the_root(tmp_path):
    _, report = read(write(tmp_path, "other.xml", "<Reviews><Review rid='1'/></Reviews>\n"), "absa")
    assert not report.ok and "<Reviews>" in report.errors[0].message and report.errors[0].line == 1


# ---- refusing what no reader takes ------------------------------------------------------------------

@pytest.mark.parametrize("name, content, line, what", [
    ("page.html", "\n<!DOCTYPE html>\n<html><body><p>Hi</p></body></html>\n", 2, "HTML"),
    ("page.txt", "<html>\n<body>text</body>\n</html>\n", 1, "HTML"),
    ("feed.xml", '<?xml version="1.0"?>\n<rss><channel/></rss>\n', 1, "<rss>"),
    ("feed.txt", "<rss>\n<channel>a</channel>\n</rss>\n", 1, "<rss>"),
    ("data.json", '<?xml version="1.0"?>\n<a/>\n', 1, "<a>"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary"),
    ("archive.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", 1, "binary"),
    ("notes", b"line one\nline \x00two\n", 2, "binary"),
])
def test_unknown_formats_are_refused_with_the_known_ones(tmp_path, name, content, line, what):
    path = write(tmp_path, name, content)
    with pytest.raises(UnknownFormat) as caught:
        detect_format(path)
    message = str(caught.value)
    assert what in message and f"{path}:{line}:" in message and caught.value.line == line
    assert all(f"{fmt} = " in message for fmt in ("conll", "jsonl", "csv", "absa", "text"))


@pytest.mark.parametrize("content", [
    "<3 this phone\nworks fine\n",  # begins with '<' but is no markup
    "a <b>bold</b> claim\nplain line\n",
    "Ünïcödé text only\n",
])
def test_plain_text_stays_text(tmp_path, content):
    assert detect_format(write(tmp_path, "t.txt", content)) == "text"


def test_utf16_text_is_not_taken_for_binary(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("first line\nsecond line\n".encode("utf-16"))
    assert detect_format(path) == "text"


def test_text_reader_refuses_a_nul_byte_with_its_line(tmp_path):
    path = write(tmp_path, "t.txt", b"fine\nalso fine\nbad \x00 line\nnever read\n")
    docs, report = read(path, "text")
    assert [d.text for d in docs] == ["fine", "also fine"]
    assert not report.ok and report.errors[0].line == 3 and "binary" in report.errors[0].message
