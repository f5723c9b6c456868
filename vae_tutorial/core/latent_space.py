"""The latent space of a trained model: latents in, image arrays out, and back.

One code path computes what every explorer shows (the manifold grid through the prior's
inverse CDF, decoded images, encoder means of a test set, interpolation lines), so the
notebooks, the widgets and the command line agree. Pure functions: no widgets, no
matplotlib; image arrangement comes from :mod:`vae_tutorial.viz.images`.
"""

from __future__ import annotations

import numpy as np
import torch

from ..tiling import side_by_side, tile
from .model import VAE


def inverse_cdf_grid(resolution: int, eps: float = 0.05, ppf=None) -> torch.Tensor:
    """Latent coordinates for a ``resolution`` x ``resolution`` manifold (paper, Figures 4
    and 5).

    A regular grid on the unit square [eps, 1 - eps]^2, mapped through the inverse CDF of
    the prior (``ppf``; default the standard Gaussian's) so that each cell covers equal prior
    mass. Returns (resolution ** 2, 2), rows ordered top-to-bottom (z2 decreasing) then
    left-to-right (z1 increasing), as the canvas is drawn.
    """
    if resolution < 1 or not 0 < eps < 0.5:
        raise ValueError(
            f"need resolution >= 1 and 0 < eps < 0.5, got resolution={resolution}, eps={eps}"
        )
    u = torch.linspace(eps, 1 - eps, resolution, dtype=torch.float64)
    q = (ppf or torch.distributions.Normal(0.0, 1.0).icdf)(u).float()
    z2, z1 = torch.meshgrid(q.flip(0), q, indexing="ij")
    return torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)


def check_latents(z, z_dim: int) -> torch.Tensor:
    """z as a float32 tensor (B, z_dim), or a ValueError that says what is wrong: a latent
    of the wrong length (never silently truncated or reshaped) or a non-finite value."""
    z = torch.as_tensor(np.asarray(z, dtype=np.float32) if not torch.is_tensor(z) else z)
    z = z.to(torch.float32)
    if z.ndim == 1:
        z = z[None]
    if z.ndim != 2 or z.shape[1] != z_dim:
        raise ValueError(
            f"a latent for this model has {z_dim} coordinates; got shape {tuple(z.shape)}"
        )
    if not torch.isfinite(z).all():
        raise ValueError("the latent contains NaN or infinite values; use finite coordinates")
    return z


@torch.inference_mode()
def decode_images(model: VAE, z: torch.Tensor, image_shape: tuple[int, ...]) -> np.ndarray:
    """Mean images E[x|z] for z (B, z_dim): float32 array (B, *image_shape) in [0, 1]."""
    z = check_latents(z, model.z_dim)
    return model.decode_mean(z).reshape(-1, *image_shape).cpu().numpy()


def manifold(
    model: VAE, resolution: int, image_shape: tuple[int, ...], eps: float = 0.05
) -> np.ndarray:
    """The learned 2-D manifold as one canvas (paper, Fig. 4): ``resolution`` x ``resolution``
    decoded images, the latents spaced by the inverse CDF of the model's prior (Gaussian or
    exponential)."""
    if model.z_dim != 2:
        raise ValueError(f"a manifold canvas needs a 2-D latent; this model has {model.z_dim}")
    z = inverse_cdf_grid(resolution, eps, model.latent.prior_ppf)
    return tile(decode_images(model, z, image_shape), ncols=resolution, pad=0)


# --- encoding, decoding, interpolation ----------------------------------------------------


