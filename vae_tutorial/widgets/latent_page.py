"""The latent-space views of notebooks 06 and 07 on the static site (:mod:`.page`).

Mixins of the views of :mod:`.latent_explorer` (``LatentExplorer``, ``InterpolationExplorer``
and ``ReconstructionBrowser``): each adds ``page_controls``, ``page_state`` and
``page_values``. The page (``page_latent.js``) decodes in JavaScript with
the browser explorer's decoder (``makeDecoder`` of ``browser_explorer.js``, loaded as a classic
script by :func:`.page.page_scripts`); what needs the encoder (the encoder means of the whole
test set, for the picker, the interpolation's end points and the reconstructions) is computed
here, once, and shipped with the test images and the decoder's weights as binary arrays.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..core import latent_space as ls
from ..viz.images import figure_pixels, to_png
from ..viz.latent import DIFF_CMAP, DIFF_VMAX, difference_colorbar
from .browser_explorer import MEAN, decoder_layers
from .page import control_specs


def array_state(a: Any) -> dict[str, Any]:
    """A numeric array as the page reads it: ``{"dtype", "shape", "bytes"}``. Floats go as
    float32 where float32 holds them exactly (float64 otherwise), integers in 0-255 as uint8."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        f32 = a.astype(np.float32)
        a = f32 if np.array_equal(f32, a) else a.astype(np.float64)
    elif a.dtype.kind in "biu":
        small = a.size == 0 or (a.min() >= 0 and a.max() <= 255)
        a = a.astype(np.uint8 if small else np.int32)
    else:
        raise TypeError(f"no page array for dtype {a.dtype}")
    return {"dtype": str(a.dtype), "shape": list(a.shape), "bytes": a.tobytes()}


def images_state(x: Any) -> dict[str, Any]:
    """Test images x (N, D) in [0, 1]: ``{"kind": "bits"}`` (packed, 1 bit a pixel) when every
    value is 0 or 1, ``"levels"`` (uint8, x = level / 255) for 8-bit grey, else float32."""
    x = np.asarray(x, dtype=np.float32)
    shape = list(x.shape)
    if ((x == 0) | (x == 1)).all():
        return {"kind": "bits", "shape": shape, "bytes": np.packbits(x > 0.5, axis=None).tobytes()}
    levels = np.round(x * 255.0)
    if np.abs(levels / 255.0 - x).max() < 1e-6:
        return {"kind": "levels", "shape": shape, "bytes": levels.astype(np.uint8).tobytes()}
    return {"kind": "float", **array_state(x)}


def decoder_state(model: Any, image_shape: tuple[int, int]) -> dict[str, Any]:
    """The decoder as ``makeDecoder`` (browser_explorer.js) takes it, with its float32 weights
    as bytes; the last layer cut to the D outputs the mean image is made of (a Gaussian
    decoder's log-variances are never drawn)."""
    if model.config.likelihood not in MEAN:
        raise ValueError(f"no browser mean for the {model.config.likelihood} likelihood")
    layers, w = decoder_layers(model)
    d, last = int(np.prod(image_shape)), layers[-1]
    if last["out"] > d:
        start, bias = len(w) - last["out"] * (last["in"] + 1), len(w) - last["out"]
        w = np.concatenate([w[: start + d * last["in"]], w[bias : bias + d]])
        layers = [*layers[:-1], {**last, "out": d}]
    spec = {"layers": layers, "mean": MEAN[model.config.likelihood]}
    return {**spec, "image_shape": list(image_shape), "weights": w.tobytes()}


def _means(view: Any) -> dict[str, Any]:
    """The encoder means of all of the view's images x (the same bytes as an explorer's points
    from ``encode_means``: one copy on the page)."""
    return array_state(ls.encode_means(view.model, view.x))


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _pixels(view: Any) -> dict[str, Any]:
    """What a view draws: ``drawn`` the uint8 RGB pixels of ``draw()`` (base64, as the page
    sends them: hundreds of thousands of numbers), and their shape."""
    import base64

    px = view.draw()
    px = px if px.ndim == 3 else np.repeat(px[..., None], 3, axis=-1)
    data = base64.b64encode(np.ascontiguousarray(px, dtype=np.uint8).tobytes()).decode()
    return {"drawn": data, "drawn_shape": list(px.shape)}


