"""Build the tutorial as a static website: ``make site`` (``python site/build.py OUT``).

The stored notebooks are converted as they are, without executing them, by nbconvert's
HTML exporter (a well-kept tool that needs no theme from the internet; Jupyter Book 2 asks a
theme registry online at build time, and Sphinx would add a second configuration to keep in
step with the notebooks for no gain here). Every page sits in a book frame (``book.py``: a
sidebar with every page and the current page's sections, previous / next links, an offline
full-text search (MiniSearch), a layout for phones). Maths is typeset in the reader's
browser by KaTeX. KaTeX and MiniSearch are fetched once from the npm registry at build time
and served from the site itself; nothing is requested from anywhere else when a page is
read, and the pages work from a folder on disk (file://) with the network off.

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
import sys
import time
from pathlib import Path

import book  # site/book.py: the sidebar, previous / next, search, phone layout
import views  # site/views.py: which live view stands where a notebook shows a widget

from vae_tutorial.widgets.page import CSS as VIEW_CSS
from vae_tutorial.widgets.page import page_scripts

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
.vae-live-note { font-size: 13px; color: #444; margin: 2px 0 10px; }
.vae-widget-note { border-left: 4px solid #1f77b4; padding: 4px 10px; background: #f0f6fb; }
main.vae-explorer-page { padding: 16px 24px; }
"""


def katex(cache: Path) -> Path:
    """KaTeX's dist/ folder, from the npm registry (cached between builds)."""
    return book.npm_package(KATEX, cache) / "dist"


def title_of(nb: dict) -> str:
    first = "".join(nb["cells"][0]["source"]) if nb["cells"] else ""
    m = re.search(r"^#\s+(.+)$", first, re.M)
    return m.group(1).strip() if m else "notebook"


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
    + VIEW_CSS
    + "</style>"
)


def replace_widgets(nb: dict, path: Path) -> str:
    """Every widget output -> its view, live in the page (``views.py``: the notebook's own
    constructor calls, restored to the stored state); returns the page's scripts."""
    from vae_tutorial.widgets.page import PageViews

    found = views.views_of(path)
    outputs = [out for out, _ in views.widget_outputs(nb)]  # this copy's outputs, in order
    pv, extra = PageViews(prefix=f"v{path.stem[:3]}"), ""
    for n, (out, (_, name, view)) in enumerate(zip(outputs, found, strict=True)):
        if isinstance(view, str):  # the anywidget explorer: the same script as its own page
            html_, script = explorer_embed(view, f"explorer-{path.stem}-{n}", pv)
            extra += script
        elif name == "PosteriorInspector":
            state = view.page_state(frames=views.inspector_frames())
            html_ = pv.add(view, views.NOTES.get(name, ""), state=state)
        else:
            html_ = pv.add(view, views.NOTES.get(name, ""))
        out["data"] = {"text/html": html_}
    return (pv.scripts(src="assets/views") if pv.n or pv.blobs else "") + extra


IMAGES = ("image/png", "image/jpeg")
PLACEHOLDER = "No description has been provided for this image"  # nbconvert's, when alt is missing


def code_title(source: str) -> str | None:
    """The figure's title as the cell's code spells it (suptitle first), or None; f-string
    fields show their names ("{name}" -> "name"), longer expressions drop the title."""
    for pattern in (
        r"suptitle\(\s*(f?)([\"'])(.+?)\2",
        r"(?:set_title\(|title=)\s*(f?)([\"'])(.+?)\2",
    ):
        for is_f, _, title in re.findall(pattern, source):
            if is_f:
                title = re.sub(r"\{([A-Za-z_]\w*)\}", r"\1", title)
                if "{" in title:
                    continue
            return book.plain(title.replace("\\n", " "))
    return None


