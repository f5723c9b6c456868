"""SVHN (Street View House Numbers, cropped digits) for readers with internet.

SVHN is not shipped: it is fetched once from the official site into a cache folder,
``$VAE_TUTORIAL_CACHE`` if that variable is set, else ``~/.cache/vae_tutorial/svhn``.

>>> download("train")                         # doctest: +SKIP  (182 MB, md5 checked)
>>> ds = load_svhn(train_limit=10000)         # doctest: +SKIP
>>> ds.train.shape, ds.image_shape            # (10000, 3072), (3, 32, 32), RGB / 255 in [0, 1]

Without internet, copy ``train_32x32.mat`` and ``test_32x32.mat`` into the cache folder by
hand, or use the shipped CIFAR-10 subset: ``data.load("cifar10-subset")``. Files are written
atomically (temporary file, md5 check, rename) and a present file is hashed once per process.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import IncompleteRead
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from .errors import ConfigError, DataError

if TYPE_CHECKING:
    from .data import Dataset

CACHE_ENV = "VAE_TUTORIAL_CACHE"
BASE_URL = "http://ufldl.stanford.edu/housenumbers/"
TIMEOUT = 30.0  # seconds without a byte before a download counts as offline


@dataclass(frozen=True)
class SvhnFile:
    """One official SVHN file: name in the cache, URL, md5, size in bytes, image count."""

    name: str
    url: str
    md5: str
    size: int
    n: int


FILES: dict[str, SvhnFile] = {
    "train": SvhnFile(
        "train_32x32.mat", BASE_URL + "train_32x32.mat",
        "e26dedcc434d2e4c54c9b2d4a06d8373", 182040794, 73257,
    ),
    "test": SvhnFile(
        "test_32x32.mat", BASE_URL + "test_32x32.mat",
        "eb5a983be6a315427106f1b164d9cef3", 64275384, 26032,
    ),
}  # fmt: skip

_verified: set[tuple[str, int, int, str]] = set()  # (path, size, mtime_ns, md5) hashed OK


def cache_dir() -> Path:
    """``$VAE_TUTORIAL_CACHE`` if set, else ``~/.cache/vae_tutorial/svhn`` (may not exist)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "vae_tutorial" / "svhn"


def md5_of(path: Path) -> str:
    """Hex md5 of a file (the checksum SVHN publishes)."""
    from .data import file_digest  # data imports torch; keep this module's import light

    return file_digest(path, "md5")


