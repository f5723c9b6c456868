"""Bernoulli mixture + EM: exact log-likelihood vs brute force, closed forms, EM monotonicity,
recovery of a known mixture, sampling statistics, reproducibility and input errors."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.special import logsumexp, xlogy

from vae_tutorial.errors import ConfigError, DataError
from vae_tutorial.studies.mixture import (
    BernoulliMixture,
    fit_em,
)
from vae_tutorial.viz.mixture import component_figure, history_figure


def _random_mixture(k: int, d: int, seed: int) -> BernoulliMixture:
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(k))
    return BernoulliMixture(np.log(w), rng.normal(0, 2.0, size=(k, d)))


def _draw(weights, probs, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.choice(len(weights), size=n, p=weights)
    return (rng.random((n, probs.shape[1])) < probs[z]).astype(float)


@pytest.fixture
def three_component() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """4000 x 40 binary data from 3 well separated components (p in {0.1, 0.9})."""
    rng = np.random.default_rng(1)
    bits = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1]]).repeat(10, axis=1)
    probs = np.where(bits == 1, 0.9, 0.1)
    weights = np.array([0.5, 0.3, 0.2])
    return _draw(weights, probs, 4000, seed=int(rng.integers(1000))), weights, probs


@pytest.fixture
def overlapping() -> np.ndarray:
    """600 x 20 binary data from 6 random, overlapping components: EM has work to do."""
    rng = np.random.default_rng(0)
    return _draw(rng.dirichlet(np.ones(6)), rng.random((6, 20)), 600, seed=1)


def test_log_likelihood_matches_brute_force_scipy():
    mix = _random_mixture(k=4, d=7, seed=0)
    x = (np.random.default_rng(1).random((50, 7)) < 0.4).astype(float)
    p = 1 / (1 + np.exp(-mix.logits))
    joint = np.array(
        [[np.log(mix.weights[k]) + stats.bernoulli.logpmf(xn, p[k]).sum() for k in range(4)]
         for xn in x]
    )  # fmt: skip
    ref = logsumexp(joint, axis=1)
    np.testing.assert_allclose(mix.log_likelihood(x), ref, rtol=0, atol=1e-10)
    r = mix.responsibilities(x)
    np.testing.assert_allclose(r.sum(1), 1.0, atol=1e-12)
    np.testing.assert_allclose(r, np.exp(joint - ref[:, None]), atol=1e-10)
    # torch float32 input is accepted and gives the same numbers
    np.testing.assert_allclose(mix.log_likelihood(torch.tensor(x, dtype=torch.float32)), ref)


def test_k1_maximum_likelihood_is_pixel_means_closed_form():
    rng = np.random.default_rng(2)
    x = (rng.random((300, 12)) < np.linspace(0.05, 0.95, 12)).astype(float)
    x[:, 0], x[:, -1] = 0.0, 1.0  # constant pixels: ML gives p = 0 and p = 1 exactly
    mix, hist = fit_em(x, components=1, iters=5, alpha=1.0, dirichlet=1.0)
    m = x.mean(0)
    np.testing.assert_allclose(mix.means[0], m, atol=1e-12)
    closed = (xlogy(m, m) + xlogy(1 - m, 1 - m)).sum()  # average log-lik of the MLE
    np.testing.assert_allclose(mix.log_likelihood(x).mean(), closed, atol=1e-10)
    np.testing.assert_allclose(hist.log_likelihood[-1], closed, atol=1e-10)
    assert np.isfinite(mix.log_likelihood(x)).all()
    unseen = x[:1].copy()
    unseen[0, 0] = 1.0  # a pixel never on in training: probability exactly 0 under ML
    assert mix.log_likelihood(unseen)[0] == -np.inf
    assert mix.n_parameters == 12
    # MAP with a Beta(3, 3) prior: two pseudo-counts for each pixel value
    mix_map, _ = fit_em(x, components=1, iters=5, alpha=3.0)
    np.testing.assert_allclose(mix_map.means[0], (x.sum(0) + 2) / (len(x) + 4), atol=1e-12)


def test_em_pure_ml_is_monotone_in_log_likelihood(overlapping):
    x = overlapping
    mix, hist = fit_em(x, components=5, iters=40, seed=3, alpha=1.0, dirichlet=1.0, tol=0.0)
    gains = np.diff(hist.log_likelihood)
    assert gains.min() >= -1e-9, gains.min()
    assert hist.log_likelihood[-1] > hist.log_likelihood[0] + 0.2  # EM actually moved
    assert hist.objective == hist.log_likelihood  # no prior: the objective is the log-lik
    assert len(hist.seconds) == hist.iterations + 1 and np.all(np.diff(hist.seconds) >= 0)


def test_map_em_objective_is_monotone_and_equals_posterior(overlapping):
    x = overlapping
    a, b = 3.0, 2.5  # strong priors so a wrong prior term or M-step would show
    mix, hist = fit_em(x, components=4, iters=40, seed=0, alpha=a, dirichlet=b, tol=0.0)
    assert np.diff(hist.objective).min() >= -1e-9
    assert hist.objective[-1] > hist.objective[0] + 0.2
    log_prior = (
        stats.beta.logpdf(mix.means, a, a).sum()
        + stats.dirichlet.logpdf(mix.weights, np.full(4, b))
    )  # fmt: skip
    expected = mix.log_likelihood(x).mean() + log_prior / len(x)
    np.testing.assert_allclose(hist.objective[-1], expected, atol=1e-9)
    assert 0 < mix.means.min() and mix.means.max() < 1


def test_map_em_converges_to_a_stationary_point_of_the_posterior(overlapping):
    """The M-step maximises log-lik + log prior: at convergence the gradient (by central
    differences of an independently computed objective) vanishes."""
    x, a, b = overlapping, 3.0, 2.5
    mix, hist = fit_em(x, components=4, iters=2000, seed=0, alpha=a, dirichlet=b, tol=1e-13)
    assert hist.converged

    def objective(log_w: np.ndarray, logits: np.ndarray) -> float:
        m = BernoulliMixture(log_w - logsumexp(log_w), logits)
        prior = stats.beta.logpdf(m.means, a, a).sum() + stats.dirichlet.logpdf(
            m.weights, np.full(4, b)
        )
        return m.log_likelihood(x).mean() + prior / len(x)

    eps, lw, lg = 1e-5, mix.log_weights, mix.logits
    for k, d in [(0, 0), (1, 7), (2, 13), (3, 19)]:
        e = np.zeros_like(lg)
        e[k, d] = eps
        grad = (objective(lw, lg + e) - objective(lw, lg - e)) / (2 * eps)
        assert abs(grad) < 1e-6, (k, d, grad)
        e = np.zeros_like(lw)
        e[k] = eps
        grad = (objective(lw + e, lg) - objective(lw - e, lg)) / (2 * eps)
        assert abs(grad) < 1e-6, (k, grad)


def test_em_recovers_a_known_three_component_mixture(three_component):
    x, weights, probs = three_component
    mix, hist = fit_em(x, components=3, iters=200, seed=0)
    assert hist.converged
    perms = [list(p) for p in itertools.permutations(range(3))]
    perm = min(perms, key=lambda p: np.abs(mix.means[p] - probs).sum())
    # standard error of a pixel mean in the smallest component ~ sqrt(0.09 / 800) = 0.011
    np.testing.assert_allclose(mix.means[perm], probs, atol=0.06)
    # standard error of a weight ~ sqrt(0.25 / 4000) = 0.008
    np.testing.assert_allclose(mix.weights[perm], weights, atol=0.03)
    truth = BernoulliMixture(np.log(weights), np.log(probs / (1 - probs)))
    assert mix.log_likelihood(x).mean() >= truth.log_likelihood(x).mean() - 1e-3


def test_sample_frequencies_match_mixture_means():
    mix = _random_mixture(k=3, d=20, seed=4)
    n = 20000
    s = mix.sample(n, np.random.default_rng(5))
    assert s.shape == (n, 20) and set(np.unique(s)) <= {0.0, 1.0}
    q = mix.weights @ mix.means
    se = np.sqrt(q * (1 - q) / n)
    assert np.all(np.abs(s.mean(0) - q) < 4.5 * se)
    # second moments distinguish a mixture from independent pixels: E[x_1 x_2]
    pair = mix.weights @ (mix.means[:, 0] * mix.means[:, 1])
    se_pair = np.sqrt(pair * (1 - pair) / n)
    assert abs((s[:, 0] * s[:, 1]).mean() - pair) < 4.5 * se_pair
    np.testing.assert_array_equal(s, mix.sample(n, np.random.default_rng(5)))


def test_fit_is_reproducible_with_a_seed(three_component):
    x = three_component[0][:500]
    m1, h1 = fit_em(x, components=4, iters=10, seed=7)
    m2, h2 = fit_em(torch.tensor(x), components=4, iters=10, seed=7)
    np.testing.assert_array_equal(m1.logits, m2.logits)
    np.testing.assert_array_equal(m1.log_weights, m2.log_weights)
    assert h1.log_likelihood == h2.log_likelihood
    _, h3 = fit_em(x, components=4, iters=10, seed=8)
    assert h3.log_likelihood[0] != h1.log_likelihood[0]


@pytest.mark.parametrize(
    ("x", "kwargs", "error", "match"),
    [
        (np.zeros(10), {}, DataError, "2-D"),
        (np.full((10, 3), 0.5), {}, DataError, "binary"),
        (np.array([[0.0, np.nan], [1.0, 0.0]]), {"components": 1}, DataError, "NaN"),
        (np.array([["a", "b"]]), {"components": 1}, DataError, "numeric"),
        (np.zeros((10, 3)), {"components": 0}, ConfigError, "components"),
        (np.zeros((10, 3)), {"components": 11}, ConfigError, "components = 11"),
        (np.zeros((10, 3)), {"components": 2, "alpha": 0.5}, ConfigError, "alpha"),
        (np.zeros((10, 3)), {"components": 2, "tol": -1.0}, ConfigError, "tol"),
        (np.zeros((10, 3)), {"components": 2, "iters": -1}, ConfigError, "iters"),
    ],
)
def test_bad_input_raises_clear_errors(x, kwargs, error, match):
    with pytest.raises(error, match=match):
        fit_em(x, **kwargs)


def test_mixture_validates_shapes_and_columns():
    mix = _random_mixture(k=2, d=5, seed=0)
    with pytest.raises(DataError, match="5 columns"):
        mix.log_likelihood(np.zeros((3, 4)))
    with pytest.raises(ConfigError, match="summing to 1"):
        BernoulliMixture(np.zeros(2), np.zeros((2, 5)))
    with pytest.raises(ConfigError, match="logits"):
        BernoulliMixture(np.log([0.5, 0.5]), np.zeros(5))
    assert _random_mixture(k=10, d=784, seed=0).n_parameters == 9 + 7840


def test_figures_are_labelled(three_component):
    from matplotlib.figure import Figure

    mix, hist = fit_em(three_component[0][:400], components=4, iters=5, seed=0)
    fig = component_figure(mix, image_shape=(5, 8), ncols=2)
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    assert "4 Bernoullis fitted by EM on binarized MNIST" in fig._suptitle.get_text()
    assert "π=" in fig.axes[0].get_xlabel()
    fig2 = history_figure(hist)
    ax = fig2.axes[0]
    assert "nats" in ax.get_ylabel() and "EM iteration" in ax.get_xlabel()
    for f in (fig, fig2):
        buf = io.BytesIO()
        f.savefig(buf, format="png", dpi=40)
        assert buf.getvalue()[:4] == b"\x89PNG"
