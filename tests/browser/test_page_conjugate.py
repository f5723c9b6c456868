"""Notebook 01's conjugate views on a static page (no kernel): page_conjugate.js computes what
the package computes, at 10+ settings of the controls each (edges of the ranges included), and
redraws within a frame."""

from __future__ import annotations

import re

import numpy as np
from site_views import check_view, latency, open_view

from vae_tutorial.widgets.posteriors import ConjugateExplorer1D, ConjugateExplorer2D

# Closed forms and grid sums in float64 on both sides, the same operations in the same order
# except scipy's pairwise sums (logsumexp) and LAPACK's 2 x 2 inverse: they agree to ~1e-14;
# rel 1e-9 leaves room. A density far below the peak can be subnormal (exp(-745)), where a
# last-bit difference in its exponent is a large relative one: atol 1e-12 of the peak.
RTOL = 1e-9


def _close(name: str, py, js, setting: dict, rtol: float = RTOL, atol: float = 0.0) -> None:
    py, js = np.asarray(py, dtype=float), np.asarray(js, dtype=float)
    assert py.shape == js.shape, (name, setting)
    np.testing.assert_allclose(js, py, rtol=rtol, atol=atol, err_msg=f"{name} at {setting}")


def _same_caption(py: str, js: str, setting: dict) -> None:
    # the numbers as Python prints them (ties rounded to even, -0); a number that is 0 in
    # exact arithmetic may come out as -1e-17 on one side and +1e-17 on the other: its sign
    # is the one thing allowed to differ
    unsigned = re.compile(r"-(?=0\.0+\b)")  # "-0.00" -> "0.00", "-0.001" kept
    assert unsigned.sub("", js) == unsigned.sub("", py), (setting, py, js)


def compare_1d(py: dict, js: dict, setting: dict) -> None:
    assert set(js) == set(py)
    for key in ("mean", "var", "prior", "likelihood", "posterior"):
        _close(key, py[key], js[key], setting)
    peak = max(py["grid_posterior"])
    _close("grid_posterior", py["grid_posterior"], js["grid_posterior"], setting, atol=1e-12 * peak)
    assert (js["at"] is None) == (py["at"] is None), setting
    if py["at"] is not None:
        _close("at", py["at"], js["at"], setting)
    assert js["ytop"] == py["ytop"], setting  # a power of 2: the same axis exactly
    _same_caption(py["caption"], js["caption"], setting)


def compare_2d(py: dict, js: dict, setting: dict) -> None:
    assert set(js) == set(py)
    _close("mean", py["mean"], js["mean"], setting, atol=1e-12)  # a mean of 0 is ~1e-17
    _close("cov", py["cov"], js["cov"], setting, atol=1e-12)
    peak = max(py["density"])
    _close("density", py["density"], js["density"], setting, atol=1e-12 * peak)
    _close("hpd", py["hpd"], js["hpd"], setting)
    _close("loglik", py["loglik"], js["loglik"], setting, atol=1e-9)  # 0 at the best point
    _same_caption(py["caption"], js["caption"], setting)


SETTINGS_1D = [
    {"alpha": 0.1, "beta": 0.1, "w": -2.0, "x": -3.0},  # the ranges' lower edges
    {"alpha": 5.0, "beta": 10.0, "w": 2.0, "x": 3.0},  # upper edges: the narrowest posterior
    {"alpha": 4.0, "beta": 3.0, "w": 2.0, "x": 1.25},  # var 1/16: ".3f" rounds the tie to even
    {"w": 0.0, "x": -0.5},  # w = 0: the data say nothing, no line z = x / w
    {"alpha": 1.0, "beta": 2.0, "w": 1.0, "x": 1.5},
    {"alpha": 0.35, "beta": 7.45, "w": -0.75, "x": 2.85},
    {"w": -1.0, "x": 0.0},  # mean -0
    {"alpha": 2.5, "beta": 0.5, "w": 0.05, "x": -2.2},
    {"alpha": 0.1, "beta": 10.0, "w": -0.1, "x": 3.0},
    {"alpha": 5.0, "beta": 0.1, "w": 1.95, "x": -0.05},
    {"alpha": 1.55, "beta": 5.05, "w": -1.35, "x": -1.65},
]

