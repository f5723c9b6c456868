"""The convolutional VAE: shapes for any leading dims, layout, gradients, checkpoints, FLOPs."""

import pytest
import torch
from torch import nn

from vae_tutorial.core.checkpoints import load_checkpoint, save_checkpoint
from vae_tutorial.core.config import ModelConfig, TrainConfig
from vae_tutorial.core.estimators import elbo
from vae_tutorial.core.model import VAE, build_model
from vae_tutorial.core.networks import multiply_adds, n_parameters
from vae_tutorial.core.train import fit
from vae_tutorial.errors import ConfigError

SHAPE = (3, 8, 8)


def tiny(**kw) -> ModelConfig:
    base = dict(
        x_dim=192,
        z_dim=3,
        hidden=(4, 6, 8),
        activation="elu",
        likelihood="discretized_logistic",
        architecture="conv",
        image_shape=SHAPE,
    )
    return ModelConfig(**(base | kw))


def images(n: int, seed: int = 0) -> torch.Tensor:
    """Smooth color images on the 8-bit lattice: (n, 192) in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 1, 1, 1, generator=g) * torch.linspace(0, 1, 8).view(1, 1, 1, 8)
    tint = torch.rand(n, 3, 1, 1, generator=g)
    x = (0.6 * base + 0.4 * tint).expand(n, 3, 8, 8)
    return (torch.round(x * 255) / 255).reshape(n, -1).contiguous()


def test_build_model_gives_a_conv_vae_with_shapes_for_any_leading_dims():
    m = build_model(tiny(), seed=0)
    assert isinstance(m, VAE) and isinstance(m.encoder.body[0], nn.Conv2d)
    assert any(isinstance(x, nn.Conv2d) for x in m.encoder.modules())
    x = images(5)
    assert m.encoder(x).shape == (5, 6)  # (mu, logvar) for z_dim 3
    z = torch.randn(4, 5, 3)  # (L, B, Z) as in the ELBO
    out = m.decoder(z)
    assert out.shape == (4, 5, 2 * 192)  # loc logits and log-scales for every pixel
    flat = m.decoder(z.reshape(20, 3)).reshape(4, 5, -1)
    assert torch.allclose(out, flat, atol=1e-6)  # leading dims only batch, never mix
    assert m.encoder(x.expand(2, 5, 192)).shape == (2, 5, 6)
    assert m.decode(z).log_prob(x).shape == (4, 5)
    mean = m.decode_mean(z)
    assert mean.shape == (4, 5, 192) and mean.min() >= 0 and mean.max() <= 1


def test_decoder_layout_is_parameter_major_then_chw():
    """The first C*H*W outputs are the means' logits of channels 0..C-1 (CHW), the next C*H*W
    the log-scales: the last conv's output channel p*C + c holds parameter p of color c."""
    m = build_model(tiny(), seed=0)
    z = torch.randn(2, 3)
    body = m.decoder.body
    conv_out = body[:-1](z)  # (2, P*C, H, W) before the final Flatten
    assert conv_out.shape == (2, 6, 8, 8)
    out = m.decoder(z)
    assert torch.equal(out[:, :192].reshape(2, 3, 8, 8), conv_out[:, :3])
    assert torch.equal(out[:, 192:].reshape(2, 3, 8, 8), conv_out[:, 3:])


def test_elbo_is_finite_and_gradients_reach_every_layer():
    m = build_model(tiny(), seed=0)
    x = images(8)
    torch.manual_seed(0)
    value = elbo(m, x, n_samples=2)
    assert value.shape == (8,) and torch.isfinite(value).all()
    assert (value < 0).all()  # a pmf on 256 levels per dim: log p(x) <= 0
    (-value.mean()).backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name


def test_a_few_steps_of_training_raise_the_elbo():
    m = build_model(tiny(), seed=0)
    x = images(400)
    cfg = TrainConfig(lr=1e-2, batch_size=50, max_samples=2000, eval_every=2000, threads=1)
    h = fit(m, (x[:300], x[300:]), cfg, progress=False)
    assert h.test_elbo[-1] > h.test_elbo[0] + 150  # nats per 192-dim image (~ +290 seen)


def test_conv_checkpoint_round_trip(tmp_path):
    m = build_model(tiny(), seed=1)
    p = save_checkpoint(tmp_path / "conv.pt", m)
    back, meta = load_checkpoint(p)
    assert isinstance(back.decoder.body[-2], nn.ConvTranspose2d)
    assert meta["model"]["architecture"] == "conv"
    z = torch.randn(3, 3)
    assert torch.equal(back.decoder(z), m.eval().decoder(z))


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(x_dim=3 * 12 * 12, image_shape=(3, 12, 12)), "divisible by 8"),
        (dict(hidden=(4, 8)), "three"),
    ],
)
def test_bad_conv_configs_say_what_to_fix(kw, match):
    with pytest.raises(ConfigError, match=match):
        build_model(tiny(**kw))


def test_multiply_adds_by_hand():
    mlp = build_model(ModelConfig(x_dim=10, z_dim=2, hidden=(7,)), seed=0)
    assert multiply_adds(mlp) == {
        "encoder": 10 * 7 + 7 * 4,
        "decoder": 2 * 7 + 7 * 10,
        "total": 98 + 84,
    }
    m = build_model(tiny(), seed=0)
    enc = 3 * 4 * 16 * 4 * 4 + 4 * 6 * 16 * 2 * 2 + 6 * 8 * 16 * 1 * 1 + 8 * 6
    # transposed convs: every input element times Cout * k * k
    dec = 3 * 8 + 8 * 6 * 16 * 1 * 1 + 6 * 4 * 16 * 2 * 2 + 4 * 6 * 16 * 4 * 4
    assert multiply_adds(m) == {"encoder": enc, "decoder": dec, "total": enc + dec}
    weights = sum(p.numel() for n_, p in m.named_parameters() if n_.endswith("weight"))
    biases = sum(p.numel() for n_, p in m.named_parameters() if n_.endswith("bias"))
    assert n_parameters(m) == weights + biases
