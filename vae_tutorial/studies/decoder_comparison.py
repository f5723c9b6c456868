"""Decoder likelihoods and latent families compared on the same data (notebook 07).

Three decoders with a 2-D latent: Model 1 Bernoulli (binarized pixels), Model 2 Gaussian with
one shared variance, Model 3 Gaussian with a variance that is a function of z (the paper's
Frey Face decoder, Appendix C.2), plus a Poisson decoder and an exponential latent (paper,
section 2.4). All are shipped models trained on the same 8,000 grey MNIST images
(``mnist-grey``: MNIST's 10,000 original test images, the only grey MNIST shipped, split
8,000 / 2,000; ``mnist-grey-binarized`` for the Bernoulli decoders) and compared on the same
2,000 held-out images.

Pure functions: numbers and arrays out. Figures import matplotlib inside the function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..core.latent_space import encode_means, reconstruct
from ..core.likelihoods import LEVELS  # an 8-bit grey level k is stored as x = k / 255
from ..core.model import VAE


@dataclass(frozen=True)
class Family:
    """One shipped model of notebook 07 and how its log-likelihood is measured."""

    name: str
    label: str
    scale: str  # what log p(x) is a log of: "pmf {0,1}", "density [0,1]", "pmf 256 levels"


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("mnist-grey-bernoulli", "Model 1: Bernoulli", "pmf {0,1}"),
        Family("mnist-grey-shared", "Model 2: Gaussian, shared variance", "density [0,1]"),
        Family("mnist-grey-hetero", "Model 3: Gaussian, variance g(z)", "density [0,1]"),
        Family("mnist-grey-floor", "Model 3 + variance floor", "density [0,1]"),
        Family("mnist-grey-poisson", "Poisson grey-level counts", "pmf 256 levels"),
        Family("mnist-grey-exponential", "Bernoulli, exponential latent", "pmf {0,1}"),
    )
}


def density_to_bin_mass(log_density: float, dims: int, levels: int = LEVELS) -> float:
    """log P(bins) ~= log p(x) + D log(1 / levels): a density on [0, 1]^D turned into the
    probability of the D grey-level bins of width 1/levels around x (nats). Only valid when
    the density is nearly flat across a bin, i.e. the decoder's standard deviation is many
    times 1/levels; a collapsed variance breaks it (and the density is then unbounded)."""
    return log_density - dims * math.log(levels)


def latent_separation(
    points: np.ndarray, labels: np.ndarray, neighbors: int = 10, seed: int = 0
) -> float:
    """How well the encoder means (N, 2) separate the classes: 5-fold cross-validated
    accuracy of a nearest-neighbour classifier (``neighbors`` neighbours) in latent space, in
    [0, 1] (chance: 0.1)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    points = np.asarray(points, dtype=np.float64)
    if not np.isfinite(points).all():
        return float("nan")
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    scores = cross_val_score(KNeighborsClassifier(neighbors), points, np.asarray(labels), cv=folds)
    return float(scores.mean())


def reconstruction_errors(model: VAE, x_input: torch.Tensor, x_target: torch.Tensor) -> np.ndarray:
    """Mean absolute error per image between E[x | z = E_q[z|x_input]] and ``x_target``
    (the grey image), both (N, D) in [0, 1] -> (N,)."""
    recon = reconstruct(model, x_input)
    return np.abs(recon - np.asarray(x_target, dtype=np.float32)).mean(axis=1)


def latent_summary(model: VAE, x: torch.Tensor, labels: torch.Tensor) -> dict[str, object]:
    """Encoder means (N, 2) of x and their class separation (see :func:`latent_separation`)."""
    points = encode_means(model, x)
    return {"points": points, "separation": latent_separation(points, labels.numpy())}


def logvar_profile(model: VAE, x: torch.Tensor) -> np.ndarray:
    """The heteroscedastic decoder's log-variance per pixel at z = E_q[z|x], averaged over
    the rows of x (N, D) -> (D,). Shows where the variance collapses (the always-black
    border pixels)."""
    with torch.inference_mode():
        out = model.decoder(model.encode_mean(x))
        _, logvar = model.likelihood.split(out)
    return logvar.mean(0).numpy()
