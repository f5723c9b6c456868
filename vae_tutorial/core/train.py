"""Training: the AEVB algorithm (paper, Algorithm 1) with a progress bar and a history.

``fit`` draws minibatches of M datapoints from one in-memory tensor, takes one gradient
step on the SGVB estimate of the ELBO per minibatch, and every ``eval_every`` training
samples evaluated records the train and test ELBO (nats, higher is better). It stops with
:class:`TrainingDivergedError` on NaN/inf, restoring the last good weights, and on Ctrl-C
(KeyboardInterrupt) it saves a usable checkpoint and returns the history so far.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path

import torch
from tqdm.auto import tqdm

from ..atomic import output_lock
from ..datasets import Dataset
from ..errors import ConfigError, TrainingDivergedError
from ..settings import torch_threads
from .algorithms import MCEMState, init_normal_, new_state
from .algorithms import step as algorithm_step
from .checkpoints import save_checkpoint
from .config import ExperimentConfig, TrainConfig
from .estimators import OBJECTIVES, elbo, evaluate
from .history import History
from .model import VAE, build_model
from .optimizers import make_optimizer
from .resume import read_state, write_state

__all__ = ["History", "default_device", "fit", "train_experiment"]


def default_device() -> torch.device:
    """A CUDA GPU when present, the CPU otherwise."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _split_data(data: Dataset | torch.Tensor | tuple) -> tuple[torch.Tensor, torch.Tensor | None]:
    if isinstance(data, Dataset):
        return data.train, data.test
    if isinstance(data, torch.Tensor):
        return data, None
    train, test = data
    return train, test


def _subset(x: torch.Tensor, size: int | None) -> torch.Tensor:
    """Evenly spaced rows (class-balanced even when a split is sorted by label)."""
    if size is None or size >= x.shape[0]:
        return x
    return x[torch.linspace(0, x.shape[0] - 1, size).round().long()]


def fit(
    model: VAE,
    data: Dataset | torch.Tensor | tuple,
    config: TrainConfig,
    *,
    checkpoint: str | Path | None = None,
    experiment: ExperimentConfig | None = None,
    progress: bool = True,
    callback: Callable[[History], None] | None = None,
    eval_at: Sequence[int] | None = None,
    resume: str | Path | None = None,
    resume_every: float = 60.0,
) -> History:
    """Train ``model`` in place on ``data`` (a Dataset, a (train, test) pair of (N, D)
    tensors, or a train tensor) and return the :class:`History`.

    Seeded by ``config.seed``: the same seed, data and model give identical histories.
    Evaluates at 0, every ``config.eval_every`` samples and at ``config.max_samples``, or
    at the first minibatch boundary at or after each sample count in ``eval_at`` (e.g.
    log-spaced points for a log-axis plot). ``checkpoint``: where to write the weights
    (and the JSON beside them) at every evaluation. ``callback(history)`` runs after every
    evaluation (live plots). ``config.algorithm`` picks AEVB or a baseline (wake-sleep,
    MCEM); ``config.init_std`` re-initializes every weight from N(0, init_std^2) first.

    ``resume``: a file holding the whole training state (weights, optimizer, random
    generators, position in the epoch, history), written atomically at a minibatch boundary
    every ``resume_every`` seconds. A run killed or interrupted and started again with the
    same file and config continues from there and ends exactly as an uninterrupted run would;
    the file is deleted when the run finishes. A file from other settings is refused.
    """
    train_x, test_x = _split_data(data)
    if train_x.ndim != 2 or train_x.shape[1] != model.x_dim:
        raise ConfigError(
            f"training data has shape {tuple(train_x.shape)} but the model "
            f"expects (N, {model.x_dim}) (model.x_dim)"
        )
    for what, x in (("training", train_x), ("test", test_x)):
        if x is not None and not torch.isfinite(x).all():
            raise ConfigError(
                f"the {what} data contain NaN or infinite values; clean the data first"
            )
        if x is not None and x.numel():
            _check_support(model, x, what)
    if config.batch_size > train_x.shape[0]:
        raise ConfigError(
            f"train.batch_size = {config.batch_size} is larger than the "
            f"{train_x.shape[0]} training examples"
        )
    if eval_at is None:
        points = itertools.chain(
            range(0, config.max_samples, config.eval_every), [config.max_samples]
        )
    else:
        points = sorted({int(p) for p in eval_at if 0 <= p <= config.max_samples})
    lock = output_lock(checkpoint, "checkpoint") if checkpoint is not None else nullcontext()
    lock2 = output_lock(resume, "training state") if resume is not None else nullcontext()
    with lock, lock2, torch_threads(config.threads):
        return _fit(
            model, train_x, test_x, config, points, checkpoint, experiment, progress, callback,
            None if resume is None else Path(resume), resume_every,
        )  # fmt: skip


