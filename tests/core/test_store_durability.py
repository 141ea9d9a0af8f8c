"""Kill a writer with SIGKILL at random moments, many times: every edit it reported saved is in the
project, nothing else is, and SQLite's integrity check passes."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from store_writer import N_DOCS, TOKENS_PER_ROUND, edit

from mtl_studio.core.schema import Document
from mtl_studio.core.store import ProjectStore

HERE = Path(__file__).resolve().parent
ROUNDS = 20


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "kill.mtl"
    store = ProjectStore.create(path)
    store.add_entity_type("ORG")
    for label in ("negative", "neutral", "positive"):
        store.add_sentiment_class(label)
    n_tokens = ROUNDS * TOKENS_PER_ROUND
    text = " ".join(f"w{k:03d}" for k in range(n_tokens))
    with store.bulk():
        for _ in range(N_DOCS):
            store.add_document(Document(text=text, tokens=[(5 * k, 5 * k + 4) for k in range(n_tokens)],
                                        split="train"))
    store.close()
    return path


def _run_and_kill(path: Path, r: int, rng: random.Random) -> list[int]:
    """Start the writer for round r, SIGKILL it at a random moment, return the edits it reported."""
    proc = subprocess.Popen([sys.executable, str(HERE / "store_writer.py"), str(path), str(r)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE,
                            env={**os.environ, "PYTHONPATH": str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    reported: list[int] = []
    first = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            reported.append(int(line))
            first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if r % 7 == 3:
        time.sleep(rng.uniform(0.0, 0.3))  # now and then while it starts and opens the project
    else:
        first.wait(timeout=10)
        time.sleep(rng.uniform(0.0, 0.25))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    reader.join(timeout=10)
    err = proc.stderr.read()  # type: ignore[union-attr]
    assert "Traceback" not in err, err
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, err)
    return reported


def test_sigkill_loses_nothing_reported_saved(tmp_path):
    path = _project(tmp_path)
    rng = random.Random(1234)
    doc_ids = ProjectStore.open(path).document_ids()
    expected_spans: set[tuple[int, int, int]] = set()
    expected_sentiment: dict[int, str] = {}
    total = 0
    for r in range(ROUNDS):
        reported = _run_and_kill(path, r, rng)
        assert reported == list(range(len(reported)))  # in order, one by one
        total += len(reported)
        for j in reported:
            kind, doc_id, what = edit(r, j, doc_ids)
            if kind == "span":
                expected_spans.add((doc_id, *what))  # type: ignore[misc]
            else:
                expected_sentiment[doc_id] = what  # type: ignore[assignment]
        # At most one edit can be committed but not yet reported: the next one.
        pending = edit(r, len(reported), doc_ids)

        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        spans = set(conn.execute('SELECT document_id, start, "end" FROM spans WHERE source = \'gold\''))
        sentiments = dict(conn.execute("SELECT document_id, label FROM sentiments WHERE source = 'gold'"))
        conn.close()
        missing = expected_spans - spans
        assert not missing, f"round {r}: reported-saved spans lost: {sorted(missing)[:5]}"
        extra = spans - expected_spans
        if extra:
            assert pending[0] == "span" and extra == {(pending[1], *pending[2])}, extra  # type: ignore[misc]
            expected_spans |= extra
        for doc_id, label in expected_sentiment.items():
            if sentiments.get(doc_id) != label:
                assert pending == ("sentiment", doc_id, sentiments.get(doc_id)), (r, doc_id, label, pending)
                expected_sentiment[doc_id] = sentiments[doc_id]
        if pending[0] == "sentiment" and pending[1] not in expected_sentiment and pending[1] in sentiments:
            expected_sentiment[pending[1]] = sentiments[pending[1]]
        assert set(sentiments) == set(expected_sentiment)
    print(f"{total} edits reported over {ROUNDS} kills")
    assert total > 20 * ROUNDS // 2, "the writer hardly wrote anything; the test proves little"
    store = ProjectStore.open(path)  # the project still opens and reads after all the kills
    assert store.count_documents() == N_DOCS
