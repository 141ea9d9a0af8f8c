"""Streaming predict: lazy input and output as it goes, resume after an interruption, progress lines,
and the split over 2 Gloo ranks merged back in input order."""
from __future__ import annotations

import io
import json
import os
import socket
from pathlib import Path

import pytest
import torch

import mtl_studio.inference as inf
from mtl_studio.cli import main
from mtl_studio.core import predict_stream as ps
from model_folders import make_model_folder

torch.set_num_threads(1)
TEXTS = [f"Apple shares rose {i} % in Berlin ." if i % 3 else f"Nokia cut {i} jobs in Finland . 华为" for i in range(23)]


@pytest.fixture(scope="module")
def model_dir(tiny_encoder, tmp_path_factory):
    return make_model_folder(tiny_encoder, tmp_path_factory.mktemp("stream") / "model")


@pytest.fixture(scope="module")
def predictor(model_dir):
    return inf.load(model_dir)


@pytest.fixture(scope="module")
def expected(predictor):
    out = io.StringIO()
    ps.predict_records(predictor, ((t, {"id": i}) for i, t in enumerate(TEXTS)), out)
    return out.getvalue().splitlines()


def same_records(lines: list[str], expected: list[str]) -> bool:
    """The same JSON records in the same order; scores may differ in the last written digit, as texts
    batched in other chunks are padded differently (float sums in another order)."""
    pairs = zip(lines, expected)
    return len(lines) == len(expected) and all(_close(json.loads(a), json.loads(b)) for a, b in pairs)


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 2e-6
    return a == b


class _CountingPredictor:
    """Wraps a Predictor and records how many texts it was asked to predict."""

    def __init__(self, inner):
        self.inner = inner
        self.texts = 0

    def predict(self, texts, batch_size=32):
        self.texts += len(texts)
        return self.inner.predict(texts, batch_size=batch_size)


def test_output_is_written_while_the_input_is_still_being_read(predictor, expected):
    consumed = []

    def records():
        for i, t in enumerate(TEXTS):
            consumed.append(i)
            yield t, {"id": i}

    class Out(io.StringIO):
        seen_at_first_flush: int | None = None

        def flush(self):
            if self.seen_at_first_flush is None and self.getvalue():
                self.seen_at_first_flush = len(consumed)

    out = Out()
    result = ps.predict_records(predictor, records(), out, chunk=5)
    assert result.written == len(TEXTS) and result.skipped == 0
    assert out.seen_at_first_flush == 5  # one chunk read, predicted and written before reading on
    assert same_records(out.getvalue().splitlines(), expected)
    assert [json.loads(line)["id"] for line in expected] == list(range(len(TEXTS)))


