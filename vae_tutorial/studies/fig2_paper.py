"""The paper's Figure 2 with the paper's setup and its baseline: AEVB against wake-sleep
(Hinton et al. 1995) at the same architecture, ELBO against training samples evaluated.

``python -m vae_tutorial reproduce fig2-paper`` trains, for MNIST Nz = 3, 5, 10, 20, 200
(784-500-Nz, Bernoulli) and Frey Face Nz = 2, 5, 10, 20 (560-200-Nz, Gaussian), one model per
method with section 5's setup: Adagrad with its global step size chosen from {0.01, 0.02,
0.1} by the training bound after the first ``TRIAL_SAMPLES`` samples, M = 100, L = 1, weights
initialised from N(0, 0.01), and the weight decay 1/N that the parameters' N(0, I) prior
implies (MAP on the per-datapoint objective), to ``BUDGET`` = 1e7 training samples. The
ELBO of wake-sleep is that of its recognition model q(z|x) and generative model, the bound
the paper plots for it. Evaluation as :mod:`.fig2` (30 log-spaced points, fixed subsets).

Each run takes 10-70 minutes on one core, so the runs are resumable: a run killed part-way
continues from its last saved training state (``data/fig2_paper/.partial/``, every minute)
when the study is run again, and ends as if it had never stopped. :mod:`.fig2` keeps the
tutorial's own recipe (Adam, 1-2e6 samples, AEVB only) for comparison.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..core.config import ExperimentConfig, ModelConfig, TrainConfig
from ..errors import TrainingDivergedError
from .fig2 import (
    EVAL_SIZES,
    FREY_Z,
    MNIST_Z,
    PAPER_TEST_ELBO,
    check_log,
    eval_points,
    final_elbos,
    training_tasks,
)
from .runner import Task, load_results, run_study

FORMAT = 1
METHODS = ("aevb", "wake_sleep")
BUDGET = 10_000_000
#: the step-size rule: the training objective after TRIAL_SAMPLES for each of LRS
LRS, TRIAL_SAMPLES = (0.01, 0.02, 0.1), 100_000
#: training-set sizes, for the weight decay 1/N (a test checks them against the data)
N_TRAIN = {"mnist-binarized": 50_000, "frey-faces": 1_665}
DATASETS = (
    ("mnist-binarized", "mnist", MNIST_Z, 784, 500, "bernoulli"),
    ("frey-faces", "frey", FREY_Z, 560, 200, "gaussian"),
)


def experiments(samples: int | None = None) -> dict[str, tuple[ExperimentConfig, tuple]]:
    """Every run by name (``aevb-mnist-z3``, ``wake_sleep-mnist-z3``, ... ``wake_sleep-frey-z20``)
    with its evaluation points; ``samples`` overrides the budget (a quick trial). The step
    size in each config is a placeholder: :func:`train_run` chooses it."""
    budget = samples or BUDGET
    runs: dict[str, tuple[ExperimentConfig, tuple]] = {}
    for data, short, zs, x_dim, hidden, lik in DATASETS:
        n_train, n_test = EVAL_SIZES[data]
        for z in zs:
            for method in METHODS:
                train = TrainConfig(
                    optimizer="adagrad",
                    lr=LRS[0],
                    weight_decay=1.0 / N_TRAIN[data],
                    batch_size=100,
                    n_samples=1,
                    max_samples=budget,
                    eval_every=budget,  # unused: see eval_at
                    eval_train_size=n_train,
                    eval_test_size=n_test,
                    seed=0,
                    threads=1,
                    algorithm=method,
                    init_std=0.01,
                )
                model = ModelConfig(x_dim=x_dim, z_dim=z, hidden=(hidden,), likelihood=lik)
                name = f"{method}-{short}-z{z}"
                exp = ExperimentConfig(f"fig2-paper-{name}", data, model, train)
                runs[name] = (exp, eval_points(budget, train.batch_size))
    return runs


def planned() -> dict[str, tuple[str, str, int]]:
    """Every run of the study by name: (method, dataset, Nz), as :func:`experiments` orders them."""
    return {
        name: (exp.train.algorithm, exp.data, exp.model.z_dim)
        for name, (exp, _) in experiments().items()
    }


def tasks(names: Sequence[str] | None = None, samples: int | None = None) -> list[Task]:
    fn = "vae_tutorial.studies.fig2_paper:train_run"
    return training_tasks(experiments(samples), names, fn, resumable=True)


def choose_lr(
    exp: ExperimentConfig, x: torch.Tensor, trial_samples: int
) -> tuple[ExperimentConfig, dict[str, float | None]]:
    """``exp`` with the step size of LRS that scores best, and every score: the training
    objective after ``trial_samples`` (the paper's rule), the ELBO on the run's training subset
    for AEVB and wake-sleep, the mean log p(x, z) at its posterior samples over the trial's last
    minibatches for MCEM. A step size that diverges scores None (null in the JSON log, which
    stays standard JSON); if every one diverges, TrainingDivergedError says so."""
    from ..core.model import build_model
    from ..core.train import fit

    scores = {}
    for lr in LRS:
        train = {**exp.train.to_dict(), "lr": lr, "max_samples": trial_samples,
                 "eval_every": trial_samples}  # fmt: skip
        trial = ExperimentConfig.from_dict({**exp.to_dict(), "train": train})
        model = build_model(trial.model, seed=0)
        try:
            h = fit(model, x, trial.train, progress=False, eval_at=[trial_samples])
        except TrainingDivergedError:
            scores[str(lr)] = None
            continue
        if h.interrupted:  # Ctrl-C during a trial: stop, do not score a cut-short trial
            raise KeyboardInterrupt(f"the step-size trial at {lr} was interrupted")
        score = h.objective[-1] if trial.train.algorithm == "mcem" else h.train_elbo[-1]
        scores[str(lr)] = float(score) if np.isfinite(score) else None
    finite = {k: v for k, v in scores.items() if v is not None}
    if not finite:
        raise TrainingDivergedError(
            f"{exp.name}: training diverged at every step size of {LRS}; add a smaller one to "
            f"{__name__}.LRS"
        )
    best = float(max(finite, key=finite.get))
    train = {**exp.train.to_dict(), "lr": best}
    return ExperimentConfig.from_dict({**exp.to_dict(), "train": train}), scores


def train_run(name: str, experiment: dict, eval_at: list[int], resume: str | None = None):
    """One run: choose the step size, train (resumable), evaluate on the full sets."""
    from ..core.model import build_model
    from ..core.train import fit
    from ..datasets import load

    t0 = time.perf_counter()
    exp = ExperimentConfig.from_dict(experiment)
    ds = load(exp.data)
    exp, scores = choose_lr(exp, ds.train, min(TRIAL_SAMPLES, exp.train.max_samples))
    model = build_model(exp.model, seed=exp.train.seed)
    history = fit(model, (ds.train, ds.test), exp.train, eval_at=eval_at, progress=False,
                  resume=resume)  # fmt: skip
    if history.interrupted:
        raise KeyboardInterrupt(f"{name} was interrupted; its training state is kept")
    model.eval()
    final = final_elbos(model, ds, exp.train.threads)
    record = {
        "format": FORMAT,
        "name": name,
        "method": exp.train.algorithm,
        "experiment": exp.to_dict(),
        "lr_trials": scores,
        "budget_samples": exp.train.max_samples,
        "history": history.to_dict(),
        "final": final,
        "paper_test_elbo": PAPER_TEST_ELBO.get(name.split("-", 1)[1]),  # "mnist-z3"
        "train_seconds": round(history.seconds[-1], 1),
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "torch": torch.__version__,
    }
    return record, {}


def load_logs(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The finished runs in ``out_dir`` by name, in the order of :func:`experiments`."""

    return load_results(Path(out_dir), "fig2-paper", list(experiments()), check_log)


def run_all(
    names=None,
    out_dir: Path | str = "data/fig2_paper",
    jobs: int = 1,
    cluster=None,
    progress: bool = True,
    samples: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Run (or continue) the selected runs that are not done; return every selected log."""
    chosen = tasks(names, samples)
    run_study(chosen, out_dir, jobs=jobs, cluster=cluster, progress=progress, label="fig2-paper")
    logs = load_logs(Path(out_dir))
    return {t.name: logs[t.name] for t in chosen}


def summary(logs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What ``reproduce fig2-paper`` prints: per run, the step size and final ELBOs."""
    return {
        n: {"lr": g["experiment"]["train"]["lr"],
            "test_elbo": round(g["final"]["test_elbo"], 2),
            "train_elbo": round(g["final"]["train_elbo"], 2),
            "paper_test_elbo": g["paper_test_elbo"],
            "train_seconds": g["train_seconds"]}
        for n, g in logs.items()
    }  # fmt: skip


def tenfold_gains(log: dict[str, Any], at: tuple[float, ...] = (1e5, 1e6, 1e7)) -> list[float]:
    """The test ELBO's gain (nats) between consecutive sample counts of ``at``, by linear
    interpolation in log(samples) between the log's evaluations (on its fixed test subset)."""
    h = log["history"]
    s = np.asarray(h["samples"], dtype=float)
    te = np.asarray(h["test_elbo"], dtype=float)
    keep = s > 0  # the evaluation before training sits at 0 samples, off the log axis
    if at[0] < s[keep][0] or at[-1] > s[keep][-1]:
        raise ValueError(f"{log['name']}: evaluated from {s[keep][0]:g} to {s[keep][-1]:g} "
                         f"samples, not over {at[0]:g}-{at[-1]:g}")  # fmt: skip
    v = np.interp(np.log(at), np.log(s[keep]), te[keep])
    return [float(b - a) for a, b in zip(v, v[1:], strict=False)]


def ignoring_z(data: str) -> dict[str, float]:
    """{"train", "test"}: the log-likelihood (nats per datapoint) of the best model whose
    decoder ignores z, independent pixels fitted to the training set by maximum likelihood
    (Bernoulli for MNIST, Gaussian for Frey Face). Its ELBO is the same (q(z|x) = p(z), KL 0):
    the bound of a collapsed posterior, a plateau a run can sit on."""
    from ..datasets import load

    lik = {d: lk for d, *_, lk in DATASETS}[data]
    ds = load(data)
    x = ds.train.double()
    if lik == "bernoulli":
        dist = torch.distributions.Bernoulli(probs=x.mean(0).clamp(1e-6, 1 - 1e-6))
    else:
        dist = torch.distributions.Normal(x.mean(0), x.std(0, unbiased=False))
    return {k: float(dist.log_prob(v.double()).sum(1).mean())
            for k, v in (("train", ds.train), ("test", ds.test))}  # fmt: skip
