"""Learning algorithms that ``fit`` can run (``train.algorithm``), one step per minibatch.

- ``aevb``: the paper's Algorithm 1, a gradient step on the SGVB estimate of the ELBO (run
  inline by :func:`~vae_tutorial.core.train.fit`, which also applies beta, warm-up, free
  bits and IWAE; it is listed here so the config validates against one registry).
- ``wake_sleep``: the wake-sleep algorithm (Hinton, Dayan, Frey and Neal 1995), the paper's
  baseline of Figure 2 and 3, with the same encoder and decoder networks. *Wake*: z ~ q(z|x)
  for the data, one step up log p(x|z) in the decoder's weights. *Sleep*: a fantasy
  z ~ p(z), x ~ p(x|z) from the decoder, one step up log q(z|x) in the encoder's weights.
  The two phases touch disjoint weights, so one optimizer step on the sum is both updates.
  Unlike AEVB, the encoder is fitted to the wrong divergence (KL(p||q) on fantasies, not
  KL(q||p) on data), and no single objective is climbed.
- ``mcem``: Monte Carlo EM as in the paper's Appendix D: every training datapoint keeps one
  latent sample z_i of its true posterior p(z|x_i), moved by an HMC step (10 leapfrog steps,
  a step size per datapoint tuned towards 90% acceptance) each time the datapoint is in a
  minibatch; then 5 gradient steps up log p(x|z) + log p(z) in the decoder's weights at those
  samples. It has no encoder (the encoder's weights are never updated), and it is not
  on-line: its state grows with the training set.

A step function takes (model, x minibatch (M, D), row indices (M,), optimizer, config,
state, generator), updates the weights and returns a detached scalar for divergence checks
(the minibatch mean of the objective it climbed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from .ais import hmc_move

if TYPE_CHECKING:
    from .config import TrainConfig
    from .model import VAE

#: Appendix D's MCEM: leapfrog steps per HMC move, target acceptance, weight steps per sample
MCEM_LEAPFROG, MCEM_ACCEPT, MCEM_WEIGHT_STEPS = 10, 0.9, 5


@dataclass
class MCEMState:
    """Per training datapoint: its current posterior sample z (N, Z) and HMC step size (N,)."""

    z: torch.Tensor
    step_size: torch.Tensor
    accepted: float = 0.0
    moves: int = 0

    @property
    def acceptance(self) -> float:
        return self.accepted / max(1, self.moves)


def new_state(algorithm: str, model: VAE, n_train: int, gen: torch.Generator) -> Any:
    """The per-run state ``algorithm`` needs (MCEM: a prior draw per datapoint), or None."""
    if algorithm != "mcem":
        return None
    u = torch.rand((n_train, model.z_dim), generator=gen).clamp(1e-6, 1 - 1e-6)
    z = model.latent.prior_ppf(u).float()
    return MCEMState(z=z, step_size=torch.full((n_train,), 0.05))


def wake_sleep_step(model, xb, idx, optimizer, config, state, gen) -> torch.Tensor:
    """One wake phase on the data and one sleep phase on as many fantasies (see module doc)."""
    m = xb.shape[0]
    with torch.no_grad():  # samples only: no gradient flows through them
        z_wake = model.encode(xb).sample()
        z_sleep = model.prior.sample((m,))
        x_sleep = model.decode(z_sleep).sample()
    wake = model.decode(z_wake).log_prob(xb)  # decoder weights only
    sleep = model.encode(x_sleep).log_prob(z_sleep)  # encoder weights only
    optimizer.zero_grad(set_to_none=True)
    (-(wake + sleep).mean()).backward()
    optimizer.step()
    return (wake + sleep).mean().detach()


def mcem_step(model, xb, idx, optimizer, config, state: MCEMState, gen) -> torch.Tensor:
    """An HMC move of each datapoint's posterior sample, then 5 decoder steps at the samples."""
    z = state.z[idx][None]  # (1, M, Z): one chain per datapoint
    eps = state.step_size[idx][None, :, None]
    prior = model.prior
    params = list(model.parameters())
    for p in params:
        p.requires_grad_(False)
    try:
        z, acc = hmc_move(model, xb, z, prior, eps, MCEM_LEAPFROG, gen)
    finally:
        for p in params:
            p.requires_grad_(True)
    # a step size per datapoint, towards 90% acceptance (x 1.1 accepted, x 0.42 rejected)
    rate = torch.where(acc[0], 1.1, 1.1 ** (-MCEM_ACCEPT / (1 - MCEM_ACCEPT)))
    state.step_size[idx] = (state.step_size[idx] * rate).clamp(1e-4, 1.0)
    state.z[idx] = z[0]
    state.accepted += float(acc.float().sum())
    state.moves += int(acc.numel())
    z = z[0].detach()
    for _ in range(MCEM_WEIGHT_STEPS):
        value = (model.decode(z).log_prob(xb) + prior.log_prob(z)).mean()
        optimizer.zero_grad(set_to_none=True)
        (-value).backward()
        optimizer.step()
    return value.detach()


#: every algorithm by its config name (``aevb`` is :func:`.train.aevb_step`, which also
#: applies beta, warm-up, free bits and IWAE)
ALGORITHMS: dict[str, Callable[..., torch.Tensor] | None] = {
    "aevb": None,
    "wake_sleep": wake_sleep_step,
    "mcem": mcem_step,
}


def step(model: VAE, xb, idx, optimizer, config: TrainConfig, state, gen) -> torch.Tensor:
    """One minibatch step of ``config.algorithm`` (not ``aevb``)."""
    return ALGORITHMS[config.algorithm](model, xb, idx, optimizer, config, state, gen)


@torch.no_grad()
def init_normal_(model: torch.nn.Module, std: float, seed: int) -> torch.nn.Module:
    """Every weight and bias drawn from N(0, std^2) under ``seed`` (the paper, section 5:
    "parameters are initialized by random sampling from N(0, 0.01)"); global RNG untouched."""
    gen = torch.Generator().manual_seed(seed)
    for p in model.parameters():
        p.copy_(torch.randn(p.shape, generator=gen) * std)
    return model
