"""Score-function and pathwise gradients against a closed form; SGVB against exact posteriors."""

import numpy as np
import pytest

from vae_tutorial.theory import conjugate as cj
from vae_tutorial.theory import gradients as gr
from vae_tutorial.theory import meanfield as mf
from vae_tutorial.theory.latent_models import LinearGaussian

A = np.array([1.0, -0.5])
C = np.array([[1.0, 0.3], [0.3, 0.5]])
MU = np.array([0.2, 0.1])
LOG_SIGMA = np.log([0.8, 0.6])
MODEL = LinearGaussian(alpha=1.0, beta=2.0, W=np.array([[1.0, 0.9], [0.9, 1.0]]))
X = np.array([1.5, 0.5])
ABW = (MODEL.alpha, MODEL.beta, MODEL.W)  # the model's parameters for the conjugate closed forms


def test_closed_form_gradient_matches_finite_differences():
    _, grad = gr.gaussian_target_objective(MU, LOG_SIGMA, A, C)
    params, h = np.concatenate([MU, LOG_SIGMA]), 1e-6
    for k in range(4):
        e = np.zeros(4)
        e[k] = h
        up = gr.gaussian_target_objective(*np.split(params + e, 2), A, C)[0]
        down = gr.gaussian_target_objective(*np.split(params - e, 2), A, C)[0]
        assert (up - down) / (2 * h) == pytest.approx(grad[k], abs=1e-6)


@pytest.mark.parametrize("estimator", [gr.score_function_grads, gr.pathwise_grads])
def test_both_estimators_are_unbiased(estimator):
    _, exact = gr.gaussian_target_objective(MU, LOG_SIGMA, A, C)
    g = estimator(gr.gaussian_log_density_torch(A, C), MU, LOG_SIGMA, 100_000, seed=1)
    se = g.std(0) / np.sqrt(len(g))
    assert np.all(np.abs(g.mean(0) - exact) < 4 * se)


def test_pathwise_variance_is_much_smaller():
    f = gr.gaussian_log_density_torch(A, C)
    sf = gr.score_function_grads(f, MU, LOG_SIGMA, 20_000, seed=2)
    pw = gr.pathwise_grads(f, MU, LOG_SIGMA, 20_000, seed=2)
    assert np.all(sf.var(0) > 10 * pw.var(0))
    # averaging L samples divides the variance by L (measured over repeated estimates)
    est = gr.batch_means(pw, 10)
    assert est.shape == (2000, 4)
    assert est.var(0) == pytest.approx(pw.var(0) / 10, rel=0.15)


def test_estimators_a_and_b_share_their_expectation():
    mean, cov = cj.linear_gaussian_posterior(X, *ABW)
    for mu, log_sigma in [(mean, 0.5 * np.log(np.diag(cov))), (mean, np.log([0.1, 0.1]))]:
        exact = cj.linear_gaussian_elbo(X, *ABW, mu, np.diag(np.exp(2 * log_sigma)))
        a = gr.elbo_estimates(MODEL, X, mu, log_sigma, 1, 40_000, "monte_carlo", seed=3)
        b = gr.elbo_estimates(MODEL, X, mu, log_sigma, 1, 40_000, "analytic", seed=4)
        for est in (a, b):
            assert abs(est.mean() - exact) < 4 * est.std() / np.sqrt(len(est))
    # q much narrower than the prior (the VAE regime): the analytic KL removes most noise
    assert b.var() < 0.05 * a.var()
    with pytest.raises(ValueError):
        gr.elbo_estimates(MODEL, X, mean, log_sigma, 1, 2, "bogus")


def test_estimator_a_has_zero_variance_at_the_exact_posterior():
    model = LinearGaussian(alpha=1.0, beta=2.0, W=np.array([[1.0]]))
    x = np.array([1.2])
    mean, cov = cj.linear_gaussian_posterior(x, model.alpha, model.beta, model.W)
    log_sigma = 0.5 * np.log(np.diag(cov))
    a = gr.elbo_estimates(model, x, mean, log_sigma, 1, 1000, "monte_carlo")
    b = gr.elbo_estimates(model, x, mean, log_sigma, 1, 1000, "analytic")
    log_px = cj.log_marginal_likelihood(x, model.alpha, model.beta, model.W)
    np.testing.assert_allclose(a, log_px, atol=1e-10)  # log p(x, z) - log q(z) = log p(x)
    assert b.var() > 0.1


def test_per_datapoint_sgvb_recovers_the_exact_posterior():
    mean, cov = cj.linear_gaussian_posterior(X, *ABW)
    fit = gr.fit_gaussian_q(MODEL, X, n_steps=600, lr=0.05, n_samples=8, seed=0)
    np.testing.assert_allclose(fit.mean[0], mean, atol=0.03)
    np.testing.assert_allclose(fit.cov[0], cov, atol=0.03)
    log_px = cj.log_marginal_likelihood(X, *ABW)
    final = cj.linear_gaussian_elbo(X, *ABW, fit.mean[0], fit.cov[0])
    assert log_px - 0.01 < final <= log_px  # ELBO -> log p(x)
    start = cj.linear_gaussian_elbo(X, *ABW, np.zeros(2), np.eye(2))  # q = N(0, I) at step 0
    assert final > start + 4.0 and fit.elbos[-100:].mean() > fit.elbos[:10].mean() + 1.0
    diag = gr.fit_gaussian_q(MODEL, X, n_steps=600, lr=0.05, n_samples=8, full_cov=False)
    assert np.allclose(diag.cov[0], np.diag(np.diag(diag.cov[0])))
    # a diagonal q converges to the mean-field answer: variances 1 / Lambda_ii
    cavi = mf.cavi_linear_gaussian(MODEL, X, n_sweeps=60)
    np.testing.assert_allclose(np.diag(diag.cov[0]), cavi.variances, atol=0.02)


def test_amortized_encoder_gives_valid_q():
    rng = np.random.default_rng(0)
    _, x_train = MODEL.sample(500, rng)
    enc, trace = gr.fit_encoder(MODEL, x_train, n_steps=300, batch_size=50, seed=0)
    mu, chol = gr.encode(enc, X)
    assert mu.shape == (1, 2) and chol.shape == (1, 2, 2)
    elbo = cj.linear_gaussian_elbo(X, *ABW, mu[0], chol[0] @ chol[0].T)
    assert elbo <= cj.log_marginal_likelihood(X, *ABW)
    assert trace[-30:].mean() > trace[:30].mean()
