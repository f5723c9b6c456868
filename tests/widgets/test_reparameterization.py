"""The reparameterization widget, headless: sliders re-render the image."""

import pytest

pytest.importorskip("ipywidgets")

from vae_tutorial.viz.images import figure_png  # noqa: E402
from vae_tutorial.viz.reparameterization import reparam_figure  # noqa: E402
from vae_tutorial.widgets.reparameterization import ReparamExplorer  # noqa: E402


def test_sliders_change_the_image():
    w = ReparamExplorer(n=500, seed=0)
    first = w.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    w.mu.value = 1.0
    second = w.image.value
    assert second != first
    w.sigma.value = 0.5
    assert w.image.value != second
    assert not w.errors.outputs and w.error is None
    # the image is the pure function's figure for the current values
    assert w.image.value == figure_png(reparam_figure(1.0, 0.5, w.eps, w.target), dpi=72)
