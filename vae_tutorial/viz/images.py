"""Images: arrays in, arrays or PNG bytes out (no widgets; matplotlib only to rasterise a
Figure). Arrays are the hot path of the explorer widgets: no matplotlib and no PNG in it.
:class:`LiveCanvas` is the hot path of the figure widgets: a Figure kept and redrawn in part.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from ..tiling import side_by_side, tile  # noqa: F401 - re-exported for viz's callers

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling: (H, W) or (H, W, C) -> (H * factor, W * factor[, C])."""
    if factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor}")
    if factor == 1:
        return image
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Intensities in [0, 1] (clipped) -> uint8 in {0, ..., 255}, rounded; uint8 passes through."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def to_png(image: np.ndarray, scale: int = 1, level: int = 1) -> bytes:
    """PNG bytes of a grey (H, W) or color (H, W, 3) image with values in [0, 1] (or uint8),
    each pixel drawn as a ``scale`` x ``scale`` block, by Pillow (zlib ``level``)."""
    pixels = upscale(to_uint8(image), scale)
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise ValueError(f"need an (H, W) or (H, W, 3) image, got shape {pixels.shape}")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buf, format="png", compress_level=level)
    return buf.getvalue()


def diverging_rgb(diff: np.ndarray, vmax: float = 1.0) -> np.ndarray:
    """Signed differences (H, W) -> color (H, W, 3) in [0, 1]: white at 0, red for positive
    (brighter than the reference), blue for negative, full color at |diff| >= ``vmax``."""
    d = np.clip(np.asarray(diff, dtype=np.float64) / vmax, -1.0, 1.0)
    pos, neg = np.clip(d, 0, 1), np.clip(-d, 0, 1)
    return np.stack([1 - neg, 1 - pos - neg, 1 - pos], axis=-1)


def crosshair(pixels: np.ndarray, row: float, col: float, arm: int = 7) -> np.ndarray:
    """A copy of a uint8 color image (H, W, 3) with a red cross-hair centred at (row, col);
    nothing is drawn when the centre falls outside."""
    out = pixels.copy()
    h, w = out.shape[:2]
    r, c = int(round(row)), int(round(col))
    if 0 <= r < h and 0 <= c < w:
        out[max(r - 1, 0) : r + 2, max(c - arm, 0) : c + arm + 1] = (220, 0, 0)
        out[max(r - arm, 0) : r + arm + 1, max(c - 1, 0) : c + 2] = (220, 0, 0)
    return out


def figure_png(fig: Figure, dpi: int = 80, level: int = 1) -> bytes:
    """PNG bytes of a matplotlib Figure at ``dpi`` (zlib ``level``: 1 is fast, 6 smaller)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": level})
    return buf.getvalue()


def figure_pixels(fig: Figure, dpi: float | None = None) -> np.ndarray:
    """Rasterise a Figure: uint8 (H, W, 3) at ``dpi`` (None: the figure's own)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if dpi is not None:
        fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


class LiveCanvas:
    """A Figure turned into pixels (or PNG bytes) again and again, fast (the widgets' render
    path).

    The figure is built once; a widget changes its ``dynamic`` artists (``set_data``,
    ``set_text``, ...) and calls :meth:`pixels`. What does not change (axes, ticks, labels,
    static curves) is rasterised once and kept; each call repaints only the ``dynamic``
    artists over it, in the order given (blitting: a few ms instead of tens), then pastes back
    the kept pixels of the ``on_top`` artists: static, opaque boxes that must cover the
    dynamic ones (a legend with ``framealpha=1`` inside the axes). When any axes' limits or
    scale change, everything is drawn again. The pixels are those of a full draw with the
    dynamic artists drawn last; the figure itself is left as it was (nothing is marked
    animated), so it still saves and displays normally.
    """

    def __init__(
        self, fig: Figure, dynamic: Sequence[Artist], on_top: Sequence[Artist] = (), level=1
    ):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig, self.dynamic, self.on_top, self.level = fig, list(dynamic), list(on_top), level
        self.canvas = FigureCanvasAgg(fig)
        self._background, self._tops, self._key = None, [], None
        self.full_draws = 0  # how often everything was drawn (a test and benchmark hook)

    def _layout(self) -> tuple:
        return tuple(
            (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale()) for ax in self.fig.axes
        )

    def _draw_background(self) -> None:
        from matplotlib.text import Text

        # dynamic artists are left out of the background: texts drawn transparent (so that
        # titles are still placed as they would be), the others hidden
        texts = [(a, a.get_alpha()) for a in self.dynamic if isinstance(a, Text)]
        others = [(a, a.get_visible()) for a in self.dynamic if not isinstance(a, Text)]
        for a, _ in texts:
            a.set_alpha(0.0)
        for a, _ in others:
            a.set_visible(False)
        try:
            self.canvas.draw()
        finally:
            for a, alpha in texts:
                a.set_alpha(alpha)
            for a, visible in others:
                a.set_visible(visible)
        renderer = self.canvas.get_renderer()
        boxes = [a.get_window_extent(renderer).padded(1) for a in self.on_top if a.get_visible()]
        self._tops = [self.canvas.copy_from_bbox(box) for box in boxes]
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.full_draws += 1

    def pixels(self) -> np.ndarray:
        """The current figure, uint8 (H, W, 3) at the figure's dpi."""
        key = self._layout()
        if self._background is None or key != self._key:
            self._draw_background()
            self._key = key
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for a in self.dynamic:
            if a.get_visible():
                a.draw(renderer)
        for region in self._tops:
            self.canvas.restore_region(region)
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

    def png(self) -> bytes:
        """PNG bytes of the current figure (Pillow, zlib ``level``)."""
        return to_png(self.pixels(), level=self.level)
