"""What a reader of a stored notebook sees of its widgets on GitHub or nbviewer (no kernel).

The stored notebooks carry no widget state (``make notebooks`` runs nbstripout, which drops
``metadata.widgets``): the browser explorer's state alone would add about 2.2 MB (its decoder's
weights, base64) to notebook 06 at every re-execution, GitHub does not render widget state,
and the kernel-side widgets restored from it would be frozen controls. So every widget output
must stand on its own: a one-line description as its text/plain, which nbconvert's stock
HTML export (what nbviewer runs) shows in place of the widget, and a static picture of its
initial state in the same code cell or one of the next three. The static site (site/build.py)
links to explorers that run in the browser instead.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))  # 05b_... too
WIDGET = "application/vnd.jupyter.widget-view+json"


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
    assert "widgets" not in nb.metadata, f"{path.name} stores widget state (megabytes)"
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
    small = nbformat.v4.new_notebook(cells=[code[i] for i in cells], metadata=nb.metadata)
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(small)
    for _, out in outputs:
        line = out["data"]["text/plain"].strip()
        escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in body, f"{path.name}: nbconvert does not show {line[:60]!r}"


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "notebooks/dashboards/latent_explorer.ipynb"],
                         ids=lambda p: p.stem)  # fmt: skip
def test_stored_widget_outputs_are_detached_from_their_kernel(path):
    """JupyterLab shows "Error displaying widget: model not found" for a stored widget output
    whose kernel is gone, unless its model id is empty (jupyter/nbconvert does that when
    `make notebooks` stores a notebook)."""
    ids = [o["data"][WIDGET]["model_id"] for _, o in _widget_outputs(nbformat.read(path, 4))]
    stale = [i for i in ids if i]
    assert not stale, (
        f"{path.name}: {len(stale)} widget outputs name a kernel's model; store the notebook "
        "with `make notebooks` (JUPYTER_CONFIG_PATH=jupyter/nbconvert)"
    )
