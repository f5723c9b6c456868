"""One shared check suite over every entry of every registry (``core.config.REGISTRIES``), as
scikit-learn's ``check_estimator`` runs over every estimator. The names are read from the
registries when the tests are collected, so a new entry gets every check below without
writing a test; a new kind of registry fails ``test_every_registry_has_checks`` until it has
its checks. Tests of one entry's own mathematics stay in the per-module test files.

What each check catches (each was seen to fail once on a deliberately broken entry):

- registry: the config's allowed names are the registry's keys, and an unregistered name
  is refused with a one-line ConfigError (a registry the config does not read).
- likelihood (the decoder p(x|z)), with 1 and 2 pixels, three seeded decoder outputs:
  ``normalised``: exp(log-prob) sums to 1 over the support's lattice, or integrates to 1
  on a fine grid, per pixel and jointly (log-prob off by a constant, a wrong normaliser, a
  pixel counted twice); the measure is read from the likelihood's own draws (on the 8-bit
  lattice k/255 or a coarser one such as {0, 1}: a pmf; otherwise a density), so draws and
  log-prob must agree on it; every draw lies in ``support`` and passes the support check.
  ``mean``: ``mean(out)`` is the distribution's mean (clipped to [0, 1]), in the support
  and in [0, 1] even for extreme outputs (a mean image off the page). ``fast paths``: the
  likelihood's own ``log_prob`` and ``pairwise_log_prob`` equal the distribution's (a
  shortcut that drifted from the definition). ``in a model``: a small model built with
  ``ModelConfig(likelihood=name)`` has decoder outputs (..., P * D) and a row-event
  distribution (a wrong ``params_per_dim``). ``checkpoint``: save and load give identical
  weights and outputs (a parameter kept outside the state dict). ``support``: data below
  or above ``support`` are refused by ``fit`` with a one-line error naming the decoder.
- latent (q(z|x) and its prior): shapes of noise, draws, log-probs, KL, location;
  draws follow ``q.log_prob`` and the prior's draws and inverse CDF follow
  ``prior.log_prob`` (a Kolmogorov-Smirnov distance below its 0.1% critical value, and the
  densities integrate to 1 on a fine grid: a wrong transform, scale or normaliser); the
  closed-form KL and ``location`` equal Monte Carlo means of log q - log p and of z over
  100,000 seeded draws within 5 standard errors (a wrong KL or mean); reparameterized
  draws carry gradients to every parameter (a detached sample); in a 1-D latent model the
  importance-sampled log p(x) matches quadrature and the ELBO lies below it.
- architecture x activation: the model builds, contains the activation, has the right
  shapes for any leading dims (leading dims only batch, never mix) and every parameter
  gets a finite nonzero gradient of the ELBO (a dead or disconnected layer); each
  architecture round-trips through a checkpoint; each activation is nonlinear.
- optimizer: built with the config's lr and weight decay, one step on a small quadratic
  lowers it, twenty lower it further, and two seeded runs are identical (a wrong sign, a
  step that does nothing, hidden randomness).
- KL estimator and objective, each x latent: on a small 1-D latent model the value is
  finite, has one entry per datapoint and gives finite gradients to every parameter; its
  mean over 20,000 draws equals the ELBO by quadrature within 5 standard errors, the
  objectives at the train config's defaults (L = 1, K = 1, no free bits) and KL weight 1,
  where each is an unbiased estimate of the ELBO by construction (a biased estimator).
- algorithm: a few seeded steps of ``fit`` on a tiny dataset run, change the weights, keep
  them and the history finite, and two runs give identical weights.
- dataset: loads from the shipped files, float32, finite, (N, D) with D = prod(image_shape)
  for every split, values in the set or range its description states (on the 8-bit
  lattice when it says "/ 255"), labels int64 of matching length.

Everything is seeded and run in float64 where a tolerance is tight; tolerances are
statistical (standard errors) or far above rounding (1e-3 on a normaliser), never the last
bits of floating point.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import math
import re

import numpy as np
import pytest
import torch

from vae_tutorial.core.checkpoints import load_checkpoint, save_checkpoint
from vae_tutorial.core.config import (
    REGISTRIES,
    ExperimentConfig,
    ModelConfig,
    TrainConfig,
    allowed,
)
from vae_tutorial.core.estimators import (
    KL_ESTIMATORS,
    OBJECTIVES,
    elbo,
    log_px_importance,
)
from vae_tutorial.core.latents import LATENTS
from vae_tutorial.core.likelihoods import LEVELS, LIKELIHOODS
from vae_tutorial.core.model import build_model
from vae_tutorial.core.networks import ACTIVATIONS
from vae_tutorial.core.optimizers import OPTIMIZERS, make_optimizer
from vae_tutorial.core.train import fit
from vae_tutorial.datasets.registry import DATASETS
from vae_tutorial.errors import ConfigError
from vae_tutorial.settings import torch_threads

F64 = torch.float64
#: every registered name by kind, read at collection time
NAMES = {kind: allowed(kind) for kind in REGISTRIES}


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small models are many tiny operations: one thread is faster and reproducible."""
    with torch_threads(1):
        yield


