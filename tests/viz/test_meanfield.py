"""Mean-field figures of notebook 03 are well formed (pure: numbers in, Figure out)."""

import numpy as np
import pytest

from vae_tutorial.theory.grid import make_grid, posterior_on_grid
from vae_tutorial.theory.latent_models import LinearGaussian
from vae_tutorial.theory.meanfield import cavi_linear_gaussian
from vae_tutorial.viz.meanfield import (
    cavi_trace_figure,
    meanfield_posterior_figure,
    sigmoid_meanfield_figure,
)

W = np.array([[1.0, 0.8], [0.4, 1.0], [0.9, 0.6]])
X = np.array([0.9, -0.4, 1.3])


@pytest.fixture(scope="module")
def linear():
    model = LinearGaussian(alpha=0.8, beta=2.5, W=W)
    post = posterior_on_grid(lambda z: model.log_joint(X, z), make_grid([(-3, 5), (-4, 4)], 61))
    cavi = cavi_linear_gaussian(model, X, n_sweeps=5, init=np.array([-2.0, 2.0]))
    return model, post, cavi


def test_cavi_trace_figure_names_the_elbo_and_the_off_chart_start(linear):
    _, post, cavi = linear
    fig = cavi_trace_figure(cavi.elbos, cavi.means, post.mean, post.log_evidence, rho=-0.755)
    assert len(fig.axes) == 2
    left, right = fig.axes
    assert "ELBO" in left.get_title() and "CAVI" in left.get_title()
    assert "nats" in left.get_ylabel() and "update" in left.get_xlabel()
    assert "latent units" in right.get_ylabel() and right.get_yscale() == "log"
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert any("off the chart" in t and f"{cavi.elbos[0]:.1f}" in t for t in labels)
    assert any("log p(x)" in t for t in labels)
    np.testing.assert_allclose(left.lines[0].get_ydata(), cavi.elbos)


def test_meanfield_posterior_figure_draws_both_families_and_the_path(linear):
    _, post, cavi = linear
    fig = meanfield_posterior_figure(post, post.mean, post.cov, cavi.mean, cavi.cov, cavi.means[:9])
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_title().startswith("linear-Gaussian model: posterior p(z|x)")
    assert "mean-field q(z)" in ax.get_title()
    assert "latent units" in ax.get_xlabel() and "latent units" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "CAVI means (first 8 updates)" in labels
    assert any("mean-field q" in t for t in labels) and any("grid" in t for t in labels)


def test_sigmoid_meanfield_figure_has_one_panel_per_fit_and_the_elbo_panel(linear):
    _, post, cavi = linear
    evals, elbos = np.array([10, 100, 1000]), np.array([-2.0, -1.0, -0.5])
    fits = {f"fit {i}": (post, cavi.mean, cavi.cov, evals, elbos) for i in range(2)}
    fig = sigmoid_meanfield_figure(fits)
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes[:2]] == ["fit 0", "fit 1"]
    last = fig.axes[-1]
    assert "ELBO" in last.get_title() and "nats" in last.get_ylabel()
    assert "likelihood evaluations" in last.get_xlabel() and last.get_xscale() == "log"
    assert len(last.lines) == 2
    assert "mean field" in fig._suptitle.get_text()
