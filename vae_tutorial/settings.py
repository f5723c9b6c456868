"""Run-time switches read from the environment, and seeding."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

QUICK_VAR = "VAE_TUTORIAL_QUICK"


def quick() -> bool:
    """True when ``VAE_TUTORIAL_QUICK`` is 1/true/yes (set by ``make test``): notebooks then
    shorten their live training runs; shipped checkpoints keep the figures faithful."""
    return os.environ.get(QUICK_VAR, "").strip().lower() in ("1", "true", "yes", "on")


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
