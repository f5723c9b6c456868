"""Model families compared on the same data (notebook 07; seed 001, sections 3.6 and 4-6).

The seed trained three decoders on MNIST with a 2-D latent: Model 1 Bernoulli (binarized
pixels), Model 2 homoscedastic Gaussian, Model 3 heteroscedastic Gaussian, and offered but
never ran a Poisson decoder and an exponential latent. Here all of them are shipped models
trained on the same 8,000 grey MNIST images (``mnist-grey``; ``mnist-grey-binarized`` for
the Bernoulli decoders) and compared on the same 2,000 test images.

Pure functions: numbers and arrays out. Figures import matplotlib inside the function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..core.estimators import evaluate
from ..core.latent_space import encode_means, reconstruct
from ..core.likelihoods import LEVELS  # an 8-bit grey level k is stored as x = k / 255
from ..core.model import VAE


@dataclass(frozen=True)
class Family:
    """One shipped model of notebook 07 and how its log-likelihood is measured."""

    name: str
    label: str
    scale: str  # what log p(x) is a log of: "pmf {0,1}", "density [0,1]", "pmf 256 levels"


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("mnist-grey-bernoulli", "Model 1: Bernoulli", "pmf {0,1}"),
        Family("mnist-grey-shared", "Model 2: Gaussian, shared variance", "density [0,1]"),
        Family("mnist-grey-hetero", "Model 3: Gaussian, variance g(z)", "density [0,1]"),
        Family("mnist-grey-floor", "Model 3 + variance floor", "density [0,1]"),
        Family("mnist-grey-poisson", "Poisson grey-level counts", "pmf 256 levels"),
        Family("mnist-grey-exponential", "Bernoulli, exponential latent", "pmf {0,1}"),
    )
}


def density_to_bin_mass(log_density: float, dims: int, levels: int = LEVELS) -> float:
    """log P(bins) ~= log p(x) + D log(1 / levels): a density on [0, 1]^D turned into the
    probability of the D grey-level bins of width 1/levels around x (nats). Only valid when
    the density is nearly flat across a bin, i.e. the decoder's standard deviation is many
    times 1/levels; a collapsed variance breaks it (and the density is then unbounded)."""
    return log_density - dims * math.log(levels)


def latent_separation(points: np.ndarray, labels: np.ndarray, k: int = 10, seed: int = 0) -> float:
    """How well the encoder means (N, 2) separate the classes: 5-fold cross-validated
    accuracy of a k-nearest-neighbour classifier in latent space, in [0, 1] (chance: 0.1)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    points = np.asarray(points, dtype=np.float64)
    if not np.isfinite(points).all():
        return float("nan")
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    scores = cross_val_score(KNeighborsClassifier(k), points, np.asarray(labels), cv=folds)
    return float(scores.mean())


def reconstruction_errors(model: VAE, x_input: torch.Tensor, x_target: torch.Tensor) -> np.ndarray:
    """Mean absolute error per image between E[x | z = E_q[z|x_input]] and ``x_target``
    (the grey image), both (N, D) in [0, 1] -> (N,) (seed 001, Fig. 6)."""
    recon = reconstruct(model, x_input)
    return np.abs(recon - np.asarray(x_target, dtype=np.float32)).mean(axis=1)


def held_out_row(
    family: Family, model: VAE, x_test: torch.Tensor, k: int, seed: int = 0
) -> dict[str, float | str | None]:
    """Test ELBO and importance-sampled log p(x) (K = ``k``) in nats per image, plus, for a
    density, the same per-image numbers as approximate masses of the 256-level bins."""
    torch.manual_seed(seed)
    r = evaluate(model, x_test, k=k, batch_size=500 if k == 0 else 100)
    row: dict[str, float | str | None] = {
        "model": family.label,
        "name": family.name,
        "log p(x) is a log of": family.scale,
        "test ELBO": r["elbo"],
        "test log p(x) (IS)": r["log_px"],
        "ELBO as bin mass": None,
    }
    if family.scale.startswith("density"):
        row["ELBO as bin mass"] = density_to_bin_mass(r["elbo"], x_test.shape[1])
    elif family.scale == "pmf 256 levels":
        row["ELBO as bin mass"] = r["elbo"]
    return row


