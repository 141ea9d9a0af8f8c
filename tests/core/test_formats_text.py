"""Plain text (one document per line, or a folder of .txt files) and format detection."""
from __future__ import annotations

import json

import pytest
from formats_util import imp, new_store, write

from mtl_studio.core.formats import ImportFailed, detect_format, resolve_format, sniff


def test_one_document_per_line(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / "formats" / "lines.txt")
    assert report.format == "text" and report.documents == 3 and report.skipped == 1
    assert [p.line for p in report.warnings if p.kind == "empty"] == [2]
    docs = list(store.iter_documents())
    assert docs[2].text == "华为在深圳发布新手机😀"
    assert not any(d.ner_labelled or d.sentiment for d in docs)  # unlabelled is not "all O"
    assert docs[2].tokens[:2] == [(0, 1), (1, 2)]  # tokenized for the editor: one CJK character each


def test_folder_of_txt_files(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / "formats" / "texts")
    assert report.format == "text-folder" and report.documents == 2
    docs = list(store.iter_documents())
    assert docs[0].text == "First message in a folder.\nSecond line of the same message."
    assert docs[0].source == "texts/a.txt" and docs[1].meta == {"file": "b.txt"}


def test_folder_problem_names_the_file_inside(tmp_path):
    folder = tmp_path / "msgs"
    folder.mkdir()
    (folder / "good.txt").write_text("fine\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"ok\n\xff\xfe broken\n")
    with pytest.raises(ImportFailed) as err:
        imp(new_store(tmp_path), folder)
    assert str(err.value).startswith("msgs/bad.txt:2: cannot decode byte 0xFF")


def test_empty_file_is_an_error(tmp_path):
    with pytest.raises(ImportFailed, match="no documents"):
        imp(new_store(tmp_path), write(tmp_path, "empty.txt", ""))


@pytest.mark.parametrize("name, content, expected", [
    ("a.txt", "EU B-ORG\nrejects O\n\n", "conll"),
    ("a.txt", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\n", "conll"),
    ("a.tsv", "华\tB-ORG\n为\tI-ORG\n\n", "conll"),
    ("a.tsv", "label\ttext_a\n1\tgood\n", "tsv"),
    ("a.txt", "label\ttext_a\n1\tgood\n", "tsv"),
    ("a.dat", "text,sentiment\n\"a, b\",pos\n", "csv"),
    ("a.txt", "Hello, world\nSecond line, with commas\n", "text"),
    ("a.txt", "a tweet\twith a tab\n", "text"),
    ("a.json", json.dumps({"text": "x"}) + "\n" + json.dumps({"text": "y"}) + "\n", "jsonl"),
    ("a.json", "[\n  {\"data\": {\"text\": \"x\"}}\n]\n", "json"),
    ("a.data", "{\"text\": \"x\"}\n", "jsonl"),
    ("eng.testa", "EU B-ORG\n", "conll"),
    ("a.conll", "anything at all\n", "conll"),
])
def test_detect_format(tmp_path, name, content, expected):
    assert detect_format(write(tmp_path, name, content)) == expected


def test_detect_folder_and_excel(tmp_path):
    assert detect_format(tmp_path) == "text-folder"
    assert detect_format(write(tmp_path, "x.xlsx", b"PK")) == "excel"


def test_format_names_and_aliases():
    assert resolve_format("doccano") == "jsonl" and resolve_format("BMES") == "conll"
    with pytest.raises(ValueError, match="unknown format"):
        resolve_format("xml")
    assert sniff("") == "text"
