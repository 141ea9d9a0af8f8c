"""CoNLL / column files: schemes, real-file quirks, errors with line numbers, exact round trips."""
from __future__ import annotations

import pytest
from formats_util import conll_rows, imp, new_store, write

from mtl_studio.core.formats import ImportFailed, export_project
from mtl_studio.core.formats.conll import convert_tags


def _spans(store):  # type: ignore[no-untyped-def]
    return [[(d.text[s.start:s.end], s.label) for s in d.spans] for d in store.iter_documents()]


def test_fixture_imports_with_docstart_skipped_and_extra_columns(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / "formats" / "news.conll")
    assert report.format == "conll" and report.scheme == "iob2"
    assert report.documents == 5
    assert store.count_documents() == 5
    docs = list(store.iter_documents())
    assert docs[0].text == "Northwind Capital opened an office in Lisbon ."
    assert _spans(store)[0] == [("Northwind Capital", "ORG"), ("Lisbon", "LOC")]
    assert _spans(store)[3][-1] == ("Euro Air Show", "MISC")
    # Two adjacent PER entities stay two entities.
    assert _spans(store)[4][:2] == [("Lindqvist", "PER"), ("Kenji Morimoto", "PER")]
    assert all(d.ner_labelled for d in docs)
    assert report.entities == {"ORG": 3, "LOC": 3, "PER": 3, "MISC": 1}


def test_fixture_round_trip_reproduces_tokens_and_tags(tmp_path, fixtures_dir):
    src = fixtures_dir / "formats" / "news.conll"
    store = new_store(tmp_path)
    imp(store, src)
    out = tmp_path / "out.conll"
    report = export_project(store, out, "conll")
    assert report.documents == 5 and report.misaligned == 0
    assert conll_rows(out) == conll_rows(src)
    assert out.read_text(encoding="utf-8").endswith("Japan B-LOC\n) O\n\n")


@pytest.mark.parametrize("sep", [" ", "\t", "  "])
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_separators_line_ends_and_whitespace_only_lines(tmp_path, sep, eol):
    body = eol.join([f"EU{sep}B-ORG", f"rejects{sep}O", "   \t ", f"Peter{sep}B-PER", f"Blackburn{sep}I-PER"])
    path = write(tmp_path, "quirks.conll", body)  # no final newline and no final blank line
    store = new_store(tmp_path)
    report = imp(store, path)
    assert report.documents == 2
    assert _spans(store) == [[("EU", "ORG")], [("Peter Blackburn", "PER")]]
    assert [d.text for d in store.iter_documents()] == ["EU rejects", "Peter Blackburn"]


def test_iob1_detected_and_converted(tmp_path):
    # IOB1: entities start with I-; B- only between two adjacent entities of one type.
    path = write(tmp_path, "iob1.conll", "EU I-ORG\nrejects O\nGerman I-MISC\ncall O\n\n"
                                         "Peter I-PER\nBlackburn I-PER\nJohn B-PER\nSmith I-PER\n\n")
    store = new_store(tmp_path)
    report = imp(store, path)
    assert report.scheme == "iob1"
    assert _spans(store) == [[("EU", "ORG"), ("German", "MISC")], [("Peter Blackburn", "PER"), ("John Smith", "PER")]]
    out = tmp_path / "out.conll"
    export_project(store, out, "conll")
    assert [t for _, t in conll_rows(out)] == ["B-ORG", "O", "B-MISC", "O", "B-PER", "I-PER", "B-PER", "I-PER"]


def test_bioes_and_bmes_detected(tmp_path, fixtures_dir):
    path = write(tmp_path, "x.bioes", "Peter B-PER\nBlackburn E-PER\nof O\nEU S-ORG\n\nNew B-LOC\nYork I-LOC\nCity E-LOC\n")
    store = new_store(tmp_path)
    assert imp(store, path).scheme == "bioes"
    assert _spans(store) == [[("Peter Blackburn", "PER"), ("EU", "ORG")], [("New York City", "LOC")]]

    store2 = new_store(tmp_path, "b.mtl")
    report = imp(store2, fixtures_dir / "formats" / "msra_like.bmes")  # space-separated, no final blank line
    assert report.scheme == "bioes" and report.documents == 2
    assert _spans(store2) == [[("华为", "NT"), ("深圳", "NS")], [("张", "NR"), ("北京市", "NS")]]
    assert [d.text for d in store2.iter_documents()] == ["华为在深圳", "张说北京市很好"]


