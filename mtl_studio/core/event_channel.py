"""Progress events from a training subprocess (torchrun) to the parent GUI, over a localhost socket.

The parent (`launcher.launch_torchrun`) listens on 127.0.0.1 on a free port and starts the children
with MTL_STUDIO_EVENT_PORT and a random MTL_STUDIO_EVENT_TOKEN in their environment. Rank 0 of the
children connects, sends the token as its first line, then one JSON object per line: the events of
`mtl_studio.core.events` as `event_to_dict` writes them. No log scraping: the parent rebuilds the same
dataclasses with `event_from_dict`.

The other direction carries one message: the parent writes `stop` when the user presses Stop (or
closes the connection when it goes away); rank 0 then sets `EventSender.stop_event`, which the training
loop polls like the GUI's own stop handle, and `DistContext.any_flag` spreads it to every rank, so the
run ends cleanly as "stopped" instead of being killed.

This module is headless (no Qt, no torch) so the CLI can import it cheaply.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import threading
from typing import Iterable, Iterator

from .events import Event, event_to_dict

PORT_ENV = "MTL_STUDIO_EVENT_PORT"
TOKEN_ENV = "MTL_STUDIO_EVENT_TOKEN"
HOST = "127.0.0.1"
STOP_MESSAGE = b"stop\n"


def encode_event(event: Event) -> bytes:
    """One line of JSON (NaN/inf allowed: a diverging loss must still reach the parent)."""
    return json.dumps(event_to_dict(event), default=str, ensure_ascii=False).encode("utf-8") + b"\n"


class EventSender:
    """Sends events to the parent process when MTL_STUDIO_EVENT_PORT is set, from rank 0 only.

    Disabled (every call a no-op, `stop_event` never set) when the variable is absent or this is not
    rank 0. It connects on creation, so a stop pressed before the first event still arrives. If the
    parent stops listening, a warning goes to stderr once and the stop event is set: nobody is
    watching any more, and the run still ends recorded (as stopped) in the project.
    """

    def __init__(self, port: int | None = None, *, token: str | None = None, rank: int | None = None,
                 connect_timeout: float = 10.0) -> None:
        if port is None:
            raw = os.environ.get(PORT_ENV, "").strip()
            port = int(raw) if raw else None
        if rank is None:
            rank = int(os.environ.get("RANK", "0") or 0)
        self.port = port
        self.token = token if token is not None else os.environ.get(TOKEN_ENV, "")
        self.enabled = port is not None and rank == 0
        self.stop_event = threading.Event()
        self._timeout = connect_timeout
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._closing = False
        self._reader: threading.Thread | None = None
        if self.enabled:
            try:
                self._connect()
            except OSError as e:
                self._lost(e)

    @classmethod
    def from_env(cls) -> "EventSender":
        return cls()

    def _connect(self) -> None:
        sock = socket.create_connection((HOST, int(self.port)), timeout=self._timeout)  # type: ignore[arg-type]
        sock.settimeout(None)  # sends block rather than drop events; the parent reads continuously
        sock.sendall(json.dumps({"token": self.token}).encode("utf-8") + b"\n")
        self._sock = sock
        self._reader = threading.Thread(target=self._read_parent, args=(sock,), name="mtl-event-channel",
                                        daemon=True)
        self._reader.start()

    def _read_parent(self, sock: socket.socket) -> None:
        """Background: any `stop` line, or the parent closing the connection, sets stop_event."""
        buffer = b""
        try:
            while True:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                buffer += chunk
                if STOP_MESSAGE.strip() in buffer.split(b"\n"):
                    break
        except OSError:
            pass
        if not self._closing:
            self.stop_event.set()

    def _lost(self, error: Exception) -> None:
        self.enabled = False
        self.stop_event.set()
        self.close()
        print(f"mtl-studio: progress channel to port {self.port} lost ({error}); stopping the run",
              file=sys.stderr)

    def send(self, event: Event) -> None:
        if not self.enabled or self._sock is None:
            return
        try:
            with self._lock:
                self._sock.sendall(encode_event(event))
        except OSError as e:
            self._lost(e)

    def forward(self, events: Iterable[Event]) -> Iterator[Event]:
        """Yield `events` unchanged, sending each one; closes the channel at the end."""
        try:
            for event in events:
                self.send(event)
                yield event
        finally:
            self.close()

    def close(self, linger: float = 5.0) -> None:
        """Half-close (our data is complete), give the parent `linger` seconds to read it all and close
        its end, then close. Closing at once with unread input could reset the connection and lose the
        last events (RunFinished) in flight."""
        self._closing = True
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(linger)
        sock.close()

    def __enter__(self) -> "EventSender":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def forward_events(events: Iterable[Event], sender: EventSender | None = None) -> Iterator[Event]:
    """`events` unchanged, each also sent to the parent when MTL_STUDIO_EVENT_PORT is set."""
    return (sender or EventSender.from_env()).forward(events)
