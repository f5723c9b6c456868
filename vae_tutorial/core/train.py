"""Training: the AEVB algorithm (paper, Algorithm 1) with a progress bar and a history.

``fit`` draws minibatches of M datapoints from the training rows as they are held in memory
(float32, or the bytes or bits a dataset ships as: :class:`~vae_tutorial.datasets.rows.Rows`,
made float32 one minibatch at a time), takes one gradient step on the SGVB estimate of the
ELBO per minibatch (:func:`aevb_step`), and every ``eval_every`` training
samples evaluated records the train and test ELBO (nats, higher is better). It stops with
:class:`TrainingDivergedError` on NaN/inf, restoring the last good weights, and on Ctrl-C
(KeyboardInterrupt) it saves a usable checkpoint and returns the history so far.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path

import torch

from ..atomic import output_lock
from ..datasets import Dataset
from ..datasets.rows import Rows
from ..errors import ConfigError
from ..progress import tqdm
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
from .run_parts import Guard, Schedule, Trace

#: rows per batch when ``fit`` evaluates the ELBO. It fixes how the evaluation draws from
#: torch's random generator, and so the training noise after it: changing it changes every
#: run (the shipped models are retrained bit for bit with 1000).
EVAL_BATCH = 1000

__all__ = ["History", "aevb_step", "default_device", "fit", "train_experiment"]


def default_device() -> torch.device:
    """A CUDA GPU when present, the CPU otherwise."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _split_data(data) -> tuple[Rows, Rows | None]:
    """The training and test rows, as held (a dataset shipped as bytes or bits stays so)."""
    if isinstance(data, Dataset):
        return data.rows("train"), data.rows("test")
    train, test = (data, None) if isinstance(data, (torch.Tensor, Rows)) else data
    return _rows(train, "training"), None if test is None else _rows(test, "test")


def _rows(x: torch.Tensor | Rows, what: str) -> Rows:
    if isinstance(x, Rows):
        return x
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.dtype != torch.float32:
        shape = tuple(getattr(x, "shape", ())) or type(x).__name__
        dtype = getattr(x, "dtype", "")
        raise ConfigError(
            f"the {what} data are {dtype} {shape}, but fit expects float32 rows (N, D) (a "
            f"tensor, a dataset's Rows, or a Dataset): flatten the images and convert with "
            f".float()"
        )
    return Rows(x)


