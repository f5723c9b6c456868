"""The static website (`make site`): built from the stored notebooks, served on 127.0.0.1 and
opened from disk; maths renders, every image has alt text, the explorer's slider moves the
image and its manifold decodes in WebAssembly, the console stays clean, and no request leaves
the machine."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    cache = ROOT / "build" / "cache"  # KaTeX from the npm registry, once
    r = subprocess.run([sys.executable, str(ROOT / "site" / "build.py"), str(out), "--cache",
                        str(cache)], capture_output=True, text=True)  # fmt: skip
    offline = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "getaddrinfo", "network")
    if r.returncode and not (cache / "katex").exists() and any(w in r.stderr for w in offline):
        # the one reason outside the project: no network for the one-time KaTeX fetch
        pytest.skip(f"no network: the site build needs the npm registry once for KaTeX: "
                    f"{r.stderr[-300:]}")  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Alternative text is missing" not in r.stderr, r.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def served(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def _watch(page):
    """Console errors and every request URL the page makes."""
    errors, urls = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: urls.append(r.url))
    return errors, urls


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "file://", "data:", "blob:"))


def test_the_site_lists_every_notebook_and_explorer(site):
    index = (site / "index.html").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb")):  # 05b_... too
        assert f'href="{nb.stem}.html"' in index and (site / f"{nb.stem}.html").exists()
    for name in ("mnist-z2", "mnist-z20", "frey-z2"):
        assert (site / f"explorer-{name}.html").exists()
    page06 = (site / "06_latent_explorer.html").read_text()
    assert "LatentExplorer(children=" not in page06  # no raw widget repr
    assert "explorer-mnist-z2.html" in page06


def test_every_image_has_alt_text(site):
    import re

    images = 0
    for path in sorted(site.glob("*.html")):
        for tag in re.findall(r"<img\b[^>]*>", path.read_text()):
            images += 1
            alt = re.search(r'\salt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), f"{path.name}: an image without alt text"
            assert "No description has been provided" not in alt.group(1), path.name
    assert images >= 50  # the stored notebooks' figures
    print(f"\nstatic site: {images} images, each with alt text")


def test_explorer_page_moves_offline(served, page):
    errors, urls = _watch(page)
    page.goto(f"{served}explorer-mnist-z2.html")
    root = page.locator(".vae-browser-explorer")
    root.wait_for()
    before = root.locator("canvas.vae-image").evaluate("(c) => c.toDataURL()")
    slider = root.locator("input.vae-latent-slider").first
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    for i in range(20):
        page.mouse.move(box["x"] + box["width"] / 2 + 4 * i, y)
    page.mouse.up()
    after = root.locator("canvas.vae-image").evaluate("(c) => c.toDataURL()")
    assert after != before, "the decoded image did not change"
    times = root.evaluate("(el) => el.vae.timings.slice()")
    assert len(times) >= 10
    root.locator("button.vae-tab", has_text="Manifold").click()
    grid_ms = root.evaluate("(el) => el.vae.gridMs()")
    assert root.evaluate("(el) => el.vae.backend") == "wasm-simd"
    assert not errors, errors
    remote = [u for u in urls if not _local(u)]
    assert not remote, f"requests left 127.0.0.1: {remote}"
    print(
        f"\nstatic site explorer: {len(times)} moves, max {max(times):.1f} ms to a new frame; "
        f"manifold (wasm-simd) {grid_ms:.0f} ms"
    )


def test_notebook_page_renders_maths_without_the_network(served, page):
    errors, urls = _watch(page)
    page.goto(f"{served}04_sgvb.html")
    page.wait_for_selector(".katex", timeout=15_000)  # KaTeX typeset the maths
    assert page.locator(".katex").count() > 20
    assert not errors, errors
    assert not [u for u in urls if not _local(u)]


def test_opened_from_a_folder_on_disk(site, page):
    errors, urls = _watch(page)
    page.goto((site / "explorer-frey-z2.html").as_uri())
    root = page.locator(".vae-browser-explorer")
    root.wait_for()
    root.locator("button.vae-tab", has_text="Manifold").click()  # WebAssembly from file://
    assert root.evaluate("(el) => el.vae.backend") == "wasm-simd"
    assert root.evaluate("(el) => el.vae.gridMs()") > 0
    page.goto((site / "01_conjugate_posteriors.html").as_uri())
    page.wait_for_selector(".katex", timeout=15_000)
    assert not errors, errors
    assert not [u for u in urls if not _local(u)]


def test_links_between_notebooks_point_at_pages(site):
    """A markdown link to another notebook (``05b_evaluating_log_px.ipynb``) is a link to its
    page on the site, and every page it names exists."""
    import re

    pages = sorted(site.glob("*.html"))
    linked = set()
    for page in pages:
        text = page.read_text()
        assert not re.search(r'href="[^"]*\.ipynb', text), f"{page.name} links to a notebook file"
        linked |= set(re.findall(r'href="(\d\d[a-z]?_\w+\.html)', text))
    assert linked and all((site / h).exists() for h in linked), linked - {p.name for p in pages}
