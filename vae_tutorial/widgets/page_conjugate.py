"""Notebook 01's conjugate views on the static page (``page_conjugate.js`` computes and draws
them there): what the page needs (``state_1d``, ``state_2d``) and what it must show
(``values_1d``, ``values_2d``), read from the view's kept figure, which is what Jupyter shows.

The 1-D view's values: the prior, likelihood and closed-form posterior curves on the plotted z
(801 points), the grid posterior's dots, the posterior mean and variance, the density axis top,
the line z = x / w and the caption. The 2-D view's: the grid posterior density on the plotted
121 x 121 grid (rows z2: the shades), its 39/86/99% highest-density levels (black contours), the
log likelihood below its maximum on the grid (blue contours), the closed-form mean and
covariance (red ellipses) and the caption.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import to_hex

from ..theory.conjugate import linear_gaussian_posterior
from ..theory.gaussian import MAHALANOBIS
from ..theory.grid import hpd_levels, posterior_on_grid
from ..theory.latent_models import LinearGaussian
from ..viz.live import MASSES, TOPS
from .page import control_specs


def _state(view: Any) -> dict[str, Any]:
    return {"module": "conjugate", "controls": control_specs(view.page_controls()),
            "describe": view.describe(), "tops": list(TOPS),
            "title": view.plot.ax.get_title()}  # fmt: skip


def _labels(plot: Any) -> list[str]:
    """The plot's legend entries, in order."""
    return [t.get_text() for t in plot.ax.get_legend().get_texts()]


def state_1d(view: Any) -> dict[str, Any]:
    """``page_state()`` of a ConjugateExplorer1D (``view.plot``: a Conjugate1DPlot). The
    legend: the plot's entries, saying which grid points the dots are, and the line z = x / w."""
    z, every = view.plot.z, view.plot.dot_every
    prior, lik, closed, grid = _labels(view.plot)
    legend = [prior, lik, closed, f"{grid} (every {every}th point)",
              "z = x / w (likelihood's peak)"]  # fmt: skip
    return {**_state(view), "variant": "1d", "limits": [float(z[0]), float(z[-1])],
            "points": len(z), "dot_every": every, "legend": legend}  # fmt: skip


def state_2d(view: Any) -> dict[str, Any]:
    """``page_state()`` of a ConjugateExplorer2D (``view.plot``: a Conjugate2DPlot). The
    legend: the plot's entries, saying what the contours are, and the posterior mean."""
    (a,) = {tuple(axis) for axis in view.plot.grid.axes}  # the same axis for z1 and z2
    shades = [to_hex(c) for c in view.plot.panel.image.get_cmap().colors]
    prior, lik, grid, closed = _labels(view.plot)
    masses = "/".join(f"{100 * m:g}" for m in MASSES)  # "39/86/99"
    radii = ", ".join(f"{r:g}" for r in MAHALANOBIS)  # "1, 2, 3"
    legend = [prior, lik, f"{grid} (shades; {masses}% regions)", f"{closed} ({radii} sd)",
              "posterior mean"]  # fmt: skip
    return {**_state(view), "variant": "2d", "limits": [float(a[0]), float(a[-1])],
            "resolution": len(a), "shades": shades, "masses": list(MASSES),
            "radii": list(MAHALANOBIS), "legend": legend}  # fmt: skip


def values_1d(view: Any) -> dict[str, Any]:
    """``page_values()`` of a ConjugateExplorer1D: what the page must draw now."""
    alpha, beta, w, x = view._values()
    mean, cov = linear_gaussian_posterior(np.array([x]), alpha, beta, np.array([[w]]))
    plot = view.plot
    at = plot.at.get_xdata()[0]
    return {
        "mean": float(mean[0]),
        "var": float(cov[0, 0]),
        "prior": plot.prior.get_ydata().tolist(),
        "likelihood": plot.lik.get_ydata().tolist(),
        "posterior": plot.closed.get_ydata().tolist(),
        "grid_posterior": plot.dots.get_ydata().tolist(),
        "at": None if np.isnan(at) else float(at),
        "ytop": float(plot.ax.get_ylim()[1]),
        "caption": view.plot_caption,
    }


def values_2d(view: Any) -> dict[str, Any]:
    """``page_values()`` of a ConjugateExplorer2D: what the page must draw now."""
    alpha, beta, W, x = view._values()
    grid = view.plot.grid
    mean, cov = linear_gaussian_posterior(x, alpha, beta, W)
    model = LinearGaussian(alpha, beta, W)
    post = posterior_on_grid(lambda p: model.log_joint(x, p), grid)
    loglik = model.log_likelihood(x, grid.points).reshape(grid.shape).T  # rows: z2
    density = np.asarray(view.plot.panel.image.get_array())  # the shades drawn, rows: z2
    return {
        "mean": mean.tolist(),
        "cov": cov.tolist(),
        "hpd": hpd_levels(post, MASSES).tolist(),
        "density": density.ravel().tolist(),
        "loglik": (loglik - loglik.max()).ravel().tolist(),
        "caption": view.plot_caption,
    }