def _is_verified(path: Path, md5: str, size: int | None) -> bool:
    """True if ``path`` exists and matches ``md5`` (and ``size``); hashes once per process."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if size is not None and st.st_size != size:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns, md5)
    if key not in _verified and md5_of(path) == md5:
        _verified.add(key)
    return key in _verified


def _offline_hint(name: str, url: str, cache: Path) -> str:
    return (
        f"download {name} from {url} by hand and put it in {cache}, or use the shipped "
        f"CIFAR-10 subset (data.load('cifar10-subset'))"
    )


def _urlopen(url: str, timeout: float) -> IO[bytes]:
    """Open ``url`` for reading (a seam the tests replace to simulate being offline)."""
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (http/file URLs only)


def _fetch(url: str, tmp: IO[bytes], label: str, progress: bool) -> str:
    """Stream ``url`` into ``tmp`` with a tqdm bar; return the md5 of the bytes written."""
    from tqdm.auto import tqdm

    h = hashlib.md5()
    with _urlopen(url, TIMEOUT) as r:
        total = int(r.headers.get("Content-Length") or 0) or None
        bar = tqdm(total=total, unit="B", unit_scale=True, desc=label, disable=not progress)
        with bar:
            for block in iter(lambda: r.read(1 << 20), b""):
                tmp.write(block)
                h.update(block)
                bar.update(len(block))
    return h.hexdigest()


def download(
    split: str,
    *,
    url: str | None = None,
    md5: str | None = None,
    cache: Path | str | None = None,
    progress: bool = True,
) -> Path:
    """Fetch one SVHN split (``"train"`` or ``"test"``) into the cache; return its path.

    A present file whose md5 matches is used as is (hashed once per process). Otherwise the
    file is streamed to a temporary file next to it, its md5 checked, then renamed into place.
    ``url``/``md5`` override the official values. Raises :class:`DataError` when offline or
    when the downloaded bytes fail the checksum (the partial file is deleted).
    """
    if split not in FILES:
        raise ConfigError(f"SVHN split must be one of {sorted(FILES)}, got {split!r}")
    spec = FILES[split]
    url, size = url or spec.url, (spec.size if md5 is None else None)
    md5 = (md5 or spec.md5).lower()
    folder = Path(cache).expanduser() if cache is not None else cache_dir()
    target = folder / spec.name
    if _is_verified(target, md5, size):
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(
            f"cannot create the SVHN cache folder {folder}: {e}. Set {CACHE_ENV} to a "
            f"writable folder."
        ) from e
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{spec.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            got = _fetch(url, f, spec.name, progress)
            f.flush()
            os.fsync(f.fileno())
        if got != md5:
            raise DataError(
                f"{spec.name} downloaded from {url} failed its checksum: md5 {got}, expected "
                f"{md5} (a broken transfer or a changed file). Nothing was kept; retry with "
                f"`python -m vae_tutorial download svhn --split {split}`, or "
                f"{_offline_hint(spec.name, url, folder)}."
            )
        os.replace(tmp, target)
    except urllib.error.HTTPError as e:
        raise DataError(
            f"the server answered HTTP {e.code} ({e.reason}) for {url}; "
            f"{_offline_hint(spec.name, url, folder)}."
        ) from e
    except (TimeoutError, urllib.error.URLError, ConnectionError, IncompleteRead) as e:
        reason = getattr(e, "reason", None) or e
        raise DataError(f"no internet ({reason}): {_offline_hint(spec.name, url, folder)}.") from e
    finally:
        tmp.unlink(missing_ok=True)
    st = target.stat()
    _verified.add((str(target), st.st_size, st.st_mtime_ns, md5))
    return target


def _read(path: Path, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Parse an SVHN .mat file, keeping the first ``limit`` images (all if None)."""
    import scipy.io

    if not path.is_file():
        raise DataError(f"SVHN file {path} is missing (see svhn.download)")
    try:
        mat = scipy.io.loadmat(path, variable_names=["X", "y"])
    except Exception as e:  # truncated, not a .mat, MATLAB v7.3 (HDF5), ...
        raise DataError(
            f"cannot read {path} as a MATLAB v5 .mat file ({type(e).__name__}: {e}); it is "
            f"truncated, corrupted or not an SVHN file. Delete it and download it again."
        ) from e
    if "X" not in mat or "y" not in mat:
        raise DataError(f"{path} has no 'X' and 'y' arrays, so it is not an SVHN file")
    x, y, wrong = mat["X"], mat["y"], ""
    if x.ndim != 4 or x.shape[:3] != (32, 32, 3) or x.dtype != np.uint8:
        wrong = f"X is {x.dtype} {x.shape}, expected uint8 (32, 32, 3, N)"
    elif y.size != x.shape[3] or y.ndim not in (1, 2) or y.size != y.shape[0]:
        wrong = f"y has shape {y.shape}, expected ({x.shape[3]}, 1)"
    elif y.size and (y.min() < 0 or y.max() > 10):
        wrong = f"labels span {y.min()}..{y.max()}, expected 1..10"
    if wrong:
        raise DataError(f"{path} is not in the SVHN format: {wrong}")
    x = x[..., :limit] if limit is not None else x
    labels = y.reshape(-1)[: x.shape[3]].astype(np.int64)
    labels[labels == 10] = 0  # SVHN stores the digit 0 as label 10
    return np.ascontiguousarray(x.transpose(3, 2, 0, 1)), labels


