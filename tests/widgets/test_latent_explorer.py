"""The latent explorer widgets, headless: controls re-render the image, the image is
exactly the PNG of the pure decode for the current latent, and bad input or a failing draw
keeps the last good image."""

import io

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from vae_tutorial.core import latent_space as ls  # noqa: E402
from vae_tutorial.core.config import ModelConfig  # noqa: E402
from vae_tutorial.core.model import build_model  # noqa: E402
from vae_tutorial.viz.images import (  # noqa: E402
    figure_pixels,
    side_by_side,
    to_png,
)
from vae_tutorial.viz.latent import difference_rgb  # noqa: E402
from vae_tutorial.widgets import latent_explorer as wx  # noqa: E402

SHAPE = (3, 4)  # the tiny model's 12 pixels as an image


def png_pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def expected_png(model, z, scale=8):
    return to_png(ls.decode_one(model, np.asarray(z), SHAPE), scale)


def test_sliders_drive_the_decoder(tiny_model, points):
    x, mu, labels = points
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels)
    assert len(w.sliders) == 2 and w.scatter is not None
    assert w.image.png() == expected_png(tiny_model, [0.0, 0.0])
    first, scatter = w.image.png(), w.scatter.png()
    w.sliders[0].value = 1.5
    assert w.image.png() != first and w.scatter.png() != scatter
    assert w.image.png() == expected_png(tiny_model, [1.5, 0.0])
    assert w.z1_box.value == 1.5  # the number boxes follow the sliders
    w.sliders[1].value = -2.25
    assert w.image.png() == expected_png(tiny_model, [1.5, -2.25])
    assert "z = (1.50, -2.25)" in w.info.value and "nearest encoded test image" in w.info.value
    assert w.error is None


def test_number_boxes_and_picker_set_the_sliders(tiny_model, points):
    x, mu, labels = points
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels)
    w.z1_box.value = -0.75
    w.z2_box.value = 1.25
    assert np.allclose(w.latent, [-0.75, 1.25])
    assert w.image.png() == expected_png(tiny_model, [-0.75, 1.25])
    w.z1_box.value = 99.0  # clipped to the slider range
    assert w.latent[0] == w.sliders[0].max
    w.picker.value = 7  # the sliders go to its encoder mean, clipped and on the slider step
    assert np.allclose(np.clip(mu[7], -4, 4), w.latent, atol=w.sliders[0].step / 2)
    assert list(w.latent) == [wx.on_step(v, s) for v, s in zip(mu[7], w.sliders, strict=True)]
    assert w.image.png() == expected_png(tiny_model, w.latent)


def test_the_picked_image_is_named_until_a_slider_moves(tiny_model, points):
    """Rounding the picked mean to the slider step must not name another image."""
    _, mu, labels = points
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels)
    for i in [*range(1, len(mu)), 0]:  # (the picker starts at 0: no change event for it)
        w.picker.value = i
        assert f"#{i}, digit {labels[i]}" in w.info.value
    w.sliders[0].value = w.sliders[0].value + 0.5  # moved away: the nearest image again
    nearest = ls.nearest_point(mu, w.latent)
    assert f"#{nearest}, digit {labels[nearest]}" in w.info.value


def test_set_latent_takes_exactly_one_latent(tiny_model):
    w = wx.LatentExplorer(tiny_model, SHAPE)
    before = w.image.png()
    for bad in ([[1.0, 1.0], [2.0, -3.0]], np.zeros((0, 2)), [1.0]):
        with pytest.raises(ValueError, match="a latent for this model has 2 coordinates"):
            w.set_latent(bad)
    assert w.image.png() == before


