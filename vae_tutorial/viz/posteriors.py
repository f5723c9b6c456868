"""Posterior figures for notebooks 01-02 (pure: numbers in, Figure out).

Notebook 01: ``conjugate_1d_figure``, ``conjugate_2d_figure``, ``concentration_figure``.
Notebook 02: ``hard_panel`` (grid posterior and Laplace approximation of a hard model) and
``hard_posterior_figure``, ``log_joint_slice_figure``.

The figures the widgets redraw are classes built once and updated in place
(``Conjugate1DPlot``, ``Conjugate2DPlot``, ``HardPosteriorPlot``: ``update(...)`` then
``pixels()``, a few ms through :class:`~vae_tutorial.viz.images.LiveCanvas`); the functions of
the same names build one and return its Figure, so a static figure and a widget's frame are the
same drawing. Built with ``caption=True`` (the widgets), a plot keeps a fixed title and puts the
numbers that change with every move in its ``caption`` string instead, which the widget shows
as text under the image: matplotlib takes 3-6 ms to draw a changing title, the browser nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..theory.conjugate import linear_gaussian_posterior
from ..theory.gaussian import normal_pdf
from ..theory.grid import Grid, GridPosterior, make_grid, posterior_on_grid
from ..theory.laplace import Laplace, finite_differences, laplace_approximation
from ..theory.latent_models import LatentModel, LinearGaussian, hard_example
from .live import MAHALANOBIS, DensityPanel, LivePlot, axis_top, contours, ellipses


class Conjugate1DPlot(LivePlot):
    """Prior N(0, 1/alpha), likelihood p(x|z) = N(x; w z, 1/beta) as a function of z, and the
    posterior: closed form (line) against the numerically normalised grid (dots, at every
    ``dot_every``-th grid point)."""

    dot_every = 20

    def __init__(
        self, limits: tuple[float, float] = (-4.0, 4.0), dpi: float | None = None,
        caption: bool = False,
    ):  # fmt: skip
        self.caption = "" if caption else None
        self.z = np.linspace(*limits, 801)
        self.grid = make_grid([limits], 801)
        self.fig = Figure(figsize=(6.5, 3.6), dpi=dpi)
        ax = self.ax = self.fig.add_subplot()
        self.prior = ax.plot(self.z, 0 * self.z, color="0.5", label="prior p(z)")[0]
        self.lik = ax.plot(
            self.z, 0 * self.z, color="C0", label="likelihood p(x|z) (as a function of z)"
        )[0]
        self.closed = ax.plot(self.z, 0 * self.z, color="C3", lw=2, label="posterior, closed form")[
            0
        ]
        dot_z = self.z[:: self.dot_every]
        self.dots = ax.plot(dot_z, 0 * dot_z, "o", ms=4, color="k", label="posterior, grid")[0]
        self.at = ax.axvline(0.0, color="C0", ls=":", lw=1)  # z = x / w
        ax.set_xlim(limits)
        ax.set_xlabel("latent z (latent units)")
        ax.set_ylabel("density (per latent unit)")
        ax.set_title("f(z) = w z")
        legend = ax.legend(loc="upper left", fontsize=8, framealpha=1)
        self.fig.tight_layout()
        self.dynamic = [self.prior, self.lik, self.closed, self.dots, self.at]
        self.dynamic += [] if caption else [ax.title]
        self.on_top = [legend]

    def update(self, alpha: float, beta: float, w: float, x: float) -> Conjugate1DPlot:
        mean, cov = linear_gaussian_posterior(np.array([x]), alpha, beta, np.array([[w]]))
        model = LinearGaussian(alpha, beta, np.array([[w]]))
        post = posterior_on_grid(lambda p: model.log_joint(np.array([x]), p), self.grid)
        curves = (
            normal_pdf(self.z, 0.0, 1 / alpha),
            np.exp(model.log_likelihood(np.array([x]), self.z[:, None])),
            normal_pdf(self.z, mean[0], cov[0, 0]),
        )
        for line, y in zip((self.prior, self.lik, self.closed), curves, strict=True):
            line.set_ydata(y)
        self.dots.set_ydata(post.density[:: self.dot_every])
        self.at.set_xdata([x / w if w else np.nan] * 2)
        self.ax.set_ylim(0.0, axis_top(max(float(np.max(c)) for c in curves)))
        numbers = f"w = {w:g}, x = {x:g}: posterior mean {mean[0]:.3f}, var {cov[0, 0]:.3f}"
        if self.caption is None:
            self.ax.set_title(f"f(z) = w z, {numbers}")
        else:
            self.caption = numbers
        return self


def conjugate_1d_figure(
    alpha: float, beta: float, w: float, x: float, limits: tuple[float, float] = (-4.0, 4.0)
) -> Figure:
    """The :class:`Conjugate1DPlot` of these values, as a Figure."""
    return Conjugate1DPlot(limits).update(alpha, beta, w, x).fig


class Conjugate2DPlot(LivePlot):
    """2-D latent, f(z) = W z: prior (grey ellipses), likelihood in z (blue contours at 1, 2,
    3 'standard deviations' below its maximum), grid posterior (shades, black highest-density
    contours holding 39/86/99%) and the closed-form posterior ellipses (red, dashed)."""

    def __init__(
        self, limits: tuple[float, float] = (-4.0, 4.0), resolution: int = 161,
        dpi: float | None = None, caption: bool = False,
    ):  # fmt: skip
        self.caption = "" if caption else None
        self.grid = make_grid([limits, limits], resolution)
        self.fig = Figure(figsize=(5.2, 4.8), dpi=dpi)
        ax = self.ax = self.fig.add_subplot()
        self.panel = DensityPanel(ax, self.grid, "Reds")
        self.lik = ax.plot([], [], color="C0", lw=1)[0]
        self.prior = ax.plot([], [], color="0.5", lw=1)[0]
        self.closed = ax.plot([], [], "--", color="C3", lw=1.5)[0]
        self.mean = ax.plot([], [], "+", color="C3", ms=10)[0]
        handles = [self.prior, self.lik, self.panel.hpd, self.closed]
        labels = ["prior p(z)", "likelihood p(x|z)", "posterior, grid", "posterior, closed form"]
        legend = ax.legend(handles, labels, loc="upper left", fontsize=8, framealpha=1)
        ax.set_xlabel("latent z1 (latent units)")
        ax.set_ylabel("latent z2 (latent units)")
        ax.set_title("f(z) = Wz")
        self.fig.tight_layout()
        self.dynamic = [*self.panel.artists, self.lik, self.prior, self.closed, self.mean,
                        *ax.spines.values()] + ([] if caption else [ax.title])  # fmt: skip
        self.on_top = [legend]

    def update(self, alpha: float, beta: float, W: np.ndarray, x: np.ndarray) -> Conjugate2DPlot:
        W, x = np.asarray(W, dtype=float), np.asarray(x, dtype=float)
        model = LinearGaussian(alpha, beta, W)
        post = posterior_on_grid(lambda p: model.log_joint(x, p), self.grid)
        mean, cov = linear_gaussian_posterior(x, alpha, beta, W)
        loglik = model.log_likelihood(x, self.grid.points).reshape(self.grid.shape).T
        self.panel.update(post)
        levels = sorted(-0.5 * r**2 for r in MAHALANOBIS)
        self.lik.set_data(*contours(*self.grid.axes, loglik - loglik.max(), levels))
        self.prior.set_data(*ellipses(np.zeros(2), np.eye(2) / alpha))
        self.closed.set_data(*ellipses(mean, cov))
        self.mean.set_data([mean[0]], [mean[1]])
        numbers = f"x = ({x[0]:.2g}, {x[1]:.2g}): posterior mean ({mean[0]:.2f}, {mean[1]:.2f})"
        if self.caption is None:
            self.ax.set_title(f"f(z) = Wz, {numbers}")
        else:
            self.caption = numbers
        return self


def conjugate_2d_figure(
    alpha: float,
    beta: float,
    W: np.ndarray,
    x: np.ndarray,
    limits: tuple[float, float] = (-4.0, 4.0),
    resolution: int = 161,
) -> Figure:
    """The :class:`Conjugate2DPlot` of these values (a ``resolution`` x ``resolution`` grid),
    as a Figure."""
    return Conjugate2DPlot(limits, resolution).update(alpha, beta, W, x).fig


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


class HardPanel:
    """One hard-model panel on ``ax``: the exact posterior (:class:`DensityPanel`, blue), the
    MAP (red x) with the Laplace ellipses of the same masses (red, dashed; ``laplace``), the
    posterior mean (white dot) and a title. ``update(title, post, lap)``."""

    def __init__(self, ax, grid: Grid, laplace: bool = True, live_title: bool = True):
        self.ax, self.density = ax, DensityPanel(ax, grid, "Blues")
        self.live_title = live_title  # False: the title is left as it is (a widget's caption)
        self.ellipses = ax.plot([], [], "--", color="C3", lw=1.3)[0]
        self.map = ax.plot([], [], "x", color="C3", ms=9, mew=2, label="MAP + Laplace")[0]
        self.mean = ax.plot([], [], "o", color="w", mec="k", ms=6, label="posterior mean")[0]
        ax.set_xlabel("latent z1 (latent units)")
        ax.set_ylabel("latent z2 (latent units)")
        handles = [self.map, self.mean] if laplace else [self.mean]
        self.legend = ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=1)
        self.dynamic = [*self.density.artists, self.ellipses, self.map, self.mean,
                        *ax.spines.values()] + ([ax.title] if live_title else [])  # fmt: skip

    def update(self, title: str, post: GridPosterior, lap: Laplace | None) -> None:
        self.density.update(post)
        self.ellipses.set_data(*(ellipses(lap.mean, lap.cov) if lap else ([], [])))
        self.map.set_data(*(([lap.mean[0]], [lap.mean[1]]) if lap else ([], [])))
        self.mean.set_data([post.mean[0]], [post.mean[1]])
        if self.live_title:
            self.ax.set_title(title, fontsize=10)


def hard_posterior_figure(
    panels: Sequence[tuple[str, GridPosterior, Laplace | None]], size: float = 4.0
) -> Figure:
    """One :class:`HardPanel` per (title, grid posterior, Laplace approximation or None)."""
    fig = Figure(figsize=(size * len(panels), size * 0.95))
    for i, (title, post, lap) in enumerate(panels):
        HardPanel(fig.add_subplot(1, len(panels), i + 1), post.grid, lap is not None).update(
            title, post, lap
        )
    fig.tight_layout()
    return fig


class HardPosteriorPlot(LivePlot):
    """The widget's one-panel :func:`hard_posterior_figure`, kept: ``update(*hard_panel(...))``."""

    def __init__(
        self, grid: Grid, size: float = 5.0, dpi: float | None = None, caption: bool = False
    ):
        self.caption = "" if caption else None
        self.fig = Figure(figsize=(size, size * 0.95), dpi=dpi)
        self.panel = HardPanel(self.fig.add_subplot(), grid, live_title=not caption)
        title = "exact posterior p(z|x), MAP and Laplace" if caption else "model\nKL"
        self.panel.ax.set_title(title, fontsize=10)  # (two lines, as the titles it gets)
        self.fig.tight_layout()
        self.dynamic, self.on_top = self.panel.dynamic, [self.panel.legend]

    def update(self, title: str, post: GridPosterior, lap: Laplace) -> HardPosteriorPlot:
        self.panel.update(title, post, lap)
        if self.caption is not None:
            self.caption = title.replace("\n", "; ")
        return self


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


