"""The shipped datasets, loaded by name and verified by sha256.

>>> ds = load("mnist-binarized")           # doctest: +SKIP
>>> ds.train.shape, ds.test.shape         # (50000, 784), (10000, 784) float32 in {0, 1}

Files come from :mod:`.files` (the checkout's ``data/`` or ``$VAE_TUTORIAL_DATA``), each
checked by sha256 on its first load in a process; arrays are read with
``allow_pickle=False``. Nothing is downloaded. ``DATASETS`` is the one list of names.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Callable, Sequence

import numpy as np
import torch

from ..errors import DataError
from .files import FILES, restore_hint, verified_path
from .rows import Rows
from .splits import FREY_SPLIT, block_split, random_split
from .subsets import representative

# Held-out splits for the datasets that ship without one (.splits): the same frames and images
# are held out on every machine. Frey Face: contiguous blocks of frames (splits.FREY_SPLIT).
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


Split = torch.Tensor | Rows | None


class Dataset:
    """A dataset, one row per example.

    ``train``/``test`` (and ``valid`` where one exists): (N, D) float32, flattened images
    (C, H, W order for color); ``*_labels``: (N,) int64 or None; ``image_shape``: the
    shape one row reshapes to, (H, W) for grey and (C, H, W) for color.

    Each split is given as a float32 tensor or as :class:`Rows` (uint8 codes and a scale, or
    bits): images shipped as bytes are then held as bytes, made float32 on first access to
    ``ds.train`` and kept; the trainer reads minibatches from what is held instead
    (:meth:`rows`), with the same values bit for bit. A split may also be given as a
    function that returns it, called on first use (a split most uses never touch is then
    never read).
    """

    _SPLITS = ("train", "test", "valid")

    def __init__(
        self,
        name: str,
        train: Split | Callable[[], Split],
        test: Split | Callable[[], Split],
        image_shape: tuple[int, ...],
        valid: Split | Callable[[], Split] = None,
        train_labels: torch.Tensor | None = None,
        test_labels: torch.Tensor | None = None,
        description: str = "",
    ):
        self.name, self.image_shape, self.description = name, tuple(image_shape), description
        self.train_labels, self.test_labels = train_labels, test_labels
        self._given: dict[str, Rows | Callable[[], Split] | None] = {}
        for split, t in (("train", train), ("test", test), ("valid", valid)):
            self._given[split] = t if callable(t) else _as_rows(t)
        self._floats: dict[str, torch.Tensor | None] = {}

    def rows(self, split: str = "train") -> Rows | None:
        """``split`` as held (:class:`Rows`), read now if it was deferred; None if the split
        is not shipped."""
        if split not in self._SPLITS:
            raise ValueError(f"no split {split!r}: one of {', '.join(self._SPLITS)}")
        t = self._given[split]
        if callable(t):
            t = self._given[split] = _as_rows(t())
        return t

    def codes(self, split: str = "train") -> tuple[torch.Tensor, float] | None:
        """(uint8 tensor (N, D), scale) if ``split`` is held as bytes or bits, else None: rows
        as float32 are ``codes[i].float() / scale`` (exactly the values of ``self.<split>``)."""
        r = self.rows(split)
        return None if r is None else r.codes()

    def _float(self, split: str) -> torch.Tensor | None:
        if split not in self._floats:
            r = self.rows(split)
            self._floats[split] = None if r is None else r.all()
        return self._floats[split]

    train = property(lambda self: self._float("train"), doc="(N, D) float32 training rows")
    test = property(lambda self: self._float("test"), doc="(N, D) float32 test rows")
    valid = property(lambda self: self._float("valid"), doc="(N, D) float32 rows, or None")

    def replace(self, **changes) -> Dataset:
        """A copy with some of the constructor's arguments changed (as ``dataclasses.replace``),
        e.g. ``ds.replace(name="tiny", train=ds.train[:100])``."""
        args = {
            "name": self.name, "train": self._given["train"], "test": self._given["test"],
            "image_shape": self.image_shape, "valid": self._given["valid"],
            "train_labels": self.train_labels, "test_labels": self.test_labels,
            "description": self.description,
        }  # fmt: skip
        if unknown := set(changes) - set(args):
            raise TypeError(f"Dataset has no field {', '.join(sorted(unknown))}")
        return Dataset(**{**args, **changes})

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{k} {v.shape}" if isinstance(v, Rows) else f"{k} (not read yet)"
            for k, v in self._given.items()
            if v is not None
        )
        return f"Dataset({self.name!r}: {sizes})"

    @property
    def x_dim(self) -> int:
        return int(self.rows("train").shape[1])

    def subset(self, n: int, split: str = "test") -> np.ndarray:
        """Indices (n,) of n rows of ``split`` that stand for the whole split: every class in
        proportion, spread through each class, any prefix balanced too; strided where the split
        has no labels (:func:`.subsets.representative`). Use ``ds.test[ds.subset(n)]``, never
        ``ds.test[:n]``: binarized MNIST's test set is sorted by class."""
        if split not in self._SPLITS or self.rows(split) is None:
            raise ValueError(
                f"{self.name} has no {split!r} split (train, test, valid where shipped)"
            )
        labels = getattr(self, f"{split}_labels", None)
        return representative(n, labels=labels, total=len(self.rows(split)))


