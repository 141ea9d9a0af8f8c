"""The bundled demo project: built once from resources/demo_project.jsonl into the user's projects folder."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from .paths import projects_dir, resources_dir

DEMO_NAME = "demo.mtl"
DEMO_SOURCE = "demo_project.jsonl"


def demo_source() -> Path:
    return resources_dir() / DEMO_SOURCE


def ensure_demo_project(dest_dir: str | os.PathLike[str] | None = None) -> Path:
    """Path of the demo project, building it from the bundled JSONL the first time.

    Idempotent: an existing demo project is returned as it is (the user's edits stay). The project
    is built under a temporary name and renamed into place, so an interrupted build or two
    processes building at once never leave a half-built demo.mtl behind.
    """
    from .formats import ImportOptions, import_file
    from .store import ProjectStore

    folder = Path(dest_dir) if dest_dir is not None else projects_dir()
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / DEMO_NAME
    if dest.exists():
        return dest
    tmp = folder / f".{DEMO_NAME}.{uuid.uuid4().hex[:8]}.building"
    try:
        store = ProjectStore.create(tmp)
        try:
            with store.bulk():
                for name in ("ORG", "PER", "LOC", "PRODUCT", "MONEY"):
                    store.add_entity_type(name)
                for name in ("negative", "neutral", "positive"):
                    store.add_sentiment_class(name)
                store.set_meta("name", "Demo: financial news and customer messages")
            import_file(store, demo_source(), ImportOptions(format="jsonl", split_from_name=False))
        finally:
            store.close()  # the last connection checkpoints the WAL into the file
        if not dest.exists():
            os.replace(tmp, dest)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if leftover.exists():
                leftover.unlink()
    return dest
