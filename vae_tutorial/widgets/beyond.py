"""Notebook 09's views: the true posterior of a chosen test digit, and the posterior-collapse
family over the KL weight beta. Thin views over :mod:`vae_tutorial.studies.true_posterior`
and :mod:`vae_tutorial.viz.beyond`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import torch

from ..core.model import VAE
from ..studies.true_posterior import report
from ..viz.beyond import posterior_figure, rate_distortion_figure, rate_per_dim_figure
from ..viz.images import figure_png
from .base import View
from .page import frame_key, frame_values, frames_state


class PosteriorInspector(View):
    """Pick any test digit (a slider over x, or one of the ``indices`` worth a look); see its
    exact posterior beside the encoder's q and the best Gaussian, with the gaps. Each digit
    is computed once (a few seconds: the grid, then a search over candidate Gaussians)."""

    def describe(self) -> str:
        return "the exact posterior of a chosen test digit beside the encoder's q(z|x)"

    def __init__(self, model: VAE, x: torch.Tensor, indices: Sequence[int],
                 image_shape=(28, 28), labels: np.ndarray | None = None):  # fmt: skip
        super().__init__()
        self.model, self.x, self.shape, self.labels = model, x, image_shape, labels
        self.indices = [int(i) for i in indices]
        self._cache: dict[int, Any] = {}
        self.index = widgets.IntSlider(
            self.indices[0], min=0, max=len(x) - 1, description="test digit",
            continuous_update=False, style={"description_width": "80px"},
            layout={"width": "520px"},
        )  # fmt: skip
        self.pick = widgets.Dropdown(
            options=[("worth a look...", None), *[(f"#{i}", i) for i in self.indices]],
            description="", layout={"width": "160px"},
        )  # fmt: skip
        self.pick.observe(self._picked, names="value")
        self.index.observe(self.render, names="value")
        self.children = [widgets.HBox([self.index, self.pick]), self.image, self.errors]
        self.render()

    def _picked(self, change: dict) -> None:
        if change["new"] is not None:
            self.index.value = change["new"]

    def report(self, i: int):
        if i not in self._cache:
            self._cache[i] = report(self.model, self.x[i])
        return self._cache[i]

    def draw(self) -> bytes:
        i = self.index.value
        label = "" if self.labels is None else f", digit {int(self.labels[i])}"
        img = np.asarray(self.x[i], dtype=np.float32).reshape(self.shape)
        return figure_png(posterior_figure(self.report(i), img, f"test image #{i}{label}"))

    # the static site (widgets/page.py): each digit costs seconds, so the page holds frames
    # drawn here for a few digits that stand for the test set (every class in proportion)
    # and the ones worth a look; the page's slider runs over those
    def page_indices(self, n: int = 30) -> list[int]:
        """The digits the page shows: ``representative(n)`` of the test set, and the picks."""
        from ..datasets.subsets import representative

        chosen = set(self.indices)
        if self.labels is not None:
            chosen |= {int(i) for i in representative(n, self.labels)}
        return sorted(chosen)

    def page_controls(self) -> dict:
        return {"index": self.index}

    def page_state(self, frames: dict[int, bytes] | None = None, n: int = 30) -> dict:
        """Frames for ``page_indices(n)`` (drawn now, a few seconds each, or given)."""
        indices = self.page_indices(n) if frames is None else sorted(frames)
        if frames is None:
            state = frames_state(self, [{"index": i} for i in indices])
        else:
            state = {"module": "frames", "alt": self.describe(),
                     "frames": {frame_key([i]): frames[i] for i in indices}}  # fmt: skip
        picks = set(self.indices)
        options = [[f"#{i}" + ("" if self.labels is None else f", digit {int(self.labels[i])}")
                    + (" (worth a look)" if i in picks else ""), i] for i in indices]  # fmt: skip
        state["controls"] = [{"name": "index", "kind": "select", "slider": True,
                              "label": "test digit", "options": options,
                              "value": self.index.value if self.index.value in indices
                              else indices[0]}]  # fmt: skip
        return state

    def page_values(self) -> dict:
        return frame_values(self)


class CollapseExplorer(View):
    """A slider over the runs of notebook 09's study: where each sits on the rate-distortion
    plane, and how its rate spreads over the 20 latent dimensions (active units)."""

    def describe(self) -> str:
        return "a slider over the KL weight beta: rate, distortion and active latent units"

    def __init__(self, results: dict[str, dict[str, Any]]):
        super().__init__()
        self.results = {n: r for n, r in results.items() if not n.startswith("iwae")}
        self.run = widgets.SelectionSlider(
            options=list(self.results), description="run", continuous_update=True,
            layout={"width": "480px"},
        )  # fmt: skip
        self.run.observe(self.render, names="value")
        self.children = [self.run, self.image, self.errors]
        self._rd: dict[str, bytes] = {}
        self.render()

    def page_controls(self) -> dict:
        return {"run": self.run}

    def page_state(self) -> dict:
        return frames_state(self, [{"run": name} for name in self.results])

    def page_values(self) -> dict:
        return frame_values(self)

    def draw(self) -> bytes:
        name = self.run.value
        if name not in self._rd:  # drawn once per run, then reused while the slider moves
            a = rate_distortion_figure(self.results, highlight=name)
            b = rate_per_dim_figure(self.results[name])
            self._rd[name] = _stack(figure_png(a, dpi=72), figure_png(b, dpi=72))
        return self._rd[name]


def _stack(top: bytes, bottom: bytes) -> bytes:
    """Two PNGs one above the other (white padding to the wider one), as one PNG."""
    import io

    from PIL import Image

    a, b = Image.open(io.BytesIO(top)), Image.open(io.BytesIO(bottom))
    out = Image.new("RGB", (max(a.width, b.width), a.height + b.height), "white")
    out.paste(a, (0, 0))
    out.paste(b, (0, a.height))
    buf = io.BytesIO()
    out.save(buf, format="png")
    return buf.getvalue()
