"""What a reader of a stored notebook sees of its widgets without running it.

``make notebooks`` stores each widget's last state (``metadata.widgets``, tidied by
``vae_tutorial.widgets.stored``): JupyterLab, Notebook 7 and nbviewer draw each widget as it
was left, the browser explorer is live from its state alone (its weights are in it), and each
kernel-side view says under its last image that moving it needs a kernel. For readers whose
front end draws no widgets (GitHub), every widget output also keeps a one-line text and a
static picture in the same cell or one of the next three.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import nbformat
import pytest

from vae_tutorial.widgets.base import KERNEL_NOTE, NOTE_CLASS
from vae_tutorial.widgets.stored import STATE, is_pixel_image, reachable, state_of

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))  # 05b_... too
WIDGET = "application/vnd.jupyter.widget-view+json"
#: bytes of stored widget state a notebook may carry: kernel-side views store a PNG frame
#: and their controls (tens of kB each); notebook 06 also holds the browser explorer's
#: decoder weights and encoded test set once
BUDGET = {"06_latent_explorer": 3_500_000}
DEFAULT_BUDGET = 400_000


def _widget_outputs(nb) -> list[tuple[int, dict]]:
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [
        (i, o)
        for i, c in enumerate(code)
        for o in c.get("outputs", [])
        if WIDGET in o.get("data", {})
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_widgets_read_without_a_kernel(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    outputs = _widget_outputs(nb)
    for i, out in outputs:
        text = out["data"].get("text/plain", "")
        assert text and "\n" not in text.strip(), f"{path.name}: widget without a one-line text"
        assert "children=" not in text, f"{path.name}: a raw widget repr: {text[:80]}"
        after = [o for c in code[i : i + 4] for o in c.get("outputs", [])]
        assert any("image/png" in o.get("data", {}) for o in after), (
            f"{path.name}: no static picture after the widget {text[:60]!r}"
        )
    if not outputs:
        return
    from nbconvert import HTMLExporter

    cells = sorted({i for i, _ in outputs})
    small = nbformat.v4.new_notebook(cells=[code[i] for i in cells])
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(small)
    for _, out in outputs:
        line = out["data"]["text/plain"].strip()
        escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in body, f"{path.name}: nbconvert does not show {line[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_widget_is_stored_as_it_was_left(path):
    nb = nbformat.read(path, as_version=4)
    ids = [o["data"][WIDGET]["model_id"] for _, o in _widget_outputs(nb)]
    state = state_of(nb)
    if not ids:
        assert not state, f"{path.name}: widget state without a widget output"
        return
    hint = "store it with `make notebooks` (nbstripout --keep-metadata-keys metadata.widgets)"
    assert all(ids), f"{path.name}: a widget output names no model; {hint}"
    assert state, f"{path.name}: no widget state; {hint}"
    missing = [i for i in ids if i not in state]
    assert not missing, f"{path.name}: outputs whose model is not stored: {missing}; {hint}"
    # nothing a reader cannot see: every stored model is reached from a displayed widget
    assert reachable(state, ids) == set(state), f"{path.name}: stored models nobody displays"
    size = len(json.dumps(nb.metadata["widgets"][STATE]))
    budget = BUDGET.get(path.stem, DEFAULT_BUDGET)
    print(f"{path.stem}: {len(state)} models, {size:,} bytes of widget state")
    assert size <= budget, f"{path.name}: {size:,} bytes of widget state (budget {budget:,})"
    images = [m for m in state.values() if is_pixel_image(m)]
    for m in images:  # the last frame, as PNG (not raw pixels: hundreds of kB)
        assert m["state"]["format"] == "png", f"{path.name}: a raw frame is stored"
        data = base64.b64decode(m["buffers"][0]["data"])
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and m["state"]["width"] > 0
    notes = [m["state"] for m in state.values() if NOTE_CLASS in m["state"].get("_dom_classes", ())]
    views = [o for _, o in _widget_outputs(nb) if "BrowserExplorer" not in o["data"]["text/plain"]]
    assert len(notes) == len(views), f"{path.name}: {len(notes)} kernel notes, {len(views)} views"
    assert all(n["value"] == KERNEL_NOTE for n in notes), f"{path.name}: an empty kernel note"


def test_the_browser_explorer_is_stored_with_its_weights_once():
    """Notebook 06's anywidget explorer needs no kernel: its decoder weights are in its
    stored state, once (the same model's weights are not stored twice)."""
    nb = nbformat.read(ROOT / "notebooks" / "06_latent_explorer.ipynb", as_version=4)
    models = [m for m in state_of(nb).values() if "weights" in m.get("state", {})
              or any(b["path"] == ["weights"] for b in m.get("buffers", []))]  # fmt: skip
    assert len(models) == 1, f"{len(models)} stored explorers with weights"
    buffers = {b["path"][0]: b for b in models[0]["buffers"]}
    from vae_tutorial import load_pretrained
    from vae_tutorial.widgets.browser_explorer import decoder_layers

    _, weights = decoder_layers(load_pretrained("mnist-z2"))
    assert base64.b64decode(buffers["weights"]["data"]) == weights.tobytes()


@pytest.mark.parametrize("path", [ROOT / "notebooks/dashboards/latent_explorer.ipynb"],
                         ids=lambda p: p.stem)  # fmt: skip
def test_dashboard_widget_outputs_are_detached_from_their_kernel(path):
    """The classroom's dashboard is stored without state (Voila runs it): JupyterLab shows
    "Error displaying widget: model not found" for a stored widget output whose kernel is
    gone, unless its model id is empty."""
    ids = [o["data"][WIDGET]["model_id"] for _, o in _widget_outputs(nbformat.read(path, 4))]
    assert not [i for i in ids if i], f"{path.name}: widget outputs name a kernel's model"
