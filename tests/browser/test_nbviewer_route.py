"""nbviewer's route, offline: nbconvert's HTML export of a stored notebook with the Jupyter
widget embedder (what nbviewer runs, with its scripts served beside the page instead of from
CDNs, as ../shared/notes/offline-widgets.md records): every stored widget draws as it was
left, kernel-side views with their last image and note, and the browser explorer moves."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_page import drag_explorer

from vae_tutorial.widgets.base import KERNEL_NOTE

ROOT = Path(__file__).resolve().parents[2]
EMBEDDER = ("requirejs@2.3.7", "@jupyter-widgets/html-manager@1.0.15")


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "site"))
    import book

    cache = ROOT / "build" / "cache"
    try:
        require, manager = (book.npm_package(spec, cache) for spec in EMBEDDER)
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        pytest.skip(f"the widget embedder comes from the npm registry once: {e}")
    out = tmp_path_factory.mktemp("nbviewer")
    shutil.copy(require / "require.js", out / "require.js")
    shutil.copy(manager / "dist" / "embed-amd.js", out / "embed-amd.js")
    # the embedder asks require.js for the module "anywidget": a file of that name beside
    # the page is found before any CDN
    anywidget = Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / "anywidget" / "index.js"
    shutil.copy(anywidget, out / "anywidget.js")
    return out


def _export(notebook: str, out: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    exporter = HTMLExporter(template_name="lab", require_js_url="require.js",
                            widget_renderer_url="embed-amd.js")  # fmt: skip
    body, _ = exporter.from_notebook_node(nb)
    page = out / notebook.replace(".ipynb", ".html")
    page.write_text(body)
    return page


def test_stored_widgets_draw_in_nbconverts_html(assets, page):
    requests: list[str] = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else (requests.append(r.request.url), r.abort()))  # fmt: skip
    page.goto(_export("06_latent_explorer.ipynb", assets).as_uri())
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.vae-pixel-image')]"
        ".filter((c) => c.width > 0 && c.dataset.frame !== '0').length >= 5",
        timeout=60_000,
    )
    notes = page.locator(".vae-kernel-note")
    assert {notes.nth(i).text_content().strip() for i in range(notes.count())} == {KERNEL_NOTE}
    root = page.locator(".vae-browser-explorer").first
    root.scroll_into_view_if_needed()
    before, after = drag_explorer(root, page, step=5)
    assert after != before, "the stored browser explorer did not move"
    print(
        f"\nnbconvert HTML of stored notebook 06, offline: {notes.count()} kernel notes, "
        f"the explorer moved; requests refused (MathJax and fonts from CDNs): {len(requests)}"
    )
