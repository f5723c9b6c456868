"""Figures of notebooks 04 and 04b (the reparameterization trick, the SGVB estimator,
amortization). Pure: arrays, and exact posteriors normalised on a grid
(:class:`~vae_tutorial.theory.grid.GridPosterior`), in; matplotlib Figure out.

- ``variance_scaling_figure``: the variance of score-function and pathwise gradient
  estimates against the samples per estimate L and against the latent dimension D;
- ``sgvb_fit_figure``: a Gaussian q fitted by SGVB against the exact grid posterior, and the
  SGVB estimate of the ELBO during the fit;
- ``amortization_figure``: per-datapoint against amortized inference on test observations,
  and the SGVB estimate during the encoder's training.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..theory.gaussian import MAHALANOBIS, ellipse
from ..theory.grid import GridPosterior, hpd_levels

#: Mahalanobis radii of the ellipses that hold 39%, 86% and 99% of a 2-D Gaussian's mass
MARKERS = "osd^v"


def _running_mean(values: np.ndarray, window: int) -> np.ndarray:
    return np.convolve(np.asarray(values, dtype=float), np.ones(window) / window, mode="valid")


def variance_scaling_figure(
    samples_per_estimate: Sequence[int],
    var_by_samples: Mapping[str, Sequence[float]],
    dims: Sequence[int],
    var_by_dim: Mapping[str, Sequence[float]],
    target: str = "Gaussian target",
) -> Figure:
    """Left: the variance of the d/d mu1 gradient estimate that averages L samples, per
    estimator (``var_by_samples``: name -> one value per L), with a 1/L line through the first
    estimator's first point. Right: the variance of a one-sample d/d mu1 estimate against the
    latent dimension D (``var_by_dim``: name -> one value per D). Both axes logarithmic;
    ``target`` names the function f whose expectation is differentiated."""
    ls, ds = np.asarray(samples_per_estimate, dtype=float), np.asarray(dims, dtype=float)
    fig = Figure(figsize=(11, 3.8))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for marker, (name, var) in zip(MARKERS, var_by_samples.items(), strict=False):
        ax1.loglog(ls, var, marker + "-", label=name)
    for marker, (name, var) in zip(MARKERS, var_by_dim.items(), strict=False):
        ax2.loglog(ds, var, marker + "-", label=name)
    first = next(iter(var_by_samples.values()))[0]
    ax1.loglog(ls, first * ls[0] / ls, "k:", label="1/L")
    ax1.set(
        xlabel="samples per estimate L (count)",
        ylabel="variance of the d/d mu1 estimate",
        title=f"{target}: gradient variance against L",
    )
    ax2.set(
        xlabel="latent dimension D",
        ylabel="variance of a one-sample d/d mu1 estimate",
        title=f"{target}: gradient variance against D",
    )
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def sgvb_fit_figure(
    post: GridPosterior,
    q_mean: np.ndarray,
    q_cov: np.ndarray,
    elbo_per_step: np.ndarray,
    elbo_q: float,
    window: int = 25,
    xlim: Sequence[float] = (-1.5, 3.5),
    ylim: Sequence[float] = (-1.5, 3.5),
    elbo_ylim: Sequence[float] = (-4.0, 0.5),
    n_samples: int | None = None,
    q_label: str = "SGVB q(z), Gaussian",
    model_name: str = "",
) -> Figure:
    """Left: the exact posterior on the grid (blue, black 39/86/99% contours) and the fitted
    Gaussian q(z) = N(q_mean, q_cov) (red ellipses of the same masses). Right: the SGVB
    estimate of the ELBO at each Adam step (``elbo_per_step``, nats; L = ``n_samples`` draws),
    its running mean over ``window`` steps, log p(x) from the grid and the ELBO of the final q
    (``elbo_q``, e.g. by quadrature). ``q_label`` names q's family in the legend and
    ``model_name`` the model in the titles."""
    fig = Figure(figsize=(11, 4.3))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    dens = post.density.reshape(post.grid.shape).T
    ax1.imshow(dens, origin="lower", extent=post.grid.extent, cmap="Blues", aspect="auto")
    ax1.contour(*post.grid.axes, dens, levels=hpd_levels(post), colors="k", linewidths=1)
    for radius in MAHALANOBIS:
        ax1.plot(*ellipse(q_mean, q_cov, radius).T, color="C3", lw=1.5)
    ax1.plot([], [], color="k", label="exact posterior p(z|x) (grid, 39/86/99%)")
    ax1.plot([], [], color="C3", label=q_label)
    ax1.set(
        xlim=xlim,
        ylim=ylim,
        xlabel="latent z1 (latent units)",
        ylabel="latent z2 (latent units)",
        title=f"{model_name}: posterior (grid) and SGVB fit q(z)".lstrip(": "),
    )
    ax1.legend(fontsize=8, loc="lower left")
    elbos = np.asarray(elbo_per_step, dtype=float)
    steps = np.arange(1, len(elbos) + 1)
    per_step = "SGVB estimate per step" + (f" (L = {n_samples})" if n_samples else "")
    ax2.plot(steps, elbos, color="0.75", lw=0.6, label=per_step)
    if len(elbos) >= window:
        smooth = _running_mean(elbos, window)
        ax2.plot(steps[window - 1 :], smooth, color="C0", label=f"running mean of {window} steps")
    ax2.axhline(post.log_evidence, color="k", ls="--", label="log p(x) (grid)")
    ax2.axhline(elbo_q, color="C3", ls=":", label="ELBO of the final q (quadrature)")
    ax2.set(
        ylim=elbo_ylim,
        xlabel="Adam step (count)",
        ylabel="ELBO (nats, higher is better)",
        title="SGVB estimate of the ELBO during the fit:\nit rises to within KL(q||p) of log p(x)",
    )
    ax2.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def amortization_figure(
    log_px: np.ndarray,
    elbo_per_datapoint: np.ndarray,
    elbo_amortized: np.ndarray,
    trace: np.ndarray,
    window: int = 50,
    batch_size: int | None = None,
    model_name: str = "",
) -> Figure:
    """Left: for each test observation, log p(x) (e.g. from a grid) and the ELBO (nats) of a q
    fitted to it alone by SGVB and of the amortized encoder's q(z|x). Right: the SGVB estimate
    of the ELBO per datapoint at each Adam step of the encoder's training (``trace``), as a
    running mean over ``window`` steps. ``model_name`` names the model in a suptitle."""
    log_px, idx = np.asarray(log_px, dtype=float), np.arange(len(log_px))
    fig = Figure(figsize=(11, 3.8))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    ax1.plot(idx, log_px, "k_", ms=18, mew=2, label="log p(x) (grid)")
    ax1.plot(idx - 0.1, elbo_per_datapoint, "o", color="C3", label="ELBO, per-datapoint q")
    ax1.plot(idx + 0.1, elbo_amortized, "s", color="C0", label="ELBO, amortized encoder q(z|x)")
    ax1.set(
        xlabel="test observation (index)",
        ylabel="nats (higher is better)",
        title="ELBO per test observation: per-datapoint vs amortized q",
    )
    ax1.legend(fontsize=8)
    trace = np.asarray(trace, dtype=float)
    window = max(1, min(window, len(trace)))
    ax2.plot(np.arange(window, len(trace) + 1), _running_mean(trace, window), color="C0")
    batch = f" (minibatch of {batch_size} observations)" if batch_size else ""
    ax2.set(
        xlabel=f"Adam step{batch}",
        ylabel="SGVB estimate of the ELBO per datapoint (nats)",
        title=f"training the encoder (running mean of {window} steps)",
    )
    if model_name:
        fig.suptitle(model_name)
    fig.tight_layout()
    return fig
