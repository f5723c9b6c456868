"""The discrete-latent baseline: a mixture of K multivariate Bernoullis fitted by EM.

A classic baseline for the VAE (Bishop, PRML section 9.3.3) with K = 10 components on MNIST:
a discrete latent z in {1..K} with p(z = k) = pi_k and p(x | z = k) =
prod_d Bern(x_d | p_kd). Its log-likelihood is exact, log p(x) = logsumexp_k [log pi_k +
sum_d log Bern(x_d | p_kd)], so it compares directly with the VAE's importance-sampled log p(x)
(nats, higher is better). numpy float64, vectorised: one EM iteration is two sparse (N, D) x
(D, K) products (binary images are mostly zeros).

MAP smoothing: ``fit_em`` maximises  sum_n log p(x_n) + log Beta(p_kd | alpha, alpha) summed over
k, d + log Dirichlet(pi | dirichlet), i.e. it adds ``alpha - 1`` pseudo-counts to both pixel
values of every component and ``dirichlet - 1`` pseudo-counts to every component. alpha = 1
and dirichlet = 1 is plain maximum likelihood, where a pixel never on in the training data gets
p = 0 exactly and a test image with that pixel on gets log p(x) = -inf.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.special import betaln, expit, gammaln, log_expit, logsumexp

from ..errors import ConfigError, DataError

if TYPE_CHECKING:
    pass


def _as_binary(x: Any, d: int | None = None) -> sp.csr_array:
    """Validate x (N, D) with entries in {0, 1} (numpy array or torch tensor) -> sparse float64.

    Binary images are mostly zeros (13% ones for MNIST), so a CSR matrix makes EM ~3x faster.
    """
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise DataError(f"x must be numeric with entries 0 or 1, got dtype {a.dtype}")
    if a.ndim != 2:
        raise DataError(f"x must be 2-D (N images, D pixels), got shape {a.shape}; flatten images")
    if d is not None and a.shape[1] != d:
        raise DataError(f"x must have {d} columns (pixels), got shape {a.shape}")
    if a.dtype.kind == "f" and np.isnan(a).any():
        raise DataError("x contains NaN; remove or impute those entries before fitting")
    if not np.all((a == 0) | (a == 1)):
        raise DataError("x must be binary (every entry 0 or 1); binarize it, e.g. (x > 0.5)")
    return sp.csr_array(a, dtype=np.float64)


def _normalise(lj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stable logsumexp over k and the posterior: lj (N, K) -> (log p(x) (N,), r (N, K))."""
    m = lj.max(1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(lj - m)
    total = e.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # an impossible row: -inf and NaN
        return (m + np.log(total))[:, 0], e / total


def _log_joint(x: sp.csr_array, log_weights: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """log pi_k + sum_d log Bern(x_d | sigmoid(logit_kd)): x (N, D) -> (N, K).

    Uses x * l + log sigmoid(-l) (no log of a clamped probability). Infinite logits (p = 0 or 1
    exactly, from maximum likelihood) give 0 for the matching pixel value and -inf otherwise.
    """
    finite = np.isfinite(logits)
    f = np.where(finite, logits, 0.0)
    out = x @ f.T + (log_expit(-f) * finite).sum(1) + log_weights
    if not finite.all():
        neg, pos = (logits == -np.inf).astype(float), (logits == np.inf).astype(float)
        impossible = (x @ neg.T > 0) | (pos.sum(1) - x @ pos.T > 0)
        out[impossible] = -np.inf
    return out


@dataclass(frozen=True, eq=False)
class BernoulliMixture:
    """p(x) = sum_k pi_k prod_d Bern(x_d | sigmoid(logits[k, d])).

    log_weights: (K,) log pi_k (logsumexp = 0); logits: (K, D) log(p / (1 - p)), +-inf allowed.
    """

    log_weights: np.ndarray
    logits: np.ndarray

    def __post_init__(self) -> None:
        lw, lg = np.asarray(self.log_weights, float), np.asarray(self.logits, float)
        if lw.ndim != 1 or lg.ndim != 2 or lg.shape[0] != lw.shape[0]:
            raise ConfigError(f"need log_weights (K,), logits (K, D); got {lw.shape}, {lg.shape}")
        if np.isnan(lw).any() or np.isnan(lg).any() or abs(logsumexp(lw)) > 1e-8:
            raise ConfigError("log_weights must be log probabilities summing to 1, logits not NaN")
        object.__setattr__(self, "log_weights", lw)
        object.__setattr__(self, "logits", lg)

    @property
    def components(self) -> int:
        """Number of components K."""
        return self.logits.shape[0]

    @property
    def weights(self) -> np.ndarray:
        """Mixing weights pi: (K,), in [0, 1], summing to 1."""
        return np.exp(self.log_weights)

    @property
    def means(self) -> np.ndarray:
        """Component images p_kd = p(x_d = 1 | z = k): (K, D) in [0, 1]."""
        return expit(self.logits)

    @property
    def n_parameters(self) -> int:
        """Free parameters: K - 1 mixing weights + K * D pixel probabilities."""
        return self.components - 1 + self.logits.size

    def log_likelihood(self, x: Any) -> np.ndarray:
        """Exact log p(x) in nats: x (N, D) in {0, 1} -> (N,)."""
        x = _as_binary(x, self.logits.shape[1])
        return _normalise(_log_joint(x, self.log_weights, self.logits))[0]

    def responsibilities(self, x: Any) -> np.ndarray:
        """Posterior p(z = k | x): x (N, D) in {0, 1} -> (N, K), rows sum to 1."""
        x = _as_binary(x, self.logits.shape[1])
        return _normalise(_log_joint(x, self.log_weights, self.logits))[1]

    def sample(self, n: int, generator: np.random.Generator | int | None = None) -> np.ndarray:
        """n ancestral samples z ~ pi, x ~ Bern(p_z): -> (n, D) float64 in {0, 1}."""
        rng = np.random.default_rng(generator)
        z = rng.choice(self.components, size=n, p=self.weights / self.weights.sum())
        return (rng.random((n, self.logits.shape[1])) < self.means[z]).astype(np.float64)


@dataclass
class EMHistory:
    """One entry per EM iteration; entry 0 is the initialisation, entry t after t iterations.

    log_likelihood: average train log p(x) (nats per image); objective: that plus
    log prior / N (what MAP-EM provably never decreases; equal to it when alpha = dirichlet = 1);
    seconds: wall time since the start of ``fit_em``; converged: stopped by ``tol``.
    """

    log_likelihood: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    converged: bool = False

    @property
    def iterations(self) -> int:
        """Number of EM iterations run (E-step + M-step pairs after the initialisation)."""
        return len(self.objective) - 1


def _log_prior(log_w: np.ndarray, logits: np.ndarray, alpha: float, dirichlet: float) -> float:
    """log Beta(p_kd | alpha, alpha) summed over k, d + log Dirichlet(pi | dirichlet)."""
    lp = 0.0
    if alpha != 1.0:
        both = log_expit(logits) + log_expit(-logits)
        lp += (alpha - 1) * both.sum() - logits.size * betaln(alpha, alpha)
    if dirichlet != 1.0:
        k = log_w.size
        lp += (dirichlet - 1) * log_w.sum() + gammaln(k * dirichlet) - k * gammaln(dirichlet)
    return float(lp)


def _m_step(
    x: sp.csr_array, r: np.ndarray, alpha: float, dirichlet: float
) -> tuple[np.ndarray, np.ndarray]:
    """MAP M-step from responsibilities r (N, K) -> (log_weights (K,), logits (K, D))."""
    nk = r.sum(0)
    ones = (x.T @ r).T  # (K, D) expected counts of x_d = 1
    on = ones + (alpha - 1)
    off = np.maximum(nk[:, None] - ones, 0.0) + (alpha - 1)
    with np.errstate(divide="ignore"):
        logits = np.where(on + off > 0, np.log(on) - np.log(off), 0.0)
        w = nk + (dirichlet - 1)
        log_w = np.log(w) - np.log(w.sum())
    return log_w, logits


def _init_responsibilities(
    x: sp.csr_array, components: int, rng: np.random.Generator
) -> np.ndarray:
    """k-means++ seeding with Hamming distance, then hard nearest-seed assignment: (N, K)."""
    n = x.shape[0]
    xsum = x.sum(1)
    seeds = [int(rng.integers(n))]
    dist = np.full(n, np.inf)
    for _ in range(components):
        centre = x[[seeds[-1]]].toarray()[0]
        dist = np.minimum(dist, xsum + centre.sum() - 2 * (x @ centre))  # Hamming distance
        if len(seeds) == components:
            break
        total = dist.sum()
        seeds.append(int(rng.choice(n, p=dist / total)) if total > 0 else int(rng.integers(n)))
    centres = x[seeds].toarray()
    d = xsum[:, None] + centres.sum(1)[None, :] - 2 * (x @ centres.T)
    r = np.zeros((n, components))
    r[np.arange(n), d.argmin(1)] = 1.0
    return r


def fit_em(
    x: Any,
    components: int = 10,
    iters: int = 100,
    seed: int = 0,
    alpha: float = 1.01,
    dirichlet: float = 1.01,
    tol: float = 1e-4,
) -> tuple[BernoulliMixture, EMHistory]:
    """Fit a Bernoulli mixture of K = ``components`` components to binary x (N, D) by (MAP-)EM.

    Initialisation: k-means++ seeds (Hamming distance, drawn with ``seed``) and one M-step on the
    hard nearest-seed assignment, so the same seed gives the same result. Then up to ``iters``
    E-step/M-step pairs; stops early once the objective (nats per image) gains less than ``tol``.
    ``alpha`` >= 1: Beta(alpha, alpha) prior on every p_kd (alpha - 1 pseudo-counts per pixel
    value; the default 1.01 keeps p away from 0 and 1 while barely moving it; alpha = 1 is pure
    maximum likelihood). ``dirichlet`` >= 1: Dirichlet prior on pi (likewise).
    """
    if not isinstance(components, (int, np.integer)) or components < 1:
        raise ConfigError(f"components must be an integer >= 1, got {components!r}")
    if not isinstance(iters, (int, np.integer)) or iters < 0:
        raise ConfigError(f"iters must be an integer >= 0, got {iters!r}")
    if not (alpha >= 1 and dirichlet >= 1 and np.isfinite(alpha) and np.isfinite(dirichlet)):
        raise ConfigError(f"alpha and dirichlet must be finite and >= 1, got {alpha}, {dirichlet}")
    if not tol >= 0:
        raise ConfigError(f"tol must be >= 0 (nats per image), got {tol}")
    start = time.perf_counter()
    x = _as_binary(x)
    n = x.shape[0]
    if components > n:
        raise ConfigError(
            f"components = {components} but only {n} data points; use components <= {n}"
        )
    log_w, logits = _m_step(
        x, _init_responsibilities(x, components, np.random.default_rng(seed)), alpha, dirichlet
    )
    hist = EMHistory()
    for it in range(iters + 1):
        lj = _log_joint(x, log_w, logits)  # E-step: also scores the current parameters
        ll, r = _normalise(lj)
        hist.log_likelihood.append(float(ll.mean()))
        hist.objective.append(
            hist.log_likelihood[-1] + _log_prior(log_w, logits, alpha, dirichlet) / n
        )
        hist.seconds.append(time.perf_counter() - start)
        if it > 0 and hist.objective[-1] - hist.objective[-2] < tol:
            hist.converged = True
            break
        if it < iters:
            log_w, logits = _m_step(x, r, alpha, dirichlet)
    return BernoulliMixture(log_w, logits), hist
