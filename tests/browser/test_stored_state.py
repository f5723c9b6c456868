"""A stored notebook opened in JupyterLab without running it (before Run All): every widget
shows as it was left. Kernel-side views show their last image and the note that moving needs
a kernel; the browser explorer, whose weights are in its stored state, moves. (JupyterLab
draws the stored state of a trusted notebook, as `make lab` makes the shipped ones.)"""

from __future__ import annotations

import numpy as np
from jupyter_page import accept_dialogs, canvas_pixels, drag_explorer, lab_url

from vae_tutorial.cli_launch import trust
from vae_tutorial.widgets.base import KERNEL_NOTE


def test_a_stored_notebook_shows_its_widgets_without_running(lab, page):
    # as `make lab` does: JupyterLab draws stored widgets of trusted notebooks only (an
    # untrusted one shows each widget's one-line text, and the cells' static pictures)
    trust([lab.root / "06_latent_explorer.ipynb"])
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(lab_url(lab, "06_latent_explorer.ipynb", "stored-state"))
    accept_dialogs(page, 3)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    # JupyterLab restores the stored state once the kernel is up; no cell is run
    images = page.locator("canvas.vae-pixel-image")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.vae-pixel-image')]"
        ".filter((c) => c.width > 0 && c.dataset.frame !== '0').length >= 5",
        timeout=60_000,
    )
    shown = [canvas_pixels(images.nth(i)) for i in range(images.count())]
    drawn = [p for p in shown if p.shape[0] > 0 and p[..., :3].std() > 1]
    assert len(drawn) >= 5, f"{len(drawn)} stored images drawn"
    notes = page.locator(".vae-kernel-note")
    texts = {notes.nth(i).text_content().strip() for i in range(notes.count())}
    assert texts == {KERNEL_NOTE}, texts
    prompts = page.locator(".jp-InputArea-prompt").all_inner_texts()
    assert not any("*" in p for p in prompts), "a cell ran"
    # the browser explorer decodes from its stored state
    root = page.locator(".vae-browser-explorer").first
    root.scroll_into_view_if_needed()
    before, after = drag_explorer(root, page, step=5)
    assert after != before, "the stored browser explorer did not move"
    executes = [s for s in sent if isinstance(s, str) and "execute_request" in s]
    assert not executes, "the page asked the kernel to run code"
    print(
        f"\nstored notebook 06 in JupyterLab, not run: {len(drawn)} stored images drawn, "
        f"{notes.count()} kernel notes, the browser explorer moved; "
        f"mean grey of the first image {np.mean(shown[0][..., :3]):.0f}"
    )


def test_a_stored_notebook_shows_its_widgets_in_notebook_7(lab, page):
    """The same in Notebook 7 (served by the same server): notebook 04's reparameterization
    view shows its last image and its note, without running a cell."""
    trust([lab.root / "04_sgvb.ipynb"])
    page.goto(f"{lab.url}notebooks/04_sgvb.ipynb?token={lab.token}")
    accept_dialogs(page, 3)
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.vae-pixel-image')]"
        ".some((c) => c.width > 0 && c.dataset.frame !== '0')",
        timeout=60_000,
    )
    image = canvas_pixels(page.locator("canvas.vae-pixel-image").first)
    assert image[..., :3].std() > 1, "the stored image is blank"
    note = page.locator(".vae-kernel-note").first.text_content().strip()
    assert note == KERNEL_NOTE
    prompts = page.locator(".jp-InputArea-prompt").all_inner_texts()
    assert not any("*" in p for p in prompts), "a cell ran"