def _as_rows(t: Split) -> Rows | None:
    if t is None or isinstance(t, Rows):
        return t
    if not isinstance(t, torch.Tensor) or t.dtype != torch.float32:
        what = getattr(t, "dtype", type(t).__name__)
        raise DataError(f"a split is a float32 tensor or Rows (codes, bits), got {what}")
    return Rows(t)


def _npz(rel: str, keys: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """The arrays ``keys`` (default: all) of the shipped .npz ``rel``."""
    path = verified_path(rel)
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in (z.files if keys is None else keys)}
    except Exception as e:  # verified bytes that still fail to parse: say so plainly
        raise DataError(f"cannot read {path} as .npz: {e}. {restore_hint(rel)}") from e


def _idx(rel: str, header: int) -> np.ndarray:
    path = verified_path(rel)
    try:
        raw = gzip.decompress(path.read_bytes())
    except Exception as e:
        raise DataError(f"cannot decompress {path}: {e}. {restore_hint(rel)}") from e
    return np.frombuffer(raw, dtype=np.uint8, offset=header)


def _u8(a: np.ndarray, scale: float = 255.0) -> Rows:
    """Grey levels or color values shipped as uint8, held as such: values ``a / scale``."""
    if a.dtype != np.uint8:
        raise DataError(f"expected uint8 image codes, got {a.dtype}")
    return Rows(torch.from_numpy(np.ascontiguousarray(a)), scale)


def _bits(rel: str, key: str) -> Rows:
    """The binary array ``key`` of the shipped .npz ``rel``, held as bits."""
    return Rows.from_bits(_npz(rel, [key])[key])


def _labels(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a.astype(np.int64))


def _mnist_binarized() -> Dataset:
    rel = "binarized_mnist.npz"
    z = _npz(rel, ["train", "test", "test_labels"])
    return Dataset(
        "mnist-binarized",
        train=Rows.from_bits(z["train"]),
        valid=functools.partial(_bits, rel, "valid"),  # read when asked (and picklable)
        test=Rows.from_bits(z["test"]),
        test_labels=_labels(z["test_labels"]),
        image_shape=(28, 28),
        description="static binarized MNIST (Larochelle & Murray 2011): 50k train, 10k "
        "valid, 10k test, values in {0, 1}; test labels recovered from grey MNIST",
    )


def frey_frames() -> np.ndarray:
    """All 1965 Frey Face frames in video order, (1965, 560) float64 in [0, 1] (before any
    split: :mod:`.splits` compares the ways of holding frames out)."""
    return _npz("frey_faces.npz")["faces"] / 255.0