def each(*kinds: str):
    """Parametrize over every entry of ``kinds`` (several: every combination)."""
    if len(kinds) == 1:
        return pytest.mark.parametrize(kinds[0], NAMES[kinds[0]])
    return pytest.mark.parametrize(kinds, list(itertools.product(*(NAMES[k] for k in kinds))))


@contextlib.contextmanager
def seeded(seed: int):
    """A block whose torch draws come from ``seed``, the global generator left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def binary(n: int, d: int, seed: int = 0) -> torch.Tensor:
    """(n, d) data in {0, 1} with some structure (two prototypes, 10% flips), float64."""
    g = torch.Generator().manual_seed(seed)
    protos = torch.tensor([[1.0] * (d // 2) + [0.0] * (d - d // 2)], dtype=F64)
    protos = torch.cat([protos, 1 - protos])
    x = protos[torch.randint(0, 2, (n,), generator=g)]
    return torch.where(torch.rand(x.shape, generator=g, dtype=F64) < 0.1, 1 - x, x)


def grid_1d(samples: torch.Tensor, inside, n: int) -> torch.Tensor:
    """n points covering ``samples`` and far beyond, cut where ``inside`` (the support) ends."""
    lo, hi = float(samples.min()), float(samples.max())
    pad = 2 * (hi - lo) + 1.0
    return torch.linspace(_edge(lo, lo - pad, inside), _edge(hi, hi + pad, inside), n, dtype=F64)


def _edge(a: float, b: float, inside) -> float:
    """The point farthest from ``a`` (inside the support) towards ``b`` still inside it."""
    if inside(b):
        return b
    for _ in range(60):
        m = 0.5 * (a + b)
        a, b = (m, b) if inside(m) else (a, m)
    return a


def trapezoid_weights(z: torch.Tensor) -> torch.Tensor:
    w = torch.full_like(z, float(z[1] - z[0]))
    w[0] = w[-1] = 0.5 * float(z[1] - z[0])
    return w


def ks_distance(samples: torch.Tensor, z: torch.Tensor, log_density: torch.Tensor) -> float:
    """Kolmogorov-Smirnov distance between draws and the CDF of a density on the grid z."""
    p = log_density.exp().numpy()
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * np.diff(z.numpy()))])
    s = np.sort(samples.numpy())
    f = np.interp(s, z.numpy(), cdf)
    n = len(s)
    return float(max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n)))


def ks_critical(n: int) -> float:
    return 1.95 / math.sqrt(n)  # alpha = 0.001


# ----------------------------------------------------------------------------------------
# registries
# ----------------------------------------------------------------------------------------

#: the checks of each kind of registry; a kind added to REGISTRIES must be added here
CHECKS = {
    "activation": ["test_network", "test_activation_is_nonlinear"],
    "architecture": ["test_network", "test_architecture_checkpoint_round_trip"],
    "likelihood": [
        "test_likelihood_is_normalised",
        "test_likelihood_mean",
        "test_likelihood_fast_paths_agree",
        "test_likelihood_in_a_model",
        "test_likelihood_checkpoint_round_trip",
        "test_likelihood_refuses_data_outside_its_support",
    ],
    "latent": [
        "test_latent_shapes",
        "test_latent_draws_follow_its_densities",
        "test_latent_kl_and_location_match_monte_carlo",
        "test_latent_draws_carry_gradients",
        "test_latent_in_a_model_matches_quadrature",
    ],
    "optimizer": ["test_optimizer"],
    "kl": ["test_kl_estimator"],
    "objective": ["test_objective"],
    "algorithm": ["test_algorithm"],
    "data": ["test_dataset"],
}


def test_every_registry_has_checks():
    assert set(CHECKS) == set(REGISTRIES), "a new kind of registry needs its checks here"
    for kind, tests in CHECKS.items():
        for name in tests:
            marks = getattr(globals()[name], "pytestmark", [])
            argnames = [m.args[0] for m in marks if m.name == "parametrize"]
            assert any(kind in ([a] if isinstance(a, str) else a) for a in argnames), (name, kind)


@pytest.mark.parametrize("kind", sorted(REGISTRIES))
def test_registry_is_what_the_config_accepts(kind):
    module, attr = REGISTRIES[kind].split(":")
    registry = getattr(importlib.import_module(module), attr)
    assert allowed(kind) == tuple(registry) and len(registry) > 0
    assert all(isinstance(n, str) and n.strip() == n and n for n in registry)
    with pytest.raises(ConfigError) as e:
        if kind == "data":
            ExperimentConfig(name="x", data="not-registered")
        elif kind in ("optimizer", "kl", "objective", "algorithm"):
            TrainConfig(**{kind: "not-registered"})
        else:
            ModelConfig(**{kind: "not-registered"})
    assert "\n" not in str(e.value) and "not-registered" in str(e.value)


# ----------------------------------------------------------------------------------------
# likelihoods
# ----------------------------------------------------------------------------------------


def likelihood_of(name: str, x_dim: int):
    cfg = ModelConfig(x_dim=x_dim, z_dim=1, hidden=(4,), likelihood=name)
    return LIKELIHOODS[name](cfg).double()


def model_config(name: str) -> ModelConfig:
    """A small MLP model with likelihood ``name``: 6 pixels, 2 latent dimensions."""
    return ModelConfig(x_dim=6, z_dim=2, hidden=(8,), likelihood=name)


def decoder_output(lik, x_dim: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(lik.params_per_dim * x_dim, generator=g, dtype=F64)


def in_support(lik, x: torch.Tensor) -> bool:
    s = lik.support
    return s is None or bool(((x >= s[0]) & (x <= s[1])).all())


def measure(lik, samples: torch.Tensor) -> float | None:
    """The lattice step the likelihood's draws live on (a pmf), or None (a density)."""
    k = samples * LEVELS
    if float((k - k.round()).abs().max()) > 1e-6:
        return None
    g = math.gcd(*{int(v) for v in k.round().abs().flatten().tolist()})
    return (g or 1) / LEVELS


