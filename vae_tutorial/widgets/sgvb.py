"""The reparameterization trick, interactively (notebook 04, paper section 2.4).

``reparam_figure`` (pure: numbers in, Figure out) pushes fixed noise samples eps ~ N(0, 1)
through z = mu + sigma * eps and compares the histogram of z with q = N(mu, sigma^2) and a
target density; ``ReparamExplorer`` is a thin ipywidgets view with sliders for mu and sigma.
The noise never changes while the sliders move: only the deterministic map does.
"""

from __future__ import annotations

import io
import math
import traceback

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..reparam import location_scale


def _png(fig: Figure, dpi: int = 72) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _pdf(z: np.ndarray, m: float, s: float) -> np.ndarray:
    return np.exp(-0.5 * ((z - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))


def kl_normal(m1: float, s1: float, m2: float, s2: float) -> float:
    """KL(N(m1, s1^2) || N(m2, s2^2)) in nats."""
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


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
    ax1.plot(grid, _pdf(grid, 0.0, 1.0), color="k", label="N(0, 1)")
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
    ax3.plot(grid, _pdf(grid, mu, sigma), color="C0", label="q(z) = N(mu, sigma^2)")
    ax3.plot(grid, _pdf(grid, *target), "--", color="C3", label="target p(z)")
    kl = kl_normal(mu, sigma, *target)
    ax3.set(
        title=f"KL(q || target) = {kl:.3f} nats",
        xlabel="z (latent units)",
        ylabel="density",
        xlim=limits,
    )
    ax3.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


class ReparamExplorer(widgets.VBox):
    """Sliders for mu and sigma over fixed noise: see z = mu + sigma * eps move."""

    def __init__(
        self,
        mu: float = 0.0,
        sigma: float = 1.0,
        n: int = 2000,
        seed: int = 0,
        target: tuple[float, float] = (1.0, 0.5),
    ):
        super().__init__()
        self.eps = np.random.default_rng(seed).standard_normal(n)
        self.target = target
        style = {"description_width": "50px"}
        self.mu = widgets.FloatSlider(
            value=mu,
            min=-3.0,
            max=3.0,
            step=0.05,
            description="mu",
            continuous_update=False,
            style=style,
        )
        self.sigma = widgets.FloatSlider(
            value=sigma,
            min=0.1,
            max=3.0,
            step=0.05,
            description="sigma",
            continuous_update=False,
            style=style,
        )
        self.image = widgets.Image(format="png")
        self.errors = widgets.Output()
        self.children = [widgets.HBox([self.mu, self.sigma]), self.image, self.errors]
        for control in (self.mu, self.sigma):
            control.observe(self._render, names="value")
        self._render()

    def figure(self) -> Figure:
        """The figure for the current slider values."""
        return reparam_figure(self.mu.value, self.sigma.value, self.eps, self.target)

    def _render(self, change: dict | None = None) -> None:
        self.errors.clear_output()
        try:
            self.image.value = _png(self.figure())
        except Exception:  # keep the widget alive and show the problem under it
            with self.errors:
                traceback.print_exc()
