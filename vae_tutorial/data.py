"""The shipped datasets, loaded by name and verified by sha256.

>>> ds = load("mnist-binarized")           # doctest: +SKIP
>>> ds.train.shape, ds.test.shape         # (50000, 784), (10000, 784) float32 in {0, 1}

Files live in the repository's ``data/`` folder, or in the directory named by the
environment variable ``VAE_TUTORIAL_DATA``. Every file's sha256 is checked on its first
load in a process; arrays are read with ``allow_pickle=False``. Nothing is downloaded.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .errors import DataError

ENV_VAR = "VAE_TUTORIAL_DATA"


@dataclass(frozen=True)
class DataFile:
    """One shipped file: its path relative to the data directory, size and sha256."""

    path: str
    size: int
    sha256: str


FILES: dict[str, DataFile] = {
    f.path: f
    for f in (
        DataFile(
            "binarized_mnist.npz",
            3785763,
            "7b16a0f8a86c2e1283e8cd0bfbf60a7a787bb5f687be73a7b37e60d797c84eed",
        ),
        DataFile(
            "frey_faces.npz",
            996885,
            "1c58fcb13050c85ee5d82af2775551de2559542826981e3dc5f535c3a7ca910a",
        ),
        DataFile(
            "t10k-images-idx3-ubyte.gz",
            1648877,
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ),
        DataFile(
            "t10k-labels-idx1-ubyte.gz",
            4542,
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        ),
        DataFile(
            "cifar10_subset/cifar10_train_0000-0999.npz",
            2835687,
            "eb71259105868399d9cc7dc1dbc457f15fdb71499cbdb62e06415af92e53a7b5",
        ),
        DataFile(
            "cifar10_subset/cifar10_train_1000-1999.npz",
            2840038,
            "aa0a3fa383acb31fa3cb6b8de3acf5d7992b6a29245ea34c654a17c453b36306",
        ),
        DataFile(
            "cifar10_subset/cifar10_train_2000-2999.npz",
            2826733,
            "ae4c164222ff2926a2f2d28baaf00e3f4a3aa8f7cf33cd617bad47de9a77c9c0",
        ),
        DataFile(
            "cifar10_subset/cifar10_train_3000-3999.npz",
            2833672,
            "ff11e456055eefa6acea4f8b3f98c6c2eb6b60338f8ef64e35605c050470da5e",
        ),
        DataFile(
            "cifar10_subset/cifar10_test_0000-0999.npz",
            2828295,
            "857044e1709626a578661dcdd92ff251efc3a57ba5690df6c31e99a90b58a98f",
        ),
    )
}

# Held-out splits for the datasets that ship without one. Fixed seeds: the same frames and
# images are held out on every machine.
FREY_TEST_SIZE, FREY_SPLIT_SEED = 200, 0
GREY_TEST_SIZE, GREY_SPLIT_SEED = 2000, 0
CIFAR_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


@dataclass(frozen=True)
class Dataset:
    """A dataset as float32 tensors, one row per example.

    ``train``/``test`` (and ``valid`` where one exists): (N, D) float32, flattened images
    (C, H, W order for colour); ``*_labels``: (N,) int64 or None; ``image_shape``: the
    shape one row reshapes to, (H, W) for grey and (C, H, W) for colour.
    """

    name: str
    train: torch.Tensor
    test: torch.Tensor
    image_shape: tuple[int, ...]
    valid: torch.Tensor | None = None
    train_labels: torch.Tensor | None = None
    test_labels: torch.Tensor | None = None
    description: str = ""

    @property
    def x_dim(self) -> int:
        return int(self.train.shape[1])


def data_dir() -> Path:
    """The data directory: ``$VAE_TUTORIAL_DATA`` if set, else the repository's ``data/``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parent.parent / "data"


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest (``hashlib`` algorithm name) of a file, read in 1 MiB blocks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    return file_digest(path, "sha256")


def _restore_hint(rel: str) -> str:
    return (
        f"Restore it from the repository (`git checkout -- data/{rel}` in your vae-tutorial "
        f"clone), or set {ENV_VAR} to a directory holding a verified copy. "
        f"data/README.md lists where every file comes from."
    )


_verified: set[tuple[str, int, int]] = set()


