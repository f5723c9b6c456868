"""The site's book frame (used by ``build.py``): a sidebar with every page and the current
page's sections, previous / next links, an offline full-text search, and a layout that reads
on a phone.

Search is MiniSearch (a maintained full-text search library, from the npm registry at build
time like KaTeX): ``search_documents`` cuts every page into its sections (the prose of the
markdown cells under each heading), ``build_index`` runs MiniSearch in node once to index them,
and the page loads the serialized index as a script (``assets/search-index.js``) when the
search box is first used, so searching works from a folder on disk (file://, where ``fetch``
is refused) with the network off.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from html.parser import HTMLParser
from pathlib import Path

MINISEARCH = "minisearch@7.2.0"
#: MiniSearch's options: the same at build time (node) and in the page
SEARCH_OPTIONS = {"fields": ["title", "text"], "storeFields": ["title", "href", "page"]}

CSS = """
body.jp-Notebook { padding: 0; }
.vae-content > main { padding: 10px; }
.vae-skip { position: absolute; left: -9999px; top: 0; z-index: 20; background: #fff;
  padding: 6px 10px; border: 2px solid #1f4f7a; }
.vae-skip:focus { left: 8px; top: 8px; }
.vae-book { display: flex; align-items: flex-start; }
.vae-sidebar { position: sticky; top: 0; flex: 0 0 260px; width: 260px; max-height: 100vh;
  overflow-y: auto; box-sizing: border-box; padding: 12px 12px 24px; background: #f6f8fa;
  border-right: 1px solid #ddd; font-size: 14px; line-height: 1.35; }
.vae-sidebar ol { list-style: none; margin: 0; padding: 0; }
.vae-sidebar li { margin: 3px 0; }
.vae-sidebar a { color: #1f4f7a; text-decoration: none; }
.vae-sidebar a:hover, .vae-sidebar a:focus { text-decoration: underline; }
.vae-sidebar li.current > a { font-weight: bold; color: #000; }
.vae-sidebar .vae-toc { margin: 4px 0 8px 12px; border-left: 2px solid #c8d6e5;
  padding-left: 8px; font-size: 13px; }
.vae-sidebar .vae-toc .vae-h3 { padding-left: 10px; }
.vae-home { display: block; font-weight: bold; font-size: 16px; margin-bottom: 8px; }
.vae-menu > summary { display: none; }
.vae-search input { width: 100%; box-sizing: border-box; padding: 5px 6px; font-size: 14px;
  margin-bottom: 6px; }
.vae-results { margin-bottom: 10px !important; }
.vae-results li { border-bottom: 1px solid #e3e8ee; padding: 3px 0; }
.vae-results .vae-where { display: block; color: #57606a; font-size: 12px; }
.vae-results .vae-none, .vae-status { color: #57606a; font-size: 12px; margin: 0 0 4px; }
.vae-content { flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; }
.vae-content img, .vae-content canvas { max-width: 100%; height: auto; }
.vae-content pre { white-space: pre; overflow-x: auto; }
.vae-content table { display: block; max-width: 100%; overflow-x: auto; }
.vae-content .katex-display { overflow-x: auto; overflow-y: hidden; padding: 2px 0; }
.vae-content .jp-OutputArea-output, .vae-content .jp-InputArea-editor { min-width: 0;
  overflow-x: auto; }
.vae-prevnext { display: flex; justify-content: space-between; gap: 12px; margin: 24px 16px;
  padding-top: 12px; border-top: 1px solid #ddd; }
.vae-prevnext a { max-width: 45%; }
@media (max-width: 800px) {
  .vae-book { display: block; }
  .vae-sidebar { position: static; width: auto; max-height: none; border-right: 0;
    border-bottom: 1px solid #ddd; }
  .vae-menu > summary { display: list-item; cursor: pointer; font-weight: bold;
    margin-bottom: 6px; }
  .jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
  .vae-sidebar li a { display: inline-block; min-height: 24px; padding: 2px 0; }
}
"""

SEARCH_JS = """
document.addEventListener("DOMContentLoaded", () => {
  // the page list is open beside the page on a wide screen, a menu to open on a phone
  const menu = document.querySelector(".vae-menu");
  const narrow = window.matchMedia("(max-width: 800px)");
  if (menu) {
    menu.open = !narrow.matches;
    narrow.addEventListener("change", (e) => { menu.open = !e.matches; });
  }
  const box = document.getElementById("vae-search");
  const list = document.getElementById("vae-results");
  const status = document.getElementById("vae-search-status");
  if (!box) return;
  let index = null, loading = null;
  const script = (src) => new Promise((done, fail) => {
    const s = document.createElement("script");
    s.src = src; s.onload = done; s.onerror = () => fail(new Error("cannot load " + src));
    document.head.append(s);
  });
  // the library and the index (about 0.4 MB) load when the box is first used, as scripts
  // (fetch is refused from file://)
  const load = () => loading = loading || Promise.all(
    [script("assets/minisearch.js"), script("assets/search-index.js")]).then(() => {
      index = MiniSearch.loadJSON(window.VAE_SEARCH_INDEX, OPTIONS);
    });
  const show = async () => {
    const q = box.value.trim();
    list.replaceChildren();
    try {
      await load();
    } catch (e) {
      status.textContent = "Search is unavailable: " + e.message + ".";
      return;
    }
    if (q.length < 2) {
      status.textContent = q ? "Type at least 2 characters." : "";
      box.dataset.searched = q;
      return;
    }
    const hits = index.search(q, {prefix: true, fuzzy: 0.2, boost: {title: 2},
                                  combineWith: "AND"}).slice(0, 10);
    for (const h of hits) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = h.href;
      a.textContent = h.title;
      const where = document.createElement("span");
      where.className = "vae-where";
      where.textContent = h.page;
      li.append(a, where);
      list.append(li);
    }
    status.textContent = hits.length
      ? hits.length + (hits.length === 1 ? " section" : " sections")
      : "No section matches.";
    box.dataset.searched = q;
  };
  box.addEventListener("focus", () => load().catch(() => {}), {once: true});
  box.addEventListener("input", show);
  box.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    await show();
    const first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
});
""".replace("OPTIONS", json.dumps(SEARCH_OPTIONS))


def npm_package(spec: str, cache: Path) -> Path:
    """The unpacked npm package ``spec`` (``name@version``), from the npm registry once and
    cached between builds: its folder (holding ``package.json``)."""
    name, version = spec.rsplit("@", 1)
    folder = cache / name
    meta = folder / "package.json"
    if meta.exists() and json.loads(meta.read_text()).get("version") == version:
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        (tgz,) = Path(tmp).glob("*.tgz")  # a scoped @a/b packs as a-b-VERSION.tgz
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(Path(tmp) / "package", folder)
    return folder


# -- the page's sections -------------------------------------------------------------------
class _Sections(HTMLParser):
    """Headings h1-h3 with an id, and the prose of the markdown cells under each."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, markdown cell, skipped)
        self.sections: list[dict] = []
        self.heading: dict | None = None

    def _flags(self) -> tuple[bool, bool]:
        return (self.stack[-1][1], self.stack[-1][2]) if self.stack else (False, False)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        markdown, skipped = self._flags()
        markdown = markdown or "jp-MarkdownCell" in (a.get("class") or "")
        skipped = skipped or tag in ("script", "style") or "anchor-link" in (a.get("class") or "")
        if tag in ("h1", "h2", "h3") and a.get("id"):
            self.heading = {"level": int(tag[1]), "id": a["id"], "title": "", "text": ""}
            self.sections.append(self.heading)
        if tag not in self.VOID:
            self.stack.append((tag, markdown, skipped))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        if tag in ("h1", "h2", "h3"):
            self.heading = None

    def handle_data(self, data):
        markdown, skipped = self._flags()
        if skipped or not self.sections:
            return
        if self.heading is not None:
            self.heading["title"] += data
        elif markdown:
            self.sections[-1]["text"] += data


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sections(body: str) -> list[dict]:
    """The page's headings (h1-h3 with an id), in order: {level, id, title, text}, ``text``
    the prose of the markdown under the heading up to the next one."""
    parser = _Sections()
    parser.feed(body)
    for s in parser.sections:
        s["title"], s["text"] = _words(s["title"]), _words(s["text"])
    return [s for s in parser.sections if s["title"]]


GREEK = dict(zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta iota kappa lambda mu nu xi pi "
    "rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Sigma Phi Psi "
    "Omega".split(),
    "αβγδεεζηθικλμνξπρστυφφχψωΓΔΘΛΣΦΨΩ", strict=True,
))  # fmt: skip


def plain(text: str) -> str:
    """Markdown with LaTeX -> plain words, as a reader types them into the search box or hears
    them as alt text: ``$\\mathbf z$`` -> z, ``$\\beta$`` -> β, ``[link](url)`` -> link, other
    commands by their names."""
    s = re.sub(r"\\(mathbf|mathrm|boldsymbol|text|operatorname|mathcal|left|right)\b\s*", "", text)
    s = re.sub(r"\\([A-Za-z]+)\s*", lambda m: GREEK.get(m.group(1), m.group(1) + " "), s)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)  # [link](url) -> link
    s = re.sub(r"[{}\\^]", " ", re.sub(r"[$`*<>]", "", s))
    return _words(s).replace(" ,", ",").replace(" .", ".")


def search_documents(href: str, page_title: str, found: list[dict]) -> list[dict]:
    """One search document per section of the page ``href``, its title and text in plain
    words (no LaTeX)."""
    return [
        {"id": f"{href}#{s['id']}", "href": f"{href}#{s['id']}", "title": plain(s["title"]),
         "page": page_title, "text": plain(s["text"])}
        for s in found
    ]  # fmt: skip


def build_index(docs: list[dict], minisearch: Path, out: Path) -> None:
    """Index ``docs`` with MiniSearch in node; write ``out/assets/search-index.js`` (the
    serialized index as a global) and MiniSearch's browser build beside it."""
    script = (
        f"const MiniSearch = require({json.dumps(str(minisearch / 'dist/cjs/index.cjs'))});"
        "let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => {"
        f" const m = new MiniSearch({json.dumps({**SEARCH_OPTIONS, 'idField': 'id'})});"
        " m.addAll(JSON.parse(s)); process.stdout.write(JSON.stringify(m)); });"
    )
    r = subprocess.run(["node", "-e", script], input=json.dumps(docs), capture_output=True,
                       text=True, check=True)  # fmt: skip
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "search-index.js").write_text(f"window.VAE_SEARCH_INDEX = {json.dumps(r.stdout)};\n")
    shutil.copy(minisearch / "dist/umd/index.js", assets / "minisearch.js")
    shutil.copy(minisearch / "LICENSE.txt", assets / "minisearch-LICENSE.txt")


# -- the frame ----------------------------------------------------------------------------
def short(title: str) -> str:
    """A page title for the sidebar: the part before a colon."""
    return title.split(":")[0].strip()


def sidebar(pages: list[tuple[str, str]], current: str, toc: list[dict]) -> str:
    """Every page in order, the current one marked (``aria-current``) with its sections."""
    items = []
    for href, title in [("index.html", "Contents"), *pages]:
        here = href == current
        cls = ' class="current"' if here else ""
        aria = ' aria-current="page"' if here else ""
        sub = ""
        if here and toc:
            sub = '<ol class="vae-toc">' + "".join(
                f'<li class="vae-h{s["level"]}"><a href="#{html.escape(s["id"], quote=True)}">'
                f"{html.escape(s['title'])}</a></li>"
                for s in toc
                if s["level"] > 1
            ) + "</ol>"  # fmt: skip
        items.append(f'<li{cls}><a href="{href}"{aria}>{html.escape(short(title))}</a>{sub}</li>')
    return (
        '<aside class="vae-sidebar"><a class="vae-home" href="index.html">Variational inference '
        'and the VAE</a><form class="vae-search" role="search"><input id="vae-search" '
        'type="search" placeholder="Search the tutorial" aria-label="Search the tutorial" '
        'autocomplete="off"><p id="vae-search-status" class="vae-status" role="status"></p>'
        '<ol id="vae-results" class="vae-results"></ol></form>'
        '<details class="vae-menu" open><summary>Contents</summary>'
        '<nav aria-label="tutorial pages"><ol>' + "".join(items) + "</ol></nav></details></aside>"
    )


def prevnext(pages: list[tuple[str, str]], current: str) -> str:
    """Links to the pages before and after ``current`` in the book's order."""
    order = [("index.html", "Contents"), *pages]
    i = [h for h, _ in order].index(current)

    def link(j: int, rel: str) -> str:
        if not 0 <= j < len(order):
            return "<span></span>"
        text = html.escape(short(order[j][1]))
        text = f"&larr; {text}" if rel == "prev" else f"{text} &rarr;"
        return f'<a rel="{rel}" href="{order[j][0]}">{text}</a>'

    return (
        '<nav class="vae-prevnext" aria-label="previous and next page">'
        + link(i - 1, "prev") + link(i + 1, "next") + "</nav>"
    )  # fmt: skip


VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
HEAD = f"<script>{SEARCH_JS}</script><style>{CSS}</style>"


def frame(body: str, pages: list[tuple[str, str]], current: str, toc: list[dict]) -> str:
    """Wrap a page's ``<body>`` content in the book frame; add the head's scripts and style."""
    head = HEAD if 'name="viewport"' in body else VIEWPORT + HEAD
    body = body.replace("</head>", head + "</head>", 1)
    start = ('<a class="vae-skip" href="#content">Skip to content</a>'
             f'<div class="vae-book">{sidebar(pages, current, toc)}'
             '<div class="vae-content" id="content">')  # fmt: skip
    body = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>" + start, body, count=1)
    return body.replace("</body>", prevnext(pages, current) + "</div></div></body>", 1)
