"""Point estimates and the Laplace approximation (Bishop, PRML section 4.4) for the models of
:mod:`.latent_models`.

MAP:      z* = argmax_z log p(x, z)                 (scipy L-BFGS with an autograd gradient)
Laplace:  q(z) = N(z*, H^-1),  H = -d^2/dz^2 log p(x, z) at z*  (autograd Hessian)

The Laplace approximation is exact when log p(x, z) is quadratic in z (the linear-Gaussian
model) and only locally right otherwise: it sees the curvature at one point, so it misses
skew, curved ridges and other modes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import minimize

from ..settings import torch_threads
from .gaussian import LOG_2PI, log_density
from .latent_models import LatentModel

#: why :func:`laplace_approximation` fails (a ValueError): the mode is not a strict maximum
NOT_POSITIVE_DEFINITE = "the negative Hessian at the mode is not positive definite"


def _torch_log_joint(model: LatentModel, x: np.ndarray) -> Callable[[torch.Tensor], torch.Tensor]:
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))
    return lambda z: model.log_joint_torch(xt, z)


def log_joint_grad(model: LatentModel, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Gradient of log p(x, z) with respect to z (D,), by autograd: returns (D,)."""
    zt = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    with torch_threads(1):
        (g,) = torch.autograd.grad(_torch_log_joint(model, x)(zt), zt)
    return g.numpy()


def neg_hessian(model: LatentModel, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """H = -d^2 log p(x, z) / dz dz^T at z (D,), by autograd: returns (D, D), symmetric."""
    zt = torch.as_tensor(np.asarray(z, dtype=np.float64))
    with torch_threads(1):
        h = -torch.autograd.functional.hessian(_torch_log_joint(model, x), zt).numpy()
    return 0.5 * (h + h.T)


def finite_differences(
    f: Callable[[np.ndarray], np.ndarray], z: np.ndarray, eps: float = 1e-4
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient (D,) and Hessian (D, D) of a scalar function at z (D,) by central differences
    (error O(eps^2), plus rounding of order |f| 1e-16 / eps^2 in the Hessian), from ONE call
    of ``f`` on all 1 + 2D + 2D(D-1) stencil points: ``f`` maps points (n, D) to values (n,),
    as ``LatentModel.log_joint(x, .)`` does. A cross-check of the autograd derivatives, and
    cheaper than them for the small D of notebooks 01-02 (one vectorized call, no graph)."""
    z = np.asarray(z, dtype=np.float64)
    d = len(z)
    e = np.eye(d) * eps
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    points = [z, *(z + e), *(z - e)]
    for i, j in pairs:
        points += [z + e[i] + e[j], z + e[i] - e[j], z - e[i] + e[j], z - e[i] - e[j]]
    v = np.asarray(f(np.stack(points)), dtype=np.float64)
    f0, plus, minus = v[0], v[1 : 1 + d], v[1 + d : 1 + 2 * d]
    grad = (plus - minus) / (2 * eps)
    h = np.diag((plus - 2 * f0 + minus) / eps**2)
    for k, (i, j) in enumerate(pairs):
        pp, pm, mp, mm = v[1 + 2 * d + 4 * k : 1 + 2 * d + 4 * k + 4]
        h[i, j] = h[j, i] = (pp - pm - mp + mm) / (4 * eps**2)
    return grad, h


def map_starts(model: LatentModel, n_starts: int = 8) -> np.ndarray:
    """:func:`find_map`'s default starting points (n_starts, D): the origin and
    ``n_starts - 1`` prior draws from ``np.random.default_rng(0)``."""
    rng = np.random.default_rng(0)
    scale = 1.0 / math.sqrt(model.alpha)
    return np.vstack([np.zeros(model.z_dim), rng.normal(0, scale, (n_starts - 1, model.z_dim))])


def find_map(
    model: LatentModel, x: np.ndarray, starts: np.ndarray | None = None, n_starts: int = 8
) -> np.ndarray:
    """MAP estimate z* (D,) maximising log p(x, z), by L-BFGS from several starting points
    (rows of ``starts`` (S, D), default: :func:`map_starts`); the best local optimum wins (the
    posterior may have several modes)."""
    if starts is None:
        starts = map_starts(model, n_starts)
    fn = _torch_log_joint(model, x)

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        zt = torch.tensor(z, requires_grad=True)
        val = -fn(zt)
        (g,) = torch.autograd.grad(val, zt)
        return float(val.detach()), g.numpy()

    best = None
    with torch_threads(1):
        for z0 in np.atleast_2d(starts):
            res = minimize(objective, z0, jac=True, method="BFGS", options={"gtol": 1e-9})
            if best is None or res.fun < best.fun:
                best = res
    return np.asarray(best.x, dtype=np.float64)


@dataclass(frozen=True)
class Laplace:
    """The Gaussian q(z) = N(mean, cov) at the MAP; ``log_evidence`` is Laplace's estimate
    log p(x) ~ log p(x, z*) + D/2 log(2 pi) - 1/2 log det H (nats)."""

    mean: np.ndarray
    cov: np.ndarray
    log_evidence: float

    def log_density(self, points: np.ndarray) -> np.ndarray:
        """log q(z) at points (N, D) -> (N,)."""
        return log_density(points, self.mean, self.cov)


def laplace_approximation(
    model: LatentModel, x: np.ndarray, mode: np.ndarray | None = None
) -> Laplace:
    """The Laplace approximation around ``mode`` (default: ``find_map(model, x)``)."""
    mode = find_map(model, x) if mode is None else np.asarray(mode, dtype=np.float64)
    h = neg_hessian(model, x, mode)
    sign, logdet = np.linalg.slogdet(h)
    if sign <= 0:
        raise ValueError(NOT_POSITIVE_DEFINITE)
    cov = np.linalg.inv(h)
    log_joint = float(model.log_joint(x, mode[None])[0])
    d = len(mode)
    return Laplace(mode, 0.5 * (cov + cov.T), log_joint + 0.5 * d * LOG_2PI - 0.5 * logdet)
