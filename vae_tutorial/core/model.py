"""The variational autoencoder of the paper (section 3, Appendix C): encoder q(z|x),
decoder p(x|z) and prior p(z), configured by :class:`~vae_tutorial.core.config.ModelConfig`.
The networks come from :mod:`~vae_tutorial.core.networks` (MLP or conv), the latent family
from :mod:`~vae_tutorial.core.latents`, the decoder likelihood from
:mod:`~vae_tutorial.core.likelihoods`."""

from __future__ import annotations

import torch
from torch import nn
from torch.distributions import Distribution

from .config import ModelConfig
from .latents import Params, make_latent
from .likelihoods import make_likelihood
from .networks import ARCHITECTURES


class VAE(nn.Module):
    """A VAE: encoder q(z|x), decoder p(x|z) and prior p(z). By default (the paper's) the
    encoder is Gaussian, q(z|x) = N(mu(x), diag(sigma^2(x))), and the prior N(0, I);
    ``config.latent`` picks another family (:mod:`vae_tutorial.core.latents`).

    - ``encode(x)``: x (..., x_dim) -> q(z|x), event shape (z_dim,)
    - ``decode(z)``: z (..., z_dim) -> p(x|z), event shape (x_dim,)
    - ``prior``: p(z), event shape (z_dim,)
    - ``encoder_params(x)``: the parameters of q(z|x), e.g. (mu, logvar) for the Gaussian
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.latent = make_latent(config)
        self.likelihood = make_likelihood(config)
        self.encoder, self.decoder = ARCHITECTURES[config.architecture](
            config,
            self.latent.params_per_dim * config.z_dim,
            self.likelihood.params_per_dim * config.x_dim,
        )

    @property
    def z_dim(self) -> int:
        return self.config.z_dim

    @property
    def x_dim(self) -> int:
        return self.config.x_dim

    @property
    def prior(self) -> Distribution:
        return self.latent.prior

    def encoder_params(self, x: torch.Tensor) -> Params:
        """x: (..., x_dim) -> the parameters of q(z|x), each (..., z_dim):
        (mu, logvar) for the Gaussian, (log_rate,) for the exponential."""
        return self.latent.split(self.encoder(x))

    def encode(self, x: torch.Tensor) -> Distribution:
        return self.latent.q(self.encoder_params(x))

    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        """E_q[z|x]: (..., x_dim) -> (..., z_dim), the point plotted in latent scatters."""
        return self.latent.location(self.encoder_params(x))

    def decode(self, z: torch.Tensor) -> Distribution:
        return self.likelihood(self.decoder(z))

    def log_likelihood(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """log p(x|z) for z (..., z_dim) and x broadcastable to (..., x_dim) -> (...), nats;
        equal to ``decode(z).log_prob(x)``, faster where the likelihood allows."""
        return self.likelihood.log_prob(self.decoder(z), x)

    def decode_mean(self, z: torch.Tensor) -> torch.Tensor:
        """E[x|z] for z (..., z_dim): (..., x_dim) in [0, 1]. Used to draw images."""
        return self.likelihood.mean(self.decoder(z))

    def device(self) -> torch.device:
        return next(self.parameters()).device


def build_model(config: ModelConfig, seed: int | None = None) -> VAE:
    """Build a VAE (MLP or, with ``architecture="conv"``, convolutional); with ``seed`` the
    initial weights are reproducible (global RNG untouched)."""
    if seed is None:
        return VAE(config)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return VAE(config)
