"""Pure matplotlib figures shared by the notebooks: arrays in, Figure out (no plt.show(), no
global state): an image with labelled axes, and the one ELBO-curve plotter."""

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
    """One grey (H, W) or color (H, W, 3) image in [0, 1] with a title and axis labels."""
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


def draw_elbo(
    ax,
    samples: Sequence[int],
    train_elbo: Sequence[float],
    test_elbo: Sequence[float | None] | None,
    color: str = "C0",
    label: str = "",
    log_x: bool = False,
    marker: str | None = None,
) -> np.ndarray:
    """Draw train (dashed) and test (solid) ELBO against training samples evaluated on ``ax``;
    with ``log_x`` the point at 0 samples is left out. Returns the values drawn (for limits)."""
    s = np.asarray(samples, dtype=float)
    keep = s > 0 if log_x else np.ones(len(s), dtype=bool)
    tr = np.asarray(train_elbo, dtype=float)[keep]
    train_label = f"{label} train" if label else "train ELBO"
    ax.plot(s[keep], tr, "--", color=color, marker=marker, label=None if label else train_label)
    drawn = [tr]
    if test_elbo is not None and len(test_elbo) and test_elbo[-1] is not None:
        te = np.asarray([np.nan if v is None else v for v in test_elbo], dtype=float)[keep]
        ax.plot(s[keep], te, "-", color=color, marker=marker, label=label or "test ELBO")
        drawn.append(te)
    if log_x:
        ax.set_xscale("log")
    ax.set(xlabel="training samples evaluated", ylabel="ELBO per datapoint (nats)")
    ax.grid(True, alpha=0.3)
    return np.concatenate(drawn)


def elbo_figure(
    samples: Sequence[int],
    train_elbo: Sequence[float],
    test_elbo: Sequence[float | None] | None = None,
    title: str = "training",
    log_x: bool = False,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Train (dashed) and test (solid) ELBO, nats per datapoint, against training samples
    evaluated, the last values in the title. Without ``ylim`` the axis zooms past the first
    evaluations (far below the rest). Empty lists give empty axes."""
    fig = Figure(figsize=(6.0, 3.4))
    ax = fig.add_subplot()
    vals = draw_elbo(ax, samples, train_elbo, test_elbo, log_x=log_x, marker=".")
    if ylim is not None:
        ax.set_ylim(*ylim)
    elif len(vals) > 2 and np.isfinite(vals).any():
        lo, hi = np.nanpercentile(vals, 10), np.nanmax(vals)
        ax.set_ylim(lo - 0.1 * (hi - lo) - 1, hi + 0.1 * (hi - lo) + 1)
    last = "no evaluations yet"
    if len(samples):
        last = f"{samples[-1]:,.0f} samples: train {train_elbo[-1]:.1f}"
        if test_elbo is not None and len(test_elbo) and test_elbo[-1] is not None:
            last += f", test {test_elbo[-1]:.1f} nats"
        ax.legend(loc="lower right")
    ax.set_title(f"{title}\n{last}")
    fig.tight_layout()
    return fig
