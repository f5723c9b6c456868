"""The grid estimator of log p(x) against closed forms, and against the bounds it must beat."""

import math

import numpy as np
import pytest
import torch
from torch.distributions import Independent, Normal

from vae_tutorial.core.exact import log_joint, log_px_grid, posterior_grid


class LinearGaussianVAE:
    """A decoder p(x|z) = N(W z + b, s^2 I) with prior N(0, I): log p(x) is known exactly,
    log N(x; b, W W^T + s^2 I) (probabilistic PCA). Only what the estimator uses."""

    def __init__(self, w, b, s):
        self.w, self.b, self.s = w, b, s
        self.z_dim = w.shape[1]
        self.prior = Independent(Normal(torch.zeros(self.z_dim), torch.ones(self.z_dim)), 1)

    def eval(self):
        return self

    def decode(self, z):
        mean = z.double() @ self.w.T + self.b
        return Independent(Normal(mean, self.s), 1)

    def exact(self, x):
        cov = self.w @ self.w.T + self.s**2 * torch.eye(len(self.b))
        mvn = torch.distributions.MultivariateNormal(self.b, cov)
        return mvn.log_prob(x.double()).numpy()


@pytest.mark.parametrize("s", [1.0, 0.3, 0.05])
def test_grid_log_px_equals_the_closed_form(s):
    g = torch.Generator().manual_seed(0)
    w = torch.randn(5, 2, generator=g, dtype=torch.float64) * 2
    b = torch.randn(5, generator=g, dtype=torch.float64)
    model = LinearGaussianVAE(w, b, s)
    x = torch.randn(4, 2, generator=g, dtype=torch.float64) @ w.T * 1.5 + b
    r = log_px_grid(model, x, tol=1e-4)
    assert r.converged.all()
    np.testing.assert_allclose(r.log_px, model.exact(x), atol=1e-3)  # float32 prior, tol 1e-4


@pytest.mark.parametrize("s", [0.5, 0.1])
def test_grid_log_px_in_3d_equals_the_closed_form(s):
    """The paper's Figure 3 models have a 3-D latent: the same estimator on cubes."""
    g = torch.Generator().manual_seed(1)
    w = torch.randn(6, 3, generator=g, dtype=torch.float64) * 2
    b = torch.randn(6, generator=g, dtype=torch.float64)
    model = LinearGaussianVAE(w, b, s)
    x = torch.randn(3, 3, generator=g, dtype=torch.float64) @ w.T + b
    r = log_px_grid(model, x, tol=1e-3)
    assert r.converged.all() and r.box.shape == (3, 6)
    np.testing.assert_allclose(r.log_px, model.exact(x), atol=5e-3)


def test_posterior_far_from_the_prior_widens_the_box():
    """A sharp likelihood centred at |z| = 20: the first box [-16, 16] misses it."""
    w = torch.eye(2, dtype=torch.float64)
    model = LinearGaussianVAE(w, torch.zeros(2, dtype=torch.float64), 0.01)
    x = torch.tensor([[20.0, -3.0]], dtype=torch.float64)
    r = log_px_grid(model, x, tol=1e-3)
    assert r.converged.all() and r.box[0, 1] > 19.5
    np.testing.assert_allclose(r.log_px, model.exact(x), atol=2e-3)


def test_refinement_stops_when_two_resolutions_agree():
    w = torch.eye(2, dtype=torch.float64) * 3
    model = LinearGaussianVAE(w, torch.zeros(2, dtype=torch.float64), 0.02)
    x = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    coarse = log_px_grid(model, x, tol=math.inf)  # one level only
    fine = log_px_grid(model, x, tol=1e-6)
    assert coarse.resolution[0] == 33 and fine.resolution[0] > 33 and fine.error[0] <= 1e-6


def test_shipped_mnist_z2_grid_bounds_the_elbo_and_importance_sampling():
    """On the shipped 2-D model, per digit: log p(x) (grid) >= ELBO, and IS (K = 1000) is
    below it on average: a single IS estimate can exceed log p(x) (only its expectation is a
    lower bound), by its noise, about 0.05 nats here."""
    from vae_tutorial.core.estimators import elbo, log_px_importance
    from vae_tutorial.core.pretrained import load_pretrained
    from vae_tutorial.datasets import load

    model = load_pretrained("mnist-z2")
    x = load("mnist-binarized").test[::2000][:5]
    r = log_px_grid(model, x)
    assert r.converged.all() and (r.error <= 0.01).all()
    torch.manual_seed(0)
    with torch.inference_mode():
        lb = elbo(model, x, n_samples=1000).double().numpy()
        isk = log_px_importance(model, x, k=1000).double().numpy()
    assert (r.log_px >= lb).all()  # the ELBO is a lower bound
    assert (isk <= r.log_px + 0.2).all() and isk.mean() <= r.log_px.mean() + 0.02


def test_posterior_grid_is_normalised_and_matches_log_px():
    from vae_tutorial.core.pretrained import load_pretrained
    from vae_tutorial.datasets import load

    model = load_pretrained("mnist-z2")
    x = load("mnist-binarized").test[7]
    post = posterior_grid(model, x, resolution=121)
    assert post.weights.sum() == pytest.approx(1.0)
    assert post.log_evidence == pytest.approx(log_px_grid(model, x[None]).log_px[0], abs=0.02)
    q_mean = model.encode_mean(x[None])[0].detach().double().numpy()
    assert np.linalg.norm(post.mean - q_mean) < 1.0  # the encoder finds the right place


def test_log_joint_shares_the_decoder_across_datapoints():
    w = torch.eye(2, dtype=torch.float64)
    model = LinearGaussianVAE(w, torch.zeros(2, dtype=torch.float64), 0.5)
    x = torch.tensor([[0.0, 1.0], [2.0, -1.0]], dtype=torch.float64)
    z = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.5, -2.0]], dtype=torch.float64)
    lj = log_joint(model, x, z)
    for i in range(2):
        for j in range(3):
            ref = model.decode(z[j]).log_prob(x[i]) + model.prior.log_prob(z[j].float())
            assert float(lj[i, j]) == pytest.approx(float(ref), abs=1e-5)


def test_a_latent_other_than_2d_or_3d_is_refused():
    from vae_tutorial.core.pretrained import load_pretrained

    with pytest.raises(ValueError, match="needs a 2-D or 3-D latent; this model has 20"):
        log_px_grid(load_pretrained("mnist-z20"), torch.zeros(1, 784))
