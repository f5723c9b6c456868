"""The design studies of notebook 08, run: each run trained through the study runner, its
results loaded and checked, tables over seeds, and a live re-run of one point.

Which runs exist and how each is configured is :mod:`.sweep_design` (see its docstring for
the protocol).
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..atomic import atomic_write_bytes
from ..core.config import ExperimentConfig
from ..core.estimators import evaluate
from ..core.latent_space import decode_images, reconstruct
from ..core.model import VAE, build_model
from ..core.train import History, fit
from ..errors import DataError, VAETutorialError
from ..settings import torch_threads
from . import sweep_design
from .runner import Task, add_runner_arguments, run_study
from .sweep_design import (
    BUDGETS,
    DATA,
    TRAIN_STRIDE,
    _cost,
    default_dir,
    points,
    select_runs,
    sweep_runs,
)

FORMAT = 1
IMAGE_KEYS = ("test_index", "originals", "reconstructions", "samples")
HOW = "`python -m vae_tutorial reproduce sweeps --only {}`"


@torch.inference_mode()
def images(
    model: VAE, test: torch.Tensor, labels: torch.Tensor, shape: tuple[int, int] = (28, 28)
) -> dict[str, np.ndarray]:
    """uint8 pictures of a trained model: the first test digit of each class 0-9 (``originals``,
    (10, 28, 28)), its ``reconstructions`` E[x | z = mean of q(z|x)], and ``samples``, decoder
    means E[x|z] for 10 draws z ~ p(z) (generator seed 0); pixel = round(255 * p)."""
    idx = torch.stack([torch.nonzero(labels == c)[0, 0] for c in range(10)])
    z = torch.randn(10, model.z_dim, generator=torch.Generator().manual_seed(0))

    def u8(a) -> np.ndarray:
        return np.round(np.asarray(a).reshape(10, *shape) * 255).astype(np.uint8)

    x = test[idx]
    pics = {"originals": u8(x), "reconstructions": u8(reconstruct(model, x))}
    return {"test_index": idx.numpy(), **pics, "samples": u8(decode_images(model, z, shape))}


def train_run(
    name: str, sweep: str, point: str, seed: int, experiment: dict, eval_at: list[int]
) -> tuple[dict, dict]:
    """Train one run; return its record and its pictures as ``{".npz": bytes}`` (the study
    runner writes ``NAME.npz``, then ``NAME.json``, which marks the run done)."""
    from ..datasets import load

    exp = ExperimentConfig.from_dict(experiment)
    ds = load(exp.data)
    model = build_model(exp.model, seed=exp.train.seed)
    t0, c0 = time.perf_counter(), time.process_time()
    history = fit(model, ds, exp.train, eval_at=eval_at, progress=False)
    if history.interrupted:
        raise KeyboardInterrupt(f"{name} was interrupted; nothing written")
    train_seconds = time.perf_counter() - t0
    with torch_threads(exp.train.threads):
        torch.manual_seed(0)  # the final ELBOs: test first, then train (one random stream)
        sets = {"test": ds.test, "train": ds.train[::TRAIN_STRIDE]}
        final = {f"{k}_elbo": evaluate(model, x)["elbo"] for k, x in sets.items()}
        final |= {f"n_{k}": int(x.shape[0]) for k, x in sets.items()}
        pics = images(model, ds.test, ds.test_labels, ds.image_shape)
    record = {
        "format": FORMAT,
        "name": name,
        "sweep": sweep,
        "point": point,
        "seed": seed,
        "experiment": exp.to_dict(),
        "budget_samples": exp.train.max_samples,
        "eval_protocol": {
            "history": f"ELBO (estimator B, L = 1) on evenly spaced "
            f"{exp.train.eval_train_size:,}-digit train "
            "and test subsets, in the run's random stream",
            "final": f"all {final['n_test']:,} test digits and every {TRAIN_STRIDE}th training "
            "digit, L = 1, torch seed 0",
        },
        "history": history.to_dict(),
        "final": final,
        "train_seconds": round(train_seconds, 1),
        "cpu_seconds": round(time.process_time() - c0, 1),
        "torch": torch.__version__,
    }
    buf = io.BytesIO()
    np.savez_compressed(buf, **pics)
    return record, {".npz": buf.getvalue()}


def _write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1) + "\n").encode())


def tasks(names: Sequence[str] | None = None, budget_scale: float = 1.0) -> list[Task]:
    """The selected runs (sweeps, points or runs; None: all) as study tasks."""
    runs = sweep_runs(budget_scale)
    out = []
    for n in select_runs(names, runs):
        r = runs[n]
        args = {
            "name": n,
            "sweep": r.sweep,
            "point": r.point,
            "seed": r.seed,
            "experiment": r.experiment.to_dict(),
            "eval_at": list(r.eval_at),
        }
        fn = "vae_tutorial.studies.sweeps:train_run"
        out.append(Task(n, fn, args, _cost(r.experiment), extra=(".npz",)))
    return out


def run_sweeps(
    names: Sequence[str] | None = None,
    out_dir: str | Path | None = None,
    jobs: int = 1,
    budget_scale: float = 1.0,
    cluster: Any = None,
    progress: bool = True,
) -> dict[str, dict[str, Any]]:
    """Train the selected runs that are not done through the study runner (``jobs`` worker
    processes, or a Dask ``cluster``), write ``tables.json`` of every result in ``out_dir``
    (default data/sweeps) and return the selected records (with their ``images``).
    ``budget_scale`` multiplies every budget (quick checks)."""
    out = Path(out_dir) if out_dir is not None else default_dir()
    chosen = tasks(names, budget_scale)
    run_study(chosen, out, jobs=jobs, cluster=cluster, progress=progress, label="sweeps")
    results = load_results(out, complete=False)
    body = {"format": FORMAT, "data": DATA, "tables": tables(results)}
    _write_json(out / "tables.json", body)
    return {t.name: results[t.name] for t in chosen}


# -- loading and tables ---------------------------------------------------------------------


def _read_record(path: Path, name: str) -> dict[str, Any]:
    """One run's JSON, checked; DataError naming the file and how to regenerate it."""
    fix = f"Restore it with `git checkout -- data/sweeps/` or delete it and run {HOW.format(name)}."
    if not path.exists():
        raise DataError(f"sweep result {path} is missing. Regenerate it with {HOW.format(name)}.")
    try:
        rec = json.loads(path.read_text())
        if rec["format"] != FORMAT or rec["name"] != name:
            raise ValueError(f"format {rec['format']!r}, name {rec['name']!r}")
        float(rec["final"]["test_elbo"]), float(rec["final"]["train_elbo"])
        if len(rec["history"]["samples"]) != len(rec["history"]["test_elbo"]):
            raise ValueError("history lists differ in length")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DataError(f"sweep result {path} is unreadable or incomplete ({e!r}). {fix}") from e
    return rec


