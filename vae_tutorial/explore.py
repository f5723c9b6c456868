"""Widget-free logic for looking at a trained model: latents in, image arrays out.

All functions are pure (no widgets, no matplotlib) so they are unit-tested directly and
shared by notebooks, widgets and the command line.
"""

from __future__ import annotations

import numpy as np
import torch

from .models import VAE


def inverse_cdf_grid(n: int, eps: float = 0.05) -> torch.Tensor:
    """Latent coordinates for an n x n manifold (paper, Figures 4 and 5).

    A regular grid on the unit square [eps, 1 - eps]^2, mapped through the inverse CDF of
    the Gaussian so that each cell covers equal prior mass. Returns (n * n, 2), rows ordered
    top-to-bottom (z2 decreasing) then left-to-right (z1 increasing), as the canvas is drawn.
    """
    if n < 1 or not 0 < eps < 0.5:
        raise ValueError(f"need n >= 1 and 0 < eps < 0.5, got n={n}, eps={eps}")
    u = torch.linspace(eps, 1 - eps, n, dtype=torch.float64)
    q = torch.distributions.Normal(0.0, 1.0).icdf(u).float()
    z2, z1 = torch.meshgrid(q.flip(0), q, indexing="ij")
    return torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)


@torch.inference_mode()
def decode_images(model: VAE, z: torch.Tensor, image_shape: tuple[int, ...]) -> np.ndarray:
    """Mean images E[x|z] for z (B, z_dim): float32 array (B, *image_shape) in [0, 1]."""
    z = torch.as_tensor(z, dtype=torch.float32).reshape(-1, model.z_dim)
    return model.decode_mean(z).reshape(-1, *image_shape).cpu().numpy()


def tile(images: np.ndarray, ncols: int, pad: int = 1, fill: float = 1.0) -> np.ndarray:
    """Arrange (B, H, W) or (B, C, H, W) images in a canvas with ``ncols`` columns.

    Returns (rows * (H + pad) - pad, ncols * (W + pad) - pad) for grey images, with a
    trailing channel axis (…, C) for colour ones; padding is ``fill``.
    """
    images = np.asarray(images)
    colour = images.ndim == 4
    if colour:
        images = images.transpose(0, 2, 3, 1)
    b, h, w = images.shape[:3]
    rows = -(-b // ncols)
    shape = (rows * (h + pad) - pad, ncols * (w + pad) - pad, *images.shape[3:])
    canvas = np.full(shape, fill, dtype=images.dtype)
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        canvas[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = img
    return canvas


def manifold(model: VAE, n: int, image_shape: tuple[int, ...], eps: float = 0.05) -> np.ndarray:
    """The learned 2-D manifold as one canvas (paper, Fig. 4): n x n decoded images."""
    if model.z_dim != 2:
        raise ValueError(f"a manifold canvas needs a 2-D latent; this model has {model.z_dim}")
    return tile(decode_images(model, inverse_cdf_grid(n, eps), image_shape), ncols=n, pad=0)
