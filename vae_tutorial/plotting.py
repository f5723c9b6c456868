"""Pure matplotlib figures: arrays in, Figure out (no plt.show(), no global state)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure


def show_image(
    canvas: np.ndarray,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    extent: Sequence[float] | None = None,
    size: float = 5.0,
) -> Figure:
    """One grey (H, W) or colour (H, W, 3) image in [0, 1] with a title and axis labels."""
    fig = Figure(figsize=(size, size * canvas.shape[0] / canvas.shape[1]))
    ax = fig.add_subplot()
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, extent=extent, interpolation="nearest")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if extent is None:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def elbo_curves(histories: dict[str, dict], title: str, data_name: str) -> Figure:
    """Train (dashed) and test (solid) ELBO against training samples evaluated, log x-axis.

    ``histories``: {label: History.to_dict()}; the point at 0 samples is omitted.
    """
    fig = Figure(figsize=(6.5, 4))
    ax = fig.add_subplot()
    for i, (label, h) in enumerate(histories.items()):
        colour = f"C{i}"
        s = np.asarray(h["samples"], dtype=float)
        keep = s > 0
        ax.plot(s[keep], np.asarray(h["train_elbo"])[keep], "--", color=colour)
        if h["test_elbo"] and h["test_elbo"][-1] is not None:
            ax.plot(
                s[keep],
                np.asarray(h["test_elbo"], dtype=float)[keep],
                "-",
                color=colour,
                label=label,
            )
    ax.set_xscale("log")
    ax.set_xlabel("training samples evaluated")
    ax.set_ylabel("ELBO per datapoint (nats)")
    ax.set_title(f"{title}\n{data_name}: test (solid), train (dashed)")
    ax.legend(loc="lower right")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig
