"""Figures built once and redrawn in part, for the widgets (pure drawing: arrays in, artists
updated): :class:`LivePlot` (``update(...)`` then ``pixels()`` or ``png()`` through
:class:`~vae_tutorial.viz.images.LiveCanvas`), polylines and contours as one ``Line2D`` each,
density-axis tops that stay put while a slider moves, and :class:`DensityPanel`, a grid
posterior as shades with its highest-density contours.
"""

from __future__ import annotations

from collections.abc import Sequence

import contourpy
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..theory.gaussian import MAHALANOBIS, ellipse
from ..theory.grid import Grid, GridPosterior, hpd_levels
from .images import LiveCanvas, to_png

MASSES = (0.39, 0.86, 0.99)
TOPS = tuple(2.0**k for k in range(-3, 8))  # density axis tops: 0.125, 0.25, ..., 128


class LivePlot:
    """A figure built once: ``update(...)`` (subclasses) changes its ``dynamic`` artists,
    ``png()`` draws it, repainting only those (and pasting the ``on_top`` boxes back)."""

    fig: Figure
    dynamic: list  # what update() changes, in drawing order
    on_top: list  # opaque static boxes over them (legends inside the axes, framealpha=1)

    def pixels(self) -> np.ndarray:
        """The figure at its dpi, uint8 (H, W, 3): what the widgets show."""
        if not hasattr(self, "_live"):
            self._live = LiveCanvas(self.fig, self.dynamic, getattr(self, "on_top", ()))
        return self._live.pixels()

    def png(self) -> bytes:
        """PNG bytes of the figure at its dpi."""
        return to_png(self.pixels(), level=self._live.level)


def joined(pieces: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of several (n, 2) polylines in one, NaN between them (one Line2D draws all)."""
    gap = np.full((1, 2), np.nan)
    xy = np.concatenate([p for piece in pieces for p in (piece, gap)]) if pieces else gap
    return xy[:, 0], xy[:, 1]


def ellipses(mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the 1, 2, 3 Mahalanobis ellipses of N(mean (2,), cov (2, 2)), one polyline."""
    return joined([ellipse(mean, cov, radius) for radius in MAHALANOBIS])


def contours(z1: np.ndarray, z2: np.ndarray, values: np.ndarray, levels) -> tuple:
    """Contour lines of ``values`` (len(z2), len(z1)) at ``levels``, as one (x, y) polyline."""
    gen = contourpy.contour_generator(z1, z2, values, line_type=contourpy.LineType.Separate)
    return joined([line for level in levels for line in gen.lines(float(level))])


def axis_top(peak: float) -> float:
    """The density axis top: the first power of 2 in ``TOPS`` above ``peak`` plus a margin.
    The axis stays put while a slider moves (only the curves are redrawn: a few ms) and
    changes, with a full redraw, only when the peak crosses a power of 2."""
    return next((t for t in TOPS if t >= 1.05 * peak), float(np.ceil(1.05 * peak)))


def _bands(name: str) -> ListedColormap:
    """10 shades: white below a tenth of the maximum, then 9 steps of colormap ``name``."""
    from matplotlib import colormaps

    return ListedColormap(["white", *colormaps[name](np.linspace(0.1, 1.0, 9))])


class DensityPanel:
    """A grid posterior on ``ax``: filled density (10 shades of ``cmap``, relative to its
    maximum) and its 39/86/99% highest-density contours (black). ``update(post)``."""

    def __init__(self, ax, grid: Grid, cmap: str = "Greys"):
        (lo1, hi1), (lo2, hi2) = ((a[0], a[-1]) for a in grid.axes)
        h1, h2 = grid.spacing
        self.axes = grid.axes
        self.image = ax.imshow(
            np.zeros(grid.shape[::-1]), origin="lower", aspect="auto", cmap=_bands(cmap),
            extent=(lo1 - h1 / 2, hi1 + h1 / 2, lo2 - h2 / 2, hi2 + h2 / 2),
            interpolation="bilinear", interpolation_stage="data",
        )  # fmt: skip
        self.hpd = ax.plot([], [], color="k", lw=1)[0]
        ax.set_xlim(lo1, hi1)
        ax.set_ylim(lo2, hi2)
        self.artists = [self.image, self.hpd]

    def update(self, post: GridPosterior) -> None:
        dens = post.density.reshape(post.grid.shape).T  # rows: z2, columns: z1
        self.image.set_data(dens)
        self.image.set_clim(0.0, dens.max())
        self.hpd.set_data(*contours(*self.axes, dens, hpd_levels(post, MASSES)))
