"""Encoder and decoder networks, registered by architecture name.

``ARCHITECTURES[name](config, enc_out, dec_out)`` returns ``(encoder, decoder)``: the encoder
maps (..., x_dim) -> (..., enc_out) and the decoder (..., z_dim) -> (..., dec_out), for any
leading shape (the ELBO decodes z of shape (L, B, Z)). ``ACTIVATIONS`` names the
nonlinearities. :class:`~vae_tutorial.core.config.ModelConfig` validates against both.

- ``mlp``: the paper's networks (section 5, Appendix C): ``config.hidden`` hidden widths of
  ``config.activation`` units in the encoder, ``config.decoder_widths`` in the decoder.
- ``conv``: DCGAN-style (Radford et al. 2016) for images of ``config.image_shape`` = (C, H, W)
  with H and W divisible by 8: three Conv2d(4, stride 2, padding 1) with the channel counts
  ``config.hidden`` (e.g. [32, 64, 128]) and a linear layer; the decoder mirrors it with
  ConvTranspose2d back to (P * C, H, W), P = decoder outputs per pixel, flattened so that
  the first C*H*W outputs are the first parameter of every pixel in (C, H, W) order (the
  layout :mod:`vae_tutorial.core.likelihoods` expects).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

from ..errors import ConfigError

if TYPE_CHECKING:
    from .config import ModelConfig

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "softplus": nn.Softplus,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
}


def mlp(sizes: list[int], activation: str) -> nn.Sequential:
    """Linear layers of the given sizes with ``activation`` between them (not after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def mlp_networks(config: ModelConfig, enc_out: int, dec_out: int) -> tuple[nn.Module, nn.Module]:
    """The paper's MLP encoder and decoder."""
    c = config
    encoder = mlp([c.x_dim, *c.hidden, enc_out], c.activation)
    decoder = mlp([c.z_dim, *c.decoder_widths, dec_out], c.activation)
    return encoder, decoder


class _Images(nn.Module):
    """Wrap ``body`` (images (N, *in_shape) -> anything (N, ...)) to map (..., prod(in_shape))
    -> (..., out): flatten the leading dims, run, restore them."""

    def __init__(self, in_shape: tuple[int, ...], body: nn.Module):
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[:-1]
        y = self.body(x.reshape(-1, *self.in_shape))
        return y.reshape(*lead, -1)


def _conv_shape(config: ModelConfig) -> tuple[int, int, int]:
    if config.image_shape is None or len(config.hidden) != 3:
        raise ConfigError(
            "a conv model needs model.image_shape = [C, H, W] and model.hidden = three "
            f"channel counts (e.g. [32, 64, 128]); got image_shape {config.image_shape} "
            f"and hidden {list(config.hidden)}"
        )
    c, h, w = config.image_shape
    if h % 8 or w % 8:
        raise ConfigError(
            f"model.image_shape = {list(config.image_shape)}: a conv model halves H and W three "
            "times, so both must be divisible by 8 (e.g. [3, 32, 32])"
        )
    return c, h, w


def conv_networks(config: ModelConfig, enc_out: int, dec_out: int) -> tuple[nn.Module, nn.Module]:
    """A convolutional encoder and decoder (see the module docstring)."""
    c, h, w = _conv_shape(config)
    act = ACTIVATIONS[config.activation]
    c1, c2, c3 = config.hidden
    h8, w8 = h // 8, w // 8
    if dec_out % (c * h * w):
        raise ConfigError(f"decoder outputs {dec_out} are not a multiple of C*H*W")
    p = dec_out // (c * h * w)

    def down(a: int, b: int) -> list[nn.Module]:
        return [nn.Conv2d(a, b, 4, stride=2, padding=1), act()]

    def up(a: int, b: int, last: bool = False) -> list[nn.Module]:
        conv = nn.ConvTranspose2d(a, b, 4, stride=2, padding=1)
        return [conv] if last else [conv, act()]

    encoder = _Images(
        (c, h, w),
        nn.Sequential(
            *down(c, c1),
            *down(c1, c2),
            *down(c2, c3),
            nn.Flatten(),
            nn.Linear(c3 * h8 * w8, enc_out),
        ),
    )
    decoder = _Images(
        (config.z_dim,),
        nn.Sequential(
            nn.Linear(config.z_dim, c3 * h8 * w8),
            act(),
            nn.Unflatten(1, (c3, h8, w8)),
            *up(c3, c2),
            *up(c2, c1),
            *up(c1, p * c, last=True),
            nn.Flatten(),  # (P*C, H, W) channel p*C + c -> parameter p of color c
        ),
    )
    return encoder, decoder


ARCHITECTURES: dict[str, Callable[..., tuple[nn.Module, nn.Module]]] = {
    "mlp": mlp_networks,
    "conv": conv_networks,
}


def n_parameters(model: nn.Module) -> int:
    """Number of trainable scalars (weights and biases)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def multiply_adds(model: nn.Module) -> dict[str, int]:
    """Multiply-adds per image of one forward pass through ``model.encoder`` and
    ``model.decoder`` (one z), counted from the Linear, Conv2d and ConvTranspose2d layers
    (biases and activations ignored). Works for MLP and conv VAEs.
    Returns {"encoder": int, "decoder": int, "total": int}."""
    counts: dict[str, int] = {}

    def hook_for(part: str):
        def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
            if isinstance(module, nn.Linear):
                n = module.in_features * module.out_features
            else:
                kk = module.kernel_size[0] * module.kernel_size[1] // module.groups
                if isinstance(module, nn.ConvTranspose2d):  # each input spreads to Cout*k*k
                    n = inputs[0][0].numel() * module.out_channels * kk
                else:  # Conv2d: each output gathers Cin*k*k products
                    n = output[0].numel() * module.in_channels * kk
            counts[part] = counts.get(part, 0) + n

        return hook

    handles = []
    for part, net in (("encoder", model.encoder), ("decoder", model.decoder)):
        for m in net.modules():
            if isinstance(m, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
                handles.append(m.register_forward_hook(hook_for(part)))
    try:
        with torch.no_grad():
            model.encoder(torch.zeros(1, model.x_dim))
            model.decoder(torch.zeros(1, model.z_dim))
    finally:
        for hd in handles:
            hd.remove()
    enc, dec = counts.get("encoder", 0), counts.get("decoder", 0)
    return {"encoder": enc, "decoder": dec, "total": enc + dec}
