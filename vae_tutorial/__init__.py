"""vae_tutorial: helpers for an interactive tutorial on variational inference and the VAE
(Kingma & Welling, "Auto-Encoding Variational Bayes", 2014).

Importing the package is fast: torch and the submodules load on first use.

>>> import vae_tutorial as vt                     # doctest: +SKIP
>>> ds = vt.load("mnist-binarized")               # verified, float32 tensors
>>> model = vt.load_pretrained("mnist-z2")        # shipped VAE with a 2-D latent
>>> model.decode(z)                               # p(x|z), a torch Distribution
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load": "data",
    "Dataset": "data",
    "VAE": "models",
    "build_model": "models",
    "ModelConfig": "config",
    "TrainConfig": "config",
    "ExperimentConfig": "config",
    "elbo": "estimators",
    "log_px_importance": "estimators",
    "evaluate": "estimators",
    "fit": "train",
    "History": "train",
    "train_experiment": "train",
    "load_pretrained": "pretrained",
    "load_or_train": "pretrained",
    "load_checkpoint": "checkpoints",
    "save_checkpoint": "checkpoints",
    "quick": "settings",
    "seed_everything": "settings",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'vae_tutorial' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
