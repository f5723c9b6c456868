"""Fixtures shared by the widget tests."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae_tutorial.core import latent_space as ls


@pytest.fixture
def points(tiny_model):
    """50 random binary rows for the tiny model, their encoder means and labels 0-9."""
    x = (torch.rand(50, 12, generator=torch.Generator().manual_seed(0)) < 0.5).float()
    return x, ls.encode_means(tiny_model, x), np.arange(50) % 10
