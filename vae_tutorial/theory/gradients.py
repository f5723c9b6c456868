"""Gradient estimators for the ELBO and per-datapoint SGVB (paper, sections 2.3-2.4).

The variational family is a Gaussian q(z) = N(mu, diag(sigma^2)) with parameters
(mu, log sigma). For an objective E_q[f(z)] two unbiased Monte Carlo gradient estimators are
compared, one gradient per sample z_l = mu + sigma * eps_l, eps_l ~ N(0, I):

- score function (REINFORCE): f(z_l) grad log q(z_l), which needs only values of f;
- pathwise (reparameterization): grad_mu = grad_z f(z_l), grad_{log sigma} = grad_z f(z_l) *
  sigma * eps_l, which needs the gradient of f (the paper's choice).

Then SGVB itself: fit a Gaussian q(z|x) for each observation by stochastic gradient ascent
on the estimator B of the ELBO (analytic KL), and an amortized encoder network that predicts
q(z|x) from x (a preview of AEVB, section 2.4 / notebook 05). torch float64 throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ..settings import torch_threads
from .gaussian import LOG_2PI, kl_to_prior
from .latent_models import LatentModel

LogF = Callable[[torch.Tensor], torch.Tensor]  # z (..., D) -> (...)


# ----------------------------------------------------------------- a target with known gradient
def gaussian_target_objective(mu: np.ndarray, log_sigma: np.ndarray, a: np.ndarray, c: np.ndarray):
    """E_q[log N(z; a, C)] for q = N(mu, diag(sigma^2)), and its exact gradient.

    mu, log_sigma, a: (D,); c: (D, D) covariance of the target. Returns (value in nats,
    gradient (2D,) = [d/dmu, d/dlog sigma]) with d/dmu = -C^-1 (mu - a) and
    d/dlog sigma_i = -(C^-1)_ii sigma_i^2."""
    p = np.linalg.inv(c)
    s2 = np.exp(2 * log_sigma)
    r = mu - a
    val = -0.5 * (len(a) * LOG_2PI + np.linalg.slogdet(c)[1] + r @ p @ r + np.diag(p) @ s2)
    return float(val), np.concatenate([-p @ r, -np.diag(p) * s2])


def gaussian_log_density_torch(a: np.ndarray, c: np.ndarray) -> LogF:
    """z (..., D) -> log N(z; a, C) as a torch function (the f of the estimators)."""
    dist = torch.distributions.MultivariateNormal(
        torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(c, dtype=torch.float64)
    )
    return dist.log_prob


# ----------------------------------------------------------------- per-sample gradients
def _draw(mu: np.ndarray, log_sigma: np.ndarray, draws: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    mu_t = torch.as_tensor(mu, dtype=torch.float64)
    sig = torch.as_tensor(log_sigma, dtype=torch.float64).exp()
    eps = torch.randn((draws, len(mu_t)), generator=g, dtype=torch.float64)
    return mu_t, sig, eps


def score_function_grads(
    log_f: LogF, mu: np.ndarray, log_sigma: np.ndarray, draws: int, seed: int = 0
) -> np.ndarray:
    """``draws`` single-sample score-function gradients of E_q[f] wrt (mu, log sigma), one per
    draw z ~ q (average them with :func:`batch_means`): (draws, 2D).

    f(z) grad log q(z) with grad_mu log q = eps / sigma and grad_{log sigma} log q = eps^2 - 1.
    """
    mu_t, sig, eps = _draw(mu, log_sigma, draws, seed)
    with torch.no_grad():
        f = log_f(mu_t + sig * eps)[:, None]
    return torch.cat([f * eps / sig, f * (eps**2 - 1)], dim=1).numpy()


def pathwise_grads(
    log_f: LogF, mu: np.ndarray, log_sigma: np.ndarray, draws: int, seed: int = 0
) -> np.ndarray:
    """``draws`` single-sample pathwise gradients of E_q[f] wrt (mu, log sigma), one per draw
    z ~ q (average them with :func:`batch_means`): (draws, 2D).

    With z = mu + sigma * eps: grad_mu = grad_z f(z), grad_{log sigma} = grad_z f(z) sigma eps.
    """
    mu_t, sig, eps = _draw(mu, log_sigma, draws, seed)
    z = (mu_t + sig * eps).requires_grad_(True)
    (gz,) = torch.autograd.grad(log_f(z).sum(), z)  # samples are independent: per-sample grads
    return torch.cat([gz, gz * sig * eps], dim=1).numpy()


def batch_means(per_sample: np.ndarray, n_samples: int) -> np.ndarray:
    """Estimates averaging ``n_samples`` (L) single-sample gradients: (R * L, P) -> (R, P)."""
    r = per_sample.shape[0] // n_samples
    return per_sample[: r * n_samples].reshape(r, n_samples, -1).mean(1)


# ----------------------------------------------------------------- ELBO estimators A and B
def gaussian_loglik_torch(model: LatentModel, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """log p(x_b | z_b) for a Gaussian-likelihood toy model with one latent per observation:
    x (B, X), z (..., B, D) -> (..., B)."""
    f = model.mean_function_torch(z)
    const = 0.5 * model.x_dim * (math.log(model.beta) - LOG_2PI)
    return const - 0.5 * model.beta * ((x - f) ** 2).sum(-1)


def elbo_estimates(
    model: LatentModel,
    x: np.ndarray,
    mu: np.ndarray,
    log_sigma: np.ndarray,
    n_samples: int,
    n_rep: int,
    kl: str = "analytic",
    seed: int = 0,
) -> np.ndarray:
    """``n_rep`` independent SGVB estimates of the ELBO of q = N(mu, diag sigma^2) for one x,
    each with L = ``n_samples`` draws: (n_rep,) nats. ``kl="analytic"``: estimator B (eq. 7);
    ``kl="monte_carlo"``: estimator A (eq. 6). Same as ``estimators.elbo`` with a prior
    precision alpha instead of 1."""
    mu_t, sig, eps = _draw(mu, log_sigma, n_samples * n_rep, seed)
    z = (mu_t + sig * eps).reshape(n_rep, n_samples, -1)
    xt = torch.as_tensor(x, dtype=torch.float64).reshape(1, -1)
    with torch.no_grad():
        ll = gaussian_loglik_torch(model, xt, z[..., None, :])[..., 0]  # (R, L)
        if kl == "analytic":
            out = ll.mean(1) - kl_to_prior(mu_t, torch.diag(sig), model.alpha)
        elif kl == "monte_carlo":
            log_p = model.log_prior_torch(z)
            log_q = (-0.5 * eps**2 - torch.log(sig) - 0.5 * LOG_2PI).sum(-1)
            out = (ll + log_p - log_q.reshape(n_rep, n_samples)).mean(1)
        else:
            raise ValueError(f"kl must be 'analytic' or 'monte_carlo', got {kl!r}")
    return out.numpy()


# ----------------------------------------------------------------- SGVB per datapoint
def _chol(raw: torch.Tensor, full: bool) -> torch.Tensor:
    """Unconstrained (..., D, D) -> lower Cholesky factor with a positive (exp) diagonal."""
    diag = torch.diag_embed(torch.diagonal(raw, dim1=-2, dim2=-1).exp())
    return diag + (torch.tril(raw, diagonal=-1) if full else 0.0)


def sgvb_objective(model, x, mu, chol, n_samples, generator) -> torch.Tensor:
    """Estimator B of the ELBO for B observations with their own Gaussian q's, (B,) nats.
    x (B, X), mu (B, D), chol (B, D, D)."""
    eps = torch.randn((n_samples, *mu.shape), generator=generator, dtype=mu.dtype)
    z = mu + (chol @ eps[..., None])[..., 0]  # (L, B, D)
    return gaussian_loglik_torch(model, x, z).mean(0) - kl_to_prior(mu, chol, model.alpha)


@dataclass(frozen=True)
class SGVBFit:
    """Fitted Gaussian q's for B observations and the training trace."""

    mean: np.ndarray  # (B, D)
    chol: np.ndarray  # (B, D, D) lower Cholesky factors of the covariances
    elbos: np.ndarray  # (T,) single-draw SGVB estimate averaged over the B observations

    @property
    def cov(self) -> np.ndarray:
        """(B, D, D) covariances of q."""
        return self.chol @ np.swapaxes(self.chol, -1, -2)


