"""Reparameterizations beyond the Gaussian (paper, section 2.4).

A distribution q_phi(z) is reparameterizable when z = g_phi(eps) for noise eps whose
distribution does not depend on phi and a g that is differentiable in phi. Then
E_q[f(z)] = E_eps[f(g_phi(eps))] and its gradient moves inside the expectation. The three
recipes of the paper: a tractable inverse CDF (exponential), a location-scale family
(Gaussian, scale changes), and composition (gamma with integer shape = sum of exponentials).

Functions accept numpy arrays or torch tensors (then gradients flow through the parameters).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

Array = np.ndarray | torch.Tensor


def _log1m(u: Array) -> Array:
    return torch.log1p(-u) if isinstance(u, torch.Tensor) else np.log1p(-u)


def exponential_from_uniform(u: Array, rate: Array) -> Array:
    """Inverse CDF of Exp(rate): z = -log(1 - u) / rate for u ~ U[0, 1) (any shape), z >= 0."""
    return -_log1m(u) / rate


def gamma_from_uniforms(u: Array, scale: Array) -> Array:
    """Gamma(k, scale) for integer shape k as a sum of k exponentials:
    z = -scale * sum_i log(1 - u_i), u (..., k) uniform -> z (...). Shape k is the last axis."""
    return -scale * _log1m(u).sum(-1)


def location_scale(eps: Array, loc: Array, scale: Array) -> Array:
    """z = loc + scale * eps: N(0, 1) noise -> N(loc, scale^2) (the paper's Gaussian case);
    also a pure scale change when loc = 0 (e.g. Exp(1) -> Exp(1 / scale))."""
    return loc + scale * eps


def ks_pvalue(samples: np.ndarray, dist: stats.rv_continuous) -> float:
    """p-value of the Kolmogorov-Smirnov test of ``samples`` (n,) against a frozen scipy
    distribution ``dist``; small (< 0.01) means the sampler is wrong."""
    return float(stats.kstest(np.asarray(samples), dist.cdf).pvalue)


def pathwise_grad_exponential_mean(
    rate: float, n_samples: int, seed: int = 0
) -> tuple[float, float]:
    """Pathwise Monte Carlo estimate of d/d rate E[z], z ~ Exp(rate), through the inverse CDF,
    averaging ``n_samples`` draws: (estimate, standard error). The exact value is -1 / rate^2."""
    g = torch.Generator().manual_seed(seed)
    lam = torch.tensor(float(rate), dtype=torch.float64, requires_grad=True)
    u = torch.rand(n_samples, generator=g, dtype=torch.float64)
    z = exponential_from_uniform(u, lam)
    (per_sample,) = torch.autograd.grad(z.sum(), lam)  # sum of dz_i/d rate
    # dz/d rate = -z / rate for each sample: the spread gives the standard error
    d = (-z / lam).detach().numpy()
    return float(per_sample) / n_samples, float(d.std(ddof=1) / np.sqrt(n_samples))


def pathwise_grad_gamma_mean(
    shape: int, scale: float, n_samples: int, seed: int = 0
) -> tuple[float, float]:
    """Pathwise estimate of d/d scale E[z], z ~ Gamma(shape, scale) (integer shape) by the
    sum-of-exponentials reparameterization, averaging ``n_samples`` draws: (estimate, standard
    error); exact = shape."""
    g = torch.Generator().manual_seed(seed)
    th = torch.tensor(float(scale), dtype=torch.float64, requires_grad=True)
    u = torch.rand((n_samples, shape), generator=g, dtype=torch.float64)
    z = gamma_from_uniforms(u, th)
    (total,) = torch.autograd.grad(z.sum(), th)
    d = (z / th).detach().numpy()
    return float(total) / n_samples, float(d.std(ddof=1) / np.sqrt(n_samples))
