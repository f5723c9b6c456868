"""One study runner for every experiment that takes more than a notebook cell.

A study is a list of :class:`Task`: a name, the dotted path of a function, and its JSON-able
arguments. The task's identity is the hash of (function, arguments): a task whose result file
``OUT/NAME.json`` carries that hash is finished and never runs again, so a study resumes where
it stopped, and a result made with other arguments is never mistaken for this one.

- On one machine the tasks run in joblib's loky worker processes (``jobs`` at once, one torch
  thread each; ``jobs=1`` runs them in this process).
- On a Dask cluster (``cluster="tcp://HOST:8786"``, or a ``distributed.Client``) they run
  through joblib's Dask backend on the cluster's workers (which need this package installed
  and the data folder reachable, e.g. through ``VAE_TUTORIAL_DATA``).
- Each worker writes its own result atomically (extra files first, the JSON last: the JSON
  marks the task done) under an exclusive lock, so a kill costs at most the tasks in flight,
  and two runners writing the same result are refused. A resumable task (a long training
  run) also saves its training state every minute under ``OUT/.partial/``: killed, it
  continues from there when the study is run again, and ends as if never stopped.
- A failed task is reported with its name and arguments after the others have finished;
  its error does not lose their results. One progress bar counts finished tasks.

The function of a task takes the arguments as keywords and returns ``(record, files)``: the
JSON-able result and a dict {suffix: bytes} of extra files (e.g. {".npz": ...}) to write as
``NAME<suffix>``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_bytes, output_lock
from ..errors import DataError, VAETutorialError

KEY = "run_key"


class StudyError(VAETutorialError):
    """Some tasks of a study failed; the others' results are written."""


