"""PixelImage, headless: what goes to the browser (format, size, bytes) for arrays and PNG
bytes, one message per frame, and a clear error for anything else. The painting itself is
checked in a real browser (tests/browser/test_widget_latency.py, test_explorer_browser.py)."""

import io

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
    assert len(w.data) == 35
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
    assert (w.format, w.width, w.height) == ("png", 13, 9)
    assert w.png() == png and np.array_equal(w.array(), color)


def test_one_message_per_frame():
    w = PixelImage()
    sent = []
    w.send_state = lambda key=None: sent.append(set(key) if key else None)  # what would go out
    w.show(np.zeros((3, 4)), alt="a")
    assert sent == [{"format", "width", "height", "alt", "data"}]


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 4)), np.zeros(5), b"GIF89a..."])
def test_anything_else_is_refused_with_a_clear_error(bad):
    with pytest.raises(ValueError, match="PixelImage.show takes|need an \\(H, W\\)"):
        PixelImage().show(bad)
