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
