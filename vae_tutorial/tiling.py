"""Arranging image arrays: a grid of images (:func:`tile`) and a row of them
(:func:`side_by_side`). Pure numpy, importing nothing of ours, so every layer can use it: the
core's latent-space images (:mod:`vae_tutorial.core.latent_space`) and the figures of
:mod:`vae_tutorial.viz` (which re-exports both from :mod:`vae_tutorial.viz.images`)."""

from __future__ import annotations

import numpy as np


def tile(images: np.ndarray, ncols: int, pad: int = 1, fill: float = 1.0) -> np.ndarray:
    """Arrange (B, H, W) or (B, C, H, W) images in a canvas with ``ncols`` columns.

    Returns (rows * (H + pad) - pad, ncols * (W + pad) - pad) for grey images, with a
    trailing channel axis (…, C) for color ones; padding is ``fill``.
    """
    images = np.asarray(images)
    color = images.ndim == 4
    if color:
        images = images.transpose(0, 2, 3, 1)
    b, h, w = images.shape[:3]
    rows = -(-b // ncols)
    shape = (rows * (h + pad) - pad, ncols * (w + pad) - pad, *images.shape[3:])
    canvas = np.full(shape, fill, dtype=images.dtype)
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        canvas[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = img
    return canvas


def side_by_side(images: list[np.ndarray], pad: int = 2, fill: float = 1.0) -> np.ndarray:
    """Images of equal (H, W) or (H, W, 3) shape placed in one row; grey ones become color
    when any is color. Returns (H, n * (W + pad) - pad[, 3])."""
    if any(np.ndim(im) == 3 for im in images):
        images = [im if np.ndim(im) == 3 else np.repeat(im[..., None], 3, -1) for im in images]
        return tile(np.stack(images).transpose(0, 3, 1, 2), len(images), pad, fill)
    return tile(np.stack(images), len(images), pad, fill)