def verified_path(rel: str, expected: DataFile | None = None) -> Path:
    """Return the absolute path of a shipped file after checking its size and sha256.

    The check runs once per file per process (keyed on path, size and mtime).
    Raises :class:`DataError` naming the file, what was expected, and how to restore it.
    """
    expected = expected or FILES[rel]
    path = data_dir() / rel
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(
            f"data file {path} is missing (expected {expected.size} bytes, "
            f"sha256 {expected.sha256}). {_restore_hint(rel)}"
        ) from None
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _verified:
        return path
    if st.st_size != expected.size:
        raise DataError(
            f"data file {path} has {st.st_size} bytes, expected {expected.size}: it is "
            f"truncated or corrupted. {_restore_hint(rel)}"
        )
    digest = sha256_of(path)
    if digest != expected.sha256:
        raise DataError(
            f"data file {path} failed its checksum: sha256 {digest}, expected "
            f"{expected.sha256}. The file is corrupted or is not the shipped version. "
            f"{_restore_hint(rel)}"
        )
    _verified.add(key)
    return path


def _npz(rel: str) -> dict[str, np.ndarray]:
    path = verified_path(rel)
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except Exception as e:  # verified bytes that still fail to parse: say so plainly
        raise DataError(f"cannot read {path} as .npz: {e}. {_restore_hint(rel)}") from e


def _idx(rel: str, header: int) -> np.ndarray:
    path = verified_path(rel)
    try:
        raw = gzip.decompress(path.read_bytes())
    except Exception as e:
        raise DataError(f"cannot decompress {path}: {e}. {_restore_hint(rel)}") from e
    return np.frombuffer(raw, dtype=np.uint8, offset=header)


