"""CSV / TSV / Excel through pandas: column detection, BOM, numeric labels, bad rows with line numbers."""
from __future__ import annotations

import pytest
from formats_util import imp, new_store, write

from mtl_studio.core.formats import ImportFailed, export_project


def test_csv_with_bom_crlf_and_detected_columns(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / "formats" / "reviews.csv")
    assert report.format == "csv" and report.documents == 4
    docs = list(store.iter_documents())
    assert docs[0].text == "Fast delivery, friendly staff"
    # "review" is the text column, "stars" is not a known label name: no sentiment unless asked for.
    assert all(d.sentiment is None for d in docs)
    assert any("no sentiment column" in n for n in report.notes)
    assert docs[0].meta == {"id": "1", "stars": "5", "agreement": "100"}

    store2 = new_store(tmp_path, "b.mtl")
    report = imp(store2, fixtures_dir / "formats" / "reviews.csv", label_column="stars")
    assert report.sentiments == {"5": 2, "1": 1, "3": 1}  # numeric labels become class names
    assert store2.sentiment_class_names() == ["5", "1", "3"]


def test_text_and_label_column_options(tmp_path):
    path = write(tmp_path, "x.csv", "a,b,c\nGood stuff,pos,1\nBad stuff,neg,2\n")
    with pytest.raises(ImportFailed) as err:
        imp(new_store(tmp_path), path)
    assert "no text column" in str(err.value) and "--text-column" in str(err.value)
    store = new_store(tmp_path, "b.mtl")
    report = imp(store, path, text_column="a", label_column="b")
    assert report.sentiments == {"pos": 1, "neg": 1}
    with pytest.raises(ImportFailed) as err:
        imp(new_store(tmp_path, "c.mtl"), path, text_column="nope")
    assert "--text-column 'nope' is not a column; the columns are a, b, c" in str(err.value)


def test_ragged_csv_rows_are_errors_with_line_numbers(tmp_path):
    path = write(tmp_path, "bad.csv", "text,label\nok one,pos\nbroken, row,neg\nok two,neg\nalso,broken,row\n")
    store = new_store(tmp_path)
    with pytest.raises(ImportFailed) as err:
        imp(store, path)
    assert [p.line for p in err.value.report.errors] == [3, 5]
    assert "3 fields where the header has 2" in str(err.value)
    assert store.count_documents() == 0


def test_empty_rows_and_cells_skipped_with_row_numbers(tmp_path):
    path = write(tmp_path, "gaps.csv", "text,label\nfirst,pos\n,neg\n\nsecond,\n")
    store = new_store(tmp_path)
    report = imp(store, path)
    assert report.documents == 2 and report.skipped == 2
    assert [p.row for p in report.warnings if p.kind == "empty"] == [3, 4]
    assert [d.sentiment.label if d.sentiment else None for d in store.iter_documents()] == ["pos", None]


def test_bad_encoding_in_csv_names_the_line(tmp_path):
    path = write(tmp_path, "latin.csv", "text,label\nfine,pos\ncaf\xe9,neg\n".encode("latin-1"))
    with pytest.raises(ImportFailed) as err:
        imp(new_store(tmp_path), path)
    assert err.value.report.errors[0].line == 3
    assert imp(new_store(tmp_path, "b.mtl"), path, encoding="latin-1").documents == 2


def test_utf16_tsv_as_excel_saves_unicode_text(tmp_path):
    # Excel's "Unicode Text" is UTF-16 with a byte-order mark, tab-separated.
    path = write(tmp_path, "excel.tsv", "text\tlabel\nGood stuff\tpos\ncaf\u00e9 \u597d\tneg\n".encode("utf-16"))
    store = new_store(tmp_path)
    report = imp(store, path)
    assert report.documents == 2 and report.sentiments == {"pos": 1, "neg": 1}
    assert [d.text for d in store.iter_documents()] == ["Good stuff", "caf\u00e9 \u597d"]


def test_unknown_encoding_is_a_validation_error(tmp_path):
    from mtl_studio.core.schema import ValidationError

    path = write(tmp_path, "x.csv", "text\nfine\n")
    with pytest.raises(ValidationError, match="unknown encoding 'nonsense'"):
        imp(new_store(tmp_path), path, encoding="nonsense")


def test_tsv_with_unbalanced_quotes(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / "formats" / "chnsenticorp_like.tsv")
    assert report.format == "tsv" and report.documents == 3
    assert [d.text for d in store.iter_documents()] == ['房间很干净，服务"很好', '"太差了，不会再来', '性价比高 "推荐"']
    assert report.sentiments == {"1": 2, "0": 1}


def test_excel(tmp_path):
    import pandas as pd

    path = tmp_path / "sheet.xlsx"
    pd.DataFrame({"Sentence": ["Profit rose.", "Sales fell."], "Sentiment": ["positive", "negative"],
                  "Split": ["train", "test"]}).to_excel(path, index=False)
    store = new_store(tmp_path)
    report = imp(store, path)
    assert report.format == "excel" and report.sentiments == {"positive": 1, "negative": 1}
    assert [d.split for d in store.iter_documents()] == ["train", "test"]


def test_csv_round_trip_keeps_entities_and_task_flags(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    imp(store, fixtures_dir / "formats" / "own.jsonl")
    out = tmp_path / "out.csv"
    export_project(store, out, "csv")
    again = new_store(tmp_path, "again.mtl")
    imp(again, out)
    key = lambda d: (d.text, [(s.start, s.end, s.label) for s in d.spans], d.sentiment, d.ner_labelled,  # noqa: E731
                     d.split)
    assert [key(d) for d in again.iter_documents()] == [key(d) for d in store.iter_documents()]


def test_csv_cell_with_only_model_spans_is_not_gold_labelled(tmp_path):
    # What `export --include silver` writes for a document with silver spans but no NER label.
    cell = '"[{""start"": 0, ""end"": 4, ""label"": ""ORG"", ""source"": ""silver"", ""confidence"": 0.9}]"'
    path = write(tmp_path, "x.csv", f"text,entities\nAcme rose,{cell}\nAcme fell,[]\n")
    store = new_store(tmp_path)
    imp(store, path)
    assert [(d.ner_labelled, d.spans) for d in store.iter_documents()] == [(False, []), (True, [])]


@pytest.mark.shared_data
def test_financial_phrasebank_dev(tmp_path, shared_data):
    store = new_store(tmp_path)
    report = imp(store, shared_data / "financial_phrasebank" / "fpb_dev.csv")
    assert report.documents == 485 and report.sentiments == {"negative": 60, "neutral": 288, "positive": 137}
    assert report.splits == {"dev": 485}


@pytest.mark.shared_data
def test_chnsenticorp_dev(tmp_path, shared_data):
    store = new_store(tmp_path)
    report = imp(store, shared_data / "chinese" / "chnsenticorp" / "dev.tsv")
    assert report.documents == 1200 and report.sentiments == {"0": 607, "1": 593}
    assert report.duplicates == 22