def test_twenty_dimensional_latent_and_reference():
    model = build_model(ModelConfig(x_dim=12, z_dim=20, hidden=(8,)), seed=0).eval()
    z0 = np.linspace(-1, 1, 20)
    w = wx.LatentExplorer(model, SHAPE, z0=z0, scale=2)
    assert len(w.sliders) == 20 and w.scatter is None and w.picker is None
    assert np.allclose(w.latent, z0, atol=0.05 / 2)  # z0 rounded to the slider step
    assert list(w.latent) == [wx.on_step(v, s) for v, s in zip(z0, w.sliders, strict=True)]
    before = w.image.png()
    w.sliders[13].value = 3.0
    z = w.latent.copy()
    assert z[13] == 3.0
    assert w.image.png() != before and w.image.png() == expected_png(model, z, scale=2)
    assert "..." in w.info.value
    # with a reference image: decoded | decoded - reference as a red/grey/blue map
    ref = np.full(SHAPE, 0.5)
    w = wx.LatentExplorer(model, SHAPE, reference=ref, scale=2)
    img = ls.decode_one(model, np.zeros(20), SHAPE)
    canvas = side_by_side([img, difference_rgb(img - ref, wx.DIFF_VMAX)], pad=1)
    assert w.image.png() == to_png(canvas, 2)


def test_difference_panel_is_visible_at_the_reference_and_has_a_legend(tiny_model):
    """Frey Face's panel (decoded minus the face at z = 0), at z = 0: no difference anywhere,
    and the panel must still stand out from a white page; a colour bar gives its units."""
    centre = ls.decode_one(tiny_model, np.zeros(2), SHAPE)
    w = wx.LatentExplorer(
        tiny_model, SHAPE, reference=centre, reference_name="the face at z = (0, 0)", scale=4
    )
    px = png_pixels(w.image.png())  # (H, 2 W + 1, 3) at scale 4
    panel = px[:, (SHAPE[1] + 1) * 4 :]
    assert panel.shape[:2] == (SHAPE[0] * 4, SHAPE[1] * 4)
    assert np.ptp(panel, axis=(0, 1)).max() <= 1  # one colour: no difference anywhere
    grey = panel[0, 0].astype(int)
    assert 150 <= grey.min() and grey.max() <= 235 and np.ptp(grey) <= 8  # neutral, not white
    # the colour bar: drawn, in colour, and labelled with what is subtracted and its units
    assert w.legend is not None and w.legend in w.children[0].children[0].children
    bar = w.legend.array()
    assert bar.shape[1] >= 200 and (bar.max(axis=2).astype(int) - bar.min(axis=2) > 100).any()
    snap = w.snapshot()
    label = snap.axes[-1].get_xlabel()
    assert "decoded minus the face at z = (0, 0)" in label and "grey levels" in label
    # brighter than the reference -> red, darker -> blue
    rgb = difference_rgb(np.array([[0.3, -0.3]]))
    assert rgb[0, 0, 0] > rgb[0, 0, 2] and rgb[0, 1, 2] > rgb[0, 1, 0]
    assert wx.LatentExplorer(tiny_model, SHAPE).legend is None


def test_errors_are_captured_not_raised(tiny_model):
    w = wx.LatentExplorer(tiny_model, SHAPE)
    good = w.image.png()
    w.image_shape = (5, 5)  # 12 pixels cannot be reshaped to 5 x 5: the render fails
    w.sliders[0].value = 1.0  # must not raise
    assert w.error is not None and w.image.png() == good
    w.image_shape = SHAPE
    w.sliders[0].value = 0.5
    assert w.error is None and w.image.png() == expected_png(tiny_model, [0.5, 0.0])


@pytest.mark.parametrize("bad", [[0.5], [0.5, -0.5, 1.0], [np.nan, 0.0], [0.0, np.inf]], ids=str)
def test_set_latent_rejects_a_bad_latent_and_keeps_the_image(tiny_model, bad):
    w = wx.LatentExplorer(tiny_model, SHAPE, z0=[1.0, -1.0])
    good, renders = w.image.png(), w.renders
    with pytest.raises(ValueError, match="latent"):
        w.set_latent(bad)  # wrong length or not finite: never truncated, padded or drawn
    assert w.image.png() == good == expected_png(tiny_model, [1.0, -1.0])
    assert np.array_equal(w.latent, [1.0, -1.0]) and w.renders == renders
    # the widget still works: the next good latent draws and nothing is left on display
    w.set_latent([0.5, 0.5])
    assert w.image.png() == expected_png(tiny_model, [0.5, 0.5]) and w.error is None


