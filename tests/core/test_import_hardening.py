"""One test per class of bad input named in issue 11: each is FILE:LINE: what, and nothing imported."""
from __future__ import annotations

import json

import pytest

from formats_util import imp, new_store, write
from mtl_studio.cli import main
from mtl_studio.core.formats import ImportFailed
from mtl_studio.core.schema import MAX_DOCUMENT_CHARS

DEEP = "[" * 100_000 + "]" * 100_000
GOOD = json.dumps({"text": "Apple rose.", "spans": [{"start": 0, "end": 5, "label": "ORG"}]})


def _refused(tmp_path, name: str, content: str | bytes, line: int, words: str, **options) -> None:
    store = new_store(tmp_path, f"{name}.mtl")
    path = write(tmp_path, name, content)
    with pytest.raises(ImportFailed) as failure:
        imp(store, path, **options)
    message = str(failure.value)
    assert message.startswith(f"{path}:{line}: ") or message.startswith(f"{path}: row {line}: "), message
    assert words in message, message
    assert store.count_documents() == 0 and store.entity_type_names() == []
    store.close()


def _jsonl(*records: object) -> str:
    return GOOD + "\n" + "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


@pytest.mark.parametrize("content", [
    '{"text": "a", "meta": ' + DEEP + '}',
    '{"text": ' + DEEP + '}',
])
def test_deep_nesting_in_jsonl(tmp_path, content):
    _refused(tmp_path, "deep.jsonl", _jsonl(content), 2, "nested too deeply")


def test_deep_nesting_in_json_array(tmp_path):
    _refused(tmp_path, "deep.json", "[\n" + GOOD + ",\n" + DEEP + "\n]", 3, "nested too deeply")


def test_deep_nesting_in_a_csv_entities_cell(tmp_path):
    _refused(tmp_path, "deep.csv", f"text,entities\nApple rose.,\"{DEEP}\"\n", 2, "nested too deeply")


@pytest.mark.parametrize("record, words", [
    ({"text": "Apple rose.", "cats": {"pos": [1]}}, "confidence must be a number"),
    ({"text": "Apple rose.", "cats": 5}, '"cats" must be an object'),
    ({"text": "Apple rose.", "other_sentiments": 5}, '"other_sentiments" must be a list'),
    ({"data": {"text": "Apple rose."}, "annotations": [{"result": [{"type": "labels", "value": [1]}]}]},
     '"value" must be an object'),
    ({"data": {"text": "Apple rose."}, "annotations": [{"result": 5}]}, '"result" must be a list'),
    ({"data": {"text": "Apple rose."}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 0, "end": 5, "labels": "ORG"}}]}]}, '"labels" must be a list'),
    ({"text": "Apple rose.", "spans": [{"start": 0, "end": 10 ** 30, "label": "ORG"}]}, "out of range"),
    ({"text": "Apple rose.", "spans": [{"start": 0, "end": 5, "label": "ORG", "source": "silver",
                                         "confidence": "high"}]}, "confidence must be a number"),
    ({"text": "Apple rose.", "spans": [{"start": 0, "end": 5, "label": "ORG", "source": "silver",
                                         "confidence": 10 ** 400}]}, "confidence must be a number"),
    ({"text": "Apple \ud800 rose."}, "unpaired surrogate"),
    ({"text": "Apple rose.", "sentiment": [0.0, 5.0, "ORG"]}, "several labels"),
    ({"text": "Apple rose.", "sentiment": {"name": "x"}}, "needs a \"label\""),
    ({"text": "Apple rose.", "spans": [[0, 5, ["ORG"]]]}, "a label must be a string, not list"),
    ({"text": "Apple rose.", "spans": [{"start": 0.0, "end": 5, "label": "ORG"}]}, "must be integers"),
    ({"text": "Apple rose.", "spans": [{"start": True, "end": 5, "label": "ORG"}]}, "must be integers"),
    ({"text": "Apple rose.", "spans": [{"start": 0, "end": 5, "label": "OR\u200bG"}]}, "U+200B"),
    ({"text": "Apple rose.", "spans": [{"start": 0, "end": 5, "label": "X" * 101}]}, "longer than 100"),
    ({"text": "Apple rose.", "split": ["train"]}, "is not one of train, dev, test"),
])
def test_wrong_types_are_located_errors(tmp_path, record, words):
    _refused(tmp_path, "bad.jsonl", _jsonl(record), 2, words)


def test_surrogate_escape_is_located_not_a_codec_error(tmp_path):
    _refused(tmp_path, "s.jsonl", GOOD + '\n{"text": "a\\udc80b"}\n', 2, "unpaired surrogate")


def test_huge_integer_literal_is_located(tmp_path):
    _refused(tmp_path, "big.jsonl", _jsonl('{"text": "a", "id": ' + "9" * 5000 + "}"), 2, "not valid JSON")


@pytest.mark.parametrize("row, words", [
    ("Apple rose.,positive,extra", "3 fields where the header has 2"),
    ("Apple rose.", "1 fields where the header has 2 (fewer"),
])
def test_csv_rows_with_other_field_counts(tmp_path, row, words):
    _refused(tmp_path, "ragged.csv", f"text,sentiment\nNokia cut jobs.,negative\n{row}\n", 3, words)


@pytest.mark.parametrize("content, line", [
    ('"', 1),  # a file of one quote (found by the deep fuzz profile: the message had no line)
    ('text,sentiment\nNokia cut jobs.,negative\nok,"neutral\n', 3),
    ('text,sentiment\n"Nokia\ncut jobs.",negative\nmore,"neutral\n', 4),  # a quoted cell over two lines first
])
def test_csv_quote_never_closed_names_the_line_it_opens(tmp_path, content, line):
    _refused(tmp_path, "quote.csv", content, line, "never closed")


@pytest.mark.parametrize("entity, words", [
    ({"start": "x", "end": 5, "label": "ORG"}, "start must be an integer"),
    ({"start": 0.5, "end": 5, "label": "ORG"}, "start must be an integer"),
    ({"start": 0, "end": 5, "label": ["ORG"]}, "a label must be a string"),
    ({"start": 0, "end": 2 ** 80, "label": "ORG"}, "out of range"),
])
def test_csv_entities_cell_values(tmp_path, entity, words):
    cell = json.dumps([entity]).replace('"', '""')
    _refused(tmp_path, "ents.csv", f"text,entities\nApple rose.,\"{cell}\"\n", 2, words)


def test_conll_tag_with_a_control_character_in_its_type(tmp_path):
    _refused(tmp_path, "c.conll", "Apple B-OR\x01G\nrose O\n", 1, "control character")


def test_a_document_over_the_length_limit_is_refused_before_tokenizing(tmp_path):
    long_line = "word " * (MAX_DOCUMENT_CHARS // 5 + 1)
    _refused(tmp_path, "long.txt", "short line\n" + long_line + "\n", 2, "longer than the limit")
    _refused(tmp_path, "long.jsonl", _jsonl({"text": long_line}), 2, "longer than the limit")
    _refused(tmp_path, "long.csv", f"text\nshort\n{long_line * 5}\n", 3, "longer than a row")


def test_cli_prints_the_located_error_without_traceback(tmp_path, capsys):
    project = tmp_path / "p.mtl"
    assert main(["new", str(project)]) == 0
    bad = write(tmp_path, "bad.jsonl", _jsonl({"data": {"text": "x"}, "annotations": [{"result": 5}]}))
    assert main(["import", str(project), str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: " in err and "Traceback" not in err