def _check_support(model: VAE, x: torch.Tensor, what: str) -> None:
    """Refuse data outside the decoder likelihood's support (a Bernoulli decoder fed values
    above 1 reports a meaningless, positive "log-likelihood")."""
    support = model.likelihood.support
    if support is None:
        return
    lo, hi = float(x.min()), float(x.max())
    if lo < support[0] or hi > support[1]:
        raise ConfigError(
            f"the {what} data span [{lo:g}, {hi:g}], but the {model.config.likelihood} decoder "
            f"models values in [{support[0]:g}, {support[1]:g}]: rescale the data (e.g. / 255) "
            f"or choose a likelihood for real values (model.likelihood = gaussian)"
        )


def _fit(
    model, train_x, test_x, config, points, checkpoint, experiment, progress, callback,
    resume=None, resume_every=60.0,
) -> History:  # fmt: skip
    device = default_device()
    model.to(device)
    train_x = train_x.to(device)
    eval_train = _subset(train_x, config.eval_train_size)
    eval_test = None if test_x is None else _subset(test_x, config.eval_test_size).to(device)

    if config.init_std is not None:
        init_normal_(model, config.init_std, config.seed)
    torch.manual_seed(config.seed)
    order = torch.Generator().manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed + 1)  # the baselines' own draws (HMC)
    state = new_state(config.algorithm, model, train_x.shape[0], gen)
    optimizer = make_optimizer(model.parameters(), config)
    history = History()
    n, m = train_x.shape[0], config.batch_size
    samples, steps, elapsed = 0, 0, 0.0
    perm: torch.Tensor | None = None  # this epoch's order, and where in it the next batch starts
    pos = 0
    bad = torch.zeros((), dtype=torch.bool, device=device)
    trace: list[torch.Tensor] = []
    if resume is not None and resume.exists():
        s = read_state(resume, config, model, optimizer, (order, gen))
        if s["algorithm_state"] is not None:
            state = MCEMState(**s["algorithm_state"])
        history = History.from_dict(s["history"])
        samples, steps, elapsed = s["samples"], s["steps"], s["elapsed"]
        perm, pos = s["perm"], s["pos"]
        trace = [torch.tensor(v) for v in s["trace"]]
        points = [p for p in points if p > samples]
    start = time.perf_counter() - elapsed
    good_state, good_samples = copy.deepcopy(model.state_dict()), samples
    saved_at = time.perf_counter()

    def save_state() -> None:
        write_state(
            resume, config, model, optimizer, (order, gen),
            algorithm_state=None if state is None else dataclasses.asdict(state),
            history=history.to_dict(), samples=samples, steps=steps,
            elapsed=float(time.perf_counter() - start), perm=perm, pos=pos,
            trace=[float(t) for t in trace],
        )  # fmt: skip

    def record() -> None:
        nonlocal good_state, good_samples, trace
        tr, te = None, None  # MCEM has no encoder, so no ELBO
        if config.algorithm != "mcem":
            tr = evaluate(model, eval_train, batch_size=1000)["elbo"]
            te = None if eval_test is None else evaluate(model, eval_test, batch_size=1000)["elbo"]
        if not all(torch.isfinite(torch.tensor(v)) for v in (tr, te) if v is not None):
            diverged()
        model.train()
        history.samples.append(samples)
        history.train_elbo.append(tr)
        history.test_elbo.append(te)
        history.objective.append(float(torch.stack(trace).mean()) if trace else None)
        trace = []
        history.seconds.append(time.perf_counter() - start)
        good_state, good_samples = copy.deepcopy(model.state_dict()), samples
        if checkpoint is not None:
            save_checkpoint(checkpoint, model, experiment=experiment, history=history.to_dict())
        if tr is not None:
            bar.set_postfix_str(
                f"train ELBO {tr:.1f}" + (f", test {te:.1f}" if te is not None else ""),
                refresh=False,
            )
        if callback is not None:
            callback(history)

    def diverged() -> None:
        model.load_state_dict(good_state)
        where = ""
        if checkpoint is not None:
            save_checkpoint(checkpoint, model, experiment=experiment, history=history.to_dict())
            where = f" and saved to {checkpoint}"
        bar.close()
        raise TrainingDivergedError(
            f"training diverged: the ELBO became NaN or infinite between {good_samples:,} and "
            f"{samples:,} training samples evaluated (optimizer {config.optimizer}, "
            f"lr {config.lr}). The model was restored to its last good state at "
            f"{good_samples:,} samples{where}. Try a smaller train.lr (say {config.lr / 10:g}), "
            f"a log-variance floor (model.logvar_min) for Gaussian decoders, or check the data.",
            checkpoint=str(checkpoint) if checkpoint else None,
            samples=good_samples,
        )

    bar = tqdm(
        initial=samples,
        total=config.max_samples,
        unit="samples",
        unit_scale=True,
        mininterval=0.5,
        disable=not progress,
        desc="training",
    )
    plain = (config.objective, config.beta, config.kl_warmup, config.free_bits) == (
        "elbo",
        1.0,
        0,
        0.0,
    )
    model.train()
    try:
        todo = iter(points)  # sample counts still to evaluate at, increasing
        next_eval = next(todo, None)
        if next_eval == 0:
            record()
            next_eval = next(todo, None)
        while samples < config.max_samples:
            if perm is None:
                perm, pos = torch.randperm(n, generator=order).to(device), 0
            for i in range(pos, n - m + 1, m):
                idx = perm[i : i + m]
                xb = torch.index_select(train_x, 0, idx)  # 4x faster than [ ]
                if config.algorithm != "aevb":  # a baseline steps its own weights
                    try:
                        loss = -algorithm_step(model, xb, idx, optimizer, config, state, gen)
                    except RuntimeError:  # e.g. sampling from NaN weights: torch refuses
                        if all(torch.isfinite(p).all() for p in model.parameters()):
                            raise
                        diverged()
                elif plain:  # the paper's AEVB step: estimator A or B of the ELBO
                    loss = -elbo(model, xb, config.n_samples, config.kl).mean()
                else:
                    warm = min(1.0, (samples + m) / config.kl_warmup) if config.kl_warmup else 1.0
                    value = OBJECTIVES[config.objective](model, xb, config, config.beta * warm)
                    loss = -value.mean()
                if config.algorithm == "aevb":
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                if config.lr_halflife is not None:
                    for group in optimizer.param_groups:
                        group["lr"] = config.lr * 0.5 ** ((samples + m) / config.lr_halflife)
                bad |= ~torch.isfinite(loss.detach())
                trace.append(-loss.detach())
                samples += m
                steps += 1
                pos = i + m
                bar.update(m)
                if steps % 100 == 0 and bool(bad):
                    diverged()
                if next_eval is not None and samples >= next_eval:
                    if bool(bad):
                        diverged()
                    record()
                    while next_eval is not None and next_eval <= samples:
                        next_eval = next(todo, None)
                if resume is not None and time.perf_counter() - saved_at >= resume_every:
                    if not bool(bad):
                        save_state()
                    saved_at = time.perf_counter()
                if samples >= config.max_samples:
                    break
            else:
                perm = None  # the epoch is done: the next one draws a new order
        if resume is not None:
            resume.unlink(missing_ok=True)
    except KeyboardInterrupt:
        history.interrupted = True
        history.interrupted_at = samples
        if not all(torch.isfinite(p).all() for p in model.parameters()):
            model.load_state_dict(good_state)
        model.eval()
        if checkpoint is not None:
            save_checkpoint(checkpoint, model, experiment=experiment, history=history.to_dict())
        # the training state on disk stays the last one saved at a minibatch boundary (an
        # interrupt may fall mid-step): the same call again continues from there, exactly
    finally:
        bar.close()
    return history


def train_experiment(
    experiment: ExperimentConfig,
    *,
    checkpoint: str | Path | None = None,
    progress: bool = True,
    callback: Callable[[History], None] | None = None,
    dataset: Dataset | None = None,
) -> tuple[VAE, History]:
    """Build the model of ``experiment`` (initial weights seeded by ``train.seed``), load its
    dataset, and fit it. Returns (model in eval mode, history)."""
    from ..datasets import load

    ds = dataset if dataset is not None else load(experiment.data)
    if ds.x_dim != experiment.model.x_dim:
        raise ConfigError(
            f"model.x_dim = {experiment.model.x_dim} but dataset "
            f"{experiment.data!r} has {ds.x_dim} dimensions per example"
        )
    model = build_model(experiment.model, seed=experiment.train.seed)
    history = fit(
        model,
        ds,
        experiment.train,
        checkpoint=checkpoint,
        experiment=experiment,
        progress=progress,
        callback=callback,
    )
    return model.eval(), history
