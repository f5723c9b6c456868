"""The latent views' page contract (vae_tutorial/widgets/latent_page.py), headless: the state
is JSON once its binary arrays are set aside, the controls are the widgets', the decoder in
the state is the model's, and page_values is what the view draws."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from vae_tutorial.core import latent_space as ls  # noqa: E402
from vae_tutorial.core.config import ModelConfig  # noqa: E402
from vae_tutorial.core.model import build_model  # noqa: E402
from vae_tutorial.widgets import latent_explorer as wx  # noqa: E402
from vae_tutorial.widgets import latent_page as lp  # noqa: E402
from vae_tutorial.widgets.page import (  # noqa: E402
    _script,
    as_page_json,
    classic_script,
    page_scripts,
    set_controls,
)

SHAPE = (3, 4)  # the tiny model's 12 pixels as an image


def _drawn(values: dict) -> np.ndarray:
    """The ``drawn`` pixels of page values (base64 uint8 RGB) as an array."""
    import base64

    raw = np.frombuffer(base64.b64decode(values["drawn"]), dtype=np.uint8)
    return raw.reshape(values["drawn_shape"])


def numpy_decoder(dec: dict, z: np.ndarray) -> np.ndarray:
    """The decoder of a page state, in numpy (as makeDecoder reads it): E[x|z] (D,)."""
    w, h, off = np.frombuffer(dec["weights"], np.float32), np.asarray(z, np.float64), 0
    for layer in dec["layers"]:
        n, m = layer["in"], layer["out"]
        W, b = w[off : off + n * m].reshape(m, n), w[off + n * m : off + n * m + m]
        off += n * m + m
        h = W @ h + b
        h = np.tanh(h) if layer["act"] == "tanh" else h
    assert off == len(w) and dec["mean"] == "sigmoid"
    return 1 / (1 + np.exp(-h))


def test_explorer_state_controls_and_values(tiny_model, points):
    x, mu, labels = points
    w = wx.LatentExplorer(tiny_model, SHAPE, points=mu, labels=labels)
    state = w.page_state()
    as_page_json(state)
    assert state["module"] == "latent" and state["view"] == "explorer"
    specs = {c["name"]: c for c in state["controls"]}
    assert list(specs) == ["z1", "z2", "picker"]  # the z number boxes mirror the sliders
    for s, name in zip(w.sliders, ("z1", "z2"), strict=True):
        assert specs[name] == {
            "name": name,
            "kind": "float",
            "label": name,
            "min": s.min,
            "max": s.max,
            "step": s.step,
            "value": s.value,
            "decimals": 2,
        }  # fmt: skip (ipywidgets' readout ".2f")
    assert specs["picker"]["max"] == len(mu) - 1 and specs["picker"]["kind"] == "int"
    assert np.array_equal(np.frombuffer(state["points"]["bytes"], np.float32).reshape(-1, 2), mu)
    assert np.array_equal(np.frombuffer(state["labels"]["bytes"], np.uint8), labels)
    assert state["scatter"]["png"][:4] == b"\x89PNG" and len(state["scatter"]["affine"]) == 6
    set_controls(w, {"picker": 7, "z2": -1.5})
    values = w.page_values()
    assert values["z"] == list(w.latent) and values["z"][1] == -1.5
    assert values["nearest"] == ls.nearest_point(mu, w.latent)
    assert values["label"] == labels[values["nearest"]]
    assert np.allclose(values["image"], ls.decode_one(tiny_model, w.latent, SHAPE).ravel())
    drawn = np.repeat(w.draw()[..., None], 3, -1)  # grey, as the page's RGB
    assert np.array_equal(_drawn(values), drawn) and values["drawn_shape"] == [24, 32, 3]
    assert values["info"] in w.info.value and values["info"].startswith("z = (")
    assert np.allclose(numpy_decoder(state["decoder"], w.latent), values["image"], atol=1e-6)
    # the cross-hair from the affine in the state, as the page computes it
    m, h = state["scatter"]["affine"], state["scatter"]["height"]
    z1, z2 = w.latent
    assert values["cross"] == [
        round(h - (m[3] * z1 + m[4] * z2 + m[5])),
        round(m[0] * z1 + m[1] * z2 + m[2]),
    ]


def test_picked_image_and_reference_in_the_state():
    model = build_model(ModelConfig(x_dim=12, z_dim=3, hidden=(8,), likelihood="gaussian"), seed=0)
    ref = ls.decode_one(model, np.zeros(3), SHAPE)
    mu = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    w = wx.LatentExplorer(model, SHAPE, points=mu, reference=ref, reference_name="z = 0")
    w.picker.value = 5
    state = w.page_state()
    assert state["picked"] == 5 and state["scatter"] is None and state["labels"] is None
    dec = state["decoder"]  # the Gaussian decoder's log-variances are cut from the last layer
    assert dec["layers"][-1]["out"] == 12 and model.decoder[-1].out_features == 24
    assert np.allclose(
        numpy_decoder(dec, w.latent), ls.decode_one(model, w.latent, SHAPE).ravel(), atol=1e-6
    )
    r = state["reference"]
    assert r["float32"] and r["vmax"] == wx.DIFF_VMAX and r["lut"]["shape"] == [256, 3]
    assert "decoded minus z = 0" in r["alt"] and r["colorbar"][:4] == b"\x89PNG"
    values = w.page_values()
    assert values["canvas_shape"] == [3, 9, 3] and values["nearest"] == 5
    assert np.allclose(values["canvas"], w.canvas(w.latent).ravel())
    w.sliders[0].value = w.sliders[0].value + 0.5  # moved away: no image is named as picked
    assert w.page_state()["picked"] is None


def test_interpolation_and_reconstruction(tiny_model, points):
    x, mu, labels = points
    view = wx.InterpolationExplorer(tiny_model, x, SHAPE, a=2, b=9, t=0.25)
    state = view.page_state()
    as_page_json(state)
    assert [c["name"] for c in state["controls"]] == ["a", "b", "t"]
    assert state["controls"][0]["box"] and state["controls"][0]["max"] == len(x) - 1
    bits = np.unpackbits(np.frombuffer(state["images"]["bytes"], np.uint8))[: x.numel()]
    assert state["images"]["kind"] == "bits" and np.array_equal(bits.reshape(x.shape), x.numpy())
    assert np.array_equal(np.frombuffer(state["means"]["bytes"], np.float32).reshape(mu.shape), mu)
    set_controls(view, {"b": 0, "t": 1.0})
    values = view.page_values()
    assert (values["a"], values["b"], values["t"]) == (2, 0, 1.0)
    assert np.array_equal(values["canvas"], view.canvas().ravel())
    assert np.array_equal(_drawn(values), np.repeat(view.draw()[..., None], 3, -1))

    rec = wx.ReconstructionBrowser(tiny_model, x, SHAPE, labels=labels, index=3)
    state = rec.page_state()
    as_page_json(state)
    assert [c["name"] for c in state["controls"]] == ["index"] and state["view"] == "reconstruction"
    set_controls(rec, {"index": 11})
    values = rec.page_values()
    canvas, mae = rec.canvas()
    assert values["mae"] == mae and np.array_equal(values["canvas"], canvas.ravel())
    assert values["info"].startswith("test image #11 (digit 1)")


def test_image_and_array_encodings():
    grey = np.arange(24, dtype=np.float32).reshape(2, 12) / 255
    s = lp.images_state(grey)
    assert s["kind"] == "levels" and np.frombuffer(s["bytes"], np.uint8).tolist() == list(range(24))
    assert lp.images_state(grey * 0.3)["kind"] == "float"
    assert lp.array_state(np.array([0.1, 0.2]))["dtype"] == "float64"  # not exact as float32
    assert lp.array_state(np.array([0.5, 2.0]))["dtype"] == "float32"
    assert lp.array_state(np.array([3, 300]))["dtype"] == "int32"


def test_the_page_loads_the_notebook_widgets_decoder_as_a_classic_script():
    scripts = page_scripts(["latent"])
    assert list(scripts) == ["page.js", "browser_explorer.classic.js", "page_latent.js"]
    lib = scripts["browser_explorer.classic.js"]
    assert "export " not in lib and "function makeDecoder(spec, weights)" in lib
    assert lib.rstrip().endswith("Object.assign(window.VAEPage, { makeDecoder });\n})();")
    with pytest.raises(ValueError, match="cannot undo"):
        classic_script("import x from './y.js';\n" + _script("browser_explorer.js"), ("f",))
