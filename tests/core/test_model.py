"""The VAE model: every likelihood x latent combination trains end to end, and the
estimators agree on it."""

import pytest
import torch

from vae_tutorial.core.config import ModelConfig
from vae_tutorial.core.estimators import elbo, log_px_importance
from vae_tutorial.core.model import build_model


@pytest.mark.parametrize(
    "likelihood,latent",
    [("poisson", "gaussian"), ("gaussian_shared", "gaussian"), ("bernoulli", "exponential")],
)
def test_new_families_train_end_to_end_shapes_and_bounds(likelihood, latent):
    cfg = ModelConfig(x_dim=12, z_dim=2, hidden=(8,), likelihood=likelihood, latent=latent)
    model = build_model(cfg, seed=0).double()
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(5, 12, generator=gen, dtype=torch.float64) > 0.5).double()
    torch.manual_seed(0)
    value = elbo(model, x, n_samples=1)
    assert value.shape == (5,) and torch.isfinite(value).all()
    value.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    with torch.no_grad():
        torch.manual_seed(1)
        a = elbo(model, x, n_samples=4000).mean()
        b = elbo(model, x, n_samples=4000, kl="monte_carlo").mean()
        lpx = log_px_importance(model, x, k=4000).mean()
        mean = model.decode_mean(torch.zeros(3, 2, dtype=torch.float64))
    assert abs(float(a - b)) < 0.2  # estimators A and B share their expectation
    assert float(lpx) >= float(a) - 0.05  # the IS bound is tighter than the ELBO
    assert mean.shape == (3, 12) and float(mean.min()) >= 0 and float(mean.max()) <= 1
