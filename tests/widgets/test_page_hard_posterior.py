"""HardPosteriorExplorer's static-site side (widgets/hard_page.py): the state the page computes
from and the values the browser test compares (tests/browser/test_page_hard_posterior.py)."""

from functools import partial

import numpy as np
import pytest

from vae_tutorial.theory.grid import make_grid, posterior_on_grid
from vae_tutorial.theory.laplace import NOT_POSITIVE_DEFINITE, find_map, laplace_approximation
from vae_tutorial.theory.latent_models import hard_example
from vae_tutorial.widgets import posteriors as widget_posteriors
from vae_tutorial.widgets.page import as_page_json, control_spec, set_controls
from vae_tutorial.widgets.posteriors import HardPosteriorExplorer


def test_state_is_json_and_its_controls_are_the_widgets():
    w = HardPosteriorExplorer()
    state = w.page_state()
    as_page_json(state)
    assert state["module"] == "hard_posterior"
    controls = w.page_controls()
    assert list(controls) == ["model", "x1", "x2", "log10_beta"]
    assert [controls[k] for k in controls] == [w.model, *w.x, w.log10_beta]
    assert state["controls"] == [control_spec(k, c) for k, c in controls.items()]
    assert [c["label"] for c in state["controls"]] == ["model", "x1", "x2", "log10 β"]
    assert state["controls"][0]["options"] == [["sigmoid", "sigmoid"], ["mlp", "mlp"]]
    # both dropdown options' models, as the layers the page evaluates
    sig, mlp = state["models"]["sigmoid"], state["models"]["mlp"]
    model, _, limits = hard_example("mlp")
    assert [layer["act"] for layer in mlp["layers"]] == ["tanh", "linear"]
    for layer, (wt, b) in zip(mlp["layers"], model.weights, strict=True):
        assert np.array_equal(layer["W"], wt) and np.array_equal(layer["b"], b)
    assert mlp["limits"] == [list(lim) for lim in limits] and mlp["alpha"] == 1.0
    assert sig["layers"] == [{"W": [[3.0, 0.0], [0.0, 3.0]], "b": [0.0, 0.0], "act": "sigmoid"}]
    assert np.asarray(sig["starts"]).shape == (8, 2) and sig["starts"][0] == [0.0, 0.0]
    assert state["resolution"] == 121 and len(state["palette"]) == 10
    assert state["palette"][0] == "#ffffff"  # below a tenth of the maximum: white
    assert (
        state["title"] == w.plot.panel.ax.get_title() == "exact posterior p(z|x), MAP and Laplace"
    )
    assert state["legend"] == ["MAP + Laplace", "posterior mean"]  # HardPanel's, lower left
    assert state["laplace_error"] == (
        "ValueError: the negative Hessian at the mode is not positive definite"
    )


def test_values_are_what_the_view_drew_and_follow_the_controls():
    w = HardPosteriorExplorer()
    seen = []
    for s in [{"x1": 0.5, "x2": -0.3, "log10_beta": 2.0}, {"model": "mlp", "log10_beta": 1.0},
              {"x2": 1.2}]:  # fmt: skip
        set_controls(w, s)
        v = w.page_values()
        # against a grid posterior and a Laplace approximation computed here (L-BFGS's MAP)
        model, obs, limits = hard_example(w.model.value, beta=10**w.log10_beta.value,
                                          x=[w.x[0].value, w.x[1].value])  # fmt: skip
        post = posterior_on_grid(partial(model.log_joint, obs), make_grid(limits, 121))
        assert v["density"].shape == (121 * 121,)
        assert np.allclose(v["density"], post.density, rtol=1e-12, atol=0)
        assert np.allclose(v["mean"], post.mean, atol=1e-12)
        assert v["log_evidence"] == pytest.approx(post.log_evidence, abs=1e-12)
        lap = laplace_approximation(model, obs, mode=find_map(model, obs))
        assert np.allclose(v["map"], lap.mean, atol=1e-5)
        assert np.allclose(v["cov"], [lap.cov[0, 0], lap.cov[0, 1], lap.cov[1, 1]], rtol=1e-4)
        assert v["kl"] == pytest.approx(post.kl_from(lap.log_density(post.grid.points)), abs=1e-6)
        # ... and against the drawn plot: the shades, the MAP's cross, the caption
        panel = w.plot.panel
        shades = np.asarray(panel.density.image.get_array())  # rows: z2
        assert np.array_equal(shades, v["density"].reshape(121, 121).T)
        assert panel.map.get_xydata().tolist() == [v["map"]]
        assert panel.mean.get_xydata().tolist() == [v["mean"]]
        assert v["caption"] == w.caption.value[6:-7]  # <code>...</code>
        assert f"= {v['kl']:.3f} nats" in v["caption"] and v["error"] is None
        seen.append((v["kl"], tuple(v["map"])))
    assert len(set(seen)) == 3


def test_values_keep_the_last_drawing_and_give_the_error_where_it_fails(monkeypatch):
    # no slider setting makes the Laplace approximation fail (tests/browser/
    # test_page_hard_posterior.py): here it is made to fail at log10 beta = 1.5
    w = HardPosteriorExplorer()
    real = widget_posteriors.hard_panel

    def hard_panel(name, beta=None, x=None):
        if abs(np.log10(beta) - 1.5) < 1e-9:
            raise ValueError(NOT_POSITIVE_DEFINITE)
        return real(name, beta=beta, x=x)

    monkeypatch.setattr(widget_posteriors, "hard_panel", hard_panel)
    set_controls(w, {"log10_beta": 1.4})
    before = w.page_values()
    set_controls(w, {"log10_beta": 1.5})
    v = w.page_values()  # what the widget shows: the last image and caption, the error line
    assert v["error"] == f"ValueError: {NOT_POSITIVE_DEFINITE}" == w.error
    assert np.array_equal(v["density"], before["density"]) and v["map"] == before["map"]
    assert v["caption"] == before["caption"] == w.caption.value[6:-7]
    set_controls(w, {"log10_beta": 1.6})
    assert w.page_values()["error"] is None and "β = 39.8" in w.page_values()["caption"]
