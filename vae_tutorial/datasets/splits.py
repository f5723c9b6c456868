"""Held-out splits for the datasets that ship without one, and the check that a split tests
what it claims to.

The Frey Face frames are consecutive frames of one video: a frame held out at random almost
always has its neighbours in the training set, and a held-out frame is then as close to its
nearest training frame as training frames are to each other (RMS per pixel, median 0.041
both), so the test set measures interpolation between frames the model has seen.
:func:`block_split` holds out contiguous blocks of frames instead, with a guard band either
side used by neither set; :func:`nearest_rms` measures the result (see ``FREY_SPLIT``).
"""

from __future__ import annotations

import numpy as np

#: Frey Face: 10 blocks of 20 consecutive frames, evenly spaced through the video, held out;
#: 5 frames either side of each block are in neither set (1,665 train, 200 test frames)
FREY_SPLIT = {"blocks": 10, "length": 20, "guard": 5}


def random_split(n: int, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) sorted indices: ``n_test`` of ``range(n)`` held out at random."""
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def block_split(n: int, blocks: int, length: int, guard: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) sorted indices of ``range(n)``: ``blocks`` runs of ``length`` consecutive
    indices held out, evenly spaced (none at either end), and ``guard`` indices either side
    of each run in neither set. Raises ValueError if the blocks and guards do not fit."""
    what = f"{blocks} blocks of {length} with guards of {guard}"
    if min(blocks, length) < 1 or guard < 0:
        raise ValueError(f"need blocks, length >= 1 and guard >= 0; got {what}")
    span = blocks * (length + 2 * guard)
    if span > n:
        raise ValueError(f"{what} need {span} > {n} items")
    starts = np.linspace(0, n - length, blocks + 2)[1:-1].round().astype(np.int64)
    if np.any(np.diff(starts) < length + 2 * guard):
        raise ValueError(f"{what} overlap in {n} items")
    test = np.concatenate([np.arange(s, s + length) for s in starts])
    near = np.concatenate([np.arange(s - guard, s + length + guard) for s in starts])
    train = np.setdiff1d(np.arange(n), near)
    return train, test


def nearest_rms(a: np.ndarray, b: np.ndarray, exclude_self: bool = False) -> np.ndarray:
    """For each row of ``a`` (N, D), the RMS difference per coordinate to its nearest row of
    ``b`` (M, D); ``exclude_self`` (a is b): the nearest other row (leave-one-out)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d2 = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2.0 * a @ b.T
    if exclude_self:
        np.fill_diagonal(d2, np.inf)
    return np.sqrt(np.maximum(d2.min(1), 0.0) / a.shape[1])


def split_report(train: np.ndarray, test: np.ndarray) -> dict[str, float]:
    """Median nearest-neighbour RMS of test rows to the training rows, of training rows to the
    other training rows, and their ratio (about 1: the test set measures interpolation)."""
    to_train = float(np.median(nearest_rms(test, train)))
    within = float(np.median(nearest_rms(train, train, exclude_self=True)))
    return {"test_to_train": to_train, "train_to_train": within, "ratio": to_train / within}


def compare_frey_splits(frames: np.ndarray) -> dict[str, dict[str, float]]:
    """:func:`split_report` of the Frey Face frames (1965, 560) held out at random (200 frames,
    seed 0: the split before 2026-11-29) and in the guarded blocks of ``FREY_SPLIT`` (now)."""
    n = len(frames)
    return {
        "random": split_report(*(frames[i] for i in random_split(n, 200, 0))),
        "blocks": split_report(*(frames[i] for i in block_split(n, **FREY_SPLIT))),
    }
