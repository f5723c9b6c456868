"""Color images: one joint model of the three channels against three independent ones.

A common shortcut trains one VAE per RGB channel and stacks the reconstructions. With three
independent models,

    p(x) = p_R(x_R) p_G(x_G) p_B(x_B),   z = (z_R, z_G, z_B) with independent priors,

so the product cannot represent any dependence between channels, and a sample draws each
channel's latent independently: the red image of one scene over the green of another.
:class:`ChannelProduct` writes the three models as ONE VAE-like model on all 3072 dims (its
latent is the concatenation), so the estimators in :mod:`vae_tutorial.core.estimators` apply to
it unchanged; its ELBO is the sum of the channels' ELBOs.

Images are (N, 3072) rows in (C, H, W) order in [0, 1]; arrays returned are numpy float64
(N, 3, H, W). Bits per dimension: -log p(x) / (D ln 2), 8 for a uniform model of 8-bit data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.distributions import Distribution

from ..core.estimators import evaluate
from ..core.latents import Params
from ..core.model import VAE
from ..datasets import Dataset
from ..errors import ConfigError

CHANNELS = ("red", "green", "blue")
DATA_NAME = "CIFAR-10 subset"


def bits_per_dim(log_p_nats: float, dims: int) -> float:
    """-log p / (dims ln 2): nats per datapoint -> bits per dimension (lower is better)."""
    return -float(log_p_nats) / (dims * math.log(2.0))


class ChannelProduct(nn.Module):
    """Three single-channel VAEs (each on (..., H*W)) as one model on (..., C*H*W).

    Latent z = (z_R, z_G, z_B) concatenated, prior the product of the channels' priors;
    decode(z) is p_R(x_R | z_R) p_G(x_G | z_G) p_B(x_B | z_B) as one distribution over the
    whole row (CHW order). Has what the estimators need: ``x_dim``, ``z_dim``, ``latent``,
    ``prior``, ``encoder_params``, ``decode``, ``decode_mean``, ``device``.
    """

    def __init__(self, channel_models: Mapping[str, VAE] | Sequence[VAE]):
        super().__init__()
        models = list(
            channel_models.values() if isinstance(channel_models, Mapping) else channel_models
        )
        first = models[0]
        for m in models[1:]:
            same = (m.config.likelihood, m.config.logvar_min, m.config.latent, m.x_dim) == (
                first.config.likelihood, first.config.logvar_min, first.config.latent, first.x_dim
            )  # fmt: skip
            if not same:
                raise ConfigError(
                    "channel models must share likelihood, logvar_min, latent family and x_dim"
                )
        self.channels = nn.ModuleList(models)
        self.z_sizes = [m.z_dim for m in models]
        self.z_dim = sum(self.z_sizes)
        self.x_dim = sum(m.x_dim for m in models)
        self.latent = type(first.latent)(self.z_dim)
        self.likelihood = first.likelihood

    @property
    def prior(self) -> Distribution:
        return self.latent.prior

    def encoder_params(self, x: torch.Tensor) -> Params:
        """x (..., C*H*W) -> each channel's q(z_c | x_c) parameters, concatenated (..., Z)."""
        xs = x.chunk(len(self.channels), dim=-1)
        per = [m.encoder_params(xc) for m, xc in zip(self.channels, xs, strict=True)]
        return tuple(torch.cat(parts, dim=-1) for parts in zip(*per, strict=True))

    def encode(self, x: torch.Tensor) -> Distribution:
        return self.latent.q(self.encoder_params(x))

    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        return self.latent.location(self.encoder_params(x))

    def decoder_outputs(self, z: torch.Tensor) -> torch.Tensor:
        """z (..., Z) -> the joint decoder outputs (..., P * C*H*W) in the likelihood's layout:
        parameter p of all channels (CHW) before parameter p + 1."""
        zs = z.split(self.z_sizes, dim=-1)
        p = self.likelihood.params_per_dim
        outs = [m.decoder(zc).chunk(p, dim=-1) for m, zc in zip(self.channels, zs, strict=True)]
        return torch.cat([torch.cat(parts, dim=-1) for parts in zip(*outs, strict=True)], dim=-1)

    def decode(self, z: torch.Tensor) -> Distribution:
        return self.likelihood(self.decoder_outputs(z))

    def decode_mean(self, z: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self.decoder_outputs(z))

    def device(self) -> torch.device:
        return next(self.parameters()).device


def as_model(model: VAE | ChannelProduct | Mapping[str, VAE]) -> VAE | ChannelProduct:
    """A VAE or ChannelProduct unchanged; a dict of channel models -> ChannelProduct."""
    return ChannelProduct(model) if isinstance(model, Mapping) else model


def _rows(data: Dataset | torch.Tensor) -> torch.Tensor:
    return data.test if isinstance(data, Dataset) else data


