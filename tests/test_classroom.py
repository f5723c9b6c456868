"""Classroom mode: `make classroom` serves the latent explorer with Voila, code hidden.

Starts Voila on the notebook the Makefile names (CLASSROOM), on a free localhost port, with
the test's own Python, fetches the page and checks that the widgets are there and the code
is not. The server is always shut down.
"""

from __future__ import annotations

import os
import re
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


@pytest.fixture
def voila_server(tmp_path):
    notebook = classroom_notebook()
    assert notebook.exists(), notebook
    port = free_port()
    env = {**os.environ, "VAE_TUTORIAL_QUICK": "1", "MPLBACKEND": "agg"}
    log = open(tmp_path / "voila.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(notebook.relative_to(ROOT)), "--no-browser",
         f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}/", proc, tmp_path / "voila.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


def test_classroom_serves_the_explorer_without_code(voila_server):
    url, proc, log = voila_server
    t0 = time.monotonic()
    try:
        status, html = fetch(url, deadline=t0 + 120)
    except Exception:
        pytest.fail(f"Voila did not answer within 120 s; its log:\n{log.read_text()[-3000:]}")
    assert proc.poll() is None, "Voila exited"
    assert status == 200
    assert "latent explorer (classroom dashboard)" in html.lower()  # the markdown title
    assert "application/vnd.jupyter.widget-view+json" in html  # the widgets were rendered
    assert "Traceback" not in html
    for code in ("import vae_tutorial", "BrowserExplorer(", "load_pretrained"):
        assert code not in html, f"input code {code!r} is visible in the page"
    print(f"Voila page: {len(html)} characters in {time.monotonic() - t0:.1f} s")
