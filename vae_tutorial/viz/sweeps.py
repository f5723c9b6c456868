"""Figures of the design sweeps (notebook 08): tables and images from
:mod:`vae_tutorial.studies.sweeps` in, matplotlib ``Figure`` out (matplotlib imported inside)."""

from __future__ import annotations

import numpy as np

YLABEL = "test ELBO (nats per digit, higher is better)"


def _title(what: str, row: dict, digits: str = "10,000 test digits") -> str:
    return (
        f"{what}\nstatic binarized MNIST, {digits}\n{row['budget']:,} training "
        f"samples per run, {len(row['seeds'])} seeds"
    )


def _seed_points(ax, x, rows: list[dict], fmt: str, label: str) -> None:
    """Mean test ELBO with bars from the lowest to the highest seed, each seed as a dot."""
    mean = np.array([r["test_elbo_mean"] for r in rows])
    spread = [mean - [r["test_elbo_min"] for r in rows], [r["test_elbo_max"] for r in rows] - mean]
    ax.errorbar(x, mean, yerr=spread, fmt=fmt, capsize=4, label=label)
    for xi, r in zip(x, rows, strict=True):
        ys = r["test_elbo_by_seed"]
        ax.plot([xi] * len(ys), ys, ".", color="0.3", ms=4)
    ax.set_ylabel(YLABEL)
    ax.grid(True, alpha=0.3)


def latent_size_figure(tables: dict[str, list[dict]]):
    """Final test ELBO against latent size k (log axis): mean, min-max bars, seeds as dots."""
    from matplotlib.figure import Figure

    rows = tables["latent"]
    k = [r["z_dim"] for r in rows]
    fig = Figure(figsize=(6.5, 4.3))
    ax = fig.add_subplot()
    _seed_points(ax, k, rows, "o-", "mean over seeds (bars: lowest to highest seed)")
    ax.set_xscale("log")
    ax.set_xticks(k, [str(v) for v in k], minor=False)
    ax.minorticks_off()
    ax.set(xlabel="latent size k (dimensions of z)")
    what = "Latent size k: encoder q(z|x) 784-500-k, decoder p(x|z) k-500-784"
    ax.set_title(_title(what, rows[0]), fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def width_figure(tables: dict[str, list[dict]]):
    """Final test ELBO per pair of hidden widths (m, n) at k = 20; dashed: the one-layer
    784-500-20 model of the latent sweep (same budget) when ``tables`` has it."""
    from matplotlib.figure import Figure

    rows = tables["width"]
    fig = Figure(figsize=(6.5, 4.3))
    ax = fig.add_subplot()
    x = np.arange(len(rows))
    _seed_points(ax, x, rows, "o", "mean over seeds (bars: lowest to highest seed)")
    ref = [r for r in tables.get("latent", []) if r["z_dim"] == 20]
    if ref:
        ax.axhline(ref[0]["test_elbo_mean"], ls="--", color="C1", label="one hidden layer of 500")
    ax.set_xticks(x, [f"m = {r['hidden'][0]}\nn = {r['hidden'][1]}" for r in rows])
    ax.set(xlabel="hidden widths: encoder 784-m-n-20, decoder 20-n-m-784")
    ax.set_title(_title("Two hidden layers of widths m, n (k = 20)", rows[0]), fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def length_figure(tables: dict[str, list[dict]]):
    """Test ELBO (evenly spaced 5,000-digit subset) against training samples evaluated (log
    axis), one thin line per seed and the mean; square: final ELBO on all test digits."""
    from matplotlib.figure import Figure

    rows = [r for r in tables["length"] if r["samples"] > 0]
    curve, final = rows[:-1], rows[-1]
    s = [r["samples"] for r in curve]
    fig = Figure(figsize=(6.5, 4.3))
    ax = fig.add_subplot()
    for i, seed in enumerate(final["seeds"]):
        ax.plot(s, [r["test_elbo_by_seed"][i] for r in curve], lw=0.8, label=f"seed {seed}")
    ax.plot(s, [r["test_elbo_mean"] for r in curve], "k-", lw=2, label="mean over seeds")
    _seed_points(ax, [final["samples"]], [final], "s", "final, all 10,000 test digits")
    ax.set_xscale("log")
    ax.set_ylim(min(r["test_elbo_min"] for r in curve) - 10, final["test_elbo_max"] + 10)
    ax.set(xlabel="training samples evaluated")
    digits = "curve: 5,000-digit subset; square: all 10,000 test digits"
    ax.set_title(_title("Training length: 784-500-20 (k = 20)", final, digits), fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def gallery_images(results: dict[str, dict], sweep: str = "latent", seed: int = 0) -> dict:
    """Row label (``k = 2`` or ``100-500``) -> images of the ``sweep`` runs with ``seed``."""
    out = {}
    for r in results.values():
        if r["sweep"] == sweep and r["seed"] == seed:
            m = r["experiment"]["model"]
            label = "-".join(map(str, m["hidden"])) if sweep == "width" else f"k = {m['z_dim']}"
            out[label] = r["images"]
    return out


def gallery_figure(images: dict[str, dict[str, np.ndarray]], budget: int, seed: int = 0):
    """Left: one test digit per class (top row) and each model's reconstructions (one row
    per label); right: each model's decoder means E[x|z] for 10 draws z ~ p(z).
    images: label -> {"originals", "reconstructions", "samples"}: (10, 28, 28) uint8."""
    from matplotlib.figure import Figure

    from .images import tile

    labels = list(images)
    panels = (
        (
            "reconstructions E[x | z = mean of q(z|x)]",
            ["test digits", *labels],
            [images[labels[0]]["originals"], *(images[k]["reconstructions"] for k in labels)],
        ),
        ("samples E[x|z], z ~ p(z)", labels, [images[k]["samples"] for k in labels]),
    )
    fig = Figure(figsize=(12, 0.5 * len(labels) + 1.8))
    for j, (what, names, rows) in enumerate(panels):
        ax = fig.add_subplot(1, 2, j + 1)
        h = rows[0].shape[1] + 1
        ax.imshow(tile(np.concatenate(rows) / 255.0, ncols=10), cmap="gray", vmin=0, vmax=1)
        ax.set_yticks([i * h + h // 2 for i in range(len(names))], names)
        ax.set_xticks([])
        ax.set_title(what, fontsize=10)
    fig.suptitle(
        f"Static binarized MNIST (10,000 test digits): models after {budget:,} training "
        f"samples, seed {seed}"
    )
    fig.tight_layout()
    return fig
