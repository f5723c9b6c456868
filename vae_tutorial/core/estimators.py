"""Estimators of the lower bound (ELBO) and of log p(x), all in nats per datapoint.

- :func:`elbo`: the SGVB estimator in the paper's two forms (section 2.3):
  estimator A (``kl="monte_carlo"``, eq. 6) and estimator B (``kl="analytic"``, eq. 7).
- :func:`log_px_importance`: log p(x) ~= log (1/K) sum_k p(x, z_k) / q(z_k|x), z_k ~ q(z|x),
  the importance-sampled marginal likelihood of Appendix D / Rezende et al.; a lower bound
  in expectation that tightens as K grows, streamed so K = 5000 fits in memory.
  :func:`importance_estimates` is the streaming loop itself, for any proposal q of the
  model's latent family, with the ELBO of that q from the same K draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from ..theory.gaussian import kl_diag_normal
from .latents import Params
from .model import VAE

#: decoder outputs held in memory at once by the streaming estimators (floats). 4M floats
#: = 16 MB per buffer stays under glibc's 32 MB mmap threshold, so buffers are reused
#: instead of being mapped and page-faulted in afresh for every chunk (1 << 24 cost
#: 75,000 page faults and 25% of log_px_importance's time; issue 6)
MEMORY_BUDGET = 1 << 22


def _analytic_kl(model: VAE, params: Params, z: torch.Tensor, log_px_z: torch.Tensor):
    """Estimator B (eq. 7): (1/L) sum_l log p(x|z_l) - KL(q || p(z)), the KL in closed form."""
    return log_px_z.mean(0) - model.latent.kl(params)


def _monte_carlo_kl(model: VAE, params: Params, z: torch.Tensor, log_px_z: torch.Tensor):
    """Estimator A (eq. 6): (1/L) sum_l [log p(x|z_l) + log p(z_l) - log q(z_l)]."""
    log_pz = model.prior.log_prob(z)
    log_qz = model.latent.q(params).log_prob(z)
    return (log_px_z + log_pz - log_qz).mean(0)


#: how the KL term is estimated, by config name (``train.kl``): the paper's estimators B and A
KL_ESTIMATORS = {"analytic": _analytic_kl, "monte_carlo": _monte_carlo_kl}


def weighted_elbo(
    model: VAE, x: torch.Tensor, n_samples: int, beta: float = 1.0, free_bits: float = 0.0
) -> torch.Tensor:
    """E_q[log p(x|z)] - beta * KL(q || p(z)), the KL summed over latent dimensions after each
    dimension's batch-mean KL is floored at ``free_bits`` nats (free bits, Kingma et al.
    2016; 0: no floor). beta = 1 and free_bits = 0 is estimator B. x: (B, D) -> (B,)."""
    params = model.encoder_params(x)
    latent = model.latent
    eps = latent.noise((n_samples, *params[0].shape), params[0])
    rec = model.decode(latent.transform(params, eps)).log_prob(x).mean(0)
    if free_bits > 0:
        per_dim = _kl_per_dim(model, params)  # (B, Z)
        floor = torch.clamp(per_dim.mean(0), min=free_bits)  # (Z,)
        kl = per_dim.sum(-1) - per_dim.mean(0).sum() + floor.sum()
    else:
        kl = latent.kl(params)
    return rec - beta * kl


def _kl_per_dim(model: VAE, params) -> torch.Tensor:
    """KL(q || p(z)) per latent dimension (B, Z) for the Gaussian family."""
    mu, logvar = params
    return kl_diag_normal(mu[..., None], logvar[..., None])  # a sum over one element each


def iwae_bound(model: VAE, x: torch.Tensor, k: int) -> torch.Tensor:
    """The importance-weighted bound (Burda et al. 2016), log (1/K) sum_k p(x, z_k)/q(z_k|x)
    with K reparameterized draws: differentiable, equal to the ELBO in expectation at K = 1,
    tighter as K grows. x: (B, D) -> (B,)."""
    return torch.logsumexp(log_importance_weights(model, x, k), dim=0) - math.log(k)


#: what a training step maximises, by config name (``train.objective``); each maps
#: (model, minibatch, train config, KL weight now) to per-datapoint values (B,)
OBJECTIVES = {
    "elbo": lambda m, x, c, beta: weighted_elbo(m, x, c.n_samples, beta, c.free_bits),
    "iwae": lambda m, x, c, beta: iwae_bound(m, x, c.iwae_k),
}


def elbo(model: VAE, x: torch.Tensor, n_samples: int = 1, kl: str = "analytic") -> torch.Tensor:
    """SGVB estimate of the ELBO per datapoint under the encoder's q(z|x).
    x: (B, x_dim) -> (B,) nats. See :func:`elbo_of_q` for the two estimators."""
    return elbo_of_q(model, x, model.encoder_params(x), n_samples, kl)


def elbo_of_q(
    model: VAE,
    x: torch.Tensor,
    params: Params,
    n_samples: int = 1,
    kl: str = "analytic",
    eps: torch.Tensor | None = None,
) -> torch.Tensor:
    """SGVB estimate of the ELBO of the q(z) with parameters ``params`` per datapoint, e.g.
    q = N(mu, diag exp(logvar)) for params = (mu, logvar) (the model's latent family).
    x: (B, x_dim), each parameter (B, Z) -> (B,) nats.

    ``kl="analytic"`` is estimator B: (1/L) sum_l log p(x|z_l) - KL(q || p(z)).
    ``kl="monte_carlo"`` is estimator A: (1/L) sum_l [log p(x|z_l) + log p(z_l) - log q(z_l)].
    Both use z_l = g(eps_l, params), e.g. mu + sigma * eps_l with eps_l ~ N(0, I) (the
    reparameterization trick; pass ``eps`` (L, B, Z) to fix the noise), so gradients flow to
    the parameters. Both have the same expectation.
    """
    latent = model.latent
    if eps is None:
        eps = latent.noise((n_samples, *params[0].shape), params[0])
    z = latent.transform(params, eps)  # (L, B, Z)
    if kl not in KL_ESTIMATORS:
        raise ValueError(f"kl must be one of {', '.join(KL_ESTIMATORS)}, got {kl!r}")
    log_px_z = model.decode(z).log_prob(x)  # (L, B)
    return KL_ESTIMATORS[kl](model, params, z, log_px_z)


def log_importance_weights(
    model: VAE, x: torch.Tensor, k: int, params: Params | None = None, generator=None
) -> torch.Tensor:
    """log p(x, z_k) - log q(z_k) for K draws z_k ~ q, q the model's latent family with
    parameters ``params`` (default: the encoder's q(z|x)). x: (B, D) -> (K, B)."""
    params = model.encoder_params(x) if params is None else params
    return _draw_log_weights(model, x, k, params, generator)[1]


def _draw_log_weights(
    model: VAE, x: torch.Tensor, k: int, params: Params, generator=None
) -> tuple[torch.Tensor, torch.Tensor]:
    """K reparameterized draws z_k ~ q(z; params) of the model's latent family (noise from
    ``generator``, default torch's): log p(x|z_k) and log p(x, z_k) - log q(z_k), each (K, B)."""
    latent = model.latent
    first = params[0]
    z = latent.transform(params, latent.noise((k, *first.shape), first, generator))
    log_px_z = model.log_likelihood(z, x)
    return log_px_z, log_px_z + model.prior.log_prob(z) - latent.q(params).log_prob(z)


def _chunks(total: int, size: int) -> Iterator[int]:
    for start in range(0, total, size):
        yield min(size, total - start)


@dataclass(frozen=True)
class ImportanceEstimates:
    """Per-datapoint estimates from one set of K draws z_k ~ q, each (B,) float64, nats:
    ``log_px`` = log (1/K) sum_k p(x, z_k) / q(z_k), ``ess`` = (sum w)^2 / sum w^2 in [1, K]
    (the effective sample size of the weights), ``elbo`` = (1/K) sum_k log p(x|z_k) - KL(q ||
    p(z)) (estimator B with L = K: the bound of the proposal itself)."""

    log_px: torch.Tensor
    ess: torch.Tensor
    elbo: torch.Tensor


@torch.inference_mode()
def importance_estimates(
    model: VAE,
    x: torch.Tensor,
    k: int = 5000,
    params: Params | None = None,
    chunk: int | None = None,
    generator: torch.Generator | None = None,
) -> ImportanceEstimates:
    """Importance sampling of log p(x) with K draws from the proposal q(z; params) of the
    model's latent family (default: the encoder's q(z|x); any q of the family, e.g. one
    optimized for each datapoint), with the ESS and the ELBO of q from the same draws.
    x: (B, D), each parameter (B, Z).

    The K draws are made ``chunk`` at a time (noise from ``generator``, default torch's) and
    combined by a running log-sum-exp, so memory is O(B * chunk * D) whatever K is. Two calls
    with generators seeded alike draw the same noise for any two proposals of the same shape
    (common random numbers). log p(x) >= ``log_px`` >= ``elbo`` in expectation.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    params = model.encoder_params(x) if params is None else params
    if chunk is None:
        chunk = max(1, MEMORY_BUDGET // max(1, x.shape[0] * model.x_dim * 2))
    acc = torch.full((x.shape[0],), -math.inf, dtype=torch.float64, device=x.device)
    acc2 = acc.clone()
    rec = torch.zeros(x.shape[0], dtype=torch.float64, device=x.device)
    for n in _chunks(k, chunk):
        log_px_z, lw = _draw_log_weights(model, x, n, params, generator)
        lw = lw.double()
        acc = torch.logaddexp(acc, torch.logsumexp(lw, dim=0))
        acc2 = torch.logaddexp(acc2, torch.logsumexp(2 * lw, dim=0))
        rec = rec + log_px_z.double().sum(0)
    return ImportanceEstimates(
        log_px=acc - math.log(k),
        ess=torch.exp(2 * acc - acc2),
        elbo=rec / k - model.latent.kl(params).double(),
    )


@torch.inference_mode()
def log_px_importance(
    model: VAE, x: torch.Tensor, k: int = 5000, chunk: int | None = None, ess: bool = False
):
    """Importance-sampled log p(x) with K samples from q(z|x). x: (B, D) -> (B,) nats; with
    ``ess=True`` also the effective sample size (sum w)^2 / sum w^2 of each row's K weights,
    (B,) in [1, K] (a small ESS says a few samples carry the estimate: distrust it).

    The K samples are drawn ``chunk`` at a time and combined by a running log-sum-exp
    (:func:`importance_estimates`), so memory is O(B * chunk * D) whatever K is.
    log p(x) >= this >= ELBO in expectation.
    """
    r = importance_estimates(model, x, k, chunk=chunk)
    log_px = r.log_px.to(x.dtype)
    return (log_px, r.ess) if ess else log_px


def map_batches(fn, args: list[tuple], jobs: int = 1) -> list:
    """``[fn(*a) for a in args]``, in ``jobs`` worker processes of one thread each when
    ``jobs`` > 1 (joblib's loky backend: on a 2-core machine two one-thread processes do more
    matrix products per second than one process on two threads). Each call must seed its own
    random numbers, so that the answer does not depend on ``jobs``."""
    if isinstance(jobs, bool) or not isinstance(jobs, int | np.integer) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    if jobs == 1:
        return [fn(*a) for a in args]
    jobs = int(jobs)
    from joblib import Parallel, delayed, parallel_config

    with parallel_config(backend="loky", n_jobs=jobs, inner_max_num_threads=1):
        return Parallel()(delayed(fn)(*a) for a in args)


def _seeded_batch(model: VAE, x: torch.Tensor, k: int, seed: int):
    with torch.random.fork_rng(devices=[]):  # the caller's generator is left untouched
        torch.manual_seed(seed)
        return log_px_importance(model, x, k, ess=True)


def log_px_importance_batches(
    model: VAE, x: torch.Tensor, k: int = 5000, batch: int = 100, jobs: int = 1, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Importance-sampled log p(x) and its effective sample size for every row of x (N, D):
    (N,) and (N,), in batches of ``batch`` rows, batch b drawn with torch seed ``seed + b``, so
    the answer is the same whatever ``jobs`` is (:func:`map_batches`)."""
    args = [(model, xb, k, seed + b) for b, xb in enumerate(x.split(batch))]
    parts = map_batches(_seeded_batch, args, jobs)
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


@torch.inference_mode()
def evaluate(
    model: VAE, x: torch.Tensor, k: int = 0, batch_size: int | None = None, n_samples: int = 1
) -> dict[str, float]:
    """Average ELBO (L = ``n_samples``) and, if ``k`` > 0, importance-sampled log p(x) over
    the rows of x (N, D) (a float tensor or a dataset's ``Rows``). Returns {"elbo": nats,
    "log_px": nats or None, "n": N}. No gradients are kept."""
    model.eval()
    device = model.device()
    batch_size = batch_size or (1000 if k == 0 else 100)
    total_elbo, total_lpx, n = 0.0, 0.0, 0
    for start in range(0, x.shape[0], batch_size):
        xb = x[start : start + batch_size].to(device)
        total_elbo += float(elbo(model, xb, n_samples=n_samples).sum())
        if k:
            total_lpx += float(log_px_importance(model, xb, k).sum())
        n += xb.shape[0]
    return {"elbo": total_elbo / n, "log_px": total_lpx / n if k else None, "n": n}
