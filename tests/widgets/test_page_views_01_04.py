"""The static page's side of notebook 01's conjugate views and notebook 04's reparameterization
view, without a browser: the state is JSON, its controls are the widgets', and page_values
(what the page must draw) agree with the closed forms of vae_tutorial.theory and move with
the controls. The page itself is compared with these values in tests/browser/test_page_*.py."""

import json

import numpy as np
import pytest

from vae_tutorial.theory.conjugate import identity_posterior, linear_gaussian_posterior
from vae_tutorial.theory.gaussian import kl, log_density, normal_pdf
from vae_tutorial.widgets.page import as_page_json, set_controls
from vae_tutorial.widgets.posteriors import ConjugateExplorer1D, ConjugateExplorer2D
from vae_tutorial.widgets.reparameterization import ReparamExplorer

VIEWS = [ConjugateExplorer1D, ConjugateExplorer2D, lambda: ReparamExplorer(draws=500)]


@pytest.mark.parametrize("make", VIEWS, ids=["1d", "2d", "reparam"])
def test_state_is_json_and_its_controls_are_the_widgets(make):
    view = make()
    state = as_page_json(view.page_state())
    assert state["module"] in ("conjugate", "reparam")
    controls = view.page_controls()
    assert [c["name"] for c in state["controls"]] == list(controls)
    for spec in state["controls"]:
        w = controls[spec["name"]]
        assert spec["kind"] == "float"
        assert (spec["min"], spec["max"], spec["step"], spec["value"]) == (
            w.min, w.max, w.step, w.value)  # fmt: skip
        assert spec["label"] == w.description
    json.dumps(view.page_values(), allow_nan=False)  # the values are JSON too


def test_reparam_state_ships_the_noise_as_float64():
    view = ReparamExplorer(draws=300, seed=3)
    state = view.page_state()
    assert np.array_equal(np.frombuffer(state["eps"], "<f8"), view.eps)
    assert state["bins"] == view.plot.bins.tolist() and state["points"] == len(view.plot.grid)


def test_1d_values_are_the_closed_forms():
    view = ConjugateExplorer1D()
    set_controls(view, {"alpha": 0.5, "beta": 4.0, "w": 1.0, "x": -1.25})
    v = view.page_values()
    mean, var = identity_posterior(-1.25, 0.5, 4.0)  # w = 1: f(z) = z
    assert v["mean"] == pytest.approx(mean, rel=1e-12) and v["var"] == pytest.approx(var)
    z = view.plot.z
    assert np.allclose(v["posterior"], normal_pdf(z, mean, var), rtol=1e-12)
    assert np.allclose(v["prior"], normal_pdf(z, 0.0, 1 / 0.5), rtol=1e-12)
    # the likelihood N(x; w z, 1/beta) as a function of z
    assert np.allclose(v["likelihood"], normal_pdf(1.0 * z, -1.25, 1 / 4.0), rtol=1e-12)
    # the grid's dots lie on the closed form (the grid covers the posterior)
    assert np.allclose(v["grid_posterior"], normal_pdf(z[::20], mean, var), rtol=1e-9, atol=1e-12)
    assert v["at"] == -1.25 and v["ytop"] >= 1.05 * max(map(max, (v["posterior"], v["prior"])))
    assert v["caption"] == f"f(z) = w z, w = 1, x = -1.25: posterior mean {mean:.3f}, var {var:.3f}"
    set_controls(view, {"w": -2.0, "alpha": 4.0, "beta": 3.0})  # precision 16: var 0.0625
    v2 = view.page_values()
    m, c = linear_gaussian_posterior(np.array([-1.25]), 4.0, 3.0, np.array([[-2.0]]))
    assert (v2["mean"], v2["var"]) == pytest.approx((m[0], c[0, 0]), rel=1e-12)
    assert v2["caption"].endswith("var 0.062")  # Python rounds the tie 0.0625 to even
    assert v2["at"] == 0.625 and v2["posterior"] != v["posterior"]
    set_controls(view, {"w": 0.0})
    assert view.page_values()["at"] is None  # no line z = x / w


