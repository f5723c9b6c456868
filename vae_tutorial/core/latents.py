"""Latent families: the encoder's q(z|x), its reparameterization and the prior p(z).

The paper (section 2.4) lists three ways to write z ~ q(z|x) as a differentiable function
z = g(eps, params) of noise eps that does not depend on the parameters:

- a location-scale family: the Gaussian, z = mu + sigma * eps, eps ~ N(0, 1)
  (:class:`GaussianLatent`, prior N(0, I), the paper's choice everywhere);
- a tractable inverse CDF: the exponential, z = -log(1 - eps) / lambda, eps ~ U(0, 1)
  (:class:`ExponentialLatent`, prior Exp(1)).

Each family says how many encoder outputs it needs per latent dimension, turns them into a
tuple of parameters, and provides the noise, the transform g, q as a Distribution, the
analytic KL(q || p(z)), a point summary (the mean, for scatter plots and reconstructions)
and the prior's inverse CDF (for manifold canvases that cover equal prior mass per cell).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.distributions import Distribution, Exponential, Independent, Normal

from ..theory.gaussian import kl_diag_normal

if TYPE_CHECKING:
    from .config import ModelConfig

Params = tuple[torch.Tensor, ...]


def kl_exponential_unit(log_rate: torch.Tensor) -> torch.Tensor:
    """KL(Exp(lambda) || Exp(1)) summed over the last dim, lambda = exp(log_rate):
    E_q[log q - log p] = log lambda - 1 + E_q[z] = log lambda - 1 + 1/lambda. (..., Z) -> (...)."""
    return (log_rate - 1.0 + torch.exp(-log_rate)).sum(-1)


class LatentFamily(nn.Module):
    """Base class. ``params_per_dim`` encoder outputs per latent dimension."""

    params_per_dim: int = 2

    def __init__(self, z_dim: int):
        super().__init__()
        self.z_dim = z_dim

    def split(self, out: torch.Tensor) -> Params:
        raise NotImplementedError

    def noise(self, shape: tuple[int, ...], like: torch.Tensor, generator=None) -> torch.Tensor:
        raise NotImplementedError

    def transform(self, params: Params, eps: torch.Tensor) -> torch.Tensor:
        """z = g(eps, params); eps (L, B, Z) -> z (L, B, Z), differentiable in params."""
        raise NotImplementedError

    def q(self, params: Params) -> Distribution:
        raise NotImplementedError

    def kl(self, params: Params) -> torch.Tensor:
        """Analytic KL(q(z|x) || p(z)) per datapoint: (B,)."""
        raise NotImplementedError

    def location(self, params: Params) -> torch.Tensor:
        """E_q[z]: (B, Z). Used for latent scatters and reconstructions."""
        raise NotImplementedError

    def prior_ppf(self, u: torch.Tensor) -> torch.Tensor:
        """The prior's inverse CDF per dimension, u in (0, 1)."""
        raise NotImplementedError

    @property
    def prior(self) -> Distribution:
        raise NotImplementedError

    def rsample(self, params: Params, n: int) -> torch.Tensor:
        """n reparameterized draws: (n, B, Z)."""
        first = params[0]
        return self.transform(params, self.noise((n, *first.shape), first))


class GaussianLatent(LatentFamily):
    """q(z|x) = N(mu, diag sigma^2), params (mu, logvar); prior N(0, I)."""

    params_per_dim = 2

    def __init__(self, z_dim: int):
        super().__init__(z_dim)
        self.register_buffer("prior_loc", torch.zeros(z_dim), persistent=False)
        self.register_buffer("prior_scale", torch.ones(z_dim), persistent=False)

    def split(self, out: torch.Tensor) -> Params:
        mu, logvar = out.chunk(2, dim=-1)
        return mu, logvar

    def noise(self, shape, like, generator=None):
        return torch.randn(shape, dtype=like.dtype, device=like.device, generator=generator)

    def transform(self, params, eps):
        mu, logvar = params
        return mu + torch.exp(0.5 * logvar) * eps

    def q(self, params):
        mu, logvar = params
        return Independent(
            Normal(mu, torch.exp(0.5 * logvar), validate_args=False), 1, validate_args=False
        )

    def kl(self, params):
        return kl_diag_normal(*params)

    def location(self, params):
        return params[0]

    def prior_ppf(self, u):
        return Normal(0.0, 1.0).icdf(u)

    @property
    def prior(self):
        return Independent(
            Normal(self.prior_loc, self.prior_scale, validate_args=False), 1, validate_args=False
        )


class ExponentialLatent(LatentFamily):
    """q(z|x) = prod_j Exp(lambda_j(x)) on z > 0, params (log_rate,); prior Exp(1).

    Reparameterized through the inverse CDF F^-1(eps) = -log(1 - eps) / lambda with
    eps ~ U(0, 1) (paper, section 2.4)."""

    params_per_dim = 1

    def __init__(self, z_dim: int):
        super().__init__(z_dim)
        self.register_buffer("prior_rate", torch.ones(z_dim), persistent=False)

    def split(self, out: torch.Tensor) -> Params:
        return (out,)

    def noise(self, shape, like, generator=None):
        return torch.rand(shape, dtype=like.dtype, device=like.device, generator=generator)

    def transform(self, params, eps):
        (log_rate,) = params
        return -torch.log1p(-eps) * torch.exp(-log_rate)

    def q(self, params):
        (log_rate,) = params
        return Independent(
            Exponential(torch.exp(log_rate), validate_args=False), 1, validate_args=False
        )

    def kl(self, params):
        return kl_exponential_unit(params[0])

    def location(self, params):
        return torch.exp(-params[0])

    def prior_ppf(self, u):
        return -torch.log1p(-u)

    @property
    def prior(self):
        rate = Exponential(self.prior_rate, validate_args=False)
        return Independent(rate, 1, validate_args=False)


#: every latent family by its config name (``model.latent``); the config validates against it
LATENTS: dict[str, type[LatentFamily]] = {
    "gaussian": GaussianLatent,
    "exponential": ExponentialLatent,
}


def make_latent(config: ModelConfig) -> LatentFamily:
    return LATENTS[config.latent](config.z_dim)
