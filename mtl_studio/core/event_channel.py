"""Progress events from a training subprocess (torchrun) to the parent GUI, over a localhost socket.

The parent (`launcher.launch_torchrun`) listens on 127.0.0.1 on a free port and starts the children
with MTL_STUDIO_EVENT_PORT (and a random MTL_STUDIO_EVENT_TOKEN) in their environment. Rank 0 of the
children connects, sends the token as its first line, then one JSON object per line: the events of
`mtl_studio.core.config` as `event_to_dict` writes them. No log scraping: the parent rebuilds the same
dataclasses with `event_from_dict`.

This module is headless (no Qt, no torch) so the CLI can import it cheaply.
"""
from __future__ import annotations

import json
import os
import socket
import sys
from typing import Iterable, Iterator

from .config import Event, event_to_dict

PORT_ENV = "MTL_STUDIO_EVENT_PORT"
TOKEN_ENV = "MTL_STUDIO_EVENT_TOKEN"
HOST = "127.0.0.1"


def encode_event(event: Event) -> bytes:
    """One line of JSON (NaN/inf allowed: a diverging loss must still reach the parent)."""
    return json.dumps(event_to_dict(event), default=str, ensure_ascii=False).encode("utf-8") + b"\n"


class EventSender:
    """Sends events to the parent process when MTL_STUDIO_EVENT_PORT is set, from rank 0 only.

    Disabled (every call a no-op) when the variable is absent or this is not rank 0. If the parent
    stops listening, a warning goes to stderr once and training goes on: the run is still recorded in
    the project, and the parent terminates the children itself when the user stops.
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
        self._timeout = connect_timeout
        self._sock: socket.socket | None = None

    @classmethod
    def from_env(cls) -> "EventSender":
        return cls()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((HOST, int(self.port)), timeout=self._timeout)  # type: ignore[arg-type]
        sock.settimeout(None)  # sends block rather than drop events; the parent reads continuously
        sock.sendall(json.dumps({"token": self.token}).encode("utf-8") + b"\n")
        return sock

    def send(self, event: Event) -> None:
        if not self.enabled:
            return
        try:
            if self._sock is None:
                self._sock = self._connect()
            self._sock.sendall(encode_event(event))
        except OSError as e:
            self.enabled = False
            self.close()
            print(f"mtl-studio: progress channel to port {self.port} lost ({e}); training goes on",
                  file=sys.stderr)

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self._sock.close()
            self._sock = None

    def __enter__(self) -> "EventSender":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def forward_events(events: Iterable[Event], sender: EventSender | None = None) -> Iterator[Event]:
    """Yield `events` unchanged, sending each one to the parent when MTL_STUDIO_EVENT_PORT is set.

    The CLI `train` command wraps its event stream with it: `events = forward_events(events)`.
    """
    sender = sender or EventSender.from_env()
    if not sender.enabled:
        yield from events
        return
    try:
        for event in events:
            sender.send(event)
            yield event
    finally:
        sender.close()
