"""Likelihoods and latent families of notebook 07: log-densities against scipy, the
exponential latent's inverse-CDF reparameterization and analytic KL against Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from vae_tutorial.config import ExperimentConfig, ModelConfig
from vae_tutorial.errors import ConfigError
from vae_tutorial.estimators import elbo, log_px_importance
from vae_tutorial.latents import ExponentialLatent, GaussianLatent, kl_exponential_unit
from vae_tutorial.likelihoods import (
    LEVELS,
    DiscretizedLogistic,
    LatticePoisson,
    SharedGaussianLikelihood,
    log_sigmoid_difference,
)
from vae_tutorial.models import build_model


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
    fixed = SharedGaussianLikelihood(logvar=math.log(0.04))
    assert "logvar" not in dict(fixed.named_parameters())
    a = torch.randn(3, 6, dtype=torch.float64)
    x = torch.rand(3, 6, dtype=torch.float64)
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


@pytest.mark.parametrize("loc,log_scale", [(0.5, -3.0), (0.0, -8.0), (1.0, -2.0), (0.3, 1.0)])
def test_discretized_logistic_sums_to_one_over_the_256_levels(loc, log_scale):
    levels = torch.arange(LEVELS + 1, dtype=torch.float64) / LEVELS
    d = DiscretizedLogistic(torch.full_like(levels, loc), torch.full_like(levels, float(log_scale)))
    assert float(d.log_prob(levels).exp().sum()) == pytest.approx(1.0, abs=1e-9)


def test_exponential_latent_inverse_cdf_gives_exponential_draws():
    fam = ExponentialLatent(1)
    log_rate = torch.full((1, 1), math.log(2.5), dtype=torch.float64)
    eps = torch.rand((40000, 1, 1), generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    z = fam.transform((log_rate,), eps).flatten().numpy()
    assert stats.kstest(z, stats.expon(scale=1 / 2.5).cdf).pvalue > 1e-3
    u = torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)
    np.testing.assert_allclose(fam.prior_ppf(u).numpy(), stats.expon.ppf(u.numpy()), rtol=1e-12)


def test_exponential_kl_matches_monte_carlo():
    rates = torch.tensor([[0.2, 1.0, 3.0]], dtype=torch.float64)
    fam = ExponentialLatent(3)
    params = (rates.log(),)
    z = fam.rsample(params, 200000)  # (n, 1, 3)
    log_ratio = fam.q(params).log_prob(z) - fam.prior.log_prob(z)
    mc, se = float(log_ratio.mean()), float(log_ratio.std() / math.sqrt(len(log_ratio)))
    exact = float(kl_exponential_unit(params[0]))
    assert abs(mc - exact) < 4 * se
    assert float(kl_exponential_unit(torch.zeros(1, 4))) == 0.0  # KL(Exp(1) || Exp(1)) = 0


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


def test_config_accepts_new_families_and_names_bad_values():
    cfg = ModelConfig(likelihood="poisson", latent="exponential")
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError, match="latent"):
        ModelConfig(latent="gamma")
    with pytest.raises(ConfigError, match="likelihood"):
        ModelConfig(likelihood="student")
    with pytest.raises(ConfigError, match="image_shape"):
        ModelConfig(x_dim=3072, architecture="conv")
    with pytest.raises(ConfigError, match="image_shape"):
        ModelConfig(x_dim=3072, architecture="conv", image_shape=(3, 32, 31))
    with pytest.raises(ConfigError, match="shared_logvar"):
        ModelConfig(likelihood="gaussian_shared", shared_logvar="small")


def test_shipped_family_configs_load():
    from vae_tutorial.pretrained import experiment

    for name in ("mnist-grey-bernoulli", "mnist-grey-shared", "mnist-grey-hetero"):
        exp = experiment(name)
        assert isinstance(exp, ExperimentConfig) and exp.model.z_dim == 2


def test_grey_binarized_is_the_grey_split_thresholded():
    from vae_tutorial.data import load

    grey, binary = load("mnist-grey"), load("mnist-grey-binarized")
    assert torch.equal(binary.train, (grey.train > 0.5).float())
    assert torch.equal(binary.test_labels, grey.test_labels)