def joint_report(
    conv_model: VAE,
    channel_models: Mapping[str, VAE],
    data: Dataset | torch.Tensor,
    k: int = 0,
    seed: int = 0,
) -> dict:
    """Test ELBO (and, if k > 0, importance-sampled log p(x) with k samples) of the joint
    model and of the channel product, in nats per image and bits per dimension.

    data: a Dataset (its test split is used) or rows (N, C*H*W) in [0, 1]. The product's
    ELBO is the sum of the channels' ELBOs, a lower bound on log p_R + log p_G + log p_B;
    its log p(x) estimate is likewise the sum of the per-channel estimates (k samples each).
    Returns {"n", "dims", "k", "joint": {...}, "channels": {...}, "per_channel": {name: {...}}}
    where each {...} has "elbo", "bits_per_dim" and, if k > 0, "log_px", "log_px_bits_per_dim".
    """
    x = _rows(data)
    n, dims = x.shape

    def summary(elbo: float, log_px: float | None, d: int) -> dict:
        out = {"elbo": elbo, "bits_per_dim": bits_per_dim(elbo, d)}
        if log_px is not None:
            out |= {"log_px": log_px, "log_px_bits_per_dim": bits_per_dim(log_px, d)}
        return out

    torch.manual_seed(seed)
    joint = evaluate(conv_model, x, k=k)
    per, total_elbo, total_lpx = {}, 0.0, 0.0
    xs = x.chunk(len(channel_models), dim=-1)
    for (name, m), xc in zip(channel_models.items(), xs, strict=True):
        torch.manual_seed(seed)
        r = evaluate(m, xc, k=k)
        per[name] = summary(r["elbo"], r["log_px"], xc.shape[1])
        total_elbo += r["elbo"]
        total_lpx += r["log_px"] or 0.0
    return {
        "n": n,
        "dims": dims,
        "k": k,
        "joint": summary(joint["elbo"], joint["log_px"], dims),
        "channels": summary(total_elbo, total_lpx if k else None, dims),
        "per_channel": per,
    }


def budget(names: Sequence[str]) -> dict[str, dict]:
    """The cost of pretrained models ``names`` (e.g. cifar-conv, cifar-red, ...), from their
    configs and the metrics stored beside their weights: {name: {"parameters",
    "multiply_adds" (per image, encoder + decoder forward), "samples" (training images seen),
    "train_seconds", "test_elbo" (nats), "bits_per_dim", "dims"}}."""
    from ..core import pretrained
    from ..core.model import build_model
    from ..core.networks import multiply_adds, n_parameters

    out = {}
    for name in names:
        model = build_model(pretrained.experiment(name).model)
        m = pretrained.info(name)["metrics"]
        out[name] = {
            "parameters": n_parameters(model),
            "multiply_adds": multiply_adds(model)["total"],
            "samples": m["samples"],
            "train_seconds": m["train_seconds"],
            "test_elbo": m["test_elbo"],
            "bits_per_dim": bits_per_dim(m["test_elbo"], model.x_dim),
            "dims": model.x_dim,
        }
    return out


def _images(flat: torch.Tensor, image_shape: Sequence[int]) -> np.ndarray:
    return flat.detach().double().clamp(0, 1).reshape(-1, *image_shape).cpu().numpy()


@torch.no_grad()
def reconstruct_rgb(
    model: VAE | ChannelProduct | Mapping[str, VAE],
    x: torch.Tensor,
    image_shape: Sequence[int] = (3, 32, 32),
) -> np.ndarray:
    """The mean of p(x | z = E_q[z|x]) for rows x (N, C*H*W) in [0, 1] -> (N, C, H, W) in
    [0, 1]. A dict of channel models reconstructs each channel with its own model."""
    m = as_model(model).eval()
    return _images(m.decode_mean(m.encode_mean(x)), image_shape)


@torch.no_grad()
def sample_rgb(
    model: VAE | ChannelProduct | Mapping[str, VAE],
    n: int,
    seed: int = 0,
    image_shape: Sequence[int] = (3, 32, 32),
) -> np.ndarray:
    """n images from the model: z ~ p(z) (seeded generator, global RNG untouched), then
    the mean of p(x|z). -> (n, C, H, W) in [0, 1]. For a dict of channel models z is the
    concatenation (z_R, z_G, z_B) of independent draws: each channel gets its own latent."""
    m = as_model(model).eval()
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(n, m.z_dim, generator=g, dtype=torch.float64).clamp(1e-6, 1 - 1e-6)
    z = m.latent.prior_ppf(u).float()
    return _images(m.decode_mean(z), image_shape)


def cross_channel_correlation(images: np.ndarray | torch.Tensor) -> dict[str, float]:
    """Pearson correlation between color channels over all pixels of all images.
    images: (N, 3, H, W) or (N, 3*H*W) in CHW order -> {"red-green", "red-blue",
    "green-blue"}, each in [-1, 1]."""
    a = np.asarray(images, dtype=np.float64).reshape(len(images), 3, -1)
    ch = a.transpose(1, 0, 2).reshape(3, -1)
    r = np.corrcoef(ch)
    return {f"{CHANNELS[i]}-{CHANNELS[j]}": float(r[i, j]) for i, j in ((0, 1), (0, 2), (1, 2))}


def train_pair(
    data: Dataset, progress: bool = True, names: Sequence[str] = ("cifar-conv", "cifar-mlp")
) -> tuple[dict[str, VAE], dict[str, VAE]]:
    """Train the joint models ``names`` and the three channel models (``cifar-red`` etc.)
    with the shipped CIFAR configs on another RGB dataset of 32 x 32 images (e.g. SVHN)
    -> ({name: joint model}, {channel: model}). Same seeds and budgets as shipped."""
    import dataclasses

    from ..core import pretrained
    from ..core.train import train_experiment
    from ..datasets import channel_view

    def fit_one(name: str, ds: Dataset) -> VAE:
        exp = dataclasses.replace(pretrained.experiment(name), name=f"{ds.name}-{name}")
        return train_experiment(exp, dataset=ds, progress=progress)[0]

    joint = {n: fit_one(n, data) for n in names}
    channels = {c: fit_one(f"cifar-{c}", channel_view(data, c)) for c in CHANNELS}
    return joint, channels