def support_points(lik, samples: torch.Tensor, step: float | None, n: int):
    """Points and weights (sum for a pmf, trapezoid rule for a density) for one pixel."""
    z = grid_1d(samples, lambda v: in_support(lik, torch.tensor(v)), n)
    if step is None:
        return z, trapezoid_weights(z)
    k = torch.arange(math.ceil(z[0] / step - 1e-9), math.floor(z[-1] / step + 1e-9) + 1)
    points = k.to(F64) * step
    return points, torch.ones_like(points)


@each("likelihood")
@pytest.mark.parametrize("pixels", [1, 2])
def test_likelihood_is_normalised(likelihood, pixels):
    lik = likelihood_of(likelihood, pixels)
    for seed in range(3):
        out = decoder_output(lik, pixels, seed)
        with seeded(seed), torch.no_grad():
            draws = lik(out).sample((4000,))  # (n, pixels)
        assert draws.shape == (4000, pixels) and torch.isfinite(draws).all()
        assert in_support(lik, draws), f"draws outside the support {lik.support}"
        step = measure(lik, draws)
        if step is None:
            assert len(torch.unique(draws)) > 0.9 * draws.numel(), "a density with repeated draws"
        n = 2001 if pixels == 1 else 601
        axes = [support_points(lik, draws[:, j], step, n) for j in range(pixels)]
        points = torch.cartesian_prod(*[a[0] for a in axes]).reshape(-1, pixels)
        weights = torch.cartesian_prod(*[a[1] for a in axes]).reshape(-1, pixels).prod(-1)
        with torch.no_grad():
            total = float((weights * lik(out).log_prob(points).exp()).sum())
        what = "sums" if step is not None else "integrates"
        assert abs(total - 1.0) < 1e-3, f"seed {seed}: exp(log-prob) {what} to {total:.6f}, not 1"


