"""JSON Lines and JSON: MTL Studio's own format, doccano exports, Label Studio exports, SEntFiN, FinEntity.

Own format, one object per line (see docs in `write_record` and docs/formats.md):

    {"text": "Apple shares rose in Berlin.",
     "spans": [{"start": 0, "end": 5, "label": "ORG", "sentiment": "positive"},
               {"start": 21, "end": 27, "label": "LOC"}],
     "sentiment": "positive", "labels": {"topic": ["markets", "tech"], "urgency": "low"},
     "split": "train", "meta": {"id": "a1"}}

`spans[].sentiment` is the polarity toward that entity (absent or null: not labelled for entity
sentiment); `labels` holds the further document label sets (a list: a multi-label set).

`spans` present (even empty) means the document is labelled for NER; `sentiment` absent or null
means it has no sentiment label. Optional: `tokens` ([[start, end], ...] token offsets, kept so CoNLL
export reproduces the original tokens), `ner_labelled` (overrides), `other_sentiments` and spans with
`"source": "silver"|"predicted"` (model annotations, written when an export asks for them).

Also read, record by record:
- doccano NER: {"text", "label": [[start, end, "TYPE"], ...]} or {"text", "entities": [{"start_offset",
  "end_offset", "label"}]}; doccano classification: {"text", "label": ["positive"]} or "cats".
- Label Studio JSON/JSONL export: tasks with "data" and "annotations"[].result[] of type "labels"
  (value.start/end/labels) and "choices" (value.choices): a choices result with a region's id is that
  span's polarity, a document-level one is the sentiment (from_name "sentiment", ...) or the label set
  named by its from_name; the JSON-MIN export too.
- SEntFiN: spans without a label get the type of the record's `ner_tags` (ENT), their `sentiment` is the
  entity's polarity, `label` (derived: the entities' common polarity or "mixed") the headline sentiment.
- FinEntity: {"content", "annotations": [{"start", "end", "value", "tag"}]}, the polarity as `tag`
  (Positive -> positive), every entity of the one type ENT.
Offsets are code points; spans that carry their text and only match it as UTF-16 code units (older
Label Studio versions and other JavaScript tools count that way) are converted, with a note.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dataclasses import replace

from ..errors import MtlStudioError
from ..schema import (
    DEFAULT_POLARITIES, Document, DocumentLabel, SentimentLabel, Span, ValidationError, check_document_length,
    confidence_from_value, optional_name, shown,
)
from ..tokenize import retokenize_for_spans
from .common import (
    ImportOptions, ParsedDoc, check_split, clean_label, decode_json, document_labels, label_set_name,
    other_labels, polarity_from_value, read_lines,
)
from .report import ImportReport

TEXT_KEYS = ("text", "content", "sentence", "document", "body")
SPAN_KEYS = ("spans", "entities")
# Label Studio from_names of document-level choices that are the sentiment task (any other from_name
# names a document label set): the names of Label Studio's sentiment templates and the obvious ones.
LS_SENTIMENT_NAMES = frozenset({"sentiment", "sentiment_label", "label", "choice", "choices", "class", "polarity"})
# The from_name the Label Studio export gives per-region polarity choices and entity labels.
LS_SPAN_FROM_NAME = "label"
LS_POLARITY_FROM_NAME = "entity_sentiment"
# The one entity type of datasets that mark entities without typing them (FinEntity, SEntFiN).
UNTYPED_ENTITY = "ENT"


class RecordError(MtlStudioError, ValueError):
    """A record cannot be read; the message says why (the caller adds file and line)."""


# ---- reading ---------------------------------------------------------------------------------------

def read_jsonl(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    """One JSON object per line; blank lines are allowed."""
    reader = _RecordReader(path, options, report)
    for lineno, line in read_lines(path, options.encoding, report):
        if not line.strip():
            continue
        try:
            rec, _ = decode_json(line)
        except json.JSONDecodeError as e:
            report.error(f"not valid JSON ({e.msg} at column {e.colno})", kind="json", line=lineno)
            continue
        parsed = reader.parse(rec, lineno)
        if parsed is not None:
            yield parsed
        if report.error_count >= options.max_errors:
            return
    reader.finish()


def read_json(path: Path, options: ImportOptions, report: ImportReport) -> Iterator[ParsedDoc]:
    """A JSON array of records (Label Studio's export, doccano's JSON) or a single record.

    The array is decoded item by item with raw_decode so that each item's line number is known.
    """
    lines = list(read_lines(path, options.encoding, report))
    if not report.ok:
        return
    text = "\n".join(line for _, line in lines)
    del lines
    pos = _skip_ws(text, 0)
    if pos >= len(text):
        report.error("the file is empty", kind="json", line=1)
        return
    items: list[tuple[int, Any]] = []
    line_at = _LineCounter(text)
    try:
        if text[pos] != "[":
            obj, end = decode_json(text, pos, whole=False)
            items.append((line_at(pos), obj))
            pos = _skip_ws(text, end)
            if pos < len(text):
                raise json.JSONDecodeError("extra data after the JSON value (JSON Lines? use --format jsonl)",
                                           text, pos)
        else:
            pos = _skip_ws(text, pos + 1)
            while pos < len(text) and text[pos] != "]":
                obj, end = decode_json(text, pos, whole=False)
                items.append((line_at(pos), obj))
                pos = _skip_ws(text, end)
                if pos < len(text) and text[pos] == ",":
                    pos = _skip_ws(text, pos + 1)
                elif pos < len(text) and text[pos] != "]":
                    raise json.JSONDecodeError("expected ',' or ']'", text, pos)
    except json.JSONDecodeError as e:
        report.error(f"not valid JSON ({e.msg} at column {e.colno})", kind="json", line=e.lineno)
        return
    reader = _RecordReader(path, options, report)
    # In a Label Studio NER project an annotated task without spans is "no entities", not "unlabelled".
    reader.ls_ner_project = any(_ls_results(obj, "labels") for _, obj in items if isinstance(obj, dict))
    for lineno, obj in items:
        parsed = reader.parse(obj, lineno)
        if parsed is not None:
            yield parsed
        if report.error_count >= options.max_errors:
            return
    reader.finish()


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


class _LineCounter:
    """Line number of increasing character positions, counted incrementally."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def __call__(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


