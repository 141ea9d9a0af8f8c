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


def test_split_and_delete_commands(tmp_path, capsys):
    project = tmp_path / "p.mtl"
    assert main(["new", str(project)]) == 0
    lines = tmp_path / "lines.txt"
    lines.write_text("".join(f"line {i}\n" for i in range(40)), encoding="utf-8")
    assert main(["import", str(project), str(lines), "--split-rule", "all-train"]) == 0
    assert "split rule all-train: 40 by all train" in capsys.readouterr().out
    assert main(["split", str(project), "--ratios", "50/25/25", "--seed", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["after"] == {"train": 20, "dev": 10, "test": 10} and report["moved"] == 20
    assert main(["split", str(project), "--ratios", "50/50"]) == 1
    assert "three non-negative numbers" in capsys.readouterr().err

    assert main(["delete", str(project), "--ids", "1-3,7,99"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "deleted 4 documents (1-3, 7) with 0 spans and 0 sentiment labels; 36 documents left"
    assert "not in the project (nothing to delete): 99" in err
    assert main(["delete", str(project), "--ids", "1"]) == 1  # already gone
    assert "nothing was deleted" in capsys.readouterr().err
    assert main(["delete", str(project), "--ids", "5-2"]) == 1
    assert "not an id or a range" in capsys.readouterr().err


def test_a_project_file_as_the_only_argument_opens_the_studio_on_it(tmp_path, monkeypatch, capsys):
    import types

    opened: list[list[str]] = []
    fake_app = types.ModuleType("mtl_studio.gui.app")  # the GUI entry, without Qt
    fake_app.main = lambda argv: opened.append(list(argv)) or 0
    monkeypatch.setitem(sys.modules, "mtl_studio.gui.app", fake_app)
    project = tmp_path / "News.MTL"
    assert run("new", project) == 0
    assert main([str(project)]) == 0
    assert main([]) == 0
    assert opened == [[str(project)], []]
    assert main([str(tmp_path / "missing.mtl")]) == 1  # one clear line, no studio
    assert "no project at" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # more arguments: the parser, as before
        main([str(project), "extra"])
    assert len(opened) == 2


def test_a_file_stranded_in_dev_is_a_warning_even_with_quiet(tmp_path, capsys):
    project = tmp_path / "p.mtl"
    assert run("new", project) == 0
    lone = tmp_path / "lone"
    lone.mkdir()
    dev = lone / "valid.txt"
    dev.write_text("up\ndown\nflat\n", encoding="utf-8")
    assert run("import", project, dev, "--split-rule", "file-name", "-q") == 0
    out, err = capsys.readouterr()
    assert "splits: dev 3 (rule file-name)" in out
    assert f"warning: {dev}: all 3 documents went to dev and the project has no training documents" in err
    assert f"run `mtl-studio split {project}`" in err


@pytest.mark.parametrize("out, fmt", [("out.xml", "absa"), ("out.json", "label-studio"), ("out.fin", "finentity")])
def test_export_writes_every_format_with_entity_polarity_and_reads_it_back(tmp_path, capsys, out, fmt):
    """`export` reaches every export format (by extension or --format) and what it writes imports back."""
    record = {"text": "Alphabet fell, Nvidia rose", "sentiment": "neutral", "split": "train",
              "spans": [{"start": 0, "end": 8, "label": "ORG", "sentiment": "negative"},
                        {"start": 15, "end": 21, "label": "ORG", "sentiment": "positive"}]}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run("new", tmp_path / "a.mtl") == 0
    assert run("import", tmp_path / "a.mtl", tmp_path / "a.jsonl", "-q") == 0
    extra = () if fmt != "finentity" else ("--format", "finentity")
    assert run("export", tmp_path / "a.mtl", tmp_path / out, *extra) == 0
    assert f"({fmt})" in capsys.readouterr().out
    assert run("new", tmp_path / "b.mtl") == 0
    read_as = {"absa": "absa", "label-studio": "json", "finentity": "json"}[fmt]
    assert run("import", tmp_path / "b.mtl", tmp_path / out, "--format", read_as, "-q") == 0
    from mtl_studio.core.store import ProjectStore
    with ProjectStore.open(tmp_path / "b.mtl") as store:
        (doc,) = list(store.iter_documents())
        assert [(s.start, s.end, s.sentiment) for s in doc.spans] == [(0, 8, "negative"), (15, 21, "positive")]


def test_export_refuses_an_unknown_extension_naming_the_formats(tmp_path, capsys):
    assert run("new", tmp_path / "a.mtl") == 0
    assert run("export", tmp_path / "a.mtl", tmp_path / "out.weird") != 0
    assert "absa" in capsys.readouterr().err
