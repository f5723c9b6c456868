"""``HardPosteriorExplorer`` on the static site (``page_hard_posterior.js``; the contract is in
:mod:`.page`): the page recomputes what :func:`~vae_tutorial.viz.posteriors.hard_panel` does.

The state holds each model of the dropdown as layers (weights, biases, activation), its prior
precision, grid limits and :func:`~vae_tutorial.theory.laplace.map_starts` (L-BFGS's starting
points, where the page starts its own search when Newton from the grid's best point fails),
and the colors of the density bands. The page computes the mean function on the grid once per
model; a move of x or beta then costs one pass over the grid for the log joint, one for the
normalisation and one for the KL. Where Newton fails the page cannot retrace L-BFGS: it keeps
the best local maximum of its own line-searched Newton runs from the same starts, which is
L-BFGS's mode except, rarely, when the modes lie far outside the grid (see the script).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..theory.laplace import map_starts
from ..theory.latent_models import MLPGaussian, SigmoidGaussian, hard_example
from ..viz.live import MASSES, _bands
from ..viz.posteriors import _map_near, hard_panel
from .page import control_specs

MODULE = "hard_posterior"
RESOLUTION = 121  # grid points per axis, as the widget's hard_panel
TITLE = "exact posterior p(z|x), MAP and Laplace"  # HardPosteriorPlot's fixed title


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
    """What ``page_hard_posterior.js`` needs (JSON-able)."""
    palette = (_bands("Blues")(np.arange(10))[:, :3] * 255).round().astype(int)
    return {
        "module": MODULE,
        "controls": control_specs(view.page_controls()),
        "models": {name: model_state(name) for name in view.model.options},
        "resolution": RESOLUTION,
        "masses": list(MASSES),
        "palette": palette.tolist(),  # 10 bands of density / max: white, then Blues
        "title": TITLE,
    }


def page_values(view: Any) -> dict[str, Any]:
    """What the package computes for the view's controls, named as the page's ``values()``:
    ``density`` (N,) the normalised posterior on the grid points (z1 slow, z2 fast, as
    ``Grid.points``), ``log_evidence``, ``mean`` (2,), ``map`` (2,), ``cov`` [c11, c12, c22]
    of the Laplace approximation, ``kl`` KL(Laplace || exact) in nats, ``fallback``: whether
    Newton from the grid's best point failed (the MAP is then L-BFGS's), and ``caption``."""
    name, beta = view.model.value, 10**view.log10_beta.value
    x = np.array([s.value for s in view.x], dtype=float)
    title, post, lap = hard_panel(name, beta=beta, x=x, resolution=RESOLUTION)
    model, obs, _ = hard_example(name, beta=beta, x=x)
    return {
        "density": post.density,
        "log_evidence": post.log_evidence,
        "mean": post.mean.tolist(),
        "map": lap.mean.tolist(),
        "cov": [float(lap.cov[0, 0]), float(lap.cov[0, 1]), float(lap.cov[1, 1])],
        "kl": post.kl_from(lap.log_density(post.grid.points)),
        "fallback": _map_near(model, obs, post) is None,
        "caption": title.replace("\n", "; "),
    }
