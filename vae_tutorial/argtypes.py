"""Command-line argument types shared by the CLI (:mod:`vae_tutorial.cli`) and the study
runner's options (:func:`vae_tutorial.studies.runner.add_runner_arguments`). Imports nothing
of ours: the lowest layer, beside :mod:`.settings` and :mod:`.errors`."""

from __future__ import annotations

import argparse


def bounded_int(name: str, lo: int = 1, hi: int | None = None):
    """An argparse type: a whole number in [lo, hi], or a one-line usage error naming it."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, got {text!r}"
            ) from None
        if v < lo or (hi is not None and v > hi):
            top = f" and <= {hi:,}" if hi is not None else ""
            raise argparse.ArgumentTypeError(f"{name} must be >= {lo}{top}, got {v}")
        return v

    return parse