def map_near(model: LatentModel, x: np.ndarray, post: GridPosterior) -> np.ndarray | None:
    """The MAP by Newton's method from the grid's best point, which lies within a cell of the
    global maximum when the grid covers the posterior: 3-5 steps, each with the gradient and
    Hessian from one vectorized call of the log joint on a stencil (central differences: 0.1 ms
    a step against 1.3 ms by autograd; the Laplace approximation then takes the autograd
    Hessian at the result). None if a step fails (a Hessian that is not positive definite, no
    convergence)."""
    z, best = post.mode.astype(np.float64), float(np.max(post.log_joint))
    for _ in range(20):
        g, h = finite_differences(lambda p: model.log_joint(x, p), z)
        if np.any(np.linalg.eigvalsh(-h) <= 0):
            return None
        step = np.linalg.solve(-h, g)
        z = z + step
        if np.max(np.abs(step)) < 1e-7:  # central differences resolve steps to about 1e-9
            ok = float(model.log_joint(x, z[None])[0]) >= best - 1e-9
            return z if ok else None
    return None


def hard_panel(
    name: str, beta: float | None = None, x: np.ndarray | None = None, resolution: int = 121
) -> tuple[str, GridPosterior, Laplace]:
    """Grid posterior (``resolution`` points per axis) and Laplace approximation of
    ``latent_models.hard_example(name, beta, x)`` (the MAP: Newton from the grid's best point;
    L-BFGS from several starts if that fails)."""
    model, obs, limits = hard_example(name, beta=beta, x=x)
    post = posterior_on_grid(lambda p: model.log_joint(obs, p), make_grid(limits, resolution))
    lap = laplace_approximation(model, obs, mode=map_near(model, obs, post))
    kl = post.kl_from(lap.log_density(post.grid.points))
    setting = (
        "" if name == "logistic" else f", x = ({obs[0]:.2f}, {obs[1]:.2f}), β = {model.beta:.3g}"
    )
    return f"{name}{setting}\nKL(Laplace || exact) = {kl:.3f} nats", post, lap
