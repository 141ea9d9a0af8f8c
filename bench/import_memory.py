"""Peak memory of `mtl-studio import` on single-line files: one huge JSONL record, text line, CSV cell.

    python bench/import_memory.py            # 50 MB files
    python bench/import_memory.py --mb 10    # smaller, quicker

Each import runs in its own process (`python -m mtl_studio import`), measured by a wrapper process
with getrusage(RUSAGE_CHILDREN).ru_maxrss, so the figure is the importer's peak resident set (the
interpreter and its imports included). Prints a table: file kind, file MB, peak RSS MB, ratio.

Measured on 50 MB files (issue 11): before, every kind peaked at about 2.75 GB (55x: the document's
tokens as Python tuples, their JSON, the normalised copy for duplicate detection); after, 167 / 167 /
214 MB (3.3x, 3.3x, 4.3x), because a document over schema.MAX_DOCUMENT_CHARS is refused before it is
tokenized (and CSV lines that long before the csv module or pandas buffer them).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

# Words of a realistic sentence, so the tokenizer sees ordinary text (about 5 characters per token).
SENTENCE = "Apple shares rose 5% after strong results in Berlin, analysts said on Monday. "

MEASURE = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"  # KiB on Linux
)


def huge_text(megabytes: float) -> str:
    n = int(megabytes * 1_000_000) // len(SENTENCE)
    return SENTENCE * n


def write_files(folder: Path, megabytes: float) -> dict[str, Path]:
    text = huge_text(megabytes)
    files = {
        "jsonl (one record)": folder / "one.jsonl",
        "text (one line)": folder / "one.txt",
        "csv (one cell)": folder / "one.csv",
    }
    files["jsonl (one record)"].write_text(json.dumps({"text": text, "sentiment": "positive"}) + "\n",
                                           encoding="utf-8")
    files["text (one line)"].write_text(text + "\n", encoding="utf-8")
    files["csv (one cell)"].write_text("text,sentiment\n" + f'"{text}",positive\n', encoding="utf-8")
    return files


def peak_rss_mb(project: Path, path: Path) -> tuple[int, float]:
    new = [sys.executable, "-m", "mtl_studio", "new", str(project)]
    subprocess.run(new, check=True, stdout=subprocess.DEVNULL)
    cmd = [sys.executable, "-m", "mtl_studio", "import", str(project), str(path), "--split", "train"]
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], check=True, capture_output=True, text=True)
    rc, kib = out.stdout.split()
    return int(rc), int(kib) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=50.0, help="size of each file in MB (default 50)")
    args = parser.parse_args()
    print(f"{'file kind':<20} {'file MB':>8} {'peak RSS MB':>12} {'ratio':>6}  import")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, (kind, path) in enumerate(write_files(folder, args.mb).items()):
            size = path.stat().st_size / 1_000_000
            rc, peak = peak_rss_mb(folder / f"p{i}.mtl", path)
            print(f"{kind:<20} {size:>8.1f} {peak:>12.0f} {peak / size:>6.1f}  {'ok' if rc == 0 else 'refused'}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
