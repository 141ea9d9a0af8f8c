"""The localhost progress channel between a torchrun child (EventSender) and the parent (launcher)."""
from __future__ import annotations

import json
import math
import socket
import threading
import time

from mtl_studio.core.events import LogMessage, RunFinished, StepProgress
from mtl_studio.core.event_channel import EventSender, forward_events
from mtl_studio.core.launcher import _Channel

EVENTS = [
    LogMessage("info", "loading encoder — ünïcode 华为 😀"),
    StepProgress(1, 2, 1, {"ner": 1.25, "total": float("nan")}, {"ner": 0.5}, 3.0, 1.0, 5e-5),
    RunFinished("r1", "completed", 1, {"dev": {"ner": {"f1": 0.5}}}, "/tmp/x"),
]


def _collect(channel: _Channel, until, timeout: float = 10.0) -> list:
    got, deadline = [], time.monotonic() + timeout
    while not until(got) and time.monotonic() < deadline:
        got += channel.poll(0.05)
    return got


def test_sender_is_a_no_op_without_the_port(monkeypatch):
    monkeypatch.delenv("MTL_STUDIO_EVENT_PORT", raising=False)
    sender = EventSender.from_env()
    assert not sender.enabled
    assert list(forward_events(iter(EVENTS), sender)) == EVENTS
    assert not sender.stop_event.is_set()


def test_only_rank_zero_sends(monkeypatch):
    channel = _Channel("tok")
    try:
        monkeypatch.setenv("RANK", "1")
        sender = EventSender(channel.port, token="tok")
        assert not sender.enabled and sender._sock is None
    finally:
        channel.close()


def test_events_cross_the_socket_unchanged_in_order():
    channel = _Channel("secret")
    try:
        sender = EventSender(channel.port, token="secret", rank=0)
        result: list = []
        t = threading.Thread(target=lambda: result.extend(forward_events(iter(EVENTS), sender)))
        t.start()
        got = _collect(channel, lambda g: channel.eof)
        t.join(10)
        assert result == EVENTS
        assert [type(e) for e in got] == [type(e) for e in EVENTS]
        assert got[0] == EVENTS[0] and got[2] == EVENTS[2]
        assert got[1].losses["ner"] == 1.25 and math.isnan(got[1].losses["total"])
        assert not sender.stop_event.is_set()  # a normal end is not a stop
    finally:
        channel.close()


def test_a_wrong_token_is_refused_and_the_right_one_still_accepted():
    channel = _Channel("right")
    try:
        with socket.create_connection(("127.0.0.1", channel.port)) as intruder:
            intruder.sendall(json.dumps({"token": "wrong"}).encode() + b"\n")
            intruder.sendall(b'{"kind": "log", "level": "info", "text": "forged"}\n')
            _collect(channel, lambda g: False, timeout=0.5)
        assert channel.conn is None
        sender = EventSender(channel.port, token="right", rank=0)
        sender.send(EVENTS[0])
        got = _collect(channel, lambda g: g)
        assert got == [EVENTS[0]]
        sender.close(linger=0)
    finally:
        channel.close()


def test_stop_from_the_parent_sets_the_senders_stop_event():
    channel = _Channel("t")
    try:
        sender = EventSender(channel.port, token="t", rank=0)
        _collect(channel, lambda g: channel.conn is not None, timeout=5)
        assert not sender.stop_event.is_set()
        channel.send_stop()
        assert sender.stop_event.wait(5)
        sender.close(linger=0)
    finally:
        channel.close()


def test_parent_going_away_stops_the_run_and_training_goes_on(capsys):
    channel = _Channel("t")
    sender = EventSender(channel.port, token="t", rank=0)
    _collect(channel, lambda g: channel.conn is not None, timeout=5)
    channel.close()
    assert sender.stop_event.wait(5)
    for _ in range(50):  # sends fail once the peer is gone; they must not raise
        sender.send(EVENTS[0])
    sender.close(linger=0)
