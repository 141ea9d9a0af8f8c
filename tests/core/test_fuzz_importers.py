"""Property-based fuzzing of every importer: imported, or a located user error and the project unchanged.

Cases per test come from the hypothesis profile (tests/conftest.py): "ci" by default, "deep" with
`--hypothesis-profile=deep`; `--hypothesis-show-statistics` prints how many ran.
"""
from __future__ import annotations

import codecs
import io
import uuid
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from import_fuzz import (
    DEEP, DEEP_JSON, WHOLE_FILE_KINDS, absa_xml, check_import, conll_text, encode, make_template, mutated_records,
    plain_lines, records_with_a_bad_type, serialise_json, table_rows, write_csv,
)

# An Excel case writes a workbook with openpyxl (tens of milliseconds): fewer of them.
EXCEL_EXAMPLES = max(10, settings.default.max_examples // 5)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def template(workdir: Path) -> Path:
    return make_template(workdir)


def _file(workdir: Path, suffix: str, content: bytes) -> Path:
    path = workdir / f"input-{uuid.uuid4().hex[:8]}{suffix}"
    path.write_bytes(content)
    return path


@given(records=st.lists(mutated_records(), min_size=1, max_size=3), ensure_ascii=st.booleans())
def test_jsonl_records_mutated(workdir, template, records, ensure_ascii):
    content = "\n".join(serialise_json(r, ensure_ascii) for r in records) + "\n"
    check_import(template, _file(workdir, ".jsonl", encode(content)), "jsonl")


@given(records=st.lists(mutated_records(), min_size=1, max_size=3), ensure_ascii=st.booleans(),
       indent=st.sampled_from([None, 1]))
def test_json_array_mutated(workdir, template, records, ensure_ascii, indent):
    content = serialise_json(records, ensure_ascii, indent)
    check_import(template, _file(workdir, ".json", encode(content)), "json")


@given(record=records_with_a_bad_type(), as_array=st.booleans())
def test_wrong_type_offset_or_label_is_refused(workdir, template, record, as_array):
    content = serialise_json([record], True) if as_array else serialise_json(record, True) + "\n"
    check_import(template, _file(workdir, ".json", content.encode()), "json" if as_array else "jsonl", must_fail=True)


@given(table=table_rows())
def test_csv_mutated(workdir, template, table):
    header, rows, ragged = table
    path = workdir / f"input-{uuid.uuid4().hex[:8]}.csv"
    write_csv(path, header, rows)
    check_import(template, path, "csv", must_fail=ragged)


@given(table=table_rows(), crlf=st.booleans())
def test_tsv_mutated(workdir, template, table, crlf):
    header, rows, ragged = table
    end = "\r\n" if crlf else "\n"
    content = (end.join("\t".join(row) for row in [header, *rows]) + end).replace(DEEP, DEEP_JSON)
    # A tab or line break inside a cell changes the row's shape as a TSV reader sees it.
    clean = not any(ch in cell for row in rows for cell in row for ch in "\t\r\n")
    check_import(template, _file(workdir, ".tsv", encode(content)), "tsv", must_fail=ragged and clean)


@settings(max_examples=EXCEL_EXAMPLES)
@given(table=table_rows())
def test_excel_mutated(workdir, template, table):
    import pandas as pd

    header, rows, ragged = table
    assume(not ragged)  # a workbook has no ragged rows
    frame = pd.DataFrame(rows, columns=header)
    buffer = io.BytesIO()
    try:
        frame.to_excel(buffer, index=False)
    except Exception:  # openpyxl refuses control characters and surrogates in cells: not a workbook
        assume(False)
    check_import(template, _file(workdir, ".xlsx", buffer.getvalue()), "excel")


@given(content=conll_text())
def test_conll_mutated(workdir, template, content):
    check_import(template, _file(workdir, ".conll", encode(content)), "conll")


@given(content=absa_xml())
def test_absa_xml_mutated(workdir, template, content):
    check_import(template, _file(workdir, ".xml", encode(content)), "absa")


@given(content=plain_lines)
def test_text_lines(workdir, template, content):
    check_import(template, _file(workdir, ".txt", encode(content)), "text")


@given(files=st.lists(st.binary(max_size=200) | plain_lines.map(encode), min_size=1, max_size=3))
def test_text_folder(workdir, template, files):
    folder = workdir / f"folder-{uuid.uuid4().hex[:8]}"
    (folder / "sub").mkdir(parents=True)
    for i, content in enumerate(files):
        (folder / ("sub" if i % 2 else "") / f"doc{i}.txt").write_bytes(content)
    # Problems name FOLDER/FILE; a file is one document, so a too-long one has no line to name.
    check_import(template, folder, "text-folder", shown_as=f"{folder.name}/",
                 whole_file_kinds=WHOLE_FILE_KINDS | {"too-long"})


@given(fmt=st.sampled_from(["jsonl", "json", "csv", "tsv", "excel", "conll", "absa", "text"]),
       bom=st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE]), body=st.binary(max_size=300))
def test_random_bytes(workdir, template, fmt, bom, body):
    check_import(template, _file(workdir, f".{fmt}", bom + body), fmt)


@given(fmt=st.sampled_from(["jsonl", "json", "csv", "conll", "absa", "text"]), data=st.data())
def test_valid_file_with_random_bytes_spliced_in(workdir, template, fmt, data):
    """A well-formed file of the format with a random byte string written over part of it."""
    if fmt in ("jsonl", "json"):
        records = data.draw(st.lists(mutated_records(), min_size=1, max_size=2))
        text = serialise_json(records, True) if fmt == "json" else "\n".join(serialise_json(r, True) for r in records)
    elif fmt == "csv":
        header, rows, _ = data.draw(table_rows())
        text = "\n".join(",".join(row) for row in [header, *rows]).replace(DEEP, DEEP_JSON)
    elif fmt == "absa":
        text = data.draw(absa_xml())
    else:
        text = data.draw(conll_text() if fmt == "conll" else plain_lines)
    raw = encode(text)
    at = data.draw(st.integers(0, len(raw)))
    patch = data.draw(st.binary(min_size=1, max_size=20))
    check_import(template, _file(workdir, f".{fmt}", raw[:at] + patch + raw[at + len(patch):]), fmt)
