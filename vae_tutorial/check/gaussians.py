"""Checkers for notebook 04: the Gaussian KL to the prior (ground truth
:func:`~vae_tutorial.theory.gaussian.kl_diag_normal`) and the reparameterization
z = g(eps, mu, logvar) (ground truth :class:`~vae_tutorial.core.latents.GaussianLatent`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..theory.gaussian import kl_diag_normal
from ._harness import Case, Verdict, run

_R = np.random.default_rng(4)


def _r(*shape: int, scale: float = 1.0) -> np.ndarray:
    return np.round(scale * _R.normal(size=shape), 2)


#: (label, mu, logvar): several shapes, a batch, the prior itself and extreme variances
KL_INPUTS = [
    ("one vector in 3 dimensions", _r(3), _r(3)),
    ("a batch of 4 vectors in 3 dimensions", _r(4, 3), _r(4, 3)),
    ("one vector in 1 dimension", _r(1), _r(1)),
    ("q equal to the prior (the KL is 0)", np.zeros(2), np.zeros(2)),
    ("a (2, 5, 2) batch", _r(2, 5, 2), _r(2, 5, 2)),
    ("extreme variances", np.array([0.5, -2.0]), np.array([-6.0, 4.0])),
]


def _terms(c: Case, var=None, log_sign: float = 1, const: float = -1, mean_term: bool = True):
    """Per-dimension KL terms with one typical slip (variance, sign, constant or mean term)."""
    mu, lv = c.args
    var = np.exp(lv) if var is None else var
    return (mu**2 if mean_term else 0) + var + const - log_sign * lv


def _half_sum(t: np.ndarray) -> np.ndarray:
    return 0.5 * t.sum(-1)


def gaussian_kl(fn: Callable) -> Verdict:
    """Check ``fn(mu, logvar) -> KL(N(mu, diag exp(logvar)) || N(0, I))`` in nats, summed over
    the last axis (notebook 04). mu, logvar: numpy arrays (..., D) -> (...), one KL per vector."""
    cases = [Case(s, (m, v), kl_diag_normal(m, v), {"mu": m, "logvar": v}) for s, m, v in KL_INPUTS]
    d = lambda c: c.args[0].shape[-1]  # noqa: E731
    mistakes = [
        (lambda c: 2 * c.expected, "a factor 1/2 is missing."),
        (lambda c: c.expected / 2, "there is one factor 1/2 too many."),
        (
            lambda c: c.expected / d(c),
            "you averaged over the latent dimensions: the KL of a "
            "diagonal Gaussian is a sum over dimensions, not a mean.",
        ),
        (
            lambda c: _half_sum(_terms(c, log_sign=-1)),
            "the sign of the log-variance term is flipped.",
        ),
        (lambda c: _half_sum(_terms(c, const=1)), "the sign of the constant term is flipped."),
        (
            lambda c: _half_sum(_terms(c, var=np.exp(c.args[1] / 2))),
            "logvar is the log of the "
            "variance: the term that needs the variance got the standard deviation.",
        ),
        (
            lambda c: _half_sum(_terms(c, var=c.args[1])),
            "logvar is a logarithm: the variance term needs it exponentiated.",
        ),
        (
            lambda c: _half_sum(_terms(c, mean_term=False)),
            "the mean's contribution (the distance of mu from the prior mean 0) is missing.",
        ),
        (
            lambda c: _half_sum(_terms(c, log_sign=0.5)),
            "logvar is already log sigma^2; the log-variance term needs no halving.",
        ),
        (
            lambda c: _half_sum(np.exp(-c.args[1]) * (c.args[0] ** 2 + 1) - 1 + c.args[1]),
            "this is the KL in the other direction, KL(p || q); the exercise asks for KL(q || p).",
        ),
        (
            lambda c: c.expected.sum(),
            "you summed over the batch axes too: sum over the last axis only, one KL per vector.",
        ),
        (lambda c: c.expected.mean(), "you averaged over the batch: return one KL per vector."),
        (lambda c: 0.5 * _terms(c), "sum the per-dimension terms over the last axis."),
    ]
    return run(
        "gaussian_kl",
        fn,
        cases,
        mistakes,
        against="the closed form",
        shape="one KL per vector: reduce over the last axis only (mu (..., D) -> (...)).",
        fallback="check your function at mu = 0, logvar = 0 (the KL must be 0) and compare "
        "each term with the derivation in notebook 04 (Appendix B of the paper).",
    )


#: (label, mu, logvar, eps): eps may carry a leading axis of L noise draws
REPARAM_INPUTS = [
    ("one vector in 3 dimensions", _r(3), _r(3), _r(3)),
    ("a batch of 4 vectors in 2 dimensions", _r(4, 2), _r(4, 2, scale=1.5), _r(4, 2)),
    ("L = 5 noise draws for a batch of 2", _r(2, 3), _r(2, 3), _r(5, 2, 3)),
    ("unit variance (logvar = 0)", _r(2), np.zeros(2), _r(2)),
    ("a very narrow q", np.array([1.0, -1.0]), np.array([-8.0, -8.0]), np.array([2.0, -0.5])),
]


def _transform(mu: np.ndarray, logvar: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """The VAE's own reparameterization, GaussianLatent.transform, in float64."""
    import torch

    from ..core.latents import GaussianLatent

    t = lambda a: torch.as_tensor(a, dtype=torch.float64)  # noqa: E731
    z = GaussianLatent(mu.shape[-1]).transform((t(mu), t(logvar)), t(eps))
    return z.numpy()


def reparameterize(fn: Callable) -> Verdict:
    """Check ``fn(mu, logvar, eps) -> z``: the reparameterized draw from N(mu, diag
    exp(logvar)) for the standard-normal noise ``eps`` (notebook 04). mu, logvar: numpy arrays
    (..., D); eps: the same shape or with leading noise axes (L, ..., D) -> z shaped like eps."""
    cases = [
        Case(s, (m, v, e), _transform(m, v, e), {"mu": m, "logvar": v, "eps": e})
        for s, m, v, e in REPARAM_INPUTS
    ]
    mistakes = [
        (
            lambda c: c.args[0] + np.exp(c.args[1]) * c.args[2],
            "exp(logvar) is the variance, "
            "not the standard deviation: the noise must be scaled by the standard deviation.",
        ),
        (
            lambda c: c.args[0] + c.args[1] * c.args[2],
            "logvar is a logarithm: turn it into a standard deviation before scaling the noise.",
        ),
        (
            lambda c: c.args[0] + np.exp(-c.args[1] / 2) * c.args[2],
            "you scaled the noise by one over the standard deviation.",
        ),
        (
            lambda c: c.args[0] - np.exp(c.args[1] / 2) * c.args[2],
            "with the same eps, z must "
            "lie on the same side of mu as eps lies of 0: check the sign.",
        ),
        (
            lambda c: np.exp(c.args[1] / 2) * c.args[2] + 0 * c.args[0],
            "the location mu is missing.",
        ),
        (
            lambda c: c.args[0] + np.exp(c.args[1] / 2),
            "the noise eps is not used: z must move with eps.",
        ),
    ]
    return run(
        "reparameterize",
        fn,
        cases,
        mistakes,
        against="the VAE's reparameterization",
        shape="z has the shape of eps (mu and logvar broadcast against it).",
        fallback="z must have mean mu and variance exp(logvar) when eps ~ N(0, I), and be a "
        "deterministic function of eps; test with logvar = 0, where z - mu must equal eps.",
    )
