"""The true posterior of the shipped 2-D model: gaps that add up, and a scan that agrees with
the per-digit grid."""

import numpy as np
import pytest

import vae_tutorial as vt
from vae_tutorial.studies import true_posterior as tp


@pytest.fixture(scope="module")
def model_and_digits():
    return vt.load_pretrained("mnist-z2"), vt.load("mnist-binarized").test


def test_the_gaps_add_up_and_the_bounds_hold(model_and_digits):
    model, x = model_and_digits
    r = tp.report(model, x[0], n=81, steps=100)
    assert r.elbo_encoder <= r.elbo_best + 0.05  # the per-digit fit starts at the encoder
    assert r.elbo_best <= r.log_px + 0.05 and r.amortization_gap >= -0.05
    total = r.log_px - r.elbo_encoder
    assert r.amortization_gap + r.approximation_gap == pytest.approx(total)
    assert r.posterior.weights.sum() == pytest.approx(1.0)


def test_scan_finds_the_posterior_mean_and_modes(model_and_digits):
    model, x = model_and_digits
    s = tp.scan(model, x[:20])
    assert s["posterior_mean"].shape == (20, 2) and (s["modes"] >= 1).all()
    post = tp.report(model, x[3], n=81, steps=10).posterior
    assert np.allclose(s["posterior_mean"][3], post.mean, atol=0.05)


def test_a_model_without_a_2d_latent_is_refused():
    with pytest.raises(ValueError, match="needs a 2-D latent"):
        tp.report(vt.load_pretrained("mnist-z20"), vt.load("mnist-binarized").test[0])
