"""The true posterior of a trained VAE with a 2-D latent, beside what the encoder guesses.

For one datapoint x: the exact p(z|x) on a grid (:mod:`vae_tutorial.core.exact`), the
encoder's q(z|x), and the best diagonal Gaussian for this one x (:func:`best_gaussian`). A
local search started at the encoder's q stays in a local optimum when q sits far from the
posterior's mass, and then most of what it calls the approximation gap is optimisation
failure; so the search starts from the exact posterior's moments and from each of its modes
as well as from the encoder, fits each start by minimising KL(q || p(z|x)) on the grid (the
ELBO is log p(x) minus that KL), and keeps the best by one shared Monte Carlo ELBO. Its ELBO
is never below the Gaussian matched to the posterior's mean and marginal variances, which is
one of the candidates; it is still the best of a multistart local search, so the approximation
gap it gives is an upper bound on the true one and the amortization gap a lower bound (checked
against random restarts in the tests). With log p(x) exact, the gap splits with no estimator
noise beyond the ELBO's Monte Carlo (4,000 shared draws):

    log p(x) - ELBO(encoder q) = [log p(x) - ELBO(best q)] + [ELBO(best q) - ELBO(encoder q)]
                                   approximation gap            amortization gap

(Cremer, Li & Duvenaud 2018). :func:`scan` looks at many digits at once on one shared coarse
grid, to find those whose posterior sits far from q or has two modes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from scipy.optimize import minimize

from ..core.estimators import elbo_of_q
from ..core.exact import log_joint, log_px_grid, posterior_grid
from ..core.model import VAE
from ..settings import torch_threads
from ..theory.gaussian import log_density
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
    #: every candidate Gaussian tried: name -> (mean (2,), variance (2,), ELBO nats)
    candidates: dict[str, tuple[np.ndarray, np.ndarray, float]] = field(default_factory=dict)
    best_from: str = ""

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


def posterior_modes(post: GridPosterior, share: float = 0.05) -> np.ndarray:
    """(M, 2) the grid posterior's separated modes, highest first: grid points that are local
    maxima of the density over their 3 x 3 neighbourhood and hold at least ``share`` of the
    highest point's density (the rule :func:`scan` counts modes by)."""
    lj = post.log_joint.reshape(post.grid.shape)
    padded = np.pad(lj, 1, constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))
    peak = (lj >= windows.max((-1, -2))) & (lj >= lj.max() + np.log(share))
    flat = np.flatnonzero(peak.reshape(-1))
    flat = flat[np.argsort(-post.log_joint[flat])]
    return post.grid.points[flat]


def fit_on_grid(post: GridPosterior, mu: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, ...]:
    """The diagonal Gaussian nearest ``post`` in KL(q || p(z|x)) on the grid, by L-BFGS over
    (mean, log variance) from (mu, var), each (2,). The ELBO of q is log p(x) minus this KL.
    On the grid the KL is that of q restricted to the box and renormalised, which equals the
    true KL only when q's mass lies inside the box; so standard deviations are kept between half
    a cell and an eighth of the box (a q centred in the box then has 4 standard deviations of
    room) and means inside the box, and :func:`best_gaussian` scores every fit by a Monte Carlo
    ELBO, which does not depend on the box. A local search: it returns the optimum nearest its
    start, which is why :func:`best_gaussian` starts it where the posterior's mass is."""
    pts, (lo1, hi1, lo2, hi2) = post.grid.points, post.grid.extent
    cell, width = min(post.grid.spacing), min(hi1 - lo1, hi2 - lo2)
    lv_lo, lv_hi = 2 * np.log(cell / 2), 2 * np.log(width / 8)

    def kl(theta: np.ndarray) -> float:
        return post.kl_from(log_density(pts, theta[:2], np.diag(np.exp(theta[2:]))))

    start = np.concatenate([mu, np.clip(np.log(var), lv_lo, lv_hi)])
    bounds = [(lo1, hi1), (lo2, hi2), (lv_lo, lv_hi), (lv_lo, lv_hi)]
    start[:2] = np.clip(start[:2], [lo1, lo2], [hi1, hi2])
    res = minimize(kl, start, method="L-BFGS-B", bounds=bounds)
    return res.x[:2], np.exp(res.x[2:])


