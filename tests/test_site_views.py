"""The website's live views stand where the notebooks show widgets, with the same controls.

``site/views.py`` builds, for every widget output of every stored notebook, the view the
notebook's cell builds (the package's own class and arguments), restored to the stored state.
These tests check the match (class, order), that the page gets the notebook's controls (same
label, range, step and stored value) and that every view can describe itself to a page.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))  # the site's build scripts are not a package

import views  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_widget_output_has_its_view(path):
    nb = nbformat.read(path, as_version=4)
    names = [n for _, n in views.widget_outputs(nb)]
    assert names == [n for n, _ in views.VIEWS.get(path.stem, [])], (
        f"{path.name}: widget outputs {names}; add the view to site/views.py VIEWS"
    )


def _pages_views():
    for path in NOTEBOOKS:
        if path.stem in views.VIEWS:
            yield path


@pytest.mark.parametrize("path", list(_pages_views()), ids=lambda p: p.stem)
def test_the_page_has_the_notebooks_controls(path):
    nb = json.loads(json.dumps(nbformat.read(path, as_version=4)))
    for (out, name, view), (_, _) in zip(views.views_of(path), views.widget_outputs(nb),
                                         strict=True):  # fmt: skip
        if isinstance(view, str):  # the anywidget explorer: its own state, tested elsewhere
            continue
        saved = views.saved_of(nb, out)
        state = view.page_state() if name != "PosteriorInspector" else None
        for cname, w in view.page_controls().items():
            c = views.stored_control(saved, w)
            assert c is not None, f"{path.stem} {name}: control {w.description!r} not stored"
            for key in ("min", "max", "step"):
                if key in c and hasattr(w, key):
                    assert c[key] == getattr(w, key), f"{name}.{cname}.{key}"
            if "value" in c and not hasattr(w, "_options_values"):
                assert c["value"] == w.value, f"{name}.{cname}: page starts at {w.value}"
        if state is not None:
            specs = {s["name"]: s for s in state["controls"]}
            for cname, w in view.page_controls().items():
                spec = specs[cname]
                for key in ("min", "max", "step"):
                    if key in spec:
                        assert spec[key] == getattr(w, key), f"{name}.{cname}.{key} on the page"
            json.dumps(state, default=lambda b: len(b))  # JSON-able but for binary arrays


def test_the_inspectors_shipped_frames_stand_for_the_test_set():
    """Notebook 09's PosteriorInspector on the site: frames for every class and every digit
    worth a look, drawn by the package (one recomputed here and compared pixel for pixel)."""
    import numpy as np
    from PIL import Image

    frames = views.inspector_frames()
    path = ROOT / "notebooks" / "09_beyond_the_bound.ipynb"
    (_, _, view), _ = views.views_of(path)
    assert sorted(frames) == view.page_indices()
    assert set(view.indices) <= set(frames)
    labels = view.labels[sorted(frames)]
    assert set(labels.tolist()) == set(range(10)), "every class is on the page"
    i = min(frames)  # one digit drawn again now (a few seconds)
    view.index.value = i
    import io

    page = np.asarray(Image.open(io.BytesIO(frames[i])).convert("RGB"), dtype=np.int16)
    now = np.asarray(Image.open(io.BytesIO(view.draw())).convert("RGB"), dtype=np.int16)
    assert page.shape == now.shape
    differ = (np.abs(page - now).max(axis=2) > 8).mean()
    assert differ < 0.002, f"{differ:.2%} of the pixels differ from the package's frame"
