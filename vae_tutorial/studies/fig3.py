"""Reproduce the paper's Figure 3: the marginal likelihood against the training-set size for
AEVB, wake-sleep and Monte Carlo EM (section 5, Appendix D).

``python -m vae_tutorial reproduce fig3`` trains, for each training-set size N (the first N
binarized MNIST training digits), one model per method with the paper's setup: Nz = 3, 100
tanh hidden units, Bernoulli decoder, M = 100, L = 1, weights initialised from N(0, 0.01),
Adagrad with its step size chosen from {0.01, 0.02, 0.1} by the training objective after a
short trial, and the weight decay 1/N that the parameters' N(0, I) prior implies (MAP on
the per-datapoint objective). MCEM runs only where it is practical (N <= 10,000: it keeps a
posterior sample per training point and is not on-line, as the paper notes).

The marginal likelihood log p(x) is estimated by annealed importance sampling from the prior
(the same for every method: MCEM has no encoder to start from), averaged over a fixed test
subset and over training points; each run also checks its AIS against the exact 3-D grid
integral (:mod:`vae_tutorial.core.exact`) on a few test digits and records the difference.
Results go to ``data/fig3/NAME.json`` through the study runner (resumable).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..core.config import ExperimentConfig, ModelConfig, TrainConfig
from ..datasets.subsets import representative
from .fig2_paper import choose_lr
from .runner import Task, load_results, run_study, select_runs

FORMAT = 1
SIZES = (1_000, 3_000, 10_000, 30_000, 50_000)
METHODS = ("aevb", "wake_sleep", "mcem")
MCEM_MAX_N = 10_000
#: training samples evaluated per run, about equal CPU time per method (an MCEM sample costs
#: 10 leapfrog steps and 5 weight steps); the paper's Figure 3 ran far longer
BUDGET = {"aevb": 1_000_000, "wake_sleep": 1_000_000, "mcem": 300_000}
TRIAL_SAMPLES = 50_000  # the step size: fig2_paper.choose_lr over its LRS
#: the marginal likelihood: AIS from the prior on these many test / training digits
N_TEST, N_TRAIN_EVAL, N_GRID_CHECK = 500, 500, 20
AIS = {"chains": 8, "steps": 200, "leapfrog": 5, "step_size": 0.05, "start": "prior"}


def experiment(method: str, n_train: int, lr: float = 0.02, samples: int | None = None):
    """The run of ``method`` on the first ``n_train`` training digits (the paper's setup)."""
    train = TrainConfig(
        optimizer="adagrad",
        lr=lr,
        weight_decay=1.0 / n_train,
        batch_size=100,
        n_samples=1,
        max_samples=samples or BUDGET[method],
        eval_every=samples or BUDGET[method],
        eval_train_size=min(n_train, 1_000),
        eval_test_size=1_000,
        seed=0,
        threads=1,
        algorithm=method,
        init_std=0.01,
    )
    model = ModelConfig(x_dim=784, z_dim=3, hidden=(100,), likelihood="bernoulli")
    return ExperimentConfig(f"fig3-{method}-n{n_train}", "mnist-binarized", model, train)


def runs(samples: int | None = None) -> dict[str, ExperimentConfig]:
    """Every Figure 3 run by name (``aevb-n1000`` ...); ``samples`` overrides the budgets."""
    return {
        f"{m}-n{n_train}": experiment(m, n_train, samples=samples)
        for n_train in SIZES
        for m in METHODS
        if m != "mcem" or n_train <= MCEM_MAX_N
    }


def tasks(names: Sequence[str] | None = None, samples: int | None = None) -> list[Task]:
    all_runs = runs(samples)
    out = []
    for name in select_runs(names, all_runs, "fig3 run"):
        exp = all_runs[name]
        cost = exp.train.max_samples * (15 if exp.train.algorithm == "mcem" else 1)
        args = {"name": name, "experiment": exp.to_dict(), "ais": AIS}
        out.append(Task(name, "vae_tutorial.studies.fig3:train_run", args, cost))
    return out


def train_run(name: str, experiment: dict, ais: dict) -> tuple[dict, dict]:
    """One Figure 3 run: choose the step size, train, estimate log p(x) by AIS on test and
    training digits, and check AIS against the exact 3-D grid on a few test digits."""
    from ..core.ais import ais as run_ais
    from ..core.exact import log_px_grid
    from ..core.model import build_model
    from ..core.train import fit
    from ..datasets import load

    t0 = time.perf_counter()
    exp = ExperimentConfig.from_dict(experiment)
    ds = load(exp.data)
    n_train = int(round(1.0 / exp.train.weight_decay))
    x = ds.train[:n_train]
    exp, scores = choose_lr(exp, x, TRIAL_SAMPLES)
    model = build_model(exp.model, seed=0)
    eval_at = None if exp.train.algorithm == "mcem" else _log_points(exp.train.max_samples)
    hist = fit(model, (x, ds.test), exp.train, progress=False, eval_at=eval_at or [])
    if hist.interrupted:
        raise KeyboardInterrupt(f"{name} was interrupted; nothing written")
    train_seconds = time.perf_counter() - t0
    model.eval()
    every = ds.test.shape[0] // N_TEST
    test = ds.test[::every][:N_TEST]
    tr = x[:: max(1, n_train // N_TRAIN_EVAL)][:N_TRAIN_EVAL]
    res = {k: run_ais(model, v, seed=0, **ais) for k, v in (("test", test), ("train", tr))}
    # the grid check: 20 of the evaluation digits with every class in proportion (the test set
    # is sorted by class, so the first 20 would all be zeros)
    check = representative(N_GRID_CHECK, labels=ds.test_labels[::every][:N_TEST])
    grid = log_px_grid(model, test[check])
    diff = res["test"].log_px[check] - grid.log_px
    record = {
        "format": FORMAT,
        "name": name,
        "experiment": exp.to_dict(),
        "n_train": n_train,
        "lr_trials": scores,
        "history": hist.to_dict(),
        "log_px": {
            k: {
                "mean": float(r.log_px.mean()),
                "stderr": float(r.log_px.std(ddof=1) / np.sqrt(len(r.log_px))),
                "n": int(len(r.log_px)),
                "median_ess": float(np.median(r.ess)),
                "acceptance": float(r.acceptance),
            }
            for k, r in res.items()
        },
        "estimator": {**ais, "what": "AIS from the prior (Neal 2001), HMC transitions"},
        "grid_check": {
            "n": N_GRID_CHECK,
            "digits": "Dataset.subset-style: every class in proportion among the evaluation digits",
            "mean_ais_minus_exact": float(diff.mean()),
            "max_abs": float(np.abs(diff).max()),
            "grid_converged": int(grid.converged.sum()),
        },
        "train_seconds": round(train_seconds, 1),
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "torch": torch.__version__,
    }
    return record, {}


def _log_points(budget: int, n: int = 12) -> list[int]:
    return sorted({int(round(p / 100)) * 100 for p in np.geomspace(1e4, budget, n)} | {budget})


def load_logs(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The finished runs in ``out_dir`` by name, in the order of :func:`runs`; an unreadable
    or incomplete log raises :class:`DataError` naming it and what to do."""

    def check(rec: dict) -> None:
        float(rec["log_px"]["test"]["mean"]), float(rec["log_px"]["train"]["mean"])

    return load_results(Path(out_dir), "fig3", list(runs()), check)


def run_all(names=None, out_dir: Path | str = "data/fig3", jobs: int = 1, samples=None,
            cluster=None, progress: bool = True) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Run the selected Figure 3 runs that are not done; return every selected run's log."""
    chosen = tasks(names, samples)
    run_study(chosen, out_dir, jobs=jobs, cluster=cluster, progress=progress, label="fig3")
    logs = load_logs(Path(out_dir))
    return {t.name: logs[t.name] for t in chosen}


def fig3_table(logs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per run: method, N, chosen step size, budget, log p(x) (AIS) on test and
    training digits with standard errors, and the AIS - exact check."""
    return [
        {
            "method": g["experiment"]["train"].get("algorithm", "aevb"),
            "n_train": g["n_train"],
            "lr": g["experiment"]["train"]["lr"],
            "budget": g["experiment"]["train"]["max_samples"],
            "test": g["log_px"]["test"]["mean"],
            "test_se": g["log_px"]["test"]["stderr"],
            "train": g["log_px"]["train"]["mean"],
            "ais_minus_exact": g["grid_check"]["mean_ais_minus_exact"],
        }
        for g in logs.values()
    ]


def summary(logs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What ``reproduce fig3`` prints: per run, log p(x) (AIS) on test and train digits."""
    return {
        n: {"test_log_px": round(g["log_px"]["test"]["mean"], 2),
            "train_log_px": round(g["log_px"]["train"]["mean"], 2),
            "lr": g["experiment"]["train"]["lr"],
            "ais_minus_exact": round(g["grid_check"]["mean_ais_minus_exact"], 3)}
        for n, g in logs.items()
    }  # fmt: skip
