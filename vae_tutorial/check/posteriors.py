"""Checkers for notebooks 01-03: the conjugate posterior and evidence of the linear-Gaussian
model (ground truth :mod:`~vae_tutorial.theory.conjugate`), the evidence as a Riemann sum on
a grid (:mod:`~vae_tutorial.theory.grid`) and one CAVI coordinate update
(:func:`~vae_tutorial.theory.meanfield.cavi_linear_gaussian`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import logsumexp

from ..theory.conjugate import linear_gaussian_posterior, log_marginal_likelihood
from ..theory.gaussian import LOG_2PI, log_density
from ..theory.grid import grid_around, make_grid, posterior_on_grid
from ._harness import Case, Verdict, run

_R = np.random.default_rng(2014)


def _r(*shape: int) -> np.ndarray:
    return np.round(_R.normal(size=shape), 2)


#: (label, x (X,), alpha, beta, W (X, D)) of the linear-Gaussian model z ~ N(0, I / alpha),
#: x | z ~ N(W z, I / beta); alpha, beta != 1 so that precisions and variances differ
LINEAR_GAUSSIAN = [
    ("X = 3 observed values, a 2-D latent", _r(3), 1.5, 4.0, _r(3, 2)),
    ("the scalar model W = [[1]]", np.array([0.8]), 2.0, 3.0, np.array([[1.0]])),
    ("X = 5 observed values, a 3-D latent", _r(5), 0.5, 2.0, _r(5, 3)),
    ("a weak prior and precise data", _r(4), 0.2, 25.0, _r(4, 2)),
]


def _lg_cases(truth: Callable) -> list[Case]:
    return [
        Case(s, (x, a, b, w), truth(x, a, b, w), {"x": x, "alpha": a, "beta": b, "W": w})
        for s, x, a, b, w in LINEAR_GAUSSIAN
    ]


def _posterior(c: Case, variances: bool = False, prior: bool = True, beta_in_mean: bool = True):
    """(mean, cov) of the typical mistakes: alpha, beta read as variances; no prior term."""
    x, a, b, w = c.args
    a, b = (1 / a, 1 / b) if variances else (a, b)
    prec = (a * np.eye(w.shape[1]) if prior else 0) + b * w.T @ w
    cov = np.linalg.inv(prec)
    return cov @ ((b if beta_in_mean else 1) * w.T @ x), cov


def _precision(c: Case) -> np.ndarray:
    x, a, b, w = c.args
    return a * np.eye(w.shape[1]) + b * w.T @ w


def posterior_linear_gaussian(fn: Callable) -> Verdict:
    """Check ``fn(x, alpha, beta, W) -> (mean, cov)``: the exact posterior p(z|x) of the
    linear-Gaussian model z ~ N(0, alpha^-1 I), x | z ~ N(W z, beta^-1 I) (notebook 01).
    x: (X,) one observation, W: (X, D), alpha and beta floats -> mean (D,), cov (D, D)."""
    mistakes = [
        (
            lambda c: (None, _precision(c)),
            "your covariance is the posterior precision matrix: "
            "precision and covariance are not the same matrix.",
        ),
        (
            lambda c: _posterior(c, variances=True),
            "alpha and beta are precisions (inverse "
            "variances); your answer uses them as if they were variances.",
        ),
        (
            lambda c: _posterior(c, prior=False),
            "the prior is missing: it contributes to the "
            "posterior precision as well as the likelihood does.",
        ),
        (
            lambda c: (_posterior(c, beta_in_mean=False)[0], None),
            "the mean is missing the noise precision beta.",
        ),
        (
            lambda c: (_precision(c) @ (c.args[2] * c.args[3].T @ c.args[0]), None),
            "your mean uses the precision matrix where its inverse belongs.",
        ),
        (
            lambda c: (c.expected[0], None),
            "your mean is right; recheck the covariance (collect the terms quadratic in z).",
        ),
        (
            lambda c: (None, c.expected[1]),
            "your covariance is right; recheck the mean (collect the terms linear in z).",
        ),
    ]
    return run(
        "posterior_linear_gaussian",
        fn,
        _lg_cases(linear_gaussian_posterior),
        mistakes,
        against="the closed-form posterior",
        parts=("mean", "cov"),
        shape="the mean is a vector (D,) and the covariance a matrix (D, D), D = W.shape[1].",
        fallback="complete the square in z in log p(z) + log p(x|z), as in notebook 01.",
    )


def _log_normal0(c: Case, cov: np.ndarray) -> float:
    return float(log_density(c.args[0], np.zeros(len(c.args[0])), cov))


def log_evidence(fn: Callable) -> Verdict:
    """Check ``fn(x, alpha, beta, W) -> log p(x)`` in nats (a float) for the linear-Gaussian
    model of notebook 01; x: (X,) one observation, W: (X, D)."""
    eye = lambda c: np.eye(len(c.args[0]))  # noqa: E731
    mistakes = [
        (lambda c: -c.expected, "the sign is flipped: that is the negative log-likelihood."),
        (lambda c: np.exp(c.expected), "you returned p(x); the exercise asks for log p(x)."),
        (
            lambda c: _log_normal0(c, c.args[1] * c.args[3] @ c.args[3].T + c.args[2] * eye(c)),
            "alpha and beta are precisions (inverse variances), not variances.",
        ),
        (
            lambda c: _log_normal0(c, eye(c) / c.args[2]),
            "the latent variable's contribution "
            "to the covariance of x is missing (z is integrated out, not set to 0).",
        ),
        (
            lambda c: _log_normal0(c, c.args[3] @ c.args[3].T + eye(c) / c.args[2]),
            "the prior precision alpha is missing from the covariance of x.",
        ),
        (
            lambda c: c.expected + 0.5 * len(c.args[0]) * LOG_2PI,
            "the Gaussian's normalising constant (the 2 pi part) is missing.",
        ),
    ]
    return run(
        "log_evidence",
        fn,
        _lg_cases(log_marginal_likelihood),
        mistakes,
        against="the closed-form evidence",
        shape="return one number, log p(x).",
        fallback="x is Gaussian once z is integrated out: find its mean and covariance first.",
    )


def _grid_cases() -> list[Case]:
    from ..theory.latent_models import LinearGaussian, SigmoidGaussian

    rng = np.random.default_rng(2)
    models = [
        (
            "a 1-D sigmoid model, one observation",
            SigmoidGaussian(1.0, 20.0, [[3.0]], [0.0]),
            np.array([0.8]),
            make_grid([(-4, 4)], 201),
        ),
        (
            "a 2-D linear-Gaussian model",
            LinearGaussian(1.0, 2.0, [[1.0, 0.9], [0.9, 1.0]]),
            np.array([1.5, 0.5]),
            make_grid([(-4, 4)] * 2, 81),
        ),
        (
            "600 noisy observations: log joint values near -1700",
            LinearGaussian(1.0, 0.05, [[1.0]]),
            rng.normal(0.5, 4.5, (600, 1)),
            None,
        ),
        (
            "300 precise observations: log joint values near +950",
            LinearGaussian(1.0, 1e4, [[1.0]]),
            rng.normal(0.3, 0.01, (300, 1)),
            None,
        ),
    ]
    out = []
    for label, model, x, grid in models:
        if grid is None:
            grid = grid_around(*linear_gaussian_posterior(x, model.alpha, model.beta, model.W))
        post = posterior_on_grid(lambda z, m=model, x=x: m.log_joint(x, z), grid)
        shown = {"log_joint_values": post.log_joint, "cell_volume": grid.cell_volume}
        out.append(Case(label, (post.log_joint, grid.cell_volume), post.log_evidence, shown))
    return out


def grid_evidence(fn: Callable) -> Verdict:
    """Check ``fn(log_joint_values, cell_volume) -> log p(x)``: the evidence as a Riemann sum
    of p(x, z) over a regular grid (notebook 02). log_joint_values: (N,) values of
    log p(x, z) at the N grid points; cell_volume: float (length or area of one cell)."""
    lv = lambda c: np.log(c.args[1])  # noqa: E731
    mistakes = [
        (
            lambda c: c.expected - lv(c),
            "the cell volume is missing: a Riemann sum weights "
            "every value by the size of its cell.",
        ),
        (
            lambda c: c.expected - lv(c) + c.args[1],
            "you added the cell volume itself to a quantity in log space.",
        ),
        (lambda c: c.expected - 2 * lv(c), "the cell volume enters with the wrong sign."),
        (
            lambda c: c.expected - np.log(len(c.args[0])),
            "you averaged over the grid points; a Riemann sum adds them up.",
        ),
        (
            lambda c: c.expected - lv(c) - np.log(len(c.args[0])),
            "you averaged over the grid "
            "points (a Riemann sum adds them up) and the cell volume is missing.",
        ),
        (lambda c: np.exp(c.expected), "you returned p(x); the exercise asks for log p(x)."),
        (
            lambda c: logsumexp(c.args[0]),
            "the cell volume is missing (a Riemann sum weights "
            "every value by the size of its cell).",
        ),
        (lambda c: np.max(c.args[0]) + lv(c), "you kept only the largest term of the sum."),
    ]
    return run(
        "grid_evidence",
        fn,
        _grid_cases(),
        mistakes,
        against="the grid posterior's evidence",
        nonfinite="exp of log-joint values like these underflows to 0 (near -1700) or "
        "overflows to inf (near +950) in float64: never leave log space; a stable "
        "log-sum-exp (scipy.special.logsumexp, or shifting by the maximum) avoids both.",
        shape="return one number, log p(x).",
        fallback="the evidence is the integral of p(x, z) over z; on the grid it becomes a sum "
        "of the values times the cell volume, computed in log space.",
    )


def _cavi_truth(alpha: float, beta: float, w: np.ndarray, x: np.ndarray, m, i: int) -> float:
    """New m_i from the package's CAVI: coordinate i moved first (a permutation of z)."""
    from ..theory.latent_models import LinearGaussian
    from ..theory.meanfield import cavi_linear_gaussian

    perm = [i] + [j for j in range(len(m)) if j != i]
    res = cavi_linear_gaussian(LinearGaussian(alpha, beta, w[:, perm]), x, 1, init=m[perm])
    return float(res.means[1][0])


