"""Reproduce the paper's Figure 2: train and test ELBO against training samples evaluated.

``python -m vae_tutorial reproduce fig2`` trains one VAE per (dataset, Nz) of the paper's
section 5 (MNIST: Nz = 3, 5, 10, 20, 200 with 500 tanh hidden units and a Bernoulli
decoder; Frey Face: Nz = 2, 5, 10, 20 with 200 tanh hidden units and a Gaussian decoder)
and writes one small JSON log per experiment to ``data/fig2/NAME.json``.

The training is Algorithm 1 exactly as :func:`vae_tutorial.core.train.fit` runs it (same
minibatch order, seeds and optimizer recipe as the shipped models), but evaluated at
*log-spaced* sample counts, because Figure 2 has a logarithmic x-axis: ``fit`` evaluates
every ``eval_every`` samples, which would leave the early phase with one or two points.
Evaluation protocol: the ELBO (estimator B, L = 1) averaged over a fixed, evenly spaced
subset of the training set and of the test set; at the end, the ELBO over the full test
and training sets (seed 0).

The runs go through :mod:`.runner` (worker processes on one machine, or a Dask cluster):
a finished experiment (its JSON carries the hash of its settings) is skipped; an experiment
interrupted part-way restarts from scratch; it is seeded, so the restarted run is identical.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..core.config import ExperimentConfig, ModelConfig, TrainConfig
from ..core.estimators import evaluate
from ..core.model import build_model
from ..core.train import fit
from ..settings import torch_threads
from .runner import Task, load_results, run_study, select_runs

FORMAT = 1
MNIST_Z = (3, 5, 10, 20, 200)
FREY_Z = (2, 5, 10, 20)
#: training samples evaluated per experiment (the paper ran up to ~1e8 with Adagrad)
BUDGETS = {"mnist-binarized": 1_000_000, "frey-faces": 2_000_000}
#: evaluation points per experiment, log-spaced from FIRST_EVAL samples to the budget
N_EVALS, FIRST_EVAL = 30, 1_000
#: fixed train / test subsets for the ELBO curves (Frey Face: all 1665 / 200 faces)
EVAL_SIZES = {"mnist-binarized": (5_000, 5_000), "frey-faces": (1_665, 200)}
#: the paper's final test ELBOs, read from its Figure 2 (nats)
PAPER_TEST_ELBO = {
    "mnist-z3": -133.0,
    "mnist-z5": -119.0,
    "mnist-z10": -103.0,
    "mnist-z20": -99.4,
    "mnist-z200": -99.6,
    "frey-z2": 870.0,
    "frey-z5": 1110.0,
    "frey-z10": 1310.0,
    "frey-z20": 1315.0,
}


def eval_points(max_samples: int, batch_size: int, n: int = N_EVALS, first: int = FIRST_EVAL):
    """0 and ~n log-spaced sample counts in [first, max_samples], multiples of batch_size,
    strictly increasing, ending at max_samples."""
    pts = np.geomspace(max(first, batch_size), max_samples, n)
    pts = np.round(pts / batch_size).astype(np.int64) * batch_size
    return (0, *sorted({int(p) for p in pts if 0 < p <= max_samples} | {max_samples}))


def fig2_experiments(samples: int | None = None) -> dict[str, tuple[ExperimentConfig, tuple]]:
    """The nine Figure 2 experiments by name (``mnist-z3`` ... ``frey-z20``) with their
    evaluation points; ``samples`` overrides every budget (default: :data:`BUDGETS`)."""
    budgets = {k: samples or v for k, v in BUDGETS.items()}
    runs: dict[str, tuple[ExperimentConfig, tuple]] = {}
    for data, zs, x_dim, hidden, lik, halflife in (
        ("mnist-binarized", MNIST_Z, 784, 500, "bernoulli", 1_500_000),
        ("frey-faces", FREY_Z, 560, 200, "gaussian", 1_000_000),
    ):
        n_train, n_test = EVAL_SIZES[data]
        for z in zs:
            name = f"{data.split('-')[0]}-z{z}"
            train = TrainConfig(
                optimizer="adam",
                lr=1e-3,
                lr_halflife=halflife,
                batch_size=100,
                n_samples=1,
                max_samples=budgets[data],
                eval_every=budgets[data],  # unused here: see eval_at
                eval_train_size=n_train,
                eval_test_size=n_test,
                seed=0,
                threads=1,
            )
            model = ModelConfig(x_dim=x_dim, z_dim=z, hidden=(hidden,), likelihood=lik)
            exp = ExperimentConfig(f"fig2-{name}", data, model, train)
            runs[name] = (exp, eval_points(budgets[data], train.batch_size))
    return runs


def tasks(names: Sequence[str] | None = None, samples: int | None = None) -> list[Task]:
    """The selected Figure 2 experiments (None: all) as study tasks of :func:`train_run`."""
    return training_tasks(fig2_experiments(samples), names, "vae_tutorial.studies.fig2:train_run")


def training_tasks(runs: dict, names, fn: str, resumable: bool = False) -> list[Task]:
    """Study tasks calling ``fn(name, experiment, eval_at)`` for the selected ``runs``
    ({name: (ExperimentConfig, eval points)}), costed by their matrix-product work."""
    out = []
    for name in select_runs(names, runs, "fig2 experiment"):
        exp, eval_at = runs[name]
        m = exp.model
        cost = exp.train.max_samples * m.hidden[0] * (m.x_dim + m.z_dim)
        args = {"name": name, "experiment": exp.to_dict(), "eval_at": list(eval_at)}
        out.append(Task(name, fn, args, cost, resumable=resumable))
    return out


def final_elbos(model, ds, threads: int | None) -> dict[str, Any]:
    """The trained model's ELBO (L = 1, torch seed 0) on the full test and training sets."""
    with torch_threads(threads):
        torch.manual_seed(0)
        return {
            "test_elbo": evaluate(model, ds.test)["elbo"],
            "train_elbo": evaluate(model, ds.train)["elbo"],
            "n_test": int(ds.test.shape[0]),
            "n_train": int(ds.train.shape[0]),
        }


