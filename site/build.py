"""Build the tutorial as a static website: ``make site`` (``python site/build.py OUT``).

The stored notebooks are converted as they are, without executing them, by nbconvert's
HTML exporter (a well-kept tool that needs no theme from the internet; Jupyter Book 2 asks a
theme registry online at build time, and Sphinx would add a second configuration to keep in
step with the notebooks for no gain here). Every page carries a navigation bar in the
notebooks' order. Maths is typeset in the reader's browser by KaTeX, fetched once from the npm
registry at build time and served from the site itself; nothing is requested from anywhere
else when a page is read, and the pages work from a folder on disk (file://) with the
network off.

The latent explorers move on the site too: ``explorer-NAME.html`` runs the same JavaScript
as the notebook widget (``vae_tutorial/widgets/browser_explorer.js``) with the decoder's
weights and the encoded test set embedded in the page (``explorer_data``). Where a notebook
shows a widget, its page shows a one-line description and a link to the explorer instead of
a raw repr.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KATEX = "katex@0.16.22"
WIDGET = "application/vnd.jupyter.widget-view+json"
EXPLORERS = {  # model -> (dataset, image shape, title)
    "mnist-z2": ("mnist-binarized", (28, 28), "MNIST, 2-D latent"),
    "mnist-z20": ("mnist-binarized", (28, 28), "MNIST, 20-D latent"),
    "frey-z2": ("frey-faces", (28, 20), "Frey Face, 2-D latent"),
}

ICON = '<link rel="icon" href="data:,">'  # no favicon request (a 404 on a static host)
CSS = """
body { margin: 0; font-family: system-ui, sans-serif; }
nav.vae-nav { position: sticky; top: 0; z-index: 10; background: #f6f8fa;
  border-bottom: 1px solid #ddd; padding: 6px 12px; font-size: 14px; }
nav.vae-nav a { margin-right: 12px; }
nav.vae-nav a.current { font-weight: bold; }
.vae-widget-note { border-left: 4px solid #1f77b4; padding: 4px 10px; background: #f0f6fb; }
main.vae-explorer-page { padding: 16px 24px; }
"""


def katex(cache: Path) -> Path:
    """KaTeX's dist/ folder, from the npm registry (cached between builds)."""
    dist = cache / "katex" / "dist"
    if (dist / "katex.min.js").exists():
        return dist
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", KATEX, "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        (tgz,) = Path(tmp).glob("katex-*.tgz")
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        shutil.rmtree(cache / "katex", ignore_errors=True)
        shutil.copytree(Path(tmp) / "package", cache / "katex")
    return dist


def title_of(nb: dict) -> str:
    first = "".join(nb["cells"][0]["source"]) if nb["cells"] else ""
    m = re.search(r"^#\s+(.+)$", first, re.M)
    return m.group(1).strip() if m else "notebook"


def nav(pages: list[tuple[str, str]], current: str) -> str:
    links = [f'<a href="index.html"{" class=current" if current == "index.html" else ""}>'
             "Contents</a>"]  # fmt: skip
    for href, title in pages:
        cls = ' class="current"' if href == current else ""
        links.append(f'<a href="{href}"{cls}>{html.escape(title.split(":")[0])}</a>')
    return '<nav class="vae-nav" aria-label="tutorial pages">' + "".join(links) + "</nav>"


HEAD = (
    ICON
    + """<link rel="stylesheet" href="assets/katex/katex.min.css">
<script defer src="assets/katex/katex.min.js"></script>
<script defer src="assets/katex/contrib/auto-render.min.js"></script>
<script>document.addEventListener("DOMContentLoaded", () => renderMathInElement(document.body,
  {delimiters: [{left: "$$", right: "$$", display: true}, {left: "$", right: "$", display: false},
  {left: "\\\\(", right: "\\\\)", display: false}, {left: "\\\\[", right: "\\\\]", display: true}],
  throwOnError: false}));</script>
<style>"""
    + CSS
    + "</style>"
)


def replace_widgets(nb: dict, page: str) -> int:
    """Widget outputs -> a one-line description and a link to the explorers (no raw repr)."""
    n = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET not in data:
                continue
            name = data.get("text/plain", "widget").split("(")[0].split(":")[0]
            links = ", ".join(f'<a href="explorer-{m}.html">{t}</a>'
                              for m, (_, _, t) in EXPLORERS.items())  # fmt: skip
            note = (f'<p class="vae-widget-note">An interactive widget ({html.escape(name)}) '
                    "runs here in Jupyter; the snapshot below shows it. On this site the latent "
                    f"explorers run in your browser: {links}.</p>")  # fmt: skip
            out["data"] = {"text/html": note}
            n += 1
    return n


def alt_text(body: str, page_title: str) -> str:
    count = [0]

    def add(m: re.Match) -> str:
        tag = m.group(0)
        if " alt=" in tag:
            return tag
        count[0] += 1
        alt = html.escape(f"figure {count[0]} of {page_title}", quote=True)
        return tag.replace("<img", f'<img alt="{alt}"', 1)

    return re.sub(r"<img\b[^>]*>", add, body)


def strip_remote(body: str) -> str:
    """Remove every script or stylesheet the exporter would load from the internet."""
    body = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'<link[^>]*\bhref="https?://[^"]*"[^>]*>', "", body)
    return re.sub(r"<script[^>]*>[^<]*MathJax[^<]*</script>", "", body, flags=re.S)


def convert(path: Path, pages, out: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    replace_widgets(nb, path.stem)
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb)
    body = strip_remote(body)
    href = f"{path.stem}.html"
    body = body.replace("</head>", HEAD + "</head>", 1)
    body = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>" + nav(pages, href), body,
                  count=1)  # fmt: skip
    body = alt_text(body, title_of(nb))
    (out / href).write_text(body)


