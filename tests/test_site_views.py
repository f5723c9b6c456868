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
#: views whose image is decoded pixels; the others are matplotlib figures
DECODED = {"LatentExplorer", "InterpolationExplorer", "ReconstructionBrowser"}


def _same_matplotlib() -> bool:
    """Is this matplotlib the version requirements.lock pins, which drew the stored figures
    (``make notebooks``)? Another version lays text out differently (the lowest one
    ``make test-min`` installs moves 6-14% of a figure's pixels), so a figure is compared
    pixel by pixel only with the version that drew it."""
    import re

    import matplotlib

    lock = (ROOT / "requirements.lock").read_text()
    pinned = re.search(r"^matplotlib==(\S+)", lock, re.M)
    return pinned is not None and pinned.group(1) == matplotlib.__version__


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
def test_the_site_builds_the_notebooks_views(path):
    """Each recipe alone (before anything is restored) gives the controls the notebook
    stored: same label, range, step and value; and the page gets exactly those."""
    nb = json.loads(json.dumps(nbformat.read(path, as_version=4)))
    recipes = views.VIEWS[path.stem]
    for (out, name), (_, recipe) in zip(views.widget_outputs(nb), recipes, strict=True):
        saved = views.saved_of(nb, out)
        view = recipe(saved)
        if isinstance(view, str):  # the anywidget explorer: its own state, tested elsewhere
            continue
        specs = (
            {s["name"]: s for s in view.page_state()["controls"]}
            if name != ("PosteriorInspector")
            else {}
        )  # its page slider runs over the shipped digits
        for cname, w in view.page_controls().items():
            c = views.stored_control(saved, w)
            assert c is not None, f"{path.stem} {name}: control {w.description!r} not stored"
            for key in ("min", "max", "step", "value", "index"):
                if key in c and hasattr(w, key):
                    assert c[key] == getattr(w, key), f"{path.stem} {name}.{cname}.{key}"
            if cname in specs:
                spec = specs[cname]
                assert spec["label"] == w.description, f"{name}.{cname}: label on the page"
                for key in ("min", "max", "step"):
                    if key in spec:
                        assert spec[key] == getattr(w, key), f"{name}.{cname}.{key} on the page"
                if spec["kind"] != "select":
                    assert spec["value"] == w.value, f"{name}.{cname}: page starts elsewhere"


@pytest.mark.parametrize("path", list(_pages_views()), ids=lambda p: p.stem)
def test_the_site_starts_where_the_stored_notebook_ends(path):
    """What each restored view draws is the image the stored notebook shows for it (so the
    recipe's other arguments, a target, a reference image, a latent limit, are the
    notebook's too): the same size, and at most 0.5% of pixels differ by more than 8 grey
    levels (anti-aliasing where a last-bit difference moves a line); a matplotlib figure
    compared so with the matplotlib version that drew it (``_same_matplotlib``)."""
    import numpy as np

    from vae_tutorial.widgets.stored import image_of, is_pixel_image, reachable, state_of

    nb = json.loads(json.dumps(nbformat.read(path, as_version=4)))
    state = state_of(nb)
    built = views.views_of(path)
    for (_, name, view), (stored_out, _) in zip(built, views.widget_outputs(nb), strict=True):
        if isinstance(view, str):
            continue
        model_id = stored_out["data"][views.WIDGET]["model_id"]
        shown = view.image.array()
        frames = [image_of(state[m]) for m in state
                  if m in reachable(state, [model_id]) and is_pixel_image(state[m])
                  and state[m]["state"]["alt"] == view.image.alt]  # fmt: skip
        assert frames, f"{path.stem} {name}: no stored image named {view.image.alt!r}"
        stored = frames[0].astype(np.int16)
        stored = stored if stored.ndim == shown.ndim else stored[..., :3]
        assert stored.shape == shown.shape, (name, stored.shape, shown.shape)
        if name not in DECODED and not _same_matplotlib():
            continue  # same size checked (figure size and dpi); pixels with the locked version
        differ = np.abs(stored - shown.astype(np.int16))
        differ = (differ.max(axis=-1) if differ.ndim == 3 else differ) > 8
        assert differ.mean() < 0.005, f"{path.stem} {name}: {differ.mean():.2%} of pixels differ"


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
    if not _same_matplotlib():
        return  # a figure is compared pixel by pixel with the matplotlib that drew it
    differ = (np.abs(page - now).max(axis=2) > 8).mean()
    assert differ < 0.002, f"{differ:.2%} of the pixels differ from the package's frame"
