"""Joint vs per-channel color models: the discretized logistic pmf, bits/dim, the channel
product, independent channel latents, cross-channel correlation and the figures."""

import math

import numpy as np
import pytest
import torch

from vae_tutorial.core.config import ModelConfig
from vae_tutorial.core.estimators import elbo_of_q
from vae_tutorial.core.likelihoods import LEVELS
from vae_tutorial.core.model import build_model
from vae_tutorial.studies import color
from vae_tutorial.studies.color import (
    ChannelProduct,
    bits_per_dim,
    cross_channel_correlation,
    joint_report,
    reconstruct_rgb,
    sample_rgb,
)
from vae_tutorial.viz import color as color_fig

SHAPE = (3, 8, 8)  # tiny "color images": C*H*W = 192, one channel = 64 dims


# -- the discretized logistic (likelihoods.py) ----------------------------------------------
def test_bits_per_dim_by_hand():
    assert bits_per_dim(-3072 * math.log(256), 3072) == pytest.approx(8.0)  # uniform pmf
    assert bits_per_dim(-5 * 3072 * math.log(2), 3072) == pytest.approx(5.0)
    assert bits_per_dim(-1000.0, 1000) == pytest.approx(1 / math.log(2))  # 1 nat = 1.4427 bits


# -- tiny models ------------------------------------------------------------------------
def channel_model(seed: int, z_dim: int = 2):
    cfg = ModelConfig(x_dim=64, z_dim=z_dim, hidden=(8,), activation="elu",
                      likelihood="discretized_logistic")  # fmt: skip
    return build_model(cfg, seed=seed).eval()


def channel_models() -> dict:
    return {c: channel_model(i, z_dim=2 + i) for i, c in enumerate(color.CHANNELS)}


def conv_model():
    cfg = ModelConfig(x_dim=192, z_dim=4, hidden=(4, 4, 4), activation="elu",
                      likelihood="discretized_logistic", architecture="conv",
                      image_shape=SHAPE)  # fmt: skip
    return build_model(cfg, seed=0).eval()


