"""Figures of notebook 07 (likelihoods and priors): latent scatters side by side, reconstruction
error distributions, a diverging run on a symmetric-log axis, and the learned log-variance.
Pure: arrays in, matplotlib Figure out."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def scatter_panels(
    panels: dict[str, np.ndarray],
    labels: np.ndarray,
    separations: dict[str, float] | None = None,
    size: float = 3.6,
):
    """One latent scatter per model, colored by digit: {title: points (N, 2)} -> Figure.
    Each panel has its own limits (the latent families differ in scale)."""
    n = len(panels)
    fig = Figure(figsize=(size * n + 1.0, size + 0.9), dpi=80, layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    sc = None
    for ax, (title, pts) in zip(axes, panels.items(), strict=True):
        lo, hi = np.percentile(pts, [0.5, 99.5], axis=0)
        pad = 0.1 * (hi - lo)
        kw = dict(c=labels, cmap="tab10", vmin=-0.5, vmax=9.5, s=2, alpha=0.7, linewidths=0)
        sc = ax.scatter(pts[:, 0], pts[:, 1], **kw)
        ax.set(xlim=(lo[0] - pad[0], hi[0] + pad[0]), ylim=(lo[1] - pad[1], hi[1] + pad[1]))
        ax.set(xlabel="z1 (mean of q(z|x))", ylabel="z2")
        extra = f"\nkNN accuracy {separations[title]:.0%}" if separations else ""
        ax.set_title(title + extra, fontsize=9)
    fig.colorbar(sc, ax=list(axes), ticks=range(10), label="digit label", shrink=0.9)
    fig.suptitle("Encoder means of 2,000 grey MNIST test digits", fontsize=10)
    return fig


def error_histograms(errors: dict[str, np.ndarray], bins: int = 40):
    """Distributions of per-image mean absolute reconstruction error, one line per model
    on the same test images -> Figure."""
    fig = Figure(figsize=(7, 3.8), dpi=80)
    ax = fig.add_subplot()
    top = max(float(np.percentile(e, 99.5)) for e in errors.values())
    edges = np.linspace(0, top, bins + 1)
    for label, e in errors.items():
        label = f"{label} (median {np.median(e):.3f})"
        ax.hist(e, bins=edges, histtype="step", linewidth=1.6, label=label)
    ax.set_xlabel("mean |x - reconstruction| per image (grey levels / 255)")
    ax.set_ylabel("test images")
    ax.set_title("Reconstruction error on 2,000 grey MNIST test digits")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def divergence_figure(history: dict, title: str):
    """Train and test ELBO (nats) of a run whose test ELBO runs away: a symmetric-log y axis
    so that +3,000 and -10^12 fit on one plot. ``history``: History.to_dict()."""
    fig = Figure(figsize=(6.5, 3.8), dpi=80)
    ax = fig.add_subplot()
    s = np.asarray(history["samples"], dtype=float)
    ax.plot(s, history["train_elbo"], "o--", ms=3, label="train (2,000 images)")
    test = np.asarray(history["test_elbo"], dtype=float)
    ax.plot(s, test, "o-", ms=3, label="test (2,000 images)")
    ax.set_yscale("symlog", linthresh=1000)
    ax.set_xlabel("training samples evaluated")
    ax.set_ylabel("ELBO per image (nats, symlog scale)")
    ax.set_title(title, fontsize=10)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def logvar_figure(profile: np.ndarray, image_shape: tuple[int, int] = (28, 28), title: str = ""):
    """A per-pixel log-variance map (D,) as an image with a color bar (nats of log sigma^2)."""
    fig = Figure(figsize=(4.6, 3.8), dpi=80)
    ax = fig.add_subplot()
    im = ax.imshow(profile.reshape(image_shape), cmap="viridis")
    fig.colorbar(im, ax=ax, label="log sigma^2 of the decoder")
    ax.set(xticks=[], yticks=[], title=title)
    fig.tight_layout()
    return fig
