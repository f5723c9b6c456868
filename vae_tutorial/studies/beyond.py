"""Notebook 09's study: posterior collapse and its remedies, and tighter bounds (IWAE).

Every run trains the shipped ``mnist-z20`` architecture (784-500-20 tanh MLPs, Bernoulli
decoder, Adam 1e-3, M = 100, one thread, seed 0) on static binarized MNIST, with one change:

- ``beta-B``: the KL term weighted by beta (Higgins et al. 2017) for B in {0.5, 1, 2, 4, 8};
- ``beta-4-warmup``: beta = 4 reached by KL annealing, linear over the first 100,000 samples
  (Bowman et al. 2016);
- ``beta-4-freebits``: beta = 4 with free bits, 0.5 nats per latent dimension (Kingma et al.
  2016);
- ``iwae-kK``: the importance-weighted bound with K in {1, 5, 50} samples (Burda et al. 2016),
  each trained from three seeds (``iwae-kK`` is seed 0, ``iwae-kK-seedS`` seeds 1 and 2: the
  differences between K are about the size of seed-to-seed noise, so one seed cannot rank them).

Each result records, on the 10,000 test digits: the ELBO; its two parts, the rate
KL(q(z|x) || p(z)) and the distortion -E_q[log p(x|z)] (nats, per digit, and the rate per
latent dimension); the active units (Burda et al.: dimensions whose encoder mean varies over
the data, Var_x E_q[z_j|x] > 0.01); log p(x) by importance sampling (K = 1000) on 1,000 test
digits and by AIS (from the encoder, 16 chains, 100 steps) on 100; and the training time.
``python -m vae_tutorial reproduce beyond`` runs it through the study runner.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..core.config import ExperimentConfig
from ..core.estimators import evaluate, log_px_importance
from ..core.latent_space import encode_means
from ..core.model import build_model
from ..core.train import fit
from ..errors import DataError
from ..settings import data_dir, torch_threads
from ..theory.gaussian import kl_diag_normal
from .runner import Task, read_result, run_study

FORMAT = 1
SAMPLES = {"beta": 200_000, "iwae": 60_000}
BETAS = (0.5, 1.0, 2.0, 4.0, 8.0)
IWAE_K = (1, 5, 50)
IWAE_SEEDS = (0, 1, 2)
ACTIVE = 0.01  # Burda et al.'s threshold on Var_x E_q[z_j | x]


def experiments() -> dict[str, ExperimentConfig]:
    """Every run of the study by name, from the shipped mnist-z20 recipe."""
    from ..core.pretrained import experiment

    base = experiment("mnist-z20")
    runs = {}

    def make(name: str, samples: int, **train) -> None:
        t = dataclasses.replace(
            base.train, max_samples=samples, eval_every=samples // 10, eval_train_size=2000,
            eval_test_size=2000, lr_halflife=None, **train,
        )  # fmt: skip
        runs[name] = ExperimentConfig(f"beyond-{name}", base.data, base.model, t)

    for b in BETAS:
        make(f"beta-{b:g}", SAMPLES["beta"], beta=b)
    make("beta-4-warmup", SAMPLES["beta"], beta=4.0, kl_warmup=100_000)
    make("beta-4-freebits", SAMPLES["beta"], beta=4.0, free_bits=0.5)
    for s in IWAE_SEEDS:
        for k in IWAE_K:
            make(iwae_name(k, s), SAMPLES["iwae"], objective="iwae", iwae_k=k, seed=s)
    return runs


def iwae_name(k: int, seed: int) -> str:
    """The run name of the IWAE run with K = k from ``seed`` (seed 0: ``iwae-kK``)."""
    return f"iwae-k{k}" if seed == 0 else f"iwae-k{k}-seed{seed}"


def iwae_summary(results: dict[str, dict]) -> dict[int, dict[str, np.ndarray]]:
    """For each K: the shipped runs' ``elbo`` and ``log_px`` (IS, K = 1000: a stochastic lower
    bound) on the same 1,000 test digits, ``log_px_ais`` (AIS from the encoder) on 100 of them,
    and ``ms_per_step`` (training time over steps, evaluations included), arrays over the seeds
    found (nats; ms)."""
    out = {}
    for k in IWAE_K:
        rs = [results[iwae_name(k, s)] for s in IWAE_SEEDS if iwae_name(k, s) in results]
        if rs:
            out[k] = {
                "seeds": np.array([r["experiment"]["train"]["seed"] for r in rs]),
                "elbo": np.array([r["elbo_same_1000_digits"] for r in rs]),
                "log_px": np.array([r["log_px_is_k1000_1000_digits"] for r in rs]),
                "log_px_ais": np.array([r["log_px_ais_100_digits"] for r in rs]),
                "ms_per_step": np.array([1000 * r["seconds_per_step"] for r in rs]),
            }
    return out


def tasks(names: list[str] | None = None) -> list[Task]:
    runs = experiments()
    chosen = [n for n in runs if not names or n in names]
    return [
        Task(
            n,
            "vae_tutorial.studies.beyond:train_run",
            {"name": n, "experiment": runs[n].to_dict()},
            cost=runs[n].train.max_samples * runs[n].train.iwae_k,
        )  # fmt: skip
        for n in chosen
    ]


def active_units(means: np.ndarray, threshold: float = ACTIVE) -> tuple[int, np.ndarray]:
    """Active latent units (Burda et al. 2016): the dimensions j whose encoder mean varies
    over the data, Var_x E_q[z_j | x] > threshold. means: (N, Z) -> (count, variances (Z,))."""
    var = np.asarray(means, dtype=np.float64).var(axis=0)
    return int((var > threshold).sum()), var


@torch.inference_mode()
def rate_distortion(model, x: torch.Tensor, batch: int = 1000) -> dict[str, Any]:
    """Rate KL(q(z|x) || p(z)) (total and per dimension) and distortion -E_q[log p(x|z)]
    (one draw of z per digit), nats per digit averaged over x (N, D)."""
    rate, per_dim, dist = 0.0, 0.0, 0.0
    for i in range(0, len(x), batch):
        xb = x[i : i + batch]
        mu, logvar = model.encoder_params(xb)
        kl = kl_diag_normal(mu[..., None], logvar[..., None])  # per dimension, (B, Z)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        dist -= float(model.decode(z).log_prob(xb).sum())
        rate += float(kl.sum())
        per_dim = per_dim + kl.sum(0).double().numpy()
    n = len(x)
    return {"rate": rate / n, "distortion": dist / n, "rate_per_dim": (per_dim / n).tolist()}


def train_run(name: str, experiment: dict) -> tuple[dict, dict]:
    """Train one run and measure it (see the module docstring); no extra files."""
    from ..core.ais import ais
    from ..datasets import load

    exp = ExperimentConfig.from_dict(experiment)
    ds = load(exp.data)
    model = build_model(exp.model, seed=exp.train.seed)
    t0 = time.perf_counter()
    history = fit(model, ds, exp.train, progress=False)
    if history.interrupted:
        raise KeyboardInterrupt(f"{name} was interrupted; nothing written")
    seconds = time.perf_counter() - t0
    model.eval()
    with torch_threads(1):
        torch.manual_seed(0)
        test_elbo = evaluate(model, ds.test)["elbo"]
        rd = rate_distortion(model, ds.test)
        count, var = active_units(encode_means(model, ds.test))
        sub = ds.test[::10]
        is_k = float(log_px_importance(model, sub, k=1000).mean())
        a = ais(model, ds.test[::100], chains=16, steps=100, leapfrog=5, start="encoder")
    record = {
        "format": FORMAT,
        "name": name,
        "experiment": exp.to_dict(),
        "history": history.to_dict(),
        "test_elbo": test_elbo,
        **rd,
        "active_units": count,
        "mean_variance": var.tolist(),
        "log_px_is_k1000_1000_digits": is_k,
        "elbo_same_1000_digits": float(evaluate(model, sub)["elbo"]),
        "log_px_ais_100_digits": float(a.log_px.mean()),
        "elbo_same_100_digits": float(evaluate(model, ds.test[::100])["elbo"]),
        "ais_median_ess": float(np.median(a.ess)),
        "train_seconds": round(seconds, 1),
        "seconds_per_step": round(seconds / max(1, exp.train.max_samples // 100), 4),
        "torch": torch.__version__,
    }
    return record, {}


def default_dir() -> Path:
    return data_dir() / "beyond"


def load_results(out_dir: str | Path | None = None) -> dict[str, dict]:
    """Every finished run's record by name, in study order. DataError if none."""
    out = Path(out_dir) if out_dir is not None else default_dir()
    how = "Regenerate it with `python -m vae_tutorial reproduce beyond`."
    found = {n: read_result(out / f"{n}.json", how) for n in experiments()
             if (out / f"{n}.json").exists()}  # fmt: skip
    if not found:
        raise DataError(f"no results in {out}. {how}")
    return found


def run(out_dir: str | Path | None = None, jobs: int = 1, cluster: Any = None,
        names: list[str] | None = None, progress: bool = True) -> dict[str, dict]:  # fmt: skip
    out = Path(out_dir) if out_dir is not None else default_dir()
    run_study(tasks(names), out, jobs=jobs, cluster=cluster, progress=progress, label="beyond")
    return load_results(out)
