"""Reparameterized samplers against scipy distributions, and pathwise gradients."""

import numpy as np
import pytest
import torch
from scipy import stats

from vae_tutorial.theory import reparameterization as rp


def test_exponential_by_inverse_cdf():
    u = np.random.default_rng(0).uniform(size=20_000)
    z = rp.exponential_from_uniform(u, 2.5)
    assert rp.ks_pvalue(z, stats.expon(scale=1 / 2.5)) > 0.01
    assert rp.ks_pvalue(z, stats.expon(scale=1 / 2.0)) < 1e-6  # the test has power


def test_gamma_integer_shape_as_a_sum_of_exponentials():
    u = np.random.default_rng(1).uniform(size=(20_000, 3))
    z = rp.gamma_from_uniforms(u, 0.7)
    assert rp.ks_pvalue(z, stats.gamma(a=3, scale=0.7)) > 0.01
    assert rp.ks_pvalue(z, stats.gamma(a=2.5, scale=0.7)) < 1e-6


def test_location_scale_and_scale_change():
    rng = np.random.default_rng(2)
    z = rp.location_scale(rng.standard_normal(20_000), 1.5, 0.4)
    assert rp.ks_pvalue(z, stats.norm(1.5, 0.4)) > 0.01
    e = rp.location_scale(rp.exponential_from_uniform(rng.uniform(size=20_000), 1.0), 0.0, 3.0)
    assert rp.ks_pvalue(e, stats.expon(scale=3.0)) > 0.01


def test_torch_inputs_keep_gradients():
    rate = torch.tensor(2.0, requires_grad=True)
    z = rp.exponential_from_uniform(torch.tensor([0.5]), rate)
    z.sum().backward()
    assert rate.grad.item() == pytest.approx(-np.log(2) / 4)


@pytest.mark.parametrize("rate", [0.5, 2.0])
def test_pathwise_gradient_of_the_mean_wrt_rate(rate):
    est, se = rp.pathwise_grad_exponential_mean(rate, 50_000, seed=0)
    assert abs(est - (-1 / rate**2)) < 4 * se
    assert se < 0.02 / rate**2


def test_pathwise_gradient_of_the_gamma_mean_wrt_scale():
    est, se = rp.pathwise_grad_gamma_mean(4, 1.3, 50_000, seed=0)
    assert abs(est - 4.0) < 4 * se
