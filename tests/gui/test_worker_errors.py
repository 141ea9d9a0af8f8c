"""describe_error picks the dialog by the exception's class (core.errors), never by its class name."""
from __future__ import annotations

import pytest

from mtl_studio.core.errors import EncoderNotFound, TrainingError
from mtl_studio.core.export import ExportError
from mtl_studio.core.schema import ValidationError
from mtl_studio.gui.worker import describe_error


@pytest.mark.parametrize(("exc", "title"), [
    (EncoderNotFound("no encoder at /models/x"), "Encoder not found"),
    (TrainingError("CUDA was asked for but is not available"), "Cannot train"),
    (ValidationError("no labelled training documents"), "Cannot train with these settings"),
    (ExportError("the run has no checkpoint"), "Cannot train with these settings"),
    (FileNotFoundError("no project at p.mtl"), "File not found"),
    (ZeroDivisionError("a bug"), "Training failed"),
])
def test_title_by_class(qapp, exc, title):
    got_title, message = describe_error(exc)
    assert got_title == title
    assert str(exc) in message


def test_a_subclass_is_recognised_by_its_base(qapp):
    class NoSuchHubModel(EncoderNotFound):
        pass

    assert describe_error(NoSuchHubModel("not on the hub"))[0] == "Encoder not found"


def test_a_foreign_class_with_the_same_name_is_not_taken_for_ours(qapp):
    class TrainingError(Exception):  # noqa: N818 - the point is the borrowed name
        pass

    assert describe_error(TrainingError("elsewhere"))[0] == "Training failed"


def test_torch_out_of_memory(qapp):
    torch = pytest.importorskip("torch")
    title, message = describe_error(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"))
    assert title == "Out of memory" and "smaller batch size" in message


def test_a_training_worker_waits_for_the_preload_before_running_engine_code(monkeypatch):
    """transformers' lazy names are not thread-safe: the run must not import them while the preload does."""
    import threading

    from mtl_studio.gui import preload
    from mtl_studio.gui.worker import TrainingWorker

    release = threading.Event()
    order: list[str] = []

    def slow_import(names):
        release.wait(5)
        order.append("preload done")

    monkeypatch.setattr(preload, "_import_all", slow_import)
    preload.preload_training_modules(("x",))

    def source(stop):
        order.append("run started")
        return iter(())

    worker = TrainingWorker(source)
    runner = threading.Thread(target=worker.run)
    runner.start()
    runner.join(0.3)
    assert order == [], "the run started while the preload was still importing"
    release.set()
    runner.join(5)
    assert order == ["preload done", "run started"]
