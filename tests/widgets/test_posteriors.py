"""Posterior widgets headless: moving a slider redraws the image."""

from vae_tutorial.viz.images import figure_png
from vae_tutorial.viz.posteriors import conjugate_1d_figure
from vae_tutorial.widgets.posteriors import (
    ConjugateExplorer1D,
    ConjugateExplorer2D,
    HardPosteriorExplorer,
)


def test_conjugate_1d_widget_redraws_and_matches_pure_function():
    w = ConjugateExplorer1D()
    before = w.image.value
    assert before[:8] == b"\x89PNG\r\n\x1a\n"
    w.x.value = -1.0
    assert w.image.value != before
    assert w.image.value == figure_png(conjugate_1d_figure(1.0, 2.0, 1.0, -1.0))
    assert not w.errors.outputs and w.error is None


def test_conjugate_2d_widget_redraws():
    w = ConjugateExplorer2D()
    before = w.image.value
    w.W[0][1].value = -1.0
    after = w.image.value
    assert after != before
    w.alpha.value = 3.0
    assert w.image.value != after and not w.errors.outputs and w.error is None


def test_hard_widget_redraws_on_observation_beta_and_model():
    w = HardPosteriorExplorer()
    images = [w.image.value]
    w.x[1].value = 0.4
    images.append(w.image.value)
    w.log10_beta.value = 1.0
    images.append(w.image.value)
    w.model.value = "mlp"
    images.append(w.image.value)
    assert len(set(images)) == 4 and not w.errors.outputs and w.error is None
