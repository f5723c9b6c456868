"""Helpers for driving a Jupyter front end in the browser tests (importable: conftest.py puts
this folder on the path)."""

from __future__ import annotations

import base64
import json
import time

import numpy as np

# the pixels painted in a <canvas> (a PixelImage), as [width, height, base64 of RGBA bytes]
CANVAS_JS = """(canvas) => {
    const { width, height } = canvas;
    const bytes = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    let s = "";
    for (let i = 0; i < bytes.length; i += 8192) {
        s += String.fromCharCode(...bytes.subarray(i, i + 8192));
    }
    return [width, height, btoa(s)];
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


def canvas_pixels(canvas) -> np.ndarray:
    """What a canvas (a playwright locator or element handle) shows: uint8 (H, W, 4) RGBA."""
    width, height, data = canvas.evaluate(CANVAS_JS)
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(height, width, 4)


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


def write_notebook(path, cells: list[str]) -> None:
    """A notebook of these code cells, not run, for the python3 kernel."""
    nb = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [],
                   "execution_count": None} for c in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    path.write_text(json.dumps(nb))


def drag_explorer(root, page, step: float = 4) -> tuple[str, str]:
    """Drag a browser explorer's first latent slider across (20 moves of ``step`` px); the
    canvas before and after, as data URLs."""
    image = root.locator("canvas.vae-image")
    before = image.evaluate("(c) => c.toDataURL()")
    box = root.locator("input.vae-latent-slider").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    for i in range(20):
        page.mouse.move(box["x"] + box["width"] / 2 + step * i, y)
    page.mouse.up()
    return before, image.evaluate("(c) => c.toDataURL()")
