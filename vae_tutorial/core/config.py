"""Experiment configuration: dataclasses that round-trip to JSON and reject bad input.

Experiments are driven by a JSON parameter file. An experiment file has three parts::

    {"name": "mnist-z20", "data": "mnist-binarized",
     "model": {"x_dim": 784, "z_dim": 20, "hidden": [500], ...},
     "train": {"optimizer": "adam", "lr": 0.001, "batch_size": 100, ...}}

Unknown keys and bad values raise :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .strict_json import parse_json

#: where each kind of name is registered, the only list of allowed values (read on first use)
REGISTRIES = {
    "activation": "vae_tutorial.core.networks:ACTIVATIONS",
    "architecture": "vae_tutorial.core.networks:ARCHITECTURES",
    "likelihood": "vae_tutorial.core.likelihoods:LIKELIHOODS",
    "latent": "vae_tutorial.core.latents:LATENTS",
    "optimizer": "vae_tutorial.core.optimizers:OPTIMIZERS",
    "kl": "vae_tutorial.core.estimators:KL_ESTIMATORS",
    "objective": "vae_tutorial.core.estimators:OBJECTIVES",
    "algorithm": "vae_tutorial.core.algorithms:ALGORITHMS",
    "data": "vae_tutorial.datasets.registry:DATASETS",
}


def allowed(kind: str) -> tuple[str, ...]:
    """The registered names of ``kind`` (a key of :data:`REGISTRIES`), e.g. the likelihoods."""
    module, attr = REGISTRIES[kind].split(":")
    return tuple(getattr(importlib.import_module(module), attr))


def _check_name(section: str, key: str, value: Any, kind: str | None = None) -> None:
    names = allowed(kind or key)
    _check(
        isinstance(value, str) and value in names, section, key, value, f"one of {', '.join(names)}"
    )


#: bounds on sizes, checked before anything is allocated
MAX_X_DIM = 1_000_000
MAX_Z_DIM = 10_000
MAX_WIDTH = 100_000
MAX_PARAMETERS = 200_000_000  # about 800 MB of float32 weights
MAX_BATCH_FLOATS = 250_000_000  # M * L * x_dim decoder outputs of one step (about 1 GB)
MAX_SAMPLES = 10**12
MAX_THREADS = 256
MAX_SEED = 2**63 - 1


def _check(ok: bool, section: str, key: str, value: Any, expected: str) -> None:
    if not ok:
        raise ConfigError(f"{section}.{key} = {value!r} is invalid: expected {expected}.")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _int_in(section: str, key: str, v: Any, lo: int, hi: int, what: str = "") -> None:
    _check(_is_int(v) and lo <= v <= hi, section, key, v, f"an int from {lo:,} to {hi:,}{what}")


def _number_in(section: str, key: str, v: Any, lo: float, hi: float, open_lo: bool = False):
    ok = _is_number(v) and (lo < v if open_lo else lo <= v) and v <= hi
    _check(ok, section, key, v, f"a finite number {'>' if open_lo else '>='} {lo:g} and <= {hi:g}")


@dataclass(frozen=True)
class ModelConfig:
    """An MLP VAE: encoder q(z|x) and decoder p(x|z), each with hidden layers.

    ``hidden`` are the encoder's hidden widths; the decoder uses ``decoder_hidden`` or,
    when that is None, ``hidden`` reversed. The paper (section 5) uses one hidden layer of
    500 tanh units for MNIST and 200 for Frey Face.
    ``likelihood`` is the decoder p(x|z) (see :mod:`vae_tutorial.core.likelihoods`), ``latent``
    the family of q(z|x) and its prior (see :mod:`vae_tutorial.core.latents`).
    ``logvar_min`` bounds the Gaussian decoder's log-variance from below (None: no floor);
    ``shared_logvar`` fixes the one log-variance of ``gaussian_shared`` (None: learned).
    ``architecture="conv"`` builds a convolutional encoder and decoder for images of
    ``image_shape`` (C, H, W); ``hidden`` are then the channel counts of the conv layers.
    """

    x_dim: int = 784
    z_dim: int = 20
    hidden: tuple[int, ...] = (500,)
    decoder_hidden: tuple[int, ...] | None = None
    activation: str = "tanh"
    likelihood: str = "bernoulli"
    logvar_min: float | None = None
    shared_logvar: float | None = None
    latent: str = "gaussian"
    architecture: str = "mlp"
    image_shape: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        s = "model"
        _int_in(s, "x_dim", self.x_dim, 1, MAX_X_DIM)
        _int_in(s, "z_dim", self.z_dim, 1, MAX_Z_DIM)
        for key in ("hidden", "decoder_hidden"):
            v = getattr(self, key)
            if v is None and key == "decoder_hidden":
                continue
            if isinstance(v, list):
                v = tuple(v)
                object.__setattr__(self, key, v)
            _check(
                isinstance(v, tuple)
                and len(v) <= 16
                and all(_is_int(h) and 0 < h <= MAX_WIDTH for h in v),
                s,
                key,
                v,
                f"a list of at most 16 hidden layer widths, each from 1 to {MAX_WIDTH:,}",
            )
        _check_name(s, "activation", self.activation)
        _check_name(s, "likelihood", self.likelihood)
        for key in ("logvar_min", "shared_logvar"):
            v = getattr(self, key)
            if v is not None:
                _check(
                    _is_number(v) and -30 <= v <= 30,
                    s,
                    key,
                    v,
                    "a log-variance from -30 to 30, or null",
                )
        _check_name(s, "latent", self.latent)
        _check_name(s, "architecture", self.architecture)
        if isinstance(self.image_shape, list):
            object.__setattr__(self, "image_shape", tuple(self.image_shape))
        if self.image_shape is not None or self.architecture == "conv":
            shape = self.image_shape
            ok = (
                isinstance(shape, tuple)
                and len(shape) == 3
                and all(_is_int(v) and v > 0 for v in shape)
                and shape[0] * shape[1] * shape[2] == self.x_dim
            )
            _check(ok, s, "image_shape", shape, f"[C, H, W] with C * H * W = x_dim ({self.x_dim})")
        if self.architecture == "mlp":
            n = self.n_weights()
            if n > MAX_PARAMETERS:
                raise ConfigError(
                    f"model is too large: about {n:,} weights (limit {MAX_PARAMETERS:,}); "
                    "check model.x_dim, model.z_dim and model.hidden"
                )

    def n_weights(self) -> int:
        """About how many weights the MLP encoder and decoder hold (2 outputs per unit)."""
        enc = [self.x_dim, *self.hidden, 2 * self.z_dim]
        dec = [self.z_dim, *self.decoder_widths, 2 * self.x_dim]
        return sum(a * b for w in (enc, dec) for a, b in zip(w[:-1], w[1:], strict=True))

    @property
    def decoder_widths(self) -> tuple[int, ...]:
        return self.decoder_hidden if self.decoder_hidden is not None else self.hidden[::-1]

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: Any) -> ModelConfig:
        return _section(d, cls, "model")


#: train keys added after the first shipped files: written only when not at their default
_LATER_TRAIN_KEYS = {"objective": "elbo", "iwae_k": 1, "beta": 1.0, "kl_warmup": 0,
                     "free_bits": 0.0, "algorithm": "aevb", "init_std": None}  # fmt: skip


@dataclass(frozen=True)
class TrainConfig:
    """How ``fit`` trains: optimizer, minibatch size M, samples L, budget and logging.

    The paper's setup (section 5) is ``optimizer="adagrad"``, ``batch_size=100``,
    ``n_samples=1``. Budgets and evaluation intervals are in *training samples evaluated*,
    the paper's x-axis in Figure 2. ``lr_halflife`` (samples) halves the step size every
    that many samples (None: constant). ``threads`` fixes torch's CPU thread count while
    training (None: torch's default); CPU results are bit-reproducible for a fixed count.
    ``fused`` uses PyTorch's fused optimizer kernel: about 12% faster training for the
    784-500-20 model, but not bit-identical to the default update (so off by default).
    ``algorithm``: ``aevb`` (the paper's), ``wake_sleep`` or ``mcem`` (its baselines, see
    :mod:`~vae_tutorial.core.algorithms`); ``init_std``: initial weights from
    N(0, init_std^2) (the paper: 0.01; None: PyTorch's default).
    """

    optimizer: str = "adam"
    lr: float = 1e-3
    lr_halflife: int | None = None
    weight_decay: float = 0.0
    batch_size: int = 100
    n_samples: int = 1
    kl: str = "analytic"
    max_samples: int = 1_000_000
    eval_every: int = 50_000
    eval_train_size: int = 10_000
    eval_test_size: int | None = None
    seed: int = 0
    threads: int | None = None
    fused: bool = False
    objective: str = "elbo"
    iwae_k: int = 1
    beta: float = 1.0
    kl_warmup: int = 0
    free_bits: float = 0.0
    algorithm: str = "aevb"
    init_std: float | None = None

    def __post_init__(self) -> None:
        s = "train"
        _check_name(s, "algorithm", self.algorithm)
        if self.init_std is not None:
            _number_in(s, "init_std", self.init_std, 0.0, 10.0, open_lo=True)
        _check(isinstance(self.fused, bool), s, "fused", self.fused, "true or false")
        _check_name(s, "optimizer", self.optimizer)
        _number_in(s, "lr", self.lr, 0.0, 10.0, open_lo=True)
        if self.lr_halflife is not None:
            _int_in(s, "lr_halflife", self.lr_halflife, 1, MAX_SAMPLES, " (samples), or null")
        _number_in(s, "weight_decay", self.weight_decay, 0.0, 1000.0)
        _int_in(s, "batch_size", self.batch_size, 1, 1_000_000)
        _int_in(s, "n_samples", self.n_samples, 1, 10_000)
        for key in ("max_samples", "eval_every"):
            _int_in(s, key, getattr(self, key), 1, MAX_SAMPLES)
        _int_in(s, "eval_train_size", self.eval_train_size, 1, 10_000_000)
        if self.eval_test_size is not None:
            _int_in(s, "eval_test_size", self.eval_test_size, 1, 10_000_000, ", or null (all)")
        _check_name(s, "kl", self.kl)
        _check_name(s, "objective", self.objective)
        _int_in(s, "iwae_k", self.iwae_k, 1, 10_000)
        _number_in(s, "beta", self.beta, 0.0, 1000.0)
        _int_in(s, "kl_warmup", self.kl_warmup, 0, MAX_SAMPLES)
        _number_in(s, "free_bits", self.free_bits, 0.0, 100.0)
        _int_in(s, "seed", self.seed, 0, MAX_SEED)
        if self.threads is not None:
            _int_in(s, "threads", self.threads, 1, MAX_THREADS, ", or null (torch's default)")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        return {k: v for k, v in d.items() if _LATER_TRAIN_KEYS.get(k, object()) != v}


@dataclass(frozen=True)
class ExperimentConfig:
    """A named experiment: which dataset, which model, how to train it."""

    name: str
    data: str
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self) -> None:
        _check(
            isinstance(self.name, str) and self.name.strip() != "" and "/" not in self.name,
            "experiment",
            "name",
            self.name,
            "a non-empty string without '/'",
        )
        _check_name("experiment", "data", self.data)
        floats = self.train.batch_size * self.train.n_samples * self.model.x_dim
        if floats > MAX_BATCH_FLOATS:
            raise ConfigError(
                f"one training step would decode {floats:,} values (train.batch_size x "
                f"train.n_samples x model.x_dim; limit {MAX_BATCH_FLOATS:,}): lower "
                "train.batch_size or train.n_samples"
            )

    # -- JSON round trip -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "data": self.data,
            "model": self.model.to_dict(),
            "train": self.train.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, d: Any) -> ExperimentConfig:
        if not isinstance(d, dict):
            raise ConfigError(f"an experiment config must be a JSON object, got {type(d).__name__}")
        top = _only_known(d, cls, "experiment")
        for key in ("name", "data"):
            if key not in top:
                raise ConfigError(f"experiment config is missing the required key {key!r}")
        model = _section(top.get("model", {}), ModelConfig, "model")
        train = _section(top.get("train", {}), TrainConfig, "train")
        return cls(name=top["name"], data=top["data"], model=model, train=train)

    @classmethod
    def from_json(cls, text: str) -> ExperimentConfig:
        return cls.from_dict(parse_json(text))

    @classmethod
    def load(cls, path: str | Path) -> ExperimentConfig:
        path = Path(path)
        if path.is_dir():
            raise ConfigError(f"{path} is a directory, not a config file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{path} is not UTF-8 text; save the config as UTF-8 JSON") from None
        except OSError as e:
            raise ConfigError(f"cannot read config file {path}: {e.strerror or e}") from e
        try:
            return cls.from_json(text)
        except ConfigError as e:
            raise ConfigError(f"{path}: {e}") from e


def _only_known(d: dict[str, Any], cls: type, section: str) -> dict[str, Any]:
    known = [f.name for f in dataclasses.fields(cls)]
    for key in d:
        if key not in known:
            raise ConfigError(
                f"unknown key {key!r} in {section} config; allowed keys: {', '.join(known)}"
            )
    return d


def _section(d: Any, cls: type, section: str) -> Any:
    if not isinstance(d, dict):
        raise ConfigError(f"{section} config must be a JSON object, got {type(d).__name__}")
    return cls(**_only_known(d, cls, section))
