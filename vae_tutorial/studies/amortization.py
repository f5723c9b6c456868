"""The amortization gap: the encoder's q(z|x) against a q optimized for each datapoint.

The encoder maps every x to q(z|x) = N(mu(x), diag sigma^2(x)) with one set of weights
(amortized inference, paper section 2.1). For a fixed decoder, the best Gaussian for one x
is found by maximising that datapoint's ELBO over its own (mu, log sigma^2) by SGVB,
starting from the encoder's output. With log p(x) estimated by importance sampling:

    log p(x) - ELBO(encoder q) = [log p(x) - ELBO(optimized q)]  +  [ELBO(opt.) - ELBO(enc.)]
                                  approximation gap (Gaussian family)   amortization gap (>= 0)

(Cremer, Li and Duvenaud, "Inference suboptimality in variational autoencoders", 2018.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..core.estimators import elbo_of_q, log_px_importance
from ..core.model import VAE
from ..settings import torch_threads
from ..theory.gaussian import LOG_2PI, kl_diag_normal


@dataclass(frozen=True)
class AmortizationResult:
    """Per-datapoint results (arrays of shape (B,), nats) and the settings used."""

    elbo_encoder: np.ndarray
    elbo_optimized: np.ndarray
    log_px: np.ndarray  # importance sampling, proposal: the optimized q
    log_px_encoder: np.ndarray  # importance sampling, proposal: the encoder's q
    trace: np.ndarray  # (steps // record_every + 1, B): SGVB estimates during optimization
    k: int
    steps: int

    @property
    def amortization_gap(self) -> np.ndarray:
        return self.elbo_optimized - self.elbo_encoder

    @property
    def approximation_gap(self) -> np.ndarray:
        return self.log_px - self.elbo_optimized


def optimize_q(
    model: VAE,
    x: torch.Tensor,
    steps: int = 500,
    lr: float = 0.01,
    n_samples: int = 10,
    seed: int = 0,
    record_every: int = 10,
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """Maximise each datapoint's ELBO over its own (mu, logvar) with Adam and the SGVB
    gradient (L = ``n_samples``), from the encoder's output; the decoder stays fixed.
    The step size decays linearly to 0. x: (B, D) -> mu, logvar (B, Z) and the trace of
    SGVB estimates (steps // record_every + 1, B). Seeded, on one CPU thread."""
    with torch_threads(1):
        return _optimize_q(model, x, steps, lr, n_samples, seed, record_every)


def _optimize_q(model, x, steps, lr, n_samples, seed, record_every):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        mu0, logvar0 = model.encoder_params(x)
    mu = mu0.clone().requires_grad_(True)
    logvar = logvar0.clone().requires_grad_(True)
    opt = torch.optim.Adam([mu, logvar], lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 - t / steps)
    trace = []
    frozen = [p.requires_grad for p in model.parameters()]
    try:
        for p in model.parameters():
            p.requires_grad_(False)
        for t in range(steps + 1):
            eps = torch.randn((n_samples, *mu.shape), generator=gen)
            value = elbo_of_q(model, x, (mu, logvar), eps=eps)
            if t % record_every == 0:
                trace.append(value.detach().numpy().astype(np.float64))
            if t == steps:
                break
            opt.zero_grad()
            (-value.sum()).backward()  # a sum: each datapoint's gradient is its own
            opt.step()
            sched.step()
    finally:
        for p, f in zip(model.parameters(), frozen, strict=True):
            p.requires_grad_(f)
    return mu.detach(), logvar.detach(), np.stack(trace)


def _log_weights(model: VAE, x: torch.Tensor, mu, logvar, eps) -> tuple[torch.Tensor, ...]:
    """z = mu + sigma * eps, eps (L, B, Z): log p(x|z) and log p(z) - log q(z), each (L, B)."""
    z = mu + torch.exp(0.5 * logvar) * eps
    log_px_z = model.decode(z).log_prob(x)
    log_q = (-0.5 * (eps.pow(2) + logvar + LOG_2PI)).sum(-1)
    return log_px_z, model.prior.log_prob(z) - log_q


def amortization_gaps(
    model: VAE,
    x: torch.Tensor,
    steps: int = 500,
    lr: float = 0.01,
    n_samples: int = 10,
    k: int = 5000,
    seed: int = 0,
) -> AmortizationResult:
    """Encoder ELBO, optimized ELBO and importance-sampled log p(x) for each row of x (B, D).

    ``k`` noise draws eps are shared by all estimates (common random numbers, so the
    differences are precise): both ELBOs (estimator B), log p(x) by importance sampling with
    the optimized q as proposal (the better proposal), and, for comparison, with the
    encoder's q (``log_px_encoder``, K = ``k``, via ``estimators.log_px_importance``).
    Seeded, on one CPU thread."""
    model.eval()
    with torch_threads(1):
        mu, logvar, trace = optimize_q(model, x, steps, lr, n_samples, seed)
        gen = torch.Generator().manual_seed(seed + 1)
        enc = opt = torch.zeros(x.shape[0], dtype=torch.float64)
        lse = torch.full((x.shape[0],), -math.inf, dtype=torch.float64)
        with torch.no_grad():
            mu0, logvar0 = model.encoder_params(x)
            kl0, kl1 = kl_diag_normal(mu0, logvar0), kl_diag_normal(mu, logvar)
            chunk = max(1, 4_000_000 // (x.shape[0] * model.x_dim))  # bounded memory
            for start in range(0, k, chunk):
                eps = torch.randn((min(chunk, k - start), *mu.shape), generator=gen)
                lik0, _ = _log_weights(model, x, mu0, logvar0, eps)
                lik1, prior_minus_q = _log_weights(model, x, mu, logvar, eps)
                enc = enc + (lik0 - kl0).double().sum(0)
                opt = opt + (lik1 - kl1).double().sum(0)
                lse = torch.logaddexp(lse, torch.logsumexp((lik1 + prior_minus_q).double(), 0))
        torch.manual_seed(seed + 2)
        lpx_enc = log_px_importance(model, x, k)
    return AmortizationResult(
        elbo_encoder=(enc / k).numpy(),
        elbo_optimized=(opt / k).numpy(),
        log_px=(lse - math.log(k)).numpy(),
        log_px_encoder=lpx_enc.double().numpy(),
        trace=trace,
        k=k,
        steps=steps,
    )


# -- figures (notebook 05) ---------------------------------------------------------------------