def fit(
    model: VAE,
    data: Dataset | torch.Tensor | Rows | tuple,
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
    if len(train_x.shape) != 2 or train_x.shape[1] != model.x_dim:
        raise ConfigError(
            f"training data has shape {train_x.shape} but the model "
            f"expects (N, {model.x_dim}) (model.x_dim)"
        )
    for what, x in (("training", train_x), ("test", test_x)):
        if x is not None and not x.finite():
            raise ConfigError(
                f"the {what} data contain NaN or infinite values; clean the data first"
            )
        if x is not None and len(x) and x.shape[1]:
            _check_support(model, x, what)
    if config.batch_size > len(train_x):
        raise ConfigError(
            f"train.batch_size = {config.batch_size} is larger than the "
            f"{len(train_x)} training examples"
        )
    if eval_at is None:
        points = [*range(0, config.max_samples, config.eval_every), config.max_samples]
    else:
        points = sorted({int(p) for p in eval_at if 0 <= p <= config.max_samples})
    lock = output_lock(checkpoint, "checkpoint") if checkpoint is not None else nullcontext()
    lock2 = output_lock(resume, "training state") if resume is not None else nullcontext()
    with lock, lock2, torch_threads(config.threads):
        run = _Run(model, train_x, test_x, config, checkpoint, experiment, callback, progress)
        return run.fit(points, None if resume is None else Path(resume), resume_every)


def _check_support(model: VAE, x: Rows, what: str) -> None:
    """Refuse data outside the decoder likelihood's support (a Bernoulli decoder fed values
    above 1 reports a meaningless, positive "log-likelihood")."""
    support = model.likelihood.support
    if support is None:
        return
    lo, hi = x.span()
    if lo < support[0] or hi > support[1]:
        raise ConfigError(
            f"the {what} data span [{lo:g}, {hi:g}], but the {model.config.likelihood} decoder "
            f"models values in [{support[0]:g}, {support[1]:g}]: rescale the data (e.g. / 255) "
            f"or choose a likelihood for real values (model.likelihood = gaussian)"
        )


def aevb_step(model: VAE, xb: torch.Tensor, optimizer, config: TrainConfig, beta: float = 1.0):
    """One step of AEVB (the paper's Algorithm 1) on the minibatch ``xb`` (M, D): the SGVB
    estimate of the ELBO (estimator A or B with L = ``config.n_samples`` draws per datapoint;
    or ``config.objective`` with KL weight ``beta``), and one optimizer step up its gradient.
    Returns the minibatch mean of the objective (detached, nats per datapoint)."""
    if (config.objective, config.beta, config.kl_warmup, config.free_bits) == ("elbo", 1, 0, 0):
        value = elbo(model, xb, config.n_samples, config.kl)
    else:
        value = OBJECTIVES[config.objective](model, xb, config, beta)
    loss = -value.mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return value.detach().mean()


class _Run:
    """One call of :func:`fit`: the model, data, optimizer, generators and progress, with the
    loop (:meth:`fit`), the evaluation (:meth:`record`) and the resume file (:meth:`save_state`,
    :meth:`load_state`) as methods over them."""

    def __init__(self, model, train_x, test_x, config, checkpoint, experiment, callback, progress):
        self.model, self.config, self.callback = model, config, callback
        self.checkpoint, self.experiment = checkpoint, experiment
        device = default_device()
        model.to(device)
        self.train_x = train_x.to(device)
        self.eval_train = self.train_x.spaced(config.eval_train_size)
        test = None if test_x is None else test_x.spaced(config.eval_test_size)
        self.eval_test = None if test is None else test.to(device)
        if config.init_std is not None:
            init_normal_(model, config.init_std, config.seed)
        torch.manual_seed(config.seed)
        self.order = torch.Generator().manual_seed(config.seed)
        self.gen = torch.Generator().manual_seed(config.seed + 1)  # the baselines' own draws
        self.state = new_state(config.algorithm, model, len(train_x), self.gen)
        self.optimizer = make_optimizer(model.parameters(), config)
        self.history = History()
        self.samples, self.steps, self.elapsed = 0, 0, 0.0
        self.perm: torch.Tensor | None = None  # this epoch's order; the next batch starts at pos
        self.pos = 0
        self.trace = Trace()  # the objective of each step since the last record
        self.show_bar = progress

    # -- the loop ------------------------------------------------------------------------
    def fit(self, points: Sequence[int], resume: Path | None, resume_every: float) -> History:
        config, model, m = self.config, self.model, self.config.batch_size
        resumed = resume is not None and resume.exists()
        if resumed:
            self.load_state(resume)
        schedule = Schedule(points, done=self.samples if resumed else -1)
        self.start = time.perf_counter() - self.elapsed
        self.guard, saved_at = Guard(self, self.samples), time.perf_counter()
        self.bar = tqdm(
            initial=self.samples, total=config.max_samples, unit="samples", unit_scale=True,
            mininterval=0.5, disable=not self.show_bar, desc="training",
        )  # fmt: skip
        model.train()
        try:
            if schedule.due(self.samples):
                self.record()
                schedule.passed(self.samples)
            while self.samples < config.max_samples:
                if self.perm is None:  # a new epoch: a new order
                    self.perm = torch.randperm(len(self.train_x), generator=self.order)
                    self.perm, self.pos = self.perm.to(self.train_x.rows.device), 0
                if self.pos + m > len(self.train_x):  # the epoch's last partial batch is left out
                    self.perm = None
                    continue
                idx = self.perm[self.pos : self.pos + m]
                self.guard.watch(self.step(self.train_x.take(idx), idx))
                self.samples, self.steps, self.pos = self.samples + m, self.steps + 1, self.pos + m
                self.bar.update(m)
                if self.steps % 100 == 0 and not self.guard.ok():
                    self.guard.diverged(self.samples)
                if schedule.due(self.samples):
                    self.record()
                    schedule.passed(self.samples)
                if resume is not None and time.perf_counter() - saved_at >= resume_every:
                    if self.guard.ok():
                        self.save_state(resume)
                    saved_at = time.perf_counter()
            if resume is not None:
                resume.unlink(missing_ok=True)
        except KeyboardInterrupt:
            self.history.interrupted, self.history.interrupted_at = True, self.samples
            self.guard.restore_if_broken()
            model.eval()
            self.save_checkpoint()
            # the training state on disk stays the last one saved at a minibatch boundary (an
            # interrupt may fall mid-step): the same call again continues from there, exactly
        finally:
            self.bar.close()
        return self.history

    def step(self, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        """One minibatch step of the configured algorithm; the objective's minibatch mean."""
        config, m = self.config, xb.shape[0]
        if config.algorithm == "aevb":
            warm = min(1.0, (self.samples + m) / config.kl_warmup) if config.kl_warmup else 1.0
            value = aevb_step(self.model, xb, self.optimizer, config, config.beta * warm)
        else:  # a baseline steps its own weights
            try:
                value = algorithm_step(
                    self.model, xb, idx, self.optimizer, config, self.state, self.gen
                )
            except RuntimeError:  # e.g. sampling from NaN weights: torch refuses
                if all(torch.isfinite(p).all() for p in self.model.parameters()):
                    raise
                self.guard.diverged(self.samples)
        if config.lr_halflife is not None:
            for group in self.optimizer.param_groups:
                group["lr"] = config.lr * 0.5 ** ((self.samples + m) / config.lr_halflife)
        self.trace.append(value)
        return value

    # -- evaluation ----------------------------------------------------------------------
    def record(self) -> None:
        """Evaluate the train and test ELBO, append to the history, checkpoint, call back."""
        if not self.guard.ok():
            self.guard.diverged(self.samples)
        model, h = self.model, self.history
        tr, te = None, None  # MCEM has no encoder, so no ELBO
        if self.config.algorithm != "mcem":
            tr = evaluate(model, self.eval_train, batch_size=EVAL_BATCH)["elbo"]
            if self.eval_test is not None:
                te = evaluate(model, self.eval_test, batch_size=EVAL_BATCH)["elbo"]
        if not all(torch.isfinite(torch.tensor(v)) for v in (tr, te) if v is not None):
            self.guard.diverged(self.samples)
        model.train()
        h.samples.append(self.samples)
        h.train_elbo.append(tr)
        h.test_elbo.append(te)
        h.objective.append(self.trace.mean())
        self.trace.clear()
        h.seconds.append(time.perf_counter() - self.start)
        self.guard.good(self.samples)
        self.save_checkpoint()
        if tr is not None:
            post = f"train ELBO {tr:.1f}" + (f", test {te:.1f}" if te is not None else "")
            self.bar.set_postfix_str(post, refresh=False)
        if self.callback is not None:
            self.callback(h)

    def save_checkpoint(self) -> None:
        if self.checkpoint is not None:
            save_checkpoint(
                self.checkpoint, self.model, experiment=self.experiment,
                history=self.history.to_dict(),
            )  # fmt: skip

    # -- the resume file -----------------------------------------------------------------
    def save_state(self, path: Path) -> None:
        write_state(
            path, self.config, self.model, self.optimizer, (self.order, self.gen),
            algorithm_state=None if self.state is None else dataclasses.asdict(self.state),
            history=self.history.to_dict(), samples=self.samples, steps=self.steps,
            elapsed=float(time.perf_counter() - self.start), perm=self.perm, pos=self.pos,
            trace=self.trace.values(),
        )  # fmt: skip

    def load_state(self, path: Path) -> None:
        s = read_state(path, self.config, self.model, self.optimizer, (self.order, self.gen))
        if s["algorithm_state"] is not None:
            self.state = MCEMState(**s["algorithm_state"])
        self.history = History.from_dict(s["history"])
        self.samples, self.steps, self.elapsed = s["samples"], s["steps"], s["elapsed"]
        self.perm, self.pos = s["perm"], s["pos"]
        self.trace = Trace(s["trace"])


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
