"""``HardPosteriorExplorer`` on the static site (``page_hard_posterior.js``; the contract is in
:mod:`.page`): the page recomputes what :func:`~vae_tutorial.viz.posteriors.hard_panel` does.

The state holds each model of the dropdown as layers (weights, biases, activation), its prior
precision, grid limits and :func:`~vae_tutorial.theory.laplace.map_starts` (L-BFGS's starting
points, where the page starts its own search when Newton from the grid's best point fails),
and the colors of the density bands. The page computes the mean function on the grid once per
model; a move of x or beta then costs one pass over the grid for the log joint, one for the
normalisation and one for the KL. Where Newton fails the page cannot retrace L-BFGS: it keeps
the best local maximum of its own line-searched Newton runs from the same starts, which is
L-BFGS's mode except, rarely, when the modes lie far outside the grid (see the script). Where
the Laplace approximation fails (the negative Hessian at the mode is not positive definite),
the page does what the widget does: it keeps the last drawing and shows the error's line under
it, until a setting draws again.
"""

from __future__ import annotations

from typing import Any

from matplotlib.colors import to_hex

from ..theory.gaussian import MAHALANOBIS
from ..theory.laplace import NOT_POSITIVE_DEFINITE, map_starts
from ..theory.latent_models import MLPGaussian, SigmoidGaussian, hard_example
from ..viz.live import MASSES
from .base import error_line
from .page import control_specs

MODULE = "hard_posterior"


def _layers(model: Any) -> list[dict[str, Any]]:
    """The mean function f(z) as layers out = act(W in + b): W (out, in) nested lists."""
    if isinstance(model, SigmoidGaussian):
        return [{"W": model.W.tolist(), "b": model.b.tolist(), "act": "sigmoid"}]
    if isinstance(model, MLPGaussian):
        last = len(model.weights) - 1
        return [{"W": w.tolist(), "b": b.tolist(), "act": "linear" if k == last else "tanh"}
                for k, (w, b) in enumerate(model.weights)]  # fmt: skip
    raise TypeError(f"no page form for {type(model).__name__}")


def model_state(name: str) -> dict[str, Any]:
    """One dropdown option: its layers, alpha, grid limits and MAP starting points."""
    model, _, limits = hard_example(name)
    return {"layers": _layers(model), "alpha": float(model.alpha),
            "limits": [list(map(float, lim)) for lim in limits],
            "starts": map_starts(model).tolist()}  # fmt: skip


def page_state(view: Any) -> dict[str, Any]:
    """What ``page_hard_posterior.js`` needs (JSON-able): the models, and from the plot the view
    drew (``view.plot``, a HardPosteriorPlot): its grid size, title, legend and shades."""
    panel = view.plot.panel
    return {
        "module": MODULE,
        "controls": control_specs(view.page_controls()),
        "describe": view.describe(),
        "models": {name: model_state(name) for name in view.model.options},
        "resolution": len(panel.density.axes[0]),  # both models' grids: hard_panel's default
        "masses": list(MASSES),
        "radii": list(MAHALANOBIS),
        "palette": [to_hex(c) for c in panel.density.image.get_cmap().colors],
        "title": panel.ax.get_title(),
        "legend": [t.get_text() for t in panel.legend.get_texts()],  # the MAP, the mean
        "laplace_error": error_line(ValueError(NOT_POSITIVE_DEFINITE)),
    }


def page_values(view: Any) -> dict[str, Any]:
    """What the view shows now, named as the page's ``values()``: from the last drawing
    (``view.drawn``: hard_panel's title, grid posterior and Laplace approximation), ``density``
    (N,) the normalised posterior on the grid points (z1 slow, z2 fast, as ``Grid.points``),
    ``log_evidence``, ``mean`` (2,), ``map`` (2,), ``cov`` [c11, c12, c22] of the Laplace
    approximation, ``kl`` KL(Laplace || exact) in nats, ``caption``; and ``error``, the line
    under the image when the current setting could not be drawn (None if it was)."""
    _, post, lap = view.drawn
    return {
        "density": post.density,
        "log_evidence": post.log_evidence,
        "mean": post.mean.tolist(),
        "map": lap.mean.tolist(),
        "cov": [float(lap.cov[0, 0]), float(lap.cov[0, 1]), float(lap.cov[1, 1])],
        "kl": post.kl_from(lap.log_density(post.grid.points)),
        "caption": view.plot_caption,
        "error": view.error,
    }
