"""The latent explorer decoded in the reader's browser (anywidget): one-frame sliders in
JupyterLab, Notebook 7 and Voila, and the same JavaScript on the static website.

Python stays the source of truth: :func:`explorer_data` reads the decoder's weights from the
shipped checkpoint and computes, with :mod:`vae_tutorial.core.latent_space`, everything the
page shows besides the decoder (the manifold grid through the prior's inverse CDF, the
encoded test set, the slider limits); the widget sends it once, as binary float32 buffers.
Every slider move then runs the decoder in JavaScript (``browser_explorer.js``): nothing goes
to the kernel while a slider moves, and the kernel may be busy or gone. The latent is sent
back once when a move ends (the ``z`` trait), for readers who hook Python code to it; the
kernel-side :class:`~vae_tutorial.widgets.latent_explorer.LatentExplorer` remains for code
that must run on every move.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..core import latent_space as ls
from ..core.model import VAE
from ..datasets.subsets import representative

_HERE = Path(__file__).parent

#: what turns the decoder's outputs into the mean image (core/likelihoods.py, ``mean``)
MEAN = {
    "bernoulli": "sigmoid",
    "gaussian": "sigmoid",
    "gaussian_shared": "sigmoid",
    "discretized_logistic": "sigmoid",
    "poisson": "exp255",
}


def decoder_layers(model: VAE) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The MLP decoder as layer descriptions [{in, out, act}] and one float32 array holding,
    layer after layer, W (out x in, row-major) and b. Raises ValueError for a conv decoder."""
    if not isinstance(model.decoder, nn.Sequential):
        raise ValueError("the browser explorer decodes MLP decoders only (not conv)")
    mods = list(model.decoder.children())
    layers, parts = [], []
    for i, m in enumerate(mods):
        if isinstance(m, nn.Linear):
            last = not any(isinstance(n, nn.Linear) for n in mods[i + 1 :])
            layers.append(
                {"in": m.in_features, "out": m.out_features,
                 "act": None if last else model.config.activation}
            )  # fmt: skip
            parts += [m.weight.detach().float().reshape(-1), m.bias.detach().float()]
    return layers, torch.cat(parts).numpy().astype(np.float32)


def explorer_data(
    model: VAE,
    image_shape: tuple[int, int],
    x: torch.Tensor | None = None,
    labels: np.ndarray | None = None,
    *,
    name: str = "model",
    n_points: int = 2000,
    n_images: int = 100,
    resolution: int = 20,
    limit: float = 4.0,
    step: float = 0.05,
    scale: int = 8,
) -> dict[str, Any]:
    """Everything the browser explorer needs, as JSON-able ``spec`` and float32/uint8 bytes:
    the decoder, the encoder means of ``n_points`` rows of x that stand for the whole of it
    (the scatter and the nearest-image readout: every class in proportion when ``labels`` are
    given, strided otherwise; :func:`~vae_tutorial.datasets.subsets.representative`), the first
    ``n_images`` of those (a balanced prefix) as uint8 pixels (interpolation end points), and
    the ``resolution`` x ``resolution`` manifold grid (2-D latents)."""
    if model.config.likelihood not in MEAN:
        raise ValueError(f"no browser mean for the {model.config.likelihood} likelihood")
    layers, weights = decoder_layers(model)
    spec = {
        "name": name,
        "layers": layers,
        "mean": MEAN[model.config.likelihood],
        "z_dim": model.z_dim,
        "image_shape": list(image_shape),
        "limit": limit,
        "step": step,
        "scale": scale,
    }
    points = np.zeros((0, model.z_dim), np.float32)
    images = np.zeros((0,), np.uint8)
    lab = np.zeros((0,), np.uint8)
    if x is not None:
        n_points = min(n_points, len(x))
        idx = representative(n_points, labels=labels, total=len(x))
        points = ls.encode_means(model, x[idx]).astype(np.float32)
        pix = np.asarray(x[idx[:n_images]], dtype=np.float32)
        images = np.clip(np.round(pix * 255), 0, 255).astype(np.uint8)
        if labels is not None:
            lab = np.asarray(labels)[idx].astype(np.uint8)
    grid = np.zeros((0,), np.float32)
    if model.z_dim == 2 and resolution:
        grid = ls.inverse_cdf_grid(resolution, ppf=model.latent.prior_ppf)
        grid = grid.numpy().astype(np.float32)
    return {
        "spec": spec,
        "weights": weights.tobytes(),
        "points": points.tobytes(),
        "labels": lab.tobytes(),
        "images": images.tobytes(),
        "grid": grid.tobytes(),
    }


def _widget_class():
    import anywidget
    import traitlets

    class BrowserExplorer(anywidget.AnyWidget):
        """The explorer of :func:`explorer_data`, rendered and decoded in the browser."""

        _esm = _HERE / "browser_explorer.js"
        _css = _HERE / "browser_explorer.css"
        spec = traitlets.Dict().tag(sync=True)
        weights = traitlets.Bytes().tag(sync=True)
        points = traitlets.Bytes().tag(sync=True)
        labels = traitlets.Bytes().tag(sync=True)
        images = traitlets.Bytes().tag(sync=True)
        grid = traitlets.Bytes().tag(sync=True)
        z = traitlets.List(traitlets.Float()).tag(sync=True)

        def __repr__(self) -> str:
            s = self.spec
            return (
                f"BrowserExplorer: sliders over the {s.get('z_dim')}-D latent of "
                f"{s.get('name')}, decoded in the browser (interactive in Jupyter)"
            )

        @traitlets.validate("z")
        def _check_z(self, proposal):
            z = proposal["value"]
            d = self.spec.get("z_dim", len(z))
            if len(z) != d or not np.all(np.isfinite(z)):
                raise traitlets.TraitError(
                    f"z must be {d} finite numbers (a latent of this model), got {z!r}"
                )
            return [float(v) for v in z]

    return BrowserExplorer


_CLASS = None


def BrowserExplorer(model: VAE, image_shape, x=None, labels=None, z0=None, **kw):  # noqa: N802
    """A browser-decoded explorer of ``model`` (see :func:`explorer_data` for the options);
    ``z0``: the first latent (default: the origin)."""
    global _CLASS
    if _CLASS is None:
        _CLASS = _widget_class()
    data = explorer_data(model, image_shape, x, labels, **kw)
    z = [0.0] * model.z_dim if z0 is None else [float(v) for v in z0]
    return _CLASS(**data, z=z)