SETTINGS_2D = [
    {"alpha": 0.1, "beta": 0.1, "W11": -2.0, "W12": -2.0, "W21": -2.0, "W22": -2.0,
     "x1": -3.0, "x2": -3.0},  # lower edges (W of rank 1)
    {"alpha": 5.0, "beta": 10.0, "W11": 2.0, "W12": 2.0, "W21": 2.0, "W22": -2.0,
     "x1": 3.0, "x2": 3.0},  # upper edges
    {"alpha": 1.0, "beta": 2.0, "W11": 1.0, "W12": 0.5, "W21": 0.0, "W22": 1.0,
     "x1": 1.25, "x2": -2.75},  # ".2g" rounds 1.25 and -2.75 to even
    {"W11": 0.0, "W12": 0.0, "W21": 0.0, "W22": 0.0},  # W = 0: the posterior is the prior
    {"W11": 1.0, "W22": 1.0, "x1": 0.0, "x2": 0.0},  # mean (0, 0)
    {"alpha": 0.1, "beta": 10.0, "W11": 0.05, "W12": -1.95, "W21": 1.5, "W22": 0.1},
    {"alpha": 3.15, "beta": 0.45, "x1": -0.35, "x2": 2.2},
    {"W11": 2.0, "W12": 1.0, "W21": 1.0, "W22": 0.5, "x1": 1.0, "x2": 0.5},  # rank 1
    {"alpha": 0.25, "beta": 6.0, "W11": -0.5, "W12": 0.25, "W21": -1.75, "W22": 1.25},
    {"alpha": 5.0, "beta": 0.1, "x1": -3.0, "x2": 3.0},
    {"alpha": 1.2, "beta": 3.3, "W11": 1.1, "W12": -0.3, "W21": 0.7, "W22": 0.9,
     "x1": -1.45, "x2": -0.65},
]  # fmt: skip


FRAME_MS = 1000 / 60


def assert_fast(figures: dict) -> None:
    """The redraw (input -> canvas drawn, synchronous) fits in a 16 ms frame at p95, so the
    frame after the input shows it: input -> next frame stays under two frame intervals (it is
    one interval at least, by construction: see site_views.latency)."""
    assert figures["moves"] >= 40 and figures["redraw_p95_ms"] <= 16.0, figures
    assert figures["p95_ms"] <= 2 * FRAME_MS, figures


def _moves(lo: float, hi: float, n: int = 48) -> list[float]:
    """Slider values across [lo, hi], back and forth, on the slider's 0.05 steps."""
    v = np.round(np.concatenate([np.linspace(lo, hi, n // 2), np.linspace(hi, lo, n // 2)]) * 20)
    return (v / 20).tolist()


def test_conjugate_1d_page_matches_the_package(page, tmp_path):
    view = ConjugateExplorer1D()
    n = check_view(page, view, SETTINGS_1D, compare_1d, tmp_path, "conjugate_1d")
    print(f"conjugate 1d: {n} settings agree (rel {RTOL:g})")
    figures = latency(page, "x", _moves(-3.0, 3.0))
    assert_fast(figures)
    frames = page.evaluate("Number(document.querySelector('canvas').dataset.frame)")
    assert frames >= 1 + n + figures["moves"]  # every move redrew


def test_conjugate_2d_page_matches_the_package(page, tmp_path):
    view = ConjugateExplorer2D()
    n = check_view(page, view, SETTINGS_2D, compare_2d, tmp_path, "conjugate_2d")
    print(f"conjugate 2d: {n} settings agree (rel {RTOL:g})")
    assert_fast(latency(page, "W12", _moves(-2.0, 2.0)))


def test_conjugate_pages_show_the_captions_and_labels(page, tmp_path):
    view = ConjugateExplorer2D()
    errors = open_view(page, view, tmp_path, "conjugate_2d_look")
    caption = page.inner_text(".vae-live-caption")
    assert caption == view.plot_caption
    labels = page.eval_on_selector_all(
        ".vae-page-control label", "ls => ls.map(l => l.textContent)"
    )
    assert labels == ["alpha", "beta", "W11", "W12", "W21", "W22", "x1", "x2"]
    page.screenshot(path=str(tmp_path / "conjugate_2d.png"))
    assert not errors, errors
