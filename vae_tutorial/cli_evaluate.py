"""The commands of ``python -m vae_tutorial`` that load, evaluate and regenerate models:
``evaluate`` (ELBO and log p(x) by IS, AIS or the exact grid) and ``pretrain``. The parser,
the other commands and the exit codes are in :mod:`vae_tutorial.cli`."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from .errors import VAETutorialError


class Interrupted(Exception):
    """A command was stopped by Ctrl-C after saving its work (exit status 130)."""


def _print_json(obj: dict) -> None:
    print(json.dumps(obj, indent=1))


def _model_and_data(name: str, data_name: str | None):
    from .core.checkpoints import load_checkpoint
    from .core.pretrained import experiment, load_pretrained, names, path
    from .datasets import load

    if name in names() and not name.endswith(".pt"):
        model = load_pretrained(name)
        data_name = data_name or experiment(name).data
        where = str(path(name))
    else:
        model, meta = load_checkpoint(
            name,
            hint="Check the path, or train it with `python -m vae_tutorial train CONFIG.json`.",
        )
        data_name = data_name or (meta.get("experiment") or {}).get("data")
        where = name
        if data_name is None:
            raise VAETutorialError(f"{name} does not record its dataset; pass --data NAME")
    return model, load(data_name), where


def _log_px(args, model, x) -> tuple[float | None, str | None, dict]:
    """The mean log p(x) over x by the chosen estimator, its label and extra figures."""
    import numpy as np

    if args.estimator == "elbo":
        return None, None, {}
    jobs = args.jobs or max(1, min(os.cpu_count() or 1, -(-len(x) // 100)))
    if args.estimator == "is":
        return _importance(model, x, args.k, jobs, args.seed)
    if args.estimator == "grid":
        from .core.exact import log_px_grid

        if model.z_dim != 2:
            raise VAETutorialError(
                f"--estimator grid needs a 2-D latent; {args.name} has {model.z_dim}: use ais"
            )
        parts = [log_px_grid(model, x[i : i + 200]) for i in range(0, len(x), 200)]
        err = float(max(p.error.max() for p in parts))
        lp = np.concatenate([p.log_px for p in parts])
        return float(lp.mean()), "exact (grid, two resolutions agree)", {"grid_max_error": err}
    from .core.ais import ais_batches, default_schedule
    from .core.flops import decoder_flops

    schedule = default_schedule(model.z_dim)
    for key in ("chains", "steps", "leapfrog", "start"):
        if getattr(args, key) is not None:
            schedule[key] = getattr(args, key)
    r = ais_batches(model, x, batch=100, jobs=jobs, seed=args.seed, **schedule)
    # each chain: one decoder pass and its input gradient (about as many flops again) at the
    # start and at every leapfrog step
    chains, steps, leapfrog = schedule["chains"], schedule["steps"], schedule["leapfrog"]
    flops = len(x) * chains * (1 + steps * leapfrog) * 2 * decoder_flops(model)
    extra = {
        "ais_median_ess": float(np.median(r.ess)),
        "ais_stderr": float(r.log_px.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else None,
        "ais_acceptance": round(r.acceptance, 3),
        **_speed("ais", flops, r.seconds, jobs),
    }
    start = schedule["start"]
    label = f"AIS, {chains} chains, {steps} steps, {leapfrog} leapfrog, from the {start}"
    return float(r.log_px.mean()), label, extra


def _speed(what: str, flops: float, seconds: float, jobs: int) -> dict:
    """Wall time, worker processes, decoder GFLOP/s and their share of the GEMM roofline
    measured now on as many threads as the work used."""
    import torch

    from .core.flops import gemm_gflops

    threads = jobs if jobs > 1 else torch.get_num_threads()
    roofline, gflops = gemm_gflops(threads), flops / seconds / 1e9
    return {
        f"{what}_seconds": round(seconds, 1),
        f"{what}_jobs": jobs,
        "roofline_threads": threads,
        f"{what}_decoder_gflops": round(gflops, 1),
        "gemm_roofline_gflops": round(roofline, 1),
        "roofline_fraction": round(gflops / roofline, 3),
    }


def _importance(model, x, k: int, jobs: int, seed: int) -> tuple[float, str, dict]:
    """IS with K samples in batches of 100 digits (batch b seeded ``seed + b``: the same
    answer for any ``jobs``), in ``jobs`` one-thread processes or, with one job, on this
    process's threads; with its ESS and speed (:func:`_speed`)."""
    import numpy as np

    from .core.estimators import log_px_importance_batches
    from .core.flops import decoder_flops

    t0 = time.perf_counter()
    lp_t, ess_t = log_px_importance_batches(model, x, k, batch=100, jobs=jobs, seed=seed)
    seconds = time.perf_counter() - t0
    lp, ess = lp_t.numpy(), ess_t.numpy()
    extra = {
        "is_median_ess": round(float(np.median(ess)), 1),
        "is_stderr": float(lp.std(ddof=1) / np.sqrt(len(lp))) if len(lp) > 1 else None,
        **_speed("is", len(x) * k * decoder_flops(model), seconds, jobs),
    }
    return float(lp.mean()), f"importance sampling, K = {k}, proposal q(z|x)", extra