def figure_docs() -> dict[str, str]:
    """Function name -> the first paragraph of its docstring, in plain words, for every figure
    function of ``vae_tutorial.viz`` (named ``*_figure``, or returning a Figure)."""
    import importlib
    import inspect
    import pkgutil

    sys.path.insert(0, str(ROOT))
    import vae_tutorial.viz as viz

    docs = {}
    for info in pkgutil.iter_modules(viz.__path__):
        module = importlib.import_module(f"vae_tutorial.viz.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            doc = inspect.getdoc(fn) or ""
            returns = str(fn.__annotations__.get("return", "")) + doc.split("\n\n")[0]
            if (
                fn.__module__ == module.__name__
                and doc
                and name not in ("show_image",)
                and (name.endswith("_figure") or "Figure" in returns)
            ):
                text = book.plain(re.sub(r":\w+:", "", doc.split("\n\n")[0]))
                text = re.sub(r"\s*(-+>|Returns a) Figure\b", "", text).replace(" .", ".")
                docs[name] = text if len(text) <= 300 else text[:300].rsplit(". ", 1)[0] + "."
    return docs


def add_alt_text(nb: dict, docs: dict[str, str]) -> int:
    """Give every image output alt text, so nbconvert writes ``<img alt=...>``: the output's
    own ``metadata[mime]["alt"]`` if a notebook set one, else the figure's title in the cell's
    code, else the docstring of the figure function the cell calls (``docs``), else (a
    widget's initial state, drawn in the widget's cell or the next) the widget's one-line
    description, else the first sentence of the markdown before it; then the section's
    heading. Returns the number of images."""
    heading, caption, widget, widget_cell, n = title_of(nb), "", None, -2, 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            found = re.findall(r"^#+\s+(.+)$", source, re.M)
            heading = book.plain(found[-1]) if found else heading
            body = book.plain(re.sub(r"^#+.*$", "", source, flags=re.M))
            caption = re.split(r"(?<=[.:;!?])\s", body, maxsplit=1)[0][:200] if body else caption
            continue
        outputs = cell.get("outputs", [])
        for out in outputs:
            if WIDGET in out.get("data", {}):
                text = out["data"].get("text/plain", "an interactive widget")
                text = re.sub(r"\s*\(interactive in Jupyter\)$|\s*\(i[^()]*$", "", text)
                widget, widget_cell = text, i  # (a stored repr may be cut short)
        images = [o for o in outputs if any(m in o.get("data", {}) for m in IMAGES)]
        source = "".join(cell["source"])
        title = code_title(source)
        calls = [docs[name] for name in re.findall(r"(\w+)\(", source) if name in docs]
        for k, out in enumerate(images):
            mime = next(m for m in IMAGES if m in out["data"])
            meta = out.get("metadata", {})
            alt = meta.get(mime, {}).get("alt") or meta.get("alt")
            if not alt:
                if title:
                    alt = title
                elif calls:
                    alt = calls[-1]
                elif widget and i - widget_cell <= 1:
                    alt = f"The widget's initial state: {widget}"
                else:
                    alt = f"Figure: {caption}" if caption else "Figure"
                alt += f" ({k + 1} of {len(images)})" if len(images) > 1 else ""
                alt = alt.rstrip(" .:;,") + f". Section: {heading}"
            src = f"data:{mime};base64,{''.join(out['data'][mime]).strip()}"
            tag = f'<img src="{src}" alt="{html.escape(alt, quote=True)}">'
            out["data"] = {"text/html": f'<div class="jp-RenderedImage">{tag}</div>'}
            n += 1
    return n


def alt_text(body: str, page_title: str) -> str:
    """Any ``<img>`` still without alt text (a markdown image without it) or with nbconvert's
    placeholder gets "figure N of the page"."""
    count = [0]

    def add(m: re.Match) -> str:
        tag = m.group(0)
        if re.search(r'\salt="[^"]', tag) and PLACEHOLDER not in tag:
            return tag
        count[0] += 1
        alt = html.escape(f"figure {count[0]} of {page_title}", quote=True)
        tag = re.sub(r'\salt="[^"]*"', "", tag)
        return tag.replace("<img", f'<img alt="{alt}"', 1)

    return re.sub(r"<img\b[^>]*>", add, body)


def strip_remote(body: str) -> str:
    """Remove every script or stylesheet the exporter would load from the internet."""
    body = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'<link[^>]*\bhref="https?://[^"]*"[^>]*>', "", body)
    return re.sub(r"<script[^>]*>[^<]*MathJax[^<]*</script>", "", body, flags=re.S)


def local_links(body: str) -> str:
    """Links between notebooks (``05b_evaluating_log_px.ipynb#anchor``) point at their pages."""
    return re.sub(r'href="(?:\./)?(\d\d[a-z]?_\w+)\.ipynb(#[^"]*)?"',
                  lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)  # fmt: skip


