"""Where an export may write: never through a symlink or onto a FIFO, device, socket or folder, never
over an existing file unless asked, and always atomically (a temporary file renamed into place).

    with atomic_output("out.csv", force=args.force) as f:
        f.write(...)

As root, writing an export to /dev/full replaced the device node with a regular file; a symlink
named as the output would have been written through to wherever it points. Both are refused with a
message before anything is written, and checked again just before the rename.

An existing file is overwritten only with `force`, with one exception: a file that an export of this
studio wrote and that nobody has changed since (same size and modification time as recorded in the
user folder's `written_outputs.json`) is our own output, and writing it again (re-exporting after
more labelling) needs no flag. A file the user made, edited or that another program wrote is never
replaced without `force`.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .paths import user_data_dir
from .schema import ValidationError

# The process umask, read once (reading it means setting it): temporary files are created 0600, and
# the finished export gets the permissions a plain open() would have given it.
_UMASK = os.umask(0o022)
os.umask(_UMASK)

_SPECIAL_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def check_output_path(path: str | os.PathLike[str], *, force: bool, folder: bool = False) -> Path:
    """`path` as a Path when an export may be written there; ValidationError saying why not.

    folder=False: the target must be absent, or a regular file and `force` given. folder=True (a
    model export): the target must be absent or a real folder (what may be replaced is the caller's
    rule). Symlinks and special files are refused either way.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    if stat.S_ISLNK(st.st_mode):
        raise ValidationError(f"{path} is a symbolic link (to {os.readlink(path)}); an export does not write "
                              f"through links: name the real file or a new one")
    for is_kind, kind in _SPECIAL_KINDS:
        if is_kind(st.st_mode):
            raise ValidationError(f"{path} is {kind}, not a file: choose a file name to export to")
    if folder:
        if not stat.S_ISDIR(st.st_mode):
            raise ValidationError(f"{path} exists and is not a folder: choose a folder to export the model to")
        return path
    if stat.S_ISDIR(st.st_mode):
        raise ValidationError(f"{path} is a folder: choose a file name to export to")
    if not force and not is_unchanged_own_output(path, st):
        raise ValidationError(f"{path} exists: pass --force to overwrite it, or choose another name")
    return path


# ---- the outputs this studio wrote (so re-exporting to the same file needs no --force) --------------

WRITTEN_OUTPUTS_FILE = "written_outputs.json"
MAX_REMEMBERED_OUTPUTS = 500  # the newest ones; an older export just needs --force again


def _written_outputs_path() -> Path:
    return user_data_dir() / WRITTEN_OUTPUTS_FILE


def _read_written_outputs() -> dict[str, list[int]]:
    try:
        data = json.loads(_written_outputs_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: forget them (the cost is one --force)
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items()
            if isinstance(v, list) and len(v) == 2 and all(type(x) is int for x in v)}


def is_unchanged_own_output(path: Path, st: os.stat_result | None = None) -> bool:
    """True when an export of this studio wrote `path` and its size and mtime are still what it left."""
    st = st if st is not None else os.stat(path)
    return _read_written_outputs().get(str(path.resolve())) == [st.st_size, st.st_mtime_ns]


def remember_written_output(path: Path) -> None:
    """Record `path` (just written by an export) as our own output; failures only cost a later --force."""
    try:
        st = os.stat(path)
        outputs = _read_written_outputs()
        outputs.pop(str(path.resolve()), None)
        outputs[str(path.resolve())] = [st.st_size, st.st_mtime_ns]
        keep = dict(list(outputs.items())[-MAX_REMEMBERED_OUTPUTS:])
        target = _written_outputs_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(keep), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass


@contextmanager
def atomic_output(path: str | os.PathLike[str], *, force: bool, encoding: str = "utf-8",
                  newline: str | None = "") -> Iterator[IO[str]]:
    """A text file that becomes `path` only when the block finishes without an error."""
    path = check_output_path(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        check_output_path(path, force=force)  # a link or FIFO may have appeared while writing
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    remember_written_output(path)