def cmd_evaluate(args: argparse.Namespace) -> None:
    import torch

    from .core.estimators import evaluate

    model, ds, where = _model_and_data(args.name, args.data)
    if args.n is not None and args.n > ds.test.shape[0]:
        raise VAETutorialError(f"--n {args.n} is more than the {ds.test.shape[0]} test examples")
    x = ds.test if args.n is None else ds.test[ds.subset(args.n)]  # every class, in proportion
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    test_elbo = evaluate(model, x)["elbo"]
    log_px, label, extra = _log_px(args, model, x)
    _print_json(
        {
            "name": args.name,
            "checkpoint": where,
            "data": ds.name,
            "n_test": int(x.shape[0]),
            "test_subset": "all" if args.n is None else "Dataset.subset (class-balanced / strided)",
            "test_elbo": test_elbo,
            "test_log_px": log_px,
            "log_px_estimator": label,
            **extra,
            "seed": args.seed,
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )


def cmd_pretrain(args: argparse.Namespace) -> None:
    import torch

    from .core.checkpoints import load_checkpoint, read_meta, save_checkpoint
    from .core.estimators import evaluate
    from .core.pretrained import compare_weights, experiment, load_pretrained, path, shipped
    from .core.train import train_experiment
    from .datasets import load

    names = shipped() if args.all else args.names
    if not names:
        raise VAETutorialError("name a model to pretrain, or pass --all")
    out_dir = Path(args.out)
    if out_dir.resolve() == path(names[0]).parent.resolve():
        raise VAETutorialError(
            f"--out {out_dir} is the folder of the shipped models; pretrain writes elsewhere and "
            "compares (copy a result over the shipped file yourself, then run `manifest`)"
        )
    results = {}
    for name in names:
        exp = experiment(name)
        p = out_dir / f"{name}.pt"
        t0 = time.perf_counter()
        model, history = train_experiment(exp, checkpoint=p, progress=not args.quiet)
        seconds = time.perf_counter() - t0
        if history.interrupted:
            raise Interrupted(
                f"pretraining {name} was interrupted after {history.interrupted_at:,} samples; "
                f"the partial model is in {p} (not the shipped one, which is untouched)"
            )
        ds = load(exp.data)
        torch.manual_seed(0)
        metrics = {
            "test_elbo": evaluate(model, ds.test)["elbo"],
            "train_elbo": evaluate(model, ds.train)["elbo"],
            "train_seconds": round(seconds, 1),
            "samples": history.samples[-1],
        }
        hist = read_meta(p)["history"]
        save_checkpoint(p, model, experiment=exp, history=hist, metrics=metrics)
        row = {**metrics, "checkpoint": str(p)}
        if name in shipped() and not path(name).exists():
            row["matches_shipped"] = f"cannot tell: the shipped file {path(name)} is missing"
        elif name in shipped():
            ref = load_pretrained(name)
            cmp = compare_weights(load_checkpoint(p)[0], ref)
            ref_elbo = read_meta(path(name))["metrics"].get("test_elbo")
            row |= {
                "matches_shipped": "bit for bit"
                if cmp["bitwise"]
                else f"to {cmp['max_abs_diff']:.1e} in the weights (another CPU kernel path rounds "
                "differently)"
                if cmp["max_abs_diff"] < args.tolerance
                else "no",
                "max_abs_weight_diff": cmp["max_abs_diff"],
                "shipped_test_elbo": ref_elbo,
            }
        results[name] = row
    _print_json(results)
