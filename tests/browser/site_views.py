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
               name: str = "view", opened: Callable | None = None) -> int:  # fmt: skip
    """Each setting on the page and in Python, compared; returns the number compared.
    ``opened(page)``: called once the page is open, before the first setting."""
    assert len(settings) >= 10, "the site's views are compared at 10 or more settings"
    errors = open_view(page, view, tmp_path, name)
    if opened is not None:
        opened(page)
    for s in settings:
        got = page_values(page, s)
        set_controls(view, s)
        compare(view.page_values(), got, s)
    assert not errors, errors
    return len(settings)


TIMER_JS = """(node) => {  // input event (capture: before the view's handler) -> next frame
  const out = (window.__vaeLatency = []);
  node.addEventListener("input", () => {
    const t0 = performance.now();
    const done = { t0, drawn: null };
    out.push(done);
    requestAnimationFrame(() => { done.frame = performance.now() - t0; });
  }, true);
  node.addEventListener("input", () => {  // bubbling: after the control's handler (the redraw)
    const last = out[out.length - 1];
    last.drawn = performance.now() - last.t0;
  });
  node.addEventListener("change", (e) => {
    if (e.target.type !== "checkbox" && e.target.tagName !== "SELECT") return;
    const t0 = e.timeStamp;
    const done = { t0, drawn: performance.now() - t0 };
    out.push(done);
    requestAnimationFrame(() => { done.frame = performance.now() - t0; });
  });
}"""


def latency(page, control: str, values: list, index: int = 0) -> dict[str, float]:
    """How fast a control redraws its view, as a reader moves it.

    A range control is dragged with the mouse across its track (``len(values)`` moves):
    Chromium delivers such input just before an animation frame, so input -> that frame
    (``p50_ms``, ``p95_ms``) is what a reader sees: the redraw plus painting. A checkbox or
    menu is clicked / set through its values: its event is not aligned to frames, so
    ``p95_ms`` is the event -> the view's redraw done (the next frame shows it) and
    ``frame_p95_ms`` includes the wait for that frame. ``redraw_p95_ms``: the redraw alone."""
    node = page.locator(".vae-live").nth(index)
    node.evaluate(TIMER_JS)
    input_ = node.locator(f'[data-control="{control}"]')
    kind = input_.evaluate("(e) => e.type === 'range' ? 'range' : e.type || e.tagName")
    if kind == "range":
        input_.scroll_into_view_if_needed()
        box = input_.bounding_box()
        y = box["y"] + box["height"] / 2
        n = max(len(values), 40)
        count = "() => window.__vaeLatency.length"
        for _ in range(8):  # passes there and back until n inputs (few for a short range)
            page.mouse.move(box["x"] + 2, y)
            page.mouse.down()
            for k in range(n):  # each move to a new position
                f = k / (n // 2) if k < n // 2 else 2 - k / (n // 2)
                page.mouse.move(box["x"] + 2 + f * (box["width"] - 4), y)
            page.mouse.up()
            if page.evaluate(count) >= n:
                break
    else:
        for v in values:
            page.evaluate(
                """([el, v]) => { if (el.type === "checkbox") el.checked = Boolean(v);
                                   else el.value = String(v);
                                   el.dispatchEvent(new Event("change", { bubbles: true })); }""",
                [input_.element_handle(), v],
            )
            page.wait_for_timeout(20)
    page.wait_for_timeout(100)
    rows = page.evaluate("() => window.__vaeLatency.filter((r) => r.frame != null)")
    frame = np.array([r["frame"] for r in rows], dtype=float)
    drawn = np.array([r["drawn"] if r["drawn"] is not None else np.nan for r in rows])
    assert len(rows) >= 20, f"only {len(rows)} moves of {control} were timed"
    p = lambda a, q: float(np.nanpercentile(a, q))  # noqa: E731
    shown = frame if kind == "range" else drawn
    figures = {"p50_ms": p(shown, 50), "p95_ms": p(shown, 95), "frame_p95_ms": p(frame, 95),
               "redraw_p50_ms": p(drawn, 50), "redraw_p95_ms": p(drawn, 95),
               "moves": len(rows), "input": "drag" if kind == "range" else "change"}  # fmt: skip
    print(f"latency {control}: {json.dumps(figures)}")
    return figures