def load_results(out_dir: str | Path | None = None, complete: bool = True) -> dict[str, dict]:
    """Every run's record by name (definition order) from ``out_dir`` (default data/sweeps),
    each with ``images``: {test_index (10,), originals, reconstructions, samples (10, 28, 28)
    uint8}. ``complete``: every run must be present. Missing or corrupt files: DataError."""
    out = Path(out_dir) if out_dir is not None else default_dir()
    results = {}
    for name in sweep_runs():
        js = out / f"{name}.json"
        if not complete and not js.exists():
            continue
        rec = _read_record(js, name)
        try:
            with np.load(js.with_suffix(".npz"), allow_pickle=False) as z:
                rec["images"] = {k: z[k] for k in IMAGE_KEYS}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
            raise DataError(
                f"the images of sweep run {name} ({js.with_suffix('.npz')}) are missing or "
                f"unreadable ({e!r}). Restore them with `git checkout -- data/sweeps/` or "
                f"delete {js.name} and run {HOW.format(name)}."
            ) from e
        results[name] = rec
    if not results:
        raise DataError(f"no sweep results in {out}; run `python -m vae_tutorial reproduce sweeps`")
    return results


def _stats(values: Sequence[float], key: str) -> dict[str, Any]:
    a = np.asarray(values, dtype=np.float64)
    return {
        f"{key}_mean": float(a.mean()),
        f"{key}_std": float(a.std(ddof=1)) if a.size > 1 else None,
        f"{key}_min": float(a.min()),
        f"{key}_max": float(a.max()),
        f"{key}_by_seed": [float(v) for v in a],
    }


