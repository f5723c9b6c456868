"""Latent families q(z|x): reparameterization, analytic KL and the prior, against scipy and
closed forms. The checks every family shares (draws, KL and mean against Monte Carlo,
gradients) are in tests/test_registries.py."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from vae_tutorial.core.latents import (
    ExponentialLatent,
    GaussianLatent,
    kl_exponential_unit,
)


def test_exponential_latent_inverse_cdf_gives_exponential_draws():
    fam = ExponentialLatent(1)
    log_rate = torch.full((1, 1), math.log(2.5), dtype=torch.float64)
    eps = torch.rand((40000, 1, 1), generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    z = fam.transform((log_rate,), eps).flatten().numpy()
    assert stats.kstest(z, stats.expon(scale=1 / 2.5).cdf).pvalue > 1e-3
    u = torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)
    np.testing.assert_allclose(fam.prior_ppf(u).numpy(), stats.expon.ppf(u.numpy()), rtol=1e-12)


def test_exponential_kl_is_zero_only_at_the_prior():
    assert float(kl_exponential_unit(torch.zeros(1, 4))) == 0.0  # KL(Exp(1) || Exp(1)) = 0
    assert float(kl_exponential_unit(torch.full((1, 4), 0.1))) > 0


def test_exponential_reparameterization_gradient_matches_the_exact_one():
    # d/d log(lambda) E_q[z] = d/d log(lambda) (1 / lambda) = -1 / lambda
    log_rate = torch.tensor([[math.log(0.5)]], dtype=torch.float64, requires_grad=True)
    fam = ExponentialLatent(1)
    torch.manual_seed(0)
    fam.rsample((log_rate,), 100000).mean().backward()
    assert float(log_rate.grad) == pytest.approx(-2.0, rel=0.02)


def test_gaussian_family_matches_the_paper_kl():
    fam = GaussianLatent(2)
    mu, logvar = torch.tensor([[0.5, -1.0]]), torch.tensor([[0.2, -0.3]])
    # KL(N(m, s^2) || N(0, 1)) = -log s + (s^2 + m^2) / 2 - 1/2, by quadrature
    ref = 0.0
    for m, lv in zip(mu[0].tolist(), logvar[0].tolist(), strict=True):
        q = stats.norm(m, math.exp(lv / 2))
        grid = np.linspace(m - 12, m + 12, 200001)
        ref += np.trapezoid(q.pdf(grid) * (q.logpdf(grid) - stats.norm.logpdf(grid)), grid)
    assert float(fam.kl((mu, logvar))) == pytest.approx(ref, rel=1e-5)
