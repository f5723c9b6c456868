"""HardPosteriorExplorer's static-site side (widgets/hard_page.py): the state the page computes
from and the values the browser test compares (tests/browser/test_page_hard_posterior.py)."""

import json

import numpy as np

from vae_tutorial.theory.latent_models import hard_example
from vae_tutorial.viz.posteriors import hard_panel
from vae_tutorial.widgets.page import control_spec, set_controls
from vae_tutorial.widgets.posteriors import HardPosteriorExplorer


def _no_bytes(value):
    if isinstance(value, bytes):
        return "<bytes>"
    if isinstance(value, dict):
        return {k: _no_bytes(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_bytes(v) for v in value]
    return value


def test_state_is_json_and_its_controls_are_the_widgets():
    w = HardPosteriorExplorer()
    state = w.page_state()
    json.dumps(_no_bytes(state), allow_nan=False)
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


def test_values_are_hard_panel_and_follow_the_controls():
    w = HardPosteriorExplorer()
    seen = []
    for s in [{"x1": 0.5, "x2": -0.3, "log10_beta": 2.0}, {"model": "mlp", "log10_beta": 1.0},
              {"x2": 1.2}]:  # fmt: skip
        set_controls(w, s)
        v = w.page_values()
        name, x = w.model.value, np.array([w.x[0].value, w.x[1].value])
        title, post, lap = hard_panel(name, beta=10**w.log10_beta.value, x=x)
        assert np.array_equal(v["density"], post.density) and v["density"].shape == (121 * 121,)
        assert v["map"] == lap.mean.tolist() and v["mean"] == post.mean.tolist()
        assert v["cov"] == [lap.cov[0, 0], lap.cov[0, 1], lap.cov[1, 1]]
        assert v["caption"] == title.replace("\n", "; ") == w.caption.value[6:-7]  # <code>
        assert f"= {v['kl']:.3f} nats" in v["caption"] and v["fallback"] is False
        seen.append((v["kl"], tuple(v["map"])))
    assert len(set(seen)) == 3