def convert(path: Path, pages, out: Path, docs: dict[str, str]) -> list[dict]:
    """Write the page of notebook ``path``; return its search documents (one per section)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    add_alt_text(nb, docs)  # first: a widget's description names the snapshot after it
    scripts = replace_widgets(nb, path)
    nb.metadata.pop("widgets", None)  # the page's own views replace the stored widgets
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</body>", scripts + "</body>", 1)
    body = local_links(strip_remote(body))
    href = f"{path.stem}.html"
    body = body.replace("</head>", HEAD + "</head>", 1)
    body = alt_text(body, title_of(nb))
    toc = book.sections(body)
    (out / href).write_text(book.frame(body, pages, href, toc))
    return book.search_documents(href, book.short(title_of(nb)), toc)


def explorer_embed(name: str, el_id: str, pv=None) -> tuple[str, str]:
    """The browser explorer of shipped model ``name``: (its element, its script), everything
    embedded: the same JavaScript as the notebook widget. ``pv``: the page's other views
    (``PageViews``), whose binary arrays it shares (a model's weights once per page)."""
    sys.path.insert(0, str(ROOT))
    from vae_tutorial import load
    from vae_tutorial.core.pretrained import load_pretrained
    from vae_tutorial.widgets.browser_explorer import explorer_data

    data_name, shape, _ = EXPLORERS[name]
    ds = load(data_name)
    labels = None if ds.test_labels is None else ds.test_labels.numpy()
    data = explorer_data(load_pretrained(name), shape, ds.test, labels, name=name)
    blobs = {k: {"$blob": pv.blob(v)} if pv is not None else base64.b64encode(v).decode()
             for k, v in data.items() if isinstance(v, bytes)}  # fmt: skip
    js = (ROOT / "vae_tutorial" / "widgets" / "browser_explorer.js").read_text()
    css = (ROOT / "vae_tutorial" / "widgets" / "browser_explorer.css").read_text()
    state = json.dumps({"spec": data["spec"], "blobs": blobs, "z": [0.0] * data["spec"]["z_dim"]})
    script = f"""<style>{css}</style>
<script type="application/json" id="{el_id}-state">{state}</script>
<script type="module">
{js.replace("export default { render };", "")}
const s = JSON.parse(document.getElementById("{el_id}-state").textContent);
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
const values = {{ spec: s.spec, z: s.z }};
const page = document.getElementById("vae-blobs");  // arrays shared with the page's views
const shared = page ? JSON.parse(page.textContent) : {{}};
for (const [k, v] of Object.entries(s.blobs)) {{
  values[k] = new DataView(bytes(typeof v === "string" ? v : shared[v.$blob]));
}}
const handlers = {{}};
const model = {{ get: (k) => values[k], set: (k, v) => {{ values[k] = v; }},
  save_changes: () => {{}}, on: (e, f) => {{ handlers[e] = f; }} }};
render({{ model, el: document.getElementById("{el_id}") }});
</script>"""
    return f'<div id="{el_id}" class="vae-browser-explorer-host"></div>', script


def explorer_page(name: str, pages, out: Path) -> None:
    """A page with the browser explorer of shipped model ``name``, everything embedded."""
    _, _, title = EXPLORERS[name]
    element, script = explorer_embed(name, "explorer")
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Latent explorer: {html.escape(title)}</title>{ICON}<style>{CSS}</style></head><body>
<main class="vae-explorer-page"><h1>Latent explorer: {html.escape(title)} (<code>{name}</code>)</h1>
<p>The decoder p(x|z) of the shipped model runs in this page, in JavaScript: move a slider
(or click the scatter of encoded test images) and the decoder mean E[x|z] is drawn at once.
Weights, test-set encodings and the manifold grid were computed by <code>vae_tutorial</code>
and embedded in this page; it needs no kernel and no network.</p>
{element}</main>{script}</body></html>"""
    href = f"explorer-{name}.html"
    (out / href).write_text(book.frame(page, pages, href, []))


def build(out: Path, cache: Path) -> dict:
    t0 = time.perf_counter()
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(katex(cache), out / "assets" / "katex", dirs_exist_ok=True)
    (out / "assets" / "views").mkdir(parents=True, exist_ok=True)
    modules = [p.stem[5:] for p in (ROOT / "vae_tutorial" / "widgets").glob("page_*.js")]
    for name, text in page_scripts(modules).items():  # with the decoder, as a classic script
        (out / "assets" / "views" / name).write_text(text)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))  # 05b_... too
    pages = [(f"{p.stem}.html", title_of(nbformat.read(p, as_version=4))) for p in paths]
    pages += [(f"explorer-{m}.html", f"Explorer {m}") for m in EXPLORERS]
    docs, search = figure_docs(), []
    for p in paths:
        search += convert(p, pages, out, docs)
    for name in EXPLORERS:
        explorer_page(name, pages, out)
    book.build_index(search, book.npm_package(book.MINISEARCH, cache), out)
    items = "".join(f'<li><a href="{h}">{html.escape(t)}</a></li>' for h, t in pages)
    index = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>vae-tutorial</title>{ICON}<style>{CSS}</style></head><body>"
        f"<main class='vae-explorer-page'><h1>Variational inference and the VAE: a tutorial</h1>"
        f"<p>Notebooks in order, then the latent explorers, which run in your browser. The "
        f"search box at the top of the sidebar searches every section of every notebook.</p>"
        f"<ol>{items}</ol></main></body></html>"
    )
    (out / "index.html").write_text(book.frame(index, pages, "index.html", []))
    return {"out": str(out), "pages": len(pages) + 1, "seconds": round(time.perf_counter() - t0, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python site/build.py", description=__doc__.split("\n")[0])
    p.add_argument("out", nargs="?", default=str(ROOT / "build" / "site"))
    p.add_argument("--cache", default=str(ROOT / "build" / "cache"),
                   help="cache of the npm packages (KaTeX, MiniSearch)")  # fmt: skip
    args = p.parse_args(argv)
    print(json.dumps(build(Path(args.out), Path(args.cache))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
