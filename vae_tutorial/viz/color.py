"""Figures of notebook 08's color study: originals, reconstructions and samples of the joint
and the per-channel models, labelled with bits per dimension. Pure: arrays in, Figure out."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..studies.color import DATA_NAME


def _grid(fig, rows: list[tuple[str, np.ndarray]], title: str):
    ncol = max(len(imgs) for _, imgs in rows)
    axes = fig.subplots(len(rows), ncol, squeeze=False)
    for r, (label, imgs) in enumerate(rows):
        for c in range(ncol):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for s in ax.spines.values():
                s.set_visible(False)
            if c < len(imgs):
                ax.imshow(np.asarray(imgs[c]).transpose(1, 2, 0), interpolation="nearest")
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(title, fontsize=10)
    return fig


def _bpd(label: str, bpd: float | None) -> str:
    return label if bpd is None else f"{label}\n{bpd:.2f} bits/dim"


def comparison_figure(
    originals: np.ndarray,
    recon_joint: np.ndarray,
    recon_channels: np.ndarray,
    bpd_joint: float | None = None,
    bpd_channels: float | None = None,
    data_name: str = f"{DATA_NAME}, 1,000 test images",
):
    """Rows: originals / joint conv VAE reconstructions / three channel VAEs' stacked
    reconstructions; each (N, 3, H, W) in [0, 1]. Row labels carry the test bits/dim."""
    n = len(originals)
    fig = Figure(figsize=(1.0 + 0.9 * n, 3.2))
    rows = [
        ("test image", originals),
        (_bpd("joint conv VAE", bpd_joint), recon_joint),
        (_bpd("3 channel VAEs", bpd_channels), recon_channels),
    ]
    title = f"Reconstructions, mean of p(x|z) at z = E[z|x] ({data_name})"
    return _grid(fig, rows, title)


def samples_figure(
    samples_joint: np.ndarray,
    samples_channels: np.ndarray,
    data_images: np.ndarray | None = None,
    bpd_joint: float | None = None,
    bpd_channels: float | None = None,
    data_name: str = DATA_NAME,
):
    """Rows: (optional) data / samples of the joint model / samples of the channel product
    (each channel's z drawn independently); each (N, 3, H, W) in [0, 1]."""
    rows = [] if data_images is None else [("data", data_images)]
    rows += [
        (_bpd("joint conv VAE", bpd_joint), samples_joint),
        (_bpd("3 channel VAEs", bpd_channels), samples_channels),
    ]
    n = max(len(r[1]) for r in rows)
    fig = Figure(figsize=(1.0 + 0.9 * n, 0.4 + 0.95 * len(rows)))
    title = f"Samples: mean of p(x|z), z ~ p(z) (models trained on the {data_name})"
    return _grid(fig, rows, title)
