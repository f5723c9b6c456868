"""The encoded-test-set scatter (pure: arrays in, Figure out)."""

import numpy as np

from vae_tutorial.viz.latent import scatter_figure


def test_scatter_figure():
    mu = np.random.default_rng(0).normal(size=(50, 2))
    labels = np.arange(50) % 10
    fig = scatter_figure(mu, labels)
    assert len(fig.axes) == 2 and "digit label" in fig.axes[1].get_ylabel()  # color bar
    assert fig.axes[0].get_xlabel().startswith("z1")
    np.testing.assert_array_equal(fig.axes[0].collections[0].get_offsets(), mu)
    plain = scatter_figure(mu, limit=3.0)  # no labels: one grey cloud, no color bar
    assert len(plain.axes) == 1 and plain.axes[0].get_xlim() == (-3.0, 3.0)
