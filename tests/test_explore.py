import numpy as np
import pytest
import torch

from vae_tutorial.config import ModelConfig
from vae_tutorial.explore import decode_images, inverse_cdf_grid, manifold, tile
from vae_tutorial.models import build_model


def test_inverse_cdf_grid_is_symmetric_and_ordered():
    z = inverse_cdf_grid(5, eps=0.05)
    assert z.shape == (25, 2)
    assert torch.allclose(z[0], torch.tensor([-1.6449, 1.6449]), atol=1e-3)  # top-left
    assert torch.allclose(z[-1], torch.tensor([1.6449, -1.6449]), atol=1e-3)  # bottom-right
    assert torch.allclose(z[12], torch.zeros(2), atol=1e-6)  # centre = prior mode
    # equal prior mass per column: Phi(z1) is evenly spaced
    u = torch.distributions.Normal(0, 1).cdf(z[:5, 0])
    assert torch.allclose(u.diff(), torch.full((4,), 0.225), atol=1e-5)
    with pytest.raises(ValueError):
        inverse_cdf_grid(3, eps=0.7)


def test_tile_places_images():
    imgs = np.stack([np.full((2, 3), i, dtype=np.float32) for i in range(5)])
    canvas = tile(imgs, ncols=2, pad=1, fill=-1)
    assert canvas.shape == (3 * 3 - 1, 2 * 4 - 1)
    assert canvas[0, 0] == 0 and canvas[0, 4] == 1 and canvas[3, 0] == 2 and canvas[6, 0] == 4
    assert canvas[6, 4] == -1  # the empty sixth cell is padding
    colour = tile(np.zeros((3, 3, 4, 4)), ncols=3, pad=0)
    assert colour.shape == (4, 12, 3)


def test_decode_and_manifold_match_the_decoder():
    model = build_model(ModelConfig(x_dim=6, z_dim=2, hidden=(5,)), seed=0).eval()
    z = torch.tensor([[0.5, -1.0]])
    img = decode_images(model, z, (2, 3))
    assert img.shape == (1, 2, 3) and 0 <= img.min() and img.max() <= 1
    with torch.no_grad():
        assert np.allclose(img.reshape(-1), torch.sigmoid(model.decoder(z)).numpy().reshape(-1))
    canvas = manifold(model, 4, (2, 3))
    assert canvas.shape == (8, 12)
    first = decode_images(model, inverse_cdf_grid(4)[:1], (2, 3))[0]
    assert np.allclose(canvas[:2, :3], first)
    with pytest.raises(ValueError, match="2-D latent"):
        manifold(build_model(ModelConfig(x_dim=6, z_dim=3, hidden=(5,)), seed=0), 4, (2, 3))
