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


def tightness_figure(elbo: np.ndarray, log_px_by_k: dict[int, np.ndarray], model_name: str = ""):
    """Left: per-datapoint gap log p(x) - ELBO (nats) at the largest K. Right: the mean
    importance-sampled estimate against K (log axis) with the mean ELBO. elbo: (N,);
    log_px_by_k: {K: (N,)}. Returns a Figure."""
    from matplotlib.figure import Figure

    ks = sorted(log_px_by_k)
    kmax = ks[-1]
    fig = Figure(figsize=(10, 3.6))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    gap = log_px_by_k[kmax] - elbo
    ax1.hist(gap, bins=30, color="C0", alpha=0.8)
    ax1.axvline(gap.mean(), color="k", ls="--", label=f"mean {gap.mean():.2f} nats")
    ax1.set(
        title=f"log p(x) (IS, K = {kmax}) - ELBO, {len(elbo)} digits",
        xlabel="gap per digit (nats)",
        ylabel="number of digits",
    )
    ax1.legend()
    means = [float(np.mean(log_px_by_k[k])) for k in ks]
    ax2.plot(ks, means, "o-", color="C1", label="IS estimate of log p(x), mean")
    ax2.axhline(float(np.mean(elbo)), color="C0", ls="--", label="ELBO (encoder q), mean")
    ax2.set_xscale("log")
    ax2.set(
        title="the IS estimate tightens as K grows",
        xlabel="importance samples K",
        ylabel="nats per datapoint",
    )
    ax2.legend(loc="lower right")
    ax2.grid(True, alpha=0.3)
    if model_name:
        fig.suptitle(model_name)
    fig.tight_layout()
    return fig


def gaps_figure(result: AmortizationResult, record_every: int = 10):
    """Left: each datapoint's SGVB estimate during the per-datapoint optimization, minus the
    encoder's ELBO (noisy: L samples per step). Right: the amortization and approximation
    gaps per datapoint (nats), stacked: together log p(x) - ELBO(encoder q). Returns a Figure."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3.6))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    steps = np.arange(result.trace.shape[0]) * record_every
    gain = result.trace - result.elbo_encoder[None, :]
    for i in range(gain.shape[1]):
        ax1.plot(steps, gain[:, i], lw=1, color=f"C{i % 10}", label=f"digit {i}")
    ax1.axhline(0.0, color="k", lw=0.8)
    ax1.set(
        title="optimizing q per digit: SGVB estimates during Adam",
        xlabel="optimization step",
        ylabel="ELBO estimate - encoder's ELBO (nats)",
    )
    idx = np.arange(len(result.elbo_encoder))
    ax2.bar(idx, result.amortization_gap, color="C3", label="amortization gap")
    ax2.bar(
        idx,
        result.approximation_gap,
        bottom=result.amortization_gap,
        color="C0",
        label="approximation gap",
    )
    ax2.set(
        title=f"log p(x) - ELBO(encoder q) split in two (K = {result.k})",
        xlabel="test digit",
        ylabel="gap (nats)",
        xticks=idx,
    )
    ax2.legend()
    fig.tight_layout()
    return fig
