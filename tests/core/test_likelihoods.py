"""Decoder likelihoods p(x|z): each matches scipy or its closed form. The checks every
likelihood shares (normalised, shapes, support, checkpoints) are in tests/test_registries.py."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from vae_tutorial.core.likelihoods import (
    LEVELS,
    DiscretizedLogistic,
    LatticePoisson,
    SharedGaussianLikelihood,
    log_sigmoid_difference,
)

LEVELS_GRID = torch.arange(LEVELS + 1, dtype=torch.float64) / LEVELS


def test_lattice_poisson_is_the_poisson_pmf_of_the_grey_levels():
    gen = torch.Generator().manual_seed(0)
    log_rate = torch.randn(50, generator=gen, dtype=torch.float64) * 2
    k = torch.randint(0, LEVELS + 1, (50,), generator=gen).double()
    ours = LatticePoisson(log_rate).log_prob(k / LEVELS)
    ref = stats.poisson.logpmf(k.numpy(), np.exp(log_rate.numpy()))
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-10, atol=1e-10)


def test_lattice_poisson_mean_and_samples_live_on_the_lattice():
    d = LatticePoisson(torch.full((20000,), math.log(30.0), dtype=torch.float64))
    x = d.sample()
    assert torch.allclose(x * LEVELS, torch.round(x * LEVELS))
    assert abs(float(x.mean()) - 30.0 / LEVELS) < 4 * math.sqrt(30.0 / 20000) / LEVELS
    assert float(d.mean[0]) == pytest.approx(30.0 / LEVELS)


def test_shared_gaussian_is_one_variance_for_every_pixel():
    learned = SharedGaussianLikelihood()
    assert "logvar" in dict(learned.named_parameters())
    fixed = SharedGaussianLikelihood(logvar=math.log(0.04)).double()  # s = 0.2 to the last bit
    assert "logvar" not in dict(fixed.named_parameters())
    g = torch.Generator().manual_seed(0)
    a = torch.randn(3, 6, dtype=torch.float64, generator=g)
    x = torch.rand(3, 6, dtype=torch.float64, generator=g)
    ours = fixed(a).log_prob(x)
    ref = stats.norm.logpdf(x.numpy(), 1 / (1 + np.exp(-a.numpy())), 0.2).sum(-1)
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-6)


def test_log_sigmoid_difference_is_stable_and_exact():
    a = torch.tensor([0.3, 5.0, -30.0, 40.0, 1e-3], dtype=torch.float64)
    b = a - torch.tensor([0.1, 2.0, 1e-3, 1.0, 1e-6], dtype=torch.float64)
    ours = log_sigmoid_difference(a, b)
    ref = [
        math.log(stats.logistic.cdf(x) - stats.logistic.cdf(y))
        if stats.logistic.cdf(x) - stats.logistic.cdf(y) > 1e-12
        else None
        for x, y in zip(a.tolist(), b.tolist(), strict=True)
    ]
    for o, r in zip(ours.tolist(), ref, strict=True):
        if r is not None:
            assert o == pytest.approx(r, rel=1e-8)
    assert torch.isfinite(ours).all()  # also in the tails where the naive form underflows
    # the far tail: log(sigmoid(-30) - sigmoid(-30.001)) ~ -30 + log(1e-3)
    assert float(ours[2]) == pytest.approx(-30.0 + math.log(1e-3), abs=1e-3)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("mu", [-3.0, 0.0, 0.3, 0.5004, 1.0, 4.0])
@pytest.mark.parametrize("log_s", [-12.0, -8.3, -5.0, -2.0, 0.0, 2.0])
def test_discretized_logistic_is_a_pmf_on_the_256_levels(dtype, mu, log_s):
    x = LEVELS_GRID.to(dtype)
    d = DiscretizedLogistic(torch.full_like(x, mu), torch.full_like(x, log_s))
    p = d.log_prob(x).exp()
    assert torch.isfinite(p).all() and (p >= 0).all()
    assert abs(float(p.double().sum()) - 1.0) < 1e-5


@pytest.mark.parametrize("mu, log_s", [(0.2, -3.0), (0.5, -1.0), (0.9, -4.5), (0.0, -2.0)])
def test_discretized_logistic_matches_the_cdf_difference(mu, log_s):
    x = LEVELS_GRID
    s = math.exp(log_s)
    upper = torch.sigmoid((x + 0.5 / LEVELS - mu) / s)
    lower = torch.sigmoid((x - 0.5 / LEVELS - mu) / s)
    upper[-1], lower[0] = 1.0, 0.0  # the end bins extend to +-infinity
    direct = upper - lower
    d = DiscretizedLogistic(torch.full_like(x, mu), torch.full_like(x, log_s))
    stable = direct > 1e-6  # where the subtraction itself is accurate (near-1 cancellation)
    got = d.log_prob(x).exp()
    assert stable.sum() > 20
    assert torch.allclose(got[stable], direct[stable], rtol=1e-8, atol=0)
