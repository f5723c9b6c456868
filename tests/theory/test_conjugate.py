"""Closed-form conjugate posteriors and evidence against grids, scipy and Bayes' rule."""

import numpy as np
import pytest
from scipy import stats

from vae_tutorial.theory.conjugate import (
    identity_posterior,
    linear_gaussian_elbo,
    linear_gaussian_posterior,
    log_evidence_by_bayes_rule,
    log_marginal_likelihood,
    marginal_cov,
)
from vae_tutorial.theory.gaussian import kl, log_density
from vae_tutorial.theory.grid import grid_around, make_grid, posterior_on_grid
from vae_tutorial.theory.latent_models import LinearGaussian

W2 = np.array([[1.0, 0.5], [-0.3, 1.2], [0.8, 0.0]])  # X = 3, D = 2
X2 = np.array([0.9, -0.4, 1.3])


def test_identity_1d_matches_seed_formula_and_grid():
    a, b, x = 1.5, 3.0, 1.2
    mean, var = identity_posterior(x, a, b)
    assert mean == pytest.approx(b / (a + b) * x) and var == pytest.approx(1 / (a + b))
    model = LinearGaussian(a, b, np.eye(1))
    post = posterior_on_grid(lambda z: model.log_joint([x], z), make_grid([(-6, 6)], 2001))
    assert post.mean[0] == pytest.approx(mean, abs=1e-9)
    assert post.cov[0, 0] == pytest.approx(var, abs=1e-9)
    assert post.log_evidence == pytest.approx(
        log_marginal_likelihood([x], a, b, np.eye(1)), abs=1e-9
    )


def test_identity_several_observations():
    xs = np.array([0.3, 1.1, 0.7, 1.9])
    mean, var = identity_posterior(xs, 1.0, 2.0)
    m2, c2 = linear_gaussian_posterior(xs[:, None], 1.0, 2.0, np.eye(1))
    assert mean == pytest.approx(m2[0]) and var == pytest.approx(c2[0, 0])
    assert var == pytest.approx(1 / (1 + 4 * 2))


@pytest.mark.parametrize("n_obs", [1, 3])
def test_linear_2d_closed_form_vs_grid(n_obs):
    a, b = 0.8, 2.5
    x = X2 if n_obs == 1 else np.stack([X2, X2 - 0.2, X2 + 0.5])
    mean, cov = linear_gaussian_posterior(x, a, b, W2)
    model = LinearGaussian(a, b, W2)
    post = posterior_on_grid(lambda z: model.log_joint(x, z), grid_around(mean, cov, 201, 8.0))
    np.testing.assert_allclose(post.mean, mean, atol=1e-8)
    np.testing.assert_allclose(post.cov, cov, atol=1e-8)
    assert post.log_evidence == pytest.approx(log_marginal_likelihood(x, a, b, W2), abs=1e-8)
    assert log_evidence_by_bayes_rule(x, a, b, W2, z=np.array([0.3, -2.0])) == pytest.approx(
        log_marginal_likelihood(x, a, b, W2), abs=1e-10
    )


def test_evidence_matches_scipy_ppca():
    a, b = 0.8, 2.5
    ref = stats.multivariate_normal(np.zeros(3), W2 @ W2.T / a + np.eye(3) / b).logpdf(X2)
    assert log_marginal_likelihood(X2, a, b, W2) == pytest.approx(ref, abs=1e-12)
    np.testing.assert_allclose(marginal_cov(a, b, W2), W2 @ W2.T / a + np.eye(3) / b)


def test_wrong_shapes_raise():
    with pytest.raises(ValueError):
        linear_gaussian_posterior(np.ones(2), 1.0, 1.0, W2)


def test_gaussian_kl_matches_grid():
    m0, s0 = np.array([0.2, -0.1]), np.array([[0.5, 0.1], [0.1, 0.3]])
    m1, s1 = np.array([0.0, 0.4]), np.array([[1.0, -0.2], [-0.2, 0.7]])
    g = make_grid([(-6, 6), (-6, 6)], 301)
    post = posterior_on_grid(lambda z: log_density(z, m1, s1), g)
    kl_grid = post.kl_from(log_density(g.points, m0, s0))
    assert kl(m0, s0, m1, s1) == pytest.approx(kl_grid, rel=1e-6)
    assert kl(m0, s0, m0, s0) == pytest.approx(0.0, abs=1e-12)


def test_elbo_is_evidence_minus_kl():
    a, b = 0.8, 2.5
    mean, cov = linear_gaussian_posterior(X2, a, b, W2)
    log_px = log_marginal_likelihood(X2, a, b, W2)
    assert linear_gaussian_elbo(X2, a, b, W2, mean, cov) == pytest.approx(log_px, abs=1e-10)
    m_q, s_q = mean + np.array([0.3, -0.2]), np.diag(np.diag(cov))
    gap = log_px - linear_gaussian_elbo(X2, a, b, W2, m_q, s_q)
    assert gap == pytest.approx(kl(m_q, s_q, mean, cov), abs=1e-10)
    assert gap > 0.01
    # Monte Carlo check of the expected log-likelihood term (5 standard errors)
    rng = np.random.default_rng(0)
    z = rng.multivariate_normal(m_q, s_q, size=20_000)
    model = LinearGaussian(a, b, W2)
    vals = model.log_likelihood(X2, z) - log_density(z, m_q, s_q) + model.log_prior(z)
    se = vals.std() / np.sqrt(len(vals))
    assert abs(vals.mean() - linear_gaussian_elbo(X2, a, b, W2, m_q, s_q)) < 5 * se
