"""One error family: every exception class of the project derives from core.errors.MtlStudioError, and
the CLI prints each as one line, caught by class."""
from __future__ import annotations

import subprocess
import sys

import pytest

from mtl_studio.cli import main
from mtl_studio.commands import data as data_commands
from mtl_studio.core.artifacts import ModelFolderError
from mtl_studio.core.config import TrainingError as TrainingErrorFromConfig
from mtl_studio.core.errors import EncoderNotFound, MtlStudioError, OperationCancelled, TrainingError
from mtl_studio.core.export import ExportError
from mtl_studio.core.formats.importer import ImportCancelled
from mtl_studio.core.formats.jsonl import RecordError
from mtl_studio.core.formats.report import ImportFailed, ImportReport
from mtl_studio.core.model import EncoderNotFound as EncoderNotFoundFromModel
from mtl_studio.core.schema import ValidationError
from mtl_studio.core.train import _Failure


def _import_failed(message: str) -> ImportFailed:
    report = ImportReport(file="reviews.csv")
    report.error(message, line=3)
    return ImportFailed(report)


# (class, the builtin base it keeps for callers that catch that, a way to make one with `message`)
FAMILY = [
    (EncoderNotFound, RuntimeError, EncoderNotFound),
    (TrainingError, RuntimeError, TrainingError),
    (ModelFolderError, ValueError, ModelFolderError),
    (ExportError, RuntimeError, ExportError),
    (ValidationError, ValueError, ValidationError),
    (RecordError, ValueError, RecordError),
    (ImportFailed, ValueError, _import_failed),
    (ImportCancelled, Exception, ImportCancelled),
    (_Failure, Exception, _Failure),
]


@pytest.mark.parametrize(("cls", "builtin_base", "make"), FAMILY, ids=lambda x: getattr(x, "__name__", ""))
def test_every_project_error_is_a_user_error(cls, builtin_base, make):
    assert issubclass(cls, MtlStudioError)
    assert issubclass(cls, builtin_base)


def test_cancellation_is_a_user_error_of_its_own_kind():
    assert issubclass(ImportCancelled, OperationCancelled)
    assert not issubclass(ImportFailed, OperationCancelled)


def test_classes_stay_importable_where_they_were():
    assert TrainingErrorFromConfig is TrainingError
    assert EncoderNotFoundFromModel is EncoderNotFound


@pytest.mark.parametrize(("cls", "builtin_base", "make"), FAMILY, ids=lambda x: getattr(x, "__name__", ""))
def test_cli_prints_each_user_error_as_one_line(cls, builtin_base, make, monkeypatch, capsys, tmp_path):
    error = make("the file is not what it should be")

    def failing_stats(args):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(data_commands, "cmd_stats", failing_stats)
    assert main(["stats", str(tmp_path / "p.mtl")]) == 1
    err = capsys.readouterr().err
    assert err == f"mtl-studio stats: error: {error}\n"
    assert "Traceback" not in err and str(error)


def test_cli_lets_a_programming_error_through(monkeypatch, tmp_path):
    def broken_stats(args):  # type: ignore[no-untyped-def]
        raise AttributeError("a bug, not a user error")

    monkeypatch.setattr(data_commands, "cmd_stats", broken_stats)
    with pytest.raises(AttributeError):
        main(["stats", str(tmp_path / "p.mtl")])


def test_the_family_and_the_cli_load_no_torch():
    """The CLI catches EncoderNotFound and TrainingError by class without importing torch."""
    code = "import sys, mtl_studio.core.errors, mtl_studio.cli; print('torch' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
