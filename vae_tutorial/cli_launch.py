"""``python -m vae_tutorial lab`` and ``classroom``: what ``make lab`` and ``make classroom`` do,
on any OS with no make (Windows PowerShell, macOS, a Hub terminal).

``lab`` trusts the shipped notebooks, turns JupyterLab's news pop-up off, starts JupyterLab on
the index notebook with a fresh token and prints the URL that opens it (and the same notebook in
Notebook 7). ``classroom`` serves the latent explorer as a Voila dashboard with the settings in
``jupyter/classroom``. Both need the checkout's ``notebooks/`` (an install from a git URL has no
notebooks: clone the repository to read them).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from .errors import VAETutorialError

NEWS_OFF = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                             "checkForUpdates": False}}  # fmt: skip


def checkout() -> Path:
    """The repository the package was installed from (editable install): it holds notebooks/."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "notebooks" / "00_index.ipynb").exists():
        raise VAETutorialError(
            f"no notebooks next to the package ({root / 'notebooks'}): clone the repository "
            "(git clone ...) and install it with `pip install -e .` from there"
        )
    return root


def trust(notebooks: list[Path]) -> None:
    """Sign the shipped notebooks, so their stored outputs (widgets, HTML) show when opened."""
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        if not notary.check_signature(nb):
            notary.sign(nb)


def news_off() -> Path | None:
    """Write JupyterLab's settings overrides (no news pop-up, no update check) into this
    environment's share/jupyter/lab/settings, where JupyterLab reads them; None if that folder
    is not writable (a shared install: the pop-up then asks once)."""
    target = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        current = json.loads(target.read_text()) if target.exists() else {}
        target.write_text(json.dumps({**current, **NEWS_OFF}, indent=1))
    except (OSError, ValueError):
        return None
    return target


def lab_command(root: Path, port: int, token: str, extra: list[str]) -> list[str]:
    cmd = [sys.executable, "-m", "jupyter", "lab", str(root / "notebooks" / "00_index.ipynb"),
           f"--ServerApp.root_dir={root / 'notebooks'}", "--ServerApp.ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           "--KernelManager.transport_encryption=auto"]  # fmt: skip
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")  # containers and CI machines often run as root
    return cmd + extra


def cmd_lab(args) -> None:
    root = checkout()
    trust(sorted((root / "notebooks").glob("*.ipynb")))
    news_off()
    token = secrets.token_hex(16)
    base = f"http://127.0.0.1:{args.port}"
    print(f"\n    The tutorial: {base}/lab/tree/00_index.ipynb?token={token}")
    print(f"    (Notebook 7:  {base}/notebooks/00_index.ipynb?token={token})\n", flush=True)
    extra = ["--no-browser"] if args.no_browser else []
    _run(lab_command(root, args.port, token, extra + args.extra))


def cmd_classroom(args) -> None:
    root = checkout()
    config = root / "jupyter" / "classroom"
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(config), "JUPYTER_PATH": str(config)}
    page = (
        Path(args.notebook)
        if args.notebook
        else root / "notebooks" / "dashboards" / "latent_explorer.ipynb"
    )
    if not page.exists():
        raise VAETutorialError(f"no notebook {page}: give one of notebooks/*.ipynb")
    print(f"\n    The classroom: http://127.0.0.1:{args.port}\n", flush=True)
    _run([sys.executable, "-m", "voila", str(page), "--no-browser", f"--port={args.port}",
          "--Voila.ip=127.0.0.1", *args.extra], env=env)  # fmt: skip


def split_extra(argv: list[str]) -> tuple[list[str], list[str]]:
    """``lab ... -- OPTIONS``: the command's own arguments, and the options after ``--`` that
    go to JupyterLab or Voila unchanged (argparse would take them for its own)."""
    if argv[:1] in (["lab"], ["classroom"]) and "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def _run(cmd: list[str], env: dict | None = None) -> None:
    """Run the server in the foreground until it stops or Ctrl-C (which it handles itself)."""
    try:
        code = subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return
    if code not in (0, 130, -2):
        raise VAETutorialError(f"{' '.join(cmd[2:4])} stopped with exit status {code} (see above)")


def add_arguments(sub, bounded_int) -> None:
    """The ``lab`` and ``classroom`` subcommands on the CLI's subparsers."""
    lab = sub.add_parser(
        "lab", help="JupyterLab on the index notebook (what `make lab` does); -- OPTIONS for it"
    )
    lab.add_argument("--port", type=bounded_int("--port", 1, 65535), default=8888)
    lab.add_argument("--no-browser", action="store_true", help="print the URL, open no browser")
    lab.set_defaults(func=cmd_lab)
    cls = sub.add_parser(
        "classroom", help="the latent explorer as a Voila dashboard; -- OPTIONS for Voila"
    )
    cls.add_argument("notebook", nargs="?", help="a notebook to serve instead of the dashboard")
    cls.add_argument("--port", type=bounded_int("--port", 1, 65535), default=8866)
    cls.set_defaults(func=cmd_classroom)
