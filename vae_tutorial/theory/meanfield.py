"""Mean-field variational inference (Bishop, PRML section 10.1; Blei, Kucukelbir & McAuliffe
2017): closed-form coordinate ascent (CAVI)
on the linear-Gaussian model, and Gauss-Hermite quadrature mean-field on the sigmoid model.

Mean field restricts q(z) = prod_i q_i(z_i); the optimal factor given the others is
log q_i(z_i) = E_{q_-i}[log p(x, z)] + const. For the linear-Gaussian model this expectation
is a quadratic in z_i, so every update is closed form; for the sigmoid model it is not, and
the expectations must be computed numerically, at a cost of n^D likelihood evaluations for a
product rule with n nodes per dimension.

All arrays are numpy float64; z has shape (N, D), means (D,), covariances (D, D).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from numpy.polynomial.hermite_e import hermegauss
from scipy.optimize import minimize

from ..settings import torch_threads
from .conjugate import linear_gaussian_elbo
from .gaussian import kl_diag_normal, kl_to_prior
from .latent_models import LatentModel, LinearGaussian, SigmoidGaussian


def _kl_prior(mean: np.ndarray, cov: np.ndarray, alpha: float) -> float:
    """KL(N(mean, cov) || N(0, alpha^-1 I)) in nats, numpy in and out."""
    return float(kl_to_prior(np.atleast_1d(mean), np.linalg.cholesky(cov), alpha))


@dataclass(frozen=True)
class CAVIResult:
    """History of coordinate ascent: one row per single-factor update (row 0 = start)."""

    means: np.ndarray  # (T + 1, D) factor means m
    variances: np.ndarray  # (D,) factor variances 1 / Lambda_ii (their fixed point)
    elbos: np.ndarray  # (T + 1,) ELBO in nats after each update

    @property
    def mean(self) -> np.ndarray:
        """(D,) final mean-field mean."""
        return self.means[-1]

    @property
    def cov(self) -> np.ndarray:
        """(D, D) diagonal covariance of the final factorised q."""
        return np.diag(self.variances)


def cavi_linear_gaussian(
    model: LinearGaussian, x: np.ndarray, n_sweeps: int = 10, init: np.ndarray | None = None
) -> CAVIResult:
    """CAVI with Gaussian factors q_i = N(m_i, 1 / Lambda_ii), Lambda the posterior precision.

    Update of factor i (others fixed): m_i = (h_i - sum_{j != i} Lambda_ij m_j) / Lambda_ii
    with h = beta W^T x. ``n_sweeps`` passes over i = 1..D; ``init``: (D,) starting means
    (default: a point far from the answer so the path is visible)."""
    a, b, w = model.alpha, model.beta, model.W
    prec = a * np.eye(model.z_dim) + b * w.T @ w  # the posterior precision Lambda
    h = b * w.T @ np.asarray(x, dtype=np.float64)
    d = len(h)
    var = 1.0 / np.diag(prec)
    m = np.full(d, -2.0) if init is None else np.array(init, dtype=np.float64)
    # the variance updates do not depend on the means: set them once, then iterate the means
    means, elbos = [m.copy()], [linear_gaussian_elbo(x, a, b, w, m, np.diag(var))]
    for _ in range(n_sweeps):
        for i in range(d):
            m[i] = (h[i] - prec[i] @ m + prec[i, i] * m[i]) / prec[i, i]
            means.append(m.copy())
            elbos.append(linear_gaussian_elbo(x, a, b, w, m, np.diag(var)))
    return CAVIResult(means=np.array(means), variances=var, elbos=np.array(elbos))


# ----------------------------------------------------------------- Gauss-Hermite quadrature
def gauss_hermite(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes t (n,) and weights w (n,), n = ``nodes``, with sum_k w_k g(t_k) = E[g(t)],
    t ~ N(0, 1), exact for polynomials g of degree <= 2n - 1 (probabilists' Hermite rule;
    weights sum to 1)."""
    t, w = hermegauss(nodes)
    return t, w / math.sqrt(2 * math.pi)


