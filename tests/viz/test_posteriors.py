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
    fig = conjugate_2d_figure(1.0, 2.0, np.eye(2), np.array([1.0, -1.0]), resolution=61)
    # W = I: mean beta x / (alpha + beta) = (2/3, -2/3)
    assert "posterior mean (0.67, -0.67)" in fig.axes[0].get_title()


@pytest.mark.parametrize("name", ["sigmoid", "logistic"])
def test_hard_panel_and_figures(name):
    title, post, lap = hard_panel(name, resolution=61)
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


@pytest.mark.parametrize("name", ["sigmoid", "mlp"])
def test_hard_panel_finds_the_map_that_lbfgs_from_many_starts_finds(name):
    from vae_tutorial.theory.laplace import find_map
    from vae_tutorial.theory.latent_models import hard_example

    for beta, x in [(None, None), (500.0, np.array([1.5, 1.2])), (0.3, np.array([-1.9, 1.9]))]:
        _, _, lap = hard_panel(name, beta=beta, x=x)
        model, obs, _ = hard_example(name, beta=beta, x=x)
        np.testing.assert_allclose(lap.mean, find_map(model, obs), atol=1e-6)


def test_the_kept_plots_draw_what_fresh_ones_draw():
    from vae_tutorial.viz.posteriors import Conjugate1DPlot, Conjugate2DPlot

    one, two = Conjugate1DPlot(dpi=40), Conjugate2DPlot(resolution=41, dpi=40)
    for alpha, beta, w, x in [(1.0, 2.0, 1.0, 1.5), (0.2, 9.0, -2.0, 0.5), (4.0, 0.5, 0.3, -3)]:
        assert (
            one.update(alpha, beta, w, x).png()
            == Conjugate1DPlot(dpi=40).update(alpha, beta, w, x).png()
        )
        W, xs = np.array([[w, 0.5], [0.0, 1.0]]), np.array([x, 1.0])
        fresh = Conjugate2DPlot(resolution=41, dpi=40).update(alpha, beta, W, xs).png()
        assert two.update(alpha, beta, W, xs).png() == fresh
