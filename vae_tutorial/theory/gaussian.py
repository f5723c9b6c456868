"""The Gaussian, once: log-density, and the KL divergences the series uses.

The KL of a Gaussian from the prior, KL(N(mu, diag sigma^2) || N(0, I)) = 1/2 sum(mu^2 +
sigma^2 - 1 - log sigma^2), is the paper's Appendix B; notebook 04 derives it. The functions
that take a prior precision ``alpha`` compare with N(0, alpha^-1 I) instead (the toy models
of notebooks 01-04). The KLs accept numpy arrays or torch tensors (then gradients flow).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

LOG_2PI = math.log(2 * math.pi)
#: Mahalanobis radii of the ellipses the figures draw (39%, 86%, 99% of a 2-D Gaussian)
MAHALANOBIS = (1.0, 2.0, 3.0)


def _xp(a: Any):
    """The array module of ``a``: torch for tensors, numpy otherwise."""
    if type(a).__module__.startswith("torch"):
        import torch

        return torch
    return np


def kl_diag_normal(mu: Any, logvar: Any, alpha: float = 1.0) -> Any:
    """KL(N(mu, diag exp(logvar)) || N(0, alpha^-1 I)) in nats, summed over the last axis:
    1/2 sum(alpha (mu^2 + sigma^2) - 1 - log alpha - log sigma^2). mu, logvar: (..., D) -> (...)."""
    xp = _xp(mu)
    inner = alpha * (mu**2 + xp.exp(logvar)) - 1.0 - logvar
    return 0.5 * (inner.sum(-1) - mu.shape[-1] * math.log(alpha))


def kl_to_prior(mu: Any, chol: Any, alpha: float = 1.0) -> Any:
    """KL(N(mu, L L^T) || N(0, alpha^-1 I)) in nats for a full covariance given by its lower
    Cholesky factor: mu (..., D), chol (..., D, D) -> (...)."""
    xp = _xp(mu)
    d = mu.shape[-1]
    tr = (chol**2).sum((-1, -2)) + (mu**2).sum(-1)
    diag = xp.diagonal(chol, 0, -2, -1)  # (..., D): the same call in numpy and torch
    logdet = 2 * xp.log(xp.abs(diag)).sum(-1)
    return 0.5 * (alpha * tr - d - d * math.log(alpha) - logdet)


def kl(m0: np.ndarray, s0: np.ndarray, m1: np.ndarray, s1: np.ndarray) -> float:
    """KL(N(m0, s0) || N(m1, s1)) in nats for means (D,) and covariances (D, D) (numpy)."""
    m0, m1 = np.atleast_1d(m0).astype(float), np.atleast_1d(m1).astype(float)
    s0, s1 = np.atleast_2d(s0).astype(float), np.atleast_2d(s1).astype(float)
    d = m1 - m0
    _, logdet0 = np.linalg.slogdet(s0)
    _, logdet1 = np.linalg.slogdet(s1)
    trace = np.trace(np.linalg.solve(s1, s0))
    return float(0.5 * (trace + d @ np.linalg.solve(s1, d) - len(d) + logdet1 - logdet0))


def log_density(points: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """log N(z; mean, cov) at points (N, D) (or one point (D,)) -> (N,) (or a float);
    mean (D,), cov (D, D) positive definite."""
    points = np.asarray(points, dtype=np.float64)
    single = points.ndim == 1
    points = np.atleast_2d(points)
    mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
    cov = np.atleast_2d(np.asarray(cov, dtype=np.float64))
    chol = np.linalg.cholesky(cov)
    sol = np.linalg.solve(chol, (points - mean).T)
    log_det = 2.0 * np.log(np.diag(chol)).sum()
    out = -0.5 * (np.sum(sol**2, axis=0) + log_det + mean.shape[0] * LOG_2PI)
    return float(out[0]) if single else out


def normal_pdf(z: np.ndarray, mean: float, var: float) -> np.ndarray:
    """N(z; mean, var) elementwise for a scalar Gaussian (numpy), for plotting densities."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-0.5 * (z - mean) ** 2 / var) / math.sqrt(2 * math.pi * var)


def ellipse(
    mean: np.ndarray, cov: np.ndarray, radius: float = 1.0, points: int = 200
) -> np.ndarray:
    """(points, 2) points on the ellipse at Mahalanobis distance ``radius`` from the mean
    of N(mean, cov), mean (2,), cov (2, 2), for drawing (radius 1, 2, 3 holds 39%, 86%, 99% of
    the mass)."""
    t = np.linspace(0, 2 * np.pi, points)
    return mean + radius * np.stack([np.cos(t), np.sin(t)], 1) @ np.linalg.cholesky(cov).T
