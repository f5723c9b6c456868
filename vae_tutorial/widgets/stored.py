"""The widget state a stored notebook keeps (``make notebooks``), so that a reader who opens it
without running it (JupyterLab before Run All, Notebook 7, nbviewer, the website) sees every
widget as it was left.

nbclient records the state of every widget model the kernel created
(``metadata.widgets``). :func:`tidy_widget_state` then keeps what a reader needs, small:

- only the models a displayed widget reaches (a view built for a timing and never shown, or a
  closed one, is dropped);
- each :class:`~.pixels.PixelImage`'s last frame as PNG (the live widget sends raw pixels:
  hundreds of kB a frame);
- each kernel-side view's ``kernel_note`` filled in with :data:`~.base.KERNEL_NOTE` (the
  controls of a stored view move, but nothing redraws without a kernel).

The anywidget :class:`~.browser_explorer.BrowserExplorer` needs no kernel at all: its decoder
weights are in its state, so it is fully live from the stored notebook alone. Each model's
weights are stored once, in the one explorer that shows them.
"""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import numpy as np

from .base import KERNEL_NOTE, NOTE_CLASS

STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"
# a model names another as "IPY_MODEL_<id>" (children, layout, style); an Output widget's
# outputs name the widgets shown in it as {"model_id": "<id>"}
_REF = re.compile(r'IPY_MODEL_(\w+)|"model_id": "(\w+)"')


def _displayed(nb: dict) -> list[str]:
    return [
        out["data"][VIEW]["model_id"]
        for cell in nb.get("cells", [])
        for out in cell.get("outputs", [])
        if VIEW in out.get("data", {}) and out["data"][VIEW].get("model_id")
    ]


def reachable(state: dict[str, Any], roots: list[str]) -> set[str]:
    """The model ids ``roots`` refer to, directly or through other models (children, layout,
    style, outputs)."""
    seen: set[str] = set()
    todo = [r for r in roots if r in state]
    while todo:
        mid = todo.pop()
        if mid in seen:
            continue
        seen.add(mid)
        text = json.dumps(state[mid].get("state", {}))
        found = [a or b for a, b in _REF.findall(text)]
        todo += [m for m in found if m in state and m not in seen]
    return seen


def _png(model: dict[str, Any]) -> None:
    """A PixelImage's raw grey / RGB frame -> PNG, in place."""
    import zlib

    from ..viz.images import to_png

    s = model["state"]
    if s.get("format") not in ("grey", "rgb"):
        return
    buffers = [b for b in model.get("buffers", []) if b.get("path") == ["data"]]
    if not buffers:
        return
    raw = base64.b64decode(buffers[0]["data"])
    raw = zlib.decompress(raw) if s.get("encoding") == "deflate" else raw
    shape = (s["height"], s["width"]) + (() if s["format"] == "grey" else (3,))
    png = to_png(np.frombuffer(raw, dtype=np.uint8).reshape(shape))
    buffers[0]["data"] = base64.b64encode(png).decode()
    s["format"], s["encoding"] = "png", "raw"


def is_pixel_image(model: dict[str, Any]) -> bool:
    return "vae-pixel-image" in str(model.get("state", {}).get("_esm", ""))


def tidy_widget_state(nb: dict) -> dict[str, int]:
    """Prune, compress and annotate ``nb``'s widget state in place; returns counts (models
    kept and dropped, frames made PNG, notes filled in, bytes of state)."""
    widgets = nb.get("metadata", {}).get("widgets", {}).get(STATE)
    if not widgets:
        return {"kept": 0, "dropped": 0, "png": 0, "notes": 0, "bytes": 0}
    state = widgets["state"]
    keep = reachable(state, _displayed(nb))
    dropped = [m for m in state if m not in keep]
    for m in dropped:
        del state[m]
    png = notes = 0
    for model in state.values():
        if is_pixel_image(model):
            before = model["state"].get("format")
            _png(model)
            png += before != model["state"].get("format")
        s = model.get("state", {})
        if NOTE_CLASS in s.get("_dom_classes", ()) and not s.get("value"):
            s["value"] = KERNEL_NOTE
            notes += 1
    size = len(json.dumps(widgets))
    return {"kept": len(state), "dropped": len(dropped), "png": png, "notes": notes, "bytes": size}


def state_of(nb: dict) -> dict[str, Any]:
    """The stored widget models of ``nb`` (model id -> model), or {}."""
    return nb.get("metadata", {}).get("widgets", {}).get(STATE, {}).get("state", {})


def png_of(model: dict[str, Any]) -> bytes:
    """A stored PixelImage's frame (PNG bytes)."""
    buffers = [b for b in model.get("buffers", []) if b.get("path") == ["data"]]
    if not buffers or model["state"].get("format") != "png":
        raise ValueError("not a stored PixelImage frame (run tidy_widget_state first)")
    return base64.b64decode(buffers[0]["data"])


def image_of(model: dict[str, Any]) -> np.ndarray:
    """A stored PixelImage's frame as a uint8 array."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png_of(model))))
