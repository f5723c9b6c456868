"""The latent views of notebooks 06 and 07 on the static site (widgets/latent_page.py and
page_latent.js): each built as its notebook builds it, moved on a one-view page in chromium
and in Python at 10 or more settings, compared, then timed (input -> next frame, p95 <= 16 ms).

Tolerances: decoded pixels (the float canvases, [0, 1] units) within 1e-4 (JavaScript's
float32 decoder against torch: about 1e-6 in practice); the uint8 pixels drawn within 1 grey
level (to_uint8 at a rounding boundary); the difference panel's colours within one step of its
256-colour map (0.02; 5 grey levels drawn) and on at most 1% of its pixels; the latent, the
cross-hair's pixel, the scatter's pixels and the info lines exactly; the nearest test image
exactly unless two are equally near (1e-12); the mean |error| within 1e-5.

Latency (``site_views.latency``: a slider dragged with the mouse): input -> the frame that
shows the redraw, and the redraw alone, at most 16 ms at the 95th percentile.
"""

from __future__ import annotations

import base64
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from site_views import check_view, latency

from vae_tutorial.core import latent_space as ls
from vae_tutorial.widgets import latent_explorer as wx

P95_MS = 16.0


@pytest.fixture(scope="module")
def nb06():
    """What notebook 06 loads: the data, the three shipped models, the test set's encoder means."""
    import vae_tutorial as vt

    mnist, frey = vt.load("mnist-binarized"), vt.load("frey-faces")
    models = {name: vt.load_pretrained(name) for name in ("mnist-z2", "mnist-z20", "frey-z2")}
    means = {}
    for name, x in (("mnist-z2", mnist.test), ("mnist-z20", mnist.test), ("frey-z2", frey.test)):
        with torch.inference_mode():
            means[name] = models[name].encoder_params(x)[0].double().numpy()
    labels = mnist.test_labels.numpy()
    first = {d: int(np.flatnonzero(labels == d)[0]) for d in (2, 3, 7)}
    return SimpleNamespace(mnist=mnist, models=models, means=means, labels=labels, first=first)


def close(want, got, tol: float, what: str) -> np.ndarray:
    want, got = np.asarray(want, dtype=np.float64), np.asarray(got, dtype=np.float64)
    assert want.shape == got.shape, f"{what}: shape {got.shape}, want {want.shape}"
    err = np.abs(want - got)
    assert err.max(initial=0) <= tol, f"{what}: max |difference| {err.max():.3g} > {tol}"
    return err


def comparer(points=None, diff_panel: tuple[int, int] | None = None):
    """compare(want, got, setting) for check_view. ``diff_panel``: (image width, scale) of an
    explorer with a reference, whose right half is the difference panel."""

    def compare(want: dict, got: dict, setting: dict) -> None:
        at = f"at {setting}"
        for key in ("z", "a", "b", "t", "index", "cross", "canvas_shape", "drawn_shape"):
            if key in want:
                assert got[key] == want[key], f"{key} {at}: page {got[key]}, package {want[key]}"
        if "image" in want:
            close(want["image"], got["image"], 1e-4, f"decoded image {at}")
        canvas = np.reshape(want["canvas"], want["canvas_shape"])
        page_canvas = np.reshape(got["canvas"], got["canvas_shape"])
        drawn, page_drawn = (np.frombuffer(base64.b64decode(v["drawn"]), np.uint8)
                             .reshape(v["drawn_shape"]) for v in (want, got))  # fmt: skip
        if diff_panel is None:
            close(canvas, page_canvas, 1e-4, f"canvas {at}")
            close(drawn, page_drawn, 1, f"drawn pixels {at}")
        else:
            w, scale = diff_panel
            close(canvas[:, :w], page_canvas[:, :w], 1e-4, f"decoded panel {at}")
            err = close(canvas[:, w:], page_canvas[:, w:], 0.02, f"difference panel {at}")
            assert (err > 1e-12).mean() <= 0.01, f"difference panel {at}: {err.mean()}"
            close(drawn[:, : w * scale], page_drawn[:, : w * scale], 1, f"drawn {at}")
            close(drawn[:, w * scale :], page_drawn[:, w * scale :], 5, f"drawn difference {at}")
        if "mae" in want:
            close(want["mae"], got["mae"], 1e-5, f"mean |error| {at}")
            if abs(want["mae"] * 1000 % 1 - 0.5) > 0.01:  # not at a rounding boundary
                assert got["info"] == want["info"], at
        if want.get("nearest") is not None and got["nearest"] != want["nearest"]:
            d = np.sum((points[[want["nearest"], got["nearest"]]] - want["z"]) ** 2, axis=1)
            assert abs(d[0] - d[1]) <= 1e-12 * max(1.0, d[0]), f"nearest image {at}: {d}"
        elif "nearest" in want:
            assert (got["label"], got["info"]) == (want["label"], want["info"]), at

    return compare


def check_scatter(page, view) -> None:
    """The scatter with its cross-hair, pixel for pixel, once its PNG is decoded."""
    page.wait_for_function("document.querySelector('.vae-live canvas[data-ready=\"1\"]')")
    rgba = page.evaluate(
        """() => { const c = document.querySelector('.vae-live canvas[data-ready="1"]');
                   return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
                 }"""
    )
    want = view._scatter_with_cross(view.latent)
    got = np.asarray(rgba, dtype=np.uint8).reshape(*want.shape[:2], 4)[..., :3]
    assert np.array_equal(got, want), f"{(got != want).any(axis=2).sum()} scatter pixels differ"


def timed(page, control: str, values) -> dict:
    figures = latency(page, control, [float(v) for v in values])
    assert figures["moves"] >= 40, figures
    assert figures["p95_ms"] <= P95_MS and figures["redraw_p95_ms"] <= P95_MS, figures
    return figures


