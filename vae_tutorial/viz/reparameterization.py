"""The reparameterization trick as a figure (notebook 04, paper section 2.4): fixed noise
eps ~ N(0, 1) pushed through z = mu + sigma * eps, its histogram against q = N(mu, sigma^2)
and a target density. Pure: numbers in, Figure out.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..theory.gaussian import kl, normal_pdf
from ..theory.reparameterization import location_scale


def _kl_1d(m1: float, s1: float, m2: float, s2: float) -> float:
    """KL(N(m1, s1^2) || N(m2, s2^2)) in nats."""
    return kl(np.array([m1]), np.array([[s1**2]]), np.array([m2]), np.array([[s2**2]]))


def reparam_figure(
    mu: float,
    sigma: float,
    eps: np.ndarray,
    target: tuple[float, float] = (1.0, 0.5),
    limits: tuple[float, float] = (-4.0, 4.0),
) -> Figure:
    """Three panels: the noise eps (n,) against N(0, 1); the map z = mu + sigma * eps (with
    a few samples traced through it); the samples z against q = N(mu, sigma^2) and the
    target N(target[0], target[1]^2), titled with KL(q || target) in nats."""
    z = location_scale(eps, mu, sigma)
    grid = np.linspace(*limits, 400)
    bins = np.linspace(*limits, 41)
    fig = Figure(figsize=(10, 3.2))
    ax1, ax2, ax3 = (fig.add_subplot(1, 3, i + 1) for i in range(3))
    ax1.hist(eps, bins=bins, density=True, color="0.7", label=f"{len(eps)} draws of eps")
    ax1.plot(grid, normal_pdf(grid, 0.0, 1.0), color="k", label="N(0, 1)")
    ax1.set(title="noise eps ~ N(0, 1) (fixed)", xlabel="eps (noise units)", ylabel="density")
    ax1.legend(fontsize=7, loc="upper left")
    ax2.plot(grid, location_scale(grid, mu, sigma), color="C0", lw=2)
    for e in eps[:12]:
        ax2.plot(
            [e, e, limits[0]],
            [limits[0], mu + sigma * e, mu + sigma * e],
            color="C0",
            lw=0.5,
            alpha=0.6,
        )
    ax2.set(
        xlim=limits,
        ylim=limits,
        title=f"z = {mu:.2f} + {sigma:.2f} * eps",
        xlabel="eps (noise units)",
        ylabel="z (latent units)",
    )
    ax3.hist(z, bins=bins, density=True, color="C0", alpha=0.5, label="pushed samples z")
    ax3.plot(grid, normal_pdf(grid, mu, sigma**2), color="C0", label="q(z) = N(mu, sigma^2)")
    ax3.plot(
        grid, normal_pdf(grid, target[0], target[1] ** 2), "--", color="C3", label="target p(z)"
    )
    divergence = _kl_1d(mu, sigma, *target)
    ax3.set(
        title=f"KL(q || target) = {divergence:.3f} nats",
        xlabel="z (latent units)",
        ylabel="density",
        xlim=limits,
    )
    ax3.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig
