"""Thin views over the posterior figures of :mod:`vae_tutorial.viz.posteriors`.

Notebook 01: ``ConjugateExplorer1D`` / ``ConjugateExplorer2D``. Notebook 02:
``HardPosteriorExplorer``. Each keeps one figure and updates it in place (10-25 ms a frame),
so the image follows a slider while it is dragged; the numbers that change with every move
(the observation, the posterior mean, the KL) are a line of text under the image rather than
a redrawn title. ``figure()`` draws the same picture afresh, with those numbers in its title,
for readers without live widgets.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..theory.latent_models import hard_example
from ..viz.posteriors import (
    Conjugate1DPlot,
    Conjugate2DPlot,
    HardPosteriorPlot,
    conjugate_1d_figure,
    conjugate_2d_figure,
    hard_panel,
    hard_posterior_figure,
)
from .base import View
from .page_conjugate import state_1d, state_2d, values_1d, values_2d


class _Explorer(View):
    """Base: controls on top, the current figure, its numbers, an Output for errors."""

    plot_caption = ""  # the drawn plot's caption (its changing numbers)

    def _setup(self, controls: list[widgets.Widget]) -> None:
        self.caption = widgets.HTML()
        self.caption.add_class("vae-view-caption")
        self.children = [
            widgets.HBox(controls, layout={"flex_flow": "row wrap"}),
            self.image,
            self.caption,
            self.errors,
        ]
        for c in controls:
            c.observe(self.render, names="value")
        self.render()

    def render(self, change: dict | None = None) -> None:
        super().render(change)  # the image goes first, then the line under it
        if self.error is None:
            self.caption.value = f"<code>{html.escape(self.plot_caption)}</code>"

    def figure(self) -> Figure:
        """The current state as a new static Figure."""
        raise NotImplementedError


def _slider(desc: str, value: float, lo: float, hi: float, step: float = 0.05):
    return widgets.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=desc,
        continuous_update=True,  # a frame takes a few tens of ms
        style={"description_width": "60px"},
        layout={"width": "260px"},
    )


class ConjugateExplorer1D(_Explorer):
    """Sliders over alpha, beta, the weight w of f(z) = w z and the observation x."""

    def describe(self) -> str:
        return "sliders over alpha, beta, w and x of the 1-D linear-Gaussian model, its posterior"

    def __init__(self, alpha: float = 1.0, beta: float = 2.0, w: float = 1.0, x: float = 1.5):
        super().__init__()
        self.alpha = _slider("alpha", alpha, 0.1, 5.0)
        self.beta = _slider("beta", beta, 0.1, 10.0)
        self.w = _slider("w", w, -2.0, 2.0)
        self.x = _slider("x", x, -3.0, 3.0)
        self.plot = Conjugate1DPlot(dpi=80, caption=True)
        self._setup([self.alpha, self.beta, self.w, self.x])

    def _values(self) -> tuple:
        return self.alpha.value, self.beta.value, self.w.value, self.x.value

    def figure(self) -> Figure:
        return conjugate_1d_figure(*self._values())

    def draw(self) -> np.ndarray:
        pixels = self.plot.update(*self._values()).pixels()
        self.plot_caption = f"{self.plot.ax.get_title()}, {self.plot.caption}"
        return pixels

    def page_controls(self) -> dict[str, widgets.Widget]:
        """The controls by name, for the static page (:mod:`.page`, ``page_conjugate.js``)."""
        return {"alpha": self.alpha, "beta": self.beta, "w": self.w, "x": self.x}

    def page_state(self) -> dict:
        return state_1d(self)

    def page_values(self) -> dict:
        return values_1d(self)


class ConjugateExplorer2D(_Explorer):
    """Sliders over alpha, beta, the entries of W (2 x 2) and the observation x (2,)."""

    def describe(self) -> str:
        return "sliders over alpha, beta, W and x of the 2-D linear-Gaussian model, its posterior"

    def __init__(
        self, alpha: float = 1.0, beta: float = 2.0, W=((1.0, 0.5), (0.0, 1.0)), x=(1.0, 1.0)
    ):
        super().__init__()
        self.alpha = _slider("alpha", alpha, 0.1, 5.0)
        self.beta = _slider("beta", beta, 0.1, 10.0)
        self.W = [
            [_slider(f"W{i + 1}{j + 1}", W[i][j], -2.0, 2.0) for j in range(2)] for i in range(2)
        ]
        self.x = [_slider(f"x{i + 1}", x[i], -3.0, 3.0) for i in range(2)]
        self.plot = Conjugate2DPlot(resolution=121, dpi=80, caption=True)
        self._setup([self.alpha, self.beta, *self.W[0], *self.W[1], *self.x])

    def _values(self) -> tuple:
        W = np.array([[s.value for s in row] for row in self.W])
        return self.alpha.value, self.beta.value, W, np.array([s.value for s in self.x])

    def figure(self) -> Figure:
        return conjugate_2d_figure(*self._values(), resolution=121)

    def draw(self) -> np.ndarray:
        pixels = self.plot.update(*self._values()).pixels()
        self.plot_caption = f"{self.plot.ax.get_title()}, {self.plot.caption}"
        return pixels

    def page_controls(self) -> dict[str, widgets.Widget]:
        """The controls by name (W11, W12, W21, W22: the entries of W), for the static page."""
        (w11, w12), (w21, w22) = self.W
        return {"alpha": self.alpha, "beta": self.beta, "W11": w11, "W12": w12, "W21": w21,
                "W22": w22, "x1": self.x[0], "x2": self.x[1]}  # fmt: skip

    def page_state(self) -> dict:
        return state_2d(self)

    def page_values(self) -> dict:
        return values_2d(self)


class HardPosteriorExplorer(_Explorer):
    """Pick a hard model; sliders over the observation x (Gaussian-likelihood models) and the
    noise precision beta (log10) reshape the exact posterior, with the MAP and Laplace
    ellipses on top."""

    def describe(self) -> str:
        return "the exact grid posterior of a hard model with its MAP and Laplace approximation"

    def __init__(self, name: str = "sigmoid", x=None, log10_beta: float | None = None):
        super().__init__()
        model, obs, _ = hard_example(name)
        obs = np.asarray(obs if x is None else x, dtype=float)
        lb = np.log10(model.beta) if log10_beta is None else log10_beta
        self.model = widgets.Dropdown(options=["sigmoid", "mlp"], value=name, description="model")
        self.x = [_slider(f"x{i + 1}", obs[i], -2.0, 2.0) for i in range(2)]
        self.log10_beta = _slider("log10 β", lb, -1.0, 3.0, 0.1)
        self._plots: dict[tuple, HardPosteriorPlot] = {}  # one per grid
        self.plot: HardPosteriorPlot | None = None  # the plot shown, and what it was drawn
        self.drawn: tuple | None = None  # from: hard_panel's (title, post, lap)
        self._setup([self.model, *self.x, self.log10_beta])

    def _panel(self) -> tuple:
        x = np.array([s.value for s in self.x])
        return hard_panel(self.model.value, beta=10**self.log10_beta.value, x=x)

    def page_controls(self) -> dict[str, widgets.Widget]:
        """The controls by name, in display order (:mod:`.page`)."""
        return {"model": self.model, "x1": self.x[0], "x2": self.x[1],
                "log10_beta": self.log10_beta}  # fmt: skip

    def page_state(self) -> dict:
        """The static site's state (``page_hard_posterior.js``): see :mod:`.hard_page`."""
        from . import hard_page

        return hard_page.page_state(self)

    def page_values(self) -> dict:
        """What the page draws, computed by the package: see :mod:`.hard_page`."""
        from . import hard_page

        return hard_page.page_values(self)

    def figure(self) -> Figure:
        return hard_posterior_figure([self._panel()], size=5.0)

    def draw(self) -> np.ndarray:
        title, post, lap = self._panel()
        key = post.grid.extent + post.grid.shape
        if key not in self._plots:
            self._plots[key] = HardPosteriorPlot(post.grid, dpi=80, caption=True)
        self.plot = self._plots[key].update(title, post, lap)
        self.drawn = title, post, lap
        self.plot_caption = self.plot.caption
        return self.plot.pixels()
