"""Notebook 06 in a real JupyterLab and a real browser: run all cells, drag the first latent
slider, and check that the decoded image changes and is not blank, and that the sliders and
the image have accessible names.

Runs on a temporary copy of the notebooks (see conftest.py), with the quick switch on.
"""

from __future__ import annotations

import time

import pytest
from jupyter_page import IDLE_JS, IMG_BYTES_JS, accept_dialogs, png_pixels, run_all_cells

NOTEBOOK = "06_latent_explorer.ipynb"
BUDGET_S = 150  # the whole test, after the server is up (quick mode needs about 30 s here)
EXPLORER = ".vae-latent-explorer >> nth=0"  # the first explorer: mnist-z2
IMAGE = "img.vae-latent-image"
HANDLE = ".vae-latent-slider .noUi-handle"


def test_dragging_a_latent_slider_redraws_the_digit(lab, page):
    t_start = time.monotonic()

    def left() -> float:  # milliseconds left in the budget, for playwright's timeouts
        remaining = BUDGET_S - (time.monotonic() - t_start)
        if remaining <= 0:
            pytest.fail(f"the browser test ran over its {BUDGET_S} s budget")
        return 1000 * remaining

    page.set_default_timeout(30_000)
    page.goto(f"{lab.url}lab/tree/{NOTEBOOK}?token={lab.token}", timeout=left())
    page.wait_for_selector(".jp-NotebookPanel", timeout=left())
    accept_dialogs(page, 2.0)  # a kernel-selection dialog, if JupyterLab asks
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=left())
    run_all_cells(page)
    accept_dialogs(page, 1.0)

    explorer = page.locator(EXPLORER)
    explorer.wait_for(state="attached", timeout=left())
    # slider moves queue behind executing cells in the kernel: wait for Run All to finish
    page.wait_for_function(IDLE_JS, timeout=left(), polling=500)
    t_ran = time.monotonic()
    explorer.scroll_into_view_if_needed()
    image = explorer.locator(IMAGE)
    image.wait_for(state="visible")
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    # accessible names (ipywidgets 8.1.9 leaves slider handles nameless and images without
    # alt text: base.View's AriaNames names them)
    assert explorer.get_by_role("slider", name="latent coordinate z1").count() == 1
    assert explorer.get_by_role("slider", name="test image").count() == 1
    assert explorer.get_by_role("img", name="sliders over the 2-D latent").count() == 1
    src_before = image.get_attribute("src")
    bytes_before = image.evaluate(IMG_BYTES_JS)
    assert png_pixels(bytes_before).std() > 0, "the initial digit is blank"

    handle = explorer.locator(HANDLE).first
    box = handle.bounding_box()
    assert box is not None, "the first latent slider has no handle on screen"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    t0 = time.monotonic()
    page.mouse.move(x + 60, y, steps=1)  # one drag step = one slider value change
    page.wait_for_function(
        "([img, old]) => img.src !== old", arg=[image.element_handle(), src_before], timeout=15_000
    )
    round_trip_ms = 1000 * (time.monotonic() - t0)
    page.mouse.move(x + 90, y, steps=5)  # keep dragging: continuous updates
    page.mouse.up()
    page.wait_for_timeout(500)  # let the last update land

    src_after = image.get_attribute("src")
    bytes_after = image.evaluate(IMG_BYTES_JS)
    pixels = png_pixels(bytes_after)
    value = explorer.locator(".vae-latent-slider .widget-readout").first.text_content()
    assert src_after != src_before
    assert bytes_after != bytes_before, "the src changed but the image did not"
    assert pixels.ndim == 2 and pixels.shape == (224, 224)  # a 28 x 28 digit at 8x
    assert pixels.var() > 0, "the new image is blank"
    assert float(value) > 0, f"the slider did not move right (z1 = {value})"
    print(
        f"\nbrowser: slider drag -> new image in {round_trip_ms:.0f} ms (z1 = {value}); "
        f"Run All took {t_ran - t_start:.0f} s, whole test {time.monotonic() - t_start:.0f} s"
    )


@pytest.fixture(autouse=True)
def _show_lab_log_on_failure(request, lab):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- JupyterLab log (last 3000 characters) ---\n{lab.log.read_text()[-3000:]}")