def _split(n: int, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def _f32(a: np.ndarray, scale: float = 1.0) -> torch.Tensor:
    t = torch.from_numpy(np.ascontiguousarray(a)).to(torch.float32)
    return t / scale if scale != 1.0 else t


def _labels(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a.astype(np.int64))


def _mnist_binarized() -> Dataset:
    z = _npz("binarized_mnist.npz")
    return Dataset(
        "mnist-binarized",
        train=_f32(z["train"]),
        valid=_f32(z["valid"]),
        test=_f32(z["test"]),
        test_labels=_labels(z["test_labels"]),
        image_shape=(28, 28),
        description="static binarized MNIST (Larochelle & Murray 2011): 50k train, 10k "
        "valid, 10k test, values in {0, 1}; test labels recovered from grey MNIST",
    )


def _frey_faces() -> Dataset:
    faces = _npz("frey_faces.npz")["faces"]
    tr, te = _split(len(faces), FREY_TEST_SIZE, FREY_SPLIT_SEED)
    return Dataset(
        "frey-faces",
        train=_f32(faces[tr], 255.0),
        test=_f32(faces[te], 255.0),
        image_shape=(28, 20),
        description=f"Frey Face frames, grey levels / 255 in [0, 1]; {FREY_TEST_SIZE} "
        f"frames held out at random (seed {FREY_SPLIT_SEED})",
    )


def _mnist_grey() -> Dataset:
    images = _idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    labels = _idx("t10k-labels-idx1-ubyte.gz", 8)
    if len(images) != 10000 or len(labels) != 10000:
        raise DataError("grey MNIST files parsed to the wrong number of images/labels")
    tr, te = _split(len(images), GREY_TEST_SIZE, GREY_SPLIT_SEED)
    return Dataset(
        "mnist-grey",
        train=_f32(images[tr], 255.0),
        test=_f32(images[te], 255.0),
        train_labels=_labels(labels[tr]),
        test_labels=_labels(labels[te]),
        image_shape=(28, 28),
        description=f"the 10k original MNIST test images, grey levels / 255 in [0, 1], split "
        f"{10000 - GREY_TEST_SIZE} train / {GREY_TEST_SIZE} test (seed {GREY_SPLIT_SEED})",
    )


def _mnist_grey_binarized() -> Dataset:
    grey = _mnist_grey()
    return Dataset(
        "mnist-grey-binarized",
        train=(grey.train > 0.5).float(),
        test=(grey.test > 0.5).float(),
        train_labels=grey.train_labels,
        test_labels=grey.test_labels,
        image_shape=(28, 28),
        description="the mnist-grey split thresholded at 1/2 (grey level > 127 -> 1): the same "
        "images as mnist-grey, for comparing Bernoulli and real-valued decoders on equal data",
    )


def _cifar10_subset() -> Dataset:
    def part(prefix: str) -> tuple[np.ndarray, np.ndarray]:
        chunks = [_npz(rel) for rel in sorted(FILES) if rel.startswith(prefix)]
        x = np.concatenate([c["x"] for c in chunks])  # (N, 32, 32, 3) uint8
        y = np.concatenate([c["y"] for c in chunks])
        return x.transpose(0, 3, 1, 2).reshape(len(x), -1), y

    xtr, ytr = part("cifar10_subset/cifar10_train")
    xte, yte = part("cifar10_subset/cifar10_test")
    return Dataset(
        "cifar10-subset",
        train=_f32(xtr, 255.0),
        test=_f32(xte, 255.0),
        train_labels=_labels(ytr),
        test_labels=_labels(yte),
        image_shape=(3, 32, 32),
        description="the first 4,000 CIFAR-10 training images and the first 1,000 test "
        "images, RGB / 255 in [0, 1], rows flattened in (C, H, W) order",
    )


#: one colour channel of cifar10-subset as a grey dataset (seed 002's per-channel models)
CHANNELS = ("red", "green", "blue")


def channel_view(ds: Dataset, channel: str) -> Dataset:
    """One channel ("red", "green" or "blue") of a colour dataset (rows (N, 3 * H * W) in
    C, H, W order) as a grey dataset with rows (N, H * W), named ``{ds.name}-{channel}``."""
    if len(ds.image_shape) != 3 or ds.image_shape[0] != 3:
        raise DataError(f"{ds.name} is not an RGB dataset (image shape {ds.image_shape})")
    c, hw = CHANNELS.index(channel), ds.image_shape[1] * ds.image_shape[2]
    return Dataset(
        f"{ds.name}-{channel}",
        train=ds.train.reshape(-1, 3, hw)[:, c].contiguous(),
        test=ds.test.reshape(-1, 3, hw)[:, c].contiguous(),
        train_labels=ds.train_labels,
        test_labels=ds.test_labels,
        image_shape=tuple(ds.image_shape[1:]),
        description=f"the {channel} channel of {ds.name}, (N, {hw}) in [0, 1]",
    )


def _cifar10_channel(channel: str) -> Callable[[], Dataset]:
    def loader() -> Dataset:
        ds = channel_view(_cifar10_subset(), channel)
        return dataclasses.replace(ds, name=f"cifar10-{channel}")

    return loader


LOADERS: dict[str, Callable[[], Dataset]] = {
    "mnist-binarized": _mnist_binarized,
    "frey-faces": _frey_faces,
    "mnist-grey": _mnist_grey,
    "mnist-grey-binarized": _mnist_grey_binarized,
    "cifar10-subset": _cifar10_subset,
    **{f"cifar10-{c}": _cifar10_channel(c) for c in CHANNELS},
}


def load(name: str) -> Dataset:
    """Load a shipped dataset by name: one of ``mnist-binarized``, ``frey-faces``,
    ``mnist-grey``, ``mnist-grey-binarized``, ``cifar10-subset``.

    - mnist-binarized: train (50000, 784), valid (10000, 784), test (10000, 784) in {0, 1};
      test_labels (10000,).
    - frey-faces: train (1765, 560), test (200, 560) in [0, 1]; images are 28 x 20.
    - mnist-grey: train (8000, 784), test (2000, 784) in [0, 1]; labels for both.
    - mnist-grey-binarized: the same images thresholded at 1/2, in {0, 1}.
    - cifar10-subset: train (4000, 3072), test (1000, 3072) in [0, 1]; labels for both.
    - cifar10-red, cifar10-green, cifar10-blue: one channel of it, (N, 1024).
    """
    try:
        loader = LOADERS[name]
    except KeyError:
        raise DataError(f"unknown dataset {name!r}; available: {', '.join(LOADERS)}") from None
    return loader()


def verify_all() -> dict[str, str]:
    """Check every shipped data file; return {relative path: sha256}. Raises DataError."""
    return {rel: (verified_path(rel), f.sha256)[1] for rel, f in FILES.items()}