def train_run(name: str, experiment: dict, eval_at: list[int]) -> tuple[dict, dict]:
    """Train one Figure 2 experiment; return its log record (and no extra files)."""
    from ..datasets import load

    exp = ExperimentConfig.from_dict(experiment)
    ds = load(exp.data)
    model = build_model(exp.model, seed=exp.train.seed)
    t0 = time.perf_counter()
    history = fit(model, (ds.train, ds.test), exp.train, eval_at=eval_at, progress=False)
    if history.interrupted:
        raise KeyboardInterrupt(f"{name} was interrupted; nothing written")
    model.eval()
    train_seconds = time.perf_counter() - t0
    final = final_elbos(model, ds, exp.train.threads)
    record = {
        "format": FORMAT,
        "name": name,
        "experiment": exp.to_dict(),
        "budget_samples": exp.train.max_samples,
        "eval_protocol": {
            "train_subset": int(min(exp.train.eval_train_size, ds.train.shape[0])),
            "test_subset": int(min(exp.train.eval_test_size or 10**9, ds.test.shape[0])),
            "n_samples": 1,
            "estimator": "SGVB estimator B (analytic KL), seed of the run",
            "final": "full train and test sets, L = 1, torch seed 0",
        },
        "history": history.to_dict(),
        "final": final,
        "paper_test_elbo": PAPER_TEST_ELBO.get(name),
        "train_seconds": round(train_seconds, 1),
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "torch": torch.__version__,
    }
    return record, {}


def load_logs(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The finished logs in ``out_dir`` by name, in Figure 2 order. A log that is unreadable
    or incomplete raises :class:`DataError` naming it and how to restore or regenerate it."""

    return load_results(Path(out_dir), "fig2", list(fig2_experiments()), check_log)


def check_log(rec: dict) -> None:
    """Raise KeyError, TypeError or ValueError for a Figure 2 log without final ELBOs or with
    an empty or uneven history (also the paper-setup logs of :mod:`.fig2_paper`)."""
    h, f = rec["history"], rec["final"]
    float(f["test_elbo"]), float(f["train_elbo"])
    if not h["samples"] or len(h["samples"]) != len(h["test_elbo"]):
        raise ValueError("empty or uneven history")


def run_all(
    names: Sequence[str] | None,
    out_dir: Path,
    jobs: int = 1,
    samples: int | None = None,
    cluster: Any = None,
    progress: bool = True,
) -> dict[str, dict[str, Any]]:
    """Run the selected experiments that are not done through the study runner (``jobs``
    worker processes, or a Dask ``cluster``) and return every selected experiment's log.
    ``samples`` overrides every budget (a quick trial)."""
    chosen = tasks(names, samples)
    run_study(chosen, out_dir, jobs=jobs, cluster=cluster, progress=progress, label="fig2")
    logs = load_logs(out_dir)
    return {t.name: logs[t.name] for t in chosen}


# -- the table (notebook 05; the figure is vae_tutorial.viz.aevb.fig2_figure) ----------------


def fig2_table(logs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per log: name, dataset, Nz, budget (samples), final train and test ELBO on
    the full sets (nats), the paper's test value read from its Figure 2, and ours - paper."""
    rows = []
    for name, g in logs.items():
        paper = g.get("paper_test_elbo")
        rows.append(
            {
                "name": name,
                "data": g["experiment"]["data"],
                "z_dim": g["experiment"]["model"]["z_dim"],
                "budget": g["budget_samples"],
                "train_elbo": g["final"]["train_elbo"],
                "test_elbo": g["final"]["test_elbo"],
                "paper_test_elbo": paper,
                "minus_paper": None if paper is None else g["final"]["test_elbo"] - paper,
            }
        )
    return rows