def _base(view: Any, kind: str) -> dict[str, Any]:
    controls = control_specs(view.page_controls())
    decoder = decoder_state(view.model, view.image_shape)
    return {"module": "latent", "view": kind, "controls": controls, "decoder": decoder,
            "scale": view.scale}  # fmt: skip


class ExplorerPage:
    """LatentExplorer on the page: the z sliders and the test-image picker (the z1 / z2 number
    boxes are left out: on the page each slider shows its value beside it)."""

    def page_controls(self) -> dict[str, Any]:
        controls = {f"z{i + 1}": s for i, s in enumerate(self.sliders)}
        return controls if self.picker is None else {**controls, "picker": self.picker}

    def page_state(self) -> dict[str, Any]:
        state = _base(self, "explorer") | {"limit": self.limit}
        on_pick = self._picked is not None and np.array_equal(self._picked[1], self.latent)
        state["picked"] = self._picked[0] if on_pick else None  # named by the info line
        for name in ("points", "labels"):
            value = getattr(self, name)
            state[name] = None if value is None else array_state(value)
        state["reference"] = state["scatter"] = None
        if self.reference is not None:
            from matplotlib import colormaps

            ref = np.asarray(self.reference)
            lut = colormaps[DIFF_CMAP](np.arange(256))[:, :3]  # the map's N = 256 colours
            label = f"right: decoded minus {self.reference_name}"
            bar = to_png(figure_pixels(difference_colorbar(DIFF_VMAX, label)), level=9)
            single = bool(np.result_type(np.float32, ref) == np.float32)  # img - ref in float32
            state["reference"] = {"image": array_state(ref), "float32": single, "vmax": DIFF_VMAX,
                "lut": array_state(lut), "colorbar": bar,
                "alt": f"colour bar of the difference panel, {label}"}  # fmt: skip
        if self.scatter is not None and self._transform.is_affine:
            m = self._transform.get_affine().get_matrix()[:2].ravel().tolist()
            h, w = self._scatter_pixels.shape[:2]
            state["scatter"] = {"png": to_png(self._scatter_pixels, level=9), "affine": m,
                                "width": w, "height": h}  # fmt: skip
        return state

    def page_values(self) -> dict[str, Any]:
        z = self.latent
        img = ls.decode_one(self.model, z, self.image_shape)
        canvas = self.canvas(z)
        values = {"z": z.tolist(), "image": img.ravel().tolist(), "nearest": None,
                  "label": None, "cross": None, "info": _text(self.info.value),
                  "canvas": canvas.ravel().tolist(),
                  "canvas_shape": list(canvas.shape)}  # fmt: skip
        if self.points is not None:
            on_pick = self._picked is not None and np.array_equal(self._picked[1], z)
            i = self._picked[0] if on_pick else ls.nearest_point(self.points, z)
            values["nearest"] = i
            values["label"] = None if self.labels is None else int(self.labels[i])
        if self.scatter is not None:
            x, y = self._to_pixel(z[:2])
            r, c = int(round(self._scatter_pixels.shape[0] - y)), int(round(x))
            values["cross"] = [r, c]
        return values | _pixels(self)


class InterpolationPage:
    """InterpolationExplorer on the page: image a, image b (number boxes) and t."""

    def page_controls(self) -> dict[str, Any]:
        return {"a": self.index_a, "b": self.index_b, "t": self.t}

    def page_state(self) -> dict[str, Any]:
        return _base(self, "interpolation") | {
            "means": _means(self),
            "images": images_state(self.x),
        }

    def page_values(self) -> dict[str, Any]:
        canvas = self.canvas()
        values = {"a": self.index_a.value, "b": self.index_b.value, "t": self.t.value,
                  "canvas": canvas.ravel().tolist(),
                  "canvas_shape": list(canvas.shape)}  # fmt: skip
        return values | _pixels(self)


class ReconstructionPage:
    """ReconstructionBrowser on the page: the test-image slider."""

    def page_controls(self) -> dict[str, Any]:
        return {"index": self.index}

    def page_state(self) -> dict[str, Any]:
        labels = None if self.labels is None else array_state(self.labels)
        return _base(self, "reconstruction") | {
            "means": _means(self),
            "images": images_state(self.x),
            "labels": labels,
        }

    def page_values(self) -> dict[str, Any]:
        canvas, mae = self.canvas()
        values = {"index": self.index.value, "mae": mae, "canvas": canvas.ravel().tolist(),
                  "canvas_shape": list(canvas.shape)}  # fmt: skip
        return values | _pixels(self) | {"info": _text(self.info.value)}
