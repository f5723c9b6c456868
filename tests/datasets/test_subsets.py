"""Subsets that stand for the whole split: every class present, in proportion, any prefix too."""

import numpy as np
import pytest

from vae_tutorial.datasets import load
from vae_tutorial.datasets.subsets import representative, strided

SORTED = np.repeat(np.arange(10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])


@pytest.mark.parametrize("n", [10, 37, 100, 1000, 2000, 9999])
def test_every_class_in_proportion(n):
    idx = representative(n, labels=SORTED)
    assert len(idx) == n and len(np.unique(idx)) == n
    counts = np.bincount(SORTED[idx], minlength=10)
    share = n * np.bincount(SORTED) / len(SORTED)
    assert np.all(np.abs(counts - share) < 1), (counts, share)
    if n >= 10:
        assert np.all(counts >= 1)


def test_every_prefix_is_balanced_too():
    idx = representative(1000, labels=SORTED)
    assert sorted(SORTED[idx[:10]]) == list(range(10))
    for m in (50, 200, 500):
        counts = np.bincount(SORTED[idx[:m]], minlength=10)
        assert counts.max() - counts.min() <= 0.03 * m + 2, counts


def test_spread_within_each_class():
    """Picks come from the whole of each class, not its first rows."""
    idx = representative(100, labels=SORTED)
    zeros = np.sort(idx[SORTED[idx] == 0])
    assert zeros[0] < 100 and zeros[-1] > 880


def test_the_first_n_would_not_stand_for_the_test_set():
    ds = load("mnist-binarized")
    assert len(np.unique(ds.test_labels[:2000].numpy())) == 2  # why this module exists
    idx = ds.subset(2000)
    counts = np.bincount(ds.test_labels[idx].numpy(), minlength=10)
    share = 2000 * np.bincount(ds.test_labels.numpy()) / len(ds.test_labels)
    assert np.all(np.abs(counts - share) < 1)


def test_without_labels_it_strides():
    assert strided(10, 5).tolist() == [0, 2, 4, 6, 8]
    assert representative(3, total=9).tolist() == [0, 3, 6]
    ds = load("frey-faces")
    idx = ds.subset(50)
    assert idx[0] == 0 and idx[-1] > 0.9 * len(ds.test)


@pytest.mark.parametrize("n", [0, -1, 10001])
def test_bad_sizes_are_refused_in_one_line(n):
    with pytest.raises(ValueError, match="need 1 <= n <= 10000"):
        representative(n, labels=SORTED)


def test_a_missing_split_is_refused():
    with pytest.raises(ValueError, match="no 'valid' split"):
        load("frey-faces").subset(5, split="valid")
