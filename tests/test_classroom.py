"""Classroom mode: `make classroom` serves the latent explorer with Voila, code hidden.

Starts Voila the way the Makefile does (its settings in ``jupyter/classroom``: a preheated
kernel that has run the dashboard before anyone asks, a template without CDN stylesheets,
encrypted kernel connections) on the notebook the Makefile names (CLASSROOM), on a free
localhost port, with the test's own Python. Then fetches the page (widgets there, code not)
and opens it in chromium: seconds from opening the page to the first slider on screen, no
request that leaves 127.0.0.1, no console error. The server is always shut down.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("voila")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("VAE_TUTORIAL_CHROMIUM", "/usr/bin/chromium"))
TARGET_S = 3.0  # first slider on screen, idle machine
BUSY_LOAD = 3.0  # above this 1-minute load average the target is reported, not asserted
# (the test's own server, kernel and browser keep the load near 2 on 2 cores; 1.7-2.5 s there)


def classroom_notebook() -> Path:
    """The notebook `make classroom` serves (the Makefile's CLASSROOM default)."""
    match = re.search(r"^CLASSROOM \?= (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "the Makefile has no `CLASSROOM ?= ...` line"
    return ROOT / match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, deadline: float) -> tuple[int, str]:
    """GET ``url``, retrying while the server starts, until ``deadline`` (time.monotonic)."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


class Voila:
    def __init__(self, url: str, proc: subprocess.Popen, log: Path):
        self.url, self.proc, self.log = url, proc, log

    def text(self) -> str:
        return self.log.read_text()

    def wait_preheated(self, timeout: float = 180) -> None:
        """Until the newest pooled kernel has run the dashboard (it is idle after its start
        and the pool is reported full): what a teacher gets by starting the server early."""
        deadline = time.monotonic() + timeout
        idle_polls = 0
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"Voila exited:\n{self.text()[-3000:]}"
            text = self.text()
            started = re.findall(r"Kernel started: ([0-9a-f-]+)", text)
            taken = set(re.findall(r"Using pre-heated kernel: ([0-9a-f-]+)", text))
            # a kernel a page has taken is not waiting for the next one (the pool refills
            # `fill_delay` seconds after a handout); the pool is reported full once, and a refill
            # may be logged before or after its "Kernel started" line, so only the newest
            # kernel that no page has taken counts
            if started and started[-1] not in taken and "is filled with" in text:
                try:
                    with urllib.request.urlopen(f"{self.url}api/kernels/{started[-1]}") as r:
                        state = json.load(r)["execution_state"]
                except (urllib.error.URLError, ConnectionError):
                    state = "unknown"
                idle_polls = idle_polls + 1 if state == "idle" else 0
                if idle_polls >= 6:  # idle for 3 s: the dashboard has run, not yet to start
                    return
            time.sleep(0.5)
        pytest.fail(f"no preheated kernel within {timeout:.0f} s:\n{self.text()[-3000:]}")


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory):
    notebook = classroom_notebook()
    assert notebook.exists(), notebook
    recipe = (ROOT / "Makefile").read_text().split("\nclassroom:")[1].split("\n\n")[0]
    assert "-m vae_tutorial classroom" in recipe, "make classroom runs the CLI's classroom"
    port, log = free_port(), tmp_path_factory.mktemp("classroom") / "voila.log"
    env = {**os.environ, "VAE_TUTORIAL_QUICK": "1", "MPLBACKEND": "agg"}
    with open(log, "w") as out:
        # what `make classroom` runs (the CLI sets JUPYTER_CONFIG_PATH and JUPYTER_PATH to
        # jupyter/classroom); a new session: teardown signals exactly this server and its kernels
        proc = subprocess.Popen(
            [sys.executable, "-m", "vae_tutorial", "classroom", str(notebook.relative_to(ROOT)),
             f"--port={port}", "--", "--Voila.port_retries=0"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield Voila(f"http://127.0.0.1:{port}/", proc, log)
    finally:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def test_classroom_serves_the_explorer_without_code(voila_server):
    t0 = time.monotonic()
    try:
        status, html = fetch(voila_server.url, deadline=t0 + 120)
    except Exception:
        pytest.fail(f"Voila did not answer within 120 s; its log:\n{voila_server.text()[-3000:]}")
    assert voila_server.proc.poll() is None, "Voila exited"
    assert status == 200
    assert "latent explorer (classroom dashboard)" in html.lower()  # the markdown title
    assert "application/vnd.jupyter.widget-view+json" in html  # the widgets were rendered
    assert "Traceback" not in html
    for code in ("import vae_tutorial", "BrowserExplorer(", "load_pretrained"):
        assert code not in html, f"input code {code!r} is visible in the page"
    assert "cdn.jsdelivr.net" not in html, "the page links a stylesheet on a CDN"
    print(f"Voila page: {len(html)} characters in {time.monotonic() - t0:.1f} s")


def test_classroom_first_slider_offline_and_quiet(voila_server):
    """Seconds from opening the page to the first slider on screen (a preheated kernel, as
    after `make classroom` has run for a few seconds); nothing requested from outside
    127.0.0.1, no console error, no unencrypted kernel connection."""
    if not CHROMIUM.exists():
        pytest.skip(f"needs chromium at {CHROMIUM} (`apt install chromium`, or point "
                    "VAE_TUTORIAL_CHROMIUM at a Chromium binary)")  # fmt: skip
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    voila_server.wait_preheated()
    outside, errors, warnings = [], [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )  # fmt: skip
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            local = ("http://127.0.0.1:", "data:", "blob:", "about:")

            def request(r):  # (logged, not routed: routing would slow every request down)
                if not r.url.startswith(local):
                    outside.append(r.url)

            def console(message):
                if message.type in ("error", "warning"):
                    (errors if message.type == "error" else warnings).append(message.text)

            page.on("request", request)
            page.on("console", console)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            load = os.getloadavg()[0]
            t0 = time.monotonic()
            page.goto(voila_server.url, wait_until="commit", timeout=120_000)
            page.locator("input.vae-latent-slider").first.wait_for(state="visible", timeout=60_000)
            seconds = time.monotonic() - t0
            # the other tabs are built when first opened: the 20-D one shows 20 sliders
            t1 = time.monotonic()
            page.locator(".lm-TabBar-tab", has_text="MNIST, 20-D latent").click()
            page.wait_for_function(
                "() => [...document.querySelectorAll('input.vae-latent-slider')]"
                ".filter((s) => s.offsetParent !== null).length === 20",
                timeout=60_000,
            )
            tab_seconds = time.monotonic() - t1
            page.wait_for_timeout(1500)  # late requests and console messages
        finally:
            browser.close()
    print(
        f"\nclassroom (Voila, preheated kernel): first slider on screen {seconds:.2f} s after "
        f"opening the page (1-min load average {load:.2f}); the 20-D tab built and shown "
        f"{tab_seconds:.2f} s after its click; {len(warnings)} console warnings"
    )
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, "console errors:\n" + "\n".join(e[:300] for e in errors)
    # what remains: JupyterLab version-range notices of the widget manager extensions
    # (see jupyter/classroom/voila.py), not errors
    odd = [w for w in warnings if not re.match(r"(Unsatisfied|No satisfying) version", w)]
    assert not odd, f"unexpected console warnings: {odd}"
    assert "without encryption" not in voila_server.text(), "a kernel runs unencrypted TCP"
    if load > BUSY_LOAD:
        print(f"(the machine is busy, load {load:.2f} > {BUSY_LOAD}: {TARGET_S} s not asserted)")
    else:
        assert seconds <= TARGET_S, f"first slider after {seconds:.2f} s (target {TARGET_S} s)"