def explorer_page(name: str, pages, out: Path) -> None:
    """A page with the browser explorer of shipped model ``name``, everything embedded."""
    sys.path.insert(0, str(ROOT))
    from vae_tutorial import load
    from vae_tutorial.core.pretrained import load_pretrained
    from vae_tutorial.widgets.browser_explorer import explorer_data

    data_name, shape, title = EXPLORERS[name]
    ds = load(data_name)
    labels = None if ds.test_labels is None else ds.test_labels.numpy()
    data = explorer_data(load_pretrained(name), shape, ds.test, labels, name=name)
    blobs = {k: base64.b64encode(v).decode() for k, v in data.items() if isinstance(v, bytes)}
    js = (ROOT / "vae_tutorial" / "widgets" / "browser_explorer.js").read_text()
    css = (ROOT / "vae_tutorial" / "widgets" / "browser_explorer.css").read_text()
    state = json.dumps({"spec": data["spec"], "blobs": blobs, "z": [0.0] * data["spec"]["z_dim"]})
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Latent explorer: {html.escape(title)}</title>{ICON}<style>{CSS}{css}</style></head><body>
{nav(pages, f"explorer-{name}.html")}
<main class="vae-explorer-page"><h1>Latent explorer: {html.escape(title)} (<code>{name}</code>)</h1>
<p>The decoder p(x|z) of the shipped model runs in this page, in JavaScript: move a slider
(or click the scatter of encoded test images) and the decoder mean E[x|z] is drawn at once.
Weights, test-set encodings and the manifold grid were computed by <code>vae_tutorial</code>
and embedded in this page; it needs no kernel and no network.</p>
<div id="explorer"></div></main>
<script type="application/json" id="state">{state}</script>
<script type="module">
{js.replace("export default { render };", "")}
const s = JSON.parse(document.getElementById("state").textContent);
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
const values = {{ spec: s.spec, z: s.z }};
for (const [k, v] of Object.entries(s.blobs)) values[k] = new DataView(bytes(v));
const handlers = {{}};
const model = {{ get: (k) => values[k], set: (k, v) => {{ values[k] = v; }},
  save_changes: () => {{}}, on: (e, f) => {{ handlers[e] = f; }} }};
render({{ model, el: document.getElementById("explorer") }});
</script></body></html>"""
    (out / f"explorer-{name}.html").write_text(page)


def build(out: Path, cache: Path) -> dict:
    t0 = time.perf_counter()
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(katex(cache), out / "assets" / "katex", dirs_exist_ok=True)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    pages = [(f"{p.stem}.html", title_of(nbformat.read(p, as_version=4))) for p in paths]
    pages += [(f"explorer-{m}.html", f"Explorer {m}") for m in EXPLORERS]
    for p in paths:
        convert(p, pages, out)
    for name in EXPLORERS:
        explorer_page(name, pages, out)
    items = "".join(f'<li><a href="{h}">{html.escape(t)}</a></li>' for h, t in pages)
    (out / "index.html").write_text(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>vae-tutorial</title>{ICON}<style>{CSS}</style></head><body>"
        f"{nav(pages, 'index.html')}<main "
        f"class='vae-explorer-page'><h1>Variational inference and the VAE: a tutorial</h1>"
        f"<p>Notebooks in order, then the latent explorers, which run in your browser.</p>"
        f"<ol>{items}</ol></main></body></html>"
    )
    return {"out": str(out), "pages": len(pages) + 1, "seconds": round(time.perf_counter() - t0, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python site/build.py", description=__doc__.split("\n")[0])
    p.add_argument("out", nargs="?", default=str(ROOT / "build" / "site"))
    p.add_argument("--cache", default=str(ROOT / "build" / "cache"), help="KaTeX download cache")
    args = p.parse_args(argv)
    print(json.dumps(build(Path(args.out), Path(args.cache))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
