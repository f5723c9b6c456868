"""Subsets that stand for a whole split: the one way the package takes "n test digits".

The binarized MNIST test set is stored sorted by class (980 zeros, then 1,135 ones, ...), so
``test[:n]`` holds zeros and ones only. :func:`representative` takes n rows with every class in
proportion to its share of the split, evenly spread through each class, and orders them so that
every prefix is balanced too (the first 10 of a balanced 100 are one of each digit). Without
labels it strides evenly through the split (``test[::k]`` generalised to any n), which stands for
the whole when the order carries no class structure.

>>> idx = representative(1000, labels=ds.test_labels)   # doctest: +SKIP
>>> x, y = ds.test[idx], ds.test_labels[idx]              # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np


def strided(total: int, n: int) -> np.ndarray:
    """n indices of ``range(total)`` evenly spread (the first is 0), increasing, int64."""
    _check(total, n)
    return (np.arange(n, dtype=np.int64) * total) // n


def representative(n: int, labels=None, total: int | None = None) -> np.ndarray:
    """Indices (n,) int64 of a subset that stands for the split.

    ``labels`` (N,) ints: each class gets its share of n (largest remainder: a class's count is
    within 1 of ``n * share``), picked evenly spread within the class; the result is ordered
    round-robin (by position within class, then label) so every prefix is balanced as well.
    Without labels: :func:`strided` over ``total`` rows. Deterministic; no index repeats.
    Raises ValueError for n < 1 or n larger than the split."""
    if labels is None:
        if total is None:
            raise ValueError("representative() needs labels or total")
        return strided(int(total), n)
    lab = np.asarray(labels).astype(np.int64).reshape(-1)
    _check(len(lab), n)
    classes, counts = np.unique(lab, return_counts=True)
    exact = n * counts / len(lab)
    k = np.floor(exact).astype(np.int64)
    # largest remainder; ties to the larger class, then the smaller label
    order = np.lexsort((classes, -counts, -(exact - k)))
    k[order[: n - k.sum()]] += 1
    picks, keys = [], []
    for c, kc in zip(classes, k, strict=True):
        members = np.flatnonzero(lab == c)
        if kc == 0:
            continue
        pos = ((np.arange(kc) + 0.5) * len(members) / kc).astype(np.int64)
        picks.append(members[pos])
        keys.append(np.column_stack([(np.arange(kc) + 0.5) / kc, np.full(kc, c)]))
    idx, key = np.concatenate(picks), np.concatenate(keys)
    return idx[np.lexsort((key[:, 1], key[:, 0]))]


def _check(total: int, n: int) -> None:
    if not 1 <= n <= total:
        raise ValueError(f"a subset of {n} rows from a split of {total}: need 1 <= n <= {total}")