def test_resume_truncates_the_partial_line_and_skips_what_is_written(predictor, expected, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("\n".join(expected[:7]) + "\n" + expected[7][:15], encoding="utf-8")  # killed mid-line
    counting = _CountingPredictor(predictor)
    result = ps.predict_to_file(counting, ((t, {"id": i}) for i, t in enumerate(TEXTS)), out)
    assert (result.skipped, result.written, counting.texts) == (7, len(TEXTS) - 7, len(TEXTS) - 7)
    assert same_records(out.read_text(encoding="utf-8").splitlines(), expected)
    # A complete output: nothing left to predict, nothing changes.
    again = ps.predict_to_file(counting, ((t, {"id": i}) for i, t in enumerate(TEXTS)), out)
    assert (again.skipped, again.written) == (len(TEXTS), 0)
    assert same_records(out.read_text(encoding="utf-8").splitlines(), expected)
    # resume=False starts over.
    fresh = ps.predict_to_file(predictor, ((t, {"id": i}) for i, t in enumerate(TEXTS[:3])), out, resume=False)
    assert fresh.skipped == 0 and same_records(out.read_text(encoding="utf-8").splitlines(), expected[:3])


def test_resume_point_counts_lines_and_cuts_only_a_partial_one(tmp_path):
    f = tmp_path / "o.jsonl"
    assert ps.resume_point(f) == 0
    f.write_bytes("a\nbé\n".encode())
    assert ps.resume_point(f) == 2 and f.read_bytes() == "a\nbé\n".encode()
    f.write_bytes(b"a\nb\n{\"te")
    assert ps.resume_point(f) == 2 and f.read_bytes() == b"a\nb\n"
    f.write_bytes(b"partial")
    assert ps.resume_point(f) == 0 and f.read_bytes() == b""


def test_progress_is_reported_after_every_chunk_and_the_cli_progress_fits(tmp_path):
    from mtl_studio.commands.model_io import _PredictProgress

    class Seen:
        def __init__(self):
            self.calls = []

        def update(self, written, skipped):
            self.calls.append((written, skipped))

    class Echo:
        backend_name = "echo"

        def predict(self, texts, batch_size=32):
            return [type("P", (), {"to_dict": lambda self, t=t: {"text": t}})() for t in texts]

    seen = Seen()
    assert isinstance(seen, ps.Progress) and isinstance(_PredictProgress(None), ps.Progress)
    out = io.StringIO()
    result = ps.predict_records(Echo(), [(str(i), {}) for i in range(7)], out, skip=2, chunk=2, progress=seen)
    assert result.written == 5 and seen.calls == [(2, 2), (4, 2), (5, 2)]


def test_cli_predict_resumes_its_output(model_dir, tmp_path, capsys):
    texts, out = tmp_path / "in.txt", tmp_path / "out.jsonl"
    texts.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    assert main(["predict", str(model_dir), str(texts), "-o", str(out)]) == 0
    full = out.read_text(encoding="utf-8").splitlines()
    assert len(full) == len(TEXTS) and "wrote 23 predictions" in capsys.readouterr().err
    out.write_text("\n".join(full[:10]) + "\n" + full[10][:5], encoding="utf-8")
    assert main(["predict", str(model_dir), str(texts), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "wrote 13 predictions" in err and "after 10 already there" in err
    assert out.read_text(encoding="utf-8").splitlines() == full


def test_merge_restores_input_order_for_uneven_parts(tmp_path):
    out = tmp_path / "o.jsonl"
    for rank in range(3):
        ps.part_path(out, rank, 3).write_text("".join(f"{i}\n" for i in range(rank, 8, 3)), encoding="utf-8")
    assert ps.merge_parts(out, 3) == 8
    assert out.read_text(encoding="utf-8").split() == [str(i) for i in range(8)]
    assert not list(tmp_path.glob("*.part-*"))
    assert list(ps.rank_share(iter(range(8)), 1, 3)) == [1, 4, 7]


# ---- two Gloo ranks ------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, model_dir: str, out: str) -> None:
    from mtl_studio.core.distributed import init_distributed

    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    ctx = init_distributed("cpu")
    try:
        predictor = inf.load(model_dir)
        records = ((t, {"id": i}) for i, t in enumerate(TEXTS))
        result = ps.predict_distributed(predictor, records, out, ctx, progress=None)
        Path(f"{out}.rank{rank}.json").write_text(json.dumps({"written": result.written}))
    finally:
        ctx.close()


def test_two_ranks_split_the_input_and_merge_it_in_order(model_dir, expected, tmp_path):
    import torch.multiprocessing as mp

    out = tmp_path / "merged.jsonl"
    mp.spawn(_worker, args=(2, _free_port(), str(model_dir), str(out)), nprocs=2, join=True)
    written = [json.loads(Path(f"{out}.rank{r}.json").read_text())["written"] for r in range(2)]
    assert written == [12, 11]  # rank r took the lines i with i % 2 == r
    assert same_records(out.read_text(encoding="utf-8").splitlines(), expected)
    assert not list(tmp_path.glob("*.part-*"))
