"""Posterior figures for notebooks 01-02 (pure: numbers in, Figure out).

Notebook 01: ``conjugate_1d_figure``, ``conjugate_2d_figure``, ``concentration_figure``.
Notebook 02: ``hard_panel`` (grid posterior and Laplace approximation of a hard model) and
``hard_posterior_figure``, ``log_joint_slice_figure``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..theory.conjugate import linear_gaussian_posterior
from ..theory.gaussian import ellipse, normal_pdf
from ..theory.grid import GridPosterior, hpd_levels, make_grid, posterior_on_grid
from ..theory.laplace import Laplace, laplace_approximation
from ..theory.latent_models import LatentModel, LinearGaussian, hard_example

MAHALANOBIS = (1.0, 2.0, 3.0)  # ellipses holding 39%, 86%, 99% of a 2-D Gaussian
MASSES = (0.39, 0.86, 0.99)


def conjugate_1d_figure(
    alpha: float, beta: float, w: float, x: float, limits: tuple[float, float] = (-4.0, 4.0)
) -> Figure:
    """Prior N(0, 1/alpha), likelihood p(x|z) = N(x; w z, 1/beta) as a function of z, and the
    posterior: closed form (line) against the numerically normalised grid (dots)."""
    z = np.linspace(*limits, 801)
    mean, cov = linear_gaussian_posterior(np.array([x]), alpha, beta, np.array([[w]]))
    model = LinearGaussian(alpha, beta, np.array([[w]]))
    post = posterior_on_grid(lambda p: model.log_joint(np.array([x]), p), make_grid([limits], 801))
    lik = np.exp(model.log_likelihood(np.array([x]), z[:, None]))
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.add_subplot()
    ax.plot(z, normal_pdf(z, 0.0, 1 / alpha), color="0.5", label="prior p(z)")
    ax.plot(z, lik, color="C0", label=r"likelihood p(x|z) (as a function of z)")
    ax.plot(z, normal_pdf(z, mean[0], cov[0, 0]), color="C3", lw=2, label="posterior, closed form")
    ax.plot(z[::20], post.density[::20], "o", ms=4, color="k", label="posterior, grid")
    ax.axvline(x / w if w else np.nan, color="C0", ls=":", lw=1)
    ax.set_xlabel("latent z (latent units)")
    ax.set_ylabel("density (per latent unit)")
    ax.set_title(
        f"f(z) = w z, w = {w:g}, x = {x:g}: posterior mean {mean[0]:.3f}, var {cov[0, 0]:.3f}"
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def _density_image(ax, post: GridPosterior, cmap: str = "Greys") -> None:
    """Filled density (10 shades, compact as PNG) plus the 39/86/99% highest-density contours."""
    dens = post.density.reshape(post.grid.shape).T  # rows: z2, columns: z1
    z1, z2 = post.grid.axes
    ax.contourf(z1, z2, dens, levels=np.linspace(0, dens.max(), 11)[1:], cmap=cmap, extend="max")
    ax.contour(z1, z2, dens, levels=hpd_levels(post, MASSES), colors="k", linewidths=1)


def conjugate_2d_figure(
    alpha: float,
    beta: float,
    W: np.ndarray,
    x: np.ndarray,
    limits: tuple[float, float] = (-4.0, 4.0),
    n: int = 161,
) -> Figure:
    """2-D latent, f(z) = W z: prior (grey ellipses), likelihood in z (blue contours at 1, 2,
    3 'standard deviations' below its maximum), grid posterior (image, black highest-density
    contours holding 39/86/99%) and the closed-form posterior ellipses (red, dashed)."""
    W, x = np.asarray(W, dtype=float), np.asarray(x, dtype=float)
    model = LinearGaussian(alpha, beta, W)
    grid = make_grid([limits, limits], n)
    post = posterior_on_grid(lambda p: model.log_joint(x, p), grid)
    mean, cov = linear_gaussian_posterior(x, alpha, beta, W)
    z1, z2 = grid.axes
    loglik = model.log_likelihood(x, grid.points).reshape(grid.shape).T
    fig = Figure(figsize=(5.2, 4.8))
    ax = fig.add_subplot()
    _density_image(ax, post, cmap="Reds")
    levels = sorted(-0.5 * k**2 for k in MAHALANOBIS)
    ax.contour(
        z1, z2, loglik - loglik.max(), levels=levels, colors="C0", linewidths=1, linestyles="solid"
    )
    for k in MAHALANOBIS:
        ax.plot(*ellipse(np.zeros(2), np.eye(2) / alpha, k).T, color="0.5", lw=1)
        ax.plot(*ellipse(mean, cov, k).T, "--", color="C3", lw=1.5)
    ax.plot(*mean, "+", color="C3", ms=10)
    handles = [
        ax.plot([], [], color="0.5")[0],
        ax.plot([], [], color="C0")[0],
        ax.plot([], [], color="k")[0],
        ax.plot([], [], "--", color="C3")[0],
    ]
    ax.legend(
        handles,
        ["prior p(z)", "likelihood p(x|z)", "posterior, grid", "posterior, closed form"],
        loc="upper left",
        fontsize=8,
    )
    ax.set_xlim(limits)
    ax.set_ylim(limits)
    ax.set_xlabel("latent z1 (latent units)")
    ax.set_ylabel("latent z2 (latent units)")
    ax.set_title(
        f"f(z) = Wz, x = ({x[0]:.2g}, {x[1]:.2g}): posterior mean ({mean[0]:.2f}, {mean[1]:.2f})"
    )
    fig.tight_layout()
    return fig


def concentration_figure(
    alpha: float, beta: float, xs: np.ndarray, ns: Sequence[int], z_true: float | None = None
) -> Figure:
    """1-D f(z) = z with the first N of the observations ``xs`` (M,), for each N in ``ns``:
    the posterior N(beta sum x / (alpha + N beta), 1 / (alpha + N beta)) narrows like 1/N."""
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.add_subplot()
    hi = max(3.0 / np.sqrt(alpha), 1.5 * np.max(np.abs(xs)))
    z = np.linspace(-hi, hi, 1201)
    ax.plot(z, normal_pdf(z, 0.0, 1 / alpha), color="0.5", label="prior")
    for i, n in enumerate(ns):
        precision = alpha + n * beta
        ax.plot(
            z,
            normal_pdf(z, beta * xs[:n].sum() / precision, 1 / precision),
            color=f"C{i}",
            label=f"N = {n}",
        )
    if z_true is not None:
        ax.axvline(z_true, color="k", ls=":", label="true z")
    ax.set_xlabel("latent z (latent units)")
    ax.set_ylabel("posterior density (per latent unit)")
    ax.set_title(
        f"f(z) = z, alpha = {alpha:g}, beta = {beta:g}: the posterior after N observations"
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def hard_posterior_figure(
    panels: Sequence[tuple[str, GridPosterior, Laplace | None]], size: float = 4.0
) -> Figure:
    """One panel per (title, grid posterior, Laplace approximation): the exact posterior
    (image, black highest-density contours holding 39/86/99%), the MAP (red x) with the
    Laplace ellipses of the same masses (red, dashed), and the posterior mean (white dot)."""
    fig = Figure(figsize=(size * len(panels), size * 0.95))
    for i, (title, post, lap) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        _density_image(ax, post, cmap="Blues")
        if lap is not None:
            for k in MAHALANOBIS:
                ax.plot(*ellipse(lap.mean, lap.cov, k).T, "--", color="C3", lw=1.3)
            ax.plot(*lap.mean, "x", color="C3", ms=9, mew=2, label="MAP + Laplace")
        ax.plot(*post.mean, "o", color="w", mec="k", ms=6, label="posterior mean")
        ax.set_xlim(post.grid.extent[:2])
        ax.set_ylim(post.grid.extent[2:])
        ax.set_xlabel("latent z1 (latent units)")
        ax.set_ylabel("latent z2 (latent units)")
        ax.set_title(title, fontsize=10)
        ax.legend(loc="lower left", fontsize=7)
    fig.tight_layout()
    return fig


def log_joint_slice_figure(
    panels: Sequence[tuple[str, LatentModel, np.ndarray, Laplace]], reach: float = 4.0
) -> Figure:
    """For each (title, model, x, Laplace): log p(x, z) along the line z* + t u through the
    MAP z* (u: the Laplace's widest axis, t in +-``reach`` Laplace standard deviations)
    against the quadratic the Laplace approximation assumes. A Gaussian posterior would
    make the two curves identical."""
    fig = Figure(figsize=(4.0 * len(panels), 3.4))
    for i, (title, model, x, lap) in enumerate(panels):
        evals, evecs = np.linalg.eigh(lap.cov)
        sd, u = np.sqrt(evals[-1]), evecs[:, -1]
        t = np.linspace(-reach, reach, 201)
        exact = model.log_joint(x, lap.mean + (t * sd)[:, None] * u)
        ax = fig.add_subplot(1, len(panels), i + 1)
        ax.plot(t, exact, color="C0", lw=2, label="log p(x, z) (exact)")
        ax.plot(t, exact[100] - 0.5 * t**2, "--", color="C3", label="quadratic (Laplace)")
        ax.set_ylim(exact[100] - 0.5 * reach**2 - 1, exact[100] + 1)
        ax.set_xlabel("t: distance from the MAP along u (Laplace s.d.)")
        ax.set_ylabel("log joint (nats)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="lower center")
    fig.tight_layout()
    return fig


def hard_panel(
    name: str, beta: float | None = None, x: np.ndarray | None = None, n: int = 121
) -> tuple[str, GridPosterior, Laplace]:
    """Grid posterior and Laplace approximation of ``latent_models.hard_example(name, beta, x)``."""
    model, obs, limits = hard_example(name, beta=beta, x=x)
    post = posterior_on_grid(lambda p: model.log_joint(obs, p), make_grid(limits, n))
    lap = laplace_approximation(model, obs)
    kl = post.kl_from(lap.log_density(post.grid.points))
    setting = (
        "" if name == "logistic" else f", x = ({obs[0]:.2f}, {obs[1]:.2f}), β = {model.beta:.3g}"
    )
    return f"{name}{setting}\nKL(Laplace || exact) = {kl:.3f} nats", post, lap