def interpolate(z_a: np.ndarray, z_b: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    """Straight line (1 - t) z_a + t z_b between latents (D,); t scalar -> (D,), t (T,) ->
    (T, D). Exact at the endpoints t = 0 and t = 1."""
    z_a, z_b = np.asarray(z_a, dtype=np.float64), np.asarray(z_b, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    return (1.0 - t)[..., None] * z_a + t[..., None] * z_b


@torch.inference_mode()
def encode_means(model: VAE, x: torch.Tensor, batch: int = 2000) -> np.ndarray:
    """Means of q(z|x) for data x (N, x_dim): float64 array (N, z_dim), ``batch`` rows at a time."""
    x = torch.as_tensor(x, dtype=torch.float32)
    out = [model.encode_mean(x[i : i + batch]) for i in range(0, len(x), batch)]
    return torch.cat(out).double().numpy() if out else np.zeros((0, model.z_dim))


@torch.inference_mode()
def reconstruct(model: VAE, x: torch.Tensor) -> np.ndarray:
    """E[x | z = mean of q(z|x)] for x (N, x_dim): float32 array (N, x_dim) in [0, 1]."""
    x = torch.as_tensor(x, dtype=torch.float32)
    return model.decode_mean(model.encode_mean(x)).numpy()


def decode_one(model: VAE, z: np.ndarray, image_shape: tuple[int, ...]) -> np.ndarray:
    """E[x|z] for one latent z (z_dim,): float32 image of ``image_shape`` in [0, 1]."""
    z = check_latents(z, model.z_dim)
    if z.shape[0] != 1:
        raise ValueError(f"decode_one takes one latent ({model.z_dim},), got {tuple(z.shape)}")
    return decode_images(model, z, image_shape)[0]


def nearest_point(points: np.ndarray, query: np.ndarray) -> int:
    """Index of the row of ``points`` (N, D) nearest to ``query`` (D,) in Euclidean distance."""
    d = np.asarray(points, dtype=np.float64) - np.asarray(query, dtype=np.float64)
    return int(np.argmin(np.einsum("nd,nd->n", d, d)))


def frey_extremes_difference(
    model: VAE, image_shape: tuple[int, ...], radius: float = 2.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode the four corners (+-radius, +-radius) of a 2-D latent and
    subtract the image decoded at z = (0, 0).

    Returns (z (4, 2) in the order (-,-), (+,+), (-,+), (+,-); images (4, *image_shape);
    differences (4, *image_shape) = images - decoded(0, 0), values in [-1, 1]).
    """
    if model.z_dim != 2:
        raise ValueError(f"needs a 2-D latent; this model has {model.z_dim}")
    z = radius * np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    images = decode_images(model, torch.as_tensor(np.vstack([z, [[0.0, 0.0]]])), image_shape)
    return z, images[:4], images[:4] - images[4]


def interpolation_canvas(
    model: VAE, x_a: torch.Tensor, x_b: torch.Tensor, t: float, image_shape: tuple[int, int]
) -> np.ndarray:
    """x_a | E[x | z_t] | x_b with z_t = (1 - t) mu(x_a) + t mu(x_b), mu the encoder mean;
    x_a, x_b: (x_dim,). Grey canvas (H, 3 W + 4) in [0, 1], grey padding."""
    mu = encode_means(model, torch.stack([torch.as_tensor(x_a), torch.as_tensor(x_b)]))
    img = decode_one(model, interpolate(mu[0], mu[1], t), image_shape)
    xa, xb = (np.asarray(x, dtype=np.float32).reshape(image_shape) for x in (x_a, x_b))
    return side_by_side([xa, img, xb], pad=2, fill=0.5)


def reconstruction_canvas(
    model: VAE, x: torch.Tensor, image_shape: tuple[int, int]
) -> tuple[np.ndarray, float]:
    """original | reconstruction E[x | z = mu(x)] | |error| for one x (x_dim,): a grey
    canvas (H, 3 W + 4) in [0, 1], and the mean absolute error per pixel."""
    rec = reconstruct(model, torch.as_tensor(x)[None])[0].reshape(image_shape)
    orig = np.asarray(x, dtype=np.float32).reshape(image_shape)
    err = np.abs(orig - rec)
    return side_by_side([orig, rec, err], pad=2, fill=0.5), float(err.mean())
