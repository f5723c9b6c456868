"""Small latent-variable models for notebooks 01-04, vectorised over z.

Every model has the prior z ~ N(0, alpha^-1 I) over a D-dimensional latent and a likelihood
p(x|z). Numpy methods take z as (N, D) (N latent points, e.g. a grid) and return (N,) values;
the torch twins (``*_torch``) take (..., D) tensors and keep the autograd graph.

x is one observation (X,) or M i.i.d. observations (M, X) sharing the same z; the likelihood
of several observations is the sum of their log likelihoods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from scipy.special import expit, log_expit

from .gaussian import LOG_2PI


def _as_points(z: np.ndarray, d: int) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    z = z.reshape(1, -1) if z.ndim == 1 else z
    if z.shape[-1] != d:
        raise ValueError(f"z must have {d} columns, got shape {z.shape}")
    return z


def _as_obs(x: np.ndarray, x_dim: int) -> np.ndarray:
    """x (X,) or (M, X) -> (M, X)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if x.shape[-1] != x_dim:
        raise ValueError(f"x must have {x_dim} entries per observation, got shape {x.shape}")
    return x


class LatentModel:
    """Base class: Gaussian prior z ~ N(0, alpha^-1 I) and a likelihood given by a subclass."""

    alpha: float

    @property
    def z_dim(self) -> int:
        """Latent dimension D."""
        raise NotImplementedError

    @property
    def x_dim(self) -> int:
        """Dimension X of one observation."""
        raise NotImplementedError

    def log_prior(self, z: np.ndarray) -> np.ndarray:
        """log N(z; 0, alpha^-1 I): z (N, D) -> (N,)."""
        z = _as_points(z, self.z_dim)
        d = self.z_dim
        return 0.5 * d * (math.log(self.alpha) - LOG_2PI) - 0.5 * self.alpha * np.sum(z**2, -1)

    def log_likelihood(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """log p(x|z) summed over observations: x (X,) or (M, X), z (N, D) -> (N,)."""
        raise NotImplementedError

    def log_joint(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """log p(x, z) = log p(x|z) + log p(z): x (X,) or (M, X), z (N, D) -> (N,)."""
        return self.log_likelihood(x, z) + self.log_prior(z)

    def sample_x(self, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One observation per latent: z (n, D) -> x (n, X)."""
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Ancestral samples: z (n, D) from the prior, then x (n, X) from p(x|z)."""
        z = rng.normal(0.0, 1.0 / math.sqrt(self.alpha), size=(n, self.z_dim))
        return z, self.sample_x(z, rng)

    # torch twins: z (..., D) tensor -> (...) tensor, differentiable in z
    def log_prior_torch(self, z: torch.Tensor) -> torch.Tensor:
        """log N(z; 0, alpha^-1 I) for a tensor z (..., D) -> (...)."""
        d = z.shape[-1]
        return 0.5 * d * (math.log(self.alpha) - LOG_2PI) - 0.5 * self.alpha * (z**2).sum(-1)

    def log_likelihood_torch(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """log p(x|z) for tensors x (X,) or (M, X) and z (..., D) -> (...)."""
        raise NotImplementedError

    def log_joint_torch(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """log p(x, z) for tensors x (X,) or (M, X) and z (..., D) -> (...)."""
        return self.log_likelihood_torch(x, z) + self.log_prior_torch(z)


class _GaussianLikelihood(LatentModel):
    """x | z ~ N(f(z), beta^-1 I) with a mean function f given by the subclass."""

    beta: float

    def mean_function(self, z: np.ndarray) -> np.ndarray:
        """f(z): z (N, D) -> (N, X)."""
        raise NotImplementedError

    def mean_function_torch(self, z: torch.Tensor) -> torch.Tensor:
        """f(z) for a tensor z (..., D) -> (..., X)."""
        raise NotImplementedError

    def log_likelihood(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        x = _as_obs(x, self.x_dim)
        f = self.mean_function(_as_points(z, self.z_dim))  # (N, X)
        m = x.shape[0]
        # sum_m ||x_m - f||^2 = sum_m ||x_m||^2 - 2 f . sum_m x_m + M ||f||^2
        sq = np.sum(x**2) - 2.0 * f @ x.sum(0) + m * np.sum(f**2, -1)
        return 0.5 * m * self.x_dim * (math.log(self.beta) - LOG_2PI) - 0.5 * self.beta * sq

    def log_likelihood_torch(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        x = torch.as_tensor(x, dtype=z.dtype)
        x = x.reshape(-1, self.x_dim)
        f = self.mean_function_torch(z).unsqueeze(-2)  # (..., 1, X)
        sq = ((x - f) ** 2).sum((-1, -2))
        const = 0.5 * x.shape[0] * self.x_dim * (math.log(self.beta) - LOG_2PI)
        return const - 0.5 * self.beta * sq

    def sample_x(self, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        f = self.mean_function(_as_points(z, self.z_dim))
        return f + rng.normal(0.0, 1.0 / math.sqrt(self.beta), size=f.shape)


def _t(a: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(a, dtype=like.dtype, device=like.device)


@dataclass(eq=False)
class LinearGaussian(_GaussianLikelihood):
    """x | z ~ N(W z, beta^-1 I), z ~ N(0, alpha^-1 I); W (X, D). W = I gives f(z) = z.

    The conjugate case (Bishop, PRML section 2.3.3): the posterior is Gaussian (see
    :mod:`.conjugate`); with W (X, D) and X > D it is probabilistic PCA (PRML section 12.2).
    """

    alpha: float
    beta: float
    W: np.ndarray

    def __post_init__(self) -> None:
        self.W = np.atleast_2d(np.asarray(self.W, dtype=np.float64))

    @property
    def z_dim(self) -> int:
        return self.W.shape[1]

    @property
    def x_dim(self) -> int:
        return self.W.shape[0]

    def mean_function(self, z: np.ndarray) -> np.ndarray:
        return _as_points(z, self.z_dim) @ self.W.T

    def mean_function_torch(self, z: torch.Tensor) -> torch.Tensor:
        return z @ _t(self.W, z).T


@dataclass(eq=False)
class SigmoidGaussian(_GaussianLikelihood):
    """x | z ~ N(sigmoid(W z + b), beta^-1 I), z ~ N(0, alpha^-1 I); W (X, D), b (X,).

    The first "hard" model of notebook 02 and the running example of notebooks 03-04: a
    nonlinear decoder, so the posterior has no closed form (paper, section 2.1).
    """

    alpha: float
    beta: float
    W: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        self.W = np.atleast_2d(np.asarray(self.W, dtype=np.float64))
        self.b = np.asarray(self.b, dtype=np.float64).reshape(self.W.shape[0])

    @property
    def z_dim(self) -> int:
        return self.W.shape[1]

    @property
    def x_dim(self) -> int:
        return self.W.shape[0]

    def mean_function(self, z: np.ndarray) -> np.ndarray:
        return expit(_as_points(z, self.z_dim) @ self.W.T + self.b)

    def mean_function_torch(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(z @ _t(self.W, z).T + _t(self.b, z))


@dataclass(eq=False)
class MLPGaussian(_GaussianLikelihood):
    """x | z ~ N(MLP(z), beta^-1 I), z ~ N(0, alpha^-1 I).

    ``weights``: [(W1, b1), ..., (WL, bL)] with Wl (out, in); tanh after every layer except
    the last (linear output). The second "hard" model of notebook 02: a miniature decoder.
    """

    alpha: float
    beta: float
    weights: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.weights:
            raise ValueError("an MLP needs at least one (W, b) layer")
        self.weights = [
            (np.atleast_2d(np.asarray(w, dtype=np.float64)), np.asarray(b, dtype=np.float64))
            for w, b in self.weights
        ]

    @classmethod
    def random(
        cls,
        sizes: tuple[int, ...] = (2, 16, 2),
        alpha: float = 1.0,
        beta: float = 25.0,
        seed: int = 0,
        gain: float = 1.5,
    ) -> MLPGaussian:
        """A fixed random tanh MLP with layer widths ``sizes`` (first = D, last = X), weights
        N(0, gain^2 / fan_in) and biases N(0, 0.5^2) from ``np.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        layers = [
            (rng.normal(0, gain / math.sqrt(i), size=(o, i)), rng.normal(0, 0.5, size=o))
            for i, o in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        return cls(alpha=alpha, beta=beta, weights=layers)

    @property
    def z_dim(self) -> int:
        return self.weights[0][0].shape[1]

    @property
    def x_dim(self) -> int:
        return self.weights[-1][0].shape[0]

    def mean_function(self, z: np.ndarray) -> np.ndarray:
        h = _as_points(z, self.z_dim)
        for k, (w, b) in enumerate(self.weights):
            h = h @ w.T + b
            if k < len(self.weights) - 1:
                h = np.tanh(h)
        return h

    def mean_function_torch(self, z: torch.Tensor) -> torch.Tensor:
        h = z
        for k, (w, b) in enumerate(self.weights):
            h = h @ _t(w, z).T + _t(b, z)
            if k < len(self.weights) - 1:
                h = torch.tanh(h)
        return h


@dataclass(eq=False)
class LogisticRegression(LatentModel):
    """Bayesian logistic regression: weights z ~ N(0, alpha^-1 I), labels
    y_m ~ Bernoulli(sigmoid(features_m . z)) for features (M, D); the observation x = y in
    {0, 1}^M (or several label vectors (K, M)). The third "hard" posterior of notebook 02
    (Bishop, PRML section 4.5)."""

    alpha: float
    features: np.ndarray

    def __post_init__(self) -> None:
        self.features = np.atleast_2d(np.asarray(self.features, dtype=np.float64))

    @property
    def z_dim(self) -> int:
        return self.features.shape[1]

    @property
    def x_dim(self) -> int:
        return self.features.shape[0]

    def mean_function(self, z: np.ndarray) -> np.ndarray:
        """P(y_m = 1 | z): z (N, D) -> (N, M)."""
        return expit(_as_points(z, self.z_dim) @ self.features.T)

    def log_likelihood(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        y = _as_obs(x, self.x_dim)  # (K, M)
        logits = _as_points(z, self.z_dim) @ self.features.T  # (N, M)
        n1 = y.sum(0)
        n0 = y.shape[0] - n1
        return log_expit(logits) @ n1 + log_expit(-logits) @ n0

    def log_likelihood_torch(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        y = torch.as_tensor(x, dtype=z.dtype).reshape(-1, self.x_dim)
        logits = z @ _t(self.features, z).T  # (..., M)
        n1 = y.sum(0)
        n0 = y.shape[0] - n1
        return (torch.nn.functional.logsigmoid(logits) * n1).sum(-1) + (
            torch.nn.functional.logsigmoid(-logits) * n0
        ).sum(-1)

    def sample_x(self, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        p = self.mean_function(z)
        return (rng.uniform(size=p.shape) < p).astype(np.float64)


def exam_data(n: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small, real-looking logistic-regression data set with two standardised features
    ("hours studied", "hours slept", each minus its mean over the class, in units of its
    standard deviation) and a pass/fail label drawn from a logistic model with weights
    (2.0, 1.0). Returns features (n, 2) float64 and labels (n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    studied = rng.gamma(4.0, 1.5, size=n)
    slept = rng.normal(7.0, 1.2, size=n)
    raw = np.stack([studied, slept], axis=1)
    features = (raw - raw.mean(0)) / raw.std(0)
    labels = (rng.uniform(size=n) < expit(features @ np.array([2.0, 1.0]))).astype(np.float64)
    return features, labels


HARD_EXAMPLES = ("sigmoid", "mlp", "logistic")


def hard_example(
    name: str, beta: float | None = None, x: np.ndarray | None = None
) -> tuple[LatentModel, np.ndarray, list[tuple[float, float]]]:
    """The "hard" posteriors of notebook 02: (model, observation, grid limits [(lo, hi)] * 2).

    - "sigmoid": the running example, x|z ~ N(sigmoid(3 z), 1/50 I), x = (0.95, 0.9):
      both outputs near saturation, so the likelihood is flat over a wedge (a skewed posterior);
    - "mlp": a fixed tanh MLP 2-16-2 (seed 5), beta = 25, x = MLP((1, 0.5)): several modes;
    - "logistic": Bayesian logistic regression on ``exam_data(12, seed=0)``, alpha = 0.1.
    ``beta`` and ``x`` override the noise precision and the observation (Gaussian models)."""
    if name == "sigmoid":
        model: LatentModel = SigmoidGaussian(1.0, 50.0, 3.0 * np.eye(2), np.zeros(2))
        obs, limits = np.array([0.95, 0.9]), [(-5.0, 5.0), (-5.0, 5.0)]
    elif name == "mlp":
        model = MLPGaussian.random((2, 16, 2), alpha=1.0, beta=25.0, seed=5, gain=2.0)
        obs, limits = model.mean_function(np.array([[1.0, 0.5]]))[0], [(-5.0, 5.0), (-5.0, 5.0)]
    elif name == "logistic":
        features, labels = exam_data(12, seed=0)
        model, obs, limits = LogisticRegression(0.1, features), labels, [(-5.0, 14.0), (-7.0, 12.0)]
    else:
        raise ValueError(f"unknown example {name!r}; choose from {HARD_EXAMPLES}")
    if beta is not None or x is not None:
        if not isinstance(model, _GaussianLikelihood):
            raise ValueError(f"{name!r} has no noise precision beta or real-valued x")
        model.beta = float(model.beta if beta is None else beta)
        obs = obs if x is None else np.asarray(x, dtype=np.float64)
    return model, obs, limits
