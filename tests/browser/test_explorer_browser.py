"""Notebook 06 in a real JupyterLab and a real browser: opened without running, its stored
widget outputs show no error; after Run All the sliders show the latents Python set (the
origin; the encoder mean of a test digit, snapped to the slider step); dragging the first
latent slider changes the decoded image, which is not blank; the sliders and the image have
accessible names. Also: which front end lets arrow keys move a focused kernel-side slider.

Runs on a temporary copy of the notebooks (see conftest.py), with the quick switch on.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from jupyter_page import (
    IDLE_JS,
    accept_dialogs,
    canvas_pixels,
    lab_url,
    run_all_cells,
    write_notebook,
)

NOTEBOOK = "06_latent_explorer.ipynb"
BUDGET_S = 150  # the whole test, after the server is up (quick mode needs about 30 s here)
EXPLORER = ".vae-latent-explorer >> nth=0"  # the first explorer: mnist-z2
IMAGE = ".vae-latent-image canvas"  # a PixelImage
HANDLE = ".vae-latent-slider .noUi-handle"


def test_stored_widget_outputs_show_no_error(lab, page):
    """06 as shipped, opened without running it (a new reader; or one who restarted the
    kernel): a stored widget output whose model is gone must not print an error."""
    page.set_default_timeout(60_000)
    page.goto(lab_url(lab, NOTEBOOK, "stored-outputs"))
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    accept_dialogs(page, 2.0)
    # the widget manager reports "model not found" once it has asked the (new) kernel
    page.wait_for_function(IDLE_JS, polling=500)
    page.wait_for_timeout(3000)
    text = page.locator(".jp-Notebook").inner_text()
    for bad in ("Error displaying widget", "model not found", "Loading widget"):
        assert bad not in text, f"the stored notebook shows {bad!r}"
    snapshots = page.locator(".jp-OutputArea-output img").count()  # stored figures
    print(f"\n06 opened without running: no widget error; {snapshots} stored images shown")
    assert snapshots >= 8  # figures and the widgets' snapshots


def expected_latents() -> dict[str, list[str]]:
    """The slider readouts Python sets after Run All: mnist-z2 back at the origin, mnist-z20
    at the encoder mean of the first 3 of the test set, snapped to the 0.05 step."""
    from vae_tutorial.core import latent_space as ls
    from vae_tutorial.core.pretrained import load_pretrained
    from vae_tutorial.datasets import registry

    mnist = registry.load("mnist-binarized")
    first_three = int(np.flatnonzero(mnist.test_labels.numpy() == 3)[0])
    mu = ls.encode_means(load_pretrained("mnist-z20"), mnist.test[[first_three]])[0]
    snapped = np.clip(np.round(mu / 0.05) * 0.05, -4, 4)
    return {"mnist-z2": ["0.00", "0.00"], "mnist-z20": [f"{v:.2f}" for v in snapped + 0.0]}


def test_dragging_a_latent_slider_redraws_the_digit(lab, page):
    t_start = time.monotonic()

    def left() -> float:  # milliseconds left in the budget, for playwright's timeouts
        remaining = BUDGET_S - (time.monotonic() - t_start)
        if remaining <= 0:
            pytest.fail(f"the browser test ran over its {BUDGET_S} s budget")
        return 1000 * remaining

    page.set_default_timeout(30_000)
    page.goto(lab_url(lab, NOTEBOOK, "run-all"), timeout=left())
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
    # the front end shows exactly the latents Python set (after the widget's own updates)
    expected = expected_latents()
    for nth, name in ((0, "mnist-z2"), (1, "mnist-z20")):
        readouts = (
            page.locator(".vae-latent-explorer")
            .nth(nth)
            .locator(".vae-latent-slider .widget-readout")
        )
        shown = [r.strip().replace("\u2212", "-") for r in readouts.all_text_contents()]
        # the kernel's own line under the image: z as Python holds it
        info = page.locator(".vae-latent-explorer").nth(nth).locator("code").first.text_content()
        assert shown == expected[name], f"{name}: the page shows {shown}, expected " + (
            f"{expected[name]}; the kernel says {info!r}"
        )
        assert info.startswith(f"z = ({', '.join(shown[:4])}"), (info, shown)
    explorer.scroll_into_view_if_needed()
    image = explorer.locator(IMAGE)
    image.wait_for(state="visible")
    page.wait_for_function("(c) => Number(c.dataset.frame) > 0", arg=image.element_handle())
    # accessible names (ipywidgets 8.1.9 leaves slider handles nameless: base.View's
    # AriaNames names them; the PixelImage canvas names itself)
    assert explorer.get_by_role("slider", name="latent coordinate z1").count() == 1
    assert explorer.get_by_role("slider", name="test image").count() == 1
    assert explorer.get_by_role("img", name="sliders over the 2-D latent").count() == 1
    frame_before = image.get_attribute("data-frame")
    pixels_before = canvas_pixels(image)
    assert pixels_before.std() > 0, "the initial digit is blank"

    handle = explorer.locator(HANDLE).first
    box = handle.bounding_box()
    assert box is not None, "the first latent slider has no handle on screen"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    t0 = time.monotonic()
    page.mouse.move(x + 60, y, steps=1)  # one drag step = one slider value change
    page.wait_for_function(
        "([c, old]) => c.dataset.frame !== old",
        arg=[image.element_handle(), frame_before],
        timeout=15_000,
    )
    round_trip_ms = 1000 * (time.monotonic() - t0)
    page.mouse.move(x + 90, y, steps=5)  # keep dragging: continuous updates
    page.mouse.up()
    page.wait_for_timeout(500)  # let the last update land

    pixels = canvas_pixels(image)
    value = explorer.locator(".vae-latent-slider .widget-readout").first.text_content()
    assert image.get_attribute("data-frame") != frame_before
    assert not np.array_equal(pixels, pixels_before), "a new frame, but the same image"
    assert pixels.shape == (224, 224, 4)  # a 28 x 28 digit at 8x
    grey = pixels[..., 0]
    assert np.array_equal(grey, pixels[..., 1]) and (pixels[..., 3] == 255).all()
    assert grey.var() > 0, "the new image is blank"
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


KEYS_NOTEBOOK = "keyboard_check.ipynb"
KEYS_CELLS = [
    "from vae_tutorial.core.pretrained import load_pretrained\n"
    "from vae_tutorial.widgets.latent_explorer import LatentExplorer\n"
    'LatentExplorer(load_pretrained("mnist-z2"), (28, 28))',
    "1 + 1",
]


def _arrow_key_moves_slider(page, url: str) -> tuple[bool, bool, bool]:
    """Open the keyboard check notebook at ``url``, run it, focus the first latent slider's
    handle, press ArrowRight: (did the slider move, did the focus stay on the slider, did the
    view's canvas paint a new frame)."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    accept_dialogs(page, 2.0)
    run_all_cells(page)
    accept_dialogs(page, 1.0)
    page.wait_for_function(IDLE_JS, polling=500)
    explorer = page.locator(EXPLORER)
    explorer.wait_for(state="attached")
    explorer.scroll_into_view_if_needed()
    handle = explorer.locator(HANDLE).first
    handle.wait_for(state="visible")
    readout = explorer.locator(".vae-latent-slider .widget-readout").first
    image = explorer.locator(IMAGE)
    image.wait_for(state="visible")
    before, frame = readout.text_content(), image.get_attribute("data-frame")
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    focused = handle.evaluate("(h) => document.activeElement === h")
    painted = int(image.get_attribute("data-frame")) > int(frame) > 0
    return readout.text_content() != before, focused, painted


def test_arrow_keys_on_a_kernel_side_slider(lab, page):
    """An arrow key moves a focused kernel-side slider, the focus stays on it and the view's
    canvas (a PixelImage) paints the new image, in JupyterLab and in Notebook 7, which binds
    the arrow keys as shortcuts at the window (the view's AriaNames marks each handle
    data-lm-suppress-shortcuts)."""
    write_notebook(lab.root / KEYS_NOTEBOOK, KEYS_CELLS)
    page.set_default_timeout(60_000)
    found = {}
    for front_end, url in (
        ("JupyterLab", lab_url(lab, KEYS_NOTEBOOK, "keyboard")),
        ("Notebook 7", f"{lab.url}notebooks/{KEYS_NOTEBOOK}?token={lab.token}"),
    ):
        found[front_end] = _arrow_key_moves_slider(page, url)
    lines = [
        f"{k}: moved {moved}, focus kept {kept}, new frame painted {painted}"
        for k, (moved, kept, painted) in found.items()
    ]
    print("\nkernel-side slider, ArrowRight on a focused handle: " + "; ".join(lines))
    assert all(found["JupyterLab"]) and all(found["Notebook 7"]), lines


FORMATS_NOTEBOOK = "pixel_formats.ipynb"
FORMATS_CELL = """import os
import ipywidgets as widgets
import numpy as np
from vae_tutorial.viz.images import to_png
from vae_tutorial.widgets.pixels import PixelImage
rng = np.random.default_rng(0)
rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
grey = rng.integers(0, 256, (6, 4), dtype=np.uint8)
views = [PixelImage() for _ in range(3)]
views[0].show(rgb)
os.environ["VAE_TUTORIAL_IMAGES"] = "deflate"
views[1].show(grey)
del os.environ["VAE_TUTORIAL_IMAGES"]
views[2].show(to_png(rgb))
widgets.VBox(views)"""


def test_pixel_image_paints_raw_deflated_and_png_frames(lab, page):
    """The three ways a PixelImage receives a frame (raw RGB, deflated grey for a remote
    kernel, PNG bytes) paint exactly the pixels Python sent."""
    write_notebook(lab.root / FORMATS_NOTEBOOK, [FORMATS_CELL])
    page.set_default_timeout(60_000)
    page.goto(lab_url(lab, FORMATS_NOTEBOOK, "pixel-formats"))
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    accept_dialogs(page, 2.0)
    run_all_cells(page)
    accept_dialogs(page, 1.0)
    page.wait_for_function(IDLE_JS, polling=500)
    canvases = page.locator(".jp-OutputArea canvas.vae-pixel-image")
    canvases.nth(2).wait_for(state="attached")
    for i in range(3):
        page.wait_for_function(
            "(c) => Number(c.dataset.frame) > 0", arg=canvases.nth(i).element_handle()
        )
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    grey = rng.integers(0, 256, (6, 4), dtype=np.uint8)
    shown = [canvas_pixels(canvases.nth(i)) for i in range(3)]
    assert np.array_equal(shown[0][..., :3], rgb) and (shown[0][..., 3] == 255).all()
    assert np.array_equal(shown[1][..., :3], np.repeat(grey[..., None], 3, axis=-1))
    assert np.array_equal(shown[2][..., :3], rgb)
