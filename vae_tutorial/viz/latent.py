"""The encoded test set as a scatter over latent space (pure: arrays in, Figure out)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def draw_scatter(ax, points: np.ndarray, labels: np.ndarray | None = None, limit: float = 4.0):
    """Draw encoder means (N, 2) on ``ax``, colored by class label (N,) when given."""
    if labels is None:
        ax.scatter(points[:, 0], points[:, 1], color="0.35", s=5, alpha=0.6, linewidths=0)
    else:
        kw = dict(c=labels, cmap="tab10", vmin=-0.5, vmax=9.5, s=2, alpha=0.6, linewidths=0)
        sc = ax.scatter(points[:, 0], points[:, 1], **kw)
        ax.figure.colorbar(sc, ax=ax, ticks=range(10), label="digit label")
    ax.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal")
    ax.set(xlabel="z1 (prior SD units)", ylabel="z2 (prior SD units)")


def scatter_figure(
    points: np.ndarray,
    labels: np.ndarray | None = None,
    title: str = "encoder means of the test set",
    limit: float = 4.0,
    size: float = 4.0,
) -> Figure:
    """The means of q(z|x) (N, 2) as a scatter colored by class label (N,) when given
    on the square [-limit, limit]^2 of latent (prior SD) units."""
    fig = Figure(figsize=(size + (0.9 if labels is not None else 0), size), dpi=80)
    ax = fig.add_subplot()
    draw_scatter(ax, points, labels, limit)
    ax.set_title(title)
    fig.tight_layout()
    return fig


#: the difference panel's colours: a diverging map whose zero is a neutral light grey (the
#: panel stays visible on a white page where nothing changed), red above, blue below
DIFF_CMAP = "coolwarm"

#: a difference of this many grey levels (pixel intensities in [0, 1]) gets full colour
DIFF_VMAX = 0.5


def difference_rgb(diff: np.ndarray, vmax: float = 0.5) -> np.ndarray:
    """Signed differences (H, W) -> colour (H, W, 3) in [0, 1] on :data:`DIFF_CMAP`: light
    grey at 0, red for positive (brighter), blue for negative, full colour at |diff| >= vmax."""
    from matplotlib import colormaps

    d = np.clip(np.asarray(diff, dtype=np.float64) / vmax, -1.0, 1.0)
    return colormaps[DIFF_CMAP]((d + 1.0) / 2.0)[..., :3]


def difference_colorbar(
    vmax: float = 0.5, label: str = "decoded minus reference", width: float = 4.1
) -> Figure:
    """The colour legend of :func:`difference_rgb`: a horizontal bar from -vmax to +vmax in
    grey-level units (pixel intensities in [0, 1]), ``width`` inches wide at 80 dpi."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    fig = Figure(figsize=(width, 0.75), dpi=80)
    ax = fig.add_axes((0.06, 0.58, 0.88, 0.22))
    bar = fig.colorbar(
        ScalarMappable(Normalize(-vmax, vmax), DIFF_CMAP), cax=ax, orientation="horizontal"
    )
    bar.set_ticks([-vmax, -vmax / 2, 0, vmax / 2, vmax])
    bar.ax.tick_params(labelsize=8)
    bar.set_label(f"{label} (grey levels, 0-1)", fontsize=8)
    return fig
