"""Training objectives beyond the ELBO: beta-weighted KL with annealing and free bits, and the
importance-weighted bound (IWAE)."""

import math

import pytest
import torch

from vae_tutorial.core.config import ConfigError, TrainConfig
from vae_tutorial.core.estimators import OBJECTIVES, elbo, iwae_bound, weighted_elbo
from vae_tutorial.core.train import fit


def test_iwae_equals_the_elbo_at_k_1_and_increases_with_k(tiny_model, tiny_data):
    x = tiny_data[1][:50]
    torch.manual_seed(0)
    with torch.no_grad():
        reps = 400
        e = torch.stack([elbo(tiny_model, x) for _ in range(reps)]).mean()
        i1 = torch.stack([iwae_bound(tiny_model, x, 1) for _ in range(reps)]).mean()
        bounds = [float(torch.stack([iwae_bound(tiny_model, x, k) for _ in range(50)]).mean())
                  for k in (1, 5, 50)]  # fmt: skip
    assert float(i1) == pytest.approx(float(e), abs=0.05)  # same expectation (estimator A, B)
    assert bounds[0] < bounds[1] < bounds[2]  # tighter with K (Burda et al. 2016, Thm 1)


def test_weighted_elbo_is_estimator_b_at_beta_1_and_weights_the_kl(tiny_model, tiny_data):
    x = tiny_data[1][:20]
    torch.manual_seed(3)
    a = weighted_elbo(tiny_model, x, 1, beta=1.0)
    torch.manual_seed(3)
    b = elbo(tiny_model, x)
    assert torch.allclose(a, b)
    torch.manual_seed(3)
    rec_only = weighted_elbo(tiny_model, x, 1, beta=0.0)
    kl = tiny_model.latent.kl(tiny_model.encoder_params(x))
    torch.manual_seed(3)
    twice = weighted_elbo(tiny_model, x, 1, beta=2.0)
    assert torch.allclose(twice, rec_only - 2 * kl, atol=1e-5)


def test_free_bits_floor_each_dimension_batch_kl(tiny_model, tiny_data):
    x = tiny_data[1][:20]
    params = tiny_model.encoder_params(x)
    mu, logvar = params
    per_dim = 0.5 * (mu**2 + logvar.exp() - 1 - logvar)
    floor = 10.0  # above every dimension's KL here: the floor is what counts
    torch.manual_seed(1)
    fb = weighted_elbo(tiny_model, x, 1, free_bits=floor)
    torch.manual_seed(1)
    rec = weighted_elbo(tiny_model, x, 1, beta=0.0)
    expected_kl = per_dim.sum(-1) - per_dim.mean(0).sum() + floor * per_dim.shape[1]
    assert torch.allclose(rec - fb, expected_kl, atol=1e-5)
    assert float(per_dim.detach().mean(0).max()) < floor


@pytest.mark.parametrize("objective", sorted(OBJECTIVES))
def test_every_objective_trains(tiny_config, tiny_data, objective):
    from vae_tutorial.core.model import build_model

    model = build_model(tiny_config, seed=0)
    cfg = TrainConfig(lr=1e-2, batch_size=50, max_samples=3000, eval_every=1000,
                      eval_train_size=200, objective=objective, iwae_k=5, beta=2.0,
                      kl_warmup=1000, free_bits=0.1)  # fmt: skip
    h = fit(model, tiny_data, cfg, progress=False)
    assert h.train_elbo[-1] > h.train_elbo[0] + 1 and math.isfinite(h.test_elbo[-1])


def test_objective_settings_are_validated_and_serialised_only_when_set():
    with pytest.raises(ConfigError, match="train.objective = 'vimco'.*one of elbo, iwae"):
        TrainConfig(objective="vimco")
    with pytest.raises(ConfigError, match="train.beta = -1"):
        TrainConfig(beta=-1)
    assert "beta" not in TrainConfig().to_dict()  # earlier files hash as before
    assert TrainConfig(beta=4.0).to_dict()["beta"] == 4.0