@each("likelihood")
def test_likelihood_mean(likelihood):
    lik = likelihood_of(likelihood, 7)
    outs = [decoder_output(lik, 7, s) * 3 for s in range(3)]
    outs.append(torch.linspace(-30, 30, lik.params_per_dim * 7, dtype=F64))
    for out in outs:
        with torch.no_grad():
            mean = lik.mean(out)
            dist_mean = lik(out).mean
        assert mean.shape == (7,) and torch.isfinite(mean).all()
        assert in_support(lik, mean) and float(mean.min()) >= 0 and float(mean.max()) <= 1
        assert torch.allclose(mean, dist_mean.clamp(0.0, 1.0), rtol=1e-9, atol=1e-12)


@each("likelihood")
def test_likelihood_fast_paths_agree(likelihood):
    lik = likelihood_of(likelihood, 5)
    g = torch.Generator().manual_seed(0)
    out = torch.randn(3, lik.params_per_dim * 5, generator=g, dtype=F64)
    with seeded(0), torch.no_grad():
        x = lik(out).sample((4,))  # (4, 3, 5): data from every column of outputs
        fast = lik.log_prob(out, x)
        slow = lik(out).log_prob(x)
        assert fast.shape == (4, 3) and torch.allclose(fast, slow, rtol=1e-10, atol=1e-10)
        xs = x.reshape(12, 5)
        pair = lik.pairwise_log_prob(out, xs)
        if pair is not None:
            ref = lik(out[None]).log_prob(xs[:, None])  # (12, 3)
            assert pair.shape == (12, 3) and torch.allclose(pair, ref, rtol=1e-9, atol=1e-9)