def _cavi_cases() -> list[Case]:
    rng = np.random.default_rng(3)
    specs = [
        ("D = 2, update i = 0", 1.0, 2.0, 2, 0),
        ("D = 3, update i = 2", 0.5, 3.0, 3, 2),
        ("D = 4, update i = 1", 2.0, 1.5, 4, 1),
        ("D = 2, update i = 1", 1.0, 4.0, 2, 1),
    ]
    out = []
    for label, a, b, d, i in specs:
        w, x = np.round(rng.normal(size=(d + 1, d)), 2), np.round(rng.normal(size=d + 1), 2)
        m = np.round(rng.normal(size=d), 2)
        lam, h = a * np.eye(d) + b * w.T @ w, b * w.T @ x
        shown = {"i": i, "m": m, "Lambda": lam, "h": h}
        out.append(Case(label, (i, m, lam, h), np.float64(_cavi_truth(a, b, w, x, m, i)), shown))
    return out


def _cavi_slip(c: Case, self_term=False, sign=-1.0, scaled=True, coupled=True) -> float:
    """The new m_i with one typical slip: the own term kept, a sign, no scaling, no coupling."""
    i, m, lam, h = c.args
    coupling = lam[i] @ m - (0.0 if self_term else lam[i, i] * m[i])
    new = h[i] + sign * coupling * coupled
    return new / lam[i, i] if scaled else new


