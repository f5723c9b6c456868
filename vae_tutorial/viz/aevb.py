"""Figures of notebook 05 (the AEVB algorithm): the paper's Figure 2 from the study logs, the
tightness of the importance-sampled bound, and the amortization gap. Pure: results in,
matplotlib Figure out."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..studies.amortization import AmortizationResult
from ..studies.fig2 import FREY_Z, MNIST_Z
from .figures import draw_elbo

PANELS = {
    "mnist-binarized": ("MNIST (static binarized), 500 hidden units", "mnist"),
    "frey-faces": ("Frey Face, 200 hidden units", "frey"),
}


def tightness_figure(elbo: np.ndarray, log_px_by_k: dict[int, np.ndarray], model_name: str = ""):
    """Left: per-datapoint gap log p(x) - ELBO (nats) at the largest K. Right: the mean
    importance-sampled estimate against K (log axis) with the mean ELBO. elbo: (N,);
    log_px_by_k: {K: (N,)}. Returns a Figure."""
    ks = sorted(log_px_by_k)
    kmax = ks[-1]
    fig = Figure(figsize=(10, 3.6))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    gap = log_px_by_k[kmax] - elbo
    ax1.hist(gap, bins=30, color="C0", alpha=0.8)
    ax1.axvline(gap.mean(), color="k", ls="--", label=f"mean {gap.mean():.2f} nats")
    ax1.set(
        title=f"log p(x) (IS, K = {kmax}) - ELBO, {len(elbo)} digits",
        xlabel="gap per digit (nats)",
        ylabel="number of digits",
    )
    ax1.legend()
    means = [float(np.mean(log_px_by_k[k])) for k in ks]
    ax2.plot(ks, means, "o-", color="C1", label="IS estimate of log p(x), mean")
    ax2.axhline(float(np.mean(elbo)), color="C0", ls="--", label="ELBO (encoder q), mean")
    ax2.set_xscale("log")
    ax2.set(
        title="the IS estimate tightens as K grows",
        xlabel="importance samples K",
        ylabel="nats per datapoint",
    )
    ax2.legend(loc="lower right")
    ax2.grid(True, alpha=0.3)
    if model_name:
        fig.suptitle(model_name)
    fig.tight_layout()
    return fig


def gaps_figure(result: AmortizationResult, record_every: int = 10):
    """Left: each datapoint's SGVB estimate during the per-datapoint optimization, minus the
    encoder's ELBO (noisy: L samples per step). Right: the amortization and approximation
    gaps per datapoint (nats), stacked: together log p(x) - ELBO(encoder q). Returns a Figure."""
    fig = Figure(figsize=(10, 3.6))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    steps = np.arange(result.trace.shape[0]) * record_every
    gain = result.trace - result.elbo_encoder[None, :]
    for i in range(gain.shape[1]):
        ax1.plot(steps, gain[:, i], lw=1, color=f"C{i % 10}", label=f"digit {i}")
    ax1.axhline(0.0, color="k", lw=0.8)
    ax1.set(
        title="optimizing q per digit: SGVB estimates during Adam",
        xlabel="optimization step",
        ylabel="ELBO estimate - encoder's ELBO (nats)",
    )
    idx = np.arange(len(result.elbo_encoder))
    ax2.bar(idx, result.amortization_gap, color="C3", label="amortization gap")
    ax2.bar(
        idx,
        result.approximation_gap,
        bottom=result.amortization_gap,
        color="C0",
        label="approximation gap",
    )
    ax2.set(
        title=f"log p(x) - ELBO(encoder q) split in two (K = {result.k})",
        xlabel="test digit",
        ylabel="gap (nats)",
        xticks=idx,
    )
    ax2.legend()
    fig.tight_layout()
    return fig


def fig2_figure(logs: dict[str, dict[str, Any]], paper_lines: bool = True):
    """The paper's Figure 2 from the logs: one panel per dataset, ELBO (nats per datapoint,
    higher is better) against training samples evaluated (log axis), test solid, train
    dashed, one color per Nz; dotted: the paper's final test ELBO. Returns a Figure."""
    fig = Figure(figsize=(11, 4.2))
    axes = {data: fig.add_subplot(1, 2, i + 1) for i, data in enumerate(PANELS)}
    limits = {"mnist-binarized": (-160, -95), "frey-faces": (0, 1600)}
    zs = {"mnist-binarized": MNIST_Z, "frey-faces": FREY_Z}
    count = {data: 0 for data in PANELS}
    for g in logs.values():
        data, z = g["experiment"]["data"], g["experiment"]["model"]["z_dim"]
        ax = axes[data]
        color = f"C{zs[data].index(z) if z in zs[data] else 5 + count[data]}"  # fixed per Nz
        count[data] += 1
        h = g["history"]
        draw_elbo(ax, h["samples"], h["train_elbo"], h["test_elbo"], color, f"Nz = {z}", True)
        if paper_lines and g.get("paper_test_elbo") is not None:
            ax.axhline(g["paper_test_elbo"], color=color, ls=":", lw=1)
    for data, ax in axes.items():
        ax.set_xscale("log")
        ax.set_ylim(*limits[data])
        ax.set_title(
            f"{PANELS[data][0]}\ntest (solid), train (dashed), paper's final test (dotted)"
        )
        if count[data]:
            ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
