"""A writer process for the durability test: one committed edit at a time, each reported on stdout.

    python store_writer.py PROJECT ROUND

Edit j of round r is deterministic (see `edit`), so the test can tell which edit was pending when
it killed this process. A line is printed only after the store call returned, i.e. after COMMIT.
"""
from __future__ import annotations

import sys

from mtl_studio.core.schema import Span
from mtl_studio.core.store import ProjectStore

N_DOCS = 50
TOKENS_PER_ROUND = 40
LABELS = ("negative", "neutral", "positive")


def edit(r: int, j: int, doc_ids: list[int]) -> tuple[str, int, object]:
    """('span', doc_id, (start, end)) or ('sentiment', doc_id, label): edit j of round r."""
    doc_id = doc_ids[j % N_DOCS]
    if j % 5 == 4:
        return "sentiment", doc_id, LABELS[(r + j) % 3]
    token = r * TOKENS_PER_ROUND + j // N_DOCS
    start = token * 5  # texts are "w000 w001 ...": token k spans [5k, 5k + 4)
    return "span", doc_id, (start, start + 4)


def main(path: str, r: int) -> None:
    store = ProjectStore.open(path)
    doc_ids = store.document_ids()
    for j in range(N_DOCS * TOKENS_PER_ROUND):
        kind, doc_id, what = edit(r, j, doc_ids)
        if kind == "span":
            start, end = what  # type: ignore[misc]
            store.add_span(doc_id, Span(start, end, "ORG"))
        else:
            store.set_sentiment(doc_id, what)  # type: ignore[arg-type]
        print(j, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