class _RecordReader:
    """Turns one decoded record (any supported flavour) into a Document, reporting problems."""

    def __init__(self, path: Path, options: ImportOptions, report: ImportReport) -> None:
        self.path, self.options, self.report = path, options, report
        self.ls_ner_project = False
        self.unlabelled_empty = 0
        self.typed_from_tags = 0
        self.utf16_converted = 0
        self.ls_extra_annotations = 0
        self.ls_predictions = 0
        self.unlocated = 0
        self.duplicate_annotations = 0
        self.multi: frozenset[str] = frozenset()

    def parse(self, rec: Any, lineno: int) -> ParsedDoc | None:
        self.multi: frozenset[str] = frozenset()  # label sets this record gives as lists
        try:
            if not isinstance(rec, dict):
                raise RecordError(f"expected a JSON object, found {type(rec).__name__}")
            if is_finentity(rec):
                doc = self._finentity(rec)
            elif isinstance(rec.get("annotations") or rec.get("completions"), list) or \
                    (isinstance(rec.get("data"), dict) and "text" not in rec):
                doc = self._label_studio(rec)
            else:
                doc = self._generic(rec)
        except (RecordError, ValidationError) as e:  # ValidationError: a label or offset of the wrong form
            self.report.error(str(e), kind="record", line=lineno)
            return None
        doc.source = self.path.name
        return ParsedDoc(doc, line=lineno, multi_label_sets=self.multi)

    def finish(self) -> None:
        r = self.report
        if self.unlabelled_empty:
            r.note(f"{self.unlabelled_empty} documents with an empty entity list (as doccano exports unannotated "
                   f"texts) were imported as not labelled for NER")
        if self.typed_from_tags:
            r.note(f"{self.typed_from_tags} spans had no label field: typed from the record's ner_tags "
                   f"(or ENT when absent)")
        if self.utf16_converted:
            r.note(f"{self.utf16_converted} span offsets counted UTF-16 code units (a JavaScript tool): "
                   f"converted to characters")
        if self.ls_extra_annotations:
            r.note(f"{self.ls_extra_annotations} Label Studio tasks had several annotations: the first "
                   f"completed one was imported")
        if self.ls_predictions:
            r.note(f"{self.ls_predictions} Label Studio predictions were not imported (only annotations are)")
        if self.duplicate_annotations:
            r.note(f"{self.duplicate_annotations} annotations were listed twice in their record: imported once")
        if self.unlocated:
            r.note(f"{self.unlocated} documents list entities that are not located in the text "
                   f"(unlocated_entities): imported as not labelled for NER when no span is located")

    # ---- flavours ----

    def _generic(self, rec: dict[str, Any]) -> Document:
        text = _text_of(rec)
        spans: list[Span] = []
        ner_labelled = False
        span_source: Any = None
        for key in SPAN_KEYS:
            if key in rec and rec[key] is not None:
                span_source, ner_labelled = rec[key], True
                if not isinstance(span_source, list):
                    raise RecordError(f'"{key}" must be a list of spans')
                if key == "entities" and not span_source:
                    ner_labelled = False
                    self.unlabelled_empty += 1
                break
        label_sets = rec.get("labels") if isinstance(rec.get("labels"), dict) else None
        label = rec.get("label", rec.get("labels") if label_sets is None else None)
        sentiment_value: Any = rec.get("sentiment")
        if span_source is None and isinstance(label, list) and label and _looks_like_span(label[0]):
            span_source, ner_labelled = label, True  # doccano NER: "label": [[s, e, "TYPE"], ...]
        elif span_source is None and isinstance(label, list) and not label:
            self.unlabelled_empty += 1  # doccano: an empty label list is an unannotated text
        elif sentiment_value is None and label is not None:
            sentiment_value = label
        if sentiment_value is None and rec.get("cats") is not None:
            sentiment_value = _from_cats(rec["cats"])
        if span_source:
            spans = [self._span(s, text, rec, i) for i, s in enumerate(span_source)]
        gold = [s for s in spans if s.source == "gold"]
        other = [s for s in spans if s.source != "gold"]
        if isinstance(rec.get("unlocated_entities"), list) and rec["unlocated_entities"]:
            self.unlocated += 1
            if not gold:
                ner_labelled = False
        if isinstance(rec.get("ner_labelled"), bool):
            ner_labelled = rec["ner_labelled"]
        meta = dict(rec["meta"]) if isinstance(rec.get("meta"), dict) else {}
        if "id" in rec and "id" not in meta:
            meta["id"] = rec["id"]
        labels, sentiment_value = self._label_sets(label_sets, sentiment_value)
        try:
            split = check_split(rec.get("split"))
        except ValueError as e:
            raise RecordError(str(e)) from None
        return Document(
            text=text, tokens=self._tokens(rec, text, spans), spans=gold, other_spans=other,
            sentiment=_sentiment(sentiment_value), ner_labelled=ner_labelled, split=split, meta=meta,
            other_sentiments=[_other_sentiment(x) for x in _list_field(rec, "other_sentiments")],
            labels=labels, other_labels=other_labels(rec.get("other_labels")),
        )

    def _label_sets(self, value: Any, sentiment_value: Any) -> tuple[list[DocumentLabel], Any]:
        """The record's `labels` object: (gold labels, the sentiment value to use)."""
        if value is None:
            return [], sentiment_value
        labels, self.multi, in_labels = document_labels(value)
        if in_labels is not None:
            if sentiment_value is not None and _sentiment(sentiment_value) != _sentiment(in_labels):
                raise RecordError(f'"sentiment" {shown(sentiment_value)} and "labels"."sentiment" '
                                  f"{shown(in_labels)} disagree")
            sentiment_value = in_labels
        return labels, sentiment_value

    def _finentity(self, rec: dict[str, Any]) -> Document:
        """FinEntity: {"content", "annotations": [{"start", "end", "value", "tag"}]}, polarity as tag."""
        text = _text_of(rec)
        spans: list[Span] = []
        for i, a in enumerate(rec["annotations"]):
            where = f"annotation {i + 1}"
            polarity, _ = polarity_from_value(a.get("tag", a.get("sentiment")), f"{where}: tag")
            if polarity is not None and polarity.lower() in DEFAULT_POLARITIES:
                polarity = polarity.lower()  # FinEntity writes Positive / Negative / Neutral
            span = self._checked_span(a.get("start"), a.get("end"), a.get("type", UNTYPED_ENTITY), text,
                                      a.get("value"), where)
            span = replace(span, sentiment=polarity)
            if span in spans:
                self.duplicate_annotations += 1  # FinEntity has a few annotations listed twice
                continue
            spans.append(span)
        labels, sentiment_value = self._label_sets(rec.get("labels") if isinstance(rec.get("labels"), dict)
                                                   else None, rec.get("sentiment"))
        meta = dict(rec["meta"]) if isinstance(rec.get("meta"), dict) else {}
        if "id" in rec and "id" not in meta:
            meta["id"] = rec["id"]
        try:
            split = check_split(rec.get("split"))
        except ValueError as e:
            raise RecordError(str(e)) from None
        return Document(text=text, tokens=retokenize_for_spans(text, spans), spans=spans, ner_labelled=True,
                        sentiment=_sentiment(sentiment_value), labels=labels, split=split, meta=meta)

    def _label_studio(self, rec: dict[str, Any]) -> Document:
        data = rec.get("data")
        if not isinstance(data, dict):
            raise RecordError('a Label Studio task needs a "data" object with the text')
        text_key = "text" if isinstance(data.get("text"), str) else next(
            (k for k, v in data.items() if isinstance(v, str)), None)
        if text_key is None:
            raise RecordError('no text in the task\'s "data"')
        text = data[text_key]
        _check_length(text)
        annotations = [a for a in _list_field(rec, "annotations") or _list_field(rec, "completions")
                       if isinstance(a, dict) and not a.get("was_cancelled")]
        self.ls_predictions += len(_list_field(rec, "predictions"))
        if len(annotations) > 1:
            self.ls_extra_annotations += 1
        spans: list[Span] = []
        sentiment = None
        labels: list[DocumentLabel] = []
        ner_labelled = False
        if annotations:
            results = _list_field(annotations[0], "result")
            region_of: dict[Any, int] = {}  # a labels result's id -> its span's index
            choices_results: list[tuple[int, dict[str, Any], list[Any]]] = []
            for i, res in enumerate(results):
                if not isinstance(res, dict):
                    continue
                value = res.get("value") or {}
                if not isinstance(value, dict):
                    raise RecordError(f"result {i + 1}: \"value\" must be an object, not {shown(value)}")
                if res.get("type") == "labels":
                    names = _list_field(value, "labels", f"result {i + 1}: ")
                    if not names:
                        raise RecordError(f"result {i + 1}: a labels result without a label")
                    if isinstance(res.get("id"), (str, int)) and not isinstance(res.get("id"), bool):
                        region_of[res["id"]] = len(spans)
                    spans.append(self._checked_span(value.get("start"), value.get("end"), names[0], text,
                                                    value.get("text"), f"result {i + 1}"))
                elif res.get("type") == "choices":
                    choices_results.append((i, res, _list_field(value, "choices", f"result {i + 1}: ")))
            document_choices: dict[str, list[Any]] = {}
            for i, res, choices in choices_results:
                where = f"result {i + 1}"
                index = self._ls_region(res, region_of, spans, where)
                if index is not None:  # per-region choices: the polarity toward that entity
                    if len(choices) != 1:
                        raise RecordError(f"{where}: {len(choices)} choices {shown(choices)} for one region; an "
                                          f"entity has one polarity")
                    polarity, _ = polarity_from_value(choices[0], f"{where}: choice")
                    spans[index] = replace(spans[index], sentiment=polarity)
                    continue
                name = res.get("from_name")
                key = "sentiment" if name is None or (isinstance(name, str) and name.lower() in LS_SENTIMENT_NAMES) \
                    else label_set_name(name)
                chosen = document_choices.setdefault(key, [])
                chosen += [c for c in choices if c not in chosen]
            for key, choices in document_choices.items():
                if key == "sentiment":
                    if len(choices) > 1:
                        raise RecordError(f"several sentiment choices {shown(choices)}; a document has one "
                                          f"sentiment label")
                    if choices:  # a choice is a class name, never a list to unwrap
                        sentiment = SentimentLabel(clean_label(choices[0]))
                else:
                    labels += [DocumentLabel(key, clean_label(c)) for c in choices]
                    if len(choices) > 1:
                        self.multi = self.multi | {key}
            ner_labelled = bool(spans) or self.ls_ner_project
            if isinstance(rec.get("ner_labelled"), bool):  # written by our export for a task not labelled for NER
                ner_labelled = rec["ner_labelled"]
        meta = {k: v for k, v in data.items() if k != text_key and isinstance(v, (str, int, float, bool))}
        if "id" in rec:
            meta["ls_id"] = rec["id"]
        return Document(text=text, tokens=retokenize_for_spans(text, spans), spans=spans, sentiment=sentiment,
                        ner_labelled=ner_labelled, meta=meta, labels=labels)

    @staticmethod
    def _ls_region(res: dict[str, Any], region_of: dict[Any, int], spans: list[Span], where: str) -> int | None:
        """The span a choices result is about (Label Studio's perRegion choices share the region's id and
        repeat its start/end), or None for a document-level choice."""
        rid = res.get("id")
        if isinstance(rid, (str, int)) and not isinstance(rid, bool) and rid in region_of:
            return region_of[rid]
        value = res.get("value") or {}
        if "start" in value or "end" in value:
            found = [k for k, s in enumerate(spans) if (s.start, s.end) == (value.get("start"), value.get("end"))]
            if len(found) == 1:
                return found[0]
            raise RecordError(f"{where}: per-region choices for {shown(value.get('start'))}-{shown(value.get('end'))}, "
                              f"where the annotation has no labelled region")
        return None

    # ---- parts ----

    def _span(self, s: Any, text: str, rec: dict[str, Any], i: int) -> Span:
        where = f"span {i + 1}"
        if isinstance(s, (list, tuple)):
            if len(s) < 3:
                raise RecordError(f"{where}: expected [start, end, label], found {s!r}")
            return self._checked_span(s[0], s[1], s[2], text, None, where)
        if not isinstance(s, dict):
            raise RecordError(f"{where}: expected an object with start, end and label, found {s!r}")
        start = s.get("start", s.get("start_offset", s.get("begin")))
        end = s.get("end", s.get("end_offset"))
        label = s.get("label", s.get("type", s.get("entity_type", s.get("tag"))))
        if isinstance(s.get("labels"), list) and s["labels"]:
            label = s["labels"][0]  # Label Studio JSON-MIN
        if label is None:
            label = _type_from_tags(rec, start)
            self.typed_from_tags += 1
        source = s.get("source", "gold")
        if source not in ("gold", "silver", "predicted"):
            raise RecordError(f"{where}: source {shown(source)} is not gold, silver or predicted")
        span = self._checked_span(start, end, label, text, s.get("text"), where)
        polarity, polarity_confidence = polarity_from_value(s.get("sentiment"), f"{where}: sentiment")
        if source != "gold":
            span = Span(span.start, span.end, span.label, source, confidence_from_value(s.get("confidence")),
                        optional_name(s.get("annotator"), "annotator"), run_id=optional_name(s.get("run_id"), "run_id"))
        return replace(span, sentiment=polarity, sentiment_confidence=polarity_confidence)

    def _checked_span(self, start: Any, end: Any, label: Any, text: str, span_text: Any, where: str) -> Span:
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            raise RecordError(f"{where}: start and end must be integers, found {shown(start)} and {shown(end)}")
        if label is None or (isinstance(label, str) and label.strip() == ""):
            raise RecordError(f"{where}: the span has no label")
        try:
            label = clean_label(label)
        except ValidationError as e:
            raise RecordError(f"{where}: {e}") from None
        if isinstance(span_text, str) and text[start:end] != span_text:
            converted = _from_utf16(text, start, end)
            if converted and text[converted[0]:converted[1]] == span_text:
                self.utf16_converted += 1
                start, end = converted
            elif 0 <= start < end <= len(text):
                raise RecordError(f"{where}: the span {start}-{end} says {shown(span_text)} but the text there is "
                                  f"{shown(text[start:end])}")
        return Span(start, end, label)

    def _tokens(self, rec: dict[str, Any], text: str, spans: list[Span]) -> list[tuple[int, int]]:
        """Given token offsets when they are sound and every span sits on them, else our own tokens."""
        given = rec.get("tokens")
        if not _offset_pairs(given):
            given = rec.get("token_spans")  # SEntFiN: "tokens" are words, "token_spans" their offsets
        if _offset_pairs(given):
            toks = [(a, b) for a, b in given]
            sound = all(0 <= a < b <= len(text) for a, b in toks) and \
                all(b1 <= a2 for (_, b1), (a2, _) in zip(toks, toks[1:]))
            starts, ends = {a for a, _ in toks}, {b for _, b in toks}
            if sound and all(s.start in starts and s.end in ends for s in spans):
                return toks
        return retokenize_for_spans(text, spans)


