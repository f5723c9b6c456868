"""Files that are never half-written, and outputs that only one process writes.

- :func:`atomic_write`: write to a temporary file in the destination's folder, flush, fsync,
  then one ``os.replace``: a reader (or a later run) sees the old file or the new one, never
  a mixture, whatever kills the writer. Temporary files a killed writer left behind are
  removed by the next write to the same destination.
- :func:`output_lock`: an exclusive lock on an output (a checkpoint, a study's result), so a
  second process writing the same output is refused with a clear message instead of
  silently overwriting the first one's work. The lock (``flock`` on a hidden ``.NAME.lock``
  beside the output, removed on release) is released when the process exits, however it
  exits; a file left by a killed holder is simply locked again by the next writer.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import VAETutorialError


class OutputLockedError(VAETutorialError, OSError):
    """Another process holds the lock on an output."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temporaries(path: Path) -> int:
    """Delete temporary files that writers of ``path`` left behind; returns how many."""
    n = 0
    for tmp in path.parent.glob(f"{_temp_prefix(path)}*.tmp"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Create or replace ``path`` atomically with what ``write(file)`` writes."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; use the usual mode
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Create or replace ``path`` atomically with ``data``."""
    return atomic_write(path, lambda f: f.write(data))


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def lock_path(path: str | Path) -> Path:
    """The lock file that guards output ``path``: ``.NAME.lock`` beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


@contextmanager
def output_lock(path: str | Path, what: str = "output") -> Iterator[None]:
    """Hold an exclusive lock on output ``path`` inside the block, or raise
    :class:`OutputLockedError` at once if another process holds it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; writes stay atomic
        yield
        return
    lock = lock_path(path)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            raise OutputLockedError(
                f"another process is already writing the {what} {path}; wait for it to finish "
                "or write somewhere else (a different --out or config name)"
            ) from None
        try:  # the holder before us may have removed the file: lock the one on disk
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)  # tidy: no lock files left beside the outputs
        os.close(fd)  # closing releases the lock
