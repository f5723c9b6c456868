"""Toy latent-variable models: log densities against scipy, shapes, and torch twins."""

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.special import expit

from vae_tutorial.theory.latent_models import (
    LinearGaussian,
    LogisticRegression,
    MLPGaussian,
    SigmoidGaussian,
    exam_data,
)

RNG = np.random.default_rng(0)
W = RNG.normal(size=(3, 2))
B = RNG.normal(size=3)


def models():
    return [
        LinearGaussian(alpha=1.5, beta=4.0, W=W),
        SigmoidGaussian(alpha=1.0, beta=9.0, W=W, b=B),
        MLPGaussian.random((2, 8, 3), alpha=0.8, beta=16.0, seed=1),
        LogisticRegression(alpha=0.5, features=exam_data(6, seed=2)[0]),
    ]


@pytest.mark.parametrize("model", models(), ids=lambda m: type(m).__name__)
def test_log_prior_matches_scipy(model):
    z = np.random.default_rng(1).normal(size=(5, 2))
    ref = stats.multivariate_normal(np.zeros(2), np.eye(2) / model.alpha).logpdf(z)
    np.testing.assert_allclose(model.log_prior(z), ref)


@pytest.mark.parametrize("model", models()[:3], ids=lambda m: type(m).__name__)
def test_gaussian_log_likelihood_matches_scipy(model):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(4, 2))
    x = rng.normal(size=(5, model.x_dim))  # five i.i.d. observations
    f = model.mean_function(z)
    sd = 1 / np.sqrt(model.beta)
    ref = stats.norm(f[:, None, :], sd).logpdf(x[None]).sum((1, 2))
    np.testing.assert_allclose(model.log_likelihood(x, z), ref)
    np.testing.assert_allclose(model.log_likelihood(x[0], z), stats.norm(f, sd).logpdf(x[0]).sum(1))
    np.testing.assert_allclose(model.log_joint(x, z), ref + model.log_prior(z))


def test_mean_functions():
    z = np.array([[0.3, -1.0]])
    np.testing.assert_allclose(LinearGaussian(1, 1, W).mean_function(z), z @ W.T)
    np.testing.assert_allclose(SigmoidGaussian(1, 1, W, B).mean_function(z), expit(z @ W.T + B))
    mlp = MLPGaussian(1, 1, [(W, B), (W.T, np.zeros(2))])
    np.testing.assert_allclose(mlp.mean_function(z), np.tanh(z @ W.T + B) @ W)


def test_logistic_log_likelihood_matches_bernoulli():
    feats, y = exam_data(10, seed=3)
    model = LogisticRegression(alpha=1.0, features=feats)
    z = np.random.default_rng(3).normal(size=(6, 2))
    ref = stats.bernoulli(expit(z @ feats.T)).logpmf(y).sum(1)
    np.testing.assert_allclose(model.log_likelihood(y, z), ref)
    # extreme logits stay finite
    assert np.isfinite(model.log_likelihood(y, 1e3 * z)).all()


@pytest.mark.parametrize("model", models(), ids=lambda m: type(m).__name__)
def test_sample_shapes(model):
    z, x = model.sample(7, np.random.default_rng(4))
    assert z.shape == (7, 2) and x.shape == (7, model.x_dim)
    if isinstance(model, LogisticRegression):
        assert set(np.unique(x)) <= {0.0, 1.0}


def test_linear_samples_have_the_marginal_covariance():
    model = LinearGaussian(alpha=2.0, beta=5.0, W=W)
    _, x = model.sample(40_000, np.random.default_rng(5))
    cov = W @ W.T / 2.0 + np.eye(3) / 5.0
    # sample covariance entries have standard error ~ sqrt(2/n) * scale ~ 0.01 here
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.05)


@pytest.mark.parametrize("model", models(), ids=lambda m: type(m).__name__)
def test_torch_twin_equals_numpy(model):
    rng = np.random.default_rng(6)
    z = rng.normal(size=(5, 2))
    x = model.sample(3, rng)[1]
    ref = model.log_joint(x, z)
    zt = torch.tensor(z, requires_grad=True)
    out = model.log_joint_torch(torch.tensor(x), zt)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-10)
    # batched leading dimensions and a single observation work too
    out2 = model.log_joint_torch(torch.tensor(x[0]), zt.reshape(5, 1, 2))
    np.testing.assert_allclose(out2.detach().numpy().ravel(), model.log_joint(x[0], z))
    out.sum().backward()
    assert zt.grad is not None and torch.isfinite(zt.grad).all()


def test_exam_data_is_seeded_and_standardised():
    f1, y1 = exam_data(12, seed=0)
    f2, y2 = exam_data(12, seed=0)
    np.testing.assert_array_equal(f1, f2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_allclose(f1.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(f1.std(0), 1)
    assert 0 < y1.sum() < 12
