"""AIS: an unbiased estimator of p(x) that tightens with the schedule, checked against the
exact grid on the shipped 2-D model."""

import numpy as np
import pytest
import torch

from vae_tutorial.core.ais import ais, sigmoid_schedule
from vae_tutorial.core.exact import log_px_grid
from vae_tutorial.core.pretrained import load_pretrained
from vae_tutorial.datasets import load


def test_schedule_runs_from_0_to_1_and_is_increasing():
    b = sigmoid_schedule(50)
    assert b[0] == 0 and b[-1] == 1 and (torch.diff(b) > 0).all()
    with pytest.raises(ValueError):
        sigmoid_schedule(0)


@pytest.fixture(scope="module")
def digits():
    model = load_pretrained("mnist-z2")
    x = load("mnist-binarized").test[::1000][:8]
    return model, x, log_px_grid(model, x).log_px


@pytest.mark.parametrize("start,lo,hi", [("encoder", -0.5, 0.3), ("prior", -1.5, 0.3)])
def test_ais_matches_the_exact_grid_on_mnist_z2(digits, start, lo, hi):
    """Stochastic lower bound: the mean difference is at most noise above 0; the start at the
    encoder's q is tight after 100 steps, the start at the prior still a little loose."""
    model, x, exact = digits
    r = ais(model, x, chains=16, steps=100, leapfrog=5, start=start, seed=0)
    diff = r.log_px - exact
    print(f"AIS ({start}, T = 100, K = 16) - exact: mean {diff.mean():+.3f}, "
          f"max |.| {np.abs(diff).max():.3f} nats; acceptance {r.acceptance:.2f}")  # fmt: skip
    assert lo < diff.mean() < hi and np.abs(diff).max() < 3.0
    assert 0.3 < r.acceptance < 0.95 and (r.ess >= 1).all() and (r.ess <= 16).all()


def test_a_longer_schedule_is_tighter(digits):
    """The spread of the chain weights (what makes the estimate noisy) falls with T."""
    model, x, _ = digits
    short = ais(model, x[:4], chains=16, steps=10, leapfrog=2, seed=0)
    long = ais(model, x[:4], chains=16, steps=200, leapfrog=2, seed=0)
    assert long.log_weights.std(0).mean() < short.log_weights.std(0).mean()
    assert np.median(long.ess) > np.median(short.ess)


def test_seeded_and_validated():
    model = load_pretrained("mnist-z2")
    x = load("mnist-binarized").test[:2]
    a = ais(model, x, chains=4, steps=5, leapfrog=2, seed=3)
    b = ais(model, x, chains=4, steps=5, leapfrog=2, seed=3)
    np.testing.assert_array_equal(a.log_px, b.log_px)
    for bad in ({"chains": 0}, {"steps": -1}, {"leapfrog": 1.5}, {"step_size": 0.0},
                {"start": "posterior"}):  # fmt: skip
        with pytest.raises(ValueError):
            ais(model, x, **bad)


def test_batches_give_the_same_answer_in_worker_processes(digits):
    """ais_batches: batch b seeded seed + b, so 1 or 2 worker processes agree to the bit;
    and each batch is the plain ais() of its rows with that seed."""
    from vae_tutorial.core.ais import ais_batches

    model, x = digits[0], digits[1][:6]
    schedule = {"chains": 2, "steps": 5, "leapfrog": 2, "start": "encoder"}
    one = ais_batches(model, x, batch=4, jobs=1, seed=3, **schedule)
    two = ais_batches(model, x, batch=4, jobs=2, seed=3, **schedule)
    assert np.array_equal(one.log_px, two.log_px) and np.array_equal(one.ess, two.ess)
    assert one.log_weights.shape == (2, 6) and one.chains == 2 and one.steps == 5
    second = ais(model, x[4:], seed=4, **schedule)
    assert np.array_equal(one.log_px[4:], second.log_px)
