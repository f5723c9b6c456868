"""The registry of data files: every shipped file with its size and sha256, checked before
use, and optional downloads fetched and checked by pooch through the same path.

Shipped files live in the folder :func:`vae_tutorial.settings.data_dir` names (the
checkout's ``data/``, or ``$VAE_TUTORIAL_DATA``); each is hashed once per process. Downloads
(:class:`Remote`) go to a cache folder (``$VAE_TUTORIAL_CACHE``, else
``~/.cache/vae_tutorial``), written by pooch to a temporary file, checked against their
published hash, then renamed; nothing is ever downloaded by the tests or by loading a
shipped dataset.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..settings import DATA_VAR, data_dir

CACHE_VAR = "VAE_TUTORIAL_CACHE"


@dataclass(frozen=True)
class DataFile:
    """One shipped file: its path relative to the data directory, size and sha256."""

    path: str
    size: int
    sha256: str


#: the manifest of shipped files, in this package: every file under data/ (datasets, models,
#: logs) with its size and sha256. ``python -m vae_tutorial manifest`` rewrites it after a
#: shipped file is regenerated on purpose.
MANIFEST = Path(__file__).with_name("shipped.json")


def _load_manifest() -> dict[str, DataFile]:
    entries = json.loads(MANIFEST.read_text())["files"]
    return {rel: DataFile(rel, e["bytes"], e["sha256"]) for rel, e in entries.items()}


#: every shipped file by its path relative to the data folder
FILES: dict[str, DataFile] = _load_manifest()


def _shipped(path: Path, root: Path) -> bool:
    """Not a hidden file or folder (a study's ``.partial/`` training states), a note or a
    temporary."""
    hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
    return not (hidden or path.suffix in (".md", ".tmp", ".lock"))


def write_manifest(root: Path | None = None) -> dict[str, int]:
    """Record every file under ``root`` (default the data folder) with its size and sha256 in
    the manifest; returns {"files": n, "bytes": total}."""
    from ..atomic import atomic_write_bytes

    root = root or data_dir()
    files = {
        p.relative_to(root).as_posix(): {"bytes": p.stat().st_size, "sha256": file_digest(p)}
        for p in sorted(root.rglob("*"))
        if p.is_file() and _shipped(p, root)
    }
    body = {"format": 1, "files": files}
    atomic_write_bytes(MANIFEST, (json.dumps(body, indent=1) + "\n").encode())
    FILES.clear()
    FILES.update(_load_manifest())
    return {"files": len(files), "bytes": sum(e["bytes"] for e in files.values())}


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest (``hashlib`` algorithm name) of a file, read in 1 MiB blocks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def restore_hint(rel: str) -> str:
    """How to get a verified copy of shipped file ``rel`` back (one sentence or two)."""
    where = ""
    if os.environ.get(DATA_VAR):
        where = f" ({DATA_VAR} is set: files are read from {os.environ[DATA_VAR]})"
    return (
        f"Restore it from the repository (`git checkout -- data/{rel}` in your vae-tutorial "
        f"clone), or set {DATA_VAR} to a folder holding a verified copy{where}. "
        f"data/README.md lists where every file comes from."
    )


_verified: set[tuple[str, int, int]] = set()


def verified_path(rel: str, expected: DataFile | None = None) -> Path:
    """Return the absolute path of shipped file ``rel`` after checking its size and sha256
    against the manifest.

    The check runs once per file per process (keyed on path, size and mtime).
    Raises :class:`DataError` naming the file, what was expected, and how to restore it.
    """
    if expected is None and rel not in FILES:
        raise DataError(f"{rel} is not a shipped file (not in {MANIFEST.name})")
    expected = expected or FILES[rel]
    path = data_dir() / rel
    if path.is_dir():
        raise DataError(
            f"{path} is a directory where the data file {rel} should be. {restore_hint(rel)}"
        )
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(
            f"data file {path} is missing (expected {expected.size} bytes, "
            f"sha256 {expected.sha256}). {restore_hint(rel)}"
        ) from None
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _verified:
        return path
    if st.st_size != expected.size:
        raise DataError(
            f"data file {path} has {st.st_size} bytes, expected {expected.size}: it is "
            f"truncated or corrupted. {restore_hint(rel)}"
        )
    digest = file_digest(path)
    if digest != expected.sha256:
        raise DataError(
            f"data file {path} failed its checksum: sha256 {digest}, expected "
            f"{expected.sha256}. The file is corrupted or is not the shipped version. "
            f"{restore_hint(rel)}"
        )
    _verified.add(key)
    return path


def verify_all() -> dict[str, str]:
    """Check every shipped file (data, models, logs) against the manifest; return
    {relative path: sha256}. Raises DataError naming the first bad file."""
    return {rel: (verified_path(rel), f.sha256)[1] for rel, f in FILES.items()}


@dataclass(frozen=True)
class Remote:
    """A file that is not shipped: its name in the cache, URL, published hash
    (``"md5:..."`` or ``"sha256:..."``, as pooch writes it) and size in bytes."""

    name: str
    url: str
    known_hash: str
    size: int


def cache_dir(sub: str = "") -> Path:
    """``$VAE_TUTORIAL_CACHE`` if set, else ``~/.cache/vae_tutorial``, plus ``sub``."""
    env = os.environ.get(CACHE_VAR)
    root = Path(env).expanduser() if env else Path.home() / ".cache" / "vae_tutorial"
    return root / sub if sub else root


def is_cached(remote: Remote, folder: Path) -> bool:
    """True if ``remote`` is in ``folder`` with its size and hash (hashed once per process)."""
    path = folder / remote.name
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if st.st_size != remote.size:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _verified:
        return True
    algorithm, _, digest = remote.known_hash.partition(":")
    if file_digest(path, algorithm) != digest:
        return False
    _verified.add(key)
    return True


def fetch(remote: Remote, folder: Path, progress: bool = True) -> Path:
    """``folder / remote.name``, downloaded first by pooch if it is absent or fails its hash
    (pooch streams to a temporary file, checks the hash, then renames). Without a network,
    raises DataError saying where to put the file by hand."""
    import pooch

    if is_cached(remote, folder):
        return folder / remote.name
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = pooch.retrieve(
            remote.url,
            known_hash=remote.known_hash,
            fname=remote.name,
            path=folder,
            progressbar=progress,
        )
    except ValueError as e:  # pooch: the hash did not match
        raise DataError(f"{remote.name} from {remote.url} failed its checksum: {e}") from e
    except Exception as e:  # requests' connection errors, HTTP errors, timeouts
        raise DataError(
            f"cannot download {remote.url} ({type(e).__name__}); without internet, download it "
            f"by hand and put it in {folder}"
        ) from e
    return Path(path)
