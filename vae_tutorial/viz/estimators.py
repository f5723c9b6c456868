"""Figures of the paper's Figure 3 and of the estimator check (notebook 05): log p(x) against
the training-set size for AEVB, wake-sleep and MCEM, and every estimator per digit against the
exact value. Pure: results in, matplotlib Figure out."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

METHOD_STYLE = {
    "aevb": ("AEVB", "C0", "o"),
    "wake_sleep": ("wake-sleep", "C1", "s"),
    "mcem": ("Monte Carlo EM", "C2", "^"),
}


def fig3_figure(logs: dict[str, dict[str, Any]]):
    """The paper's Figure 3 from the study logs: log p(x) (AIS, nats per digit, higher is
    better; error bars: one standard error over the evaluated digits) against the number of
    training points (log axis). Test solid, train dashed, one color per method."""
    fig = Figure(figsize=(9.5, 4.4))
    ax = fig.add_subplot(1, 1, 1)
    by: dict[str, list[dict[str, Any]]] = {}
    for g in logs.values():
        by.setdefault(g["experiment"]["train"].get("algorithm", "aevb"), []).append(g)
    est = next(iter(logs.values()))["estimator"] if logs else {}
    for method, runs in by.items():
        label, color, marker = METHOD_STYLE.get(method, (method, "C3", "x"))
        runs = sorted(runs, key=lambda g: g["n_train"])
        n = [g["n_train"] for g in runs]
        for split, ls in (("test", "-"), ("train", "--")):
            y = [g["log_px"][split]["mean"] for g in runs]
            se = [g["log_px"][split]["stderr"] for g in runs]
            ax.errorbar(n, y, yerr=se, color=color, ls=ls, marker=marker, ms=5, capsize=3,
                        label=f"{label}, {split}")  # fmt: skip
    ax.set_xscale("log")
    ax.set(
        xlabel="training points N (first N binarized MNIST digits)",
        ylabel="log p(x) per digit (nats), AIS",
        title="Marginal likelihood against training-set size, Nz = 3, 100 hidden units\n"
        f"AIS from the prior: {est.get('chains')} chains, {est.get('steps')} steps, "
        f"{est.get('leapfrog')} leapfrog steps",
    )
    ax.grid(True, alpha=0.3)
    # beside the axes: inside, it would cover MCEM's points at N = 10,000 (far below the rest)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    fig.tight_layout()
    return fig


def estimator_figure(arrays: dict[str, np.ndarray], k: int, ais: dict[str, Any], model=""):
    """Left: each estimator minus the exact log p(x), per digit, digits sorted by it (nats;
    symmetric-log axis): the ELBO, importance sampling with K draws from q(z|x), AIS. Right:
    IS's miss against its effective sample size: a small ESS flags a bad estimate."""
    fig = Figure(figsize=(11, 4.2))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    exact = arrays["exact"]
    rank = np.arange(1, len(exact) + 1)
    for key, label, color in (
        ("elbo", "ELBO (L = 100)", "C0"),
        ("is", f"IS, K = {k}, proposal q(z|x)", "C1"),
        ("ais", f"AIS, {ais['chains']} x {ais['steps']} steps from the {ais.get('start')}", "C2"),
    ):
        d = np.sort(arrays[key] - exact)
        ax1.plot(rank, d, color=color, label=f"{label}: mean {d.mean():+.2f}")
    ax1.axhline(0, color="k", lw=0.8)
    ax1.set_yscale("symlog", linthresh=1.0)
    ax1.set(
        xlabel="digits, sorted by the difference",
        ylabel="estimate - exact log p(x) (nats)",
        title=f"{model}: {len(exact)} test digits against the exact grid",
    )
    ax1.legend(fontsize=8, loc="lower right")
    ax1.grid(True, alpha=0.3)
    ax2.scatter(arrays["is_ess"], arrays["is"] - exact, s=6, color="C1", alpha=0.6)
    ax2.set_xscale("log")
    ax2.set_yscale("symlog", linthresh=1.0)
    ax2.set(
        xlabel=f"effective sample size of the K = {k} importance weights",
        ylabel="IS - exact log p(x) (nats)",
        title="large misses come with a small ESS",
    )
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig
