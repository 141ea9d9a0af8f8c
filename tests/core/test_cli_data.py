"""The data subcommands end to end: new, import, export, stats (through main(argv) and a subprocess)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from formats_util import conll_rows, write

from mtl_studio.cli import main


def run(*argv: str) -> int:
    return main([str(a) for a in argv])


def stats(capsys, project) -> dict:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert run("stats", project, "--json") == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("cmd", ["new", "import", "export", "stats"])
def test_help(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        main([cmd, "--help"])
    assert e.value.code == 0
    assert "usage: mtl-studio " + cmd in capsys.readouterr().out


def test_new_import_stats_export(tmp_path, fixtures_dir, capsys):
    p = tmp_path / "p.mtl"
    assert run("new", p, "--entity-types", "ORG,LOC", "--sentiment-classes", "negative,neutral,positive") == 0
    assert run("import", p, fixtures_dir / "formats" / "news.conll") == 0
    out = capsys.readouterr().out
    assert "5 documents" in out and "entities: 10" in out
    assert run("import", p, fixtures_dir / "formats" / "reviews.csv", "--label-column", "stars", "--split", "test") == 0
    s = stats(capsys, p)
    assert s["documents"] == 9 and s["totals"]["entities"] == 10
    assert s["splits"]["test"]["sentiment"]["labels_per_class"] == {"1": 1, "3": 1, "5": 2}
    assert s["entity_types"][:2] == ["ORG", "LOC"]
    assert run("stats", p) == 0
    assert "entities per type: LOC 3, MISC 1, ORG 3, PER 3" in capsys.readouterr().out
    out_conll = tmp_path / "out.conll"
    assert run("export", p, out_conll, "--format", "conll") == 0
    assert conll_rows(out_conll) == conll_rows(fixtures_dir / "formats" / "news.conll")
    assert run("export", p, tmp_path / "out.jsonl") == 0  # format from the extension
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 9
    capsys.readouterr()
    assert run("export", p, tmp_path / "test.csv", "--split", "test", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["documents"] == 4 and summary["sentiment_per_class"] == {"1": 1, "3": 1, "5": 2}
    assert len((tmp_path / "test.csv").read_text(encoding="utf-8").splitlines()) == 5


def test_import_error_exit_1_with_file_and_line_and_nothing_imported(tmp_path, capsys):
    p = tmp_path / "p.mtl"
    run("new", p)
    run("import", p, write(tmp_path, "ok.conll", "EU B-ORG\n\n"))
    before = stats(capsys, p)
    bad = write(tmp_path, "ragged.conll", "EU B-ORG\nrejects O\n\nPeter\nBlackburn I-PER\n\n")
    capsys.readouterr()
    assert run("import", p, bad) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4: 1 column" in err and "nothing was imported" in err
    assert stats(capsys, p) == before


def test_no_add_labels_lists_known_labels(tmp_path, capsys):
    p = tmp_path / "p.mtl"
    run("new", p, "--entity-types", "ORG")
    capsys.readouterr()
    assert run("import", p, write(tmp_path, "x.conll", "Oslo B-LOC\n\n"), "--no-add-labels") == 1
    assert "x.conll:1: unknown entity type 'LOC' (the project knows: ORG)" in capsys.readouterr().err


def test_user_errors_are_one_line(tmp_path, capsys):
    assert run("stats", tmp_path / "missing.mtl") == 1
    assert "no project at" in capsys.readouterr().err
    p = tmp_path / "p.mtl"
    run("new", p)
    assert run("new", p) == 1
    assert run("import", p, tmp_path / "nope.txt") == 1
    assert run("export", p, tmp_path / "out.xyz") == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "no such file" in err and "--format" in err
    assert "Traceback" not in err
    bad = tmp_path / "bad.mtl"
    assert run("new", bad, "--entity-types", "PER,NEW ORG") == 1
    assert "no spaces" in capsys.readouterr().err
    assert not bad.exists()  # nothing left behind: the corrected command can create it
    assert run("new", bad, "--entity-types", "PER,NEW_ORG") == 0
    (tmp_path / "notes.mtl").write_text("hello\n")
    assert run("stats", tmp_path / "notes.mtl") == 1
    assert "not an MTL Studio project" in capsys.readouterr().err
    (tmp_path / "folder").mkdir()
    assert run("export", p, tmp_path / "folder", "--format", "csv") == 1  # refused: one line, exit 1
    assert "is a folder" in capsys.readouterr().err


def test_import_json_report_and_warnings(tmp_path, capsys):
    p = tmp_path / "p.mtl"
    run("new", p)
    capsys.readouterr()
    assert run("import", p, write(tmp_path, "d.txt", "same\nsame\n"), "--json") == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["documents"] == 2 and report["duplicates"] == 1 and report["committed"] is True
    assert "d.txt:2: duplicate text" in captured.err


def test_subprocess_entry_point(tmp_path):
    p = tmp_path / "p.mtl"
    bad = write(tmp_path, "ragged.conll", "EU B-ORG\nrejects O\n\nPeter\nBlackburn I-PER\n\n")
    cmd = [sys.executable, "-m", "mtl_studio"]
    assert subprocess.run(cmd + ["new", str(p)], capture_output=True).returncode == 0
    r = subprocess.run(cmd + ["import", str(p), str(bad)], capture_output=True, text=True)
    assert r.returncode == 1 and ":4:" in r.stderr and "Traceback" not in r.stderr
