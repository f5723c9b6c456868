import itertools
import math

import pytest
import torch
from torch.distributions import Independent, Normal, kl_divergence

from vae_tutorial.core.config import ModelConfig
from vae_tutorial.core.estimators import (
    elbo,
    evaluate,
    log_importance_weights,
    log_px_importance,
)
from vae_tutorial.core.model import build_model
from vae_tutorial.theory.gaussian import kl_diag_normal


def test_analytic_kl_matches_torch_and_monte_carlo():
    g = torch.Generator().manual_seed(1)
    mu = torch.randn(7, 5, generator=g)
    logvar = torch.randn(7, 5, generator=g)
    q = Independent(Normal(mu, torch.exp(0.5 * logvar)), 1)
    p = Independent(Normal(torch.zeros(5), torch.ones(5)), 1)
    ours = kl_diag_normal(mu, logvar)
    assert torch.allclose(ours, kl_divergence(q, p), atol=1e-5)
    torch.manual_seed(0)
    z = q.sample((200_000,))
    mc = (q.log_prob(z) - p.log_prob(z)).mean(0)
    se = (q.log_prob(z) - p.log_prob(z)).std(0) / math.sqrt(200_000)
    assert torch.all((mc - ours).abs() < 5 * se + 1e-3)


def test_kl_is_zero_only_at_the_prior():
    assert float(kl_diag_normal(torch.zeros(3), torch.zeros(3))) == 0.0
    assert float(kl_diag_normal(torch.full((3,), 0.1), torch.zeros(3))) > 0


def test_estimators_a_and_b_agree_in_expectation(tiny_model, tiny_data):
    x = tiny_data[0][:20]
    torch.manual_seed(0)
    with torch.no_grad():
        a = torch.stack([elbo(tiny_model, x, 1, "monte_carlo") for _ in range(4000)])
        b = torch.stack([elbo(tiny_model, x, 1, "analytic") for _ in range(4000)])
    diff = a.mean(0) - b.mean(0)
    se = torch.sqrt(a.var(0) / 4000 + b.var(0) / 4000)
    assert torch.all(diff.abs() < 5 * se)
    # ...and the analytic KL removes variance: estimator B is the less noisy one
    assert float(b.var(0).mean()) < float(a.var(0).mean())


def test_more_samples_reduce_elbo_variance(tiny_model, tiny_data):
    x = tiny_data[0][:10]
    torch.manual_seed(0)
    with torch.no_grad():
        v1 = torch.stack([elbo(tiny_model, x, 1) for _ in range(500)]).var(0).mean()
        v10 = torch.stack([elbo(tiny_model, x, 10) for _ in range(500)]).var(0).mean()
    assert 5 < float(v1 / v10) < 20  # variance falls like 1/L


def test_gradients_flow_to_encoder_and_decoder(tiny_model, tiny_data):
    loss = -elbo(tiny_model, tiny_data[0][:8]).mean()
    loss.backward()
    for name, p in tiny_model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def exact_log_px_1d(model, x, n=20001):
    """log p(x) = log int p(x|z) p(z) dz by the trapezoid rule on a fine 1-D grid."""
    z = torch.linspace(-8, 8, n).unsqueeze(-1)  # (n, 1)
    with torch.no_grad():
        lj = model.decode(z.unsqueeze(1)).log_prob(x) + model.prior.log_prob(z.unsqueeze(1))
    dz = float(z[1] - z[0])
    w = torch.full((n, 1), dz)
    w[0] = w[-1] = dz / 2
    return torch.logsumexp(lj + torch.log(w), dim=0)


def test_importance_sampling_matches_quadrature_on_1d_latent():
    model = build_model(ModelConfig(x_dim=6, z_dim=1, hidden=(8,)), seed=2)
    x = (torch.rand(5, 6, generator=torch.Generator().manual_seed(0)) < 0.5).float()
    exact = exact_log_px_1d(model, x)
    torch.manual_seed(0)
    est = log_px_importance(model, x, k=20000, chunk=3000)
    assert torch.allclose(est, exact, atol=0.02), (est, exact)
    with torch.no_grad():
        lower = elbo(model, x, n_samples=20000)
    assert torch.all(lower <= exact + 1e-4)  # the ELBO is a lower bound


def test_importance_bound_above_elbo_and_increasing_in_k(tiny_model, tiny_data):
    x = tiny_data[1][:50]
    torch.manual_seed(0)
    with torch.no_grad():
        e = elbo(tiny_model, x, n_samples=2000).mean()
    bounds = []
    for k in (1, 10, 100, 1000):
        torch.manual_seed(k)
        bounds.append(float(log_px_importance(tiny_model, x, k=k).mean()))
    assert abs(bounds[0] - float(e)) < 0.3  # K = 1 is the ELBO itself
    assert all(b2 > b1 for b1, b2 in itertools.pairwise(bounds))
    assert bounds[-1] > float(e)


def test_streaming_equals_one_shot():
    model = build_model(ModelConfig(x_dim=6, z_dim=2, hidden=(8,)), seed=0)
    x = torch.ones(3, 6)
    torch.manual_seed(5)
    lw = log_importance_weights(model, x, 64)
    one_shot = torch.logsumexp(lw, 0) - math.log(64)
    torch.manual_seed(5)
    streamed = log_px_importance(model, x, k=64, chunk=64)
    assert torch.allclose(one_shot, streamed, atol=1e-5)
    torch.manual_seed(5)
    small_chunks = log_px_importance(model, x, k=64, chunk=7)
    assert small_chunks.shape == (3,) and torch.isfinite(small_chunks).all()


def test_evaluate_averages_over_batches(tiny_model, tiny_data):
    x = tiny_data[1]
    torch.manual_seed(0)
    r = evaluate(tiny_model, x, k=50, batch_size=33)
    assert r["n"] == 100 and r["log_px"] > r["elbo"]
    with pytest.raises(ValueError):
        log_px_importance(tiny_model, x, k=0)


def test_gaussian_decoder_density_and_floor():
    cfg = ModelConfig(x_dim=4, z_dim=2, hidden=(5,), likelihood="gaussian", logvar_min=-3.0)
    model = build_model(cfg, seed=0)
    z = torch.randn(6, 2)
    out = model.decoder(z)
    mean, logvar = model.likelihood.split(out)
    assert torch.all(logvar >= -3.0)
    p = model.decode(z)
    x = torch.rand(6, 4)
    ref = Normal(mean, torch.exp(0.5 * logvar)).log_prob(x).sum(-1)
    assert torch.allclose(p.log_prob(x), ref)
    assert torch.allclose(model.decode_mean(z), mean)


def test_batched_importance_sampling_is_the_same_for_any_number_of_workers(tiny_model, tiny_data):
    from vae_tutorial.core.estimators import log_px_importance_batches

    x = tiny_data[1][:50]
    torch.manual_seed(123)
    before = torch.get_rng_state()
    one = log_px_importance_batches(tiny_model, x, k=64, batch=20, jobs=1, seed=7)
    assert torch.equal(torch.get_rng_state(), before)  # the caller's generator is untouched
    two = log_px_importance_batches(tiny_model, x, k=64, batch=20, jobs=2, seed=7)
    assert torch.equal(one[0], two[0]) and torch.equal(one[1], two[1])
    other = log_px_importance_batches(tiny_model, x, k=64, batch=20, jobs=1, seed=8)
    assert not torch.equal(one[0], other[0])
    assert one[0].shape == (50,) and ((one[1] >= 1) & (one[1] <= 64)).all()
    with pytest.raises(ValueError, match="jobs"):
        log_px_importance_batches(tiny_model, x, jobs=0)
