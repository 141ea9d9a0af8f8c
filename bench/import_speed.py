"""Import speed and peak memory of `mtl-studio import` on a CoNLL file (default: CoNLL-2003 train).

    python bench/import_speed.py [FILE] [--repeat N]

Runs the real command in a fresh process per repeat under /usr/bin/time -v (peak resident memory),
into a new project each time, and prints sentences/s. Needs ../shared/data for the default file.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "conll2003" / "train.txt"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    timer = shutil.which("time") or "/usr/bin/time"
    cli = [sys.executable, "-m", "mtl_studio"]
    results = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "bench.mtl"
            subprocess.run(cli + ["new", str(project)], check=True, capture_output=True)
            t0 = time.perf_counter()
            r = subprocess.run([timer, "-v", *cli, "import", str(project), args.file, "--json", "-q"],
                               capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if r.returncode != 0:
                print(r.stderr, file=sys.stderr)
                return 1
            docs = json.loads(r.stdout)["documents"]
            peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
            size_mb = project.stat().st_size / 2**20
            results.append((wall, docs, peak_kb, size_mb))
            print(f"run {i + 1}: {docs} sentences in {wall:.2f} s = {docs / wall:,.0f} sentences/s, "
                  f"peak RSS {peak_kb / 1024:.0f} MiB, project {size_mb:.1f} MiB")
    best = min(results)
    print(f"best: {best[1] / best[0]:,.0f} sentences/s (process start included), peak RSS "
          f"{max(r[2] for r in results) / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
