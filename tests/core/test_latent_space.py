import io

import matplotlib.image as mpimg
import numpy as np
import pytest
import torch

from vae_tutorial.core import latent_space as ex
from vae_tutorial.core.config import ModelConfig
from vae_tutorial.core.latent_space import decode_images, inverse_cdf_grid, manifold
from vae_tutorial.core.model import build_model
from vae_tutorial.viz import images as im
from vae_tutorial.viz.images import tile


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
    color = tile(np.zeros((3, 3, 4, 4)), ncols=3, pad=0)
    assert color.shape == (4, 12, 3)


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


# --- PNG bytes, interpolation, encoding (the explorer widgets' pure functions) -------------


def _decode_png(data: bytes) -> np.ndarray:
    """PNG bytes -> uint8 pixels, through matplotlib's (Pillow-backed) reader."""
    return np.round(mpimg.imread(io.BytesIO(data), format="png") * 255).astype(np.uint8)


def test_png_round_trip_grey_and_color():
    rng = np.random.default_rng(0)
    grey = rng.random((7, 5))
    data = im.to_png(grey, scale=3)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    back = _decode_png(data)
    assert back.shape == (21, 15)
    expected = np.round(np.clip(grey, 0, 1) * 255).astype(np.uint8)
    assert np.array_equal(back[::3, ::3], expected)  # every block holds its pixel
    assert np.array_equal(back, np.kron(expected, np.ones((3, 3), dtype=np.uint8)))
    color = rng.random((4, 6, 3))
    back = _decode_png(im.to_png(color, scale=2))
    assert back.shape == (8, 12, 3)
    assert np.array_equal(back[::2, ::2], np.round(color * 255).astype(np.uint8))
    # out-of-range values are clipped, uint8 passes through unchanged
    assert np.array_equal(_decode_png(im.to_png(np.array([[-1.0, 2.0]]))), [[0, 255]])
    u8 = np.array([[0, 7], [200, 255]], dtype=np.uint8)
    assert np.array_equal(_decode_png(im.to_png(u8)), u8)
    with pytest.raises(ValueError, match="image"):
        im.to_png(np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match="factor"):
        im.upscale(grey, 0)


def test_interpolation_is_exact_at_the_endpoints():
    za, zb = np.array([0.3, -1.7, 2.2]), np.array([-0.1, 0.4, 5.0])
    assert np.array_equal(ex.interpolate(za, zb, 0.0), za)
    assert np.array_equal(ex.interpolate(za, zb, 1.0), zb)
    assert np.allclose(ex.interpolate(za, zb, 0.5), (za + zb) / 2)
    path = ex.interpolate(za, zb, np.linspace(0, 1, 5))
    assert path.shape == (5, 3)
    assert np.array_equal(path[0], za) and np.array_equal(path[-1], zb)
    assert np.allclose(np.diff(path, axis=0), (zb - za) / 4)  # evenly spaced on the line


def test_encode_reconstruct_and_nearest(tiny_model):
    x = (torch.rand(7, 12, generator=torch.Generator().manual_seed(0)) < 0.5).float()
    mu = ex.encode_means(tiny_model, x, batch=3)  # batches of 3, 3, 1
    with torch.no_grad():
        expected_mu = tiny_model.encoder_params(x)[0]
        expected_rec = tiny_model.decode_mean(expected_mu)
    assert mu.shape == (7, 2) and mu.dtype == np.float64
    assert np.allclose(mu, expected_mu.numpy(), atol=1e-6)
    assert np.allclose(ex.reconstruct(tiny_model, x), expected_rec.numpy(), atol=1e-6)
    assert ex.nearest_point(mu, mu[4] + 1e-4) == 4
    assert ex.nearest_point(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([2.0, 2.0])) == 1


def test_color_helpers():
    rgb = im.diverging_rgb(np.array([[0.0, 0.5, -0.5, 0.25]]), vmax=0.5)
    assert np.allclose(rgb[0], [[1, 1, 1], [1, 0, 0], [0, 0, 1], [1, 0.5, 0.5]])
    row = im.side_by_side([np.zeros((2, 3)), np.ones((2, 3, 3))], pad=1)
    assert row.shape == (2, 7, 3) and np.all(row[:, 3] == 1.0) and np.all(row[:, :3] == 0)
    px = np.zeros((20, 20, 3), dtype=np.uint8)
    crossed = im.crosshair(px, 10, 5, arm=3)
    assert tuple(crossed[10, 5]) == (220, 0, 0) and tuple(crossed[10, 8]) == (220, 0, 0)
    assert crossed[0, 0].sum() == 0 and px.sum() == 0  # a copy: the input is untouched
    assert np.array_equal(im.crosshair(px, 50, 5), px)  # outside: nothing drawn


def test_canvases_for_interpolation_and_reconstruction(tiny_model):
    x = (torch.rand(2, 12, generator=torch.Generator().manual_seed(1)) < 0.5).float()
    shape = (3, 4)
    rec = ex.reconstruct(tiny_model, x).reshape(2, *shape)
    at0 = ex.interpolation_canvas(tiny_model, x[0], x[1], 0.0, shape)
    at1 = ex.interpolation_canvas(tiny_model, x[0], x[1], 1.0, shape)
    assert at0.shape == (3, 3 * 4 + 4)
    assert np.allclose(at0[:, :4], x[0].reshape(shape)) and np.all(at0[:, 4:6] == 0.5)
    assert np.allclose(at0[:, 6:10], rec[0], atol=1e-6)  # t = 0 decodes mu(x_a)
    assert np.allclose(at1[:, 6:10], rec[1], atol=1e-6)
    canvas, mae = ex.reconstruction_canvas(tiny_model, x[0], shape)
    err = np.abs(x[0].numpy().reshape(shape) - rec[0])
    assert np.allclose(canvas[:, 6:10], rec[0], atol=1e-6)
    assert np.allclose(canvas[:, 12:], err, atol=1e-6)
    assert mae == pytest.approx(err.mean(), abs=1e-6)


def test_frey_extremes_difference(tiny_model):
    z, images, diffs = ex.frey_extremes_difference(tiny_model, (3, 4), radius=3.0)
    assert np.array_equal(z, [[-3, -3], [3, 3], [-3, 3], [3, -3]])
    centre = decode_images(tiny_model, torch.zeros(1, 2), (3, 4))[0]
    assert np.allclose(images, decode_images(tiny_model, torch.as_tensor(z), (3, 4)))
    assert np.allclose(diffs, images - centre)
    assert np.abs(diffs).max() > 0 and np.abs(diffs).max() <= 1
    with pytest.raises(ValueError, match="2-D latent"):
        ex.frey_extremes_difference(
            build_model(ModelConfig(x_dim=6, z_dim=3, hidden=(5,)), seed=0), (2, 3)
        )
