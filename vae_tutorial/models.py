"""The variational autoencoder of the paper (section 3, Appendix C): MLP encoder q(z|x)
and MLP decoder p(x|z), configured by :class:`~vae_tutorial.config.ModelConfig`."""

from __future__ import annotations

import torch
from torch import nn
from torch.distributions import Distribution, Independent, Normal

from .config import ModelConfig
from .likelihoods import make_likelihood

_ACTIVATIONS = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "softplus": nn.Softplus,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
}


def mlp(sizes: list[int], activation: str) -> nn.Sequential:
    """Linear layers of the given sizes with ``activation`` between them (not after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(_ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


class VAE(nn.Module):
    """A VAE with Gaussian encoder q(z|x) = N(mu(x), diag(sigma^2(x))) and prior N(0, I).

    - ``encode(x)``: x (..., x_dim) -> q(z|x), event shape (z_dim,)
    - ``decode(z)``: z (..., z_dim) -> p(x|z), event shape (x_dim,)
    - ``prior``: p(z) = N(0, I), event shape (z_dim,)
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        c = config
        self.encoder = mlp([c.x_dim, *c.hidden, 2 * c.z_dim], c.activation)
        self.likelihood = make_likelihood(c)
        out = self.likelihood.params_per_dim * c.x_dim
        self.decoder = mlp([c.z_dim, *c.decoder_widths, out], c.activation)
        self.register_buffer("prior_loc", torch.zeros(c.z_dim), persistent=False)
        self.register_buffer("prior_scale", torch.ones(c.z_dim), persistent=False)

    @property
    def z_dim(self) -> int:
        return self.config.z_dim

    @property
    def x_dim(self) -> int:
        return self.config.x_dim

    @property
    def prior(self) -> Distribution:
        return Independent(
            Normal(self.prior_loc, self.prior_scale, validate_args=False), 1, validate_args=False
        )

    def encoder_params(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (..., x_dim) -> (mu, logvar), each (..., z_dim)."""
        mu, logvar = self.encoder(x).chunk(2, dim=-1)
        return mu, logvar

    def encode(self, x: torch.Tensor) -> Distribution:
        mu, logvar = self.encoder_params(x)
        return Independent(
            Normal(mu, torch.exp(0.5 * logvar), validate_args=False), 1, validate_args=False
        )

    def decode(self, z: torch.Tensor) -> Distribution:
        return self.likelihood(self.decoder(z))

    def decode_mean(self, z: torch.Tensor) -> torch.Tensor:
        """E[x|z] for z (..., z_dim): (..., x_dim) in [0, 1]. Used to draw images."""
        return self.likelihood.mean(self.decoder(z))

    def device(self) -> torch.device:
        return next(self.parameters()).device


def build_model(config: ModelConfig, seed: int | None = None) -> VAE:
    """Build a VAE; with ``seed`` the initial weights are reproducible (global RNG untouched)."""
    if seed is None:
        return VAE(config)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return VAE(config)