def _check_length(text: str) -> None:
    try:
        check_document_length(text)  # before anything tokenizes it
    except ValidationError as e:
        raise RecordError(str(e)) from None


def _text_of(rec: dict[str, Any]) -> str:
    for key in TEXT_KEYS:
        if isinstance(rec.get(key), str):
            _check_length(rec[key])
            return rec[key]
    if isinstance(rec.get("data"), dict) and isinstance(rec["data"].get("text"), str):
        _check_length(rec["data"]["text"])
        return rec["data"]["text"]
    raise RecordError(f'no text field (expected one of {", ".join(TEXT_KEYS)}); found {", ".join(rec) or "nothing"}')


def _list_field(rec: dict[str, Any], key: str, where: str = "") -> list[Any]:
    """rec[key] when it is a list; [] when absent or null; RecordError for anything else."""
    value = rec.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f'{where}"{key}" must be a list, not {type(value).__name__} {shown(value)}')
    return value


def _offset_pairs(value: Any) -> bool:
    """Whether `value` is a non-empty list of [start, end] integer pairs (token offsets)."""
    return isinstance(value, list) and bool(value) and all(
        isinstance(t, (list, tuple)) and len(t) == 2 and
        all(isinstance(x, int) and not isinstance(x, bool) for x in t) for t in value)


