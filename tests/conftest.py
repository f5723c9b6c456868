"""Shared fixtures: tiny models and data so unit tests run in seconds."""

from __future__ import annotations

import pytest
import torch

from vae_tutorial.core.config import ModelConfig
from vae_tutorial.core.model import build_model


@pytest.fixture
def tiny_config() -> ModelConfig:
    return ModelConfig(x_dim=12, z_dim=2, hidden=(16,), activation="tanh", likelihood="bernoulli")


@pytest.fixture
def tiny_model(tiny_config):
    return build_model(tiny_config, seed=0)


@pytest.fixture
def tiny_data() -> tuple[torch.Tensor, torch.Tensor]:
    """Binary (N, 12) data with structure: two prototypes plus bit-flip noise."""
    g = torch.Generator().manual_seed(0)
    protos = torch.tensor([[1.0] * 6 + [0.0] * 6, [0.0] * 6 + [1.0] * 6])
    x = protos[torch.randint(0, 2, (600,), generator=g)]
    flip = torch.rand(x.shape, generator=g) < 0.1
    x = torch.where(flip, 1 - x, x)
    return x[:500], x[500:]
