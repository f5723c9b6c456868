"""What every site-view browser test does (imported by tests/browser/test_page_*.py).

``check_view`` opens a one-view page (``vae_tutorial.widgets.page.standalone_page``) from disk
in chromium, moves its controls to each setting on the page (``node.vae.set``) and in Python
(``page.set_controls``), and hands what the page draws (``values()``) and what the package
computes (``view.page_values()``) to ``compare``. ``latency`` dispatches real ``input`` events
on a range control and times input -> the next animation frame after the redraw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vae_tutorial.widgets.page import set_controls, standalone_page


def open_view(page, view: Any, tmp_path: Path, name: str = "view"):
    """Write and open the one-view page; returns the console errors list."""
    path = tmp_path / f"{name}.html"
    path.write_text(standalone_page(view, title=name))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function(
        "document.querySelector('.vae-live') && document.querySelector('.vae-live').vae"
    )
    return errors


def page_values(page, settings: dict[str, Any], index: int = 0) -> dict:
    """Move the page's controls (in order) and return its values()."""
    return page.evaluate(
        """([i, settings]) => {
             const api = document.querySelectorAll('.vae-live')[i].vae;
             for (const [k, v] of settings) api.set(k, v);
             return api.values();
           }""",
        [index, [[k, v] for k, v in settings.items()]],
    )


def check_view(page, view: Any, settings: list[dict[str, Any]],
               compare: Callable[[dict, dict, dict], None], tmp_path: Path,
               name: str = "view") -> int:  # fmt: skip
    """Each setting on the page and in Python, compared; returns the number compared."""
    assert len(settings) >= 10, "the site's views are compared at 10 or more settings"
    errors = open_view(page, view, tmp_path, name)
    for s in settings:
        got = page_values(page, s)
        set_controls(view, s)
        compare(view.page_values(), got, s)
    assert not errors, errors
    return len(settings)


def latency(page, control: str, values: list[float], index: int = 0) -> dict[str, float]:
    """Input event on ``control`` -> the animation frame after the redraw, in ms (p50, p95)."""
    ms = page.evaluate(
        """async ([i, name, values]) => {
             const node = document.querySelectorAll('.vae-live')[i];
             const input = node.querySelector(`[data-control="${name}"]`);
             const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
             const out = [];
             for (const v of values) {
               await frame();
               const t0 = performance.now();
               input.value = String(v);
               const discrete = input.type === "checkbox" || input.tagName === "SELECT";
               input.dispatchEvent(new Event(discrete ? "change" : "input"));
               await frame();
               out.push(performance.now() - t0);
             }
             return out;
           }""",
        [index, control, values],
    )
    ms = np.asarray(ms)
    figures = {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
               "moves": len(ms)}  # fmt: skip
    print(f"latency {control}: {json.dumps(figures)}")
    return figures
