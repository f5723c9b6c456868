"""Notebook 09's figures: labelled axes naming the quantity and its units."""

import numpy as np

from vae_tutorial.viz import beyond as vb


def _result(name, rate, dist, active):
    return {"name": name, "rate": rate, "distortion": dist, "active_units": active,
            "rate_per_dim": list(np.linspace(0, 2, 20)),
            "mean_variance": list(np.logspace(-4, 0, 20)),
            "elbo_same_1000_digits": -100.0 - rate, "log_px_is_k1000_1000_digits": -95.0,
            "seconds_per_step": 0.01}  # fmt: skip


def test_rate_distortion_and_per_dim_figures():
    res = {"beta-1": _result("beta-1", 25, 75, 18), "beta-4": _result("beta-4", 10, 100, 6),
           "iwae-k5": _result("iwae-k5", 20, 80, 20)}  # fmt: skip
    fig = vb.rate_distortion_figure(res, highlight="beta-4")
    ax = fig.axes[0]
    assert (
        "rate" in ax.get_xlabel() and "nats" in ax.get_xlabel() and "distortion" in ax.get_ylabel()
    )
    fig2 = vb.rate_per_dim_figure(res["beta-4"])
    assert len(fig2.axes) == 2 and "6 of 20 units active" in fig2.axes[1].get_title()


def test_iwae_figure_has_k_on_a_log_axis():
    summary = {
        k: {
            "elbo": np.array([-100.0, -101.0, -99.5]) - k,
            "log_px": np.array([-95.0, -95.5, -94.8]),
            "ms_per_step": np.array([10.0, 11.0, 12.0]) * k,
        }
        for k in (1, 5, 50)
    }
    fig = vb.iwae_figure(summary)
    assert fig.axes[0].get_xscale() == "log" and "nats" in fig.axes[0].get_ylabel()
    assert "3 seeds" in fig.axes[0].get_legend().get_texts()[0].get_text()
