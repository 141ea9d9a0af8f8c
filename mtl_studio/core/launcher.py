"""Start `torchrun ... -m mtl_studio train PROJECT --config FILE` as a subprocess; stream its events.

The GUI's "train on N GPUs" runs this generator on its worker thread exactly like the in-process
`train()` generator: the same event dataclasses arrive, decoded from the localhost socket that
`event_channel.EventSender` (rank 0 of the children) writes to. A stop request is passed to the
children over the same socket so they end the run cleanly; if they do not exit within a grace period,
the whole process group is terminated.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator, Sequence

from .config import TrainConfig
from .errors import TrainingError
from .events import Event, event_from_dict
from .event_channel import HOST, PORT_ENV, STOP_MESSAGE, TOKEN_ENV

# The `mtl-studio train` option that reads a JSON run configuration (every TrainConfig field): the
# children rebuild exactly the parent's config from it, whatever options the command line has.
TRAIN_CONFIG_OPTION = "--config"


def torchrun_prefix(nproc: int, *, torchrun_args: Sequence[str] = ()) -> list[str]:
    """The command that starts `nproc` local `mtl-studio` workers through PyTorch's launcher.

    From a Python install: python -m torch.distributed.run ... -m mtl_studio. From the PyInstaller app
    (no `python -m` there): the app's internal `--torchrun` entry with `--no-python`, so each worker is
    the app executable itself.
    """
    if nproc < 1:
        raise ValueError(f"nproc must be at least 1, not {nproc}")
    rdzv = list(torchrun_args) or ["--standalone"]
    common = [*rdzv, f"--nproc_per_node={nproc}"]
    if getattr(sys, "frozen", False):
        return [sys.executable, "--torchrun", *common, "--no-python", sys.executable]
    return [sys.executable, "-m", "torch.distributed.run", *common, "-m", "mtl_studio"]


class _Channel:
    """The parent end: a listening socket, the one authenticated connection, and a line buffer."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind((HOST, 0))
        self.server.listen(4)
        self.server.setblocking(False)
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None
        self.eof = False
        self._pending: dict[socket.socket, bytes] = {}  # connections that have not sent the token yet
        self._buffer = b""
        self._sel = selectors.DefaultSelector()
        self._sel.register(self.server, selectors.EVENT_READ)

    def poll(self, timeout: float) -> list[Event]:
        events: list[Event] = []
        for key, _ in self._sel.select(timeout):
            sock = key.fileobj
            if sock is self.server:
                try:
                    conn, _ = self.server.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                self._pending[conn] = b""
                self._sel.register(conn, selectors.EVENT_READ)
            elif sock in self._pending:
                events += self._authenticate(sock)  # type: ignore[arg-type]
            elif sock is self.conn:
                events += self._read()
        return events

    def _authenticate(self, sock: socket.socket) -> list[Event]:
        """Read the first line of a new connection; keep it when it carries our token. Events that
        arrived in the same read are decoded at once (no further read event will announce them)."""
        try:
            chunk = sock.recv(4096)
        except BlockingIOError:
            return []
        except OSError:
            chunk = b""
        data = self._pending[sock] + chunk
        if chunk and b"\n" not in data and len(data) < 4096:
            self._pending[sock] = data
            return []
        del self._pending[sock]
        self._sel.unregister(sock)
        line, _, rest = data.partition(b"\n")
        try:
            ok = json.loads(line).get("token") == self.token and self.conn is None
        except (ValueError, AttributeError):
            ok = False
        if not ok:  # a stranger on localhost, or a second rank: not ours to listen to
            sock.close()
            return []
        self.conn = sock
        self._buffer = rest
        self._sel.register(sock, selectors.EVENT_READ)
        return self.decode_lines()

    def _read(self) -> list[Event]:
        assert self.conn is not None
        try:
            chunk = self.conn.recv(1 << 16)
        except BlockingIOError:
            return []
        except OSError:
            chunk = b""
        if not chunk:  # the child finished sending: close our end so its close() need not linger
            self.eof = True
            self._sel.unregister(self.conn)
            self.conn.close()
        self._buffer += chunk
        return self.decode_lines(final=not chunk)

    def decode_lines(self, final: bool = False) -> list[Event]:
        *lines, self._buffer = self._buffer.split(b"\n")
        if final and self._buffer.strip():
            lines.append(self._buffer)
            self._buffer = b""
        return [event_from_dict(json.loads(line)) for line in lines if line.strip()]

    def send_stop(self) -> bool:
        """Ask rank 0 to stop; False while no child has connected yet (call again later)."""
        if self.conn is None or self.eof:
            return False
        try:
            self.conn.setblocking(True)
            self.conn.sendall(STOP_MESSAGE)
            self.conn.setblocking(False)
        except OSError:
            pass
        return True

    def close(self) -> None:
        for sock in list(self._pending) + [self.conn, self.server]:
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
        self._sel.close()


