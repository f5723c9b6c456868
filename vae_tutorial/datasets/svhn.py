"""SVHN (Street View House Numbers, cropped digits) for readers with internet.

SVHN is not shipped: it is fetched once from the official site by pooch into a cache
folder, ``$VAE_TUTORIAL_CACHE/svhn`` if that variable is set, else
``~/.cache/vae_tutorial/svhn``, and checked against the published md5.

>>> download("train")                         # doctest: +SKIP  (182 MB, md5 checked)
>>> ds = load_svhn(train_limit=10000)         # doctest: +SKIP
>>> ds.train.shape, ds.image_shape            # (10000, 3072), (3, 32, 32), RGB / 255 in [0, 1]

Without internet, copy ``train_32x32.mat`` and ``test_32x32.mat`` into the cache folder by
hand, or use the shipped CIFAR-10 subset: ``load("cifar10-subset")``. A present file is
hashed once per process.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConfigError, DataError
from .files import Remote, cache_dir, fetch, is_cached

if TYPE_CHECKING:
    from .registry import Dataset

BASE_URL = "https://ufldl.stanford.edu/housenumbers/"

#: the official files; SVHN publishes md5 sums (no sha256), so those are the known hashes
FILES: dict[str, Remote] = {
    "train": Remote("train_32x32.mat", BASE_URL + "train_32x32.mat",
                    "md5:e26dedcc434d2e4c54c9b2d4a06d8373", 182040794),
    "test": Remote("test_32x32.mat", BASE_URL + "test_32x32.mat",
                   "md5:eb5a983be6a315427106f1b164d9cef3", 64275384),
}  # fmt: skip


def svhn_cache() -> Path:
    """Where SVHN is cached: ``$VAE_TUTORIAL_CACHE/svhn`` or ``~/.cache/vae_tutorial/svhn``."""
    return cache_dir("svhn")


def download(split: str, cache: Path | str | None = None, progress: bool = True) -> Path:
    """Fetch one SVHN split (``"train"`` or ``"test"``) into the cache (pooch, md5-checked);
    a present file with the right hash is used as is. Returns its path."""
    if split not in FILES:
        raise ConfigError(f"split must be one of {', '.join(FILES)}, got {split!r}")
    folder = Path(cache).expanduser() if cache is not None else svhn_cache()
    return fetch(FILES[split], folder, progress)


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
    folder = Path(cache).expanduser() if cache is not None else svhn_cache()
    paths = {folder / f.name: f.size for f in FILES.values()}
    return all(p.is_file() and p.stat().st_size == size for p, size in paths.items())


def load_svhn(
    train_limit: int | None = None,
    test_limit: int | None = None,
    cache: Path | str | None = None,
    download_missing: bool = False,
) -> Dataset:
    """SVHN as a :class:`~vae_tutorial.datasets.Dataset`, laid out like ``cifar10-subset``.

    train (N, 3072) and test (M, 3072) float32 RGB / 255 in [0, 1], rows flattened in
    (C, H, W) order; ``train_labels``/``test_labels`` int64 digits 0..9; image_shape
    (3, 32, 32); no valid split. Limits keep the first N rows (all 73,257 / 26,032 if None;
    the full train split is 900 MB as float32). Files are hash-checked once per process;
    missing ones are downloaded only if ``download_missing``, else :class:`DataError`.
    """
    import torch

    from .registry import Dataset, Rows

    for name, v in (("train_limit", train_limit), ("test_limit", test_limit)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ConfigError(f"{name} must be a positive int or None, got {v!r}")
    folder = Path(cache).expanduser() if cache is not None else svhn_cache()
    parts: dict[str, torch.Tensor] = {}
    for split, limit in (("train", train_limit), ("test", test_limit)):
        spec = FILES[split]
        path = folder / spec.name
        if download_missing:
            path = download(split, cache=folder)
        elif not path.is_file():
            raise DataError(
                f"SVHN {split} file {path} is missing: run `python -m vae_tutorial download "
                f"svhn` with internet, or download {spec.url} by hand into {folder}, or use "
                f"the shipped CIFAR-10 subset (load('cifar10-subset'))."
            )
        elif not is_cached(spec, folder):
            raise DataError(
                f"{path} is not the official {spec.name} (expected {spec.size} bytes, "
                f"{spec.known_hash}): it is truncated or a different file. Delete it and "
                f"download it again (`python -m vae_tutorial download svhn`)."
            )
        x, y = _read(path, limit)
        parts[split] = Rows(torch.from_numpy(np.ascontiguousarray(x.reshape(len(x), -1))), 255.0)
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
    parser.add_argument("--cache", help=f"target folder (default {svhn_cache()})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> dict:
    """Download the split(s); return {"cache": dir, "files": {split: {path, md5, bytes}}}."""
    splits = ["train", "test"] if args.split == "both" else [args.split]
    folder = Path(args.cache).expanduser() if args.cache else svhn_cache()
    files = {}
    for split in splits:
        p = download(split, cache=folder, progress=not getattr(args, "quiet", False))
        files[split] = {"path": str(p), "hash": FILES[split].known_hash, "bytes": p.stat().st_size}
    return {"dataset": "svhn", "cache": str(folder), "files": files}
