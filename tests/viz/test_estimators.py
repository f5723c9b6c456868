"""Figures 3 and the estimator check draw what they are given, with labelled axes."""

import numpy as np

from vae_tutorial.viz.estimators import estimator_figure, fig3_figure


def _log(method, n, test):
    return {
        "experiment": {"train": {"algorithm": method}},
        "n_train": n,
        "log_px": {s: {"mean": test - (s == "train"), "stderr": 0.5} for s in ("test", "train")},
        "estimator": {"chains": 8, "steps": 200, "leapfrog": 5},
    }


def test_fig3_figure_has_one_test_and_one_train_curve_per_method():
    pairs = [(m, n) for m in ("aevb", "wake_sleep", "mcem") for n in (1000, 10000)]
    logs = {f"{m}-n{n}": _log(m, n, -150 + i) for i, (m, n) in enumerate(pairs)}
    ax = fig3_figure(logs).axes[0]
    assert ax.get_xscale() == "log" and "nats" in ax.get_ylabel() and "AIS" in ax.get_ylabel()
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert labels == {f"{m}, {s}" for m in ("AEVB", "wake-sleep", "Monte Carlo EM")
                      for s in ("test", "train")}  # fmt: skip


def test_estimator_figure_plots_differences_from_the_exact_value():
    rng = np.random.default_rng(0)
    exact = rng.normal(-140, 10, 50)
    arrays = {"exact": exact, "elbo": exact - 10, "is": exact - rng.exponential(1, 50),
              "ais": exact - 0.1, "is_ess": rng.uniform(1, 5000, 50)}  # fmt: skip
    fig = estimator_figure(arrays, 5000, {"chains": 16, "steps": 300, "start": "prior"}, "mnist-z2")
    left, right = fig.axes
    lines = left.get_lines()
    assert np.allclose(lines[0].get_ydata(), -10) and np.allclose(lines[2].get_ydata(), -0.1)
    assert "exact" in left.get_ylabel() and "effective sample size" in right.get_xlabel()
