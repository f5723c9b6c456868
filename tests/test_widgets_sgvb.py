"""The reparameterization widget, headless: sliders re-render the image."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from vae_tutorial.widgets import sgvb  # noqa: E402


def test_sliders_change_the_image():
    w = sgvb.ReparamExplorer(n=500, seed=0)
    first = w.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    w.mu.value = 1.0
    second = w.image.value
    assert second != first
    w.sigma.value = 0.5
    assert w.image.value != second
    assert not w.errors.outputs
    # the image is the pure function's figure for the current values
    assert w.image.value == sgvb._png(sgvb.reparam_figure(1.0, 0.5, w.eps, w.target))


def test_figure_reports_the_kl():
    fig = sgvb.reparam_figure(1.0, 0.5, np.zeros(10), target=(1.0, 0.5))
    assert "KL(q || target) = 0.000 nats" in fig.axes[2].get_title()
    assert sgvb.kl_normal(0.0, 1.0, 1.0, 2.0) == pytest.approx(np.log(2) + 2 / 8 - 0.5)
