"""vae_tutorial: helpers for an interactive tutorial on variational inference and the VAE
(Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014).

The package is laid out by layer (see ARCHITECTURE.md): ``core`` (the paper's VAE),
``datasets``, ``theory`` (notebooks 01-04), ``studies`` (notebooks 05-08), ``viz`` (pure
figures and images) and ``widgets`` (thin views). This facade names what a notebook needs;
importing it is fast: torch, ipywidgets and the submodules load on first use.

>>> import vae_tutorial as vt                     # doctest: +SKIP
>>> ds = vt.load("mnist-binarized")               # verified, float32 tensors
>>> model = vt.load_pretrained("mnist-z2")        # shipped VAE with a 2-D latent
>>> model.decode(z)                               # p(x|z), a torch Distribution
>>> vt.check.gaussian_kl(my_kl)                   # auto-checked exercises
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_LAZY = {
    "load": "datasets",
    "Dataset": "datasets",
    "VAE": "core.model",
    "build_model": "core.model",
    "ModelConfig": "core.config",
    "TrainConfig": "core.config",
    "ExperimentConfig": "core.config",
    "elbo": "core.estimators",
    "log_px_importance": "core.estimators",
    "evaluate": "core.estimators",
    "fit": "core.train",
    "History": "core.train",
    "train_experiment": "core.train",
    "load_pretrained": "core.pretrained",
    "load_or_train": "core.pretrained",
    "load_checkpoint": "core.checkpoints",
    "save_checkpoint": "core.checkpoints",
    "quick": "settings",
    "pick": "settings",
    "seed_everything": "settings",
    "data_dir": "settings",
}

#: submodules the facade names too, imported on first access (``vt.check.gaussian_kl``)
_SUBMODULES = ("check",)

__all__ = sorted([*_LAZY, *_SUBMODULES])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'vae_tutorial' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
