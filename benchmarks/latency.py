"""Latency of the interactive parts, and notebook execution times, for ``bench``.

- :func:`slider_ms`: a latent change -> new image sent through the real ``LatentExplorer``;
- :func:`grid_ms`: decoding a 20 x 20 manifold canvas and encoding it as PNG bytes;
- :func:`notebook_seconds`: seconds per notebook under the quick switch, measured now or
  read from the newer of ``runs/bench_notebooks.json`` and ``runs/junit.xml``.
"""

from __future__ import annotations

import json
import os
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from vae_tutorial.core.model import VAE
from vae_tutorial.settings import torch_threads
from vae_tutorial.viz.images import to_png

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_CACHE = REPO / "runs" / "bench_notebooks.json"
JUNIT_XML = REPO / "runs" / "junit.xml"
EXPLORER_DATA = {
    "mnist-z2": "mnist-binarized",
    "mnist-z20": "mnist-binarized",
    "frey-z2": "frey-faces",
}


def _seconds(f: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> float:
    t0 = clock()
    f()
    return clock() - t0


def explorer(name: str):
    """The ``LatentExplorer`` as notebook 06 builds it for shipped model ``name`` (encoded
    test set for the picker, scatter for 2-D models, z = 0 reference for Frey Face)."""
    from vae_tutorial import datasets as data
    from vae_tutorial.core import latent_space as explore
    from vae_tutorial.core import pretrained
    from vae_tutorial.widgets.latent_explorer import LatentExplorer

    model, ds = pretrained.load_pretrained(name), data.load(EXPLORER_DATA[name])
    means = explore.encode_means(model, ds.test)
    labels = None if ds.test_labels is None else ds.test_labels.numpy()
    reference = None
    if name.startswith("frey"):
        reference = explore.decode_one(model, np.zeros(model.z_dim), ds.image_shape)
    return LatentExplorer(model, ds.image_shape, points=means, labels=labels, reference=reference)


def slider_ms(widget, n: int, seed: int = 0) -> np.ndarray:
    """Milliseconds (n,) for each of ``n`` changes of the first slider (after 20 warm-up ones):
    traitlets observer -> decode -> pixels -> PixelImage.data, number boxes, picker, scatter."""
    slider, times = widget.sliders[0], []
    rng = np.random.default_rng(seed)
    values = np.round(rng.uniform(slider.min, slider.max, n + 20) / slider.step) * slider.step
    for i, v in enumerate(values):
        if v == slider.value:
            v = -v if v else slider.step
        before = widget.image.data
        elapsed = _seconds(lambda v=v: setattr(slider, "value", float(v)))
        if widget.image.data is before or widget.error is not None:
            raise RuntimeError("the slider change did not produce a new image")
        if i >= 20:
            times.append(elapsed * 1e3)
    return np.asarray(times)


def grid_ms(model: VAE, image_shape: tuple[int, ...], repeats: int, resolution: int = 20) -> float:
    """Median milliseconds to decode a resolution x resolution manifold canvas and make PNG
    bytes (1 thread)."""
    from vae_tutorial.core import latent_space as explore

    def job() -> bytes:
        return to_png(explore.manifold(model, resolution, image_shape))

    with torch_threads(1):
        job()
        return 1e3 * float(np.median([_seconds(job) for _ in range(repeats)]))


def notebook_seconds(measure: bool = False, allow_measure: bool = True) -> dict[str, Any]:
    """Seconds per notebook under ``VAE_TUTORIAL_QUICK=1``, and where they come from.

    ``measure``: execute every ``notebooks/NN_*.ipynb`` now with nbclient (kernel start
    included) and cache the times in ``runs/bench_notebooks.json``. Otherwise the newer of
    that cache and ``runs/junit.xml`` (the last ``make test`` run with ``--junitxml``:
    nbval's per-cell times, summed); with neither, measure if ``allow_measure``."""
    paths = sorted((REPO / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
    found = [p for p in (NOTEBOOK_CACHE, JUNIT_XML) if p.is_file()]
    if not measure and found:
        src = max(found, key=lambda p: p.stat().st_mtime)
        times = json.loads(src.read_text()) if src.suffix == ".json" else _junit_times(src)
        return {"notebook_seconds": times, "notebook_source": f"{src.name} ({_age(src)})"}
    if not (measure or allow_measure) or not paths:
        return {"notebook_seconds": None, "notebook_source": "not measured (--notebooks)"}
    times, failed = {}, []
    for p in paths:  # a notebook that fails (or times out) is reported, not fatal
        try:
            times[p.stem] = _execute(p)
        except Exception as e:
            times[p.stem] = None
            failed.append(f"{p.stem} ({type(e).__name__})")
    NOTEBOOK_CACHE.parent.mkdir(exist_ok=True)
    tmp = NOTEBOOK_CACHE.with_suffix(".tmp")
    tmp.write_text(json.dumps(times, indent=1))
    tmp.replace(NOTEBOOK_CACHE)
    failures = f"; failed: {', '.join(failed)}" if failed else ""
    return {"notebook_seconds": times, "notebook_source": "measured now" + failures}


def _age(path: Path) -> str:
    return f"{(time.time() - path.stat().st_mtime) / 3600:.1f} h old"


def _junit_times(path: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    for case in ET.parse(path).iter("testcase"):
        where = " ".join(case.get(k, "") for k in ("classname", "file", "name"))
        if m := re.search(r"(\d\d_\w+)\.ipynb", where):
            times[m[1]] = times.get(m[1], 0.0) + float(case.get("time", 0.0))
    return dict(sorted(times.items()))


def _execute(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb, meta = nbformat.read(path, as_version=4), {"metadata": {"path": str(path.parent)}}
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources=meta)
    with mock.patch.dict(os.environ, {"VAE_TUTORIAL_QUICK": "1", "MPLBACKEND": "agg"}):
        return _seconds(client.execute)  # the kernel inherits the environment