def rgb_rows(n: int = 20, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    grey = torch.rand(n, 1, 64, generator=g)
    x = (0.8 * grey + 0.2 * torch.rand(n, 3, 64, generator=g)).reshape(n, 192)
    return torch.round(x * LEVELS) / LEVELS


def test_channel_product_log_prob_is_the_sum_over_channels():
    models = channel_models()
    prod = ChannelProduct(models)
    assert prod.x_dim == 192 and prod.z_dim == 2 + 3 + 4
    x = rgb_rows(6)
    z = torch.randn(5, 6, prod.z_dim)  # (L, B, Z)
    joint = prod.decode(z).log_prob(x)
    zs = z.split([2, 3, 4], dim=-1)
    xs = x.chunk(3, dim=-1)
    by_channel = sum(
        m.decode(zc).log_prob(xc) for m, zc, xc in zip(models.values(), zs, xs, strict=True)
    )
    assert joint.shape == (5, 6)
    assert torch.allclose(joint, by_channel, rtol=1e-6)
    mean = prod.decode_mean(z[0]).reshape(6, 3, 64)
    red = models["red"].decode_mean(zs[0][0])
    assert torch.allclose(mean[:, 0], red)  # color 0 of the row is the red model's output


def test_channel_product_elbo_is_the_sum_of_the_channel_elbos():
    models = channel_models()
    prod = ChannelProduct(models)
    x = rgb_rows(7)
    eps = torch.randn(3, 7, prod.z_dim)
    params = prod.encoder_params(x)
    joint = elbo_of_q(prod, x, params, eps=eps)
    parts = [
        elbo_of_q(m, xc, m.encoder_params(xc), eps=ec)
        for m, xc, ec in zip(models.values(), x.chunk(3, -1), eps.split([2, 3, 4], -1), strict=True)
    ]
    assert torch.allclose(joint, sum(parts), rtol=1e-6)


def test_joint_report_sums_channels_and_converts_to_bits():
    models, conv = channel_models(), conv_model()
    x = rgb_rows(30)
    r = joint_report(conv, models, x, k=4)
    assert r["n"] == 30 and r["dims"] == 192 and r["k"] == 4
    total = sum(v["elbo"] for v in r["per_channel"].values())
    assert r["channels"]["elbo"] == pytest.approx(total)
    lpx = sum(v["log_px"] for v in r["per_channel"].values())
    assert r["channels"]["log_px"] == pytest.approx(lpx)
    for part in ("joint", "channels"):
        v = r[part]
        assert v["bits_per_dim"] == pytest.approx(-v["elbo"] / (192 * math.log(2)))
        assert v["log_px_bits_per_dim"] == pytest.approx(-v["log_px"] / (192 * math.log(2)))
    assert r["per_channel"]["red"]["bits_per_dim"] == pytest.approx(
        -r["per_channel"]["red"]["elbo"] / (64 * math.log(2))
    )
    assert "log_px" not in joint_report(conv, models, x)["joint"]


@torch.no_grad()
def test_channel_samples_draw_each_channel_latent_independently():
    one = channel_model(0)
    same = {c: one for c in color.CHANNELS}  # three copies of ONE model
    state = torch.random.get_rng_state()
    s = sample_rgb(same, 5, seed=3, image_shape=SHAPE)
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG untouched
    assert s.shape == (5, *SHAPE) and s.min() >= 0 and s.max() <= 1
    assert np.array_equal(s, sample_rgb(same, 5, seed=3, image_shape=SHAPE))
    # a shared z would make the three channels identical; independent z's do not
    assert np.abs(s[:, 0] - s[:, 1]).max() > 1e-3 and np.abs(s[:, 1] - s[:, 2]).max() > 1e-3
    # and each channel is the model decoded at its own block of the seeded draw
    g = torch.Generator().manual_seed(3)
    u = torch.rand(5, 6, generator=g, dtype=torch.float64).clamp(1e-6, 1 - 1e-6)
    z = torch.distributions.Normal(0.0, 1.0).icdf(u).float()
    for c in range(3):
        expect = one.decode_mean(z[:, 2 * c : 2 * c + 2]).double().reshape(5, 8, 8)
        assert np.allclose(s[:, c], expect.numpy(), atol=1e-6)


@torch.no_grad()
def test_joint_samples_and_reconstructions():
    conv, x = conv_model(), rgb_rows(4)
    s = sample_rgb(conv, 3, seed=0, image_shape=SHAPE)
    assert s.shape == (3, *SHAPE) and not np.array_equal(s, sample_rgb(conv, 3, 1, SHAPE))
    r = reconstruct_rgb(conv, x, image_shape=SHAPE)
    expect = conv.decode_mean(conv.encode_mean(x)).reshape(4, *SHAPE).double().numpy()
    assert np.allclose(r, expect)
    rc = reconstruct_rgb(channel_models(), x, image_shape=SHAPE)
    red = channel_models()["red"]
    assert np.allclose(rc[:, 0].reshape(4, 64),
                       red.decode_mean(red.encode_mean(x[:, :64])).double().numpy())  # fmt: skip


def test_cross_channel_correlation_recovers_a_known_correlation():
    rng = np.random.default_rng(0)
    cov = np.array([[1.0, 0.9, 0.5], [0.9, 1.0, 0.2], [0.5, 0.2, 1.0]])
    n_img, hw = 400, 64
    v = rng.standard_normal((n_img * hw, 3)) @ np.linalg.cholesky(cov).T
    imgs = v.reshape(n_img, hw, 3).transpose(0, 2, 1)  # (N, 3, H*W)
    r = cross_channel_correlation(imgs.reshape(n_img, -1))
    se = 1.0 / math.sqrt(n_img * hw)  # < 0.005
    assert r["red-green"] == pytest.approx(0.9, abs=4 * se)
    assert r["red-blue"] == pytest.approx(0.5, abs=4 * se)
    assert r["green-blue"] == pytest.approx(0.2, abs=4 * se)
    indep = cross_channel_correlation(rng.random((n_img, 3, 8, 8)))
    assert all(abs(c) < 4 * se for c in indep.values())


def test_figures_name_the_data_and_the_bits_per_dim():
    from matplotlib.figure import Figure

    rng = np.random.default_rng(0)
    imgs = rng.random((4, 3, 8, 8))
    fig = color_fig.comparison_figure(imgs, imgs, imgs, bpd_joint=5.51, bpd_channels=6.02)
    assert isinstance(fig, Figure)
    text = fig._suptitle.get_text() + " ".join(ax.get_ylabel() for ax in fig.axes)
    assert "CIFAR-10 subset, 1,000 test images" in text and "5.51 bits/dim" in text
    assert "6.02 bits/dim" in text
    fig = color_fig.samples_figure(imgs, imgs[:3], data_images=imgs, bpd_joint=5.0)
    assert len(fig.axes) == 3 * 4 and "CIFAR-10" in fig._suptitle.get_text()


def test_train_pair_trains_joint_and_channel_models_on_any_rgb_dataset(monkeypatch):
    import dataclasses

    from vae_tutorial import datasets as data_mod
    from vae_tutorial.core import pretrained

    real = pretrained.experiment

    def tiny(name):
        e = real(name)
        return dataclasses.replace(
            e, train=dataclasses.replace(e.train, max_samples=100, eval_every=50)
        )

    monkeypatch.setattr(pretrained, "experiment", tiny)
    ds = data_mod.load("cifar10-subset")
    small = ds.replace(name="tiny-rgb", train=ds.train[:120], test=ds.test[:20])
    joint, channels = color.train_pair(small, progress=False, names=("cifar-mlp",))
    assert list(joint) == ["cifar-mlp"] and list(channels) == list(color.CHANNELS)
    report = color.joint_report(joint["cifar-mlp"], channels, small.test)
    assert 0 < report["joint"]["bits_per_dim"] < 16 and 0 < report["channels"]["bits_per_dim"] < 16