def product_rule(mean: np.ndarray, scale: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Tensor-product Gauss-Hermite rule for N(mean, S) with n = ``nodes`` per dimension:
    points (n^D, D) and weights (n^D,).

    ``scale``: (D,) standard deviations (diagonal S) or a (D, D) lower Cholesky factor of S.
    The number of points, n^D, is the curse of dimensionality of mean-field quadrature."""
    mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
    d = len(mean)
    t, w = gauss_hermite(nodes)
    grids = np.meshgrid(*([t] * d), indexing="ij")
    unit = np.stack([g.reshape(-1) for g in grids], axis=1)  # (n^D, D)
    weights = np.prod(np.meshgrid(*([w] * d), indexing="ij"), axis=0).reshape(-1)
    scale = np.asarray(scale, dtype=np.float64)
    pts = mean + (unit * scale if scale.ndim == 1 else unit @ scale.T)
    return pts, weights


def gaussian_expectation(f, mean: np.ndarray, scale: np.ndarray, nodes: int = 20) -> np.ndarray:
    """E_{N(mean, S)}[f(z)] by the product rule (``nodes`` per dimension); f maps points
    (N, D) -> (N, ...)."""
    pts, w = product_rule(mean, scale, nodes)
    return np.tensordot(w, np.asarray(f(pts)), axes=(0, 0))


def gaussian_q_elbo(
    model: LatentModel, x: np.ndarray, mean: np.ndarray, scale: np.ndarray, nodes: int = 40
) -> float:
    """ELBO of q = N(mean, S) (``scale`` as in :func:`product_rule`) in nats:
    E_q[log p(x|z)] by Gauss-Hermite minus the closed-form KL(q || p(z)). For D <= 2."""
    scale = np.asarray(scale, dtype=np.float64)
    cov = np.diag(scale**2) if scale.ndim == 1 else scale @ scale.T
    ell = gaussian_expectation(lambda z: model.log_likelihood(x, z), mean, scale, nodes)
    return float(ell - _kl_prior(mean, cov, model.alpha))


# ----------------------------------------------------------------- sigmoid model, numerically
def _elbo_torch(model: LatentModel, x: torch.Tensor, m, log_s, nodes, weights) -> torch.Tensor:
    s = log_s.exp()
    z = m + nodes * s  # (n^D, D)
    ell = (weights * model.log_likelihood_torch(x, z)).sum()
    return ell - kl_diag_normal(m, 2 * log_s, model.alpha)


@dataclass(frozen=True)
class MeanFieldResult:
    """Gaussian mean-field factors q_i = N(means_i, stds_i^2), one row per factor update."""

    means: np.ndarray  # (T + 1, D)
    stds: np.ndarray  # (T + 1, D)
    elbos: np.ndarray  # (T + 1,) nats, Gauss-Hermite
    n_evals: np.ndarray  # (T + 1,) cumulative likelihood evaluations

    @property
    def cov(self) -> np.ndarray:
        """(D, D) diagonal covariance of the final q."""
        return np.diag(self.stds[-1] ** 2)


def meanfield_update(
    model: LatentModel,
    x: np.ndarray,
    means: np.ndarray,
    stds: np.ndarray,
    i: int,
    nodes: int = 12,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Coordinate update of factor i: maximise the ELBO over (m_i, log s_i) with the other
    Gaussian factors fixed. The expectation over all D factors uses the product rule with
    ``nodes`` per dimension (gradients by autograd through the nodes, BFGS).

    Returns (means (D,), stds (D,), ELBO in nats, likelihood evaluations used)."""
    rule = product_rule(np.zeros(len(means)), np.ones(len(means)), nodes)
    t, w = (torch.from_numpy(a) for a in rule)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))
    m0 = torch.as_tensor(means, dtype=torch.float64)
    ls0 = torch.as_tensor(np.log(stds), dtype=torch.float64)
    mask = torch.zeros(len(means), dtype=torch.float64)
    mask[i] = 1.0

    def neg(p: np.ndarray) -> tuple[float, np.ndarray]:
        p = torch.as_tensor(p, dtype=torch.float64).requires_grad_(True)
        val = -_elbo_torch(model, xt, m0 + mask * p[0], ls0 + mask * p[1], t, w)
        val.backward()
        return float(val.detach()), p.grad.numpy().copy()

    with torch_threads(1):
        start = neg(np.zeros(2))[0]
        res = minimize(neg, np.zeros(2), jac=True, method="BFGS")
    best = res.x if res.fun <= start else np.zeros(2)
    new_m, new_s = means.copy(), stds.copy()
    new_m[i] += best[0]
    new_s[i] *= math.exp(best[1])
    return new_m, new_s, -min(res.fun, start), (res.nfev + 1) * len(w)


def meanfield_gauss_hermite(
    model: LatentModel,
    x: np.ndarray,
    n_sweeps: int = 8,
    nodes: int = 12,
    init_means: np.ndarray | None = None,
) -> MeanFieldResult:
    """Coordinate ascent over Gaussian factors for any model with a torch likelihood.

    Each update maximises the ELBO over one factor, so the ELBO never decreases. Starts from
    the prior (or ``init_means`` with prior standard deviations)."""
    d = model.z_dim
    m = np.zeros(d) if init_means is None else np.array(init_means, dtype=np.float64)
    s = np.full(d, 1.0 / math.sqrt(model.alpha))
    pts, w = product_rule(m, s, nodes)
    e0 = float(w @ model.log_likelihood(x, pts)) - _kl_prior(m, np.diag(s**2), model.alpha)
    means, stds, elbos, evals = [m.copy()], [s.copy()], [e0], [len(w)]
    for _ in range(n_sweeps):
        for i in range(d):
            m, s, e, k = meanfield_update(model, x, m, s, i, nodes)
            means.append(m.copy())
            stds.append(s.copy())
            elbos.append(e)
            evals.append(evals[-1] + k)
    return MeanFieldResult(np.array(means), np.array(stds), np.array(elbos), np.array(evals))


def update_cost(
    d: int, nodes: int = 8, x_dim: int = 4, seed: int = 0, repeats: int = 3
) -> tuple[float, int]:
    """Cost of one mean-field update (factor 1) on a random sigmoid model with a D-dimensional
    latent, with ``nodes`` Gauss-Hermite nodes per dimension: (best wall-clock seconds of
    ``repeats``, likelihood evaluations). The evaluations grow like n^D."""
    rng = np.random.default_rng(seed)
    model = SigmoidGaussian(
        alpha=1.0, beta=20.0, W=rng.normal(0, 1.5, (x_dim, d)), b=rng.normal(0, 0.5, x_dim)
    )
    x = model.sample(1, rng)[1][0]
    m, s = np.zeros(d), np.ones(d)
    best, evals = math.inf, 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        *_, evals = meanfield_update(model, x, m, s, 0, nodes)
        best = min(best, time.perf_counter() - t0)
    return best, evals
