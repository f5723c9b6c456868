"""Checkers for notebooks 05-08: the per-datapoint ELBO (ground truth
:func:`~vae_tutorial.core.estimators.elbo_of_q`), latent interpolation
(:func:`~vae_tutorial.core.latent_space.interpolate`), bits per dimension, the exponential
latent's KL (:func:`~vae_tutorial.core.latents.kl_exponential_unit`) and the importance-sampled
log p(x) (:func:`~vae_tutorial.core.estimators.log_px_importance`). torch loads on first use."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import logsumexp

from ._harness import Case, Verdict, numpy, run

if TYPE_CHECKING:
    from ..core.model import VAE

TINY = "a tiny VAE: ModelConfig(x_dim=12, z_dim=2, hidden=(16,)), build_model(seed=0)"


def tiny_model() -> VAE:
    """The seeded toy VAE the checks run on (12 binary pixels, a 2-D Gaussian latent), built
    afresh for every check so that a function that changes its weights spoils nothing."""
    from ..core.config import ModelConfig
    from ..core.model import build_model

    return build_model(ModelConfig(x_dim=12, z_dim=2, hidden=(16,)), seed=0).eval()


def _elbo_cases() -> list[Case]:
    import torch

    from ..core.estimators import elbo_of_q

    model, g, out = tiny_model(), torch.Generator().manual_seed(5), []
    for label, b, n in [
        ("a batch of 5, L = 1 noise draw", 5, 1),
        ("a batch of 3, L = 4 noise draws", 3, 4),
        ("one datapoint, L = 2", 1, 2),
    ]:
        x = (torch.rand(b, 12, generator=g) < 0.5).float()
        eps = torch.randn(n, b, 2, generator=g)
        with torch.no_grad():
            want = elbo_of_q(model, x, model.encoder_params(x), kl="analytic", eps=eps)
        out.append(Case(label, (model, x, eps), numpy(want), {"model": TINY, "x": x, "eps": eps}))
    return out


def _elbo_parts(c: Case, scale_by_var: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(log p(x|z_l) (L, B), KL (B,)) as the model computes them; optionally with the slip of
    scaling the noise by the variance."""
    import torch

    model, x, eps = c.args
    with torch.no_grad():
        mu, logvar = model.encoder_params(x)
        params = (mu, logvar)
        z = mu + torch.exp(logvar) * eps if scale_by_var else model.latent.transform(params, eps)
        return numpy(model.decode(z).log_prob(x)), numpy(model.latent.kl(params))


def elbo_estimator(fn: Callable) -> Verdict:
    """Check ``fn(model, x, eps) -> ELBO per datapoint`` with the paper's estimator B (the KL
    in closed form) (notebook 05). model: a Gaussian-latent core.model.VAE; x: (B, x_dim);
    eps: (L, B, z_dim) standard-normal noise to use -> (B,) nats (a tensor or an array)."""
    rec = lambda c: _elbo_parts(c)[0]  # noqa: E731
    kl = lambda c: _elbo_parts(c)[1]  # noqa: E731
    mistakes = [
        (
            lambda c: c.expected.sum(),
            "you summed over the batch: return one ELBO per datapoint, shape (B,).",
        ),
        (
            lambda c: c.expected.mean(),
            "you averaged over the batch: return one ELBO per datapoint, shape (B,).",
        ),
        (lambda c: -c.expected, "the sign is flipped: that is the loss (the negative ELBO)."),
        (lambda c: rec(c).mean(0), "the KL term is missing."),
        (lambda c: rec(c).mean(0) + kl(c), "the sign of the KL term is flipped."),
        (
            lambda c: rec(c).mean(0) - 2 * kl(c),
            "your KL is twice the true KL: a factor 1/2 is missing in it.",
        ),
        (
            lambda c: rec(c).sum(0) - kl(c),
            "you summed over the L noise draws: the reconstruction term is their average.",
        ),
        (lambda c: rec(c) - kl(c), "average over the L noise draws: one ELBO per datapoint."),
        (
            lambda c: (lambda r, k: r.mean(0) - k)(*_elbo_parts(c, True)),
            "z was drawn with the noise scaled by the variance instead of the standard deviation.",
        ),
    ]
    return run(
        "elbo_estimator",
        fn,
        _elbo_cases(),
        mistakes,
        against="core.estimators.elbo_of_q",
        rtol=1e-4,
        atol=1e-4,
        shape="return one ELBO per datapoint, shape (B,).",
        fallback="use the eps you are given (no fresh noise) to build z by the "
        "reparameterization, score x under model.decode(z), and compare your KL with "
        "model.latent.kl(model.encoder_params(x)).",
    )


def _interp_truth(z_a: np.ndarray, z_b: np.ndarray, t) -> np.ndarray:
    from ..core.latent_space import interpolate

    return interpolate(z_a, z_b, t)