def test_chinese_character_per_line_with_emoji_and_i_start(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / "formats" / "weibo_like.bio")
    docs = list(store.iter_documents())
    # Characters are the text: no spaces between Chinese characters, digits or emoji.
    assert [d.text for d in docs] == ["我在深圳见到张三😀", "老师说2013年𠀋"]
    assert docs[0].tokens[-1] == (8, 9)  # the emoji is one code point, one token
    assert _spans(store)[0] == [("深圳", "GPE.NAM"), ("张三", "PER.NAM")]
    # The second sentence starts an entity with I- in a file that uses B-: reported with its line, read as O.
    assert report.scheme == "iob2"
    scheme_warnings = [p for p in report.warnings if p.kind == "scheme"]
    assert len(scheme_warnings) == 1 and scheme_warnings[0].line == 11
    assert "I-PER.NOM" in scheme_warnings[0].message
    assert _spans(store)[1] == []


def test_scheme_option_iob1_reads_i_start_as_entity(tmp_path, fixtures_dir):
    store = new_store(tmp_path)
    report = imp(store, fixtures_dir / "formats" / "weibo_like.bio", scheme="iob1")
    assert not report.warnings
    assert _spans(store)[1] == [("老师", "PER.NOM")]


def test_emoji_and_non_bmp_round_trip(tmp_path):
    # The acceptance `language` case: mixed English, CJK, emoji and a CJK extension B character.
    rows = ["😀 O", "𠀋 O", "Apple B-ORG", "rose O", "", "华 B-ORG", "为 I-ORG", "🚀 O", "在 O", "深 B-LOC", "圳 I-LOC", ""]
    src = write(tmp_path, "emoji.conll", "\n".join(rows) + "\n")
    store = new_store(tmp_path)
    imp(store, src)
    docs = list(store.iter_documents())
    assert docs[1].text == "华为 🚀 在深圳"
    assert [(docs[1].text[s.start:s.end], s.label) for s in docs[1].spans] == [("华为", "ORG"), ("深圳", "LOC")]
    out = tmp_path / "out.conll"
    export_project(store, out, "conll")
    assert conll_rows(out) == conll_rows(src)


def test_tag_column_choice(tmp_path):
    path = write(tmp_path, "cols.conll", "EU NNP B-ORG x\nrejects VBZ O x\n\n")
    store = new_store(tmp_path)
    imp(store, path, tag_column=3)
    assert _spans(store) == [[("EU", "ORG")]]
    store2 = new_store(tmp_path, "b.mtl")
    imp(store2, path, tag_column=-2)
    assert _spans(store2) == [[("EU", "ORG")]]


def test_ragged_columns_fail_with_line_number_and_import_nothing(tmp_path):
    path = write(tmp_path, "ragged.conll", "EU B-ORG\nrejects O\n\nPeter\nBlackburn I-PER\n\n")
    store = new_store(tmp_path)
    before = store.stats()
    with pytest.raises(ImportFailed) as err:
        imp(store, path)
    assert str(err.value).startswith(f"{path}:4: 1 column")
    assert [p.line for p in err.value.report.errors] == [4]
    assert store.stats() == before and store.entity_type_names() == []


def test_bad_tag_is_an_error_with_line(tmp_path):
    path = write(tmp_path, "bad.conll", "EU B-ORG\nrejects O\n\nPeter PERSON\n")
    store = new_store(tmp_path)
    with pytest.raises(ImportFailed) as err:
        imp(store, path)
    assert err.value.report.errors[0].line == 4 and "PERSON" in str(err.value)
    assert store.count_documents() == 0


def test_empty_token_column_is_an_error(tmp_path):
    path = write(tmp_path, "empty_token.conll", "EU\tB-ORG\n\tO\n\n")
    with pytest.raises(ImportFailed) as err:
        imp(new_store(tmp_path), path)
    assert err.value.report.errors[0].line == 2 and "token column is empty" in str(err.value)