def latent_summary(model: VAE, x: torch.Tensor, labels: torch.Tensor) -> dict[str, object]:
    """Encoder means (N, 2) of x and their class separation (see :func:`latent_separation`)."""
    points = encode_means(model, x)
    return {"points": points, "separation": latent_separation(points, labels.numpy())}


def scatter_panels(
    panels: dict[str, np.ndarray],
    labels: np.ndarray,
    separations: dict[str, float] | None = None,
    size: float = 3.6,
):
    """One latent scatter per model, colored by digit: {title: points (N, 2)} -> Figure.
    Each panel has its own limits (the latent families differ in scale)."""
    from matplotlib.figure import Figure

    n = len(panels)
    fig = Figure(figsize=(size * n + 1.0, size + 0.9), dpi=80, layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    sc = None
    for ax, (title, pts) in zip(axes, panels.items(), strict=True):
        lo, hi = np.percentile(pts, [0.5, 99.5], axis=0)
        pad = 0.1 * (hi - lo)
        kw = dict(c=labels, cmap="tab10", vmin=-0.5, vmax=9.5, s=2, alpha=0.7, linewidths=0)
        sc = ax.scatter(pts[:, 0], pts[:, 1], **kw)
        ax.set(xlim=(lo[0] - pad[0], hi[0] + pad[0]), ylim=(lo[1] - pad[1], hi[1] + pad[1]))
        ax.set(xlabel="z1 (mean of q(z|x))", ylabel="z2")
        extra = f"\nkNN accuracy {separations[title]:.0%}" if separations else ""
        ax.set_title(title + extra, fontsize=9)
    fig.colorbar(sc, ax=list(axes), ticks=range(10), label="digit label", shrink=0.9)
    fig.suptitle("Encoder means of 2,000 grey MNIST test digits", fontsize=10)
    return fig


def error_histograms(errors: dict[str, np.ndarray], bins: int = 40):
    """Distributions of per-image mean absolute reconstruction error, one line per model
    (seed 001, Fig. 6), on the same test images -> Figure."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.8), dpi=80)
    ax = fig.add_subplot()
    top = max(float(np.percentile(e, 99.5)) for e in errors.values())
    edges = np.linspace(0, top, bins + 1)
    for label, e in errors.items():
        label = f"{label} (median {np.median(e):.3f})"
        ax.hist(e, bins=edges, histtype="step", linewidth=1.6, label=label)
    ax.set_xlabel("mean |x - reconstruction| per image (grey levels / 255)")
    ax.set_ylabel("test images")
    ax.set_title("Reconstruction error on 2,000 grey MNIST test digits")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def logvar_profile(model: VAE, x: torch.Tensor) -> np.ndarray:
    """The heteroscedastic decoder's log-variance per pixel at z = E_q[z|x], averaged over
    the rows of x (N, D) -> (D,). Shows where the variance collapses (the always-black
    border pixels)."""
    with torch.inference_mode():
        out = model.decoder(model.encode_mean(x))
        _, logvar = model.likelihood.split(out)
    return logvar.mean(0).numpy()


def divergence_figure(history: dict, title: str):
    """Train and test ELBO (nats) of a run whose test ELBO runs away: a symmetric-log y axis
    so that +3,000 and -10^12 fit on one plot. ``history``: History.to_dict()."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.8), dpi=80)
    ax = fig.add_subplot()
    s = np.asarray(history["samples"], dtype=float)
    ax.plot(s, history["train_elbo"], "o--", ms=3, label="train (2,000 images)")
    test = np.asarray(history["test_elbo"], dtype=float)
    ax.plot(s, test, "o-", ms=3, label="test (2,000 images)")
    ax.set_yscale("symlog", linthresh=1000)
    ax.set_xlabel("training samples evaluated")
    ax.set_ylabel("ELBO per image (nats, symlog scale)")
    ax.set_title(title, fontsize=10)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def logvar_figure(profile: np.ndarray, image_shape: tuple[int, int] = (28, 28), title: str = ""):
    """A per-pixel log-variance map (D,) as an image with a color bar (nats of log sigma^2)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 3.8), dpi=80)
    ax = fig.add_subplot()
    im = ax.imshow(profile.reshape(image_shape), cmap="viridis")
    fig.colorbar(im, ax=ax, label="log sigma^2 of the decoder")
    ax.set(xticks=[], yticks=[], title=title)
    fig.tight_layout()
    return fig