def test_a_failing_draw_keeps_the_image_and_shows_one_line(tiny_model, monkeypatch, capsys):
    w = wx.LatentExplorer(tiny_model, SHAPE)
    good, renders = w.image.png(), w.renders
    assert w.error is None

    def broken_decoder(z):
        raise ValueError("decoder refused this latent")

    monkeypatch.setattr(tiny_model, "decode_mean", broken_decoder)
    w.sliders[0].value = 1.0  # the render fails inside draw: must not raise
    assert w.image.png() == good and w.renders == renders
    assert w.error == "ValueError: decoder refused this latent"
    assert "\n" not in w.error
    # headless, the Output widget passes its print through: the one line, no traceback
    out = capsys.readouterr().out
    printed = [ln for ln in out.replace("\r", "\n").splitlines() if ln and ln[0] != "\x1b"]
    assert printed == [w.error] and "Traceback" not in out
    monkeypatch.undo()
    w.sliders[0].value = 0.5  # a good draw replaces the image and clears the message
    assert w.error is None and w.renders == renders + 1
    assert w.image.png() == expected_png(tiny_model, [0.5, 0.0])


def test_on_step_rounds_to_the_slider_step(tiny_model):
    w = wx.LatentExplorer(tiny_model, SHAPE)
    s = w.sliders[0]  # range [-4, 4], step 0.05
    assert (s.min, s.max, s.step) == (-4.0, 4.0, 0.05)
    for value, snapped in [(1.2345, 1.25), (-0.024, 0.0), (0.07, 0.05), (-1.99, -2.0)]:
        assert wx.on_step(value, s) == snapped
    assert wx.on_step(99.0, s) == 4.0 and wx.on_step(-99.0, s) == -4.0  # clipped first
    for v in np.random.default_rng(0).uniform(-4, 4, 50):
        out = wx.on_step(v, s)
        assert abs(out - v) <= s.step / 2 + 1e-9  # the nearest step...
        assert out == round(round((out - s.min) / s.step) * s.step + s.min, 10)  # ...on the grid
    # set_latent shows exactly the rounded values, and draws them
    w.set_latent([0.123, -1.977])
    assert list(w.latent) == [0.1, -2.0]
    assert w.image.png() == expected_png(tiny_model, [0.1, -2.0])


def test_interpolation_explorer(tiny_model, points):
    x, _, _ = points
    w = wx.InterpolationExplorer(tiny_model, x, SHAPE, a=2, b=9, t=0.0)
    assert w.image.png() == to_png(ls.interpolation_canvas(tiny_model, x[2], x[9], 0.0, SHAPE), 6)
    first = w.image.png()
    w.t.value = 1.0
    assert w.image.png() != first
    assert w.image.png() == to_png(ls.interpolation_canvas(tiny_model, x[2], x[9], 1.0, SHAPE), 6)
    w.index_b.value = 3
    assert w.image.png() == to_png(ls.interpolation_canvas(tiny_model, x[2], x[3], 1.0, SHAPE), 6)


def test_reconstruction_browser(tiny_model, points):
    x, _, labels = points
    w = wx.ReconstructionBrowser(tiny_model, x, SHAPE, labels=labels)
    first = w.image.png()
    w.index.value = 11
    canvas, mae = ls.reconstruction_canvas(tiny_model, x[11], SHAPE)
    assert w.image.png() != first and w.image.png() == to_png(canvas, 6)
    assert "#11 (digit 1)" in w.info.value and f"{mae:.3f}" in w.info.value


def test_snapshot(tiny_model, points):
    _, mu, labels = points
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels, z0=[1.0, -1.0])
    snap = w.snapshot()
    assert "z = (1.00, -1.00)" in snap._suptitle.get_text() and len(snap.axes) == 3
    px = figure_pixels(snap)
    assert px.dtype == np.uint8 and px.ndim == 3 and px.std() > 0


def test_values_set_from_python_are_snapped_to_the_slider_step(tiny_model):
    """The browser snaps a slider to its step and sends the snapped value back; a value Python
    set in between would be overwritten. The sliders hold on-step values only."""
    w = wx.LatentExplorer(tiny_model, SHAPE)
    s = w.sliders[0]
    s.value = 2.898305  # as a timing loop over np.linspace would set it
    assert s.value == 2.9 and s.value == wx.on_step(2.898305, s)
    s.value = 9.0
    assert s.value == s.max
    assert w.image.png() == expected_png(tiny_model, [s.max, 0.0])
