"""Floating-point work and the machine's GEMM roofline, to say how close an estimator runs to
the speed limit of this CPU (``evaluate`` prints the achieved fraction; ``make bench`` uses
the same timing for its table)."""

from __future__ import annotations

import time

import torch
from torch import nn

from ..settings import torch_threads


def decoder_flops(model: nn.Module) -> int:
    """Floating-point operations (a multiply-add is 2) of one decoder pass for one latent
    point: the linear layers of ``model.decoder`` (activations and the likelihood are not
    counted; they are a few per output)."""
    return sum(2 * m.in_features * m.out_features for m in model.decoder.modules()
               if isinstance(m, nn.Linear))  # fmt: skip


def seconds_per_flop(m: int, k: int, n: int, threads: int | None, reps: int = 10) -> float:
    """Best-of-``reps`` seconds per flop of a float32 product (m x k) @ (k x n)."""
    a, b, c = torch.randn(m, k), torch.randn(k, n), torch.empty(m, n)
    with torch_threads(threads):
        torch.mm(a, b, out=c)  # warm-up (thread pool, caches)
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            torch.mm(a, b, out=c)
            best = min(best, time.perf_counter() - t0)
    return best / (2 * m * k * n)


def gemm_gflops(threads: int | None = None) -> float:
    """The roofline: GFLOP/s of a 1024^3 float32 product on ``threads`` threads."""
    return 1e-9 / seconds_per_flop(1024, 1024, 1024, threads)
