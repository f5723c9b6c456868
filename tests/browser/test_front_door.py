"""The front door: "Run All" of 00_index in JupyterLab, full mode (as a reader opens it), timed
from the menu click to every cell done and the kernel idle (issue 13: <= 10 s on an idle 2-core
machine). The figure is printed always; the target is asserted only when the machine is idle
enough (1-minute load average <= 3 before the run: the test's own server and browser keep
it near 2 on 2 cores), and the print says so when it is not."""

from __future__ import annotations

import os
import time

from jupyter_page import IDLE_JS, accept_dialogs, lab_url, run_all_cells

LAB_QUICK = False  # the reader's mode: conftest's lab starts without VAE_TUTORIAL_QUICK
TARGET_S, MAX_LOAD = 10.0, 3.0


def test_index_runs_all_cells_quickly(lab, page):
    page.set_default_timeout(120_000)
    page.goto(lab_url(lab, "00_index.ipynb", "front-door"))
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    accept_dialogs(page, 2.0)
    page.wait_for_function(IDLE_JS, polling=200)  # the kernel is up and idle
    load = os.getloadavg()[0]
    t0 = time.monotonic()
    run_all_cells(page)
    page.wait_for_timeout(300)  # the first prompt turns to [*]
    page.wait_for_function(IDLE_JS, polling=100)
    seconds = time.monotonic() - t0
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_text_contents() if "Traceback" in t]
    assert not tracebacks, tracebacks[0][:500]
    idle = load <= MAX_LOAD
    print(f"\n00_index, Run All in JupyterLab (full mode): {seconds:.1f} s "
          f"(load average {load:.1f}{'' if idle else ': busy, target not asserted'})")  # fmt: skip
    if idle:
        assert seconds <= TARGET_S
