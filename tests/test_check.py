"""The auto-checked exercises (vae_tutorial.check): each checker accepts a correct reader
implementation, and for typical wrong ones returns a failing verdict that names the case,
gives the hint of the mistake and never the solution."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from vae_tutorial import check
from vae_tutorial.theory import conjugate as cj
from vae_tutorial.theory.gaussian import log_density


def assert_fails(verdict, case: int, hint: str, forbidden: tuple[str, ...] = ()):
    """Not ok, names case ``case`` (number and label), contains ``hint``, none of ``forbidden``."""
    assert isinstance(verdict, check.Verdict)
    assert not verdict.ok and not verdict
    assert verdict.case["case"] == case, verdict.message
    assert f"case {case} of" in verdict.message and verdict.case["label"] in verdict.message
    assert "input" in verdict.message and "expected" in verdict.message
    assert hint.lower() in verdict.message.lower(), verdict.message
    for text in forbidden:
        assert text not in verdict.message, text


def assert_ok(verdict, n_cases: int):
    assert verdict.ok and verdict and verdict.case is None, verdict.message
    assert verdict.message.startswith("Correct") and f"on {n_cases} cases" in verdict.message


# ----------------------------------------------------------------------------------- 01
POST_FORBIDDEN = ("np.linalg.inv(", "alpha * np.eye", "W.T @ W", "beta * W.T")


def _post(x, a, b, w, prior=1.0, invert=True):
    prec = prior * a * np.eye(w.shape[1]) + b * w.T @ w
    cov = np.linalg.inv(prec)
    return cov @ (b * w.T @ x), cov if invert else prec


def test_posterior_linear_gaussian():
    assert_ok(check.posterior_linear_gaussian(_post), 4)
    assert_ok(check.posterior_linear_gaussian(cj.linear_gaussian_posterior), 4)
    v = check.posterior_linear_gaussian(lambda *a: _post(*a, invert=False))
    assert_fails(v, 1, "precision and covariance are not the same", POST_FORBIDDEN)
    v = check.posterior_linear_gaussian(lambda x, a, b, w: _post(x, 1 / a, 1 / b, w))
    assert_fails(v, 1, "inverse variances", POST_FORBIDDEN)
    v = check.posterior_linear_gaussian(lambda *a: _post(*a, prior=0.0))
    assert_fails(v, 1, "the prior is missing", POST_FORBIDDEN)
    v = check.posterior_linear_gaussian(lambda x, a, b, w: _post(x, a, b, w)[0])
    assert_fails(v, 1, "tuple (mean, cov)", POST_FORBIDDEN)


LOGEV_FORBIDDEN = ("W @ W.T", "log_density(", "/ alpha", "np.eye")


def _logev(x, a, b, w, noise_only=False, const=True):
    cov = (0 if noise_only else w @ w.T / a) + np.eye(len(x)) / b
    out = log_density(x, np.zeros(len(x)), cov)
    return out if const else out + 0.5 * len(x) * np.log(2 * np.pi)


def test_log_evidence():
    assert_ok(check.log_evidence(_logev), 4)
    assert_fails(check.log_evidence(lambda *a: -_logev(*a)), 1, "sign", LOGEV_FORBIDDEN)
    v = check.log_evidence(lambda *a: _logev(*a, noise_only=True))
    assert_fails(v, 1, "contribution to the covariance", LOGEV_FORBIDDEN)
    v = check.log_evidence(lambda *a: _logev(*a, const=False))
    assert_fails(v, 1, "normalising constant", LOGEV_FORBIDDEN)


# ----------------------------------------------------------------------------------- 02
GRID_FORBIDDEN = ("logsumexp(log_joint", "np.log(cell_volume)", "+ np.log(")


def test_grid_evidence():
    assert_ok(check.grid_evidence(lambda v, dv: logsumexp(v) + np.log(dv)), 4)
    v = check.grid_evidence(lambda v, dv: np.log(np.sum(np.exp(v)) * dv))  # naive exp
    assert_fails(v, 3, "underflows", GRID_FORBIDDEN)
    assert "log-sum-exp" in v.message and "nan or inf" in v.message
    v = check.grid_evidence(lambda v, dv: logsumexp(v))
    assert_fails(v, 1, "cell volume is missing", GRID_FORBIDDEN)
    v = check.grid_evidence(lambda v, dv: logsumexp(v) - np.log(len(v)) + np.log(dv))
    assert_fails(v, 1, "averaged over the grid points", GRID_FORBIDDEN)
    v = check.grid_evidence(lambda v, dv: logsumexp(v) + dv)
    assert_fails(v, 1, "cell volume itself", GRID_FORBIDDEN)


# ----------------------------------------------------------------------------------- 03
CAVI_FORBIDDEN = ("h[i] -", "/ Lambda[i, i]", "Lambda[i] @ m", "/ lam")


def _cavi(i, m, lam, h, self_term=False, sign=-1.0):
    others = lam[i] @ m - (0 if self_term else lam[i, i] * m[i])
    return (h[i] + sign * others) / lam[i, i]


def test_cavi_update():
    assert_ok(check.cavi_update(_cavi), 4)
    v = check.cavi_update(lambda *a: _cavi(*a, self_term=True))
    assert_fails(v, 1, "the OTHER coordinates", CAVI_FORBIDDEN)
    assert_fails(check.cavi_update(lambda *a: _cavi(*a, sign=1.0)), 1, "sign", CAVI_FORBIDDEN)

    def whole_vector(i, m, lam, h):
        m = m.copy()
        m[i] = _cavi(i, m, lam, h)
        return m

    assert_fails(check.cavi_update(whole_vector), 1, "not the whole vector", CAVI_FORBIDDEN)


# ----------------------------------------------------------------------------------- 04
KL_FORBIDDEN = ("0.5 * (", "mu**2 +", "- 1 - logvar", "exp(logvar) - 1", "1 + logvar")


def _kl(mu, logvar, half=0.5, log_sign=1.0, reduce=np.sum, axis=-1):
    return half * reduce(mu**2 + np.exp(logvar) - 1 - log_sign * logvar, axis=axis)


def test_gaussian_kl():
    v = check.gaussian_kl(_kl)
    assert_ok(v, 6)
    assert v.message == "Correct: your gaussian_kl matches the closed form on 6 cases."
    assert_fails(
        check.gaussian_kl(lambda m, lv: _kl(m, lv, half=1.0)),
        1,
        "factor 1/2 is missing",
        KL_FORBIDDEN,
    )
    v = check.gaussian_kl(lambda m, lv: _kl(m, lv, log_sign=-1.0))
    assert_fails(v, 1, "sign of the log-variance term", KL_FORBIDDEN)
    v = check.gaussian_kl(lambda m, lv: _kl(m, lv, reduce=np.mean))
    assert_fails(v, 1, "averaged over the latent dimensions", KL_FORBIDDEN)
    v = check.gaussian_kl(lambda m, lv: _kl(m, lv, axis=None))  # sums the batch too
    assert_fails(v, 2, "summed over the batch", KL_FORBIDDEN)
    assert "shape: got ()" in v.message


def test_gaussian_kl_accepts_a_torch_implementation():
    def torch_kl(mu, logvar):
        mu, logvar = torch.as_tensor(mu), torch.as_tensor(logvar)
        return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)

    assert_ok(check.gaussian_kl(torch_kl), 6)


REPARAM_FORBIDDEN = ("exp(0.5 * logvar)", "exp(logvar / 2)", "mu + ", "sqrt(")


def test_reparameterize():
    assert_ok(check.reparameterize(lambda m, lv, e: m + np.exp(0.5 * lv) * e), 5)
    v = check.reparameterize(lambda m, lv, e: m + np.exp(lv) * e)
    assert_fails(v, 1, "not the standard deviation", REPARAM_FORBIDDEN)
    v = check.reparameterize(lambda m, lv, e: m - np.exp(0.5 * lv) * e)
    assert_fails(v, 1, "sign", REPARAM_FORBIDDEN)
    v = check.reparameterize(lambda m, lv, e: np.exp(0.5 * lv) * e)
    assert_fails(v, 1, "location mu is missing", REPARAM_FORBIDDEN)


# ----------------------------------------------------------------------------------- 05
ELBO_FORBIDDEN = (".mean(0) -", "log_prob(x).mean", "- kl", "exp(0.5")


def _elbo(model, x, eps, kl_sign=-1.0, kl_on=True, reduce="mean"):
    mu, logvar = model.encoder_params(x)
    z = mu + torch.exp(0.5 * logvar) * eps
    rec = model.decode(z).log_prob(x)
    rec = rec.mean(0) if reduce == "mean" else rec.sum(0)
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(-1)
    return rec + kl_sign * kl * kl_on


def test_elbo_estimator():
    assert_ok(check.elbo_estimator(_elbo), 3)
    v = check.elbo_estimator(lambda *a: _elbo(*a).sum())
    assert_fails(v, 1, "summed over the batch", ELBO_FORBIDDEN)
    assert_fails(
        check.elbo_estimator(lambda *a: _elbo(*a, kl_on=False)),
        1,
        "KL term is missing",
        ELBO_FORBIDDEN,
    )
    v = check.elbo_estimator(lambda *a: _elbo(*a, kl_sign=1.0))
    assert_fails(v, 1, "sign of the KL term", ELBO_FORBIDDEN)
    v = check.elbo_estimator(lambda *a: _elbo(*a, reduce="sum"))  # L = 1 in case 1: fine
    assert_fails(v, 2, "summed over the L noise draws", ELBO_FORBIDDEN)
    v = check.elbo_estimator(lambda *a: -_elbo(*a))
    assert_fails(v, 1, "negative ELBO", ELBO_FORBIDDEN)


# ----------------------------------------------------------------------------------- 06
INTERP_FORBIDDEN = ("(1 - t)", "t * z_b", "[..., None]", "[:, None]")


def _interp(z_a, z_b, t):
    t = np.asarray(t)[..., None]
    return (1 - t) * z_a + t * z_b


def test_interpolation():
    assert_ok(check.interpolation(_interp), 5)
    v = check.interpolation(lambda a, b, t: _interp(b, a, t))
    assert_fails(v, 1, "backwards", INTERP_FORBIDDEN)
    v = check.interpolation(lambda a, b, t: (1 - t) * a + t * b)  # no broadcasting for t (T,)
    assert_fails(v, 4, "broadcast", INTERP_FORBIDDEN)
    assert "raised ValueError" in v.message
    v = check.interpolation(lambda a, b, t: _interp(a, b, t).T)
    assert_fails(v, 4, "(T, D), not (D, T)", INTERP_FORBIDDEN)


# ----------------------------------------------------------------------------------- 07
BPD_FORBIDDEN = ("/ (dims", "np.log(2)", "math.log(2)", "log_p_nats /", "-log_p")


def test_bits_per_dim():
    assert_ok(check.bits_per_dim(lambda lp, d: -lp / (d * np.log(2))), 4)
    assert_ok(check.bits_per_dim(lambda lp, d: -lp / d / np.log(2)), 4)
    v = check.bits_per_dim(lambda lp, d: -lp / d)
    assert_fails(v, 1, "nats per dimension", BPD_FORBIDDEN)
    assert_fails(check.bits_per_dim(lambda lp, d: lp / (d * np.log(2))), 1, "sign", BPD_FORBIDDEN)
    v = check.bits_per_dim(lambda lp, d: -lp / (d * np.log(10)))
    assert_fails(v, 1, "base-10", BPD_FORBIDDEN)
    v = check.bits_per_dim(lambda lp, d: -lp / np.log(2))
    assert_fails(v, 1, "bits per datapoint", BPD_FORBIDDEN)


EXPKL_FORBIDDEN = ("log_rate - 1", "exp(-log_rate)", "1 / lambda -", "+ 1/lambda")


def _expkl(log_rate, reduce=np.sum, flip=1.0):
    lr = flip * log_rate
    return reduce(lr - 1 + np.exp(-lr), axis=-1)


def test_exponential_kl():
    assert_ok(check.exponential_kl(_expkl), 5)
    v = check.exponential_kl(lambda lr: _expkl(lr, flip=-1.0))
    assert_fails(v, 1, "log of the rate", EXPKL_FORBIDDEN)
    v = check.exponential_kl(lambda lr: _expkl(lr, reduce=np.mean))
    assert_fails(v, 1, "averaged over the latent dimensions", EXPKL_FORBIDDEN)
    v = check.exponential_kl(lambda lr: lr - 1 + np.exp(-lr))
    assert_fails(v, 1, "sum the per-dimension terms", EXPKL_FORBIDDEN)


# ----------------------------------------------------------------------------------- 08
IW_FORBIDDEN = ("logsumexp(", "- np.log(K", "log(K)", "np.log(len")


def test_importance_log_px():
    assert_ok(check.importance_log_px(lambda w: logsumexp(w, axis=0) - np.log(len(w))), 5)
    v = check.importance_log_px(lambda w: np.log(np.mean(np.exp(w), axis=0)))
    assert_fails(v, 3, "underflows", IW_FORBIDDEN)
    v = check.importance_log_px(lambda w: np.mean(w, axis=0))
    assert_fails(v, 1, "ELBO", IW_FORBIDDEN)
    v = check.importance_log_px(lambda w: logsumexp(w, axis=0))
    assert_fails(v, 1, "average over the K samples is missing", IW_FORBIDDEN)
    v = check.importance_log_px(lambda w: logsumexp(w, axis=1) - np.log(w.shape[1]))
    assert_fails(v, 1, "batch axis", IW_FORBIDDEN)


# ---------------------------------------------------------------------------- the harness
def _boom(*args):
    raise ZeroDivisionError("no luck")


@pytest.mark.parametrize("name", [n for n in check.__all__ if n != "Verdict"])
def test_every_checker_survives_a_function_that_raises(name):
    v = getattr(check, name)(_boom)
    assert_fails(v, 1, "raised ZeroDivisionError: no luck")


def test_a_function_returning_none_a_string_or_nan():
    v = check.gaussian_kl(lambda m, lv: None)
    assert_fails(v, 1, "returned None")
    v = check.bits_per_dim(lambda lp, d: "1.2 bits")
    assert_fails(v, 1, "not a number")
    v = check.gaussian_kl(lambda m, lv: np.full(m.shape[:-1], np.nan))
    assert_fails(v, 1, "nan or inf")
    v = check.interpolation(lambda a, b, t: np.zeros(7))  # a shape no mistake explains
    assert_fails(v, 1, "gives one point (D,)")
    assert "shape: got (7,), expected (2,)" in v.message


def test_a_non_callable_is_refused_politely():
    v = check.gaussian_kl(0.5)
    assert not v.ok and "your function itself" in v.message and v.case is None


def test_inputs_are_copies_so_a_mutating_function_cannot_spoil_later_cases():
    def mutating(mu, logvar):
        out = _kl(mu, logvar)
        mu *= 0
        return out

    assert_ok(check.gaussian_kl(mutating), 6)


def test_verdict_renders_in_a_notebook():
    bad = check.gaussian_kl(lambda m, lv: _kl(m, lv, half=1.0))
    md = bad._repr_markdown_()
    assert md.startswith("❌ **Not yet") and "```text" in md and "**Hint:** a factor 1/2" in md
    assert str(bad) == bad.message
    good = check.gaussian_kl(_kl)._repr_markdown_()
    assert good.startswith("✅ **Correct")


def test_facade_names_check_and_importing_it_is_light():
    import vae_tutorial as vt

    assert vt.check is check and vt.check.gaussian_kl is check.gaussian_kl
    assert "check" in dir(vt) and "check" in vt.__all__
    code = "import sys, vae_tutorial as vt; vt.check; print('torch' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"
