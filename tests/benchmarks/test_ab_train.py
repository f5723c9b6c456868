"""The A/B training benchmark: the peer loop computes the same objective as the project's
ELBO (so the comparison is like for like), and the harness alternates, times and measures."""

import sys

import ab_train  # benchmarks/ab_train.py (on the path: conftest.py)
import peer_vae  # benchmarks/peer_vae.py
import torch

from vae_tutorial.core.config import ExperimentConfig
from vae_tutorial.core.estimators import elbo_of_q
from vae_tutorial.core.model import build_model


def test_the_peer_loss_is_our_negative_elbo_on_the_same_weights_and_noise():
    exp = ExperimentConfig.load(ab_train.CONFIG)
    ours, peer = build_model(exp.model, seed=0), peer_vae.VAE()
    enc = [m for m in ours.encoder.modules() if isinstance(m, torch.nn.Linear)]
    dec = [m for m in ours.decoder.modules() if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in enc + dec] == [(400, 784), (40, 400), (400, 20),
                                                          (784, 400)]  # fmt: skip
    with torch.no_grad():  # the peer's fc21 / fc22 are our encoder output's two halves
        peer.fc1.weight.copy_(enc[0].weight), peer.fc1.bias.copy_(enc[0].bias)
        peer.fc21.weight.copy_(enc[1].weight[:20]), peer.fc21.bias.copy_(enc[1].bias[:20])
        peer.fc22.weight.copy_(enc[1].weight[20:]), peer.fc22.bias.copy_(enc[1].bias[20:])
        peer.fc3.weight.copy_(dec[0].weight), peer.fc3.bias.copy_(dec[0].bias)
        peer.fc4.weight.copy_(dec[1].weight), peer.fc4.bias.copy_(dec[1].bias)
    x = (torch.rand(16, 784, generator=torch.Generator().manual_seed(1)) < 0.2).float()
    eps = torch.randn(1, 16, 20, generator=torch.Generator().manual_seed(2))
    ours_elbo = elbo_of_q(ours, x, ours.encoder_params(x), eps=eps).sum()
    mu, logvar = peer.encode(x)
    assert torch.allclose(torch.cat([mu, logvar], 1), torch.cat(ours.encoder_params(x), 1))
    recon = peer.decode(mu + eps[0] * torch.exp(0.5 * logvar))
    loss = peer_vae.loss_function(recon, x, mu, logvar)
    gap = float((loss + ours_elbo).detach())
    assert abs(gap) < 1e-3 * float(loss.detach())  # nats, summed over 16


def test_the_harness_alternates_and_reports_ratios_and_peaks(monkeypatch, tmp_path):
    calls = []

    def fake_commands(epochs, out):
        touch = "b = bytearray(60 * 2**20); b[::4096] = b'x' * len(b[::4096])"  # 60 MiB more
        return {
            "peer": [sys.executable, "-c", "import time; time.sleep(0.3)"],
            "ours": [sys.executable, "-c", touch],
        }

    real = ab_train.run_once

    def spy(cmd):
        calls.append("ours" if "bytearray" in cmd[-1] else "peer")
        return real(cmd)

    monkeypatch.setattr(ab_train, "commands", fake_commands)
    monkeypatch.setattr(ab_train, "run_once", spy)
    r = ab_train.ab_train(pairs=2, epochs=1)
    assert calls == ["peer", "ours", "ours", "peer"]  # alternating order
    assert r["peak_mib"]["ours"] > r["peak_mib"]["peer"] + 40 and r["memory_ratio"] > 1
    assert r["speedup_range"][0] <= r["speedup_median"] <= r["speedup_range"][1]
    assert r["seconds_median"]["peer"] >= 0.3


def test_a_failing_run_is_reported_with_its_error(tmp_path):
    import pytest

    with pytest.raises(RuntimeError, match="exited 3: boom"):
        ab_train.run_once(
            [sys.executable, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"]
        )