def load_split(path: Path | str) -> tuple[np.ndarray, np.ndarray]:
    """Read an SVHN ``*_32x32.mat`` file: x uint8 (N, 3, 32, 32) in 0..255, y int64 (N,) in 0..9.

    The file stores X as (32, 32, 3, N) (H, W, C, N) and y as (N, 1) with 10 for the digit 0.
    Raises :class:`DataError` naming the file for a missing, truncated or malformed file.
    """
    return _read(Path(path))


def available(cache: Path | str | None = None) -> bool:
    """True if both split files are in the cache with their official sizes (no hashing)."""
    folder = Path(cache).expanduser() if cache is not None else cache_dir()
    paths = {folder / f.name: f.size for f in FILES.values()}
    return all(p.is_file() and p.stat().st_size == size for p, size in paths.items())


def load_svhn(
    train_limit: int | None = None,
    test_limit: int | None = None,
    cache: Path | str | None = None,
    download_missing: bool = False,
) -> Dataset:
    """SVHN as a :class:`~vae_tutorial.data.Dataset`, laid out like ``cifar10-subset``.

    train (N, 3072) and test (M, 3072) float32 RGB / 255 in [0, 1], rows flattened in
    (C, H, W) order; ``train_labels``/``test_labels`` int64 digits 0..9; image_shape
    (3, 32, 32); no valid split. Limits keep the first N rows (all 73,257 / 26,032 if None;
    the full train split is 900 MB as float32). Files are md5-checked once per process;
    missing ones are downloaded only if ``download_missing``, else :class:`DataError`.
    """
    import torch

    from .data import Dataset

    for name, v in (("train_limit", train_limit), ("test_limit", test_limit)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ConfigError(f"{name} must be a positive int or None, got {v!r}")
    folder = Path(cache).expanduser() if cache is not None else cache_dir()
    parts: dict[str, torch.Tensor] = {}
    for split, limit in (("train", train_limit), ("test", test_limit)):
        spec = FILES[split]
        path = folder / spec.name
        if download_missing:
            path = download(split, cache=folder)
        elif not path.is_file():
            raise DataError(
                f"SVHN {split} file {path} is missing: run `python -m vae_tutorial download "
                f"svhn` (or svhn.download('{split}')) with internet, or "
                f"{_offline_hint(spec.name, spec.url, folder)}."
            )
        elif not _is_verified(path, spec.md5, spec.size):
            raise DataError(
                f"{path} is not the official {spec.name} (expected {spec.size} bytes, md5 "
                f"{spec.md5}): it is truncated or a different file. Delete it and download "
                f"it again (svhn.download('{split}'))."
            )
        x, y = _read(path, limit)
        parts[split] = torch.from_numpy(x.reshape(len(x), -1)).to(torch.float32).div_(255.0)
        parts[f"{split}_labels"] = torch.from_numpy(y)
    n, m = len(parts["train"]), len(parts["test"])
    about = (
        f"SVHN cropped digits (Netzer et al. 2011): the first {n} training and first {m} test "
        f"images, RGB / 255 in [0, 1], rows flattened in (C, H, W) order; labels 0..9 (the "
        f"file's label 10 is the digit 0)"
    )
    return Dataset("svhn", image_shape=(3, 32, 32), description=about, **parts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m vae_tutorial download svhn [--split ...] [--cache DIR]``."""
    parser.add_argument("dataset", choices=["svhn"], help="the dataset to fetch")
    parser.add_argument("--split", choices=["train", "test", "both"], default="both")
    parser.add_argument("--cache", help=f"target folder (default ${CACHE_ENV} or {cache_dir()})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> dict:
    """Download the split(s); return {"cache": dir, "files": {split: {path, md5, bytes}}}."""
    splits = ["train", "test"] if args.split == "both" else [args.split]
    folder = Path(args.cache).expanduser() if args.cache else cache_dir()
    files = {}
    for split in splits:
        p = download(split, cache=folder, progress=not getattr(args, "quiet", False))
        files[split] = {"path": str(p), "md5": FILES[split].md5, "bytes": p.stat().st_size}
    return {"dataset": "svhn", "cache": str(folder), "files": files}
