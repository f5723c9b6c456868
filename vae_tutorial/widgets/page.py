"""A view on a static page: what a kernel-side view gives the website so that it moves there.

Every view of notebooks 01-09 runs on the static site (``site/build.py``) without a kernel.
Python stays the source of truth: a view that can run on a page implements

- ``page_state() -> dict``: JSON-able, what the page needs: ``{"module": NAME, "controls":
  control_specs(...), ...}`` plus the view's own data (numbers, lists, and ``bytes`` for
  binary arrays, which the site embeds once per page, base64, and hands to the JavaScript
  as ``ArrayBuffer``s). ``NAME`` is a script ``vae_tutorial/widgets/page_NAME.js`` that
  registers ``VAEPage.views[NAME] = mount``; ``mount(el, state)`` builds the controls (with
  ``VAEPage.controls``) and the drawing in ``el`` and returns ``{set(name, value), values()}``:
  ``set`` moves one control as a reader would and redraws at once, ``values()`` returns what
  is drawn (numbers and arrays, named as ``page_values``) for the browser test.
- ``page_values() -> dict``: the same quantities computed by the package for the view's current
  controls. The browser test (``tests/browser/test_page_*.py``) moves each control to 10 or
  more settings on the page and in Python (:func:`set_controls`) and compares the two within
  a stated tolerance.

A view whose computation cannot run in the page (a trained model's exact posterior, a redrawn
matplotlib figure) precomputes its frames: ``page_state`` then holds one PNG per setting, and
``values()`` / ``page_values()`` name the frame shown.
"""

from __future__ import annotations

import re
from typing import Any

import ipywidgets as widgets

#: the control kinds a page builds (VAEPage.controls in page.js)
KINDS = ("float", "int", "select", "checkbox")


def control_spec(name: str, w: widgets.Widget, label: str | None = None) -> dict[str, Any]:
    """One control as the page builds it: the same range, step, value and label as ``w``."""
    label = label or getattr(w, "description", "") or name
    if isinstance(w, widgets.Checkbox):
        return {"name": name, "kind": "checkbox", "label": label, "value": bool(w.value)}
    if isinstance(w, widgets.SelectionSlider | widgets.Dropdown):
        options = [
            list(o) if isinstance(o, tuple) and len(o) == 2 else [str(o), o] for o in w.options
        ]  # (label, value) pairs, as ipywidgets reads options
        options = [o for o in options if o[1] is not None]  # a "pick one..." placeholder
        value = w.value
        return {"name": name, "kind": "select", "label": label, "options": options,
                "value": value, "slider": isinstance(w, widgets.SelectionSlider)}  # fmt: skip
    if isinstance(w, widgets.FloatSlider):
        fmt = re.fullmatch(r"\.(\d+)f", getattr(w, "readout_format", ".2f") or "")
        return {"name": name, "kind": "float", "label": label, "min": float(w.min),
                "max": float(w.max), "step": float(w.step), "value": float(w.value),
                "decimals": int(fmt.group(1)) if fmt else 2}  # fmt: skip
    if isinstance(w, widgets.IntSlider | widgets.BoundedIntText):
        step = int(getattr(w, "step", 1) or 1)
        return {"name": name, "kind": "int", "label": label, "min": int(w.min),
                "max": int(w.max), "step": step, "value": int(w.value),
                "box": isinstance(w, widgets.BoundedIntText)}  # fmt: skip
    raise TypeError(f"no page control for {type(w).__name__}")


def control_specs(controls: dict[str, widgets.Widget]) -> list[dict[str, Any]]:
    """``{name: widget}`` -> the page's controls, in order."""
    return [control_spec(name, w) for name, w in controls.items()]


def set_controls(view: Any, settings: dict[str, Any]) -> None:
    """Move the view's controls by name (``view.page_controls()``) as a reader would, one at a
    time, in the order given; each move redraws as in Jupyter."""
    controls = view.page_controls()
    for name, value in settings.items():
        if name not in controls:
            names = list(controls)
            raise KeyError(f"{type(view).__name__} has no control {name!r}; it has {names}")
        controls[name].value = value


# --- embedding views in a page (the site, and the browser tests' one-view pages) -----------


def _script(name: str) -> str:
    from pathlib import Path

    return (Path(__file__).parent / name).read_text()


#: the notebook widgets' ES modules a page module's script uses, loaded before it as classic
#: scripts (:func:`classic_script`): page module -> [(ES module, the names it gives VAEPage)]
REQUIRES = {"latent": [("browser_explorer.js", ("makeDecoder",))]}


def classic_script(esm: str, names: tuple[str, ...]) -> str:
    """An ES module's text as a classic script (pages open from file://, where a module
    cannot import another file): ``export`` dropped, the code run in its own function scope,
    and ``names`` put on ``window.VAEPage`` (page.js runs first)."""
    import re

    body = re.sub(r"^export default .*$", "", esm, flags=re.M)
    body = re.sub(r"^export (?=(async )?function|class |const |let )", "", body, flags=re.M)
    if re.search(r"^\s*(import|export)\b", body, flags=re.M):
        raise ValueError("the module imports or exports in a way classic_script cannot undo")
    return (f'(function () {{\n"use strict";\n{body}\n'
            f"Object.assign(window.VAEPage, {{ {', '.join(names)} }});\n}})();\n")  # fmt: skip


def page_scripts(modules: list[str]) -> dict[str, str]:
    """The scripts of a page whose views use ``modules``, in the order they must run: file
    name -> text (``page.js``; each ES module they need, as ``NAME.classic.js``; then
    ``page_MODULE.js``). The site writes these files once; a one-view page inlines them."""
    scripts = {"page.js": _script("page.js")}
    for m in modules:
        for esm, names in REQUIRES.get(m, []):
            name = esm.removesuffix(".js") + ".classic.js"
            scripts.setdefault(name, classic_script(_script(esm), names))
        scripts[f"page_{m}.js"] = _script(f"page_{m}.js")
    return scripts


