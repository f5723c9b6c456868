"""A real JupyterLab and a real browser for the widget tests in this folder.

``lab`` starts JupyterLab (the test's own Python) on 127.0.0.1 with a random token, serving
a temporary copy of ``notebooks/`` so nothing the browser runs or saves touches the stored
notebooks; its settings live in the temporary folder too (no news fetch, no update check,
every cell attached to the DOM). ``page`` is a headless Debian chromium driven by Python
playwright. Both are always shut down. Without chromium the tests are skipped with the
command that installs it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # jupyter_page.py, for the tests
CHROMIUM = Path(os.environ.get("VAE_TUTORIAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SETTINGS = {  # JupyterLab user settings for a quiet, deterministic session
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@dataclass
class Lab:
    url: str  # http://127.0.0.1:PORT/
    token: str
    root: Path  # the temporary copy of notebooks/
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM}: install it with "
            "`sudo apt install chromium` (or `apt-get install chromium` as root), or point "
            "VAE_TUTORIAL_CHROMIUM at a Chromium binary"
        )
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' (playwright)")
    return CHROMIUM


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory, request):
    """JupyterLab in quick mode, unless the test module sets ``LAB_QUICK = False``."""
    quick = getattr(request.module, "LAB_QUICK", True)
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    settings = tmp / "settings"
    for name, values in SETTINGS.items():
        path = settings / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token, port, log = secrets.token_hex(16), _free_port(), tmp / "lab.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "VAE_TUTORIAL_QUICK"},
        **({"VAE_TUTORIAL_QUICK": "1"} if quick else {}),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
    }
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
        "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--KernelManager.transport_encryption=auto",  # as `make lab`: what readers run
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(log, "w") as out:
        # a new session: teardown signals exactly this server and the kernels it started
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(f"{url}api/status?token={token}", proc, log, timeout=45)
        yield Lab(url, token, root, log)
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


@pytest.fixture
def page(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            yield context.new_page()
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (``item.rep_call``) for the fixtures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
