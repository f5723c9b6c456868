"""Numerically normalised posteriors on a regular 1-D or 2-D grid.

For a latent z with one or two dimensions we can afford to evaluate the unnormalised log
joint log p(x, z) on a fine grid, sum it up, and get the posterior p(z|x), the evidence
log p(x), moments and divergences to any approximation q, all without a closed form. This
is the ground truth that every approximation in the series is measured against.

>>> g = make_grid([(-4, 4), (-4, 4)], 201)                    # doctest: +SKIP
>>> post = posterior_on_grid(lambda z: model.log_joint(x, z), g)
>>> post.mean, post.cov, post.log_evidence
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import logsumexp


@dataclass(frozen=True)
class Grid:
    """A regular grid: one evenly spaced 1-D coordinate array per latent dimension (1 or 2)."""

    axes: tuple[np.ndarray, ...]

    @property
    def dim(self) -> int:
        """Number of latent dimensions D."""
        return len(self.axes)

    @property
    def points(self) -> np.ndarray:
        """All grid points, (N, D), row-major over the axes (meshgrid indexing="ij")."""
        mesh = np.meshgrid(*self.axes, indexing="ij")
        return np.stack([m.reshape(-1) for m in mesh], axis=1)

    @property
    def shape(self) -> tuple[int, ...]:
        """(n1,) or (n1, n2): reshape an (N,) array of values on the points to this."""
        return tuple(len(a) for a in self.axes)

    @property
    def spacing(self) -> tuple[float, ...]:
        """Distance between neighbouring points along each axis."""
        return tuple(float(a[1] - a[0]) for a in self.axes)

    @property
    def cell_volume(self) -> float:
        """Length (1-D) or area (2-D) of one grid cell: the weight of a point in a sum."""
        return float(np.prod(self.spacing))

    @property
    def extent(self) -> tuple[float, ...]:
        """(lo1, hi1[, lo2, hi2]): the limits, e.g. for ``imshow(extent=...)``."""
        return tuple(float(v) for a in self.axes for v in (a[0], a[-1]))


def make_grid(limits: Sequence[tuple[float, float]], resolution: int | Sequence[int]) -> Grid:
    """A regular grid on the box ``limits`` = [(lo, hi), ...] (one pair per dimension, 1 or 2)
    with ``resolution`` points per axis (an int for all axes, or one per axis, each >= 3)."""
    limits = [tuple(map(float, lim)) for lim in limits]
    if len(limits) not in (1, 2):
        raise ValueError(f"grids are for 1-D or 2-D latents, got {len(limits)} dimensions")
    ns = (
        [int(resolution)] * len(limits) if np.isscalar(resolution) else [int(r) for r in resolution]
    )
    if len(ns) != len(limits) or min(ns) < 3:
        raise ValueError(f"need one point count >= 3 per axis, got resolution={resolution}")
    if any(hi <= lo for lo, hi in limits):
        raise ValueError(f"each limit needs lo < hi, got {limits}")
    return Grid(tuple(np.linspace(lo, hi, r) for (lo, hi), r in zip(limits, ns, strict=True)))


@dataclass(frozen=True)
class GridPosterior:
    """The posterior p(z|x) on a grid, normalised numerically (a Riemann sum).

    ``log_joint``: (N,) unnormalised log p(x, z) at ``grid.points``; ``log_evidence``:
    log of the sum of p(x, z) times the cell volume, i.e. log p(x) up to grid error (which is
    tiny when the grid covers the mass and resolves it: the sum is then spectrally accurate).
    """

    grid: Grid
    log_joint: np.ndarray
    log_evidence: float

    @property
    def log_density(self) -> np.ndarray:
        """(N,) log p(z|x) at the grid points."""
        return self.log_joint - self.log_evidence

    @property
    def density(self) -> np.ndarray:
        """(N,) normalised posterior density p(z|x) (integrates to 1 on the grid)."""
        return np.exp(self.log_density)

    @cached_property
    def weights(self) -> np.ndarray:
        """(N,) probability of each cell: density times cell volume, sums to 1."""
        return np.exp(self.log_joint - logsumexp(self.log_joint))

    @property
    def mean(self) -> np.ndarray:
        """(D,) posterior mean E[z|x]."""
        return self.weights @ self.grid.points

    @property
    def cov(self) -> np.ndarray:
        """(D, D) posterior covariance Cov[z|x]."""
        d = self.grid.points - self.mean
        return (d * self.weights[:, None]).T @ d

    @property
    def mode(self) -> np.ndarray:
        """(D,) the grid point with the highest posterior density (MAP up to grid spacing)."""
        return self.grid.points[int(np.argmax(self.log_joint))]

    def marginal(self, axis: int) -> np.ndarray:
        """Marginal density of z_{axis+1} on ``grid.axes[axis]`` (2-D grids; 1-D: the density)."""
        dens = self.density.reshape(self.grid.shape)
        if self.grid.dim == 1:
            return dens
        other = 1 - axis
        return dens.sum(axis=other) * self.grid.spacing[other]

    def _q_weights(self, log_q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        log_q = np.asarray(log_q, dtype=np.float64).reshape(-1)
        if log_q.shape != self.log_joint.shape:
            raise ValueError(f"log_q must have shape {self.log_joint.shape}, got {log_q.shape}")
        log_wq = log_q - logsumexp(log_q)
        return log_wq, np.exp(log_wq)

    def kl_from(self, log_q: np.ndarray) -> float:
        """KL(q || p(z|x)) in nats, >= 0, with q given as a log density (N,) on the grid points.

        Both q and p are renormalised on the grid, so the result is exact for the discretised
        densities (q should lie inside the grid; a q much narrower than a cell is unresolved).
        """
        log_wq, wq = self._q_weights(log_q)
        log_wp = self.log_joint - logsumexp(self.log_joint)
        keep = wq > 0
        return float(max(np.sum(wq[keep] * (log_wq[keep] - log_wp[keep])), 0.0))

    def tv_distance(self, log_q: np.ndarray) -> float:
        """Total-variation distance sup_A |q(A) - p(A|x)| = 0.5 * integral |q - p|, in [0, 1]."""
        _, wq = self._q_weights(log_q)
        return float(0.5 * np.abs(wq - self.weights).sum())


def posterior_on_grid(log_joint: Callable[[np.ndarray], np.ndarray], grid: Grid) -> GridPosterior:
    """Evaluate ``log_joint`` (points (N, D) -> (N,) values of log p(x, z)) on ``grid`` and
    normalise numerically."""
    points = grid.points
    values = np.asarray(log_joint(points), dtype=np.float64)
    if values.shape != (points.shape[0],):
        raise ValueError(f"log_joint returned shape {values.shape}, expected ({len(points)},)")
    if not np.isfinite(values).any():
        raise ValueError("log_joint is -inf or nan everywhere on the grid")
    log_evidence = float(logsumexp(values) + np.log(grid.cell_volume))
    return GridPosterior(grid=grid, log_joint=values, log_evidence=log_evidence)


def grid_around(
    mean: np.ndarray, cov: np.ndarray, resolution: int = 201, width: float = 7.0
) -> Grid:
    """A grid covering ``mean`` +- ``width`` standard deviations along each axis, with
    ``resolution`` points per axis."""
    sd = np.sqrt(np.diag(np.atleast_2d(cov)))
    mean = np.atleast_1d(mean)
    box = [(m - width * s, m + width * s) for m, s in zip(mean, sd, strict=True)]
    return make_grid(box, resolution)


def hpd_levels(post: GridPosterior, masses: Sequence[float] = (0.39, 0.86, 0.99)) -> np.ndarray:
    """Density thresholds whose super-level sets {z: p(z|x) >= t} hold the given posterior
    ``masses`` (highest-density regions; for a 2-D Gaussian 0.39/0.86/0.99 are the 1/2/3
    Mahalanobis ellipses). Returns increasing thresholds, one per mass, for ``contour``."""
    order = np.argsort(post.weights)[::-1]
    cum = np.cumsum(post.weights[order])
    dens = post.density[order]
    idx = np.minimum(np.searchsorted(cum, np.asarray(masses, dtype=float)), len(cum) - 1)
    return np.sort(dens[idx])
