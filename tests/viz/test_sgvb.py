"""SGVB figures of notebook 04 are well formed (pure: numbers in, Figure out)."""

import numpy as np
import pytest

from vae_tutorial.theory.grid import make_grid, posterior_on_grid
from vae_tutorial.theory.latent_models import LinearGaussian
from vae_tutorial.viz.sgvb import amortization_figure, sgvb_fit_figure, variance_scaling_figure


@pytest.fixture(scope="module")
def post():
    model = LinearGaussian(alpha=1.0, beta=2.0, W=np.array([[1.0, 0.5], [0.0, 1.0]]))
    x = np.array([1.0, 0.5])
    return posterior_on_grid(lambda z: model.log_joint(x, z), make_grid([(-4, 4)] * 2, 61))


def test_variance_scaling_figure_shows_both_estimators_and_the_1_over_l_line():
    ls, ds = [1, 4, 16], [1, 2, 4, 8]
    var_l = {"score function": [30.0, 7.5, 1.9], "pathwise": [1.0, 0.25, 0.06]}
    var_d = {"score function": [9.0, 17.0, 46.0, 142.0], "pathwise": [1.0, 1.0, 1.0, 1.0]}
    fig = variance_scaling_figure(ls, var_l, ds, var_d, target="D = 2 Gaussian target")
    assert len(fig.axes) == 2
    left, right = fig.axes
    assert left.get_title().startswith("D = 2 Gaussian target")
    assert "L" in left.get_title() and "variance" in left.get_title()
    assert "D" in right.get_title() and "variance" in right.get_title()
    assert "samples per estimate L" in left.get_xlabel() and "d/d mu1" in left.get_ylabel()
    assert "latent dimension D" in right.get_xlabel() and "d/d mu1" in right.get_ylabel()
    assert left.get_xscale() == left.get_yscale() == right.get_yscale() == "log"
    reference = left.lines[-1]
    assert reference.get_label() == "1/L"
    np.testing.assert_allclose(reference.get_ydata(), [30.0, 7.5, 1.875])
    assert {ln.get_label() for ln in right.lines} == {"score function", "pathwise"}


def test_sgvb_fit_figure_names_the_posterior_the_fit_and_the_bound(post):
    elbos = np.linspace(-10.0, post.log_evidence - 0.2, 100)
    fig = sgvb_fit_figure(
        post, post.mean, post.cov, elbos, post.log_evidence - 0.1, n_samples=16, model_name="toy"
    )
    assert len(fig.axes) == 2
    left, right = fig.axes
    assert left.get_title().startswith("toy: ")
    assert "posterior" in left.get_title() and "SGVB" in left.get_title()
    assert "latent units" in left.get_xlabel() and "latent units" in left.get_ylabel()
    assert "ELBO" in right.get_title() and "SGVB" in right.get_title()
    assert "nats" in right.get_ylabel() and "Adam step" in right.get_xlabel()
    labels = [t.get_text() for t in right.get_legend().get_texts()]
    assert "SGVB estimate per step (L = 16)" in labels
    assert "running mean of 25 steps" in labels and "log p(x) (grid)" in labels


def test_amortization_figure_compares_the_two_inferences(post):
    log_px = np.array([-1.0, -0.5, -0.8])
    trace = np.linspace(-5.0, -1.0, 200)
    fig = amortization_figure(
        log_px, log_px - 0.2, log_px - 0.25, trace, batch_size=100, model_name="sigmoid model"
    )
    assert len(fig.axes) == 2 and fig._suptitle.get_text() == "sigmoid model"
    left, right = fig.axes
    assert "per-datapoint" in left.get_title() and "amortized" in left.get_title()
    assert "nats" in left.get_ylabel() and "test observation" in left.get_xlabel()
    assert "encoder" in right.get_title() and "50 steps" in right.get_title()
    assert "ELBO" in right.get_ylabel() and "nats" in right.get_ylabel()
    assert "minibatch of 100" in right.get_xlabel()
    assert len(right.lines[0].get_ydata()) == len(trace) - 50 + 1
