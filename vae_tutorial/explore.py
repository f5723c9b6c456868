"""Widget-free logic for looking at a trained model: latents in, image arrays out.

All functions are pure (no widgets, no matplotlib) so they are unit-tested directly and
shared by notebooks, widgets and the command line.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import torch

from .models import VAE


def inverse_cdf_grid(n: int, eps: float = 0.05, ppf=None) -> torch.Tensor:
    """Latent coordinates for an n x n manifold (paper, Figures 4 and 5).

    A regular grid on the unit square [eps, 1 - eps]^2, mapped through the inverse CDF of
    the prior (``ppf``; default the standard Gaussian's) so that each cell covers equal prior
    mass. Returns (n * n, 2), rows ordered top-to-bottom (z2 decreasing) then left-to-right
    (z1 increasing), as the canvas is drawn.
    """
    if n < 1 or not 0 < eps < 0.5:
        raise ValueError(f"need n >= 1 and 0 < eps < 0.5, got n={n}, eps={eps}")
    u = torch.linspace(eps, 1 - eps, n, dtype=torch.float64)
    q = (ppf or torch.distributions.Normal(0.0, 1.0).icdf)(u).float()
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
    """The learned 2-D manifold as one canvas (paper, Fig. 4): n x n decoded images, the
    latents spaced by the inverse CDF of the model's prior (Gaussian or exponential)."""
    if model.z_dim != 2:
        raise ValueError(f"a manifold canvas needs a 2-D latent; this model has {model.z_dim}")
    z = inverse_cdf_grid(n, eps, model.latent.prior_ppf)
    return tile(decode_images(model, z, image_shape), ncols=n, pad=0)


# --- images to PNG bytes (the hot path of the explorer widgets: no matplotlib) -------------


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling: (H, W) or (H, W, C) -> (H * factor, W * factor[, C])."""
    if factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor}")
    if factor == 1:
        return image
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Intensities in [0, 1] (clipped) -> uint8 in {0, ..., 255}, rounded; uint8 passes through."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def to_png(image: np.ndarray, scale: int = 1, level: int = 1) -> bytes:
    """PNG bytes of a grey (H, W) or colour (H, W, 3) image with values in [0, 1] (or uint8),
    each pixel drawn as a ``scale`` x ``scale`` block. A minimal 8-bit PNG writer (zlib
    ``level``); about a millisecond for a 224 x 224 digit."""
    pixels = upscale(to_uint8(image), scale)
    if pixels.ndim == 2:
        colour_type = 0
    elif pixels.ndim == 3 and pixels.shape[2] == 3:
        colour_type = 2
    else:
        raise ValueError(f"need an (H, W) or (H, W, 3) image, got shape {pixels.shape}")
    h, w = pixels.shape[:2]
    rows = pixels.reshape(h, -1)
    raw = np.empty((h, rows.shape[1] + 1), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" on every scanline
    raw[:, 1:] = rows
    header = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)),
            _chunk(b"IEND", b""),
        )
    )


def diverging_rgb(diff: np.ndarray, vmax: float = 1.0) -> np.ndarray:
    """Signed differences (H, W) -> colour (H, W, 3) in [0, 1]: white at 0, red for positive
    (brighter than the reference), blue for negative, full colour at |diff| >= ``vmax``."""
    d = np.clip(np.asarray(diff, dtype=np.float64) / vmax, -1.0, 1.0)
    pos, neg = np.clip(d, 0, 1), np.clip(-d, 0, 1)
    return np.stack([1 - neg, 1 - pos - neg, 1 - pos], axis=-1)


def side_by_side(images: list[np.ndarray], pad: int = 2, fill: float = 1.0) -> np.ndarray:
    """Images of equal (H, W) or (H, W, 3) shape placed in one row; grey ones become colour
    when any is colour. Returns (H, n * (W + pad) - pad[, 3])."""
    if any(np.ndim(im) == 3 for im in images):
        images = [im if np.ndim(im) == 3 else np.repeat(im[..., None], 3, -1) for im in images]
        return tile(np.stack(images).transpose(0, 3, 1, 2), len(images), pad, fill)
    return tile(np.stack(images), len(images), pad, fill)


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
    return decode_images(model, torch.as_tensor(np.asarray(z), dtype=torch.float32), image_shape)[0]


def nearest_point(points: np.ndarray, query: np.ndarray) -> int:
    """Index of the row of ``points`` (N, D) nearest to ``query`` (D,) in Euclidean distance."""
    d = np.asarray(points, dtype=np.float64) - np.asarray(query, dtype=np.float64)
    return int(np.argmin(np.einsum("nd,nd->n", d, d)))


def frey_extremes_difference(
    model: VAE, image_shape: tuple[int, ...], radius: float = 2.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seed 001, Fig. 10: decode the four corners (+-radius, +-radius) of a 2-D latent and
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


def crosshair(pixels: np.ndarray, row: float, col: float, arm: int = 7) -> np.ndarray:
    """A copy of a uint8 colour image (H, W, 3) with a red cross-hair centred at (row, col);
    nothing is drawn when the centre falls outside."""
    out = pixels.copy()
    h, w = out.shape[:2]
    r, c = int(round(row)), int(round(col))
    if 0 <= r < h and 0 <= c < w:
        out[max(r - 1, 0) : r + 2, max(c - arm, 0) : c + arm + 1] = (220, 0, 0)
        out[max(r - arm, 0) : r + arm + 1, max(c - 1, 0) : c + 2] = (220, 0, 0)
    return out
