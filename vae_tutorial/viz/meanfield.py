"""Figures of notebook 03 (mean-field variational inference). Pure: arrays, and exact
posteriors normalised on a grid (:class:`~vae_tutorial.theory.grid.GridPosterior`), in;
matplotlib Figure out.

- ``cavi_trace_figure``: CAVI on the linear-Gaussian model, the ELBO (closed form) after each
  single-factor update and the distance of the factor means to the exact posterior mean;
- ``meanfield_posterior_figure``: the exact grid posterior against the mean-field q, with the
  zig-zag path of the CAVI means;
- ``sigmoid_meanfield_figure``: Gauss-Hermite mean field on sigmoid models against their exact
  grid posteriors, and the quadrature ELBO against the likelihood evaluations spent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..theory.gaussian import MAHALANOBIS, ellipse
from ..theory.grid import GridPosterior, hpd_levels

#: Mahalanobis radii of the ellipses that hold 39%, 86% and 99% of a 2-D Gaussian's mass
Z1 = "latent z1 (latent units)"
Z2 = "latent z2 (latent units)"


def _posterior_image(ax, post: GridPosterior, cmap: str) -> None:
    """The grid posterior's density as an image, with its 39/86/99% highest-density contours."""
    dens = post.density.reshape(post.grid.shape).T  # rows: z2, columns: z1
    ax.imshow(dens, origin="lower", extent=post.grid.extent, cmap=cmap, aspect="auto")
    ax.contour(*post.grid.axes, dens, levels=hpd_levels(post), colors="k", linewidths=1)


def cavi_trace_figure(
    elbos: np.ndarray,
    factor_means: np.ndarray,
    posterior_mean: np.ndarray,
    log_px: float,
    rho: float,
) -> Figure:
    """CAVI on the linear-Gaussian model. Left: the ELBO of the mean-field q (closed form, nats)
    after each single-factor update, against the exact log p(x); the start is usually far
    below and is named in the legend. Right: max |m - posterior mean| (latent units, log
    scale) against the rate rho^2 per sweep of two updates that Gauss-Seidel predicts in 2-D.
    elbos: (U + 1,) from the start; factor_means: (U + 1, D); posterior_mean: (D,)."""
    elbos = np.asarray(elbos, dtype=float)
    err = np.abs(np.asarray(factor_means) - np.asarray(posterior_mean)).max(axis=1)
    steps = np.arange(len(elbos))
    fig = Figure(figsize=(10, 3.6))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    low = (elbos[1] if len(elbos) > 1 else elbos[0]) - 0.5
    off = f"; start {elbos[0]:.1f}, off the chart" if elbos[0] < low else ""
    ax1.plot(steps, elbos, "o-", ms=3, label=f"ELBO of the mean-field q (closed form{off})")
    ax1.axhline(log_px, color="k", ls="--", label=f"log p(x), exact ({log_px:.3f})")
    ax1.set_ylim(low, log_px + 0.3)
    ax1.set(
        xlabel="single-factor update (count)",
        ylabel="ELBO (nats, higher is better)",
        title="CAVI, linear-Gaussian model: the ELBO rises",
    )
    ax1.legend(fontsize=8, loc="lower right")
    ax2.semilogy(steps, err, "o-", ms=3, color="C1", label="measured")
    even = steps[::2]
    ax2.semilogy(even, err[0] * (rho**2) ** (even / 2), "k:", label=r"$\rho^{2}$ per sweep")
    ax2.set(
        xlabel="single-factor update (count)",
        ylabel="max |m - posterior mean| (latent units)",
        title="distance of the CAVI means to the exact mean",
    )
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def meanfield_posterior_figure(
    post: GridPosterior,
    exact_mean: np.ndarray,
    exact_cov: np.ndarray,
    q_mean: np.ndarray,
    q_cov: np.ndarray,
    path: np.ndarray | None = None,
    model_name: str = "linear-Gaussian model",
) -> Figure:
    """A 2-D posterior: the grid posterior (grey image, black 39/86/99% contours), the
    closed-form posterior ellipses (dashed) and the mean-field q's ellipses of the same masses
    (red), with ``path`` (K, 2), the CAVI means after each update, as a zig-zag; the title
    names ``model_name``."""
    fig = Figure(figsize=(5.5, 5))
    ax = fig.add_subplot()
    _posterior_image(ax, post, "Greys")
    for radius in MAHALANOBIS:
        ax.plot(*ellipse(exact_mean, exact_cov, radius).T, "--", color="0.3", lw=1)
        ax.plot(*ellipse(q_mean, q_cov, radius).T, color="C3", lw=1.5)
    if path is not None:
        path = np.asarray(path)
        label = f"CAVI means (first {len(path) - 1} updates)"
        ax.plot(*path.T, "o-", color="C0", ms=3, lw=1, label=label)
    ax.plot([], [], color="k", label="exact posterior p(z|x) (grid)")
    ax.plot([], [], "--", color="0.3", label="exact posterior (closed form)")
    ax.plot([], [], color="C3", label="mean-field q(z) = q1(z1) q2(z2)")
    ax.set(
        xlabel=Z1,
        ylabel=Z2,
        title=f"{model_name}: posterior p(z|x) and mean-field q(z)\n"
        "q has the conditional, not the marginal, width",
    )
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def sigmoid_meanfield_figure(
    fits: Mapping[str, tuple[GridPosterior, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    xlim: Sequence[float] = (-1.5, 3.5),
    ylim: Sequence[float] = (-2.5, 3.5),
    elbo_ylim: Sequence[float] = (-3.0, 0.5),
) -> Figure:
    """Gaussian mean field by Gauss-Hermite quadrature on sigmoid models. ``fits``: title ->
    (exact grid posterior, q mean (2,), q covariance (2, 2), cumulative likelihood evaluations
    (S,), quadrature ELBO (S,) in nats after each update). One panel per fit (exact posterior
    in blue with black 39/86/99% contours, q's ellipses in red, both means), and a last panel
    with every fit's ELBO against the evaluations spent (log axis)."""
    n = len(fits)
    fig = Figure(figsize=(4.7 * (n + 1), 4.3))
    axes = [fig.add_subplot(1, n + 1, i + 1) for i in range(n + 1)]
    for ax, (name, (post, q_mean, q_cov, n_evals, elbos)) in zip(axes, fits.items(), strict=False):
        _posterior_image(ax, post, "Blues")
        for radius in MAHALANOBIS:
            ax.plot(*ellipse(q_mean, q_cov, radius).T, color="C3", lw=1.5)
        ax.plot(*post.mean, "o", color="w", mec="k", label="exact posterior mean")
        ax.plot(*q_mean, "x", color="C3", mew=2, label="mean-field mean")
        ax.set(xlim=xlim, ylim=ylim, title=name, xlabel=Z1, ylabel=Z2)
        ax.legend(fontsize=8, loc="lower left")
        axes[-1].plot(n_evals, elbos, "o-", ms=3, label=name)
    axes[-1].set(
        xscale="log",
        xlabel="likelihood evaluations (cumulative count)",
        ylabel="ELBO by quadrature (nats)",
        title="Gauss-Hermite mean field: the ELBO rises",
        ylim=elbo_ylim,
    )
    axes[-1].legend(fontsize=8)
    fig.suptitle(
        "sigmoid model: exact posterior (grid, black 39/86/99% contours) vs Gaussian mean "
        "field (red)"
    )
    fig.tight_layout()
    return fig
