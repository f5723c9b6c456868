"""The convolutional VAE: its decoder's layout, training, config errors, FLOPs. Shapes for any
leading dims, gradients and checkpoints of every architecture are in tests/test_registries.py."""

import pytest
import torch

from vae_tutorial.core.config import ModelConfig, TrainConfig
from vae_tutorial.core.model import build_model
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


def test_a_few_steps_of_training_raise_the_elbo():
    m = build_model(tiny(), seed=0)
    x = images(400)
    cfg = TrainConfig(lr=1e-2, batch_size=50, max_samples=2000, eval_every=2000, threads=1)
    h = fit(m, (x[:300], x[300:]), cfg, progress=False)
    assert h.test_elbo[-1] > h.test_elbo[0] + 150  # nats per 192-dim image (~ +290 seen)


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
