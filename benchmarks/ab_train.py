"""A/B: the project's trainer against the peer loop of pytorch/examples ``vae/main.py``
(:mod:`peer_vae`), each as a whole process, as a user runs them.

- A (peer): ``python benchmarks/peer_vae.py --epochs E``: the example's loop on the shipped
  binarized MNIST (50,000 training images), evaluating the test set after every epoch.
- B (ours): ``python -m vae_tutorial train benchmarks/pytorch_examples.json``: the same
  784-400-20 ReLU model, Adam at 1e-3, M = 128, E epochs' worth of samples, evaluating the
  test ELBO every epoch, writing the checkpoint, ending with the test ELBO.

Runs alternate (A, B, A, B, ...) so that a machine that gets busier or quieter affects both;
each pair gives a ratio of wall times, and the result is the median ratio with its range.
Peak memory is each process's own high-water resident set (``VmHWM``, read as it exits),
the worst over its runs. (``wait4``'s ``ru_maxrss`` would not do: a child started from a big
parent is charged the parent's pages up to its ``exec``.)
Both use torch's default thread count and the same data file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "pytorch_examples.json"


def commands(epochs: int, out: Path) -> dict[str, list[str]]:
    """The two command lines: ``peer`` and ``ours``, training ``epochs`` epochs of 50,000."""
    cfg = json.loads(CONFIG.read_text())
    cfg["train"]["max_samples"] = 50_000 * epochs
    cfg_path = out / "ours.json"
    cfg_path.write_text(json.dumps(cfg))
    py = sys.executable
    return {
        "peer": [py, str(HERE / "peer_vae.py"), "--epochs", str(epochs), "--out", str(out)],
        "ours": [py, "-m", "vae_tutorial", "train", str(cfg_path), "--quiet",
                 "--out", str(out / "ours.pt")],
    }  # fmt: skip


#: runs ``python ARGS`` (a script, ``-m module`` or ``-c code``) in this interpreter and, as it
#: exits, writes its peak resident set (kB) to the file $AB_PEAK_FILE
LAUNCH = """
import atexit, os, runpy, sys
def peak():
    with open("/proc/self/status") as f:
        kb = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    with open(os.environ["AB_PEAK_FILE"], "w") as f:
        f.write(kb)
atexit.register(peak)
args = sys.argv[1:]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
elif args[0] == "-c":
    sys.argv = ["-c", *args[2:]]
    exec(args[1], {"__name__": "__main__"})
else:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
"""


def run_once(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd`` (``[python, ...]``) to completion: (wall seconds, its peak resident MiB).
    Fails on a non-zero exit, with the end of the process's error output."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        env = {**os.environ, "AB_PEAK_FILE": str(peak_file)}
        t0 = time.perf_counter()
        proc = subprocess.run(
            [cmd[0], "-c", LAUNCH, *cmd[1:]], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip()[-500:]
            raise RuntimeError(f"{' '.join(cmd[1:])} exited {proc.returncode}: {err}")
        return wall, int(peak_file.read_text()) / 1024


def ab_train(pairs: int = 3, epochs: int = 3) -> dict[str, Any]:
    """``pairs`` alternating runs of peer and ours: median wall-time ratio peer / ours (how
    many times faster ours is), each one's median seconds and worst peak MiB."""
    wall: dict[str, list[float]] = {"peer": [], "ours": []}
    peak: dict[str, list[float]] = {"peer": [], "ours": []}
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(epochs, Path(tmp))
        for i in range(pairs):
            order = ("peer", "ours") if i % 2 == 0 else ("ours", "peer")
            for who in order:
                w, m = run_once(cmds[who])
                wall[who].append(w)
                peak[who].append(m)
    ratios = [p / o for p, o in zip(wall["peer"], wall["ours"], strict=True)]
    return {
        "epochs": epochs,
        "pairs": pairs,
        "speedup_median": float(np.median(ratios)),
        "speedup_range": [float(min(ratios)), float(max(ratios))],
        "seconds_median": {k: float(np.median(v)) for k, v in wall.items()},
        "peak_mib": {k: float(max(v)) for k, v in peak.items()},
        "memory_ratio": float(max(peak["ours"]) / max(peak["peer"])),
    }


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    a = p.parse_args()
    print(json.dumps(ab_train(a.pairs, a.epochs), indent=1))
