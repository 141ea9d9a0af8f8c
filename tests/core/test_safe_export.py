"""Exports that cannot harm: formula cells neutralised, no writing through links or onto special
files, no silent overwrite, atomic replacement; the same target checks for predict and export-model."""
from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest

from formats_util import imp, new_store, write
from mtl_studio.cli import main
from mtl_studio.core.formats import export_project
from mtl_studio.core.formats.cells import neutralise_formula, restore_formula
from mtl_studio.core.safe_output import atomic_output, check_output_path
from mtl_studio.core.schema import Document, SentimentLabel, ValidationError

FORMULAS = ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tindented", "\rreturn"]


@pytest.fixture
def project(tmp_path):
    store = new_store(tmp_path)
    store.add_sentiment_class("positive")
    for i, text in enumerate(FORMULAS + ["'quoted", "plain text"]):
        store.add_document(Document(text=text, sentiment=SentimentLabel("positive"), split="train"))
    yield store
    store.close()


def _cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return [row[0] for row in csv.reader(f)][1:]


def test_csv_export_neutralises_formula_cells_and_imports_back_unchanged(project, tmp_path):
    out = tmp_path / "out.csv"
    export_project(project, out, "csv")
    cells = _cells(out)
    assert all(c.startswith("'") for c in cells[:len(FORMULAS)])
    assert cells[-2:] == ["''quoted", "plain text"]
    again = new_store(tmp_path, "again.mtl")
    imp(again, out)
    assert [d.text for d in again.iter_documents()] == FORMULAS + ["'quoted", "plain text"]
    again.close()


def test_raw_cells_writes_values_as_they_are(project, tmp_path):
    out = tmp_path / "raw.csv"
    assert main(["export", str(project.path), str(out), "--raw-cells"]) == 0
    assert _cells(out) == FORMULAS + ["'quoted", "plain text"]


@pytest.mark.parametrize("cell", FORMULAS + ["'", "''", "'=", "plain", "", "a=b", "'-5"])
def test_restore_undoes_neutralise(cell):
    assert restore_formula(neutralise_formula(cell)) == cell
    assert not neutralise_formula(cell).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_existing_file_needs_force(project, tmp_path, capsys):
    out = write(tmp_path, "out.jsonl", "precious\n")
    assert main(["export", str(project.path), str(out)]) == 1
    assert "exists: pass --force" in capsys.readouterr().err
    assert out.read_text() == "precious\n"
    assert main(["export", str(project.path), str(out), "--force"]) == 0
    assert "HYPERLINK" in out.read_text()


def test_symlink_fifo_device_and_folder_are_refused(project, tmp_path):
    victim = write(tmp_path, "victim.txt", "keep me\n")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    for target, words in ((link, "symbolic link"), (fifo, "FIFO"), (Path("/dev/null"), "character device"),
                          (folder, "is a folder")):
        with pytest.raises(ValidationError, match=words):
            export_project(project, target, "csv", force=True)
    assert victim.read_text() == "keep me\n"
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode) and folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    out = write(tmp_path, "out.txt", "old\n")
    with pytest.raises(RuntimeError):
        with atomic_output(out, force=True) as f:
            f.write("half")
            raise RuntimeError("disk trouble")
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_output_keeps_usual_permissions(tmp_path):
    with atomic_output(tmp_path / "new.txt", force=False) as f:
        f.write("x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o666 & ~umask


def test_model_export_target_is_checked(tmp_path):
    from mtl_studio.core.export import export_model

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "model-link"
    link.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ValidationError, match="symbolic link"):
        export_model(tmp_path / "no-project.mtl", None, link)
    with pytest.raises(ValidationError, match="not a folder"):
        export_model(tmp_path / "no-project.mtl", None, write(tmp_path, "file", "x"))
    with pytest.raises(ValidationError, match="FIFO"):
        os.mkfifo(tmp_path / "fifo")
        check_output_path(tmp_path / "fifo", force=True, folder=True)


def test_predict_output_is_checked_before_the_model_loads(tmp_path, capsys):
    texts = write(tmp_path, "in.txt", "Apple rose.\n")
    out = write(tmp_path, "out.jsonl", "earlier predictions\n")
    # The model folder does not exist: the output check must come first.
    assert main(["predict", str(tmp_path / "no-model"), str(texts), "--output", str(out)]) == 1
    assert "is not an earlier prediction output: pass --force" in capsys.readouterr().err
    assert out.read_text() == "earlier predictions\n"  # a file that is not predict's own is never truncated
    assert main(["predict", str(tmp_path / "no-model"), str(texts), "--output", "/dev/null", "--force"]) == 1
    assert "character device" in capsys.readouterr().err
    assert out.read_text() == "earlier predictions\n"


def test_our_own_unchanged_export_is_rewritten_without_force(project, tmp_path, capsys):
    """Re-exporting after more labelling needs no --force; once someone edits the file, it does."""
    import os

    out = tmp_path / "again.conll"
    assert main(["export", str(project.path), str(out), "--format", "conll"]) == 0
    assert main(["export", str(project.path), str(out), "--format", "conll"]) == 0  # our own, unchanged
    with open(out, "a", encoding="utf-8") as f:
        f.write("edited by hand\n")
    st = os.stat(out)
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # even within one clock tick
    capsys.readouterr()
    assert main(["export", str(project.path), str(out), "--format", "conll"]) == 1
    assert "exists: pass --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").endswith("edited by hand\n")


def test_a_file_another_program_wrote_at_a_path_we_once_exported_needs_force(project, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["export", str(project.path), str(out)]) == 0
    out.unlink()
    out.write_text("someone else's file\n", encoding="utf-8")
    assert main(["export", str(project.path), str(out)]) == 1
    assert "exists: pass --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "someone else's file\n"
