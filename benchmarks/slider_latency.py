"""Server-side latency of the latent explorer: slider change -> new PNG bytes.

    python benchmarks/slider_latency.py [--n 300] [--check]

For each shipped model (mnist-z2, mnist-z20, frey-z2) it builds the notebook's
``LatentExplorer`` (with the encoded test set for the picker, the scatter for the 2-D
models, and the z = 0 reference image for Frey Face, as in notebook 06), then sets the
first slider ``n`` times through the real widget code path (traitlets observer ->
decode -> PNG -> Image.value, plus number boxes, nearest test image and scatter cross-hair)
and prints p50/p95/max in milliseconds as a table and as one JSON line. The target is
p95 < 30 ms (issue 4); ``--check`` exits with status 1 when a model misses it.
The browser adds the websocket round trip and the image decode on top of this.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

import numpy as np
import torch

from vae_tutorial import data, explore, pretrained
from vae_tutorial.widgets.explorer import LatentExplorer

TARGET_MS = 30.0
MODELS = {"mnist-z2": "mnist-binarized", "mnist-z20": "mnist-binarized", "frey-z2": "frey-faces"}


def build(name: str) -> LatentExplorer:
    """The explorer as notebook 06 builds it for model ``name``."""
    model = pretrained.load_pretrained(name)
    ds = data.load(MODELS[name])
    means = explore.encode_means(model, ds.test)
    labels = None if ds.test_labels is None else ds.test_labels.numpy()
    reference = None
    if name.startswith("frey"):
        reference = explore.decode_one(model, np.zeros(model.z_dim), ds.image_shape)
    return LatentExplorer(model, ds.image_shape, points=means, labels=labels, reference=reference)


def measure(widget: LatentExplorer, n: int, seed: int = 0) -> np.ndarray:
    """Milliseconds for each of ``n`` changes of the first slider (after 20 warm-up ones)."""
    slider = widget.sliders[0]
    rng = np.random.default_rng(seed)
    values = np.round(rng.uniform(slider.min, slider.max, n + 20) / slider.step) * slider.step
    times = []
    for i, v in enumerate(values):
        if v == slider.value:
            v = -v if v else slider.step
        before = widget.image.value
        t0 = time.perf_counter()
        slider.value = float(v)
        elapsed = time.perf_counter() - t0
        if widget.image.value is before or widget._error_shown:
            raise RuntimeError("the slider change did not produce a new image")
        if i >= 20:
            times.append(elapsed * 1e3)
    return np.asarray(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="slider changes per model")
    parser.add_argument("--check", action="store_true", help=f"fail if p95 >= {TARGET_MS} ms")
    args = parser.parse_args(argv)
    results = {}
    print(f"{'model':10s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}  PNG bytes  target")
    for name in MODELS:
        widget = build(name)
        t = measure(widget, args.n)
        p50, p95, worst = np.percentile(t, 50), np.percentile(t, 95), t.max()
        results[name] = {
            "p50_ms": round(p50, 3),
            "p95_ms": round(p95, 3),
            "max_ms": round(worst, 3),
        }
        ok = "ok" if p95 < TARGET_MS else "MISSED"
        size = len(widget.image.value)
        print(f"{name:10s} {p50:8.2f} {p95:8.2f} {worst:8.2f}  {size:9d}  {ok}")
    record = {
        "benchmark": "slider_latency",
        "n": args.n,
        "target_p95_ms": TARGET_MS,
        "torch_threads_render": 1,
        "torch": torch.__version__,
        "machine": platform.machine(),
        "results": results,
    }
    print(json.dumps(record))
    missed = [k for k, v in results.items() if v["p95_ms"] >= TARGET_MS]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