@each("likelihood")
def test_likelihood_in_a_model(likelihood):
    model = build_model(model_config(likelihood), seed=0).double()
    per_pixel = model.likelihood.params_per_dim
    z = torch.randn(3, 4, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    with seeded(0), torch.no_grad():
        out = model.decoder(z)
        dist = model.decode(z)
        x = dist.sample()
        assert out.shape == (3, 4, per_pixel * 6)
        assert dist.batch_shape == (3, 4) and dist.event_shape == (6,) and x.shape == (3, 4, 6)
        lp = model.log_likelihood(z, x[0])
        assert lp.shape == (3, 4) and torch.isfinite(lp).all()
        assert torch.allclose(lp, dist.log_prob(x[0]), rtol=1e-10, atol=1e-10)
        assert model.decode_mean(z).shape == (3, 4, 6)
    with seeded(1):
        value = elbo(model, x[0], n_samples=2)
    assert value.shape == (4,) and torch.isfinite(value).all()
    (-value.mean()).backward()  # every weight, the likelihood's own included, is trained
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name


def _round_trip(model, tmp_path, x: torch.Tensor):
    with seeded(1), torch.no_grad():  # move every weight off its initial value
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    back, meta = load_checkpoint(save_checkpoint(tmp_path / "m.pt", model))
    assert meta["model"] == model.config.to_dict()
    assert back.state_dict().keys() == model.state_dict().keys()
    for (name, a), b in zip(back.state_dict().items(), model.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    model.eval()
    z = torch.randn(3, model.z_dim, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        assert torch.equal(back.encoder(x), model.encoder(x))
        assert torch.equal(back.decoder(z), model.decoder(z))
        assert torch.equal(back.log_likelihood(z, x[:3]), model.log_likelihood(z, x[:3]))
        assert torch.equal(back.decode_mean(z), model.decode_mean(z))


@each("likelihood")
def test_likelihood_checkpoint_round_trip(likelihood, tmp_path):
    model = build_model(model_config(likelihood), seed=0)
    _round_trip(model, tmp_path, binary(5, 6).float())


@each("likelihood")
def test_likelihood_refuses_data_outside_its_support(likelihood):
    model = build_model(model_config(likelihood), seed=0)
    cfg = TrainConfig(batch_size=10, max_samples=10, eval_every=10, eval_train_size=10, threads=1)
    with seeded(0), torch.no_grad():  # the likelihood's own draws are accepted as data
        x = model.decode(torch.randn(20, 2)).sample()
    fit(model, x, cfg, progress=False)
    support = model.likelihood.support
    lo, hi = (-10.0, 10.0) if support is None else support  # None: any real value is data
    inside = torch.linspace(lo, min(hi, lo + 20.0), 7)
    with torch.no_grad():  # modelled: a finite log-prob anywhere in the declared support
        lp = model.log_likelihood(torch.zeros(7, 2), inside[:, None].expand(7, 6))
    assert torch.isfinite(lp).all(), f"log-prob {lp.tolist()} inside the support {support}"
    if support is None:
        return
    for bad in [lo - 0.5] + ([hi + 0.5] if math.isfinite(hi) else []):
        with pytest.raises(ConfigError) as e:
            fit(model, torch.full((20, 6), bad), cfg, progress=False)
        msg = str(e.value)
        assert "\n" not in msg and f"the {likelihood} decoder" in msg and f"{bad:g}" in msg


# ----------------------------------------------------------------------------------------
# latents
# ----------------------------------------------------------------------------------------


def latent_and_params(name: str, z_dim: int, batch: int, seed: int = 0):
    fam = LATENTS[name](z_dim).double()
    g = torch.Generator().manual_seed(seed)
    out = 0.7 * torch.randn(batch, fam.params_per_dim * z_dim, generator=g, dtype=F64)
    return fam, fam.split(out)


@each("latent")
def test_latent_shapes(latent):
    fam, params = latent_and_params(latent, 3, 4)
    assert all(p.shape == (4, 3) for p in params)
    g = torch.Generator().manual_seed(0)
    eps = fam.noise((5, 4, 3), params[0], generator=g)
    again = fam.noise((5, 4, 3), params[0], generator=torch.Generator().manual_seed(0))
    assert eps.shape == (5, 4, 3) and eps.dtype == F64 and torch.equal(eps, again)
    z = fam.transform(params, eps)
    assert z.shape == (5, 4, 3) and torch.isfinite(z).all()
    assert fam.rsample(params, 7).shape == (7, 4, 3)
    q = fam.q(params)
    assert q.batch_shape == (4,) and q.event_shape == (3,)
    assert q.log_prob(z).shape == (5, 4) and torch.isfinite(q.log_prob(z)).all()
    assert q.sample((6,)).shape == (6, 4, 3)
    assert fam.kl(params).shape == (4,) and fam.location(params).shape == (4, 3)
    assert fam.prior.event_shape == (3,) and fam.prior.sample((6,)).shape == (6, 3)
    assert fam.prior.log_prob(z).shape == (5, 4)
    assert fam.prior_ppf(torch.tensor([0.1, 0.5, 0.9], dtype=F64)).shape == (3,)


def _support_check(dist):
    return lambda v: bool(dist.support.check(torch.full(dist.event_shape, v, dtype=F64)))


@each("latent")
def test_latent_draws_follow_its_densities(latent):
    n = 20000
    fam, params = latent_and_params(latent, 1, 3)
    with seeded(0), torch.no_grad():
        draws = fam.rsample(params, n)  # (n, 3, 1)
        prior_draws = fam.prior.sample((n,))  # (n, 1)
    for b in range(3):
        q = fam.q(tuple(p[b] for p in params))
        z = grid_1d(draws[:, b, 0], _support_check(q), 20001)
        lq = q.log_prob(z[:, None])
        total = float((trapezoid_weights(z) * lq.exp()).sum())
        assert abs(total - 1.0) < 1e-3, f"q {b}: density integrates to {total:.6f}"
        d = ks_distance(draws[:, b, 0], z, lq)
        assert d < ks_critical(n), f"q {b}: draws are not q (KS distance {d:.4f})"
    prior = fam.prior
    z = grid_1d(prior_draws[:, 0], _support_check(prior), 20001)
    lp = prior.log_prob(z[:, None])
    total = float((trapezoid_weights(z) * lp.exp()).sum())
    assert abs(total - 1.0) < 1e-3, f"prior density integrates to {total:.6f}"
    d = ks_distance(prior_draws[:, 0], z, lp)
    assert d < ks_critical(n), f"prior draws are not the prior (KS distance {d:.4f})"
    u = torch.linspace(0.02, 0.98, 49, dtype=F64)
    ppf = fam.prior_ppf(u)
    p = lp.exp().numpy()
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * np.diff(z.numpy()))])
    err = np.abs(np.interp(ppf.numpy(), z.numpy(), cdf) - u.numpy()).max()
    assert err < 1e-3, f"prior_ppf is not the inverse CDF of the prior (off by {err:.4f})"