def cavi_update(fn: Callable) -> Verdict:
    """Check ``fn(i, m, Lambda, h) -> new m_i`` (a float): one CAVI coordinate update of the
    mean of factor i for the linear-Gaussian model (notebook 03). i: int (0-based), m: (D,)
    current factor means, Lambda: (D, D) posterior precision, h: (D,) = beta W^T x."""

    mistakes = [
        (
            lambda c: _cavi_slip(c, self_term=True),
            "your sum includes coordinate i itself: the update conditions on the OTHER "
            "coordinates only.",
        ),
        (
            lambda c: _cavi_slip(c, sign=1.0),
            "the sign of the coupling to the other coordinates is flipped.",
        ),
        (
            lambda c: _cavi_slip(c, scaled=False),
            "the result is not scaled by factor i's own precision.",
        ),
        (
            lambda c: _cavi_slip(c, coupled=False),
            "the current means of the other coordinates are ignored.",
        ),
        (
            lambda c: 1 / c.args[2][c.args[0], c.args[0]],
            "that is the factor's variance; the exercise asks for its new mean.",
        ),
        (
            lambda c: np.where(np.arange(len(c.args[1])) == c.args[0], c.expected, c.args[1]),
            "return the new value of m_i only (a float), not the whole vector.",
        ),
    ]
    return run(
        "cavi_update",
        fn,
        _cavi_cases(),
        mistakes,
        against="the closed-form CAVI update",
        shape="return the new value of m_i only (a float).",
        fallback="write E_{q_-i}[log p(x, z)] as a quadratic in z_i and read off its maximum.",
    )