def interpolation(fn: Callable) -> Verdict:
    """Check ``fn(z_a, z_b, t) -> z``: the point at fraction t along the straight line from
    z_a to z_b (notebook 06). z_a, z_b: (D,); t: a float -> (D,), or an array (T,) -> (T, D)."""
    specs = [
        ("a scalar t = 0.25 in 2-D", [1.0, -2.0], [3.0, 0.5], 0.25),
        ("the start, t = 0", [0.5, 1.5, -1.0], [-2.0, 0.0, 2.0], 0.0),
        ("the end, t = 1", [0.5, 1.5, -1.0], [-2.0, 0.0, 2.0], 1.0),
        (
            "a vector of 5 values of t in 3-D",
            [1.0, 0.0, -1.0],
            [-1.0, 2.0, 0.5],
            np.linspace(0, 1, 5),
        ),
        ("a vector of 3 values of t in 2-D", [-1.5, 2.0], [2.5, -0.5], np.array([0.1, 0.6, 0.9])),
    ]
    cases = []
    for label, a, b, t in specs:
        a, b = np.array(a), np.array(b)
        t = np.asarray(t) if np.ndim(t) else float(t)
        cases.append(Case(label, (a, b, t), _interp_truth(a, b, t), {"z_a": a, "z_b": b, "t": t}))
    tt = lambda c: np.asarray(c.args[2])[..., None]  # noqa: E731
    mistakes = [
        (
            lambda c: _interp_truth(c.args[1], c.args[0], c.args[2]),
            "your path runs backwards: at t = 0 it must be at z_a and at t = 1 at z_b.",
        ),
        (lambda c: c.args[0] + tt(c) * c.args[1], "at t = 1 the point must be exactly z_b."),
        (lambda c: c.expected.T, "one row per value of t: the shape is (T, D), not (D, T)."),
        (
            lambda c: (1 - tt(c)) * c.args[0] + (1 - tt(c)) * c.args[1],
            "at t = 1 the point must be exactly z_b.",
        ),
    ]
    return run(
        "interpolation",
        fn,
        cases,
        mistakes,
        against="core.latent_space.interpolate",
        shape="a scalar t gives one point (D,); t of shape (T,) gives T points (T, D).",
        raised="t may also be an array of shape (T,): make it broadcast against points of "
        "shape (D,) so that the result has one row per value of t.",
        fallback="check that t = 0 gives z_a, t = 1 gives z_b, and t = 0.5 the midpoint of the "
        "straight segment (the exercise asks for a straight line, not an arc).",
    )


def bits_per_dim(fn: Callable) -> Verdict:
    """Check ``fn(log_p_nats, dims) -> bits per dimension`` (notebook 07): a log-likelihood of
    one datapoint in nats (a float) and its number of dimensions (an int) -> a float; lower
    is better, as in the image-modelling literature."""
    specs = [
        ("a binarized MNIST digit", -87.5, 784),
        ("a CIFAR-10 image", -5410.2, 3072),
        ("one fair coin flip", -math.log(2), 1),
        ("a continuous density above 1", 1250.0, 560),
    ]
    cases = [
        Case(s, (lp, d), np.float64(-lp / (d * math.log(2))), {"log_p_nats": lp, "dims": d})
        for s, lp, d in specs
    ]
    ln2 = math.log(2)
    mistakes = [
        (lambda c: c.expected * ln2, "that is nats per dimension: convert nats to bits."),
        (lambda c: c.expected * ln2**2, "the nats-to-bits conversion goes the other way."),
        (lambda c: -c.expected * ln2, "the sign is flipped, and that is nats, not bits."),
        (
            lambda c: -c.expected,
            "the sign is flipped: a log-likelihood below 0 gives positive bits per dimension.",
        ),
        (
            lambda c: c.expected * c.args[1],
            "that is bits per datapoint: divide among the dimensions.",
        ),
        (
            lambda c: c.expected * ln2 / math.log(10),
            "that is a base-10 logarithm: the unit is bits (base 2).",
        ),
    ]
    return run(
        "bits_per_dim",
        fn,
        cases,
        mistakes,
        against="the definition",
        shape="return one number.",
        fallback="bits per dimension is the code length of the datapoint in bits divided by "
        "its number of dimensions; the code length is minus the log-likelihood.",
    )


def _kl_exp(log_rate: np.ndarray) -> np.ndarray:
    import torch

    from ..core.latents import kl_exponential_unit

    return kl_exponential_unit(torch.as_tensor(log_rate, dtype=torch.float64)).numpy()