@each("latent")
def test_latent_kl_and_location_match_monte_carlo(latent):
    n = 100_000
    fam, params = latent_and_params(latent, 2, 3)
    with seeded(0), torch.no_grad():
        z = fam.rsample(params, n)  # (n, 3, 2)
        log_ratio = fam.q(params).log_prob(z) - fam.prior.log_prob(z)  # (n, 3)
        kl, loc = fam.kl(params), fam.location(params)
    se = log_ratio.std(0) / math.sqrt(n)
    gap = (log_ratio.mean(0) - kl).abs()
    assert torch.all(gap < 5 * se + 1e-3), f"KL {kl.tolist()} vs MC {log_ratio.mean(0).tolist()}"
    se_z = z.std(0) / math.sqrt(n)
    gap_z = (z.mean(0) - loc).abs()
    assert torch.all(gap_z < 5 * se_z + 1e-3), f"location {loc.tolist()} is not E_q[z]"
    assert torch.all(kl >= 0)


@each("latent")
def test_latent_draws_carry_gradients(latent):
    fam, params = latent_and_params(latent, 2, 3)
    params = tuple(p.clone().requires_grad_(True) for p in params)
    with seeded(0):
        z = fam.rsample(params, 50)
    for what, value in [("draws", z.sin()), ("KL", fam.kl(params)),
                        ("log q", fam.q(params).log_prob(z.detach()))]:  # fmt: skip
        grads = torch.autograd.grad(value.sum(), params, allow_unused=True)
        for i, g in enumerate(grads):
            assert g is not None and torch.isfinite(g).all(), f"{what}: parameter {i}"
            assert g.abs().min() > 0, f"{what}: parameter {i} gets no gradient"
    with seeded(0):
        eps = fam.noise((50, 3, 2), params[0])
    assert not eps.requires_grad  # the noise does not depend on the parameters


def one_d_model(latent: str, seed: int = 0):
    """A small 1-D latent model (float64), 4 binary datapoints, and a z grid covering both
    q(z|x) and the prior, cut at their support (for quadrature)."""
    cfg = ModelConfig(x_dim=6, z_dim=1, hidden=(8,), latent=latent)
    model = build_model(cfg, seed=seed).double().eval()
    x = binary(4, 6)
    params = model.encoder_params(x)
    with seeded(seed), torch.no_grad():
        draws = torch.cat(
            [model.latent.rsample(params, 4000).flatten(), model.prior.sample((4000,)).flatten()]
        )
    z = grid_1d(draws, _support_check(model.prior), 4001)
    return model, x, params, z


def quadrature(model, x, params, z):
    """(ELBO, log p(x)) of every datapoint by the trapezoid rule on the grid z: (B,), (B,)."""
    with torch.no_grad():
        zg = z[:, None, None].expand(len(z), x.shape[0], 1)  # (G, B, 1)
        log_q = model.latent.q(params).log_prob(zg)
        log_joint = model.log_likelihood(zg, x) + model.prior.log_prob(zg)
        w = trapezoid_weights(z)[:, None]
        elbo_q = (w * log_q.exp() * (log_joint - log_q)).sum(0)
        log_px = torch.logsumexp(log_joint + w.log(), dim=0)
    return elbo_q, log_px


@each("latent")
def test_latent_in_a_model_matches_quadrature(latent):
    model, x, params, z = one_d_model(latent)
    elbo_q, log_px = quadrature(model, x, params, z)
    assert torch.all(elbo_q <= log_px + 1e-6)  # Jensen: the ELBO is a lower bound
    with seeded(0):
        lpx = log_px_importance(model, x, k=20000)
    assert lpx.shape == (4,)
    assert torch.all((lpx - log_px).abs() < 0.02), f"IS {lpx.tolist()} vs {log_px.tolist()}"


# ----------------------------------------------------------------------------------------
# KL estimators and objectives
# ----------------------------------------------------------------------------------------