def _looks_like_span(x: Any) -> bool:
    return (isinstance(x, (list, tuple)) and len(x) >= 3 and isinstance(x[0], int)) or \
        (isinstance(x, dict) and ("start" in x or "start_offset" in x))


def _from_cats(cats: Any) -> str | None:
    """spaCy / doccano "cats": {"label": score}; the label scored 0.5 or more, if any."""
    if not isinstance(cats, dict):
        raise RecordError(f'"cats" must be an object of label: score, not {shown(cats)}')
    try:
        scores = {label: confidence_from_value(score) or 0.0 for label, score in cats.items()}
    except ValidationError as e:
        raise RecordError(f'"cats": {e}') from None
    best = max(scores.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best and best[1] >= 0.5 else None


def _sentiment(value: Any) -> SentimentLabel | None:
    if isinstance(value, list):
        if len(value) > 1:
            raise RecordError(f"several labels {shown(value)}; a document has one sentiment label")
        value = value[0] if value else None
    if isinstance(value, dict):
        if "label" not in value:
            raise RecordError(f"a sentiment object needs a \"label\", found {shown(value)}")
        value = value["label"]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return SentimentLabel(clean_label(value))


def _other_sentiment(x: Any) -> SentimentLabel:
    if not isinstance(x, dict) or x.get("source") not in ("silver", "predicted") or not x.get("label"):
        raise RecordError(f"other_sentiments entries need a label and source silver or predicted, found {x!r}")
    return SentimentLabel(clean_label(x["label"]), x["source"], confidence_from_value(x.get("confidence")),
                          optional_name(x.get("annotator"), "annotator"), optional_name(x.get("run_id"), "run_id"))


def _type_from_tags(rec: dict[str, Any], start: Any) -> str:
    """SEntFiN-style records: the entity type is in ner_tags at the token where the span starts."""
    tags, offsets = rec.get("ner_tags"), rec.get("token_spans")
    if isinstance(tags, list) and _offset_pairs(offsets):
        for (a, _), tag in zip(offsets, tags):
            if a == start and isinstance(tag, str) and "-" in tag:
                return tag.split("-", 1)[1]
    return UNTYPED_ENTITY


def is_finentity(rec: dict[str, Any]) -> bool:
    """A FinEntity-style record: its text under "content" or "text" (no Label Studio "data") and an
    "annotations" list of {start, end, ...} objects (Label Studio's annotations hold a "result")."""
    annotations = rec.get("annotations")
    return isinstance(annotations, list) and "data" not in rec and \
        any(isinstance(rec.get(k), str) for k in ("content", "text")) and \
        all(isinstance(a, dict) and "result" not in a and ("start" in a or "end" in a) for a in annotations)


def _ls_results(rec: dict[str, Any], kind: str) -> bool:
    annotations = rec.get("annotations") or rec.get("completions")
    for a in annotations if isinstance(annotations, list) else []:
        results = a.get("result") if isinstance(a, dict) else None
        if isinstance(results, list) and any(isinstance(r, dict) and r.get("type") == kind for r in results):
            return True
    return False


def _from_utf16(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Code-point offsets for UTF-16 code-unit offsets into `text`, or None when they do not land
    on character boundaries."""
    if all(ord(c) < 0x10000 for c in text):
        return None
    mapping: dict[int, int] = {}
    units = 0
    for i, ch in enumerate(text):
        mapping[units] = i
        units += 2 if ord(ch) >= 0x10000 else 1
    mapping[units] = len(text)
    if start in mapping and end in mapping:
        return mapping[start], mapping[end]
    return None


# ---- writing ---------------------------------------------------------------------------------------

def _span_record(s: Span, *, model: bool) -> dict[str, Any]:
    rec: dict[str, Any] = {"start": s.start, "end": s.end, "label": s.label}
    if model:
        rec.update(source=s.source, confidence=s.confidence, run_id=s.run_id)
    if s.sentiment is not None:
        rec["sentiment"] = {"label": s.sentiment, "confidence": s.sentiment_confidence} \
            if s.sentiment_confidence is not None else s.sentiment
    return rec


def labels_record(doc: Document, multi_label: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """`{"topic": ["billing", "refund"], "urgency": "high"}`: a list for a multi-label set (or when a
    document holds several labels of a set), else the one label; sets in stored order."""
    out: dict[str, Any] = {}
    for x in doc.labels:
        out.setdefault(x.label_set, []).append(x.label)
    return {k: v if (k in multi_label or len(v) > 1) else v[0] for k, v in out.items()}


def write_record(doc: Document, sources: tuple[str, ...] = ("gold",),
                 multi_label: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """The own-format object for a document; model annotations only for the sources asked for.
    `multi_label`: the project's multi-label sets, written as lists even with one label."""
    rec: dict[str, Any] = {"text": doc.text}
    if doc.ner_labelled:
        rec["spans"] = [_span_record(s, model=False) for s in doc.spans]
    other = [s for s in doc.other_spans if s.source in sources]
    if other:
        rec.setdefault("spans", [])
        rec["spans"] += [_span_record(s, model=True) for s in other]
    rec["ner_labelled"] = doc.ner_labelled
    rec["sentiment"] = doc.sentiment.label if doc.sentiment else None
    others = [x for x in doc.other_sentiments if x.source in sources]
    if others:
        rec["other_sentiments"] = [{"label": x.label, "source": x.source, "confidence": x.confidence,
                                    "run_id": x.run_id} for x in others]
    if doc.labels:
        rec["labels"] = labels_record(doc, multi_label)
    model_labels = [x for x in doc.other_labels if x.source in sources]
    if model_labels:
        rec["other_labels"] = [{"label_set": x.label_set, "label": x.label, "source": x.source,
                                "confidence": x.confidence, "run_id": x.run_id} for x in model_labels]
    rec["split"] = doc.split
    rec["tokens"] = [list(t) for t in doc.tokens]
    if doc.meta:
        rec["meta"] = doc.meta
    return rec


def write_finentity_record(doc: Document) -> dict[str, Any]:
    """A FinEntity-style record: the polarity as `tag` (and `label`, as FinEntity repeats it), capitalised
    for the default polarities as FinEntity writes them; an entity type other than ENT in `type`, and the
    document's sentiment and label sets under their own-format keys, so that nothing is lost."""
    annotations = []
    for s in doc.spans:
        tag = s.sentiment.capitalize() if s.sentiment in DEFAULT_POLARITIES else s.sentiment
        a: dict[str, Any] = {"start": s.start, "end": s.end, "value": doc.text[s.start:s.end], "tag": tag,
                             "label": tag}
        if s.label != UNTYPED_ENTITY:
            a["type"] = s.label
        annotations.append(a)
    rec: dict[str, Any] = {"content": doc.text, "annotations": annotations}
    if doc.sentiment:
        rec["sentiment"] = doc.sentiment.label
    if doc.labels:
        rec["labels"] = labels_record(doc)
    if doc.split:
        rec["split"] = doc.split
    if doc.meta:
        rec["meta"] = doc.meta
    return rec


def write_label_studio_task(doc: Document, task_id: int) -> dict[str, Any]:
    """A Label Studio task as its JSON export holds it: each span a "labels" region (from_name "label")
    and its polarity a perRegion "choices" result with the region's id (from_name "entity_sentiment");
    the sentiment a document-level choice (from_name "sentiment") and each label set one choices result
    whose from_name is the set's name. A document with no annotation gets no annotation; one that is
    not labelled for NER says so in "ner_labelled" (Label Studio ignores the extra key)."""
    data: dict[str, Any] = {"text": doc.text}
    data.update((k, v) for k, v in doc.meta.items()
                if k not in ("text", "ls_id") and isinstance(v, (str, int, float, bool)))
    task: dict[str, Any] = {"id": doc.meta.get("ls_id", task_id), "data": data}
    result: list[dict[str, Any]] = []
    for n, s in enumerate(doc.spans if doc.ner_labelled else [], 1):
        region = f"r{n}"
        value = {"start": s.start, "end": s.end, "text": doc.text[s.start:s.end]}
        result.append({"id": region, "from_name": LS_SPAN_FROM_NAME, "to_name": "text", "type": "labels",
                       "value": {**value, "labels": [s.label]}})
        if s.sentiment is not None:
            result.append({"id": region, "from_name": LS_POLARITY_FROM_NAME, "to_name": "text", "type": "choices",
                           "value": {**value, "choices": [s.sentiment]}})
    if doc.sentiment:
        result.append({"from_name": "sentiment", "to_name": "text", "type": "choices",
                       "value": {"choices": [doc.sentiment.label]}})
    by_set: dict[str, list[str]] = {}
    for x in doc.labels:
        by_set.setdefault(x.label_set, []).append(x.label)
    for name, choices in by_set.items():
        result.append({"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": choices}})
    if result or doc.ner_labelled:
        task["annotations"] = [{"result": result}]
        task["ner_labelled"] = doc.ner_labelled
    else:
        task["annotations"] = []
    return task
