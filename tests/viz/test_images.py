"""Image helpers: PNG bytes that decode (by Pillow) to exactly the pixels put in, canvases of
the documented shapes, and clear errors for shapes a PNG cannot hold."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from vae_tutorial.viz.images import (
    LiveCanvas,
    crosshair,
    diverging_rgb,
    figure_pixels,
    figure_png,
    side_by_side,
    tile,
    to_png,
    to_uint8,
    upscale,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RNG = np.random.default_rng(0)


def decode(png: bytes) -> tuple[str, np.ndarray]:
    """(PIL mode, uint8 pixels) of PNG bytes."""
    assert png[:8] == PNG_MAGIC
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG"
        return im.mode, np.asarray(im).copy()


@pytest.mark.parametrize("scale", [1, 3])
def test_grey_png_round_trips(scale):
    img = RNG.uniform(size=(5, 7))
    mode, px = decode(to_png(img, scale))
    assert mode == "L" and px.shape == (5 * scale, 7 * scale)
    np.testing.assert_array_equal(px, upscale(to_uint8(img), scale))
    # every pixel is a scale x scale block of one value
    np.testing.assert_array_equal(px[::scale, ::scale], to_uint8(img))
    np.testing.assert_array_equal(px, np.kron(to_uint8(img), np.ones((scale, scale), np.uint8)))


@pytest.mark.parametrize("scale", [1, 4])
def test_rgb_png_round_trips(scale):
    img = RNG.uniform(size=(6, 4, 3))
    mode, px = decode(to_png(img, scale, level=6))
    assert mode == "RGB" and px.shape == (6 * scale, 4 * scale, 3)
    np.testing.assert_array_equal(px[::scale, ::scale], to_uint8(img))
    np.testing.assert_array_equal(px, upscale(to_uint8(img), scale))


def test_uint8_passes_through_exactly():
    img = RNG.integers(0, 256, size=(8, 9, 3), dtype=np.uint8)
    _, px = decode(to_png(img))
    np.testing.assert_array_equal(px, img)
    grey = np.arange(256, dtype=np.uint8).reshape(16, 16)
    np.testing.assert_array_equal(decode(to_png(grey, 2))[1][::2, ::2], grey)


def test_to_uint8_clips_and_rounds():
    out = to_uint8(np.array([-0.5, 0.0, 0.5, 1 / 255 * 0.49, 1 / 255 * 0.51, 1.0, 7.0]))
    np.testing.assert_array_equal(out, [0, 0, 128, 0, 1, 255, 255])
    assert out.dtype == np.uint8


@pytest.mark.parametrize("shape", [(5,), (4, 4, 4), (4, 4, 1), (4, 4, 2), (2, 3, 4, 3)], ids=str)
@pytest.mark.parametrize("scale", [1, 2])
def test_to_png_rejects_bad_shapes(shape, scale):
    with pytest.raises(ValueError):
        to_png(np.zeros(shape), scale)


def test_upscale_rejects_a_bad_factor():
    with pytest.raises(ValueError):
        upscale(np.zeros((2, 2)), 0)
    img = np.zeros((2, 2))
    assert upscale(img, 1) is img


def test_tile_shapes_and_placement():
    grey = RNG.uniform(size=(5, 3, 4))
    canvas = tile(grey, ncols=2, pad=1, fill=0.25)
    assert canvas.shape == (3 * (3 + 1) - 1, 2 * (4 + 1) - 1)
    np.testing.assert_array_equal(canvas[4:7, 5:9], grey[3])  # row 1, column 1
    np.testing.assert_array_equal(canvas[8:, 5:], 0.25)  # the empty sixth slot is padding
    np.testing.assert_array_equal(canvas[3, :], 0.25)  # a padding row
    color = RNG.uniform(size=(3, 3, 2, 5))  # (B, C, H, W)
    canvas = tile(color, ncols=3, pad=0)
    assert canvas.shape == (2, 15, 3)
    np.testing.assert_array_equal(canvas[:, 5:10], color[1].transpose(1, 2, 0))


def test_side_by_side_shapes():
    a, b = RNG.uniform(size=(4, 6)), RNG.uniform(size=(4, 6))
    row = side_by_side([a, b, a], pad=2)
    assert row.shape == (4, 3 * (6 + 2) - 2)
    np.testing.assert_array_equal(row[:, 8:14], b)
    # one color image makes the whole row color; grey ones become three equal channels
    mixed = side_by_side([a, diverging_rgb(b - 0.5)], pad=1)
    assert mixed.shape == (4, 2 * 6 + 1, 3)
    np.testing.assert_array_equal(mixed[:, :6], np.repeat(a[..., None], 3, -1))
    np.testing.assert_array_equal(mixed[:, 6], 1.0)


def test_diverging_rgb_colors():
    out = diverging_rgb(np.array([[0.0, 0.5, -0.5, 2.0]]), vmax=0.5)
    np.testing.assert_allclose(out[0], [[1, 1, 1], [1, 0, 0], [0, 0, 1], [1, 0, 0]])


def test_crosshair_draws_a_copy_and_ignores_points_outside():
    px = np.zeros((20, 30, 3), np.uint8)
    out = crosshair(px, 10, 15)
    assert tuple(out[10, 15]) == (220, 0, 0) and tuple(out[10, 15 + 7]) == (220, 0, 0)
    assert tuple(out[0, 0]) == (0, 0, 0) and not px.any()  # the input is not modified
    np.testing.assert_array_equal(crosshair(px, -5, 15), px)
    np.testing.assert_array_equal(crosshair(px, 10, 30), px)


def test_figure_png_and_pixels():
    fig = Figure(figsize=(2.0, 1.5))
    fig.add_subplot().plot([0, 1], [1, 0])
    mode, px = decode(figure_png(fig, dpi=50))
    assert mode in ("RGB", "RGBA") and px.shape[:2] == (75, 100)
    assert figure_png(fig, dpi=50) == figure_png(fig, dpi=50)  # deterministic
    raster = figure_pixels(fig)  # at the figure's own dpi
    assert raster.dtype == np.uint8 and raster.shape == (150, 200, 3) and raster.std() > 0


def _live_figure(title: str = "t") -> tuple[Figure, list, object]:
    fig = Figure(figsize=(3.0, 2.0), dpi=50)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="0.5")  # static
    line = ax.plot([0, 1], [1, 0], color="C0", lw=3)[0]
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    legend = ax.legend([line], ["dynamic"], loc="center", framealpha=1)
    return fig, [line, ax.title], legend


def test_live_canvas_repaints_only_the_dynamic_artists_and_matches_a_full_draw():
    fig, dynamic, legend = _live_figure()
    live = LiveCanvas(fig, dynamic, on_top=[legend])
    first = live.pixels()
    assert live.full_draws == 1 and first.shape == (100, 150, 3)
    dynamic[0].set_ydata([0.2, 0.9])
    fig.axes[0].set_title("a new title")
    moved = live.pixels()
    assert live.full_draws == 1 and not np.array_equal(moved, first)  # blitted
    fresh_fig, fresh_dynamic, fresh_legend = _live_figure("a new title")
    fresh_dynamic[0].set_ydata([0.2, 0.9])
    np.testing.assert_array_equal(
        moved, LiveCanvas(fresh_fig, fresh_dynamic, [fresh_legend]).pixels()
    )
    # the opaque legend stays on top of the line drawn after it
    box = legend.get_window_extent()
    assert box.width > 0
    fig.axes[0].set_ylim(0, 2)  # a layout change: everything is drawn again
    live.pixels()
    assert live.full_draws == 2
    # the figure itself is untouched: it still saves with its dynamic artists, the same
    # picture but for the few pixels where a dynamic line crosses a spine (drawn last here)
    mode, px = decode(figure_png(fig, dpi=50))
    assert fig.axes[0].title.get_alpha() is None and dynamic[0].get_visible()
    assert np.mean(np.any(px[..., :3] != live.pixels(), axis=-1)) < 0.005
    assert decode(live.png())[1].shape[:2] == (100, 150)