def test_2d_values_are_the_closed_forms():
    view = ConjugateExplorer2D()
    W, x, alpha, beta = np.array([[1.5, -0.5], [0.25, 1.0]]), np.array([-1.0, 2.0]), 2.0, 3.0
    set_controls(view, {"alpha": alpha, "beta": beta, "W11": 1.5, "W12": -0.5, "W21": 0.25,
                        "W22": 1.0, "x1": -1.0, "x2": 2.0})  # fmt: skip
    v = view.page_values()
    mean, cov = linear_gaussian_posterior(x, alpha, beta, W)
    assert np.allclose(v["mean"], mean, rtol=1e-12) and np.allclose(v["cov"], cov, rtol=1e-12)
    grid = view.plot.grid
    density = np.reshape(v["density"], grid.shape)  # rows: z2
    exact = np.exp(log_density(grid.points, mean, cov)).reshape(grid.shape).T
    assert np.allclose(density, exact, rtol=1e-8, atol=1e-10 * exact.max())
    # a Gaussian's highest-density region of mass m ends where the density is
    # (1 - m) / (2 pi sqrt(det cov)); the grid's regions grow a cell at a time (here 5 cells
    # a standard deviation), so the levels agree to a few percent
    gauss = (1 - np.array([0.99, 0.86, 0.39])) / (2 * np.pi * np.sqrt(np.linalg.det(cov)))
    assert np.allclose(v["hpd"], gauss, rtol=3e-2)
    # the likelihood in z: -beta/2 ||x - W z||^2 below its maximum (0 at the grid's best z)
    rel = np.reshape(v["loglik"], grid.shape).T.reshape(-1)  # back to grid.points' order
    resid = x - grid.points @ W.T
    sq = -0.5 * beta * np.sum(resid**2, 1)
    assert np.allclose(rel, sq - sq.max(), atol=1e-9) and max(rel) == 0.0
    assert v["caption"] == (
        f"f(z) = Wz, x = (-1, 2): posterior mean ({mean[0]:.2f}, {mean[1]:.2f})"
    )
    set_controls(view, {"x1": 1.25, "W22": -2.0})
    v2 = view.page_values()
    assert v2["caption"].startswith("f(z) = Wz, x = (1.2, 2)")  # .2g rounds the tie to even
    assert v2["mean"] != v["mean"] and v2["density"] != v["density"]


def test_reparam_values_are_the_pushed_noise():
    view = ReparamExplorer(draws=1000, seed=1)
    set_controls(view, {"mu": -0.5, "sigma": 1.5})
    v = view.page_values()
    z = -0.5 + 1.5 * view.eps
    inside = (z >= -4) & (z <= 4)
    assert sum(v["counts"]) == inside.sum()
    edges = view.plot.bins
    counts = [((z >= lo) & (z < hi)).sum() for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    counts[-1] += (z == 4.0).sum()
    assert v["counts"] == counts
    assert np.allclose(v["heights"], np.array(counts) / 0.2 / inside.sum(), rtol=1e-12)
    assert np.allclose(v["q"], normal_pdf(view.plot.grid, -0.5, 2.25), rtol=1e-12)
    assert np.allclose(v["target"], normal_pdf(view.plot.grid, 1.0, 0.25), rtol=1e-12)
    # KL(N(m0, s0^2) || N(m1, s1^2)) = log(s1/s0) + (s0^2 + (m0 - m1)^2) / (2 s1^2) - 1/2
    closed = np.log(0.5 / 1.5) + (1.5**2 + 1.5**2) / (2 * 0.25) - 0.5
    assert v["kl"] == pytest.approx(closed, rel=1e-12)
    assert v["kl"] == pytest.approx(kl(np.array([-0.5]), np.array([[2.25]]), np.array([1.0]),
                                       np.array([[0.25]])))  # fmt: skip
    assert v["traces"] == z[:12].tolist() and len(view.plot.traces.get_xdata()) == 12 * 4
    assert v["caption"] == f"z = -0.50 + 1.50 * eps; KL(q || target) = {closed:.3f} nats"
    assert v["ytop"] >= 1.2 * max(v["q"])
    set_controls(view, {"sigma": 0.1})
    v2 = view.page_values()
    assert v2["counts"] != v["counts"] and v2["kl"] != v["kl"] and v2["ytop"] > v["ytop"]
