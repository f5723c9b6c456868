"""Helpers for driving a Jupyter front end in the browser tests (importable: conftest.py puts
this folder on the path)."""

from __future__ import annotations

import base64
import io
import time

import numpy as np

# the bytes behind an <img> (a blob: URL from the Image widget, or a data: URL), as base64
IMG_BYTES_JS = """async (img) => {
    const buffer = await (await fetch(img.src)).arrayBuffer();
    let s = "";
    for (const b of new Uint8Array(buffer)) s += String.fromCharCode(b);
    return btoa(s);
}"""
# True once every code cell has finished (no "[*]" prompt left) and the kernel is idle
IDLE_JS = """() => {
    const prompts = [...document.querySelectorAll(".jp-InputArea-prompt")];
    const busy = prompts.some((p) => p.textContent.includes("*"));
    const status = document.querySelector(".jp-Notebook-ExecutionIndicator");
    const idle = !status || !status.getAttribute("data-status")
        || status.getAttribute("data-status") === "idle";
    return prompts.length > 0 && !busy && idle;
}"""


def png_pixels(data_b64: str) -> np.ndarray:
    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(base64.b64decode(data_b64)), format="png")


def accept_dialogs(page, seconds: float) -> None:
    """Accept JupyterLab dialogs for ``seconds`` (kernel selection, trust, build prompts)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        button = page.locator(".jp-Dialog .jp-mod-accept")
        if button.count():
            button.first.click()
        page.wait_for_timeout(250)


def lab_url(lab, notebook: str, workspace: str) -> str:
    """The URL that opens ``notebook`` in JupyterLab in a workspace of its own: the default
    workspace restores the tabs of earlier tests, and a menu command such as "Run All Cells"
    would act on whichever of them JupyterLab activates last."""
    return f"{lab.url}lab/workspaces/{workspace}/tree/{notebook}?token={lab.token}"


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