def _terminate_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group (torchrun and all its workers), SIGKILL after `grace` seconds."""
    if proc.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait()
    except ProcessLookupError:
        pass


def failure_summary(stderr_text: str, max_lines: int = 25) -> str:
    """What went wrong in the children, from their stderr: the CLI's one-line errors when there are
    any, else the exception lines of the ranks' tracebacks, else the last lines (torchrun's own report
    is long and names no cause)."""
    lines = [line for line in stderr_text.splitlines() if line.strip()]
    user = [line for line in lines if ": error: " in line and line.lstrip().startswith("mtl-studio")]
    if user:
        return "\n".join(dict.fromkeys(user))
    exception = re.compile(r"^(\[rank\d+\]: )?[A-Za-z_][\w.]*(Error|Exception|Interrupt)\b:?")
    causes = [line for line in lines if exception.match(line)]
    if causes:
        return "\n".join(list(dict.fromkeys(causes))[:max_lines])
    return "\n".join(lines[-max_lines:])


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def launch_torchrun(project: str | os.PathLike[str], config: TrainConfig, nproc: int, *,
                    stop: threading.Event, extra_args: Sequence[str] = (),
                    torchrun_args: Sequence[str] = (), env: dict[str, str] | None = None,
                    stop_grace_s: float = 60.0, poll_s: float = 0.2) -> Iterator[Event]:
    """Train `project` with `nproc` processes under torchrun; yields the run's events as they arrive.

    - `stop.set()`: the children are asked to stop (they finish the step, record the run as stopped,
      and send RunFinished); after `stop_grace_s` seconds the process group is terminated.
    - A non-zero exit that was not asked for raises TrainingError with the tail of the children's
      stderr. Closing the generator early terminates the children.
    - `torchrun_args` replaces the default `--standalone` (e.g. multi-node rendezvous flags);
      `extra_args` go after the train options.
    """
    config.validate()
    token = secrets.token_hex(16)
    channel = _Channel(token)
    workdir = Path(tempfile.mkdtemp(prefix="mtl-torchrun-"))
    stderr_path = workdir / "stderr.log"
    config_file = workdir / "config.json"
    config_file.write_text(json.dumps(config.to_dict()), encoding="utf-8")
    cmd = [*torchrun_prefix(nproc, torchrun_args=torchrun_args), "train", str(project),
           TRAIN_CONFIG_OPTION, str(config_file), *extra_args]
    child_env = dict(os.environ if env is None else env)
    child_env.update({PORT_ENV: str(channel.port), TOKEN_ENV: token, "PYTHONUNBUFFERED": "1"})
    stderr_file = open(stderr_path, "wb")
    proc = subprocess.Popen(cmd, env=child_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=stderr_file, start_new_session=(os.name == "posix"))
    stop_sent_at: float | None = None
    stop_delivered = False
    try:
        while True:
            yield from channel.poll(poll_s)
            if stop.is_set():
                if stop_sent_at is None:
                    stop_sent_at = time.monotonic()
                if not stop_delivered:  # (again) once rank 0 has connected
                    stop_delivered = channel.send_stop()
            if stop_sent_at is not None and time.monotonic() - stop_sent_at > stop_grace_s:
                _terminate_group(proc)
            if proc.poll() is not None:
                # The children have exited: read what is still in the socket, then judge the exit.
                deadline = time.monotonic() + 5.0
                while channel.conn is not None and not channel.eof and time.monotonic() < deadline:
                    yield from channel.poll(0.1)
                yield from channel.decode_lines(final=True)
                break
        rc = proc.returncode
        if rc != 0 and stop_sent_at is None:
            tail = failure_summary(_read_text(stderr_path))
            raise TrainingError(f"torchrun with {nproc} process(es) failed (exit code {rc})"
                                + (f":\n{tail}" if tail else ""))
    finally:
        _terminate_group(proc)
        stderr_file.close()
        channel.close()
        for p in workdir.iterdir():
            p.unlink(missing_ok=True)
        workdir.rmdir()