@dataclass(frozen=True)
class Task:
    """One run of a study: ``fn`` ("package.module:function") called with ``args``."""

    name: str
    fn: str
    args: dict[str, Any]
    cost: float = 1.0  # relative; the costliest tasks start first
    extra: tuple[str, ...] = field(default=())  # suffixes of the extra files it writes
    #: the function takes ``resume``: a file for its training state, so a killed task
    #: continues where it stopped (``OUT/.partial/NAME-KEY.pt``, removed when it finishes)
    resumable: bool = False

    @property
    def key(self) -> str:
        """sha256 of the canonical JSON of (fn, args): the task's identity."""
        blob = json.dumps({"fn": self.fn, "args": self.args}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def result_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / f"{name}.json"


def partial_path(out_dir: Path, task: Task) -> Path:
    """Where a resumable task keeps its training state while it runs (the key in the name:
    the state of a task with other arguments is never picked up)."""
    return Path(out_dir) / ".partial" / f"{task.name}-{task.key[:16]}.pt"


def read_result(path: Path, how: str = "") -> dict[str, Any]:
    """A result JSON, or DataError naming the file and what to do."""
    try:
        rec = json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(f"result {path} is missing. {how}") from None
    except (OSError, ValueError) as e:
        raise DataError(f"result {path} is unreadable ({e}). {how}") from e
    if not isinstance(rec, dict):
        raise DataError(f"result {path} is not a JSON object. {how}")
    return rec


def load_results(out_dir: Path, study: str, order: Sequence[str], check) -> dict[str, Any]:
    """Every result JSON in ``out_dir`` by name, in ``order`` (others last). ``check(record)``
    raises KeyError, TypeError or ValueError for an incomplete one; an unreadable or incomplete
    result raises DataError naming it and how to restore or regenerate it
    (``python -m vae_tutorial reproduce STUDY``)."""
    found = {}
    for p in Path(out_dir).glob("*.json"):
        how = (
            f"Restore it with `git checkout -- data/{study}/{p.name}` or regenerate it with "
            f"`python -m vae_tutorial reproduce {study} --only {p.stem}` after deleting it."
        )
        rec = read_result(p, how)
        try:
            check(rec)
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(f"{study} result {p} is incomplete ({e!r}). {how}") from e
        found[p.stem] = rec
    rank = {n: i for i, n in enumerate(order)}
    return dict(sorted(found.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def is_done(task: Task, out_dir: Path) -> bool:
    """True when ``task``'s result (and extra files) exist with its key. A result with another
    key (other arguments) raises StudyError: it is never silently reused or overwritten."""
    path = result_path(out_dir, task.name)
    if not path.exists():
        return False
    rec = read_result(path, "Delete it to run the task again.")
    if rec.get(KEY) != task.key:
        raise StudyError(
            f"{path} holds a result made with other settings than task {task.name!r} asks "
            f"for; delete it, or write this study somewhere else (--out)"
        )
    return all(path.with_suffix(s).exists() for s in task.extra)


def status(tasks: Sequence[Task], out_dir: str | Path) -> dict[str, str]:
    """Where each task stands: "done", "N of M samples saved" (a resumable task running or
    stopped part-way: a run of the study continues from there) or "to do"."""
    import torch

    out, found = Path(out_dir), {}
    for t in tasks:
        state = partial_path(out, t)
        if is_done(t, out):
            found[t.name] = "done"
        elif t.resumable and state.exists():
            try:
                s = torch.load(state, map_location="cpu", weights_only=True)
                total = t.args["experiment"]["train"]["max_samples"]
                found[t.name] = f"{s['samples']:,} of {total:,} samples saved"
            except Exception as e:  # unreadable: the run will say so and how to start afresh
                found[t.name] = f"training state {state} unreadable ({type(e).__name__})"
        else:
            found[t.name] = "to do"
    return found


def execute(task: Task, out_dir: str) -> dict[str, Any]:
    """Run one task in this process and write its result; returns {"name", "ok", ...}.
    (What a worker runs. Exceptions become an ``error`` entry, except interrupts.)"""
    out = Path(out_dir)
    path = result_path(out, task.name)
    t0 = time.perf_counter()
    try:
        module, func = task.fn.split(":")
        fn = getattr(importlib.import_module(module), func)
        with output_lock(path, "study result"):
            from ..settings import torch_threads

            kwargs = dict(task.args)
            if task.resumable:
                kwargs["resume"] = str(partial_path(out, task))
            with torch_threads(1):
                record, files = fn(**kwargs)
            for suffix, data in files.items():
                atomic_write_bytes(path.with_suffix(suffix), data)
            record = {**record, KEY: task.key}
            atomic_write_bytes(path, (json.dumps(record, indent=1) + "\n").encode())
    except Exception as e:
        return {"name": task.name, "ok": False, "error": f"{type(e).__name__}: {e}"}
    return {"name": task.name, "ok": True, "seconds": round(time.perf_counter() - t0, 1)}


def _client(cluster: Any):
    from dask.distributed import Client

    return cluster if isinstance(cluster, Client) else Client(cluster)


def run_study(
    tasks: Sequence[Task],
    out_dir: str | Path,
    jobs: int = 1,
    cluster: Any = None,
    progress: bool = True,
    label: str = "study",
) -> dict[str, dict[str, Any]]:
    """Run every task of ``tasks`` that is not done, write results to ``out_dir``, and return
    {name: outcome} for the tasks run ({"ok": True, "seconds"} or {"ok": False, "error"}).
    Raises StudyError after all tasks if any failed, naming each with its arguments."""
    from joblib import Parallel, delayed, parallel_config

    from ..progress import tqdm

    if not isinstance(jobs, int) or jobs < 1:
        raise VAETutorialError(f"jobs must be a positive int, got {jobs!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    todo = sorted((t for t in tasks if not is_done(t, out)), key=lambda t: -t.cost)
    outcomes: dict[str, dict[str, Any]] = {}
    bar = tqdm(total=len(todo), unit="run", desc=label, disable=not progress or not todo)
    with bar:
        if cluster is None and (jobs == 1 or len(todo) <= 1):
            results = (execute(t, str(out)) for t in todo)
            for r in results:
                outcomes[r["name"]] = r
                bar.update(1)
        else:
            # loky: one torch/BLAS thread per worker (each task also sets torch's count)
            backend = {"backend": "loky", "n_jobs": min(jobs, len(todo))}
            backend["inner_max_num_threads"] = 1
            client = None
            if cluster is not None:
                client = _client(cluster)
                backend = {"backend": "dask", "n_jobs": -1}
            try:
                with parallel_config(**backend):
                    parallel = Parallel(return_as="generator_unordered")
                    for r in parallel(delayed(execute)(t, str(out)) for t in todo):
                        outcomes[r["name"]] = r
                        bar.update(1)
            finally:
                if client is not None and client is not cluster:
                    client.close()
    failed = {n: r for n, r in outcomes.items() if not r["ok"]}
    if failed:
        by_name = {t.name: t for t in tasks}
        lines = [
            f"{n}: {r['error']} (arguments: {json.dumps(by_name[n].args)[:300]})"
            for n, r in failed.items()
        ]
        raise StudyError(
            f"{len(failed)} of {len(todo)} {label} runs failed; the others are saved in {out}:\n"
            + "\n".join(lines)
        )
    return outcomes


def add_runner_arguments(parser, default_out: str) -> None:
    """The runner's command-line options: --jobs, --cluster, --out."""
    from ..argtypes import bounded_int

    parser.add_argument(
        "--jobs", type=bounded_int("--jobs", 1, 256), default=1, help="runs at once on this machine"
    )
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask cluster instead, e.g. tcp://HOST:8786 (dask.distributed scheduler)",
    )
    parser.add_argument("--out", help=f"folder of the results (default {default_out})")


def select_runs(names, runs: dict, what: str = "run", groups: dict | None = None,
                hint: str | None = None) -> list[str]:  # fmt: skip
    """The runs ``names`` select (None or empty: all), in the order of ``runs``. A name selects a
    run by its own name or by one of its ``groups`` (run name -> names of the groups it belongs
    to, e.g. a sweep and a point); a one-line error names the unknown ones and the ``hint``
    (default: the runs available)."""
    if not names:
        return list(runs)
    keys = {n: {n, *(groups or {}).get(n, ())} for n in runs}
    bad = [n for n in names if not any(n in k for k in keys.values())]
    if bad:
        raise VAETutorialError(
            f"unknown {what} {', '.join(map(repr, bad))}; {hint or 'available: ' + ', '.join(runs)}"
        )
    return [n for n in runs if keys[n] & set(names)]
