"""The shared figures: the ELBO curves and a labelled image (pure: lists in, Figure out)."""

import numpy as np

from vae_tutorial.viz.figures import elbo_figure, show_image


def test_elbo_figure_draws_both_curves_and_names_the_last_values():
    fig = elbo_figure([0, 100, 200], [-500.0, -300.0, -250.0], [-510.0, -310.0, -260.0])
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and ax.get_xlabel() == "training samples evaluated"
    assert "200 samples: train -250.0, test -260.0 nats" in ax.get_title()
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [-510.0, -310.0, -260.0])
    logfig = elbo_figure([0, 100, 200], [-500.0, -300.0, -250.0], None, log_x=True)
    assert logfig.axes[0].get_xscale() == "log" and len(logfig.axes[0].lines) == 1
    assert len(logfig.axes[0].lines[0].get_xdata()) == 2  # the point at 0 is left out
    empty = elbo_figure([], [], [])
    assert "no evaluations yet" in empty.axes[0].get_title()


def test_elbo_figure_ylim():
    fig = elbo_figure([0, 100, 200], [-500.0, -300.0, -250.0], ylim=(-400.0, -200.0))
    assert fig.axes[0].get_ylim() == (-400.0, -200.0)


def test_show_image_keeps_the_pixels_and_labels():
    canvas = np.linspace(0, 1, 12).reshape(3, 4)
    fig = show_image(canvas, title="t", xlabel="x", ylabel="y")
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), canvas)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("t", "x", "y")
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    with_extent = show_image(canvas, extent=(-2, 2, -1, 1)).axes[0]
    assert with_extent.images[0].get_extent() == [-2, 2, -1, 1]
