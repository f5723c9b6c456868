"""Closed forms for the conjugate linear-Gaussian model (Bishop, PRML sections 2.3.3 and 12.2).

    z ~ N(0, alpha^-1 I_D),   x_m | z ~ N(W z, beta^-1 I_X),   m = 1..M (i.i.d. given z)

Completing the square gives a Gaussian posterior with

    precision  Lambda = alpha I + M beta W^T W,   mean  Lambda^-1 beta W^T sum_m x_m,

which for W = I and M = 1 is mean beta / (alpha + beta) x and variance 1 / (alpha + beta). The
marginal likelihood of one x is N(0, alpha^-1 W W^T + beta^-1 I) (probabilistic PCA).
x is (X,) for one observation or (M, X) for M observations; all arrays are float64.
"""

from __future__ import annotations

import numpy as np

from .gaussian import kl, log_density


def _obs(x: np.ndarray, x_dim: int) -> np.ndarray:
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if x.shape[-1] != x_dim:
        raise ValueError(f"x needs {x_dim} entries per observation, got shape {x.shape}")
    return x


def identity_posterior(x: np.ndarray | float, alpha: float, beta: float) -> tuple[float, float]:
    """f(z) = z with a scalar latent: observations x (M,) or a float -> (mean, variance).

    mean = beta sum(x) / (alpha + M beta), variance = 1 / (alpha + M beta); for M = 1:
    beta / (alpha + beta) x and 1 / (alpha + beta)."""
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    precision = alpha + x.size * beta
    return float(beta * x.sum() / precision), float(1.0 / precision)


def linear_gaussian_posterior(
    x: np.ndarray, alpha: float, beta: float, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior of z for f(z) = W z, W (X, D): returns mean (D,) and covariance (D, D),
    mean = (alpha I + M beta W^T W)^-1 beta W^T sum_m x_m, cov = (alpha I + M beta W^T W)^-1."""
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    x = _obs(x, W.shape[0])
    precision = alpha * np.eye(W.shape[1]) + x.shape[0] * beta * W.T @ W
    cov = np.linalg.inv(precision)
    cov = 0.5 * (cov + cov.T)
    return cov @ (beta * W.T @ x.sum(0)), cov


def marginal_cov(alpha: float, beta: float, W: np.ndarray) -> np.ndarray:
    """Covariance (X, X) of one observation with z integrated out: W W^T / alpha + I / beta."""
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    return W @ W.T / alpha + np.eye(W.shape[0]) / beta


def log_marginal_likelihood(x: np.ndarray, alpha: float, beta: float, W: np.ndarray) -> float:
    """log p(x) in nats for x (X,) or M observations (M, X) sharing one z.

    One observation: log N(x; 0, W W^T / alpha + I / beta). Several: the stacked vector
    (M X,) is Gaussian with covariance (1 1^T) kron (W W^T / alpha) + I / beta."""
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    x = _obs(x, W.shape[0])
    m, d = x.shape
    cov = np.kron(np.ones((m, m)), W @ W.T / alpha) + np.eye(m * d) / beta
    return log_density(x.reshape(-1), np.zeros(m * d), cov)


def log_evidence_by_bayes_rule(
    x: np.ndarray, alpha: float, beta: float, W: np.ndarray, z: np.ndarray | None = None
) -> float:
    """log p(x) = log p(x|z) + log p(z) - log p(z|x), true at ANY z (D,) (default: the
    posterior mean). A second route to the evidence, used to cross-check the first."""
    from .latent_models import LinearGaussian

    model = LinearGaussian(alpha=alpha, beta=beta, W=W)
    mean, cov = linear_gaussian_posterior(x, alpha, beta, W)
    z = mean if z is None else np.asarray(z, dtype=np.float64)
    return float(model.log_joint(x, z[None])[0] - log_density(z, mean, cov))


def linear_gaussian_elbo(
    x: np.ndarray, alpha: float, beta: float, W: np.ndarray, mean: np.ndarray, cov: np.ndarray
) -> float:
    """The ELBO (nats) of a Gaussian q(z) = N(mean, cov) in the linear-Gaussian model:

        E_q[log p(x|z)] - KL(q || p(z)),
        E_q[log p(x_m|z)] = X/2 log(beta / 2 pi) - beta/2 (||x_m - W mean||^2 + tr(W cov W^T)).

    It equals log p(x) - KL(q || p(z|x)) <= log p(x), with equality at the exact posterior."""
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    x = _obs(x, W.shape[0])
    mean, cov = np.atleast_1d(mean).astype(float), np.atleast_2d(cov).astype(float)
    m, xd = x.shape
    resid = np.sum((x - W @ mean) ** 2)
    expected_ll = 0.5 * m * xd * np.log(beta / (2 * np.pi)) - 0.5 * beta * (
        resid + m * np.trace(W @ cov @ W.T)
    )
    d = W.shape[1]
    kl_prior = kl(mean, cov, np.zeros(d), np.eye(d) / alpha)
    return float(expected_ll - kl_prior)
