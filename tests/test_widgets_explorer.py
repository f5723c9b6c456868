"""The latent explorer widgets, headless: controls re-render the image, and the image is
exactly the PNG of the pure decode for the current latent."""

import numpy as np
import pytest
import torch

pytest.importorskip("ipywidgets")

from vae_tutorial import explore as ex  # noqa: E402
from vae_tutorial.config import ModelConfig  # noqa: E402
from vae_tutorial.models import build_model  # noqa: E402
from vae_tutorial.widgets import explorer as wx  # noqa: E402

SHAPE = (3, 4)  # the tiny model's 12 pixels as an image


@pytest.fixture
def points(tiny_model):
    x = (torch.rand(50, 12, generator=torch.Generator().manual_seed(0)) < 0.5).float()
    return x, ex.encode_means(tiny_model, x), np.arange(50) % 10


def expected_png(model, z, scale=8):
    return ex.to_png(ex.decode_one(model, np.asarray(z), SHAPE), scale)


def test_sliders_drive_the_decoder(tiny_model, points):
    x, mu, labels = points
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels)
    assert len(w.sliders) == 2 and w.scatter is not None
    assert w.image.value == expected_png(tiny_model, [0.0, 0.0])
    first, scatter = w.image.value, w.scatter.value
    w.sliders[0].value = 1.5
    assert w.image.value != first and w.scatter.value != scatter
    assert w.image.value == expected_png(tiny_model, [1.5, 0.0])
    assert w.z1_box.value == 1.5  # the number boxes follow the sliders
    w.sliders[1].value = -2.25
    assert w.image.value == expected_png(tiny_model, [1.5, -2.25])
    assert "z = (1.50, -2.25)" in w.info.value and "nearest encoded test image" in w.info.value
    assert not w._error_shown


def test_number_boxes_and_picker_set_the_sliders(tiny_model, points):
    x, mu, labels = points
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels)
    w.z1_box.value = -0.75
    w.z2_box.value = 1.25
    assert np.allclose(w.latent, [-0.75, 1.25])
    assert w.image.value == expected_png(tiny_model, [-0.75, 1.25])
    w.z1_box.value = 99.0  # clipped to the slider range
    assert w.latent[0] == w.sliders[0].max
    w.picker.value = 7
    assert np.allclose(w.latent, np.clip(mu[7], -4, 4))
    assert w.image.value == expected_png(tiny_model, w.latent)
    assert f"#7, digit {labels[7]}" in w.info.value  # the picked image is its own nearest


def test_twenty_dimensional_latent_and_reference():
    model = build_model(ModelConfig(x_dim=12, z_dim=20, hidden=(8,)), seed=0).eval()
    z0 = np.linspace(-1, 1, 20)
    w = wx.LatentExplorer(model, SHAPE, z0=z0, scale=2)
    assert len(w.sliders) == 20 and w.scatter is None and w.picker is None
    assert np.allclose(w.latent, z0)
    before = w.image.value
    w.sliders[13].value = 3.0
    z = z0.copy()
    z[13] = 3.0
    assert w.image.value != before and w.image.value == expected_png(model, z, scale=2)
    assert "..." in w.info.value
    # with a reference image: decoded | decoded - reference as a red/blue map
    ref = np.full(SHAPE, 0.5)
    w = wx.LatentExplorer(model, SHAPE, reference=ref, scale=2)
    img = ex.decode_one(model, np.zeros(20), SHAPE)
    canvas = ex.side_by_side([img, ex.diverging_rgb(img - ref, 0.5)], pad=1)
    assert w.image.value == ex.to_png(canvas, 2)


def test_errors_are_captured_not_raised(tiny_model):
    w = wx.LatentExplorer(tiny_model, SHAPE)
    good = w.image.value
    w.image_shape = (5, 5)  # 12 pixels cannot be reshaped to 5 x 5: the render fails
    w.sliders[0].value = 1.0  # must not raise
    assert w._error_shown and w.image.value == good
    w.image_shape = SHAPE
    w.sliders[0].value = 0.5
    assert not w._error_shown and w.image.value == expected_png(tiny_model, [0.5, 0.0])


def test_interpolation_explorer(tiny_model, points):
    x, _, _ = points
    w = wx.InterpolationExplorer(tiny_model, x, SHAPE, a=2, b=9, t=0.0)
    assert w.image.value == ex.to_png(
        ex.interpolation_canvas(tiny_model, x[2], x[9], 0.0, SHAPE), 6
    )
    first = w.image.value
    w.t.value = 1.0
    assert w.image.value != first
    assert w.image.value == ex.to_png(
        ex.interpolation_canvas(tiny_model, x[2], x[9], 1.0, SHAPE), 6
    )
    w.index_b.value = 3
    assert w.image.value == ex.to_png(
        ex.interpolation_canvas(tiny_model, x[2], x[3], 1.0, SHAPE), 6
    )


def test_reconstruction_browser(tiny_model, points):
    x, _, labels = points
    w = wx.ReconstructionBrowser(tiny_model, x, SHAPE, labels=labels)
    first = w.image.value
    w.index.value = 11
    canvas, mae = ex.reconstruction_canvas(tiny_model, x[11], SHAPE)
    assert w.image.value != first and w.image.value == ex.to_png(canvas, 6)
    assert "#11 (digit 1)" in w.info.value and f"{mae:.3f}" in w.info.value


def test_static_figures(tiny_model, points):
    _, mu, labels = points
    fig = wx.scatter_figure(mu, labels)
    assert len(fig.axes) == 2 and "digit label" in fig.axes[1].get_ylabel()  # colour bar
    assert fig.axes[0].get_xlabel().startswith("z1")
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels, z0=[1.0, -1.0])
    snap = w.snapshot()
    assert "z = (1.00, -1.00)" in snap._suptitle.get_text() and len(snap.axes) == 3
    px = wx.figure_pixels(snap)
    assert px.dtype == np.uint8 and px.ndim == 3 and px.std() > 0