def state_bytes(view) -> int:
    """The view's state as the page stores it (binary arrays counted once each)."""
    from vae_tutorial.widgets.page import PageViews

    pv = PageViews()
    size = len(pv.add(view)) + sum(len(b) for b in pv.blobs.values())
    print(f"{type(view).__name__}: state {size:,} bytes as embedded (base64)")
    return size


def edges(name: str, lim: float) -> list[dict]:
    return [{name: -lim}, {name: lim}]


def test_mnist_z2_explorer(page, tmp_path, nb06):
    view = wx.LatentExplorer(
        nb06.models["mnist-z2"], (28, 28), points=nb06.means["mnist-z2"], labels=nb06.labels
    )
    three = nb06.first[3]
    settings = [*edges("z1", 4.0), *edges("z2", 4.0), {"z1": -4.0, "z2": 4.0},
                {"z1": 0.35, "z2": -1.2}, {"picker": 1}, {"picker": 9999}, {"picker": three},
                {"z1": 2.5}, {"picker": three},  # unchanged: no event, in Jupyter as on the page
                {"picker": 0}, {"z2": 0.0}]  # fmt: skip
    check_view(page, view, settings, comparer(view.points), tmp_path)
    check_scatter(page, view)
    timed(page, "z1", np.linspace(-4, 4, 41))
    assert state_bytes(view) < 3_000_000


def test_mnist_z20_explorer_with_a_picked_three(page, tmp_path, nb06):
    view = wx.LatentExplorer(
        nb06.models["mnist-z20"], (28, 28), points=nb06.means["mnist-z20"], labels=nb06.labels
    )
    view.picker.value = nb06.first[3]  # as notebook 06
    settings = [*edges("z1", 4.0), *edges("z20", 4.0), {"z7": -4.0, "z13": 4.0}, {"picker": 0},
                {"picker": 9999}, {"picker": 123}, {"z5": 1.05}, {"picker": nb06.first[3]},
                {"picker": 4000}]  # fmt: skip
    check_view(page, view, settings, comparer(view.points), tmp_path)
    timed(page, "z3", np.linspace(-4, 4, 41))
    state_bytes(view)


def test_mnist_z20_interpolation(page, tmp_path, nb06):
    a, b = nb06.first[2], nb06.first[7]
    view = wx.InterpolationExplorer(nb06.models["mnist-z20"], nb06.mnist.test, (28, 28), a=a, b=b)
    settings = [{"t": 0.0}, {"t": 1.0}, {"a": 0}, {"b": 9999}, {"t": 0.5}, {"a": 9999, "b": 0},
                {"t": 0.02}, {"t": 0.98}, {"a": 0, "b": 0},
                {"a": 1234, "b": 4321, "t": 0.36}]  # fmt: skip
    check_view(page, view, settings, comparer(), tmp_path)
    timed(page, "t", np.linspace(0, 1, 41))
    state_bytes(view)


def test_mnist_z2_reconstructions(page, tmp_path, nb06):
    view = wx.ReconstructionBrowser(
        nb06.models["mnist-z2"], nb06.mnist.test, (28, 28), labels=nb06.labels, index=nb06.first[3]
    )
    settings = [{"index": i} for i in (0, 9999, 1, 5000, nb06.first[3], 9998, 42, 7777, 3, 2500)]
    check_view(page, view, settings, comparer(), tmp_path)
    timed(page, "index", range(0, 10000, 240))
    state_bytes(view)


def test_frey_explorer_with_the_difference_panel(page, tmp_path, nb06):
    import vae_tutorial as vt

    model = nb06.models["frey-z2"]
    assert len(nb06.means["frey-z2"]) == len(vt.load("frey-faces").test)
    centre_face = ls.decode_one(model, np.zeros(2), (28, 20))
    view = wx.LatentExplorer(model, (28, 20), points=nb06.means["frey-z2"],
                             reference=centre_face, reference_name="the face at z = (0, 0)",
                             limit=6.0, z0=[0.0, 2.0])  # fmt: skip
    settings = [*edges("z1", 6.0), *edges("z2", 6.0), {"z1": 0.0, "z2": 0.0}, {"picker": 1},
                {"picker": 199}, {"z1": -2.35}, {"picker": 0}, {"z2": 1.1},
                {"picker": 100}]  # fmt: skip
    check_view(page, view, settings, comparer(view.points, diff_panel=(20, 8)), tmp_path)
    check_scatter(page, view)
    timed(page, "z2", np.linspace(-6, 6, 41))
    state_bytes(view)


def test_grey_shared_variance_explorer_of_notebook_07(page, tmp_path):
    import vae_tutorial as vt
    from vae_tutorial.core import pretrained
    from vae_tutorial.studies import decoder_comparison as fam

    model = pretrained.load_or_train("mnist-grey-shared")  # shipped: loaded, not trained
    grey = vt.load("mnist-grey")
    points = fam.latent_summary(model, grey.test, grey.test_labels)["points"]
    view = wx.LatentExplorer(model, (28, 28), points=points, labels=grey.test_labels.numpy())
    assert view.page_state()["decoder"]["mean"] == "sigmoid"  # browser_explorer.MEAN
    settings = [{"z1": -4.0}, {"z2": 4.0}, {"z1": 4.0, "z2": -4.0}, {"picker": 1},
                {"picker": 9999}, {"picker": 5000}, {"z1": 0.05}, {"z2": -0.05}, {"picker": 17},
                {"z1": 0.0, "z2": 0.0}]  # fmt: skip
    check_view(page, view, settings, comparer(view.points), tmp_path)
    check_scatter(page, view)
    timed(page, "z1", np.linspace(-4, 4, 41))
    state_bytes(view)
