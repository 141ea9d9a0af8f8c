"""Predict a corpus of any size: read lazily, predict in chunks, write as it goes, resume, split over ranks.

Memory: the input is an iterator of (text, fields to copy) records (commands/model_io.iter_texts reads
files line by line); CHUNK records are predicted and written at a time, so memory does not grow with
the input.

Resume: the output is written line by line and flushed after every chunk; an interrupted run leaves
complete JSON lines and at most one partial last line. `resume_point` truncates that partial line and
counts the complete ones; that many records are skipped (read, not predicted) on the next run.

Several processes (torchrun): rank r of W takes records i with i % W == r and writes OUT.part-r-of-W
(resumed the same way); after a barrier rank 0 merges the parts in input order (record i is line
i // W of part i % W) into OUT and removes them.
"""
from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO, runtime_checkable

CHUNK = 1024  # records predicted and written at a time

Record = tuple[str, dict[str, Any]]


@dataclass
class StreamResult:
    written: int  # predictions written by this run
    skipped: int  # records already in the output (resumed)
    seconds: float

    @property
    def texts_per_second(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0


@runtime_checkable
class Progress(Protocol):
    """What the stream reports to after each chunk: texts written by this run and skipped (resumed).
    The CLI's commands/model_io._PredictProgress draws it as every command's progress line; the core
    draws nothing itself (no terminal handling in the headless core)."""

    def update(self, written: int, skipped: int) -> None: ...


def is_prediction_output(path: str | Path) -> bool:
    """True when the file's first line is one of predict's JSON lines (an object with "text"): an earlier
    output of predict that may be continued. Anything else is the user's file and is never truncated."""
    try:
        with open(path, "rb") as f:
            first = f.readline(1 << 20)
    except OSError:
        return False
    if not first.strip():
        return True  # empty: nothing to lose
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and "text" in record


def check_prediction_output(path: str | Path, *, force: bool) -> None:
    """Refuse an output path that predict must not write: a link, FIFO, device or folder (safe_output),
    or an existing file that is not an earlier prediction output, unless `force`."""
    from .safe_output import check_output_path
    from .schema import ValidationError

    target = check_output_path(path, force=True)  # the kind of file; whether to replace it is decided here
    if target.exists() and not force and not is_prediction_output(target):
        raise ValidationError(f"{target} exists and is not an earlier prediction output: pass --force to "
                              "overwrite it, or choose another name")


def resume_point(path: str | Path) -> int:
    """Complete lines already in `path` (0 when missing); a partial last line is cut off the file."""
    path = Path(path)
    if not path.is_file():
        return 0
    lines = 0
    end_of_last_line = 0
    with open(path, "rb") as f:
        offset = 0
        while block := f.read(1 << 20):
            newlines = block.count(b"\n")
            if newlines:
                lines += newlines
                end_of_last_line = offset + block.rfind(b"\n") + 1
            offset += len(block)
    if end_of_last_line != path.stat().st_size:
        with open(path, "r+b") as f:
            f.truncate(end_of_last_line)
    return lines


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def predict_records(predictor: Any, records: Iterable[Record], out: TextIO, *, skip: int = 0,
                    batch_size: int = 32, chunk: int = CHUNK, progress: Progress | None = None) -> StreamResult:
    """Predict `records` (after skipping `skip`) and write one JSON line per record to `out` as it goes."""
    start = time.perf_counter()
    remaining = itertools.islice(records, skip, None)
    written = 0
    for part in _chunks(remaining, chunk):
        preds = predictor.predict([text for text, _ in part], batch_size=batch_size)
        out.writelines(json.dumps({**extra, **p.to_dict()}, ensure_ascii=False) + "\n"
                       for (_, extra), p in zip(part, preds))
        out.flush()
        written += len(part)
        if progress is not None:
            progress.update(written, skip)
    return StreamResult(written, skip, time.perf_counter() - start)


def predict_to_file(predictor: Any, records: Iterable[Record], path: str | Path, *, resume: bool = True,
                    batch_size: int = 32, progress: Progress | None = None) -> StreamResult:
    """predict_records into a file, continuing an interrupted earlier run when `resume`."""
    skip = resume_point(path) if resume else 0
    with open(path, "a" if skip else "w", encoding="utf-8") as out:
        return predict_records(predictor, records, out, skip=skip, batch_size=batch_size, progress=progress)


# ---- several processes ---------------------------------------------------------------------------

def part_path(path: str | Path, rank: int, world: int) -> Path:
    path = Path(path)
    return path.with_name(f"{path.name}.part-{rank}-of-{world}")


def rank_share(records: Iterable[Record], rank: int, world: int) -> Iterator[Record]:
    """The records of rank `rank`: input positions i with i % world == rank."""
    return itertools.islice(records, rank, None, world)


def merge_parts(path: str | Path, world: int) -> int:
    """Interleave the rank parts back into input order in `path`; returns the lines written."""
    parts = [part_path(path, r, world) for r in range(world)]
    files = [open(p, encoding="utf-8") for p in parts]
    n = 0
    try:
        with open(path, "w", encoding="utf-8") as out:
            for i in itertools.count():
                line = files[i % world].readline()
                if not line:  # rank i % world has no record i: the input ended at i
                    break
                out.write(line)
                n += 1
            leftover = [p.name for p, f in zip(parts, files) if f.readline()]
            if leftover:
                raise RuntimeError(f"parts {leftover} have lines beyond the end of the input: not merged")
    finally:
        for f in files:
            f.close()
    for p in parts:
        p.unlink()
    return n


def predict_distributed(predictor: Any, records: Iterable[Record], path: str | Path, ctx: Any, *,
                        resume: bool = True, batch_size: int = 32,
                        progress: Progress | None = None) -> StreamResult:
    """This rank's share into its part file; rank 0 then merges every part into `path` (in input order).

    ctx: a core.distributed.DistContext (rank, world_size, barrier()).
    """
    rank, world = ctx.rank, ctx.world_size
    result = predict_to_file(predictor, rank_share(records, rank, world), part_path(path, rank, world),
                             resume=resume, batch_size=batch_size, progress=progress)
    ctx.barrier()  # every part is complete before rank 0 reads them
    if ctx.is_main:
        merge_parts(path, world)
    ctx.barrier()  # the merged file exists when any rank returns
    return result


__all__ = ["CHUNK", "Progress", "StreamResult", "resume_point", "predict_records", "predict_to_file",
           "part_path", "rank_share", "merge_parts", "predict_distributed"]
