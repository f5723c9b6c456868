"""Run-time switches read from the environment, where the shipped files are, and seeding.

Environment variables (the only ones the package reads):

- ``VAE_TUTORIAL_QUICK=1``: notebooks shorten live training (``make test`` sets it);
- ``VAE_TUTORIAL_DATA=DIR``: the folder of shipped files (datasets, models, logs), for an
  installed package or a copy elsewhere; unset, the ``data/`` folder of the checkout;
- ``VAE_TUTORIAL_IMAGES=raw|deflate``: how the kernel-side widgets send their frames
  (``widgets/pixels.py``): raw pixels (the default: fastest with a local kernel) or deflated
  (for a remote kernel: 10-20 times less data a frame, 15-30 ms more in the browser).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

QUICK_VAR = "VAE_TUTORIAL_QUICK"
DATA_VAR = "VAE_TUTORIAL_DATA"
IMAGES_VAR = "VAE_TUTORIAL_IMAGES"


def quick() -> bool:
    """True when ``VAE_TUTORIAL_QUICK`` is 1/true/yes (set by ``make test``): notebooks then
    shorten their live training runs; shipped checkpoints keep the figures faithful."""
    return os.environ.get(QUICK_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def image_encoding() -> str:
    """``raw`` or ``deflate``: ``$VAE_TUTORIAL_IMAGES`` (default raw). Raises
    :class:`~vae_tutorial.errors.VAETutorialError` for any other value."""
    from .errors import VAETutorialError

    value = os.environ.get(IMAGES_VAR, "raw").strip().lower() or "raw"
    if value not in ("raw", "deflate"):
        raise VAETutorialError(
            f"{IMAGES_VAR} is {value!r}; set it to raw (a local kernel) or deflate (a remote "
            f"kernel), or unset it"
        )
    return value


def data_dir() -> Path:
    """The folder of shipped files: ``$VAE_TUTORIAL_DATA`` if set, else the checkout's
    ``data/``. Raises :class:`~vae_tutorial.errors.DataError` if neither exists."""
    from .errors import DataError

    env = os.environ.get(DATA_VAR)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise DataError(
                f"{DATA_VAR} is set to {env!r}, which is not a folder; point it at the data/ "
                f"folder of a vae-tutorial clone, or unset it to use the checkout's data/"
            )
        return path
    checkout = Path(__file__).resolve().parent.parent / "data"
    if not checkout.is_dir():
        raise DataError(
            f"no data folder: {checkout} does not exist (the package is not in a vae-tutorial "
            f"checkout); set {DATA_VAR} to the data/ folder of a clone"
        )
    return checkout


def pick(quick_value, full_value):
    """``quick_value`` under the quick switch, ``full_value`` otherwise."""
    return quick_value if quick() else full_value


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's generators: same seed, same numbers."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run torch on ``n`` CPU threads inside the block (None: leave it), restored after.

    Small models and numerical VI are thousands of tiny operations, for which thread
    hand-offs cost more than they save; a fixed count also makes CPU results reproducible.
    """
    import torch

    previous = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