def exponential_kl(fn: Callable) -> Verdict:
    """Check ``fn(log_rate) -> KL(Exp(lambda) || Exp(1))`` with lambda = exp(log_rate), summed
    over the last axis (notebook 07). log_rate: numpy array (..., Z) -> (...)."""
    r = np.random.default_rng(7)
    specs = [
        ("one vector in 3 dimensions", np.round(r.normal(size=3), 2)),
        ("a batch of 4 vectors in 2 dimensions", np.round(r.normal(size=(4, 2)), 2)),
        ("one dimension", np.array([0.7])),
        ("q equal to the prior (the KL is 0)", np.zeros(3)),
        ("extreme rates", np.array([-4.0, 5.0])),
    ]
    cases = [Case(s, (lr,), _kl_exp(lr), {"log_rate": lr}) for s, lr in specs]
    lr = lambda c: c.args[0]  # noqa: E731
    mistakes = [
        (
            lambda c: _kl_exp(-lr(c)),
            "log_rate is the log of the rate lambda (the mean is "
            "1 / lambda); your answer treats it as the log of the mean.",
        ),
        (
            lambda c: (lr(c) - 1 + np.exp(lr(c))).sum(-1),
            "check E_q[z]: the mean of an exponential with rate lambda is not lambda.",
        ),
        (
            lambda c: (-lr(c) - 1 + np.exp(-lr(c))).sum(-1),
            "the sign of the log-rate term is flipped.",
        ),
        (lambda c: c.expected + lr(c).shape[-1], "the constant term is missing."),
        (
            lambda c: c.expected / lr(c).shape[-1],
            "you averaged over the latent dimensions: the "
            "KL of independent dimensions is their sum.",
        ),
        (lambda c: c.expected.sum(), "you summed over the batch too: one KL per vector."),
        (lambda c: lr(c) - 1 + np.exp(-lr(c)), "sum the per-dimension terms over the last axis."),
    ]
    return run(
        "exponential_kl",
        fn,
        cases,
        mistakes,
        against="core.latents.kl_exponential_unit",
        shape="one KL per vector: reduce over the last axis only (..., Z) -> (...).",
        fallback="write E_q[log q(z) - log p(z)] for the two exponential densities; only "
        "E_q[z] is needed. At log_rate = 0 the KL must be 0.",
    )


def _importance_cases() -> list[Case]:
    import torch

    from ..core.estimators import log_importance_weights, log_px_importance

    model, k = tiny_model(), 50
    x = (torch.rand(4, 12, generator=torch.Generator().manual_seed(8)) < 0.5).float()
    with torch.random.fork_rng(devices=[]), torch.no_grad():  # the same draws, twice
        torch.manual_seed(9)
        lw = numpy(log_importance_weights(model, x, k))
        torch.manual_seed(9)
        want = numpy(log_px_importance(model, x, k, chunk=k))
    r = np.random.default_rng(10)
    specs = [
        ("K = 4 samples for 3 datapoints", np.round(r.normal(-1.5, 1.0, (4, 3)), 2)),
        ("K = 6 near -1500: exp underflows", np.round(r.normal(-1500, 3, (6, 2)), 2)),
        ("K = 5 near +900: exp overflows", np.round(r.normal(900, 3, (5, 2)), 2)),
        ("K = 1 sample", np.array([[-3.0, -0.5]])),
    ]
    out = [Case(s, (w,), logsumexp(w, 0) - np.log(len(w)), {"log_weights": w}) for s, w in specs]
    model_case = Case(f"K = 50 weights of {TINY} on 4 datapoints", (lw,), want, {"log_weights": lw})
    return [out[0], model_case, *out[1:]]


def importance_log_px(fn: Callable) -> Verdict:
    """Check ``fn(log_weights) -> log p(x)`` per datapoint: the importance-sampled estimate
    from K log weights log p(x, z_k) - log q(z_k|x) (notebook 08). log_weights: numpy array
    (K, B) -> (B,) nats."""
    w = lambda c: c.args[0]  # noqa: E731
    logk = lambda c: np.log(w(c).shape[0])  # noqa: E731
    mistakes = [
        (
            lambda c: w(c).mean(0),
            "that is the average of the log weights: an ELBO estimate "
            "(a lower bound), not log p(x). The estimator averages the weights themselves.",
        ),
        (
            lambda c: c.expected + logk(c),
            "the average over the K samples is missing (you summed the weights).",
        ),
        (lambda c: c.expected + 2 * logk(c), "the normalisation by K has the wrong sign."),
        (lambda c: w(c).max(0), "you kept only the largest weight."),
        (
            lambda c: logsumexp(w(c), 1) - np.log(w(c).shape[1]),
            "you reduced over the batch "
            "axis: the K samples are axis 0, one estimate per datapoint (column).",
        ),
        (lambda c: -c.expected, "the sign is flipped."),
    ]
    return run(
        "importance_log_px",
        fn,
        _importance_cases(),
        mistakes,
        against="core.estimators.log_px_importance",
        rtol=1e-5,
        atol=1e-4,
        nonfinite="exponentiating log weights near -1500 underflows to 0 (and near +900 "
        "overflows to inf) in float64: stay in log space with a stable log-sum-exp "
        "(scipy.special.logsumexp, or shifting by the maximum).",
        shape="one estimate per datapoint: reduce over axis 0 (K), (K, B) -> (B,).",
        fallback="log p(x) is estimated by the log of the average importance weight; compute "
        "it in log space.",
    )
