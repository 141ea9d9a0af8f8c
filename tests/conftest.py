"""Shared test set-up: offline, offscreen, small thread counts, a tiny encoder, fixture paths."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest
from hypothesis import HealthCheck, settings

# Fuzz suites (tests/core/test_fuzz_*.py): "ci", the default, keeps them to about a minute in all;
# `pytest --hypothesis-profile=deep tests/core/test_fuzz_*.py` runs twenty times as many cases per test.
# No example database: runs stay independent of earlier ones and write nothing into the tree.
_FUZZ = dict(deadline=None, database=None, print_blob=True,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                    HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=100, **_FUZZ)
settings.register_profile("deep", max_examples=2000, **_FUZZ)
settings.load_profile("ci")

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
FIXTURES = TESTS / "fixtures"
SHARED_DATA = TESTS.parent.parent / "shared" / "data"

from qt_support import qt_unavailable_reason  # noqa: E402  (needs TESTS on sys.path)


_crash_log = None  # the MTL_CRASH_LOG file, open until the process ends


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """MTL_CRASH_LOG=FILE: a crash (segmentation fault, abort) writes every thread's stack to FILE instead of
    stderr, so that .ci/run can print the crashing thread's own stack last: CI shows only part of its output,
    and with every thread listed the crashing one was cut off. After pytest's faulthandler set-up."""
    import faulthandler

    global _crash_log
    path = os.environ.get("MTL_CRASH_LOG")
    if path:
        _crash_log = open(path, "w", encoding="utf-8")  # noqa: SIM115 - open until the process ends
        faulthandler.enable(_crash_log, all_threads=True)


def pytest_runtest_logstart(nodeid, location):
    """With MTL_CRASH_LOG: each test's id goes to the log as it starts (the dump of a crash follows it)."""
    if _crash_log is not None:
        _crash_log.write(f"test: {nodeid}\n")
        _crash_log.flush()


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Where Qt cannot load, take pytest-qt out before its pytest_configure imports Qt (which stops
    pytest with an INTERNALERROR before any test); tests/gui then skips itself (tests/gui/conftest.py)
    and the core tests run. Runs before configure: this file is an initial conftest."""
    if qt_unavailable_reason() is None:
        return None
    plugin = sys.modules.get("pytestqt.plugin")
    if plugin is not None and config.pluginmanager.is_registered(plugin):
        config.pluginmanager.unregister(plugin)
    return None


class _QtMissingModule(pytest.Module):
    """A tests/gui module where Qt cannot load: skipped with the reason, never imported. Every such
    skip is raised here, so the summary folds them into one line."""

    def collect(self):  # type: ignore[override]
        pytest.skip(qt_unavailable_reason() or "")


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    if qt_unavailable_reason() and TESTS / "gui" in Path(module_path).parents:
        return _QtMissingModule.from_parent(parent, path=Path(module_path))
    return None


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip the test when it is absent (a clean clone without shared material)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("shared data not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    """Folder of a tiny random-init BERT with a fast tokenizer (English, CJK, emoji in its vocabulary)."""
    from tiny_encoder import build_tiny_encoder

    return build_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder"))


@pytest.fixture
def small_store(tmp_path):
    """project_helpers.SMALL in a fresh file, closed after the test."""
    from project_helpers import SMALL, make_project

    with make_project(tmp_path / "small.mtl", SMALL) as store:
        yield store


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """User folders (recent projects, settings) go to a temporary place in every test."""
    monkeypatch.setenv("MTL_STUDIO_HOME", str(tmp_path / "home"))
