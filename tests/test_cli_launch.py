"""`python -m vae_tutorial lab` (what `make lab` runs, and the command without make): it prints
a URL that opens the index notebook, with the shipped notebooks trusted."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_prints_a_url_that_opens_the_index(tmp_path):
    port = _free_port()
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vae_tutorial", "lab", "--no-browser", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp_path,
        )  # fmt: skip
    try:
        url, deadline = None, time.time() + 60
        while time.time() < deadline:
            m = re.search(
                rf"http://127\.0\.0\.1:{port}/lab/tree/00_index\.ipynb\?token=\w+", log.read_text()
            )
            if m:
                url = m.group(0)
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        page = r.read().decode()
                    break
                except OSError:
                    pass
            time.sleep(0.5)
        assert url, f"no URL printed:\n{log.read_text()[-2000:]}"
        assert "JupyterLab" in page
        token = url.split("token=")[1]
        api = f"http://127.0.0.1:{port}/api/contents/00_index.ipynb?content=0&token={token}"
        with urllib.request.urlopen(api, timeout=5) as r:
            assert r.status == 200  # the server's root is notebooks/: the index is at its top
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    import nbformat
    from nbformat.sign import NotebookNotary

    nb = nbformat.read(ROOT / "notebooks" / "00_index.ipynb", as_version=4)
    assert NotebookNotary().check_signature(nb), "the shipped notebooks are trusted"


def test_classroom_refuses_a_missing_notebook_in_one_line():
    r = subprocess.run([sys.executable, "-m", "vae_tutorial", "classroom", "no/such.ipynb"],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "no notebook" in r.stderr
