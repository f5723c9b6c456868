"""Figures of the EM Bernoulli-mixture baseline (notebook 07): the component means and the
log-likelihood per EM iteration. Pure: arrays in, matplotlib Figure out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from ..studies.mixture import BernoulliMixture, EMHistory


def component_figure(
    mixture: BernoulliMixture,
    image_shape: tuple[int, int] = (28, 28),
    ncols: int = 10,
    data_name: str = "binarized MNIST",
) -> Figure:
    """Component images p(x_d = 1 | z = k) as grey images, pi_k under each -> Figure."""
    means, w = mixture.means, mixture.weights
    ncols = min(ncols, mixture.components)
    nrows = -(-mixture.components // ncols)
    fig = Figure(figsize=(1.2 * ncols, 1.45 * nrows + 0.6))
    for i in range(mixture.components):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(means[i].reshape(image_shape), cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"k={i}: π={w[i]:.3f}", fontsize=8)
    fig.suptitle(
        f"Mixture of {mixture.components} Bernoullis fitted by EM on {data_name}\n"
        "each image: p(x_d = 1 | z = k) from 0 (black) to 1 (white)"
    )
    fig.tight_layout()
    return fig


def history_figure(history: EMHistory, data_name: str = "binarized MNIST") -> Figure:
    """Average train log-likelihood (and MAP objective, dashed) against EM iteration -> Figure."""
    fig = Figure(figsize=(6, 3.8))
    ax = fig.add_subplot()
    it = np.arange(len(history.log_likelihood))
    ax.plot(it, history.log_likelihood, "o-", ms=3, label="average train log p(x)")
    if not np.allclose(history.objective, history.log_likelihood):
        ax.plot(it, history.objective, "--", label="MAP objective (log p(x) + log prior / N)")
    ax.set_xlabel("EM iteration (0 = initialisation)")
    ax.set_ylabel("average train log-likelihood (nats per image)")
    ax.set_title(f"EM for a Bernoulli mixture on {data_name} (higher is better)")
    ax.legend(loc="lower right")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig
