"""The optimizer registry: every name builds its optimizer, and the config knows the names."""

import torch

from vae_tutorial.core.config import TrainConfig, allowed
from vae_tutorial.core.optimizers import OPTIMIZERS, make_optimizer


def test_every_registered_optimizer_builds_and_steps():
    assert allowed("optimizer") == tuple(OPTIMIZERS)
    for name, cls in OPTIMIZERS.items():
        w = torch.nn.Parameter(torch.ones(3))
        opt = make_optimizer([w], TrainConfig(optimizer=name, lr=0.1))
        assert isinstance(opt, cls) and opt.defaults["foreach"]
        (w**2).sum().backward()
        opt.step()
        assert float(w.detach().sum()) < 3.0  # moved downhill
