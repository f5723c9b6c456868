"""Command line: ``python -m vae_tutorial {train,evaluate,pretrain,verify,reproduce,download,
manifest} ...``.

Results go to stdout as one JSON object; progress bars and errors go to stderr. Exit codes:
0 success; 2 a user error (a bad argument, a missing or corrupted file, a locked output, a
full disk, no permission), always one line that says what to do; 130 interrupted (Ctrl-C),
after saving what can be saved. No raw traceback reaches a user.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .argtypes import bounded_int
from .cli_evaluate import Interrupted, _print_json, cmd_evaluate, cmd_pretrain
from .errors import VAETutorialError

EXIT_USER_ERROR, EXIT_INTERRUPTED = 2, 130


def cmd_train(args: argparse.Namespace) -> None:
    from .core.config import ExperimentConfig
    from .core.estimators import evaluate
    from .core.train import EVAL_BATCH, train_experiment
    from .datasets import load

    exp = ExperimentConfig.load(args.config)
    out = Path(args.out) if args.out else Path("runs") / f"{exp.name}.pt"
    t0 = time.perf_counter()
    ds = load(exp.data)
    model, history = train_experiment(exp, checkpoint=out, progress=not args.quiet, dataset=ds)
    result = {
        "name": exp.name,
        "checkpoint": str(out),
        "samples": history.interrupted_at if history.interrupted else history.samples[-1],
        "interrupted": history.interrupted,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if history.interrupted:
        _print_json(result)
        raise Interrupted(
            f"training interrupted after {result['samples']:,} samples evaluated; the model "
            f"so far is saved in {out}"
        )
    result["test_elbo"] = evaluate(model, ds.rows("test"), batch_size=EVAL_BATCH)["elbo"]
    _print_json(result)


def cmd_verify(args: argparse.Namespace) -> None:
    from .core.pretrained import load_pretrained, shipped
    from .datasets.files import verify_all
    from .settings import data_dir
    from .studies import fig2, fig2_paper, fig3, log_px, sweeps

    files = verify_all()
    for name in shipped():
        load_pretrained(name)
    logs = fig2.load_logs(data_dir() / "fig2")
    paper_logs = fig2_paper.load_logs(data_dir() / "fig2_paper")
    runs = sweeps.load_results()
    fig3_logs = fig3.load_logs(data_dir() / "fig3")
    checks = [log_px.load_result(n, data_dir() / "log_px") for n in log_px.RUNS]
    _print_json(
        {
            "files": len(files),
            "pretrained": shipped(),
            "fig2_logs": len(logs),
            "fig2_paper_logs": len(paper_logs),
            "fig3_logs": len(fig3_logs),
            "log_px_results": len(checks),
            "sweep_runs": len(runs),
            "ok": True,
        }
    )


def cmd_fig2(args: argparse.Namespace) -> None:
    from .settings import data_dir
    from .studies.fig2 import run_all, tasks

    out = Path(args.out) if args.out else data_dir() / "fig2"
    chosen = tasks(args.only, args.samples)
    if args.list:
        _print_json(
            {
                t.name: {
                    "data": t.args["experiment"]["data"],
                    "z_dim": t.args["experiment"]["model"]["z_dim"],
                    "budget_samples": t.args["experiment"]["train"]["max_samples"],
                    "done": (out / f"{t.name}.json").exists(),
                }
                for t in chosen
            }
        )
        return
    logs = run_all(args.only, out, jobs=args.jobs, samples=args.samples, cluster=args.cluster)
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


def cmd_beyond(args: argparse.Namespace) -> None:
    from .studies import beyond

    runs = list(beyond.experiments())
    unknown = set(args.only or []) - set(runs)
    if unknown:
        raise VAETutorialError(
            f"unknown run {', '.join(sorted(unknown))}; available: {', '.join(runs)}"
        )
    results = beyond.run(args.out, jobs=args.jobs, cluster=args.cluster, names=args.only)
    _print_json(
        {n: {k: r[k] for k in ("test_elbo", "rate", "distortion", "active_units")}
         for n, r in results.items()}
    )  # fmt: skip


def cmd_study(module: str):
    """``reproduce fig3`` / ``reproduce log-px``: run the study's missing tasks, print a summary."""

    def run(args: argparse.Namespace) -> None:
        import importlib

        from .settings import data_dir

        study = importlib.import_module(f"vae_tutorial.studies.{module}")
        out = Path(args.out) if args.out else data_dir() / module
        if args.status:
            from .studies.runner import status

            _print_json(status(study.tasks(args.only), out))
            return
        results = study.run_all(args.only, out, jobs=args.jobs, cluster=args.cluster)
        _print_json(study.summary(results))

    return run


