"""The reparameterization figure (pure: numbers in, Figure out)."""

import numpy as np

from vae_tutorial.viz.reparameterization import ReparamPlot, reparam_figure


def test_figure_reports_the_kl():
    fig = reparam_figure(1.0, 0.5, np.zeros(10), target=(1.0, 0.5))
    assert "KL(q || target) = 0.000 nats" in fig.axes[2].get_title()
    # KL(N(0, 1) || N(1, 2^2)) = log 2 + (1 + 1) / 8 - 1/2
    fig = reparam_figure(0.0, 1.0, np.zeros(10), target=(1.0, 2.0))
    assert f"= {np.log(2) + 2 / 8 - 0.5:.3f} nats" in fig.axes[2].get_title()


def test_the_noise_is_pushed_through_the_map():
    eps = np.random.default_rng(0).standard_normal(300)
    fig = reparam_figure(0.5, 2.0, eps)
    assert fig.axes[1].get_title() == "z = 0.50 + 2.00 * eps"
    # the right panel's histogram is that of z = mu + sigma * eps on 40 bins over the limits
    heights = fig.axes[2].patches[0].get_data().values
    expected, _ = np.histogram(0.5 + 2.0 * eps, bins=np.linspace(-4, 4, 41), density=True)
    np.testing.assert_allclose(heights, expected)


def test_the_kept_plot_draws_what_a_fresh_one_draws():
    eps = np.random.default_rng(1).standard_normal(400)
    plot = ReparamPlot(eps, dpi=50)
    for mu, sigma in [(0.0, 1.0), (1.5, 0.15), (-1.0, 2.5), (0.3, 0.7)]:
        png = plot.update(mu, sigma).png()
        assert png == ReparamPlot(eps, dpi=50).update(mu, sigma).png()
    assert plot._live.full_draws < 4  # the density axis moved only when the peak crossed 2^k
