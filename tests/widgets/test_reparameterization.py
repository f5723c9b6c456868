"""The reparameterization widget, headless: sliders re-render the image."""

import pytest

pytest.importorskip("ipywidgets")

from vae_tutorial.viz.reparameterization import ReparamPlot  # noqa: E402
from vae_tutorial.widgets.reparameterization import ReparamExplorer  # noqa: E402


def test_sliders_change_the_image():
    w = ReparamExplorer(draws=500, seed=0)
    first = w.image.png()
    assert (w.image.format, w.image.encoding) == ("rgb", "raw")  # pixels, not a PNG
    w.mu.value = 1.0
    second = w.image.png()
    assert second != first
    w.sigma.value = 0.2  # q's peak grows past the density axis: a full redraw
    assert w.image.png() != second
    w.sigma.value = 0.5
    assert not w.errors.outputs and w.error is None
    assert w.mu.continuous_update and w.sigma.continuous_update
    # the kept figure draws what a fresh one draws for the current values
    assert w.image.png() == ReparamPlot(w.eps, w.target, dpi=72).update(1.0, 0.5).png()
    assert w.figure().axes[1].get_title() == "z = 1.00 + 0.50 * eps"  # the static figure
