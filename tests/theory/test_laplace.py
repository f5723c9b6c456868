"""MAP and Laplace: exact on the linear-Gaussian model, stationary and curved on the hard ones."""

import numpy as np
import pytest

from vae_tutorial.theory.conjugate import linear_gaussian_posterior, log_marginal_likelihood
from vae_tutorial.theory.grid import make_grid, posterior_on_grid
from vae_tutorial.theory.laplace import (
    find_map,
    finite_differences,
    laplace_approximation,
    log_joint_grad,
    neg_hessian,
)
from vae_tutorial.theory.latent_models import HARD_EXAMPLES, LinearGaussian, hard_example

W = np.array([[1.0, 0.5], [-0.3, 1.2], [0.8, 0.0]])
X = np.array([0.9, -0.4, 1.3])


def test_laplace_is_exact_for_the_linear_gaussian_model():
    model = LinearGaussian(0.8, 2.5, W)
    lap = laplace_approximation(model, X)
    mean, cov = linear_gaussian_posterior(X, 0.8, 2.5, W)
    np.testing.assert_allclose(lap.mean, mean, atol=1e-7)
    np.testing.assert_allclose(lap.cov, cov, atol=1e-10)
    assert lap.log_evidence == pytest.approx(log_marginal_likelihood(X, 0.8, 2.5, W), abs=1e-9)
    post = posterior_on_grid(lambda z: model.log_joint(X, z), make_grid([(-4, 5), (-5, 4)], 201))
    assert post.kl_from(lap.log_density(post.grid.points)) < 1e-10


@pytest.mark.parametrize("name", HARD_EXAMPLES)
def test_map_is_stationary_and_laplace_is_not_exact(name):
    model, x, limits = hard_example(name)
    z_map = find_map(model, x)
    assert np.linalg.norm(log_joint_grad(model, x, z_map)) < 1e-5
    h = neg_hessian(model, x, z_map)
    assert np.all(np.linalg.eigvalsh(h) > 0)
    fd_grad, fd = finite_differences(lambda p: model.log_joint(x, p), z_map)
    assert np.linalg.norm(fd_grad) < 1e-5  # the same MAP by another route
    np.testing.assert_allclose(-fd, h, rtol=1e-4, atol=1e-4)
    away = z_map + np.array([0.3, -0.2])  # a point where the gradient is not zero
    fd_grad, fd = finite_differences(lambda p: model.log_joint(x, p), away)
    np.testing.assert_allclose(fd_grad, log_joint_grad(model, x, away), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(-fd, neg_hessian(model, x, away), rtol=1e-4, atol=1e-4)
    post = posterior_on_grid(lambda z: model.log_joint(x, z), make_grid(limits, 151))
    # the MAP is the highest grid point up to one cell, and beats every grid point
    assert np.all(np.abs(z_map - post.mode) <= np.array(post.grid.spacing))
    assert model.log_joint(x, z_map[None])[0] >= post.log_joint.max() - 1e-9
    lap = laplace_approximation(model, x, mode=z_map)
    assert post.kl_from(lap.log_density(post.grid.points)) > 0.2


def test_hard_example_overrides():
    model, x, _ = hard_example("sigmoid", beta=4.0, x=[0.1, 0.2])
    assert model.beta == 4.0 and np.allclose(x, [0.1, 0.2])
    with pytest.raises(ValueError):
        hard_example("logistic", beta=2.0)
    with pytest.raises(ValueError):
        hard_example("nope")
