"""The Gaussian helpers: the three KLs agree with each other (numpy and torch, any prior
precision alpha), with Monte Carlo, and with Appendix B; the log-density agrees with scipy;
the 1-D density integrates to one; ellipse points lie at Mahalanobis distance k."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from vae_tutorial.theory.gaussian import (
    LOG_2PI,
    ellipse,
    kl,
    kl_diag_normal,
    kl_to_prior,
    log_density,
    normal_pdf,
)

ALPHAS = [1.0, 0.3, 2.5]
RNG = np.random.default_rng(0)
MU = RNG.normal(size=(4, 3))  # a batch of B = 4 Gaussians over D = 3 latents
LOGVAR = RNG.normal(scale=0.7, size=(4, 3))
CHOL = np.tril(RNG.normal(scale=0.4, size=(4, 3, 3)), -1) + np.stack(
    [np.diag(np.exp(0.5 * lv)) for lv in LOGVAR]
)  # full lower Cholesky factors with the diagonal of LOGVAR


def kl_reference(mu, cov, alpha):
    """KL(N(mu, cov) || N(0, alpha^-1 I)) by the general two-Gaussian formula."""
    d = len(mu)
    return kl(mu, cov, np.zeros(d), np.eye(d) / alpha)


def test_log_2pi():
    assert LOG_2PI == pytest.approx(math.log(2 * math.pi), abs=0)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_the_three_kls_agree_in_numpy(alpha):
    diag = kl_diag_normal(MU, LOGVAR, alpha)
    via_chol = kl_to_prior(MU, np.stack([np.diag(np.exp(0.5 * lv)) for lv in LOGVAR]), alpha)
    ref = [kl_reference(m, np.diag(np.exp(lv)), alpha) for m, lv in zip(MU, LOGVAR, strict=True)]
    assert diag.shape == (4,) and via_chol.shape == (4,)
    np.testing.assert_allclose(diag, ref, rtol=1e-12)
    np.testing.assert_allclose(via_chol, ref, rtol=1e-12)
    # a full covariance through its Cholesky factor
    full = [kl_reference(m, c @ c.T, alpha) for m, c in zip(MU, CHOL, strict=True)]
    np.testing.assert_allclose(kl_to_prior(MU, CHOL, alpha), full, rtol=1e-12)
    # the sign of a Cholesky column does not change the covariance, nor the KL
    flipped = CHOL * np.array([1.0, -1.0, 1.0])
    np.testing.assert_allclose(kl_to_prior(MU, flipped, alpha), full, rtol=1e-12)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_the_three_kls_agree_in_torch_and_carry_gradients(alpha):
    mu = torch.tensor(MU, requires_grad=True)
    logvar = torch.tensor(LOGVAR, requires_grad=True)
    diag = kl_diag_normal(mu, logvar, alpha)
    assert isinstance(diag, torch.Tensor) and diag.dtype == torch.float64
    np.testing.assert_allclose(diag.detach().numpy(), kl_diag_normal(MU, LOGVAR, alpha), rtol=1e-12)
    chol = torch.tensor(CHOL)
    np.testing.assert_allclose(
        kl_to_prior(mu, chol, alpha).detach().numpy(), kl_to_prior(MU, CHOL, alpha), rtol=1e-12
    )
    via_chol = kl_to_prior(mu, torch.diag_embed(torch.exp(0.5 * logvar)), alpha)
    torch.testing.assert_close(via_chol, diag, rtol=1e-12, atol=1e-12)
    # Appendix B's gradients: d/dmu = alpha mu, d/dlogvar = (alpha sigma^2 - 1) / 2
    diag.sum().backward()
    np.testing.assert_allclose(mu.grad.numpy(), alpha * MU, rtol=1e-12)
    np.testing.assert_allclose(logvar.grad.numpy(), 0.5 * (alpha * np.exp(LOGVAR) - 1), rtol=1e-12)


def test_kl_is_zero_only_at_the_prior():
    d = 3
    for alpha in ALPHAS:
        at_prior = kl_diag_normal(np.zeros(d), np.full(d, -np.log(alpha)), alpha)
        assert at_prior == pytest.approx(0.0, abs=1e-12)
        assert kl_to_prior(np.zeros(d), np.eye(d) / np.sqrt(alpha), alpha) == pytest.approx(
            0.0, abs=1e-12
        )
    assert np.all(kl_diag_normal(MU, LOGVAR) > 0)


def test_one_dimensional_closed_form():
    # KL(N(0, 1) || N(1, 2^2)) = log(2 / 1) + (1 + (0 - 1)^2) / (2 * 4) - 1/2
    assert kl([0.0], [[1.0]], [1.0], [[4.0]]) == pytest.approx(np.log(2) + 2 / 8 - 0.5)
    assert kl([0.3], [[0.5]], [0.3], [[0.5]]) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_kls_match_monte_carlo(alpha):
    """KL(q || p) = E_q[log q(z) - log p(z)], averaged over 200k draws (4 standard errors)."""
    rng = np.random.default_rng(1)
    mu, c = MU[0], CHOL[0]
    cov = c @ c.T
    z = mu + rng.standard_normal((200_000, 3)) @ c.T
    terms = log_density(z, mu, cov) - log_density(z, np.zeros(3), np.eye(3) / alpha)
    se = terms.std() / np.sqrt(len(terms))
    assert abs(terms.mean() - kl_to_prior(mu, c, alpha)) < 4 * se
    # and between two general Gaussians
    m1, s1 = (
        np.array([0.5, -1.0, 0.2]),
        np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0, -0.2, 0.5]]),
    )
    terms = log_density(z, mu, cov) - log_density(z, m1, s1)
    se = terms.std() / np.sqrt(len(terms))
    assert abs(terms.mean() - kl(mu, cov, m1, s1)) < 4 * se
    assert kl(mu, cov, m1, s1) != pytest.approx(kl(m1, s1, mu, cov), rel=0.01)  # asymmetric


def test_log_density_matches_scipy():
    mean = np.array([0.7, -0.4])
    cov = np.array([[1.2, 0.5], [0.5, 0.6]])
    z = np.random.default_rng(0).normal(size=(7, 2))
    ref = stats.multivariate_normal(mean, cov).logpdf(z)
    out = log_density(z, mean, cov)
    assert out.shape == (7,)
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    # one point (D,) gives a float
    one = log_density(z[3], mean, cov)
    assert isinstance(one, float) and one == pytest.approx(ref[3], rel=1e-12)
    # 1-D and 5-D
    assert log_density(np.array([[0.3]]), [1.0], [[4.0]])[0] == pytest.approx(
        stats.norm(1.0, 2.0).logpdf(0.3), rel=1e-12
    )
    a = np.random.default_rng(1).normal(size=(5, 5))
    cov5 = a @ a.T + np.eye(5)
    pts = np.random.default_rng(2).normal(size=(4, 5))
    np.testing.assert_allclose(
        log_density(pts, np.ones(5), cov5),
        stats.multivariate_normal(np.ones(5), cov5).logpdf(pts),
        rtol=1e-12,
    )


def test_log_density_rejects_a_covariance_that_is_not_positive_definite():
    with pytest.raises(np.linalg.LinAlgError):
        log_density(np.zeros((1, 2)), np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))


@pytest.mark.parametrize(("mean", "var"), [(0.0, 1.0), (1.5, 0.04), (-2.0, 9.0)])
def test_normal_pdf_integrates_to_one(mean, var):
    sd = np.sqrt(var)
    z = np.linspace(mean - 12 * sd, mean + 12 * sd, 20_001)
    p = normal_pdf(z, mean, var)
    assert np.trapezoid(p, z) == pytest.approx(1.0, abs=1e-10)
    assert np.trapezoid(z * p, z) == pytest.approx(mean, abs=1e-9)
    assert np.trapezoid((z - mean) ** 2 * p, z) == pytest.approx(var, rel=1e-9)
    np.testing.assert_allclose(p, stats.norm(mean, sd).pdf(z), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("radius", [1.0, 2.0, 3.0])
def test_ellipse_points_have_mahalanobis_distance_radius(radius):
    mean = np.array([0.5, -1.0])
    cov = np.array([[2.0, 0.8], [0.8, 0.6]])
    pts = ellipse(mean, cov, radius, points=100)
    assert pts.shape == (100, 2)
    d = pts - mean
    maha = np.sqrt(np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d))
    np.testing.assert_allclose(maha, radius, rtol=1e-12)
    np.testing.assert_allclose(pts[0], pts[-1], atol=1e-12)  # a closed curve
    np.testing.assert_allclose(pts[:-1].mean(0), mean, atol=1e-12)  # centred on the mean
