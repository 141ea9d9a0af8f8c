"""Whether a run recorded as "running" still has a process behind it.

A run whose process died without a word (SIGKILL, the OOM killer, power loss) stays "running" in the
project. Two records tell the truth later: the process that trains it (host, PID and the kernel's start
time of that PID, so a PID reused by another program does not count) and a heartbeat timestamp that a
background thread renews every HEARTBEAT_EVERY_S seconds. A reader on the same host asks the kernel;
a reader elsewhere (a project on a shared folder), or one that cannot tell, goes by the heartbeat.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)

HEARTBEAT_EVERY_S = 10.0
# Used only where the process cannot be asked (another host): several missed beats mean it is gone. Wide,
# because a beat may wait up to store.WRITE_WAIT_LIMIT_S for another writer.
HEARTBEAT_STALE_S = 120.0
INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class ProcessIdentity:
    """One process, told apart from a later one that gets the same PID."""

    host: str
    pid: int
    started: str | None  # boot id + start time from the kernel; None where it cannot be read

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> "ProcessIdentity | None":
        if not text:
            return None
        try:
            d = json.loads(text)
            return cls(host=str(d["host"]), pid=int(d["pid"]), started=d.get("started"))
        except (ValueError, KeyError, TypeError):
            return None


def current_process() -> ProcessIdentity:
    return ProcessIdentity(socket.gethostname(), os.getpid(), process_start(os.getpid()))


def process_start(pid: int) -> str | None:
    """The kernel's start time of a live process (with the boot id: PIDs and tick counts restart at each
    boot), or None when there is no such live process or the system does not say."""
    if Path("/proc/self/stat").exists():
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # no such process
            return None
        # Fields after the command name, which is in parentheses and may itself hold spaces.
        fields = text[text.rindex(")") + 2:].split()
        if fields[0] in ("Z", "X"):  # a zombie: dead, only not yet reaped by its parent
            return None
        return f"{_boot_id()}:{fields[19]}"  # field 22 of proc(5): starttime in clock ticks
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return f"{psutil.boot_time():.0f}:{proc.create_time():.3f}"
    except psutil.Error:
        return None


def _boot_id() -> str:
    with contextlib.suppress(OSError):
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    return ""


def is_alive(identity: ProcessIdentity) -> bool | None:
    """True or False when this host can tell; None for a process on another host or when neither the
    start time nor the PID can be checked."""
    if identity.host != socket.gethostname():
        return None
    start = process_start(identity.pid)
    if identity.started is not None and (start is not None or _start_times_readable()):
        return start == identity.started
    try:
        os.kill(identity.pid, 0)  # signal 0: only asks whether the PID exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process under that PID
    except OSError:
        return None
    return True


def _start_times_readable() -> bool:
    return process_start(os.getpid()) is not None


def seems_interrupted(owner: ProcessIdentity | None, heartbeat_at: str | None, created_at: str,
                      now: _dt.datetime | None = None) -> bool:
    """Whether a run recorded as running has lost its process."""
    alive = is_alive(owner) if owner is not None else None
    if alive is not None:
        return not alive
    last = _parse(heartbeat_at) or _parse(created_at)
    if last is None:
        return True
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return (now - last).total_seconds() > HEARTBEAT_STALE_S


def observed_status(status: str, owner_json: str | None, heartbeat_at: str | None, created_at: str) -> str:
    """The status to show for a stored run: a "running" run without a live process is interrupted."""
    if status != "running":
        return status
    return INTERRUPTED if seems_interrupted(ProcessIdentity.from_json(owner_json), heartbeat_at, created_at) \
        else status


def resume_hint(run_id: str, has_checkpoint: bool) -> str:
    """What resuming a run does: a checkpoint is promised only when one exists."""
    what = ("continues it from its last checkpoint" if has_checkpoint
            else "starts it again from the beginning (no checkpoint was written yet)")
    return f"`mtl-studio train PROJECT --resume {run_id}` {what}"


def interrupted_message(run_id: str, has_checkpoint: bool) -> str:
    """Why a run whose process died stopped, and what resuming it does."""
    return ("its training process ended without finishing (killed, out of memory or a power loss); "
            + resume_hint(run_id, has_checkpoint))


def _parse(stamp: str | None) -> _dt.datetime | None:
    if not stamp:
        return None
    try:
        t = _dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)


class Heartbeat:
    """`with Heartbeat(beat):` calls beat() every `every_s` seconds on a thread of its own, so that long
    steps and evaluations keep it fresh. A failing beat (a full disk, a busy project) is logged and the
    next one tried: training itself reports such faults at its next write."""

    def __init__(self, beat: Callable[[], None], *, every_s: float = HEARTBEAT_EVERY_S,
                 on_exit: Callable[[], None] | None = None) -> None:
        self._beat = beat
        self._every_s = every_s
        self._on_exit = on_exit  # run on the heartbeat thread as it ends (close its connection)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mtl-run-heartbeat", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._every_s):
                try:
                    self._beat()
                except Exception:  # noqa: BLE001 - see the class docstring
                    log.warning("run heartbeat failed", exc_info=True)
        finally:
            if self._on_exit is not None:
                self._on_exit()

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
