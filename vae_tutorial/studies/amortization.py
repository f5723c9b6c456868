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

from dataclasses import dataclass

import numpy as np
import torch

from ..core.estimators import elbo_of_q, importance_estimates
from ..core.model import VAE
from ..settings import torch_threads


@dataclass(frozen=True)
class AmortizationResult:
    """Per-datapoint results (arrays of shape (B,), nats) and the settings used."""

    elbo_encoder: np.ndarray
    elbo_optimized: np.ndarray
    log_px: np.ndarray  # importance sampling, proposal: the optimized q
    log_px_encoder: np.ndarray  # importance sampling, proposal: the encoder's q (same draws)
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
) -> tuple[torch.Tensor, ...]:
    """Maximise each datapoint's ELBO over its own parameters of the model's latent family
    (mu, logvar for the Gaussian) with Adam and the SGVB gradient (L = ``n_samples``), from
    the encoder's output; the decoder stays fixed. The step size decays linearly to 0.
    x: (B, D) -> the parameters, each (B, Z), then the trace of SGVB estimates
    (steps // record_every + 1, B): ``mu, logvar, trace``. Seeded, on one CPU thread."""
    with torch_threads(1):
        return _optimize_q(model, x, steps, lr, n_samples, seed, record_every)


def _optimize_q(model, x, steps, lr, n_samples, seed, record_every):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        params = tuple(p.clone().requires_grad_(True) for p in model.encoder_params(x))
    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 - t / steps)
    trace = []
    frozen = [p.requires_grad for p in model.parameters()]
    try:
        for p in model.parameters():
            p.requires_grad_(False)
        for t in range(steps + 1):
            eps = model.latent.noise((n_samples, *params[0].shape), params[0], generator=gen)
            value = elbo_of_q(model, x, params, eps=eps)
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
    return (*(p.detach() for p in params), np.stack(trace))


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

    q is optimized with ``n_samples`` (L) draws per SGVB step (:func:`optimize_q`). Then
    ``estimators.importance_estimates`` makes ``k`` draws from each q, the encoder's and the
    optimized one, with the same noise (common random numbers, so the differences are
    precise), in the model's latent family: from each, the ELBO (estimator B, L = K) and log
    p(x) by importance sampling with that q as proposal (``log_px``: the optimized q, the
    better proposal; ``log_px_encoder``: the encoder's, for comparison). Seeded, on one CPU
    thread."""
    model.eval()
    with torch_threads(1):
        *params, trace = optimize_q(model, x, steps, lr, n_samples, seed)

        def draws() -> torch.Generator:  # the same K noise draws for both proposals
            return torch.Generator().manual_seed(seed + 1)

        # K draws in chunks of 4e6 / (B * D): the draws depend on the chunk, and notebook 05b's
        # stored gaps were computed with this one
        chunk = max(1, 4_000_000 // (x.shape[0] * model.x_dim))
        enc = importance_estimates(model, x, k, chunk=chunk, generator=draws())
        opt = importance_estimates(
            model, x, k, params=tuple(params), chunk=chunk, generator=draws()
        )
    return AmortizationResult(
        elbo_encoder=enc.elbo.numpy(),
        elbo_optimized=opt.elbo.numpy(),
        log_px=opt.log_px.numpy(),
        log_px_encoder=enc.log_px.numpy(),
        trace=trace,
        k=k,
        steps=steps,
    )


# -- figures (notebook 05) ---------------------------------------------------------------------
