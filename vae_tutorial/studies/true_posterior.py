"""The true posterior of a trained VAE with a 2-D latent, beside what the encoder guesses.

For one datapoint x: the exact p(z|x) on a grid (:mod:`vae_tutorial.core.exact`), the
encoder's q(z|x), and the best Gaussian for this one x, found by maximising its ELBO over
(mu, log sigma^2) (:func:`vae_tutorial.studies.amortization.optimize_q`). With log p(x)
exact, the gap splits without estimator noise beyond the ELBO's Monte Carlo:

    log p(x) - ELBO(encoder q) = [log p(x) - ELBO(best q)] + [ELBO(best q) - ELBO(encoder q)]
                                   approximation gap            amortization gap

(Cremer, Li & Duvenaud 2018). :func:`scan` looks at many digits at once on one shared coarse
grid, to find those whose posterior sits far from q or has two modes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.estimators import elbo_of_q
from ..core.exact import log_joint, log_px_grid, posterior_grid
from ..core.model import VAE
from ..settings import torch_threads
from ..theory.grid import GridPosterior
from .amortization import optimize_q


@dataclass(frozen=True)
class PosteriorReport:
    """One datapoint: the exact posterior (grid), q's parameters (mean (2,), variance (2,))
    for the encoder and for the best Gaussian, and the ELBOs and log p(x) (nats)."""

    posterior: GridPosterior
    encoder: tuple[np.ndarray, np.ndarray]
    best: tuple[np.ndarray, np.ndarray]
    log_px: float
    elbo_encoder: float
    elbo_best: float

    @property
    def amortization_gap(self) -> float:
        return self.elbo_best - self.elbo_encoder

    @property
    def approximation_gap(self) -> float:
        return self.log_px - self.elbo_best


def _elbo(model: VAE, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> float:
    gen = torch.Generator().manual_seed(0)
    eps = torch.randn((4000, *mu.shape), generator=gen)
    with torch.inference_mode():
        return float(elbo_of_q(model, x, (mu, logvar), eps=eps).mean())


def report(model: VAE, x: torch.Tensor, n: int = 121, steps: int = 300) -> PosteriorReport:
    """The exact posterior of one datapoint x (D,), the encoder's and the best Gaussian q, and
    the gaps (ELBOs from 4,000 shared draws)."""
    if model.z_dim != 2:
        raise ValueError(f"needs a 2-D latent; this model has {model.z_dim}")
    x = torch.as_tensor(x, dtype=torch.float32).reshape(1, -1)
    with torch_threads(1):
        exact = log_px_grid(model, x)
        post = posterior_grid(model, x[0], box=tuple(exact.box[0]), n=n)
        with torch.no_grad():
            mu0, lv0 = model.encoder_params(x)
        mu1, lv1, _ = optimize_q(model, x, steps=steps, lr=0.02, n_samples=20, seed=0)
        e0, e1 = _elbo(model, x, mu0, lv0), _elbo(model, x, mu1, lv1)
    return PosteriorReport(
        posterior=post,
        encoder=(mu0[0].double().numpy(), lv0[0].exp().double().numpy()),
        best=(mu1[0].double().numpy(), lv1[0].exp().double().numpy()),
        log_px=float(exact.log_px[0]),
        elbo_encoder=e0,
        elbo_best=e1,
    )


@torch.inference_mode()
def scan(model: VAE, x: torch.Tensor, limit: float = 6.0, n: int = 121) -> dict[str, np.ndarray]:
    """For each row of x (N, D), on one shared n x n grid over [-limit, limit]^2: the
    posterior mean, the distance from it to the encoder's mean in units of q's standard
    deviation (Mahalanobis), and the number of separated modes (grid cells that are local
    maxima holding at least 5% of the highest cell's density). Returns arrays of length N."""
    axis = torch.linspace(-limit, limit, n, dtype=torch.float64)
    g1, g2 = torch.meshgrid(axis, axis, indexing="ij")
    z = torch.stack([g1.reshape(-1), g2.reshape(-1)], 1)
    mu, logvar = model.encoder_params(torch.as_tensor(x, dtype=torch.float32))
    means, dist, modes = [], [], []
    for i in range(0, len(x), 200):
        lj = log_joint(model, x[i : i + 200], z)  # (B, G)
        w = torch.softmax(lj, 1)
        m = w @ z  # (B, 2)
        sd = torch.exp(0.5 * logvar[i : i + 200]).double()
        dist.append((((m - mu[i : i + 200].double()) / sd) ** 2).sum(1).sqrt())
        means.append(m)
        dens = lj.reshape(-1, n, n)
        pooled = torch.nn.functional.max_pool2d(dens[:, None], 3, 1, 1)[:, 0]
        peak = dens >= pooled
        strong = dens >= dens.amax((1, 2), keepdim=True) + np.log(0.05)
        modes.append((peak & strong).sum((1, 2)))
    return {
        "posterior_mean": torch.cat(means).numpy(),
        "offset_in_q_sd": torch.cat(dist).numpy(),
        "modes": torch.cat(modes).numpy(),
    }
