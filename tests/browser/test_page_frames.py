"""The site's precomputed views (notebooks 05 and 09): every frame the page shows is the
package's own drawing for that setting, pixel for pixel, and shows in one animation frame.

Views: LiveELBOPlot (both x scales of notebook 05's stored curves), CollapseExplorer (every
run), PosteriorInspector (10 of the shipped digits, each drawn again by the package here)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from jupyter_page import canvas_pixels
from PIL import Image
from site_views import latency, page_values

from vae_tutorial.widgets.page import set_controls

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "site"))
import views  # noqa: E402


def _canvas(page, index: int = 0) -> np.ndarray:
    """The RGB pixels the view's canvas shows (base64 through the bridge: fast)."""
    canvas = page.locator(".vae-live").nth(index).locator("canvas").first
    return canvas_pixels(canvas)[..., :3]


def _png_pixels(data: bytes | np.ndarray) -> np.ndarray:
    if isinstance(data, np.ndarray):
        img = data if data.ndim == 3 else np.repeat(data[..., None], 3, axis=2)
        return img.astype(np.uint8)
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _views(stem: str) -> dict[str, object]:
    return {name: v for _, name, v in views.views_of(ROOT / "notebooks" / f"{stem}.ipynb")}


def _check(page, tmp_path, view, settings, name, state=None, exact=True):
    from vae_tutorial.widgets.page import standalone_page

    path = tmp_path / f"{name}.html"
    if state is None:
        path.write_text(standalone_page(view, title=name))
    else:  # shipped frames
        from vae_tutorial.widgets.page import CSS, PageViews

        pv = PageViews()
        body = pv.add(view, state=state)
        path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}</style>"
                        f"</head><body>{body}{pv.scripts()}</body></html>")  # fmt: skip
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelector('.vae-live')?.dataset.ready === '1'")
    for s in settings:
        got = page_values(page, s)
        set_controls(view, s)
        assert got == view.page_values(), (s, got)
        expected = _png_pixels(view.draw()).astype(np.int16)
        shown = _canvas(page).astype(np.int16)
        assert shown.shape == expected.shape, (s, shown.shape, expected.shape)
        if exact:  # the same PNG, decoded by the browser without colour conversion
            assert np.array_equal(shown, expected), f"{name} {s}: the page's frame differs"
        else:  # drawn again now: a last-bit difference may move a line by a pixel
            differ = (np.abs(shown - expected).max(axis=2) > 8).mean()
            assert differ < 0.002, f"{name} {s}: {differ:.2%} of the pixels differ"
    assert not errors, errors
    return len(settings)


def test_elbo_plot_frames(page, tmp_path):
    view = _views("05_aevb")["LiveELBOPlot"]
    settings = [{"log_x": v} for v in (True, False, True, False)]  # both, back and forth
    _check(page, tmp_path, view, settings, "elbo")
    figures = latency(page, "log_x", [True, False] * 20)
    assert figures["p95_ms"] <= 16.0, figures


def test_collapse_frames(page, tmp_path):
    view = _views("09_beyond_the_bound")["CollapseExplorer"]
    runs = list(view.results)
    settings = [{"run": r} for r in runs + runs[::-1][:4]]  # every run, then some back
    assert len(settings) >= 10
    _check(page, tmp_path, view, settings, "collapse")
    figures = latency(page, "run", [i % len(runs) for i in range(40)])
    assert figures["p95_ms"] <= 16.0, figures


@pytest.mark.slow
def test_posterior_inspector_frames(page, tmp_path):
    view = _views("09_beyond_the_bound")["PosteriorInspector"]
    frames = views.inspector_frames()
    state = view.page_state(frames=frames)
    indices = sorted(frames)
    pick = [indices[int(k)] for k in np.linspace(0, len(indices) - 1, 10)]
    settings = [{"index": i} for i in pick]
    # the page shows the shipped frame; the package draws it again now (seconds a digit)
    _check(page, tmp_path, view, settings, "inspector", state=state, exact=False)
    figures = latency(page, "index", [i % len(indices) for i in range(40)])
    assert figures["p95_ms"] <= 16.0, figures
