"""How long a single annotation edit waits while a big import runs on the same project.

    python bench/concurrent_edit.py [--lines 1000000] [--before 73e2b37]

Writes a plain-text file of LINES documents, then for each code tree (this checkout, and with --before
the tree of that git revision, extracted with `git archive`) imports it with `python -m mtl_studio
import` in a child process while this process makes one small edit every 50 ms on the same project.
Each edit is a raw SQLite write transaction (BEGIN IMMEDIATE, one UPDATE, COMMIT) with a 10-minute busy
timeout, so its wait is the time the import held the project's write lock, whatever the code tree's own
retry policy. Prints per tree: the import's wall time, its longest transaction on the project (for
the staged import: the merge), and the edits' longest and median wait.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Run in the child: the import command, with every outermost transaction on the project timed (the
# same wrapper fits the old flow, one transaction for the whole import, and the staged one).
CHILD = r"""
import contextlib, sys, time
from mtl_studio.core.store import ProjectStore
project, longest = sys.argv[1], [0.0]
plain_bulk = ProjectStore.bulk

@contextlib.contextmanager
def timed_bulk(self):
    outer = not getattr(self._local, "depth", 0) and str(self.path) == project
    t0 = time.perf_counter()
    with plain_bulk(self):
        yield
    if outer:
        longest[0] = max(longest[0], time.perf_counter() - t0)

ProjectStore.bulk = timed_bulk
from mtl_studio.cli import main
rc = main(["import", project, sys.argv[2], "-q"])
print(f"LONGEST_TRANSACTION {longest[0]:.3f}", file=sys.stderr)
sys.exit(rc)
"""


def write_lines(path: Path, n: int) -> None:
    words = "the company said quarterly sales in the region rose faster than expected".split()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"document {i}: {' '.join(words[(i + k) % len(words)] for k in range(9))}\n")


def edit_once(project: Path, doc_id: int, value: int) -> float:
    """One small committed edit; returns the seconds it took (mostly waiting for the write lock)."""
    t0 = time.perf_counter()
    conn = sqlite3.connect(project, timeout=600, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE documents SET ner_labelled = ? WHERE id = ?", (value % 2, doc_id))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return time.perf_counter() - t0


def measure(code_tree: Path, source: Path, label: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-concurrent-") as tmp:
        project = Path(tmp) / "p.mtl"
        env = {**os.environ, "PYTHONPATH": str(code_tree)}
        # cwd: the temporary folder, so that `python -c` / `-m` import mtl_studio from code_tree only
        subprocess.run([sys.executable, "-m", "mtl_studio", "new", str(project)], check=True, env=env,
                       capture_output=True, cwd=tmp)
        seed = sqlite3.connect(project, isolation_level=None)
        seed.execute("INSERT INTO documents (text, tokens, split, created_at) VALUES ('seed', '[]', 'train', '')")
        seed.close()
        waits: list[float] = []
        done = threading.Event()

        def editor() -> None:
            k = 0
            while not done.is_set():
                waits.append(edit_once(project, 1, k))
                k += 1
                time.sleep(0.05)

        thread = threading.Thread(target=editor, daemon=True)
        t0 = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(project), str(source)], env=env, cwd=tmp,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        thread.start()
        _, err = child.communicate()
        import_s = time.perf_counter() - t0
        done.set()
        thread.join()
        if child.returncode != 0:
            raise SystemExit(f"{label}: import failed:\n{err}")
        longest = float(next(line.split()[1] for line in err.splitlines() if line.startswith("LONGEST_TRANSACTION")))
    result = {"import_s": import_s, "longest_transaction_s": longest, "edits": len(waits),
              "max_wait_s": max(waits), "median_wait_s": statistics.median(waits)}
    print(f"{label}: import {import_s:.1f} s, longest project transaction {longest:.2f} s; "
          f"{len(waits)} edits, max wait {result['max_wait_s']:.2f} s, median {result['median_wait_s'] * 1000:.0f} ms",
          flush=True)
    return result


@contextlib.contextmanager
def revision_tree(rev: str):
    with tempfile.TemporaryDirectory(prefix="bench-rev-") as tmp:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "mtl_studio", "resources"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield Path(tmp)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--before", metavar="REV", help="also measure the code of this git revision (e.g. 73e2b37)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-source-") as tmp:
        source = Path(tmp) / "lines.txt"
        write_lines(source, args.lines)
        print(f"{args.lines:,} lines, {source.stat().st_size / 2**20:.0f} MiB", flush=True)
        if args.before:
            with revision_tree(args.before) as old:
                measure(old, source, f"before ({args.before})")
        measure(REPO, source, "after (this checkout)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
