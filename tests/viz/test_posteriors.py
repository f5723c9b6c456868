"""Posterior figures of notebooks 01-02 are well formed (pure: numbers in, Figure out)."""

import numpy as np
import pytest

from vae_tutorial.viz.posteriors import (
    concentration_figure,
    conjugate_1d_figure,
    conjugate_2d_figure,
    hard_panel,
    hard_posterior_figure,
    log_joint_slice_figure,
)


def test_concentration_figure_has_one_curve_per_n():
    fig = concentration_figure(1.0, 1.0, np.arange(8.0), [1, 2, 8], z_true=0.5)
    assert len(fig.axes[0].lines) == 1 + 3 + 1


def test_conjugate_1d_figure_titles_the_closed_form():
    # alpha = 1, beta = 2, w = 1, x = 1.5: mean beta x / (alpha + beta) = 1, var 1/3
    fig = conjugate_1d_figure(1.0, 2.0, 1.0, 1.5)
    assert "posterior mean 1.000, var 0.333" in fig.axes[0].get_title()


def test_conjugate_2d_figure():
    fig = conjugate_2d_figure(1.0, 2.0, np.eye(2), np.array([1.0, -1.0]), n=61)
    # W = I: mean beta x / (alpha + beta) = (2/3, -2/3)
    assert "posterior mean (0.67, -0.67)" in fig.axes[0].get_title()


@pytest.mark.parametrize("name", ["sigmoid", "logistic"])
def test_hard_panel_and_figures(name):
    title, post, lap = hard_panel(name, n=61)
    assert title.startswith(name) and "KL(Laplace || exact)" in title
    kl = float(title.split("= ")[-1].split(" nats")[0])
    assert kl == pytest.approx(post.kl_from(lap.log_density(post.grid.points)), abs=1e-3)
    fig = hard_posterior_figure([(title, post, lap)])
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == title


def test_log_joint_slice_is_the_laplace_quadratic_for_a_gaussian():
    from vae_tutorial.theory.laplace import laplace_approximation
    from vae_tutorial.theory.latent_models import LinearGaussian

    model, x = LinearGaussian(1.0, 2.0, np.array([[1.0, 0.5], [0.0, 1.0]])), np.array([1.0, 0.5])
    fig = log_joint_slice_figure([("linear", model, x, laplace_approximation(model, x))])
    exact, quadratic = fig.axes[0].lines[:2]
    np.testing.assert_allclose(exact.get_ydata(), quadratic.get_ydata(), atol=1e-6)
