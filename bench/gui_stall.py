"""How long the GUI thread stalls while a training run goes on and a person keeps working.

    python bench/gui_stall.py                       # offline MiniLM, 1 epoch of 30 steps, CPU
    python bench/gui_stall.py --steps 60 --profile  # and say what ran during each long stall

The real MainWindow opens offscreen on the bundled demo project (a scratch user folder, so the user's
own settings and projects are untouched). A 10 ms QTimer probe records the gap between its ticks;
Train is pressed (the offline MiniLM encoder, the default) and, while the run goes on, a scripted user
switches tabs every 0.5 s and, on the Annotate tab, adds and removes a span in the editor. At the end
it prints the longest gap, the 99th percentile and every gap over the limit with the time it happened.

With --profile a sampling thread records, every 5 ms, the innermost frames of the GUI thread and of the
training thread; each long stall is printed with the frames seen most often during it (what the GUI
thread ran, or what the training thread held the interpreter with).
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

PROBE_MS = 10
STALL_LIMIT_MS = 50
TAB_SWITCH_MS = 500
WATCHED = ("MainThread", "mtl-training")  # the GUI thread and the training worker's QThread


@dataclass
class Probe:
    """Gaps between the ticks of a 10 ms timer: the time the event loop could not run it."""

    ticks: list[float] = field(default_factory=list)

    def tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def gaps(self) -> list[tuple[float, float]]:
        """(start time, gap in ms beyond the timer interval) per tick."""
        return [(a, (b - a) * 1000 - PROBE_MS) for a, b in zip(self.ticks, self.ticks[1:])]


class StackSampler(threading.Thread):
    """Every `interval` s, the innermost frames of the watched threads (only in --profile mode)."""

    def __init__(self, interval: float = 0.005) -> None:
        super().__init__(daemon=True, name="stall-sampler")
        self.interval = interval
        self.samples: list[tuple[float, str, str]] = []  # (time, thread name, frames)
        self._stop = threading.Event()

    def run(self) -> None:
        names = {}
        while not self._stop.is_set():
            now = time.perf_counter()
            for ident, frame in sys._current_frames().items():
                if ident == self.ident:
                    continue
                if ident not in names:
                    thread = next((t for t in threading.enumerate() if t.ident == ident), None)
                    # A QThread is not a Python thread: the only unnamed one running Python is the worker.
                    names[ident] = thread.name if thread else "mtl-training"
                frames = traceback.extract_stack(frame)[-4:]
                where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
                self.samples.append((now, names[ident], where))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()

    def during(self, start: float, end: float) -> list[tuple[str, str, int]]:
        """The most frequent frames in [start, end]. A C call that holds the interpreter lock stops this
        sampler too: then the frames just after the stall say which call it was."""
        inside = [(name, where) for t, name, where in self.samples if start <= t <= end and name in WATCHED]
        if not inside:
            after = [(t, name, where) for t, name, where in self.samples if t > end and name in WATCHED]
            first = {}
            for t, name, where in after[:10]:
                first.setdefault(name, f"(just after) {where}")
            return [(name, where, 0) for name, where in first.items()]
        counts = collections.Counter(inside)
        return [(name, where, n) for (name, where), n in counts.most_common(6)]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="optimizer steps of the one training epoch")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--profile", action="store_true", help="sample stacks to say where the stalls are")
    parser.add_argument("--interpreter-gc", action="store_true",
                        help="leave garbage collection to the interpreter (any thread), the baseline of the "
                             "studio's GUI-thread collector")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ["MTL_STUDIO_HOME"] = tempfile.mkdtemp(prefix="mtl-stall-")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from mtl_studio.core.config import TrainConfig
    from mtl_studio.gui.app import collect_garbage_on_the_gui_thread, create_app
    from mtl_studio.gui.main_window import MainWindow
    from mtl_studio.gui.preload import preload_training_modules

    app, settings = create_app([])
    preload = preload_training_modules()  # as mtl_studio.gui.app.main does
    if not args.interpreter_gc:
        collect_garbage_on_the_gui_thread(app)
    window = MainWindow(settings)
    window.resize(1366, 768)
    window.show()
    if not window.open_demo_project():
        raise SystemExit("the demo project could not be opened")
    waited = time.perf_counter()
    while preload.is_alive():  # a person reads the first document meanwhile; the run starts after
        app.processEvents()
        time.sleep(0.01)
    print(f"start-up preload of the training modules: {time.perf_counter() - waited:.1f} s after the window opened")

    probe = Probe()
    sampler = StackSampler() if args.profile else None
    probe_timer = QTimer()
    probe_timer.setInterval(PROBE_MS)
    probe_timer.timeout.connect(probe.tick)

    # The scripted user: a tab switch every 0.5 s; on Annotate, a span added or the last one removed.
    user_actions: list[tuple[float, str]] = []
    state = {"tab": 0, "added": False}

    def act() -> None:
        state["tab"] = (state["tab"] + 1) % window.tabs.count()
        window.tabs.setCurrentIndex(state["tab"])
        user_actions.append((time.perf_counter(), f"tab {state['tab']}"))
        if state["tab"] != 0 or window.editor.doc is None:
            return
        editor = window.editor
        if state["added"] and editor.doc.spans:
            editor.select_span(editor.doc.spans[-1])
            editor.remove_selected()
            user_actions.append((time.perf_counter(), "remove span"))
        else:
            text = editor.doc.text
            end = text.find(" ") if " " in text else min(len(text), 4)
            if editor.select_range(0, max(end, 1)):
                editor.assign_label(window.store.entity_type_names()[0])
                user_actions.append((time.perf_counter(), "add span"))
        state["added"] = not state["added"]

    user_timer = QTimer()
    user_timer.setInterval(TAB_SWITCH_MS)
    user_timer.timeout.connect(act)

    # An error dialog would run its own modal loop (and hold the measurement): print it instead.
    QMessageBox.critical = staticmethod(  # type: ignore[method-assign]
        lambda _parent, title, text, *_a, **_k: print(f"dialog: {title}: {text}", file=sys.stderr))

    panel = window.training_panel
    panel.set_config(TrainConfig(encoder="offline", epochs=1, batch_size=args.batch_size,
                                 max_steps_per_epoch=args.steps, device="cpu"))
    finished: list[str] = []
    panel.run_finished.connect(finished.append)

    window.tabs.setCurrentIndex(1)
    if sampler is not None:
        sampler.start()
    probe_timer.start()
    user_timer.start()
    started = time.perf_counter()
    if not panel.start_training():
        raise SystemExit("the run did not start")
    deadline = started + args.timeout
    while not finished and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    probe_timer.stop()
    user_timer.stop()
    if sampler is not None:
        sampler.stop()

    gaps = probe.gaps()
    values = [g for _, g in gaps]
    print(f"run {'finished' if finished else 'TIMED OUT'} in {elapsed:.1f} s; {len(probe.ticks)} probe ticks, "
          f"{len(user_actions)} user actions")
    print(f"longest stall {max(values, default=0):.1f} ms; 99th percentile {percentile(values, 99):.1f} ms; "
          f"median {percentile(values, 50):.1f} ms")
    long_ones = [(t, g) for t, g in gaps if g > STALL_LIMIT_MS]
    print(f"{len(long_ones)} stall(s) over {STALL_LIMIT_MS} ms")
    for t, g in long_ones:
        recent = [what for when, what in user_actions if t - 0.05 <= when <= t + g / 1000]
        print(f"  at {t - started:6.2f} s: {g:6.1f} ms" + (f"  (user: {', '.join(recent)})" if recent else ""))
        if sampler is not None:
            for name, where, n in sampler.during(t, t + (g + PROBE_MS) / 1000):
                print(f"      {n:3d}x {name}: {where}")
    window.shutdown()
    window.close()
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
