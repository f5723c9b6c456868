"""A live ELBO plot for training: ``fit(model, data, config, callback=LiveELBOPlot())``.

:func:`vae_tutorial.viz.figures.elbo_figure` (pure: lists in, Figure out) draws the train and
test ELBO against training samples evaluated; ``LiveELBOPlot`` is a thin view that redraws it each
time ``fit`` reports an evaluation, at most ``max_fps`` times per second and never more
often than every 20 drawing times (so drawing takes at most 5% of the training time).
Call ``flush()`` after training to draw the final state: it also draws the other x-axis
scale, so once training is over the "log x-axis" box switches between two kept images.
"""

from __future__ import annotations

import time
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.figure import Figure

from ..viz.figures import elbo_figure
from ..viz.images import figure_pixels
from .base import View
from .page import frame_values, frames_state


def _as_dict(history: Any) -> dict[str, list]:
    return history if isinstance(history, dict) else history.to_dict()


class LiveELBOPlot(View):
    """A training callback that shows the ELBO curves so far in an Image widget.

    ``plot(history)`` stores the history and redraws if the last redraw ended at least
    ``max(1 / max_fps, 19 * its drawing time)`` seconds ago (``max_fps=None``: always);
    ``plot.flush()`` redraws now; ``plot.figure()`` returns the current static Figure (for
    readers without widget JavaScript).
    """

    #: the curves drawn, kept in the widget's state: a stored notebook and the website
    #: redraw them without a kernel (``page_state``)
    curves = traitlets.Dict().tag(sync=True)

    def describe(self) -> str:
        return "the train and test ELBO against training samples evaluated, redrawn while training"

    def __init__(self, title: str = "training", max_fps: float | None = 2.0, log_x: bool = False):
        super().__init__()
        self.title = title
        self.max_fps = max_fps
        self.history: dict[str, list] = {"samples": [], "train_elbo": [], "test_elbo": []}
        self.redraws = 0
        self._last_draw, self._draw_seconds = -np.inf, 0.0
        self._kept: dict[bool, tuple[tuple, np.ndarray]] = {}  # log_x -> (history, pixels)
        self.log_x = widgets.Checkbox(value=log_x, description="log x-axis")
        self.log_x.observe(self.render, names="value")
        self.children = [self.log_x, self.image, self.errors]
        self.render()

    def figure(self, log_x: bool | None = None) -> Figure:
        """The current curves as a static Figure (``log_x`` None: as the box says)."""
        h = self.history
        log_x = self.log_x.value if log_x is None else log_x
        return elbo_figure(h["samples"], h["train_elbo"], h["test_elbo"], self.title, log_x)

    def _pixels(self, log_x: bool) -> np.ndarray:
        """The current history on this x scale, at 72 dpi: kept from last time if unchanged."""
        h = self.history
        key = tuple(tuple(h[k]) for k in ("samples", "train_elbo", "test_elbo"))
        if log_x in self._kept and self._kept[log_x][0] == key:
            return self._kept[log_x][1]
        t0 = time.perf_counter()
        pixels = figure_pixels(self.figure(log_x), dpi=72)
        self.redraws += 1
        self._last_draw = time.perf_counter()
        self._draw_seconds = self._last_draw - t0
        self._kept[log_x] = (key, pixels)
        return pixels

    def draw(self) -> np.ndarray:
        return self._pixels(self.log_x.value)

    def __call__(self, history: Any) -> None:
        """Record ``history`` (a History or its dict); redraw unless one happened recently."""
        self.history = _as_dict(history)
        keys = ("samples", "train_elbo", "test_elbo")
        h = self.history
        self.curves = {"title": self.title, **{k: [float(v) for v in h[k]] for k in keys}}
        if self.max_fps is None:  # no limit: every call redraws
            self.render()
            return
        wait = max(1.0 / self.max_fps, 19 * self._draw_seconds)  # draws <= 5% of the time
        if time.perf_counter() - self._last_draw >= wait:
            self.render()

    def flush(self) -> None:
        """Redraw now (call after training, so the final evaluation is shown), and draw the
        other x scale too, so the box answers at once from then on."""
        self.render()
        if self.error is None:
            try:
                self._pixels(not self.log_x.value)
            except Exception:  # noqa: BLE001 - shown by render() if the box is ticked
                pass

    # the static site (widgets/page.py): the two x scales, drawn here
    def page_controls(self) -> dict:
        return {"log_x": self.log_x}

    def page_state(self) -> dict:
        return frames_state(self, [{"log_x": False}, {"log_x": True}])

    def page_values(self) -> dict:
        return frame_values(self)

    @classmethod
    def from_curves(cls, curves: dict) -> LiveELBOPlot:
        """The finished plot of stored ``curves`` (the ``curves`` trait of a stored notebook)."""
        plot = cls(title=curves.get("title", "training"), max_fps=None)
        plot({k: list(curves[k]) for k in ("samples", "train_elbo", "test_elbo")})
        plot.flush()
        return plot
