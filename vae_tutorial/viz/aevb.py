"""Figures of notebook 05 (the AEVB algorithm): the paper's Figure 2 from the study logs, the
tightness of the importance-sampled bound, and the amortization gap. Pure: results in,
matplotlib Figure out."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

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


#: the two methods of the paper's Figure 2: label and color
FIG2_METHODS = {"aevb": ("AEVB", "C0"), "wake_sleep": ("wake-sleep", "C3")}


def fig2_paper_figure(
    logs: dict[str, dict[str, Any]],
    planned: dict[str, tuple[str, str, int]],
    ignoring_z: dict[str, float] | None = None,
):
    """The paper's Figure 2 laid out as the paper does: one panel per dataset and Nz (MNIST
    top row, Frey Face bottom), AEVB (blue) against wake-sleep (red), test solid and train
    dashed, ELBO per datapoint (nats) against training samples evaluated (log axis); dotted:
    the paper's final AEVB test ELBO. ``logs``: the finished runs by name
    (``studies.fig2_paper.load_logs``); ``planned``: every run of the study, name ->
    (method, dataset, Nz). A panel says which of its runs are not shipped yet. ``ignoring_z``:
    per dataset, the test log-likelihood of a decoder that ignores z
    (``studies.fig2_paper.ignoring_z``), drawn grey dash-dotted where it is inside the panel."""
    zs = {data: sorted({z for _, d, z in planned.values() if d == data}) for data in PANELS}
    ncols = max(len(v) for v in zs.values())
    fig = Figure(figsize=(2.7 * ncols, 6.2))
    for row, data in enumerate(PANELS):
        for col, z in enumerate(zs[data]):
            ax = fig.add_subplot(2, ncols, row * ncols + col + 1)
            missing, drawn = [], []
            for name, (method, d, nz) in planned.items():
                if d != data or nz != z:
                    continue
                label, color = FIG2_METHODS[method]
                if name not in logs:
                    missing.append(label)
                    continue
                h = logs[name]["history"]
                draw_elbo(ax, h["samples"], h["train_elbo"], h["test_elbo"], color, label, True)
                late = np.asarray(h["samples"]) >= 1e5  # the part the paper's axis shows
                for key in ("train_elbo", "test_elbo"):
                    drawn += [v for v, keep in zip(h[key], late, strict=True)
                              if keep and v is not None and np.isfinite(v)]  # fmt: skip
                paper = logs[name].get("paper_test_elbo")
                if method == "aevb" and paper is not None:
                    ax.axhline(paper, color="k", ls=":", lw=1)
                    drawn.append(paper)  # kept inside the limits
            if drawn:  # limits from 1e5 samples on (the steep first climb runs off the chart)
                lo, hi = min(drawn), max(drawn)
                ax.set_ylim(lo - 0.1 * (hi - lo) - 1, hi + 0.1 * (hi - lo) + 1)
                flat = (ignoring_z or {}).get(data)
                if flat is not None and lo <= flat <= hi:
                    ax.axhline(flat, color="0.5", ls="-.", lw=1)
            ax.set_xscale("log")
            ax.set_xlim(1e3, 2e7)
            ax.set_title(f"{PANELS[data][0].split(' (')[0].split(',')[0]}, Nz = {z}", fontsize=9)
            if missing:
                ax.text(0.96, 0.05, f"not shipped yet:\n{', '.join(missing)}", ha="right",
                        va="bottom", transform=ax.transAxes, fontsize=8, color="0.4")  # fmt: skip
            ax.tick_params(labelsize=7)
            ax.set_xlabel("training samples evaluated" if row else "", fontsize=8)
            ax.set_ylabel("ELBO (nats)" if col == 0 else "", fontsize=8)
    handles = [Line2D([], [], color=c, label=f"{m} test") for m, c in FIG2_METHODS.values()]
    handles += [
        Line2D([], [], color=c, ls="--", label=f"{m} train") for m, c in FIG2_METHODS.values()
    ]
    handles.append(Line2D([], [], color="k", ls=":", label="paper's final AEVB test"))
    if ignoring_z:
        handles.append(Line2D([], [], color="0.5", ls="-.", label="decoder ignoring z, test"))
    fig.legend(handles=handles, loc="lower right", fontsize=8, bbox_to_anchor=(0.99, 0.08))
    fig.suptitle(
        "The paper's Figure 2 with its setup (Adagrad, weight decay, 1e7 samples): AEVB against "
        "wake-sleep, ELBO per datapoint",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