def _frey_faces() -> Dataset:
    faces = _npz("frey_faces.npz")["faces"]
    tr, te = block_split(len(faces), **FREY_SPLIT)
    b = FREY_SPLIT
    return Dataset(
        "frey-faces",
        train=_u8(faces[tr]),
        test=_u8(faces[te]),
        image_shape=(28, 20),
        description=f"Frey Face frames, grey levels / 255 in [0, 1]; {len(te)} frames held out "
        f"in {b['blocks']} blocks of {b['length']} consecutive frames, the {b['guard']} frames "
        f"either side of each block in neither set",
    )


def _mnist_grey() -> Dataset:
    images = _idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    labels = _idx("t10k-labels-idx1-ubyte.gz", 8)
    if len(images) != 10000 or len(labels) != 10000:
        raise DataError("grey MNIST files parsed to the wrong number of images/labels")
    tr, te = random_split(len(images), GREY_TEST_SIZE, GREY_SPLIT_SEED)
    return Dataset(
        "mnist-grey",
        train=_u8(images[tr]),
        test=_u8(images[te]),
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
        # grey level > 127 is exactly level / 255 > 1/2
        train=Rows.from_bits((grey.codes("train")[0] > 127).numpy()),
        test=Rows.from_bits((grey.codes("test")[0] > 127).numpy()),
        train_labels=grey.train_labels,
        test_labels=grey.test_labels,
        image_shape=(28, 28),
        description="the mnist-grey split thresholded at 1/2 (grey level > 127 -> 1), values in "
        "{0, 1}: the same images as mnist-grey, for comparing Bernoulli and real-valued decoders "
        "on equal data",
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
        train=_u8(xtr),
        test=_u8(xte),
        train_labels=_labels(ytr),
        test_labels=_labels(yte),
        image_shape=(3, 32, 32),
        description="the first 4,000 CIFAR-10 training images and the first 1,000 test "
        "images, RGB / 255 in [0, 1], rows flattened in (C, H, W) order",
    )


#: the color channels of cifar10-subset, each loadable as a grey dataset (notebook 08)
CHANNELS = ("red", "green", "blue")


def channel_view(ds: Dataset, channel: str) -> Dataset:
    """One channel ("red", "green" or "blue") of a color dataset (rows (N, 3 * H * W) in
    C, H, W order) as a grey dataset with rows (N, H * W), named ``{ds.name}-{channel}``."""
    if len(ds.image_shape) != 3 or ds.image_shape[0] != 3:
        raise DataError(f"{ds.name} is not an RGB dataset (image shape {ds.image_shape})")
    c, hw = CHANNELS.index(channel), ds.image_shape[1] * ds.image_shape[2]

    def one(split: str) -> Rows:
        rows = ds.rows(split)
        channel = (rows.rows if rows.width is None else rows.codes()[0]).reshape(-1, 3, hw)
        return Rows(channel[:, c].contiguous(), rows.scale if rows.width is None else 1.0)

    return Dataset(
        f"{ds.name}-{channel}",
        train=one("train"),
        test=one("test"),
        train_labels=ds.train_labels,
        test_labels=ds.test_labels,
        image_shape=tuple(ds.image_shape[1:]),
        description=f"the {channel} channel of {ds.name}, (N, {hw}) in [0, 1]",
    )


def _cifar10_channel(channel: str) -> Callable[[], Dataset]:
    def loader() -> Dataset:
        return channel_view(_cifar10_subset(), channel).replace(name=f"cifar10-{channel}")

    return loader


#: every dataset by name: the one list of names (config validation reads it)
DATASETS: dict[str, Callable[[], Dataset]] = {
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
    - frey-faces: train (1665, 560), test (200, 560) in [0, 1]; images are 28 x 20 (held out
      in contiguous blocks of frames: :mod:`.splits`).
    - mnist-grey: train (8000, 784), test (2000, 784) in [0, 1]; labels for both.
    - mnist-grey-binarized: the same images thresholded at 1/2, in {0, 1}.
    - cifar10-subset: train (4000, 3072), test (1000, 3072) in [0, 1]; labels for both.
    - cifar10-red, cifar10-green, cifar10-blue: one channel of it, (N, 1024).
    """
    try:
        loader = DATASETS[name]
    except KeyError:
        raise DataError(f"unknown dataset {name!r}; available: {', '.join(DATASETS)}") from None
    return loader()