def _split_blobs(value: Any, blobs: dict[str, str]) -> Any:
    """``bytes`` anywhere in a state -> ``{"$blob": key}``, the base64 text into ``blobs``; the
    same bytes are stored once per page (a model's weights shared by several views)."""
    import base64
    import hashlib

    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        key = hashlib.sha256(data).hexdigest()[:16]
        blobs.setdefault(key, base64.b64encode(data).decode())
        return {"$blob": key}
    if isinstance(value, dict):
        return {k: _split_blobs(v, blobs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_split_blobs(v, blobs) for v in value]
    return value


def as_page_json(state: dict[str, Any], blobs: dict[str, str] | None = None) -> dict[str, Any]:
    """``state`` as a page gets it: binary arrays replaced by ``{"$blob": key}`` (their base64
    text into ``blobs``); raises ValueError for what JSON cannot hold (NaN, inf, objects)."""
    import json

    blobs = {} if blobs is None else blobs
    return json.loads(json.dumps(_split_blobs(state, blobs), allow_nan=False))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")


class PageViews:
    """The live views of one page: ``add(view)`` returns the HTML that stands where the
    widget was; ``scripts()`` the scripts and data to put once at the end of the page."""

    def __init__(self, prefix: str = "vae-view"):
        self.prefix, self.blobs, self.modules, self.n = prefix, {}, [], 0

    def blob(self, data: bytes) -> str:
        """Store ``data`` once in the page's binary arrays; returns its key."""
        return _split_blobs(data, self.blobs)["$blob"]

    def add(self, view: Any, caption: str = "", state: dict | None = None) -> str:
        """``state``: the view's ``page_state()`` when computed elsewhere (shipped frames)."""
        import html

        state = view.page_state() if state is None else state
        if state.get("module") is None or "controls" not in state:
            raise ValueError(f"{type(view).__name__}.page_state() needs 'module' and 'controls'")
        self.n += 1
        sid = f"{self.prefix}-{self.n}"
        if state["module"] not in self.modules:
            self.modules.append(state["module"])
        data = _json(_split_blobs(state, self.blobs))
        note = f'<p class="vae-live-note">{html.escape(caption)}</p>' if caption else ""
        return (f'<div class="vae-live" id="{sid}-view" data-state="{sid}" '
                f'data-view="{type(view).__name__}"></div>{note}'
                f'<script type="application/json" id="{sid}">{data}</script>')  # fmt: skip

    def scripts(self, src: str | None = None) -> str:
        """The shared script, each module's and the page's binary arrays. ``src``: a folder
        the scripts are served from (the files of :func:`page_scripts`); None: inlined."""
        scripts = page_scripts(self.modules)
        if src is None:
            tags = "".join(f"<script>{text}</script>" for text in scripts.values())
        else:
            tags = "".join(f'<script defer src="{src}/{n}"></script>' for n in scripts)
        return f'<script type="application/json" id="vae-blobs">{_json(self.blobs)}</script>' + tags


CSS = """
.vae-live { margin: 8px 0; }
.vae-page-controls { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-bottom: 6px; }
.vae-page-control { display: flex; align-items: center; gap: 6px; min-height: 24px; }
.vae-page-control label { min-width: 48px; font-size: 14px; }
.vae-page-control input[type=range] { width: 160px; }
.vae-page-control input[type=number] { width: 80px; }
.vae-page-control output { font: 13px ui-monospace, monospace; min-width: 40px; }
.vae-page-canvas { max-width: 100%; height: auto; display: block; }
.vae-live-caption { font: 13px ui-monospace, monospace; }
"""


def standalone_page(*views: Any, title: str = "view") -> str:
    """One self-contained HTML page with ``views`` live (everything inlined): for tests."""
    import html

    pv = PageViews()
    body = "".join(pv.add(v) for v in views)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>'
            f"{html.escape(title)}</title><style>{CSS}</style></head><body>{body}"
            f"{pv.scripts()}</body></html>")  # fmt: skip


# --- precomputed frames ---------------------------------------------------------------------


def frame_key(values: list[Any]) -> str:
    """The key of the frame for these control values, as page_frames.js builds it
    (``JSON.stringify``: a whole float is written as an integer there, ``1`` not ``1.0``)."""
    import json

    def js(v: Any) -> Any:
        return int(v) if isinstance(v, float) and v.is_integer() else v

    return json.dumps([js(v) for v in values], separators=(",", ":"))


def frames_state(view: Any, settings: list[dict[str, Any]], alt: str = "") -> dict[str, Any]:
    """``page_state`` of a view whose frames are drawn in Python: one PNG per setting of its
    controls (``view.draw()`` at each; the controls are put back afterwards)."""
    from ..viz.images import to_png

    controls = view.page_controls()
    start = {k: w.value for k, w in controls.items()}
    frames: dict[str, bytes] = {}
    try:
        for s in settings:
            set_controls(view, s)
            image = view.draw()
            key = frame_key([w.value for w in controls.values()])
            frames[key] = image if isinstance(image, bytes) else to_png(image)
    finally:
        set_controls(view, start)
    return {"module": "frames", "controls": control_specs(controls), "frames": frames,
            "alt": alt or view.describe()}  # fmt: skip


def frame_values(view: Any) -> dict[str, Any]:
    """``page_values`` of a precomputed view: the key of the frame its controls select."""
    return {"frame": frame_key([w.value for w in view.page_controls().values()])}
