"""Sliders over a trained VAE's latent space (notebook 06; paper, Figures 4 and 5).

Thin ipywidgets views over :mod:`vae_tutorial.core.latent_space`. The render path of every view is
latent -> decoder (torch, one thread, inference mode) -> upscaled pixels -> the canvas of a
:class:`~.pixels.PixelImage`, with no matplotlib and no PNG in it, so a slider move costs a
few milliseconds and ``continuous_update`` stays on. matplotlib draws the encoded-test-set
scatter once, in the constructor.

- :class:`LatentExplorer`: one slider per latent coordinate, (z1, z2) number boxes, a test
  image picker (sets the sliders to its encoder mean), the scatter with a cross-hair.
- :class:`InterpolationExplorer`: two test images and a slider t along the line between
  their encoder means.
- :class:`ReconstructionBrowser`: original | reconstruction | absolute error.

Each also moves on the static site, decoded in JavaScript (:mod:`.latent_page`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import torch
import traitlets
from matplotlib.figure import Figure

from ..core import latent_space as ls
from ..core.model import VAE
from ..settings import torch_threads
from ..viz.images import crosshair, figure_pixels, side_by_side, to_uint8, upscale
from ..viz.latent import (
    DIFF_CMAP,
    DIFF_VMAX,
    difference_colorbar,
    difference_rgb,
    draw_scatter,
    scatter_figure,
)
from .base import View
from .latent_page import ExplorerPage, InterpolationPage, ReconstructionPage
from .pixels import PixelImage


def on_step(value: float, slider: widgets.FloatSlider) -> float:
    """``value`` clipped to the slider's range and rounded to its step: the value the browser
    would snap it to, so Python and the page agree (no echo after a reset)."""
    v = float(np.clip(value, slider.min, slider.max))
    steps = round((v - slider.min) / slider.step)
    return round(slider.min + steps * slider.step, 10)


def _latent_name(i: int) -> str:  # as the browser explorer names its sliders
    return f"latent coordinate z{i + 1} (prior standard deviations)"


class _StepSlider(widgets.FloatSlider):
    """A FloatSlider that holds only values on its step: a value set from Python is snapped as
    the browser would snap it (:func:`on_step`), so the page never echoes a different value
    back later (which would overwrite a value Python set after it)."""

    @traitlets.validate("value")
    def _validate_value(self, proposal: dict) -> float:  # replaces the bounds check
        return on_step(proposal["value"], self)


def _fmt(z: np.ndarray) -> str:
    return ", ".join(f"{v:.2f}" for v in z[:4]) + (", ..." if len(z) > 4 else "")


class _View(View):
    """Shared by the views: the model, the image shape and the upscaling factor."""

    def __init__(self, model: VAE, image_shape: tuple[int, int], scale: int):
        super().__init__()
        self.model, self.image_shape, self.scale = model.eval(), image_shape, scale


class LatentExplorer(ExplorerPage, _View):
    """Decode the latent set by the sliders, live.

    ``points`` (N, z_dim): encoder means of test images, for the picker (and, for a 2-D
    latent, the scatter); ``labels`` (N,) color the scatter. ``reference`` (an image of
    ``image_shape``): also show decoded - reference, red where brighter, blue where darker,
    light grey where equal, full colour at a difference of ``DIFF_VMAX`` grey levels, with a
    colour bar under it; ``reference_name`` names the reference on the bar.
    """

    def describe(self) -> str:
        d, z = self.model.z_dim, _fmt(self.latent)
        return f"sliders over the {d}-D latent, decoded by the kernel; z = ({z})"

    def __init__(
        self,
        model: VAE,
        image_shape: tuple[int, int],
        *,
        points: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        reference: np.ndarray | None = None,
        reference_name: str = "the reference",
        scale: int = 8,
        limit: float = 4.0,
        z0: Sequence[float] | None = None,
    ):
        super().__init__(model, image_shape, scale)
        self.points = None if points is None else np.asarray(points, dtype=np.float64)
        self.labels = None if labels is None else np.asarray(labels)
        self.reference, self.limit, self._hold = reference, limit, False
        self._picked: tuple[int, np.ndarray] | None = None  # (test image, its slider latent)
        d = model.z_dim
        width = widgets.Layout(width="230px" if d > 2 else "320px")
        style = {"description_width": "30px"}
        kw = dict(min=-limit, max=limit, step=0.05, style=style, layout=width)
        # the tooltip names the slider for screen readers (base.View: AriaNames)
        self.sliders = [
            _StepSlider(0.0, description=f"z{i + 1}", tooltip=_latent_name(i), **kw)
            for i in range(d)
        ]
        self.z1_box = widgets.FloatText(description="z1", layout={"width": "150px"})
        self.z2_box = widgets.FloatText(description="z2", layout={"width": "150px"})
        self.info = widgets.HTML()
        panels, controls = [self.image], [self.z1_box, self.z2_box][: min(d, 2)]
        self.legend: PixelImage | None = None  # the difference panel's colour bar
        self.reference_name = reference_name
        if reference is not None:
            label = f"right: decoded minus {reference_name}"
            self.legend = PixelImage()
            self.legend.show(figure_pixels(difference_colorbar(DIFF_VMAX, label)),
                             alt=f"colour bar of the difference panel, {label}")  # fmt: skip
            self.legend.add_class("vae-difference-legend")
            panels[0] = widgets.VBox([self.image, self.legend])
        self.scatter: PixelImage | None = None
        if self.points is not None and d == 2:
            fig = scatter_figure(self.points, self.labels, limit=limit)
            self._scatter_pixels, ax = figure_pixels(fig), fig.axes[0]
            self._transform = ax.transData  # latent -> figure pixels, y up (the page's too)
            self._to_pixel = lambda z: self._transform.transform(np.asarray(z)[None])[0]
            self.scatter = PixelImage(alt="encoder means of test images; a cross marks z")
            self.scatter.add_class("vae-scatter-image")
            panels.append(self.scatter)
        self.picker: widgets.IntSlider | None = None
        if self.points is not None:
            n = len(self.points) - 1
            self.picker = widgets.IntSlider(
                0, min=0, max=n, description="test image",
                tooltip="test image: moves the sliders to its encoder mean",
            )  # fmt: skip
            controls.append(self.picker)
            self.picker.observe(self._pick, names="value")
        columns = f"repeat({min(d, 4)}, {width.width})"
        self.children = [
            widgets.HBox(panels, layout={"align_items": "center"}),
            widgets.GridBox(self.sliders, layout={"grid_template_columns": columns}),
            widgets.HBox(controls),
            self.info,
            self.errors,
        ]
        self.add_class("vae-latent-explorer")  # CSS hooks for the browser test
        self.image.add_class("vae-latent-image")
        for s in self.sliders:
            s.add_class("vae-latent-slider")
            s.observe(self.render, names="value")
        for box in (self.z1_box, self.z2_box):
            box.observe(self._from_boxes, names="value")
        self.set_latent(np.zeros(d) if z0 is None else z0)

    @property
    def latent(self) -> np.ndarray:
        """The current latent (z_dim,), float64."""
        return np.array([s.value for s in self.sliders], dtype=np.float64)

    def set_latent(self, z: Sequence[float], picked: int | None = None) -> None:
        """Move every slider to ``z`` (z_dim,), clipped to the slider range and rounded to the
        slider step (so the browser shows exactly the value Python set), rendering once.
        ``picked``: the test image whose encoder mean ``z`` is (named in the info line)."""
        d = len(self.sliders)
        if np.shape(z) != (d,):
            raise ValueError(
                f"a latent for this model has {d} coordinates; got shape {np.shape(z)}"
            )
        z = ls.check_latents(z, d)[0].double().numpy()  # finite values only
        self._hold = True
        try:
            for s, v in zip(self.sliders, z, strict=True):
                s.value = on_step(v, s)
        finally:
            self._hold = False
        self._picked = None if picked is None else (picked, self.latent)
        self.render()

    def canvas(self, z: np.ndarray) -> np.ndarray:
        """The decoded image for z (z_dim,), beside its difference from ``reference`` if set."""
        with torch_threads(1):
            img = ls.decode_one(self.model, z, self.image_shape)
        if self.reference is None:
            return img
        return side_by_side([img, difference_rgb(img - self.reference, DIFF_VMAX)], pad=1)

    def _pick(self, change: dict) -> None:
        self.set_latent(self.points[change["new"]], picked=change["new"])

    def _from_boxes(self, change: dict) -> None:
        if not self._hold:
            z = self.latent
            z[: min(2, len(z))] = [self.z1_box.value, self.z2_box.value][: len(z)]
            self.set_latent(z)

    def _scatter_with_cross(self, z: np.ndarray) -> np.ndarray:
        x, y = self._to_pixel(z[:2])
        return crosshair(self._scatter_pixels, self._scatter_pixels.shape[0] - y, x)

    def render(self, change: dict | None = None) -> None:
        if not self._hold:
            super().render(change)  # the image goes to the browser first,
            self._readouts(self.latent)  # then the boxes and text that follow it

    def draw(self) -> np.ndarray:
        return upscale(to_uint8(self.canvas(self.latent)), self.scale)

    def _readouts(self, z: np.ndarray) -> None:
        """The z boxes, the info line and the scatter's cross, for latent ``z``."""
        self._hold = True  # the boxes follow the sliders without re-triggering them
        try:
            for box, v in zip((self.z1_box, self.z2_box), z, strict=False):
                box.value = round(float(v), 4)
        finally:
            self._hold = False
        text = f"z = ({_fmt(z)})"
        if self.points is not None:
            on_pick = self._picked is not None and np.array_equal(self._picked[1], z)
            i = self._picked[0] if on_pick else ls.nearest_point(self.points, z)
            label = "" if self.labels is None else f", digit {int(self.labels[i])}"
            text += f"; nearest encoded test image: #{i}{label}"
        if self.scatter is not None:
            self.scatter.show(self._scatter_with_cross(z))
        self.info.value = f"<code>{text}</code>"

    def snapshot(self) -> Figure:
        """A static figure of the current state (for readers without widget JavaScript)."""
        z, wide = self.latent, self.scatter is not None
        fig = Figure(figsize=(8.2 if wide else 3.8, 3.6), dpi=80)
        ax = fig.add_subplot(1, 2 if wide else 1, 1)
        ax.imshow(self.canvas(z), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        title = "decoder mean E[x|z]" + (" | difference" if self.reference is not None else "")
        ax.set(title=title, xticks=[], yticks=[])
        if self.reference is not None:
            from matplotlib.cm import ScalarMappable
            from matplotlib.colors import Normalize

            mappable = ScalarMappable(Normalize(-DIFF_VMAX, DIFF_VMAX), DIFF_CMAP)
            label = f"right: decoded minus {self.reference_name}\n(grey levels, 0-1)"
            bar = fig.colorbar(mappable, ax=ax, orientation="horizontal", pad=0.04)
            bar.set_label(label, fontsize=8)
            bar.ax.tick_params(labelsize=8)
        if wide:
            ax2 = fig.add_subplot(1, 2, 2)
            draw_scatter(ax2, self.points, self.labels, self.limit)
            ax2.plot(*z[:2], "+", color=(0.86, 0, 0), ms=14, mew=3)
            ax2.set_title("z on the encoded test set")
        fig.suptitle(f"LatentExplorer at z = ({_fmt(z)})")
        fig.tight_layout()
        return fig


class InterpolationExplorer(InterpolationPage, _View):
    """Test images a and b (x: (N, x_dim)) and the decoded point (1 - t) mu_a + t mu_b on the
    line between their encoder means: shows x_a | decoded | x_b."""

    def describe(self) -> str:
        return "a straight line between the encoder means of two test images, decoded"

    def __init__(
        self,
        model: VAE,
        x: torch.Tensor,
        image_shape: tuple[int, int],
        *,
        a: int = 0,
        b: int = 1,
        t: float = 0.5,
        scale: int = 6,
    ):
        super().__init__(model, image_shape, scale)
        self.x, n = x, len(x) - 1
        self.index_a = widgets.BoundedIntText(a, min=0, max=n, description="image a")
        self.index_b = widgets.BoundedIntText(b, min=0, max=n, description="image b")
        self.t = widgets.FloatSlider(
            t, min=0.0, max=1.0, step=0.02, description="t",
            tooltip="t: position on the line from image a (0) to image b (1)",
        )  # fmt: skip
        self.children = [widgets.HBox([self.index_a, self.index_b]), self.t, self.image]
        self.children += (self.errors,)
        for control in (self.index_a, self.index_b, self.t):
            control.observe(self.render, names="value")
        self.render()

    def canvas(self) -> np.ndarray:
        """x_a | E[x | z_t] | x_b for the current controls (``interpolation_canvas``)."""
        xa, xb = self.x[self.index_a.value], self.x[self.index_b.value]
        with torch_threads(1):
            return ls.interpolation_canvas(self.model, xa, xb, self.t.value, self.image_shape)

    def draw(self) -> np.ndarray:
        return upscale(to_uint8(self.canvas()), self.scale)


class ReconstructionBrowser(ReconstructionPage, _View):
    """Browse test images x (N, x_dim): original | reconstruction E[x | z = mu(x)] | |error|."""

    def describe(self) -> str:
        return "test images beside their reconstructions and absolute errors"

    def __init__(
        self,
        model: VAE,
        x: torch.Tensor,
        image_shape: tuple[int, int],
        *,
        labels: np.ndarray | None = None,
        index: int = 0,
        scale: int = 6,
    ):
        super().__init__(model, image_shape, scale)
        self.x, self.labels = x, labels
        self.index = widgets.IntSlider(
            index, min=0, max=len(x) - 1, description="test image", tooltip="test image number"
        )
        self.info = widgets.HTML()
        self.children = [self.index, self.image, self.info, self.errors]
        self.index.observe(self.render, names="value")
        self.render()

    def canvas(self) -> tuple[np.ndarray, float]:
        """(original | reconstruction | |error|, mean |error|) for the current index."""
        with torch_threads(1):
            return ls.reconstruction_canvas(self.model, self.x[self.index.value], self.image_shape)

    def draw(self) -> np.ndarray:
        canvas, mae = self.canvas()
        i = self.index.value
        label = "" if self.labels is None else f" (digit {int(self.labels[i])})"
        self.info.value = (
            f"<code>test image #{i}{label}: original | reconstruction | |error|; "
            f"mean |error| = {mae:.3f}</code>"
        )
        return upscale(to_uint8(canvas), self.scale)
