"""The reparameterization trick as a figure (notebook 04, paper section 2.4): fixed noise
eps ~ N(0, 1) pushed through z = mu + sigma * eps, its histogram against q = N(mu, sigma^2)
and a target density. ``ReparamPlot`` is built once and updated in place by the widget;
``reparam_figure`` (pure: numbers in, Figure out) draws the same picture afresh.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..theory.gaussian import kl, normal_pdf
from ..theory.reparameterization import location_scale
from .live import LivePlot, axis_top, joined


def kl_1d(m1: float, s1: float, m2: float, s2: float) -> float:
    """KL(N(m1, s1^2) || N(m2, s2^2)) in nats."""
    return kl(np.array([m1]), np.array([[s1**2]]), np.array([m2]), np.array([[s2**2]]))


class ReparamPlot(LivePlot):
    """Three panels: the noise eps (n,) against N(0, 1) (fixed: drawn once); the map
    z = mu + sigma * eps (with a few samples traced through it); the samples z against
    q = N(mu, sigma^2) and the target N(target[0], target[1]^2), titled with KL(q || target)
    in nats. ``update(mu, sigma)``; ``dpi`` None: matplotlib's default; ``traced``: how many
    of the samples (the first) are traced through the map."""

    def __init__(
        self,
        eps: np.ndarray,
        target: tuple[float, float] = (1.0, 0.5),
        limits: tuple[float, float] = (-4.0, 4.0),
        dpi: float | None = None,
        traced: int = 12,
    ):
        self.eps, self.target, self.limits = np.asarray(eps, dtype=float), target, limits
        self.traced = traced
        self.grid = np.linspace(*limits, 400)
        self.bins = np.linspace(*limits, 41)
        self.fig = Figure(figsize=(10, 3.2), dpi=dpi)
        ax1, ax2, ax3 = self.axes = [self.fig.add_subplot(1, 3, i + 1) for i in range(3)]
        heights, _ = np.histogram(self.eps, bins=self.bins, density=True)
        ax1.stairs(heights, self.bins, fill=True, color="0.7", label=f"{len(eps)} draws of eps")
        ax1.plot(self.grid, normal_pdf(self.grid, 0.0, 1.0), color="k", label="N(0, 1)")
        ax1.set(
            title="noise eps ~ N(0, 1) (fixed)",
            xlabel="eps (noise units)",
            ylabel="density (per noise unit)",
        )
        ax1.legend(fontsize=7, loc="upper left")
        self.map = ax2.plot([], [], color="C0", lw=2)[0]
        self.traces = ax2.plot([], [], color="C0", lw=0.5, alpha=0.6)[0]
        ax2.set(xlim=limits, ylim=limits, title="z = mu + sigma * eps")
        ax2.set(xlabel="eps (noise units)", ylabel="z (latent units)")
        self.hist = ax3.stairs(
            np.zeros(len(self.bins) - 1), self.bins, fill=True, color="C0", alpha=0.5,
            label="pushed samples z",
        )  # fmt: skip
        self.q = ax3.plot([], [], color="C0", label="q(z) = N(mu, sigma^2)")[0]
        self.p = normal_pdf(self.grid, target[0], target[1] ** 2)
        self.target_line = ax3.plot(self.grid, self.p, "--", color="C3", label="target p(z)")[0]
        ax3.set(
            title="KL(q || target)",
            xlabel="z (latent units)",
            ylabel="density (per latent unit)",
            xlim=limits,
        )
        legend = ax3.legend(fontsize=7, loc="upper left", framealpha=1)
        self.fig.tight_layout()
        self.dynamic = [self.map, self.traces, ax2.title, self.hist, self.q, self.target_line,
                        ax3.title]  # fmt: skip
        self.on_top = [legend]

    def update(self, mu: float, sigma: float) -> ReparamPlot:
        lo = self.limits[0]
        z = location_scale(self.eps, mu, sigma)
        self.map.set_data(self.grid, location_scale(self.grid, mu, sigma))
        paths = [
            np.array([[e, lo], [e, mu + sigma * e], [lo, mu + sigma * e]])
            for e in self.eps[: self.traced]
        ]
        self.traces.set_data(*joined(paths))
        self.axes[1].set_title(f"z = {mu:.2f} + {sigma:.2f} * eps")
        heights, _ = np.histogram(z, bins=self.bins, density=True)
        self.hist.set_data(heights)
        q = normal_pdf(self.grid, mu, sigma**2)
        self.q.set_data(self.grid, q)
        # the axis follows the smooth peaks (and the histogram's, never cut), not its noise
        peak = max(1.2 * max(q.max(), self.p.max()), heights.max())
        self.axes[2].set_ylim(0.0, axis_top(peak))
        self.axes[2].set_title(f"KL(q || target) = {kl_1d(mu, sigma, *self.target):.3f} nats")
        return self


def reparam_figure(
    mu: float,
    sigma: float,
    eps: np.ndarray,
    target: tuple[float, float] = (1.0, 0.5),
    limits: tuple[float, float] = (-4.0, 4.0),
) -> Figure:
    """The :class:`ReparamPlot` of noise ``eps`` (n,) at ``mu``, ``sigma``, as a Figure."""
    return ReparamPlot(eps, target, limits).update(mu, sigma).fig
