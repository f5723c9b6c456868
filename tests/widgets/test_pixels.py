"""PixelImage, headless: what goes to the browser (format, size, raw or deflated pixels) for
arrays and PNG bytes, one message per frame, and a clear error for anything else. The
painting itself is checked in a real browser (tests/browser/test_widget_latency.py,
test_explorer_browser.py)."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from vae_tutorial.viz.images import to_png
from vae_tutorial.widgets.pixels import PixelImage


def test_grey_and_color_arrays_go_as_raw_bytes():
    rng = np.random.default_rng(0)
    grey = rng.random((5, 7))
    w = PixelImage()
    w.show(grey, alt="noise")
    assert (w.format, w.width, w.height, w.alt) == ("grey", 7, 5, "noise")
    assert w.encoding == "raw" and len(w.data) == 35  # the default: a local kernel
    assert np.array_equal(w.array(), (np.clip(grey, 0, 1) * 255 + 0.5).astype(np.uint8))
    color = rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)
    w.show(color)
    assert (w.format, w.width, w.height, w.alt) == ("rgb", 6, 4, "noise")  # alt kept
    assert w.data == color.tobytes() and np.array_equal(w.array(), color)
    assert w.png() == to_png(color)  # the PNG of what is shown, for snapshots and tests
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(w.png()))), color)


def test_png_bytes_are_passed_through_with_their_size():
    color = np.random.default_rng(1).integers(0, 256, (9, 13, 3), dtype=np.uint8)
    png = to_png(color)
    w = PixelImage()
    w.show(png)
    assert (w.format, w.encoding, w.width, w.height) == ("png", "raw", 13, 9)
    assert w.png() == png and np.array_equal(w.array(), color)


def test_one_message_per_frame():
    w = PixelImage()
    sent = []
    w.send_state = lambda key=None: sent.append(set(key) if key else None)  # what would go out
    w.show(np.zeros((3, 4)), alt="a")
    assert sent == [{"format", "width", "height", "alt", "data"}]  # (encoding: unchanged)
    w.show(np.zeros((4, 3)))  # the same bytes, another shape: still one message, with both
    assert sent[1] == {"width", "height"}


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 4)), np.zeros(5), b"GIF89a..."])
def test_anything_else_is_refused_with_a_clear_error(bad):
    with pytest.raises(ValueError, match="PixelImage.show takes|need an \\(H, W\\)"):
        PixelImage().show(bad)


def test_a_figure_travels_deflated_for_a_remote_kernel(monkeypatch):
    """VAE_TUTORIAL_IMAGES=deflate: a widget frame (notebook 01's 2-D posterior, 384 x 416
    RGB) goes deflated, smaller than the PNG of the same image, and decodes to it exactly;
    a bad value is refused with a clear error."""
    from vae_tutorial.errors import VAETutorialError
    from vae_tutorial.widgets.posteriors import ConjugateExplorer2D

    monkeypatch.setenv("VAE_TUTORIAL_IMAGES", "deflate")
    w = ConjugateExplorer2D()
    raw = w.image.array()
    assert raw.shape == (384, 416, 3) and w.image.encoding == "deflate"
    assert zlib.decompress(w.image.data) == raw.tobytes()
    assert len(w.image.data) < len(to_png(raw)) < raw.nbytes / 5
    monkeypatch.setenv("VAE_TUTORIAL_IMAGES", "gzip")
    with pytest.raises(VAETutorialError, match="VAE_TUTORIAL_IMAGES is 'gzip'; set it to raw"):
        w.image.show(raw)
    assert w.image.encoding == "deflate" and w.image.array().shape == raw.shape  # unchanged
