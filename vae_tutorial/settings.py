"""Run-time switches read from the environment, and seeding."""

from __future__ import annotations

import os
import random

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
