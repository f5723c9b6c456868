"""Exact log p(x) and the true posterior p(z|x) of a model with a 2-D latent (log p(x) also
for a 3-D latent), by integration on a grid that refines until two resolutions agree.

With two latent dimensions, p(x) = integral p(x|z) p(z) dz can be computed to any accuracy
as a Riemann sum: the integrand is smooth, so once the grid covers the posterior mass and
resolves it, the sum converges faster than any power of the spacing. For each datapoint:

1. **Find the mass.** The log joint log p(x|z) + log p(z) is evaluated on one coarse grid
   over the box [-L, L]^2 shared by all datapoints (L = 16 prior standard deviations by
   default: the prior density there is e^-128 of its peak), decoded once for the whole batch.
   If the highest cell lies on the box's edge, the box is widened.
2. **Zoom and refine.** A box around every coarse cell within ``keep`` nats of the highest
   (several modes stay inside one box) is integrated with n x n points, then 2n - 1, and so
   on, until two successive resolutions agree to ``tol`` nats (default 0.01). While they do
   not, the box shrinks to the points within ``keep`` nats of the best (a sharp posterior).

The answer is a log-probability (or log-density) estimate whose error is the disagreement of
the last two resolutions; ``GridLogPx.converged`` says which datapoints met ``tol``. A 3-D
latent works the same way with cubes of n^3 points (smaller n). It is the
ground truth against which the ELBO, importance sampling and AIS are measured (notebooks 05,
07 and 09).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .model import VAE


@dataclass(frozen=True)
class GridLogPx:
    """Per-datapoint results, arrays of shape (B,): ``log_px`` (nats), ``error`` (|difference|
    of the last two resolutions, nats), ``converged`` (error <= tol), ``resolution`` (points
    per axis of the last grid) and ``box`` (B, 2d): (z1 lo, z1 hi, z2 lo, z2 hi, ...) of the
    zoomed grid."""

    log_px: np.ndarray
    error: np.ndarray
    converged: np.ndarray
    resolution: np.ndarray
    box: np.ndarray


def _axes(box: torch.Tensor, resolution: int) -> torch.Tensor:
    """Grid points (resolution ** d, d) of a box (z1 lo, z1 hi, z2 lo, z2 hi, ...), row-major
    in z1."""
    d = len(box) // 2
    axes = [torch.linspace(float(box[2 * i]), float(box[2 * i + 1]), resolution,
                           dtype=torch.float64) for i in range(d)]  # fmt: skip
    return torch.stack([g.reshape(-1) for g in torch.meshgrid(*axes, indexing="ij")], 1)


@torch.inference_mode()
def log_joint(model: VAE, x: torch.Tensor, z: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
    """log p(x|z) + log p(z) for every datapoint and every latent point: x (B, D), z (G, 2)
    -> (B, G) float64. The decoder runs once per latent point, shared by all B datapoints."""
    x = x.to(torch.float32)
    out = torch.empty((x.shape[0], z.shape[0]), dtype=torch.float64)
    fast = getattr(getattr(model, "likelihood", None), "pairwise_log_prob", None)
    for s in range(0, z.shape[0], chunk):
        zc = z[s : s + chunk]
        lp = fast(model.decoder(zc.to(torch.float32)), x) if fast else None
        if lp is None:  # no matrix-product shortcut for this likelihood: broadcast
            dist = model.decode(zc.to(torch.float32)[:, None, :])  # batch (G, 1), event (D,)
            lp = _pairwise(dist, x, zc.shape[0])
        out[:, s : s + chunk] = lp + model.prior.log_prob(zc.to(torch.float32)).double()[None]
    return out


def _pairwise(dist, x: torch.Tensor, g: int, max_floats: int = 1 << 24) -> torch.Tensor:
    """log p(x_b | z_g) for all b, g: (B, G) float64, in blocks that bound the memory."""
    rows = max(1, max_floats // max(1, g * x.shape[1]))
    parts = [dist.log_prob(x[i : i + rows][:, None, None, :]) for i in range(0, len(x), rows)]
    return torch.cat([p.reshape(-1, g) for p in parts]).double()


def _riemann(lj: torch.Tensor, box: torch.Tensor, resolution: int) -> torch.Tensor:
    """log of the Riemann sum of exp(lj) (B, resolution ** d) over boxes (B, 2d), ``resolution``
    points per axis."""
    d = box.shape[1] // 2
    cell = torch.prod(box[:, 1::2] - box[:, 0::2], dim=1) / (resolution - 1) ** d
    return torch.logsumexp(lj, dim=1) + torch.log(cell)


def _zoom(box: torch.Tensor, mass: torch.Tensor, resolution: int, shrink: float = 0.3) -> None:
    """Shrink ``box`` (2d,) in place to the points ``mass`` (P, d) within ``keep`` nats of the
    best, padded by two grid steps, when that cuts its volume below ``shrink`` of it."""
    lo, hi = box[0::2], box[1::2]
    pad = 2 * (hi - lo) / (resolution - 1)
    new_lo = torch.maximum(mass.min(0).values - pad, lo)
    new_hi = torch.minimum(mass.max(0).values + pad, hi)
    if torch.prod(new_hi - new_lo) < shrink * torch.prod(hi - lo):
        box[0::2], box[1::2] = new_lo, new_hi


#: per latent size: (coarse, start, max) resolution, points per axis (3-D grids grow as its cube)
GRID_SIZES = {2: (161, 33, 513), 3: (49, 17, 129)}


def log_px_grid(
    model: VAE,
    x: torch.Tensor,
    tol: float = 0.01,
    limit: float = 16.0,
    coarse_resolution: int | None = None,
    start_resolution: int | None = None,
    max_resolution: int | None = None,
    keep: float = 30.0,
) -> GridLogPx:
    """Exact log p(x) (nats) for each row of x (B, D) of a model with a 2-D or 3-D latent (see
    the module docstring; grid sizes default to :data:`GRID_SIZES`). Raises ValueError for
    another latent size."""
    d = model.z_dim
    if d not in GRID_SIZES:
        raise ValueError(f"grid integration needs a 2-D or 3-D latent; this model has {d}")
    coarse_n, start_n, max_n = (
        given or default
        for given, default in zip(
            (coarse_resolution, start_resolution, max_resolution), GRID_SIZES[d], strict=True
        )
    )
    model.eval()
    x = torch.as_tensor(x)
    b = x.shape[0]
    # 1. one coarse grid for the whole batch, widened while the mass touches its edge
    while True:
        box = torch.tensor([-limit, limit] * d, dtype=torch.float64)
        z = _axes(box, coarse_n)
        lj = log_joint(model, x, z)  # (B, G)
        top = torch.stack(torch.unravel_index(lj.argmax(1), (coarse_n,) * d), 1)  # (B, d)
        edge = ((top == 0) | (top == coarse_n - 1)).any(1)
        if not bool(edge.any()) or limit >= 128:
            break
        limit *= 2
    # 2. per datapoint: the box around every coarse cell within `keep` nats of the best
    step = 2 * limit / (coarse_n - 1)
    near = lj >= lj.max(1, keepdim=True).values - keep  # (B, G)
    boxes = torch.empty((b, 2 * d), dtype=torch.float64)
    for k in range(b):
        pts = z[near[k]]
        boxes[k, 0::2] = pts.min(0).values - 2 * step
        boxes[k, 1::2] = pts.max(0).values + 2 * step
    n, prev = start_n, None
    log_px = torch.empty(b, dtype=torch.float64)
    error = torch.full((b,), math.inf, dtype=torch.float64)
    n_used = torch.zeros(b, dtype=torch.long)
    todo = torch.ones(b, dtype=torch.bool)
    while bool(todo.any()) and n <= max_n:
        for k in torch.nonzero(todo).flatten().tolist():
            pts = _axes(boxes[k], n)
            lj = log_joint(model, x[k : k + 1], pts)
            est = _riemann(lj, boxes[k : k + 1], n)
            if prev is not None and n_used[k] > 0:
                error[k] = abs(float(est) - float(log_px[k]))
            log_px[k], n_used[k] = est, n
            if error[k] > tol:  # a sharp posterior may fill a corner of the box: zoom in
                _zoom(boxes[k], pts[lj[0] >= lj.max() - keep], n)
        todo = error > tol
        prev, n = n, 2 * n - 1  # 2n - 1 keeps the old points: a strict refinement
    return GridLogPx(
        log_px=log_px.numpy(),
        error=error.numpy(),
        converged=(error <= tol).numpy(),
        resolution=n_used.numpy(),
        box=boxes.numpy(),
    )


@torch.inference_mode()
def posterior_grid(
    model: VAE,
    x: torch.Tensor,
    box: tuple[float, float, float, float] | None = None,
    resolution: int = 201,
):
    """The true posterior p(z|x) of one datapoint x (D,) on a ``resolution`` x ``resolution``
    grid over ``box``
    (default: the zoomed box :func:`log_px_grid` finds), as a
    :class:`~vae_tutorial.theory.grid.GridPosterior` (mean, covariance, mode, marginals,
    KL from any q on the grid, log p(x) as ``log_evidence``)."""
    from ..theory.grid import make_grid, posterior_on_grid

    x = torch.as_tensor(x).reshape(1, -1)
    if box is None:  # tol = inf: stop after the first level, only the box is wanted
        box = tuple(log_px_grid(model, x, tol=math.inf).box[0])
    grid = make_grid([(box[0], box[1]), (box[2], box[3])], resolution)

    def values(points: np.ndarray) -> np.ndarray:
        return log_joint(model, x, torch.as_tensor(points))[0].numpy()

    return posterior_on_grid(values, grid)
