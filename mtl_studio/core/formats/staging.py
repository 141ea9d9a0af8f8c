"""A throwaway project beside the target that an import is parsed into.

Reading and checking a big file takes long (a million lines: tens of seconds). Done inside the project's
own write transaction, that would lock every other writer out the whole time: an annotator's edit in the
studio would wait and then fail. So the importer writes into a staging project (a temporary SQLite file
in the target's folder, with the target's label schema and split seed) and merges it into the target in
one short transaction (ProjectStore.merge_staged). All or nothing still holds: the staging file is
deleted whatever happens, and until the merge commits the target has not changed.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from types import TracebackType

from ..store import ProjectStore
from ..store_files import remove_project_files

STAGING_PREFIX = ".mtl-import-"


class StagingProject:
    """`with StagingProject(target) as staging:` write into staging.store, then staging.merge()."""

    def __init__(self, target: ProjectStore) -> None:
        self.target = target
        # Beside the target: the same file system, so a full disk shows while parsing, not at the merge;
        # a short name of its own, so a long project name cannot make it too long.
        self.path = target.path.absolute().with_name(f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}.tmp")
        self.store = ProjectStore.create(self.path)
        try:
            # Throwaway content: a crash loses nothing of the project, so no fsync per commit.
            self.store.conn.execute("PRAGMA synchronous=OFF")
            self.store.copy_label_schema(target)
        except BaseException:
            self.discard()
            raise

    def merge(self) -> None:
        """Everything staged into the target, in one transaction (the only write to the target)."""
        self.store.close()  # committed; the target's connection reads the file through ATTACH
        self.target.merge_staged(self.path)

    def discard(self) -> None:
        self.store.close()
        remove_project_files(self.path)

    def __enter__(self) -> "StagingProject":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.discard()


def staging_files(folder: Path) -> list[Path]:
    """Staging files left in a folder (by a killed import); for tests and clean-up."""
    return sorted(folder.glob(f"{STAGING_PREFIX}*"))
