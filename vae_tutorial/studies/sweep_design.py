"""The design studies of notebook 08, defined: which runs exist and how each is configured.

The runs themselves, their results and tables are :mod:`.sweeps`.

Latent size k, hidden widths m, n and training length are often chosen by eye. Here each is
an experiment on static binarized MNIST (50,000
training and 10,000 test digits) with seeds 0, 1, 2 at every point; the answer is the test ELBO
(nats per digit, higher is better) as mean and spread over seeds, plus pictures.

- ``latent``: k in {2, 5, 10, 20, 50}, one hidden layer of 500 tanh units, 300,000 samples;
- ``width``: encoder [m, n], decoder [n, m], (m, n) in {(100, 100), (500, 500), (500, 100),
  (100, 500)} (both orders of a narrow and a wide layer), k = 20, 300,000 samples;
- ``length``: 784-500-20 trained for 1,000,000 samples.

Every run: Bernoulli decoder p(x|z), Adam (lr 1e-3 halved every 1.5e6 samples, as
``configs/mnist-z20.json``), M = 100, L = 1, one CPU thread and its seed, so it is
bit-reproducible on one machine. All runs evaluate on the same fixed, evenly spaced
5,000-digit train and test subsets at the same round sample counts (:data:`GRID`), so a run's
first N samples equal those of any run of its configuration and seed trained for N samples
(the k = 20 latent runs are the first 300,000 samples of the length runs; :func:`rerun_point`
retrains a prefix live). At the end: the ELBO on all 10,000 test digits and on every 5th
training digit (torch seed 0); reconstructions of the first test digit of each class and
decoder means E[x|z] for 10 draws z ~ p(z), as uint8 in ``NAME.npz`` beside ``NAME.json``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from ..core.config import ExperimentConfig
from . import runner

DATA = "mnist-binarized"
SEEDS = (0, 1, 2)
LATENT_K = (2, 5, 10, 20, 50)
WIDTHS = ((100, 100), (500, 500), (500, 100), (100, 500))
#: training samples evaluated per run
BUDGETS = {"latent": 300_000, "width": 300_000, "length": 1_000_000}
#: evaluation points of every run: round numbers ~6 per decade (1, 1.5, 2, 3, 5, 7 x 10^e)
GRID = (0, *(int(m * 10**e) for e in range(3, 6) for m in (1, 1.5, 2, 3, 5, 7)), 1_000_000)
EVAL_SIZE = 5_000  # train and test subsets during training
TRAIN_STRIDE = 5  # final train ELBO on every 5th training digit (10,000)
HOW = "`python -m vae_tutorial reproduce sweeps --only {}`"


@dataclasses.dataclass(frozen=True)
class SweepRun:
    """One training run: sweep, point (e.g. ``latent-k2``), seed, config, evaluation points."""

    name: str
    sweep: str
    point: str
    seed: int
    experiment: ExperimentConfig
    eval_at: tuple[int, ...]


def experiment_config(
    name: str, z_dim: int, hidden: Sequence[int], seed: int, samples: int
) -> ExperimentConfig:
    """The ExperimentConfig of one run: the shipped ``mnist-z20`` recipe (784-hidden-z_dim
    tanh MLPs, decoder widths reversed, Bernoulli decoder, Adam, one thread) with its own
    latent size, widths, seed and budget of ``samples`` training samples."""
    from ..core.pretrained import experiment

    base = experiment("mnist-z20")
    model = dataclasses.replace(base.model, z_dim=z_dim, hidden=tuple(hidden))
    train = dataclasses.replace(
        base.train,
        max_samples=samples,
        eval_every=samples,  # unused: runs evaluate at eval_at
        eval_train_size=EVAL_SIZE,
        eval_test_size=EVAL_SIZE,
        seed=seed,
    )
    return ExperimentConfig(f"sweep-{name}", DATA, model, train)


def points() -> dict[str, tuple[str, int, tuple[int, ...]]]:
    """Point name -> (sweep, latent size k, encoder hidden widths), in table order."""
    p = {f"latent-k{k}": ("latent", k, (500,)) for k in LATENT_K}
    p |= {f"width-{m}x{n}": ("width", 20, (m, n)) for m, n in WIDTHS}
    return p | {"length-k20": ("length", 20, (500,))}


def sweep_runs(budget_scale: float = 1.0) -> dict[str, SweepRun]:
    """Every run (points x seeds) by name, e.g. ``latent-k2-s0``; ``budget_scale`` multiplies
    every budget (rounded to whole minibatches of 100, at least one)."""
    runs = {}
    for point, (sweep, k, hidden) in points().items():
        samples = max(100, round(BUDGETS[sweep] * budget_scale / 100) * 100)
        eval_at = tuple(sorted({g for g in GRID if g <= samples} | {samples}))
        for seed in SEEDS:
            name = f"{point}-s{seed}"
            exp = experiment_config(name, k, hidden, seed, samples)
            runs[name] = SweepRun(name, sweep, point, seed, exp, eval_at)
    return runs


def select_runs(names: Sequence[str] | None, runs: dict[str, SweepRun]) -> list[str]:
    """Run names matching ``names`` (sweeps, points or runs; None: all), in definition order."""
    hint = (f"give a sweep ({', '.join(BUDGETS)}), a point (e.g. latent-k2) or a run (e.g. "
            "latent-k2-s0); --list shows them all")  # fmt: skip
    groups = {n: (r.point, r.sweep) for n, r in runs.items()}
    return runner.select_runs(names, runs, "sweep run", groups, hint)


def default_dir() -> Path:
    """Where the shipped results live: ``data/sweeps``."""
    from ..settings import data_dir

    return data_dir() / "sweeps"


def _cost(exp: ExperimentConfig) -> float:
    m = exp.model
    widths = [m.x_dim, *m.hidden, m.z_dim]
    return exp.train.max_samples * sum(a * b for a, b in zip(widths, widths[1:], strict=False))
