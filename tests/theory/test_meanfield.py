"""Mean-field VI: closed-form CAVI against the exact posterior, quadrature against exact
moments and Monte Carlo, and the Gauss-Hermite mean field against the closed form."""

import numpy as np
import pytest

from vae_tutorial.theory import conjugate as cj
from vae_tutorial.theory import meanfield as mf
from vae_tutorial.theory.gaussian import log_density
from vae_tutorial.theory.grid import make_grid, posterior_on_grid
from vae_tutorial.theory.latent_models import LinearGaussian, SigmoidGaussian

MODEL = LinearGaussian(alpha=1.0, beta=2.0, W=np.array([[1.0, 0.9], [0.9, 1.0]]))
X = np.array([1.5, 0.5])
ABW = (MODEL.alpha, MODEL.beta, MODEL.W)  # the model's parameters for the conjugate closed forms
PREC = MODEL.alpha * np.eye(2) + MODEL.beta * MODEL.W.T @ MODEL.W  # posterior precision Lambda


def test_exact_posterior_matches_grid():
    mean, cov = cj.linear_gaussian_posterior(X, *ABW)
    post = posterior_on_grid(lambda z: MODEL.log_joint(X, z), make_grid([(-6, 6)] * 2, 241))
    np.testing.assert_allclose(post.mean, mean, atol=1e-6)
    np.testing.assert_allclose(post.cov, cov, atol=1e-6)
    assert post.log_evidence == pytest.approx(cj.log_marginal_likelihood(X, *ABW), abs=1e-6)
    # the ELBO of the exact posterior is log p(x)
    assert cj.linear_gaussian_elbo(X, *ABW, mean, cov) == pytest.approx(post.log_evidence, 1e-6)


def test_cavi_converges_to_the_known_fixed_point():
    mean, cov = cj.linear_gaussian_posterior(X, *ABW)
    res = mf.cavi_linear_gaussian(MODEL, X, n_sweeps=40)
    np.testing.assert_allclose(res.mean, mean, atol=1e-6)  # exact posterior mean
    np.testing.assert_allclose(res.variances, 1 / np.diag(PREC), rtol=1e-12)
    assert np.all(res.variances < np.diag(cov))  # mean field under-estimates the variance
    assert np.all(np.diff(res.elbos) >= -1e-12)  # monotone
    gap = cj.log_marginal_likelihood(X, *ABW) - res.elbos[-1]
    post = posterior_on_grid(lambda z: MODEL.log_joint(X, z), make_grid([(-6, 6)] * 2, 241))
    kl = post.kl_from(log_density(post.grid.points, res.mean, res.cov))
    assert gap > 0.1 and gap == pytest.approx(kl, abs=1e-6)


@pytest.mark.parametrize("degree", [0, 1, 2, 5, 9])
def test_gauss_hermite_integrates_polynomials_exactly(degree):
    t, w = mf.gauss_hermite(5)  # exact up to degree 9
    moments = {0: 1.0, 1: 0.0, 2: 1.0, 5: 0.0, 9: 0.0}
    assert w @ t**degree == pytest.approx(moments[degree], abs=1e-12)
    # a 2-D polynomial under a correlated Gaussian: E[z1^2 z2] and E[z1 z2] in closed form
    mean, chol = np.array([0.5, -1.0]), np.array([[1.0, 0.0], [0.6, 0.8]])
    cov = chol @ chol.T
    e = mf.gaussian_expectation(
        lambda z: np.stack([z[:, 0] * z[:, 1], z[:, 0] ** 2 * z[:, 1]], 1), mean, chol, 5
    )
    m1, m2 = mean
    assert e[0] == pytest.approx(cov[0, 1] + m1 * m2, abs=1e-12)
    third = (cov[0, 0] + m1**2) * m2 + 2 * m1 * cov[0, 1]
    assert e[1] == pytest.approx(third, abs=1e-12)


def test_sigmoid_expectation_matches_monte_carlo():
    """E_q[sigmoid(Wz+b)^T sigmoid(Wz+b)], the term without a closed form (seed 2.2)."""
    model = SigmoidGaussian(
        alpha=1.0, beta=20.0, W=np.array([[2.0, 2.0], [1.5, -1.0]]), b=np.array([0.0, 0.5])
    )
    mean, std = np.array([0.4, -0.3]), np.array([0.7, 1.2])
    f = lambda z: np.sum(model.mean_function(z) ** 2, -1)  # noqa: E731
    gh = mf.gaussian_expectation(f, mean, std, 20)
    vals = f(mean + std * np.random.default_rng(0).standard_normal((200_000, 2)))
    se = vals.std() / np.sqrt(len(vals))
    assert abs(gh - vals.mean()) < 4 * se
    assert mf.gaussian_expectation(f, mean, std, 30) == pytest.approx(gh, abs=1e-8)


def test_gauss_hermite_mean_field_matches_closed_form_cavi():
    res = mf.meanfield_gauss_hermite(MODEL, X, n_sweeps=30, nodes=6)
    exact = mf.cavi_linear_gaussian(MODEL, X, n_sweeps=60)
    np.testing.assert_allclose(res.means[-1], exact.mean, atol=1e-3)
    np.testing.assert_allclose(res.stds[-1] ** 2, exact.variances, rtol=1e-4)
    assert np.all(np.diff(res.elbos) >= -1e-9)
    assert res.elbos[-1] == pytest.approx(exact.elbos[-1], abs=1e-5)


def test_sigmoid_mean_field_elbo_is_below_the_grid_evidence():
    model = SigmoidGaussian(
        alpha=1.0, beta=20.0, W=np.array([[2.0, 2.0], [1.5, -1.0]]), b=np.array([0.0, 0.5])
    )
    x = np.array([0.9, 0.6])
    res = mf.meanfield_gauss_hermite(model, x, n_sweeps=6, nodes=16)
    assert np.all(np.diff(res.elbos) >= -1e-9)
    post = posterior_on_grid(lambda z: model.log_joint(x, z), make_grid([(-5, 5)] * 2, 201))
    log_q = log_density(post.grid.points, res.means[-1], res.cov)
    kl = post.kl_from(log_q)
    # ELBO = log p(x) - KL(q || p(z|x)): quadrature and grid agree
    assert res.elbos[-1] == pytest.approx(post.log_evidence - kl, abs=1e-3)
    assert kl > 0.01


def test_gauss_hermite_elbo_of_a_gaussian_q_matches_the_closed_form():
    """log p(x|z) is quadratic in z for the linear model, so quadrature is exact."""
    mean, chol = np.array([0.3, -0.2]), np.array([[0.6, 0.0], [0.2, 0.5]])
    closed = cj.linear_gaussian_elbo(X, *ABW, mean, chol @ chol.T)
    assert mf.gaussian_q_elbo(MODEL, X, mean, chol, nodes=10) == pytest.approx(closed, abs=1e-10)
    stds = np.array([0.6, 0.5])  # a diagonal q given by its standard deviations
    closed = cj.linear_gaussian_elbo(X, *ABW, mean, np.diag(stds**2))
    assert mf.gaussian_q_elbo(MODEL, X, mean, stds, nodes=10) == pytest.approx(closed, abs=1e-10)