def best_gaussian(
    model: VAE, x: torch.Tensor, post: GridPosterior, steps: int = 300
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, float]], str]:
    """Candidate diagonal Gaussians q for one datapoint x (1, D) with exact posterior ``post``:
    the encoder's q; the encoder's q improved by ``steps`` Adam steps of SGVB
    (:func:`~vae_tutorial.studies.amortization.optimize_q`); the Gaussian matched to the
    posterior's mean and marginal variances ("moments"); and :func:`fit_on_grid` started from
    the moments and from each mode (with the moments' variances). Returns name -> (mean,
    variance, ELBO from 4,000 shared draws) and the name of the best (encoder excluded)."""
    with torch.no_grad():
        mu0, lv0 = model.encoder_params(x)
    mu1, lv1, _ = optimize_q(model, x, steps=steps, lr=0.02, n_samples=20, seed=0)
    starts = {
        "encoder": (mu0[0].double().numpy(), lv0[0].exp().double().numpy()),
        "encoder + Adam": (mu1[0].double().numpy(), lv1[0].exp().double().numpy()),
        "moments": (post.mean, np.diag(post.cov).copy()),
    }
    starts["fit from moments"] = fit_on_grid(post, *starts["moments"])
    for j, m in enumerate(posterior_modes(post)[:4]):
        starts[f"fit from mode {j + 1}"] = fit_on_grid(post, m, np.diag(post.cov) / 4)
    out = {}
    for name, (mu, var) in starts.items():
        t_mu = torch.as_tensor(mu, dtype=torch.float32)[None]
        t_lv = torch.as_tensor(np.log(var), dtype=torch.float32)[None]
        out[name] = (
            np.asarray(mu, np.float64),
            np.asarray(var, np.float64),
            _elbo(model, x, t_mu, t_lv),
        )
    best = max((n for n in out if n != "encoder"), key=lambda n: out[n][2])
    return out, best


def report(model: VAE, x: torch.Tensor, resolution: int = 121, steps: int = 300) -> PosteriorReport:
    """The exact posterior of one datapoint x (D,) on a ``resolution`` x ``resolution`` grid,
    the encoder's q and the best Gaussian (:func:`best_gaussian`), and the gaps (ELBOs from
    4,000 shared draws)."""
    if model.z_dim != 2:
        raise ValueError(f"needs a 2-D latent; this model has {model.z_dim}")
    x = torch.as_tensor(x, dtype=torch.float32).reshape(1, -1)
    with torch_threads(1):
        exact = log_px_grid(model, x)
        post = posterior_grid(model, x[0], box=tuple(exact.box[0]), resolution=resolution)
        cands, best = best_gaussian(model, x, post, steps=steps)
    return PosteriorReport(
        posterior=post,
        encoder=cands["encoder"][:2],
        best=cands[best][:2],
        log_px=float(exact.log_px[0]),
        elbo_encoder=cands["encoder"][2],
        elbo_best=cands[best][2],
        candidates=cands,
        best_from=best,
    )


@torch.inference_mode()
def scan(
    model: VAE, x: torch.Tensor, limit: float = 6.0, resolution: int = 121
) -> dict[str, np.ndarray]:
    """For each row of x (N, D), on one shared ``resolution`` x ``resolution`` grid over
    [-limit, limit]^2: the posterior mean, the distance from it to the encoder's mean in units
    of q's standard deviation (Mahalanobis), and the number of separated modes (grid cells
    that are local maxima holding at least 5% of the highest cell's density). Returns arrays
    of length N."""
    axis = torch.linspace(-limit, limit, resolution, dtype=torch.float64)
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
        dens = lj.reshape(-1, resolution, resolution)
        pooled = torch.nn.functional.max_pool2d(dens[:, None], 3, 1, 1)[:, 0]
        peak = dens >= pooled
        strong = dens >= dens.amax((1, 2), keepdim=True) + np.log(0.05)
        modes.append((peak & strong).sum((1, 2)))
    return {
        "posterior_mean": torch.cat(means).numpy(),
        "offset_in_q_sd": torch.cat(dist).numpy(),
        "modes": torch.cat(modes).numpy(),
    }
