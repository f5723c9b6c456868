"""Which live view stands where a notebook shows a widget, on the website.

Each notebook's widget outputs are matched, in order, with the views below: the same
constructor calls as the notebook's cells (``vae_tutorial`` builds them; nothing is computed
here). What a notebook computed before building its view (the training curves of notebook 05,
the digits worth a look in notebook 09) and where each control was left are read from the
stored notebook's widget state (``make notebooks`` keeps it), so the page starts where the
stored notebook ends. ``tests/test_site_views.py`` checks that every widget output of every
notebook has its view here and that the page's controls are the notebook's controls.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


@functools.cache
def _mnist():
    import vae_tutorial as vt

    return vt.load("mnist-binarized")


@functools.cache
def _model(name: str):
    import vae_tutorial as vt

    return vt.load_pretrained(name)


def _means(name: str, x) -> np.ndarray:
    from vae_tutorial.core import latent_space as ls

    return ls.encode_means(_model(name), x)


def _first(label: int) -> int:
    return int(np.flatnonzero(_mnist().test_labels.numpy() == label)[0])


# --- the views, notebook by notebook (as the cells build them) ------------------------------


def conjugate_1d(saved):
    from vae_tutorial.widgets.posteriors import ConjugateExplorer1D

    return ConjugateExplorer1D(alpha=1.0, beta=2.0, w=1.0, x=1.5)


def conjugate_2d(saved):
    from vae_tutorial.widgets.posteriors import ConjugateExplorer2D

    return ConjugateExplorer2D(alpha=1.0, beta=2.0, W=((1.0, 0.5), (0.0, 1.0)), x=(1.0, 1.0))


def hard_posterior(saved):
    from vae_tutorial.widgets.posteriors import HardPosteriorExplorer

    return HardPosteriorExplorer("sigmoid")


def reparam(saved):
    from vae_tutorial.widgets.reparameterization import ReparamExplorer

    return ReparamExplorer(mu=0.0, sigma=1.0, target=(1.0, 0.5))


def elbo_plot(saved):
    from vae_tutorial.widgets.training_plot import LiveELBOPlot

    curves = saved.get("curves")
    if not curves or not curves.get("samples"):
        raise ValueError("notebook 05's stored LiveELBOPlot has no curves: run `make notebooks`")
    return LiveELBOPlot.from_curves(curves)


def latent_mnist_z2(saved):
    from vae_tutorial.widgets.latent_explorer import LatentExplorer

    mnist = _mnist()
    return LatentExplorer(_model("mnist-z2"), (28, 28), points=_means("mnist-z2", mnist.test),
                          labels=mnist.test_labels.numpy())  # fmt: skip


def browser_mnist_z2(saved):
    return "mnist-z2"  # the anywidget explorer: site/build.py embeds it as its own page does


def latent_mnist_z20(saved):
    from vae_tutorial.widgets.latent_explorer import LatentExplorer

    mnist = _mnist()
    view = LatentExplorer(_model("mnist-z20"), (28, 28), points=_means("mnist-z20", mnist.test),
                          labels=mnist.test_labels.numpy())  # fmt: skip
    view.picker.value = _first(3)
    return view


def interpolation(saved):
    from vae_tutorial.widgets.latent_explorer import InterpolationExplorer

    return InterpolationExplorer(_model("mnist-z20"), _mnist().test, (28, 28), a=_first(2),
                                 b=_first(7), t=0.5)  # fmt: skip


def reconstruction(saved):
    from vae_tutorial.widgets.latent_explorer import ReconstructionBrowser

    mnist = _mnist()
    return ReconstructionBrowser(_model("mnist-z2"), mnist.test, (28, 28),
                                 labels=mnist.test_labels.numpy(), index=_first(3))  # fmt: skip


def latent_frey(saved):
    import vae_tutorial as vt
    from vae_tutorial.core import latent_space as ls
    from vae_tutorial.widgets.latent_explorer import LatentExplorer

    frey = vt.load("frey-faces")
    model = _model("frey-z2")
    return LatentExplorer(model, (28, 20), points=_means("frey-z2", frey.test),
                          reference=ls.decode_one(model, np.zeros(2), (28, 20)),
                          reference_name="the face at z = (0, 0)", limit=6.0,
                          z0=[0.0, 2.0])  # fmt: skip


def latent_grey_shared(saved):
    import vae_tutorial as vt
    from vae_tutorial.core import pretrained
    from vae_tutorial.studies import decoder_comparison as fam
    from vae_tutorial.widgets.latent_explorer import LatentExplorer

    grey = vt.load("mnist-grey")
    model = pretrained.load_or_train("mnist-grey-shared")
    points = fam.latent_summary(model, grey.test, grey.test_labels)["points"]
    return LatentExplorer(model, (28, 28), points=points, labels=grey.test_labels.numpy())


def posterior_inspector(saved):
    from vae_tutorial.widgets.beyond import PosteriorInspector

    picks = saved.get("picks", [])
    if not picks:
        raise ValueError("notebook 09's stored PosteriorInspector has no picks: run "
                         "`make notebooks`")  # fmt: skip
    mnist = _mnist()
    return PosteriorInspector(_model("mnist-z2"), mnist.test, picks,
                              labels=mnist.test_labels.numpy())  # fmt: skip


def collapse(saved):
    from vae_tutorial.studies import beyond
    from vae_tutorial.widgets.beyond import CollapseExplorer

    return CollapseExplorer(beyond.load_results())


#: notebook -> its widget outputs in order: (the class name its text starts with, recipe)
VIEWS: dict[str, list[tuple[str, Callable]]] = {
    "01_conjugate_posteriors": [("ConjugateExplorer1D", conjugate_1d),
                                ("ConjugateExplorer2D", conjugate_2d)],
    "02_hard_posteriors": [("HardPosteriorExplorer", hard_posterior)],
    "04_sgvb": [("ReparamExplorer", reparam)],
    "05_aevb": [("LiveELBOPlot", elbo_plot)],
    "06_latent_explorer": [("LatentExplorer", latent_mnist_z2),
                           ("BrowserExplorer", browser_mnist_z2),
                           ("LatentExplorer", latent_mnist_z20),
                           ("InterpolationExplorer", interpolation),
                           ("ReconstructionBrowser", reconstruction),
                           ("LatentExplorer", latent_frey)],
    "07_likelihoods_and_priors": [("LatentExplorer", latent_grey_shared)],
    "09_beyond_the_bound": [("PosteriorInspector", posterior_inspector),
                            ("CollapseExplorer", collapse)],
}  # fmt: skip


# --- reading the stored notebook ------------------------------------------------------------


def widget_outputs(nb: dict) -> list[tuple[dict, str]]:
    """Every widget output of ``nb`` in order, with the class name its text starts with."""
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET in data:
                text = "".join(data.get("text/plain", ""))
                found.append((out, re.split(r"[:(]", text, maxsplit=1)[0].strip()))
    return found


def saved_controls(nb: dict, model_id: str) -> list[dict[str, Any]]:
    """The stored state of every control a widget output reaches (description, value, range),
    in the order they were created."""
    from vae_tutorial.widgets.stored import reachable, state_of

    state = state_of(nb)
    keep = reachable(state, [model_id]) if model_id else set()
    kinds = ("FloatSlider", "IntSlider", "BoundedIntText", "Dropdown", "SelectionSlider",
             "Checkbox", "FloatText")  # fmt: skip
    return [state[m]["state"] for m in state if m in keep
            and state[m].get("model_name", "").removesuffix("Model") in kinds]  # fmt: skip


def saved_of(nb: dict, out: dict) -> dict[str, Any]:
    """What a recipe reads from a stored widget: its controls, LiveELBOPlot's curves, and the
    test digits of a "worth a look" menu (notebook 09's picks)."""
    from vae_tutorial.widgets.stored import state_of

    model_id = out["data"][WIDGET].get("model_id", "")
    root = state_of(nb).get(model_id, {}).get("state", {})
    controls = saved_controls(nb, model_id)
    menus = [c.get("_options_labels", []) for c in controls
             if c.get("_model_name") == "DropdownModel"]  # fmt: skip
    labels = next((m for m in menus if any(str(o).startswith("#") for o in m)), [])
    picks = [int(lab.lstrip("#")) for lab in labels if str(lab).startswith("#")]
    return {"controls": controls, "curves": root.get("curves"), "picks": picks}


def stored_control(saved: dict[str, Any], w: Any) -> dict[str, Any] | None:
    """The stored state of the control of the same kind and label as widget ``w``."""
    for c in saved["controls"]:
        if c.get("description") == w.description and c.get("_model_name") == w._model_name:
            return c
    return None


def restore(view: Any, saved: dict[str, Any]) -> None:
    """Put the view's controls where the stored notebook left them (matched by description;
    a picker first, as a reader would use it, then the sliders)."""
    if isinstance(view, str):
        return
    controls = sorted(view.page_controls().items(), key=lambda item: item[0] != "picker")
    for name, w in controls:
        c = stored_control(saved, w)
        if c is None:
            continue
        try:
            if "index" in c:  # a selection: its state holds the chosen option's position
                if c["index"] is not None and w.index != c["index"]:
                    w.index = c["index"]
            elif "value" in c and w.value != c["value"]:
                w.value = c["value"]
        except Exception as e:  # noqa: BLE001 - say which control, not a traceback
            raise ValueError(f"{type(view).__name__}: cannot restore {name} from {c!r:.80} "
                             f"({e})") from e  # fmt: skip


def views_of(path: Path) -> list[tuple[dict, str, Any]]:
    """(widget output, class name, live view or explorer name) for every widget output of the
    stored notebook ``path``, restored to its stored state."""
    import nbformat

    nb = json.loads(json.dumps(nbformat.read(path, as_version=4)))
    recipes = VIEWS.get(path.stem, [])
    outputs = widget_outputs(nb)
    if [n for _, n in outputs] != [n for n, _ in recipes]:
        raise ValueError(
            f"{path.name}: its widget outputs {[n for _, n in outputs]} do not match the site's "
            f"views {[n for n, _ in recipes]} (site/views.py VIEWS)"
        )
    found = []
    for (out, name), (_, recipe) in zip(outputs, recipes, strict=True):
        saved = saved_of(nb, out)
        view = recipe(saved)
        restore(view, saved)
        found.append((out, name, view))
    return found


#: the line under each live view on the site: where it computes
NOTES = {
    "PosteriorInspector": (
        "On this page the slider runs over the test digits whose frames were drawn by the "
        "package when the site's data were made (every class in proportion, and the digits "
        "worth a look); in Jupyter it runs over all 10,000, a few seconds each."
    ),
    "CollapseExplorer": "Each run's frame was drawn by the package when the site was built.",
    "LiveELBOPlot": "Both x scales were drawn by the package from the stored training curves.",
}
INSPECTOR = "site/posterior_inspector.npz"  # under data/: the PosteriorInspector's frames


def inspector_frames() -> dict[int, bytes]:
    """Notebook 09's PosteriorInspector frames, shipped (``python site/views.py``)."""
    from vae_tutorial.datasets.files import verified_path

    with np.load(verified_path(INSPECTOR), allow_pickle=False) as f:
        indices, ends, blob = f["indices"], f["ends"], f["png"].tobytes()
    starts = np.concatenate([[0], ends[:-1]])
    return {int(i): blob[a:b] for i, a, b in zip(indices, starts, ends, strict=True)}


def make_inspector_frames() -> Path:
    """Draw the frames (a few seconds a digit) and write them, atomically, under data/."""
    from vae_tutorial.atomic import atomic_write_bytes
    from vae_tutorial.settings import data_dir
    from vae_tutorial.widgets.page import frame_key

    nb_path = ROOT / "notebooks" / "09_beyond_the_bound.ipynb"
    (_, _, view), _ = views_of(nb_path)
    indices = view.page_indices()
    frames = view.page_state()["frames"]
    pngs = [frames[frame_key([i])] for i in indices]
    out = data_dir() / INSPECTOR
    out.parent.mkdir(parents=True, exist_ok=True)
    import io

    buf = io.BytesIO()
    np.savez(buf, indices=np.array(indices, dtype=np.int64),
             ends=np.cumsum([len(p) for p in pngs]).astype(np.int64),
             png=np.frombuffer(b"".join(pngs), dtype=np.uint8))  # fmt: skip
    atomic_write_bytes(out, buf.getvalue())
    return out


if __name__ == "__main__":
    import sys
    import time

    t0 = time.perf_counter()
    path = make_inspector_frames()
    print(f"wrote {path} ({path.stat().st_size:,} bytes) in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)  # fmt: skip
