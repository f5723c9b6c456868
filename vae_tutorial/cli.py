"""Command line: ``python -m vae_tutorial {train,evaluate,pretrain,verify,reproduce} ...``.

Results go to stdout as one JSON object; progress bars and errors go to stderr.
Every error this package raises on purpose exits with status 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .errors import VAETutorialError


def _print_json(obj: dict) -> None:
    print(json.dumps(obj, indent=1))


def cmd_train(args: argparse.Namespace) -> None:
    from .config import ExperimentConfig
    from .data import load
    from .estimators import evaluate
    from .train import train_experiment

    exp = ExperimentConfig.load(args.config)
    out = Path(args.out) if args.out else Path("runs") / f"{exp.name}.pt"
    t0 = time.perf_counter()
    model, history = train_experiment(exp, checkpoint=out, progress=not args.quiet)
    ds = load(exp.data)
    _print_json(
        {
            "name": exp.name,
            "checkpoint": str(out),
            "samples": history.samples[-1],
            "interrupted": history.interrupted,
            "seconds": round(time.perf_counter() - t0, 1),
            "test_elbo": evaluate(model, ds.test)["elbo"],
        }
    )


def _model_and_data(name: str, data_name: str | None):
    from .checkpoints import load_checkpoint
    from .data import load
    from .pretrained import SHIPPED_SHA256, experiment, load_pretrained, path

    if name in SHIPPED_SHA256:
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


def cmd_evaluate(args: argparse.Namespace) -> None:
    import torch

    from .estimators import evaluate

    if args.k < 0:
        raise VAETutorialError(f"--k must be >= 0, got {args.k}")
    model, ds, where = _model_and_data(args.name, args.data)
    x = ds.test if args.n is None else ds.test[: args.n]
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    r = evaluate(model, x, k=args.k)
    _print_json(
        {
            "name": args.name,
            "checkpoint": where,
            "data": ds.name,
            "n_test": r["n"],
            "test_elbo": r["elbo"],
            "test_log_px": r["log_px"],
            "k": args.k,
            "seed": args.seed,
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )


def cmd_pretrain(args: argparse.Namespace) -> None:
    import torch

    from .checkpoints import read_meta, save_checkpoint
    from .data import load
    from .estimators import evaluate
    from .pretrained import SHIPPED_SHA256, experiment, path
    from .train import History, train_experiment

    names = list(SHIPPED_SHA256) if args.all else args.names  # --all: the shipped ones
    if not names:
        raise VAETutorialError("name a model to pretrain, or pass --all")
    results = {}
    for name in names:
        exp = experiment(name)
        p = Path(args.out) / f"{name}.pt" if args.out else path(name)
        t0 = time.perf_counter()
        model, history = train_experiment(exp, checkpoint=p, progress=not args.quiet)
        seconds = time.perf_counter() - t0
        if history.interrupted:
            raise VAETutorialError(
                f"pretraining {name} was interrupted; a usable checkpoint "
                f"is at {p}, but it is not the shipped model"
            )
        ds = load(exp.data)
        torch.manual_seed(0)
        metrics = {
            "test_elbo": evaluate(model, ds.test)["elbo"],
            "train_elbo": evaluate(model, ds.train)["elbo"],
            "train_seconds": round(seconds, 1),
            "samples": history.samples[-1],
        }
        hist = History.from_dict(read_meta(p)["history"])
        save_checkpoint(p, model, experiment=exp, history=hist.to_dict(), metrics=metrics)
        sha = read_meta(p)["weights_sha256"]
        results[name] = {
            **metrics,
            "checkpoint": str(p),
            "weights_sha256": sha,
            "matches_shipped": sha == SHIPPED_SHA256.get(name),
        }
    _print_json(results)


def cmd_verify(args: argparse.Namespace) -> None:
    from .data import verify_all
    from .pretrained import SHIPPED_SHA256, load_pretrained

    files = verify_all()
    for name in SHIPPED_SHA256:
        load_pretrained(name)
    _print_json({"data_files": len(files), "pretrained": list(SHIPPED_SHA256), "ok": True})


def cmd_reproduce(args: argparse.Namespace) -> None:
    from .data import data_dir
    from .reproduce import fig2_runs, run_all, select

    if args.samples is not None and args.samples < 100:
        raise VAETutorialError(f"--samples must be >= 100 (one minibatch), got {args.samples}")
    runs = fig2_runs(args.samples)
    out = Path(args.out) if args.out else data_dir() / "fig2"
    if args.list:
        _print_json(
            {
                n: {
                    "data": r.experiment.data,
                    "z_dim": r.experiment.model.z_dim,
                    "hidden": r.experiment.model.hidden[0],
                    "budget_samples": r.experiment.train.max_samples,
                    "done": (out / f"{n}.json").exists(),
                }
                for n, r in runs.items()
                if n in select(args.only, runs)
            }
        )
        return
    if args.jobs < 1:
        raise VAETutorialError(f"--jobs must be >= 1, got {args.jobs}")
    cache = None if args.no_cache else Path(args.cache)
    logs = run_all(args.only, out, cache, jobs=args.jobs, samples=args.samples)
    _print_json(
        {
            n: {
                "test_elbo": round(g["final"]["test_elbo"], 2),
                "paper_test_elbo": g["paper_test_elbo"],
                "budget_samples": g["budget_samples"],
                "train_seconds": g["train_seconds"],
                "log": str(out / f"{n}.json"),
            }
            for n, g in logs.items()
        }
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m vae_tutorial", description="Train and evaluate the tutorial's VAEs."
    )
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model from a JSON experiment config")
    t.add_argument("config", help="experiment JSON (see vae_tutorial/configs/)")
    t.add_argument("--out", help="checkpoint path (default runs/NAME.pt)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="test ELBO and importance-sampled log p(x), in nats")
    e.add_argument("name", help="a pretrained model name or a checkpoint path")
    e.add_argument("--k", type=int, default=5000, help="importance samples (0: ELBO only)")
    e.add_argument("--n", type=int, default=None, help="only the first N test examples")
    e.add_argument("--data", help="dataset name (for checkpoints that do not record one)")
    e.add_argument("--seed", type=int, default=0)
    e.set_defaults(func=cmd_evaluate)

    r = sub.add_parser("pretrain", help="regenerate shipped checkpoints from their configs")
    r.add_argument("names", nargs="*", help="model names (see vae_tutorial/configs/)")
    r.add_argument("--all", action="store_true")
    r.add_argument("--out", help="directory to write to (default data/pretrained)")
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=cmd_pretrain)

    v = sub.add_parser("verify", help="check every shipped data file and checkpoint")
    v.set_defaults(func=cmd_verify)

    f = sub.add_parser(
        "reproduce",
        help="rerun an experiment: fig2 (the paper's Figure 2, 9 models) or sweeps "
        "(latent size, width, training length; notebook 08); resumable",
    )
    figures = f.add_subparsers(dest="figure", required=True)
    f2 = figures.add_parser("fig2", help="ELBO vs training samples, MNIST and Frey Face")
    f2.add_argument("--only", action="append", metavar="NAME", help="one experiment (repeatable)")
    f2.add_argument("--list", action="store_true", help="list the experiments and exit")
    f2.add_argument(
        "--jobs", type=int, default=2, help="experiments trained at once (1 thread each)"
    )
    f2.add_argument("--out", help="directory of the JSON logs (default data/fig2)")
    f2.add_argument("--cache", default="runs/fig2", help="where final weights go (not shipped)")
    f2.add_argument("--no-cache", action="store_true", help="do not save the final weights")
    f2.add_argument("--samples", type=int, help="override every budget (a quick trial run)")
    f2.set_defaults(func=cmd_reproduce)

    from . import bench, svhn, sweeps

    sw = figures.add_parser("sweeps", help="latent size, hidden widths and training length")
    sweeps.add_arguments(sw)
    sw.set_defaults(func=lambda a: _print_json(sweeps.run_cli(a)))

    b = sub.add_parser("bench", help="performance figures: GEMM roofline, training, sliders")
    bench.add_arguments(b)
    b.set_defaults(func=bench.run_cli)

    d = sub.add_parser("download", help="fetch an optional dataset (SVHN) into the cache")
    svhn.add_arguments(d)
    d.set_defaults(func=lambda a: _print_json(svhn.run(a)))
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except VAETutorialError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
