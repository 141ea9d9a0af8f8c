"""Progress of long commands on stderr, on a terminal and off one (a log file, CI, `2> log`, nohup).

On a terminal the line is redrawn in place; elsewhere one full line is printed every few seconds
(MTL_STUDIO_PROGRESS_INTERVAL seconds, default 5; 0 prints every update), so a training run inside
an epoch shows it is alive in a log as well:

    train: 120/3,000 steps (4%) · 2.1 steps/s · ETA 22m51s · epoch 1 ner=0.532 sentiment=0.210
    predict: 5,120/20,000 texts (26%) · 85.3 texts/s · ETA 2m54s

A command that ends within one interval prints nothing; one that printed a line prints its final
state on finish().
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

INTERVAL_ENV = "MTL_STUDIO_PROGRESS_INTERVAL"
DEFAULT_INTERVAL_S = 5.0
TERMINAL_REDRAW_S = 0.2  # in-place redraws on a terminal: often enough to look live, cheap enough


def interval_from_env(default: float = DEFAULT_INTERVAL_S) -> float:
    """Seconds between progress lines off a terminal, from MTL_STUDIO_PROGRESS_INTERVAL."""
    raw = os.environ.get(INTERVAL_ENV, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return max(0.0, value)


def format_duration(seconds: float) -> str:
    """75 -> '1m15s', 3725 -> '1h02m'."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class ProgressLine:
    """Counts done of total (total may be unknown) and prints `label: done/total unit · rate · ETA · extra`.

    `update()` is cheap to call often: it prints only when the interval has passed (or redraws in
    place on a terminal). `write()` prints a message (an epoch score) without breaking the line.
    """

    def __init__(self, label: str, total: int | None = None, unit: str = "items", *, stream: TextIO | None = None,
                 interval: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = _is_terminal(self.stream)
        self.interval = TERMINAL_REDRAW_S if self.terminal else (interval_from_env() if interval is None
                                                                  else max(0.0, interval))
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.extra = ""
        self.eta_seconds: float | None = None
        self._last_print: float | None = None
        self._printed_done: int | None = None
        self._drawn = False  # a terminal line is on screen without its newline
        # The rate counts from the first update: model loading before it is not work, and a resumed
        # run starts at a later step.
        self._first: tuple[float, int] | None = None

    def update(self, done: int, *, total: int | None = None, extra: str | None = None,
               eta_seconds: float | None = None) -> None:
        """Set the count (and optionally the total, the trailing text, an ETA the caller knows better)."""
        self.done = done
        if total is not None:
            self.total = total
        if extra is not None:
            self.extra = extra
        self.eta_seconds = eta_seconds
        now = self.clock()
        if self._first is None:
            self._first = (now, done)
        if now - (self.started if self._last_print is None else self._last_print) >= self.interval:
            self._print(now)

    def write(self, text: str) -> None:
        """A message line of its own (the progress line is redrawn after it on a terminal)."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self._drawn = False
        if self.terminal and self._last_print is not None:
            self._print(self.clock())
        self.stream.flush()

    def finish(self) -> None:
        """Print the final state (when a line was printed before and the count moved since); end the line."""
        if self._last_print is not None and self._printed_done != self.done:
            self._print(self.clock())
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
        self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """The text of the progress line at `now`."""
        now = self.clock() if now is None else now
        elapsed = max(now - self.started, 1e-9)
        since, base = self._first if self._first and now - self._first[0] > 0.5 else (self.started, 0)
        rate = (self.done - base) / max(now - since, 1e-9)
        if self.total:
            parts = [f"{self.label}: {self.done:,}/{self.total:,} {self.unit} ({100 * self.done / self.total:.0f}%)"]
        else:
            parts = [f"{self.label}: {self.done:,} {self.unit}"]
        parts.append(f"{rate:.1f} {self.unit}/s" if rate < 100 else f"{rate:,.0f} {self.unit}/s")
        eta = self.eta_seconds
        if eta is None and self.total and rate > 0:
            eta = (self.total - self.done) / rate
        if eta is not None and self.total and self.done < self.total:
            parts.append(f"ETA {format_duration(eta)}")
        elif self.total is None or self.done >= (self.total or 0):
            parts.append(f"{format_duration(elapsed)} elapsed")
        if self.extra:
            parts.append(self.extra)
        return " · ".join(parts)

    def _print(self, now: float) -> None:
        text = self.line(now)
        if self.terminal:
            self.stream.write("\r\x1b[K" + text)
            self._drawn = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self._last_print, self._printed_done = now, self.done


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: treat it as a log
        return False
