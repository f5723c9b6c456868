"""Amortization gap: per-datapoint optimized q against the encoder's q (shipped mnist-z20)."""

import numpy as np
import pytest
import torch

from vae_tutorial.core.estimators import elbo, elbo_of_q
from vae_tutorial.core.pretrained import load_pretrained
from vae_tutorial.datasets import load
from vae_tutorial.settings import torch_threads
from vae_tutorial.studies.amortization import (
    amortization_gaps,
    optimize_q,
)
from vae_tutorial.viz.aevb import gaps_figure, tightness_figure


@pytest.fixture(scope="module")
def model():
    return load_pretrained("mnist-z20")


@pytest.fixture(scope="module")
def digits():
    test = load("mnist-binarized").test  # sorted by class: spread the picks
    return test[torch.tensor([0, 2500, 5000, 7500])]


def test_elbo_of_q_at_the_encoder_matches_the_sgvb_estimator(model, digits):
    torch.manual_seed(0)
    with torch_threads(1), torch.no_grad():
        mu, logvar = model.encoder_params(digits)
        ours = elbo_of_q(model, digits, (mu, logvar), n_samples=2000)
        draws = elbo(model, digits.repeat(2000, 1), n_samples=1).reshape(2000, 4)
    se = draws.std(0) / np.sqrt(2000)
    assert torch.all((ours - draws.mean(0)).abs() < 4 * se + 0.05)


def test_optimizing_q_raises_each_digits_elbo(model, digits):
    mu, logvar, trace = optimize_q(model, digits, steps=100, record_every=10)
    assert trace.shape == (11, 4) and mu.shape == logvar.shape == (4, 20)
    assert np.all(trace[-3:].mean(0) > trace[:1].mean(0))
    assert all(p.requires_grad for p in model.parameters())  # decoder left as it was
    mu2, _, _ = optimize_q(model, digits, steps=100, record_every=10)
    assert torch.equal(mu, mu2)  # seeded


def test_amortization_gap_is_positive_and_importance_sampling_bounds_the_elbos(model, digits):
    r = amortization_gaps(model, digits, steps=200, k=1000)
    assert r.elbo_encoder.shape == (4,) and r.k == 1000
    assert np.all(r.elbo_encoder < -40) and np.all(r.elbo_encoder > -200)  # nats, MNIST
    assert np.all(r.amortization_gap > 0)  # the encoder's q is not the best Gaussian
    assert np.all(r.log_px >= r.elbo_optimized)  # IS (K = 1000) >= ELBO of its proposal
    assert np.all(r.log_px_encoder >= r.elbo_encoder)
    assert np.all(r.approximation_gap < 10) and np.all(r.amortization_gap < 20)


def test_figures(model, digits):
    r = amortization_gaps(model, digits[:2], steps=20, k=50)
    fig = gaps_figure(r)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2 + 1  # two digits, zero line
    fig = tightness_figure(r.elbo_encoder, {1: r.elbo_encoder, 50: r.log_px_encoder}, "m")
    assert fig.axes[1].get_xscale() == "log"
