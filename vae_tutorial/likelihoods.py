"""Decoder likelihoods p(x|z): decoder outputs -> torch Distribution over a data row.

Each likelihood says how many decoder outputs it needs per data dimension and turns those
outputs into a distribution whose event is one whole data row (``Independent`` sums the
per-pixel log-densities). Later notebooks add more (homoscedastic Gaussian, Poisson).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Distribution, Independent, Normal

from .config import ModelConfig


class Likelihood(nn.Module):
    """Base class: ``params_per_dim`` outputs per data dimension -> a Distribution."""

    params_per_dim: int = 1

    def forward(self, out: torch.Tensor) -> Distribution:  # out: (..., params_per_dim * D)
        raise NotImplementedError

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        """The mean of p(x|z), computed without building a distribution (for images)."""
        return self.forward(out).mean


class BernoulliLikelihood(Likelihood):
    """Pixels in {0, 1}; the decoder outputs logits (fused, numerically stable)."""

    def forward(self, out: torch.Tensor) -> Distribution:
        return Independent(Bernoulli(logits=out, validate_args=False), 1, validate_args=False)

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out)


class GaussianLikelihood(Likelihood):
    """Real-valued pixels in [0, 1]: mean = sigmoid(a) (the paper's choice for Frey Face,
    Appendix C.2) and a per-pixel log-variance that is a function of z, optionally bounded
    below by ``logvar_min`` through a softplus (smooth) floor."""

    params_per_dim = 2

    def __init__(self, logvar_min: float | None = None):
        super().__init__()
        self.logvar_min = logvar_min

    def split(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, logvar = out.chunk(2, dim=-1)
        if self.logvar_min is not None:
            logvar = self.logvar_min + F.softplus(logvar - self.logvar_min)
        return torch.sigmoid(a), logvar

    def forward(self, out: torch.Tensor) -> Distribution:
        mean, logvar = self.split(out)
        return Independent(
            Normal(mean, torch.exp(0.5 * logvar), validate_args=False), 1, validate_args=False
        )

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out.chunk(2, dim=-1)[0])


def make_likelihood(config: ModelConfig) -> Likelihood:
    if config.likelihood == "bernoulli":
        return BernoulliLikelihood()
    if config.likelihood == "gaussian":
        return GaussianLikelihood(config.logvar_min)
    raise AssertionError(config.likelihood)  # ModelConfig already rejected anything else