def _matches_elbo(values: torch.Tensor, elbo_q: torch.Tensor, what: str) -> None:
    """values (R, B) of an unbiased ELBO estimate: their means equal the quadrature ELBO."""
    mean, se = values.mean(0), values.std(0) / math.sqrt(values.shape[0])
    assert torch.all((mean - elbo_q).abs() < 5 * se + 1e-3), (
        f"{what}: mean {mean.tolist()} vs ELBO {elbo_q.tolist()} (se {se.tolist()})"
    )


def _finite_gradients(model, value: torch.Tensor) -> None:
    model.zero_grad()
    (-value.mean()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


@each("kl", "latent")
def test_kl_estimator(kl, latent):
    model, x, params, z = one_d_model(latent)
    elbo_q, _ = quadrature(model, x, params, z)
    estimator = KL_ESTIMATORS[kl]
    with seeded(0), torch.no_grad():
        chunks = []
        for _ in range(100):  # 100 means of 200 draws each: a mean and its standard error
            zs = model.latent.rsample(params, 200)
            chunks.append(estimator(model, params, zs, model.log_likelihood(zs, x)))
    values = torch.stack(chunks)
    assert values.shape == (100, 4) and torch.isfinite(values).all()
    _matches_elbo(values, elbo_q, f"KL estimator {kl}")
    with seeded(1):
        value = elbo(model, x, n_samples=3, kl=kl)
    assert value.shape == (4,) and torch.isfinite(value).all()
    _finite_gradients(model, value)


@each("objective", "latent")
def test_objective(objective, latent):
    model, x, params, z = one_d_model(latent)
    elbo_q, _ = quadrature(model, x, params, z)
    cfg = TrainConfig(objective=objective)  # the defaults: L = 1, K = 1, no free bits
    fn = OBJECTIVES[objective]
    reps = 20000
    with seeded(0), torch.no_grad():
        values = fn(model, x.repeat(reps, 1), cfg, 1.0).reshape(reps, 4)
    assert torch.isfinite(values).all()
    _matches_elbo(values, elbo_q, f"objective {objective} at beta = 1")
    with seeded(1):
        value = fn(model, x, cfg, 1.0)
    assert value.shape == (4,) and torch.isfinite(value).all()
    _finite_gradients(model, value)


# ----------------------------------------------------------------------------------------
# networks
# ----------------------------------------------------------------------------------------

IMAGE = (2, 8, 8)  # small enough for an MLP, divisible by 8 for the conv net


def network_config(architecture: str, activation: str = "tanh") -> ModelConfig:
    return ModelConfig(x_dim=128, z_dim=2, hidden=(4, 6, 8), activation=activation,
                       architecture=architecture, image_shape=IMAGE)  # fmt: skip


@each("architecture", "activation")
def test_network(architecture, activation):
    model = build_model(network_config(architecture, activation), seed=0).double()
    assert any(isinstance(m, ACTIVATIONS[activation]) for m in model.modules())
    enc_out = model.latent.params_per_dim * 2
    dec_out = model.likelihood.params_per_dim * 128
    x = binary(5, 128)
    assert model.encoder(x).shape == (5, enc_out)
    lead = model.encoder(torch.stack([x, x.flip(0)]))
    assert lead.shape == (2, 5, enc_out)
    assert torch.allclose(lead[1], model.encoder(x.flip(0)), atol=1e-10)
    z = torch.randn(4, 5, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    out = model.decoder(z)
    assert out.shape == (4, 5, dec_out)
    assert torch.allclose(out, model.decoder(z.reshape(20, 2)).reshape(4, 5, -1), atol=1e-10)
    assert model.decode(z).log_prob(x).shape == (4, 5)
    with seeded(0):
        value = elbo(model, x, n_samples=2)
    assert value.shape == (5,) and torch.isfinite(value).all()
    (-value.mean()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, f"{name} gets no gradient"


@each("architecture")
def test_architecture_checkpoint_round_trip(architecture, tmp_path):
    model = build_model(network_config(architecture), seed=0)
    _round_trip(model, tmp_path, binary(5, 128).float())


@each("activation")
def test_activation_is_nonlinear(activation):
    f = ACTIVATIONS[activation]()
    a = torch.linspace(-3, 3, 61, dtype=F64)
    y = f(a)
    assert y.shape == a.shape and torch.isfinite(y).all()
    line = y[0] + (y[-1] - y[0]) * (a - a[0]) / (a[-1] - a[0])
    assert float((y - line).abs().max()) > 0.05, "an affine activation collapses the network"


# ----------------------------------------------------------------------------------------
# optimizers, algorithms
# ----------------------------------------------------------------------------------------


def _quadratic(optimizer: str, steps: int):
    g = torch.Generator().manual_seed(0)
    w = torch.nn.Parameter(torch.randn(4, generator=g, dtype=F64))
    target = torch.randn(4, generator=g, dtype=F64)
    curvature = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=F64)

    def loss():
        return 0.5 * (curvature * (w - target) ** 2).sum()

    cfg = TrainConfig(optimizer=optimizer, lr=0.01, weight_decay=0.001)
    opt = make_optimizer([w], cfg)
    losses = [float(loss().detach())]
    for _ in range(steps):
        opt.zero_grad()
        loss().backward()
        opt.step()
        losses.append(float(loss().detach()))
    return opt, w.detach().clone(), losses


@each("optimizer")
def test_optimizer(optimizer):
    opt, w, losses = _quadratic(optimizer, 20)
    assert isinstance(opt, OPTIMIZERS[optimizer]) and opt.defaults["foreach"]
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[0]["weight_decay"] == 0.001
    assert losses[1] < losses[0], f"one step did not lower the loss: {losses[:2]}"
    assert losses[-1] < losses[1] and all(math.isfinite(v) for v in losses)
    _, again, losses2 = _quadratic(optimizer, 20)
    assert torch.equal(w, again) and losses == losses2


def _train(algorithm: str):
    model = build_model(ModelConfig(x_dim=6, z_dim=2, hidden=(8,)), seed=0)
    before = [p.detach().clone() for p in model.parameters()]
    cfg = TrainConfig(optimizer="adagrad", lr=0.05, batch_size=10, max_samples=60, eval_every=60,
                      eval_train_size=60, seed=0, threads=1, algorithm=algorithm)  # fmt: skip
    history = fit(model, binary(60, 6).float(), cfg, progress=False)
    return model, before, history


@each("algorithm")
def test_algorithm(algorithm):
    model, before, history = _train(algorithm)
    after = list(model.parameters())
    assert all(torch.isfinite(p).all() for p in after)
    assert any(not torch.equal(a, b) for a, b in zip(after, before, strict=True)), "no step"
    assert history.samples == [0, 60]
    values = [v for v in history.train_elbo + history.objective if v is not None]
    assert values and all(math.isfinite(v) for v in values)
    again, _, _ = _train(algorithm)
    for a, b in zip(model.parameters(), again.parameters(), strict=True):
        assert torch.equal(a, b)


# ----------------------------------------------------------------------------------------
# datasets
# ----------------------------------------------------------------------------------------


def stated_values(description: str):
    """What a dataset's description says its values are: "binary" for "in {0, 1}", else the
    (lo, hi) of "in [lo, hi]"."""
    if re.search(r"in \{0, 1\}", description):
        return "binary"
    m = re.search(r"in \[(-?[\d.]+), (-?[\d.]+)\]", description)
    assert m, f"the description states no range ('in {{0, 1}}' or 'in [lo, hi]'): {description}"
    return float(m[1]), float(m[2])


@each("data")
def test_dataset(data):
    ds = DATASETS[data]()
    assert ds.name == data and ds.description
    values = stated_values(ds.description)
    d = int(np.prod(ds.image_shape))
    for split in ("train", "valid", "test"):
        x = getattr(ds, split)
        if x is None:
            assert split == "valid", f"no {split} split"
            continue
        assert x.dtype == torch.float32 and x.ndim == 2 and x.shape[1] == d and len(x) > 0, split
        assert torch.isfinite(x).all(), split
        if values == "binary":
            assert bool(((x == 0) | (x == 1)).all()) and float(x.max()) == 1.0, split
        else:
            assert values[0] <= float(x.min()) and float(x.max()) <= values[1], split
        if "/ 255" in ds.description:
            k = x * 255
            assert float((k - k.round()).abs().max()) < 1e-3, f"{split}: not on the k/255 lattice"
        labels = getattr(ds, f"{split}_labels", None)
        if labels is not None:
            assert labels.dtype == torch.int64 and labels.shape == (len(x),), split
            assert int(labels.min()) >= 0