def tables(results: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Sweep -> rows, one per point: final ELBOs (nats, full test set) as mean, sample std
    (ddof = 1; None for one seed), min, max and by seed. The length sweep first has one row
    per evaluated sample count (test/train subsets), then its final row."""
    order = list(points())
    groups: dict[str, list[dict]] = {}
    for r in sorted(results.values(), key=lambda r: (order.index(r["point"]), r["seed"])):
        groups.setdefault(r["point"], []).append(r)
    out: dict[str, list[dict[str, Any]]] = {}
    for point, recs in groups.items():
        m, budget = recs[0]["experiment"]["model"], recs[0]["budget_samples"]
        base = {"point": point, "z_dim": m["z_dim"], "hidden": m["hidden"], "budget": budget}
        base["seeds"] = [r["seed"] for r in recs]
        rows = out.setdefault(recs[0]["sweep"], [])
        if recs[0]["sweep"] == "length":  # the curve: ELBO on the subsets at each count
            for s in sorted(set.intersection(*(set(r["history"]["samples"]) for r in recs))):
                at = [r["history"]["samples"].index(s) for r in recs]
                size = sweep_design.EVAL_SIZE  # read when called: the design owns it
                row = {**base, "samples": s, "eval": f"subsets ({size:,} digits)"}
                for key in ("test_elbo", "train_elbo"):
                    row |= _stats(
                        [r["history"][key][i] for r, i in zip(recs, at, strict=True)], key
                    )
                rows.append(row)
        row = {**base, "samples": budget, "eval": f"full test set ({recs[0]['final']['n_test']:,})"}
        for key in ("test_elbo", "train_elbo"):
            row |= _stats([r["final"][key] for r in recs], key)
        rows.append(row | {"cpu_seconds": round(sum(r["cpu_seconds"] for r in recs), 1)})
    return out


def rerun_point(
    name: str, seed: int, samples: int, out_dir: str | Path | None = None, progress: bool = False
) -> tuple[History, float]:
    """Retrain point ``name`` (e.g. ``latent-k2``) with ``seed`` from scratch for its first
    ``samples`` training samples (one of its evaluation counts, e.g. 20_000) with the shipped
    config and evaluation points. Returns (history, the shipped test ELBO at ``samples``):
    history.test_elbo[-1] equals it exactly on the same CPU type and torch version."""
    from ..datasets import load

    rec = _read_record(
        (Path(out_dir) if out_dir else default_dir()) / f"{name}-s{seed}.json", f"{name}-s{seed}"
    )
    counts = rec["history"]["samples"]
    if samples <= 0 or samples not in counts:
        raise VAETutorialError(
            f"{name}-s{seed} was evaluated at {', '.join(f'{c:,}' for c in counts[1:])} "
            f"training samples; pick one of these, not {samples!r}"
        )
    exp = ExperimentConfig.from_dict(rec["experiment"])
    model = build_model(exp.model, seed=exp.train.seed)
    train = dataclasses.replace(exp.train, max_samples=samples)
    eval_at = [c for c in counts if c <= samples]
    history = fit(model, load(exp.data), train, eval_at=eval_at, progress=progress)
    return history, rec["history"]["test_elbo"][counts.index(samples)]


# -- command line (wired by cli.py as `python -m vae_tutorial reproduce sweeps`) ------------


def add_arguments(parser) -> None:
    """The options of ``reproduce sweeps`` on an argparse parser."""
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="a sweep (latent, width, length), point (latent-k2) or run (latent-k2-s0); repeatable",
    )
    parser.add_argument("--list", action="store_true", help="list the runs and exit")
    add_runner_arguments(parser, "data/sweeps")
    parser.add_argument(
        "--samples",
        type=int,
        help="budget of a latent/width run for a quick "
        "check (default 300000; the length runs scale alike)",
    )


def run_cli(args) -> dict[str, Any]:
    """Run (or with ``--list`` list) the selected runs; returns a JSON-able summary."""
    if args.samples is not None and args.samples < 100:
        raise VAETutorialError(f"--samples must be >= 100 (one minibatch), got {args.samples}")
    scale = 1.0 if args.samples is None else args.samples / BUDGETS["latent"]
    runs, out = sweep_runs(scale), Path(args.out) if args.out else default_dir()
    chosen = select_runs(args.only, runs)
    if args.list:
        return {
            n: {
                "sweep": runs[n].sweep,
                "z_dim": runs[n].experiment.model.z_dim,
                "hidden": list(runs[n].experiment.model.hidden),
                "seed": runs[n].seed,
                "budget_samples": runs[n].experiment.train.max_samples,
                "done": (out / f"{n}.json").exists(),
            }
            for n in chosen
        }
    results = run_sweeps(chosen, out, args.jobs, scale, args.cluster)
    summary = {
        sweep: {
            f"{r['point']} @ {r['samples']:,}": f"{r['test_elbo_mean']:.2f} +- "
            f"{r['test_elbo_std'] or 0:.2f} nats ({len(r['seeds'])} seeds)"
            for r in rows
            if r["eval"].startswith("full")
        }
        for sweep, rows in tables(results).items()
    }
    cpu = sum(r["cpu_seconds"] for r in results.values())
    return {"out": str(out), "cpu_minutes": round(cpu / 60, 1), "test_elbo": summary}
