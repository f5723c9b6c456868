"""Grid posteriors: normalising known Gaussians recovers their moments, normaliser, KL and TV."""

import numpy as np
import pytest
from scipy import stats

from vae_tutorial.theory.gaussian import log_density
from vae_tutorial.theory.grid import make_grid, posterior_on_grid

MEAN = np.array([0.7, -0.4])
COV = np.array([[1.2, 0.5], [0.5, 0.6]])


def test_grid_shapes_and_order():
    g = make_grid([(-1, 1), (0, 2)], (3, 5))
    assert g.shape == (3, 5) and g.points.shape == (15, 2)
    assert g.cell_volume == pytest.approx(1.0 * 0.5)
    # row-major over the axes (indexing="ij"): the second coordinate varies fastest
    np.testing.assert_allclose(g.points[:5, 0], -1.0)
    np.testing.assert_allclose(g.points[:5, 1], np.linspace(0, 2, 5))
    with pytest.raises(ValueError):
        make_grid([(0, 1)] * 3, 5)
    with pytest.raises(ValueError):
        make_grid([(1, 0)], 5)


def test_unnormalised_2d_gaussian_recovers_moments_and_normaliser():
    g = make_grid([(-8, 9), (-7, 6)], 241)
    log_z = 3.21  # an arbitrary constant the grid has to find
    post = posterior_on_grid(lambda z: log_density(z, MEAN, COV) + log_z, g)
    np.testing.assert_allclose(post.mean, MEAN, atol=1e-8)
    np.testing.assert_allclose(post.cov, COV, atol=1e-8)
    assert post.log_evidence == pytest.approx(log_z, abs=1e-8)
    assert (post.density * g.cell_volume).sum() == pytest.approx(1.0)
    np.testing.assert_allclose(post.mode, MEAN, atol=max(g.spacing))
    # marginal of z1 is N(0.7, 1.2)
    np.testing.assert_allclose(
        post.marginal(0), stats.norm(MEAN[0], np.sqrt(COV[0, 0])).pdf(g.axes[0]), atol=1e-8
    )


def test_1d_gaussian():
    g = make_grid([(-14, 16)], 2001)
    post = posterior_on_grid(lambda z: stats.norm(1.0, 2.0).logpdf(z[:, 0]) - 1.5, g)
    assert post.mean.shape == (1,) and post.cov.shape == (1, 1)
    assert post.mean[0] == pytest.approx(1.0, abs=1e-8)
    assert post.cov[0, 0] == pytest.approx(4.0, abs=1e-7)
    assert post.log_evidence == pytest.approx(-1.5, abs=1e-8)


def test_kl_and_tv_identical_and_shifted():
    g = make_grid([(-8, 9), (-7, 6)], 301)
    post = posterior_on_grid(lambda z: log_density(z, MEAN, COV), g)
    same = log_density(g.points, MEAN, COV)
    assert post.kl_from(same) == pytest.approx(0.0, abs=1e-12)
    assert post.tv_distance(same) == pytest.approx(0.0, abs=1e-12)
    # shift by delta: KL = 0.5 delta^T COV^-1 delta; TV = 2 Phi(m / 2) - 1, m = Mahalanobis
    delta = np.array([0.6, -0.3])
    shifted = log_density(g.points, MEAN + delta, COV)
    maha2 = delta @ np.linalg.solve(COV, delta)
    assert post.kl_from(shifted) == pytest.approx(0.5 * maha2, rel=1e-6)
    tv = 2 * stats.norm.cdf(np.sqrt(maha2) / 2) - 1
    assert post.tv_distance(shifted) == pytest.approx(tv, abs=1e-4)
    # a different covariance: closed-form Gaussian KL
    cov_q = np.diag([0.5, 0.3])
    kl = 0.5 * (
        np.trace(np.linalg.solve(COV, cov_q))
        - 2
        + np.log(np.linalg.det(COV) / np.linalg.det(cov_q))
    )
    assert post.kl_from(log_density(g.points, MEAN, cov_q)) == pytest.approx(kl, rel=1e-6)


def test_bad_inputs_raise():
    g = make_grid([(-1, 1)], 11)
    with pytest.raises(ValueError):
        posterior_on_grid(lambda z: np.zeros(3), g)
    post = posterior_on_grid(lambda z: -(z[:, 0] ** 2), g)
    with pytest.raises(ValueError):
        post.kl_from(np.zeros(5))
