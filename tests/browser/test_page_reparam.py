"""Notebook 04's reparameterization view on a static page (no kernel): page_reparam.js pushes
the shipped noise through z = mu + sigma * eps and bins it as numpy does, at 10+ settings of
mu and sigma (edges of the ranges included), and redraws within a frame."""

from __future__ import annotations

import numpy as np
from site_views import check_view, latency, open_view
from test_page_conjugate import assert_fast

from vae_tutorial.widgets.reparameterization import ReparamExplorer

# Densities and the KL: float64 on both sides, the same operations in the same order (the KL
# term for term as theory.gaussian.kl in one dimension): rel 1e-9 leaves room for a libm's
# last bit. The counts are compared exactly: z = mu + sigma * eps is the same IEEE product and
# sum on both sides (neither fuses a multiply-add) and each z is binned against the same edges
# by numpy's rule (edges[k] <= z < edges[k + 1], the last bin closed), so not even a z on an
# edge can land in a different bin.
RTOL = 1e-9


def compare(py: dict, js: dict, setting: dict) -> None:
    assert set(js) == set(py)
    assert js["counts"] == py["counts"], setting
    assert js["traces"] == py["traces"], setting  # the same IEEE operations: bit for bit
    for key in ("heights", "q", "target", "kl"):
        np.testing.assert_allclose(
            js[key], py[key], rtol=RTOL, atol=1e-15, err_msg=f"{key} {setting}"
        )
    assert js["ytop"] == py["ytop"], setting  # a power of 2: the same axis exactly
    assert js["caption"] == py["caption"], setting


SETTINGS = [
    {"mu": -3.0, "sigma": 0.1},  # lower edges: every sample in a few bins at the left
    {"mu": 3.0, "sigma": 3.0},  # upper edges: most samples outside the plotted range
    {"mu": 1.0, "sigma": 0.5},  # q = the target: KL 0
    {"mu": 0.0, "sigma": 1.0},  # z = eps
    {"mu": -1.35, "sigma": 2.25},
    {"mu": 0.05, "sigma": 0.15},
    {"mu": 2.4, "sigma": 0.8},
    {"mu": -0.6, "sigma": 0.45},
    {"mu": 1.95, "sigma": 1.25},
    {"mu": -2.5, "sigma": 2.95},
    {"mu": 0.8, "sigma": 0.2},
]


def test_reparam_page_matches_the_package(page, tmp_path):
    view = ReparamExplorer()  # notebook 04's: 2000 draws, seed 0
    n = check_view(page, view, SETTINGS, compare, tmp_path, "reparam")
    print(f"reparam: {n} settings agree (counts exactly, densities rel {RTOL:g})")
    mus = np.round(np.concatenate([np.linspace(-3, 3, 24), np.linspace(3, -3, 24)]) * 20) / 20
    assert_fast(latency(page, "mu", mus.tolist()))
    sigmas = np.round(np.linspace(0.1, 3.0, 44) * 20) / 20
    assert_fast(latency(page, "sigma", sigmas.tolist()))


def test_reparam_page_shows_the_caption(page, tmp_path):
    view = ReparamExplorer()
    errors = open_view(page, view, tmp_path, "reparam_look")
    assert page.inner_text(".vae-live-caption") == view.page_values()["caption"]
    page.screenshot(path=str(tmp_path / "reparam.png"))
    assert not errors, errors
