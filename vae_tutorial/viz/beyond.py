"""Figures of notebook 09: a trained VAE's true posterior beside its q, rate against
distortion across the KL weight beta, the rate per latent dimension, and the IWAE bounds.
Pure: results in, matplotlib Figure out."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..theory.gaussian import ellipse

Z1, Z2 = "z1 (prior standard deviations)", "z2 (prior standard deviations)"


def posterior_figure(rep, image: np.ndarray, title: str = "") -> Figure:
    """Left: the datapoint (H, W). Right: its exact posterior p(z|x) (grid), the encoder's
    q(z|x) (red) and the best Gaussian for this one x (blue), 1 and 2 standard deviations;
    the title gives log p(x) (exact) and the two gaps, in nats. ``rep``: a
    :class:`vae_tutorial.studies.true_posterior.PosteriorReport`."""
    post = rep.posterior
    fig = Figure(figsize=(8.4, 3.8), dpi=80)
    ax0, ax = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    ax0.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax0.set(xticks=[], yticks=[], title=title or "the datapoint x")
    dens = post.density.reshape(post.grid.shape).T
    ax.imshow(dens, origin="lower", extent=post.grid.extent, cmap="Greys", aspect="auto")
    for (mean, var), color, label in ((rep.encoder, "C3", "encoder q(z|x)"),
                                      (rep.best, "C0", "best Gaussian for this x")):  # fmt: skip
        for radius in (1, 2):
            pts = ellipse(mean, np.diag(var), radius)
            ax.plot(pts[:, 0], pts[:, 1], color=color, lw=1.5, label=label if radius == 1 else None)
    ax.plot(*post.mode, "k+", ms=10, mew=2, label="posterior mode (grid)")
    ax.set(xlabel=Z1, ylabel=Z2, title=(
        f"exact p(z|x): log p(x) = {rep.log_px:.1f} nats\n"
        f"gaps (nats): amortization {rep.amortization_gap:.2f}, "
        f"approximation {rep.approximation_gap:.2f}"))  # fmt: skip
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def rate_distortion_figure(results: dict[str, dict[str, Any]], highlight: str | None = None):
    """Distortion -E_q[log p(x|z)] against rate KL(q || p(z)) (nats per test digit) for the
    runs of notebook 09; dashed lines of equal ELBO (= -(rate + distortion))."""
    fig = Figure(figsize=(6.4, 4.2), dpi=80)
    ax = fig.add_subplot()
    for name, r in results.items():
        if name.startswith("iwae"):
            continue
        marker = "o" if name.count("-") == 1 else "s"
        ax.plot(r["rate"], r["distortion"], marker, ms=9 if name == highlight else 6,
                color="C3" if name == highlight else "C0")  # fmt: skip
        ax.annotate(f"{name} ({r['active_units']} active)", (r["rate"], r["distortion"]),
                    textcoords="offset points", xytext=(6, 4), fontsize=8)  # fmt: skip
    rates = np.array([r["rate"] for n, r in results.items() if not n.startswith("iwae")])
    dists = np.array([r["distortion"] for n, r in results.items() if not n.startswith("iwae")])
    total = rates + dists
    lo, hi = rates.min() - 2, rates.max() + 4
    for t in np.linspace(total.min(), total.max(), 4):
        ax.plot([lo, hi], [t - lo, t - hi], "--", color="0.8", lw=0.8, zorder=0)
    ax.set_xlim(lo, hi)
    ax.set_ylim(dists.min() - 5, dists.max() + 5)
    ax.set(xlabel="rate: KL(q(z|x) || p(z)), nats per test digit",
           ylabel="distortion: -E_q[log p(x|z)], nats",
           title="static binarized MNIST, 784-500-20: rate against distortion\n"
                 "dashed: equal ELBO = -(rate + distortion)")  # fmt: skip
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def rate_per_dim_figure(result: dict[str, Any], threshold: float = 0.01) -> Figure:
    """Left: the rate of each latent dimension (nats, sorted). Right: the variance over the
    test set of each dimension's encoder mean, with the active-unit threshold."""
    fig = Figure(figsize=(8.4, 3.2), dpi=80)
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    rate = np.sort(np.asarray(result["rate_per_dim"]))[::-1]
    var = np.sort(np.asarray(result["mean_variance"]))[::-1]
    ax1.bar(np.arange(len(rate)), rate, color="C0")
    ax1.set(xlabel="latent dimension (sorted)", ylabel="KL(q || p), nats per digit",
            title=f"{result['name']}: rate {result['rate']:.1f} nats in all")  # fmt: skip
    ax2.bar(np.arange(len(var)), var, color=np.where(var > threshold, "C0", "C7"))
    ax2.axhline(threshold, color="C3", ls="--", lw=1, label=f"active if > {threshold}")
    ax2.set_yscale("log")
    ax2.set(xlabel="latent dimension (sorted)", ylabel="Var over x of E_q[z_j | x]",
            title=f"{result['active_units']} of {len(var)} units active")  # fmt: skip
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def iwae_figure(summary: dict[int, dict[str, np.ndarray]]) -> Figure:
    """The IWAE runs by K (``studies.beyond.iwae_summary``: per K, arrays over seeds of the
    ``elbo`` and ``log_px`` (IS, K = 1000) on the same 1,000 test digits and ``ms_per_step``).
    Left: every seed's value as a dot, the mean over seeds joined by a line, against K on a
    log axis. Right: ms per training step, mean over seeds with the seeds' range."""
    ks = sorted(summary)
    fig = Figure(figsize=(8.4, 3.4), dpi=80)
    ax, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    n_seeds = max(len(summary[k]["elbo"]) for k in ks)
    series = (
        ("elbo", "o", "C0", "ELBO (L = 1)"),
        ("log_px", "s", "C1", "log p(x), IS with K = 1000"),
    )
    for key, marker, color, label in series:
        for k in ks:
            v = summary[k][key]
            ax.plot(np.full(len(v), k), v, marker, color=color, alpha=0.45, ms=5)
        ax.plot(ks, [summary[k][key].mean() for k in ks], marker + "-", color=color,
                label=f"{label}: mean of {n_seeds} seeds (dots: each seed)")  # fmt: skip
    ax.set_xscale("log")
    title = "trained on the IWAE bound with K samples\n(the same 1,000 test digits)"
    ax.set(xlabel="K, samples of the training bound", ylabel="nats per test digit", title=title)
    ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    ms = [summary[k]["ms_per_step"] for k in ks]
    mean = np.array([m.mean() for m in ms])
    err = np.array([[m.mean() - m.min() for m in ms], [m.max() - m.mean() for m in ms]])
    ax2.bar([str(k) for k in ks], mean, yerr=err, color="C2", capsize=4)
    ax2.set(xlabel="K", ylabel="ms per training step (M = 100)",
            title="the price of K (bars: range over seeds)")  # fmt: skip
    fig.tight_layout()
    return fig
