"""The reparameterization trick, interactively (notebook 04, paper section 2.4).

:class:`vae_tutorial.viz.reparameterization.ReparamPlot` pushes fixed noise samples
eps ~ N(0, 1) through z = mu + sigma * eps and compares the histogram of z with
q = N(mu, sigma^2) and a target density; ``ReparamExplorer`` is a thin ipywidgets view with
sliders for mu and sigma that updates that one figure in place (a few ms a frame, so the image
follows the slider while it is dragged). The noise never changes while the sliders move: only
the deterministic map does.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..theory.reparameterization import location_scale
from ..viz.live import TOPS
from ..viz.reparameterization import ReparamPlot, kl_1d, reparam_figure
from .base import View
from .page import control_specs


class ReparamExplorer(View):
    """Sliders for mu and sigma over fixed noise: see z = mu + sigma * eps move."""

    def describe(self) -> str:
        return "sliders for mu and sigma pushing fixed noise eps through z = mu + sigma * eps"

    def __init__(
        self,
        mu: float = 0.0,
        sigma: float = 1.0,
        draws: int = 2000,
        seed: int = 0,
        target: tuple[float, float] = (1.0, 0.5),
    ):
        super().__init__()
        self.eps = np.random.default_rng(seed).standard_normal(draws)
        self.target = target
        style = {"description_width": "50px"}
        self.mu = widgets.FloatSlider(
            value=mu,
            min=-3.0,
            max=3.0,
            step=0.05,
            description="mu",
            continuous_update=True,
            style=style,
        )
        self.sigma = widgets.FloatSlider(
            value=sigma,
            min=0.1,
            max=3.0,
            step=0.05,
            description="sigma",
            continuous_update=True,
            style=style,
        )
        self.plot = ReparamPlot(self.eps, target, dpi=72)
        self.children = [widgets.HBox([self.mu, self.sigma]), self.image, self.errors]
        for control in (self.mu, self.sigma):
            control.observe(self.render, names="value")
        self.render()

    def figure(self) -> Figure:
        """The figure for the current slider values, drawn afresh (static)."""
        return reparam_figure(self.mu.value, self.sigma.value, self.eps, self.target)

    def draw(self) -> np.ndarray:
        return self.plot.update(self.mu.value, self.sigma.value).pixels()

    # --- the static page (:mod:`.page`; ``page_reparam.js`` computes and draws the same) ----

    def page_controls(self) -> dict[str, widgets.Widget]:
        """The controls by name, in display order."""
        return {"mu": self.mu, "sigma": self.sigma}

    def page_state(self) -> dict:
        """The fixed noise eps (float64 bytes), the histogram's bin edges, the target, the
        number of samples traced and the panels' axis labels, as the figure has them."""
        plot = self.plot
        labels = [{"xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel()} for ax in plot.axes]
        return {"module": "reparam", "controls": control_specs(self.page_controls()),
                "describe": self.describe(), "eps": np.asarray(self.eps, "<f8").tobytes(),
                "bins": plot.bins.tolist(), "points": len(plot.grid), "traces": plot.traced,
                "target": [float(t) for t in self.target], "tops": list(TOPS),
                "noise_title": plot.axes[0].get_title(), "labels": labels}  # fmt: skip

    def page_values(self) -> dict:
        """What the figure shows now: the counts of z = mu + sigma * eps in the drawn bins and
        their heights (density), q and the target on the plotted z, the traced samples' z, the
        density axis top, KL(q || target) and the panels' titles (the page's caption)."""
        mu, sigma, (m, s), plot = self.mu.value, self.sigma.value, self.target, self.plot
        z = location_scale(self.eps, mu, sigma)
        counts, _ = np.histogram(z, bins=plot.bins)
        caption = "; ".join(ax.get_title() for ax in plot.axes[1:])
        return {"counts": counts.tolist(), "heights": plot.hist.get_data().values.tolist(),
                "q": plot.q.get_ydata().tolist(), "target": plot.p.tolist(),
                "traces": z[: plot.traced].tolist(), "kl": kl_1d(mu, sigma, m, s),
                "ytop": float(plot.axes[2].get_ylim()[1]), "caption": caption}  # fmt: skip