def cmd_manifest(args: argparse.Namespace) -> None:
    from .datasets.files import write_manifest

    _print_json(write_manifest())


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error: ... (see `PROG --help`)``, exit status 2."""

    def error(self, message: str):
        self.exit(EXIT_USER_ERROR, f"error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    from .studies.runner import add_runner_arguments

    p = _Parser(
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
    e.add_argument(
        "--estimator",
        choices=["elbo", "is", "ais", "grid"],
        default="is",
        help="log p(x) by importance sampling (is), annealed importance sampling "
        "(ais) or exact grid integration (grid, 2-D latents); elbo: the bound only",
    )
    e.add_argument(
        "--k",
        type=bounded_int("--k", 1, 1_000_000),
        default=5000,
        help="importance samples for --estimator is",
    )
    e.add_argument(
        "--jobs",
        type=bounded_int("--jobs", 1, 256),
        default=None,
        help="--estimator is or ais: worker processes of one thread each, the same answer for "
        "any number (default: one per CPU core, at most one per 100 examples)",
    )
    # the AIS defaults (core/ais.py, default_schedule): from the prior, 16 chains of 300 steps
    # for a 2-D latent (validated against the exact grid); from the encoder, 4 chains of 100
    # steps beyond
    e.add_argument(
        "--chains",
        type=bounded_int("--chains", 1, 1024),
        default=None,
        help="AIS chains per example (default: 16 for a 2-D latent, 4 beyond)",
    )
    e.add_argument(
        "--steps",
        type=bounded_int("--steps", 1, 100_000),
        default=None,
        help="AIS schedule length (default: 300 for a 2-D latent, 100 beyond)",
    )
    e.add_argument(
        "--leapfrog",
        type=bounded_int("--leapfrog", 1, 100),
        default=None,
        help="leapfrog steps per HMC move (default 5)",
    )
    e.add_argument("--start", choices=["prior", "encoder"], default=None,
                   help="AIS start distribution (default: prior for a 2-D latent, encoder beyond; "
                        "the encoder is faster and can miss a mode)")  # fmt: skip
    e.add_argument(
        "--n",
        type=bounded_int("--n"),
        default=None,
        help="N test examples that stand for the test set (every class in proportion)",
    )
    e.add_argument("--data", help="dataset name (for checkpoints that do not record one)")
    e.add_argument("--seed", type=bounded_int("--seed", 0, 2**63 - 1), default=0)
    e.set_defaults(func=cmd_evaluate)

    r = sub.add_parser("pretrain", help="retrain shipped models from their configs and compare")
    r.add_argument("names", nargs="*", help="model names (see vae_tutorial/configs/)")
    r.add_argument("--all", action="store_true", help="every shipped model")
    r.add_argument("--out", default="runs/pretrained", help="folder to write to (never data/)")
    r.add_argument("--tolerance", type=float, default=1e-3,
                   help="max weight difference that still counts as a match")  # fmt: skip
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=cmd_pretrain)

    v = sub.add_parser("verify", help="check every shipped file, model and log")
    v.set_defaults(func=cmd_verify)

    f = sub.add_parser(
        "reproduce",
        help="rerun a study: fig2 and fig3 (the paper's Figures 2 and 3), log-px (every "
        "estimator against the truth), sweeps (notebook 08), beyond (notebook 09); resumable",
    )
    figures = f.add_subparsers(dest="figure", required=True)
    f2 = figures.add_parser("fig2", help="ELBO vs training samples, MNIST and Frey Face")
    f2.add_argument("--only", action="append", metavar="NAME", help="one experiment (repeatable)")
    f2.add_argument("--list", action="store_true", help="list the experiments and exit")
    add_runner_arguments(f2, "data/fig2")
    f2.add_argument("--samples", type=bounded_int("--samples", 100),
                    help="override every budget (a quick trial run)")  # fmt: skip
    f2.set_defaults(func=cmd_fig2)

    from .datasets import svhn
    from .studies import sweeps

    bb = figures.add_parser(
        "beyond",
        help="notebook 09: beta-VAEs, KL annealing, free bits, IWAE from 3 seeds (16 runs)",
    )
    bb.add_argument("--only", action="append", metavar="NAME", help="one run (repeatable)")
    add_runner_arguments(bb, "data/beyond")
    bb.set_defaults(func=cmd_beyond)

    for name, module, what in (
        (
            "fig2-paper",
            "fig2_paper",
            "Figure 2 with the paper's setup: AEVB and wake-sleep, "
            "1e7 samples (18 runs; a killed run continues where it stopped)",
        ),
        ("fig3", "fig3", "log p(x) vs training-set size: AEVB, wake-sleep, MCEM (13 runs)"),
        ("log-px", "log_px", "ELBO, IS, AIS and the exact grid per digit (mnist-z2, -z20)"),
    ):
        st = figures.add_parser(name, help=what)
        st.add_argument("--only", action="append", metavar="NAME", help="one run (repeatable)")
        st.add_argument(
            "--status", action="store_true", help="which runs are done, part-way or to do"
        )
        add_runner_arguments(st, f"data/{module}")
        st.set_defaults(func=cmd_study(module))

    sw = figures.add_parser("sweeps", help="latent size, hidden widths and training length")
    sweeps.add_arguments(sw)
    sw.set_defaults(func=lambda a: _print_json(sweeps.run_cli(a)))

    d = sub.add_parser("download", help="fetch an optional dataset (SVHN) into the cache")
    svhn.add_arguments(d)
    d.set_defaults(func=lambda a: _print_json(svhn.run(a)))

    m = sub.add_parser("manifest", help="record the sha256 of every shipped file (maintainers)")
    m.set_defaults(func=cmd_manifest)

    from .cli_launch import add_arguments as add_launch_arguments

    add_launch_arguments(sub, bounded_int)
    return p


def main(argv: list[str] | None = None) -> int:
    from .cli_launch import split_extra

    argv, extra = split_extra(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # a bad argument: argparse printed usage and one line (status 2)
        return int(e.code or 0)
    args.extra = extra
    try:
        args.func(args)
    except Interrupted as e:
        print(f"interrupted: {e}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("interrupted: nothing was half-written (every file is written atomically)",
              file=sys.stderr)  # fmt: skip
        return EXIT_INTERRUPTED
    except VAETutorialError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as e:  # permission, a full disk, a folder where a file should be
        where = f" {e.filename}" if e.filename else ""
        print(f"error: cannot use{where}: {e.strerror or e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except MemoryError:
        print("error: out of memory; use a smaller model, batch or --n", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0