def fit_gaussian_q(
    model: LatentModel,
    x: np.ndarray,
    n_steps: int = 2000,
    lr: float = 0.05,
    n_samples: int = 4,
    full_cov: bool = True,
    seed: int = 0,
) -> SGVBFit:
    """Per-datapoint SGVB: one Gaussian q(z) per row of x (B, X) (or one x (X,)), fitted by
    Adam (step size decayed to 0 on a cosine schedule, so the noisy iterates settle) on
    estimator B with L = ``n_samples`` reparameterized draws per step, from q = N(0, I).
    ``full_cov``: a full covariance through its Cholesky factor; otherwise diagonal."""
    xt = torch.as_tensor(np.atleast_2d(x), dtype=torch.float64)
    b, d = xt.shape[0], model.z_dim
    g = torch.Generator().manual_seed(seed)
    mu = torch.zeros((b, d), dtype=torch.float64, requires_grad=True)
    raw = torch.zeros((b, d, d), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([mu, raw], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, n_steps)
    trace = np.empty(n_steps)
    with torch_threads(1):
        for step in range(n_steps):
            opt.zero_grad()
            obj = sgvb_objective(model, xt, mu, _chol(raw, full_cov), n_samples, g)
            (-obj.sum()).backward()
            opt.step()
            sched.step()
            trace[step] = float(obj.detach().mean())
        with torch.no_grad():
            chol = _chol(raw, full_cov)
    return SGVBFit(mu.detach().numpy().copy(), chol.numpy().copy(), trace)


# ----------------------------------------------------------------- amortized encoder (AEVB preview)
class GaussianEncoder(torch.nn.Module):
    """A tiny encoder q(z|x): x (B, X) -> mu (B, D) and a lower Cholesky factor (B, D, D)."""

    def __init__(self, x_dim: int, z_dim: int, hidden: int = 32, full_cov: bool = True):
        super().__init__()
        self.z_dim, self.full_cov = z_dim, full_cov
        self.net = torch.nn.Sequential(
            torch.nn.Linear(x_dim, hidden),
            torch.nn.Tanh(),
            torch.nn.Linear(hidden, hidden),
            torch.nn.Tanh(),
            torch.nn.Linear(hidden, z_dim + z_dim * z_dim),
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.net(x)
        raw = out[:, self.z_dim :].reshape(-1, self.z_dim, self.z_dim)
        return out[:, : self.z_dim], _chol(raw, self.full_cov)


def fit_encoder(
    model: LatentModel,
    x_train: np.ndarray,
    n_steps: int = 2000,
    batch_size: int = 100,
    lr: float = 3e-3,
    n_samples: int = 1,
    seed: int = 0,
) -> tuple[GaussianEncoder, np.ndarray]:
    """Amortized SGVB: train one encoder on all rows of x_train (N, X) with minibatches
    (Adam, cosine-decayed step size).
    Returns (encoder in float64, (T,) minibatch ELBO trace in nats per datapoint)."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    xt = torch.as_tensor(x_train, dtype=torch.float64)
    enc = GaussianEncoder(model.x_dim, model.z_dim).double()
    opt = torch.optim.Adam(enc.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, n_steps)
    trace = np.empty(n_steps)
    with torch_threads(1):
        for step in range(n_steps):
            idx = torch.randint(0, xt.shape[0], (batch_size,), generator=g)
            mu, chol = enc(xt[idx])
            obj = sgvb_objective(model, xt[idx], mu, chol, n_samples, g).mean()
            opt.zero_grad()
            (-obj).backward()
            opt.step()
            sched.step()
            trace[step] = float(obj.detach())
    return enc, trace


def encode(enc: GaussianEncoder, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """q(z|x) of a trained encoder: x (B, X) -> (mean (B, D), Cholesky factor (B, D, D))."""
    with torch.no_grad():
        mu, chol = enc(torch.as_tensor(np.atleast_2d(x), dtype=torch.float64))
    return mu.numpy(), chol.numpy()
