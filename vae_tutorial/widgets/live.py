"""A live ELBO plot for training: ``fit(model, data, config, callback=LiveELBOPlot())``.

``elbo_progress_figure`` (pure: lists in, Figure out) draws the train and test ELBO against
training samples evaluated; ``LiveELBOPlot`` is a thin ipywidgets view that redraws it each
time ``fit`` reports an evaluation, at most ``max_fps`` times per second and never more
often than every 20 drawing times (so drawing takes at most 5% of the training time).
Call ``flush()`` after training to draw the final state.
"""

from __future__ import annotations

import io
import time
import traceback
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure


def _png(fig: Figure, dpi: int = 72) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _as_dict(history: Any) -> dict[str, list]:
    return history if isinstance(history, dict) else history.to_dict()


def elbo_progress_figure(
    samples: Sequence[int],
    train_elbo: Sequence[float],
    test_elbo: Sequence[float | None] | None = None,
    title: str = "training",
    log_x: bool = False,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Train (dashed) and test (solid) ELBO, nats per datapoint, against training samples
    evaluated. With ``log_x`` the point at 0 samples is left out. Empty lists give empty axes."""
    s = np.asarray(samples, dtype=float)
    tr = np.asarray(train_elbo, dtype=float)
    te = None
    if test_elbo is not None and len(test_elbo) and test_elbo[-1] is not None:
        te = np.asarray([np.nan if v is None else v for v in test_elbo], dtype=float)
    keep = s > 0 if log_x else np.ones(len(s), dtype=bool)
    fig = Figure(figsize=(6.0, 3.4))
    ax = fig.add_subplot()
    ax.plot(s[keep], tr[keep], "--", color="C0", marker=".", label="train ELBO")
    if te is not None:
        ax.plot(s[keep], te[keep], "-", color="C1", marker=".", label="test ELBO")
    if log_x:
        ax.set_xscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    elif len(tr[keep]) > 2:  # the first evaluations are far below: zoom on the rest
        vals = np.concatenate([tr[keep], te[keep] if te is not None else []])
        lo, hi = np.nanpercentile(vals, 10), np.nanmax(vals)
        ax.set_ylim(lo - 0.1 * (hi - lo) - 1, hi + 0.1 * (hi - lo) + 1)
    last = f"{s[-1]:,.0f} samples: train {tr[-1]:.1f}" if len(s) else "no evaluations yet"
    if len(s) and te is not None:
        last += f", test {te[-1]:.1f} nats"
    ax.set(
        title=f"{title}\n{last}",
        xlabel="training samples evaluated",
        ylabel="ELBO per datapoint (nats)",
    )
    ax.grid(True, alpha=0.3)
    if len(s):
        ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


class LiveELBOPlot(widgets.VBox):
    """A training callback that shows the ELBO curves so far in an Image widget.

    ``plot(history)`` stores the history and redraws if the last redraw ended at least
    ``max(1 / max_fps, 19 * its drawing time)`` seconds ago (``max_fps=None``: always);
    ``plot.flush()`` redraws now; ``plot.figure()`` returns the current static Figure (for
    readers without widget JavaScript).
    """

    def __init__(self, title: str = "training", max_fps: float | None = 2.0, log_x: bool = False):
        super().__init__()
        self.title = title
        self.max_fps = max_fps
        self.history: dict[str, list] = {"samples": [], "train_elbo": [], "test_elbo": []}
        self.redraws = 0
        self._last_draw, self._draw_seconds = -np.inf, 0.0
        self.log_x = widgets.Checkbox(value=log_x, description="log x-axis")
        self.image = widgets.Image(format="png")
        self.errors = widgets.Output()
        self.log_x.observe(self._render, names="value")
        self.children = [self.log_x, self.image, self.errors]
        self._render()

    def figure(self) -> Figure:
        h = self.history
        return elbo_progress_figure(
            h["samples"], h["train_elbo"], h["test_elbo"], self.title, self.log_x.value
        )

    def _render(self, change: dict | None = None) -> None:
        try:
            t0 = time.perf_counter()
            self.image.value = _png(self.figure())
            self.redraws += 1
            self._last_draw = time.perf_counter()
            self._draw_seconds = self._last_draw - t0
        except Exception:
            with self.errors:
                traceback.print_exc()

    def __call__(self, history: Any) -> None:
        """Record ``history`` (a History or its dict); redraw unless one happened recently."""
        self.history = _as_dict(history)
        if self.max_fps is None:  # no limit: every call redraws
            self._render()
            return
        wait = max(1.0 / self.max_fps, 19 * self._draw_seconds)  # draws <= 5% of the time
        if time.perf_counter() - self._last_draw >= wait:
            self._render()

    def flush(self) -> None:
        """Redraw now (call after training, so the final evaluation is shown)."""
        self._render()