def test_bad_encoding_reports_line(tmp_path):
    path = write(tmp_path, "latin.conll", "EU B-ORG\n\nM\xfcnchen B-LOC\n\n".encode("latin-1"))
    store = new_store(tmp_path)
    with pytest.raises(ImportFailed) as err:
        imp(store, path)
    problem = err.value.report.errors[0]
    assert problem.line == 3 and problem.kind == "encoding" and "0xFC" in problem.message
    report = imp(store, path, encoding="latin-1")
    assert report.documents == 2 and list(store.iter_documents())[1].text == "München"


def test_bioes_violation_is_reported_and_read_as_o(tmp_path):
    path = write(tmp_path, "broken.bioes", "Peter B-PER\nsaid O\nEU S-ORG\n\n")
    store = new_store(tmp_path)
    report = imp(store, path)
    assert [(p.line, p.kind) for p in report.warnings] == [(1, "scheme")]
    assert _spans(store) == [[("EU", "ORG")]]


def test_one_column_file_is_rejected(tmp_path):
    path = write(tmp_path, "tokens.conll", "EU B-ORG\n\nPeter\nBlackburn\nsaid\n\n")
    with pytest.raises(ImportFailed) as err:
        imp(new_store(tmp_path), path, format="conll")
    assert "1 column" in str(err.value) or "one column" in str(err.value)


def test_convert_tags_reports_each_broken_entity_once():
    tags, issues = convert_tags(["O", "I-PER", "I-PER", "O", "B-ORG", "I-LOC"], "iob2")
    assert tags == ["O", "O", "O", "O", "B-ORG", "O"]
    assert [i for i, _ in issues] == [1, 5]


def test_big_file_streams_in_one_transaction(tmp_path):
    lines = []
    for i in range(3000):
        lines += [f"Company{i} B-ORG", "rose O", "in O", f"City{i % 50} B-LOC", ""]
    path = write(tmp_path, "big.conll", "\n".join(lines))
    store = new_store(tmp_path)
    report = imp(store, path)
    assert report.documents == 3000 and sum(report.entities.values()) == 6000
    # A broken last line makes the whole file fail: nothing of the 3,000 good sentences stays.
    bad = write(tmp_path, "big_bad.conll", "\n".join(lines) + "\nOops\n")
    store2 = new_store(tmp_path, "b.mtl")
    with pytest.raises(ImportFailed) as err:
        imp(store2, bad)
    assert err.value.report.errors[0].line == len(lines) + 1
    assert store2.count_documents() == 0


@pytest.mark.shared_data
def test_conll2003_valid_round_trip(tmp_path, shared_data):
    src = shared_data / "conll2003" / "valid.txt"
    store = new_store(tmp_path)
    report = imp(store, src)
    stats = store.stats()
    assert stats["documents"] == 3250 and stats["totals"]["entities"] == 5942
    assert stats["totals"]["entities_per_type"] == {"LOC": 1837, "MISC": 922, "ORG": 1341, "PER": 1842}
    assert report.splits == {"dev": 3250}  # from the file name
    out = tmp_path / "valid.out.conll"
    export_project(store, out, "conll")
    assert conll_rows(out) == conll_rows(src)


@pytest.mark.shared_data
def test_weibo_train_counts(tmp_path, shared_data):
    store = new_store(tmp_path)
    report = imp(store, shared_data / "chinese" / "weibo_ner" / "train.txt")
    stats = store.stats()
    assert stats["documents"] == 1350 and stats["totals"]["entities"] == 1885
    # The README lists these 10 invalid transitions by line.
    assert sorted(p.line for p in report.warnings if p.kind == "scheme") == [
        1266, 22000, 24537, 28617, 35046, 35119, 49249, 62980, 62990, 69376]


@pytest.mark.shared_data
def test_msra_bmes_without_final_blank_line(tmp_path, shared_data):
    store = new_store(tmp_path)
    report = imp(store, shared_data / "chinese" / "msra_ner" / "lattice_bmes" / "test.char.bmes")
    assert report.documents == 4365 and report.entities == {"NR": 1973, "NS": 2877, "NT": 1331}
