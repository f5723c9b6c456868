"""The held-out splits: contiguous Frey Face blocks with guard bands, and that they make the
test set farther from the training set than the old random split did."""

from __future__ import annotations

import numpy as np
import pytest

from vae_tutorial.datasets.registry import frey_frames
from vae_tutorial.datasets.splits import (
    FREY_SPLIT,
    block_split,
    compare_frey_splits,
    nearest_rms,
)


def test_block_split_holds_out_guarded_contiguous_runs():
    train, test = block_split(1965, **FREY_SPLIT)
    b, length, guard = FREY_SPLIT["blocks"], FREY_SPLIT["length"], FREY_SPLIT["guard"]
    assert len(test) == b * length == 200
    assert len(train) == 1965 - b * (length + 2 * guard) == 1665
    assert not set(train) & set(test)
    runs = np.split(test, np.flatnonzero(np.diff(test) != 1) + 1)
    assert [len(r) for r in runs] == [length] * b  # b separate runs of consecutive frames
    assert runs[0][0] > 0 and runs[-1][-1] < 1964  # none at either end of the video
    # no training frame within `guard` frames of a held-out frame
    gap = np.abs(train[:, None] - test[None, :]).min()
    assert gap == guard + 1


@pytest.mark.parametrize(
    "args", [(100, 10, 20, 0), (100, 0, 5, 1), (100, 2, 5, -1), (100, 4, 20, 5)]
)
def test_block_split_refuses_what_does_not_fit(args):
    with pytest.raises(ValueError, match="blocks|need|overlap"):
        block_split(*args)


def test_nearest_rms_against_brute_force():
    rng = np.random.default_rng(0)
    a, b = rng.random((7, 5)), rng.random((9, 5))
    brute = np.sqrt(((a[:, None] - b[None]) ** 2).mean(-1)).min(1)
    np.testing.assert_allclose(nearest_rms(a, b), brute, rtol=1e-9)
    loo = np.sqrt(((a[:, None] - a[None]) ** 2).mean(-1))
    np.fill_diagonal(loo, np.inf)
    np.testing.assert_allclose(nearest_rms(a, a, exclude_self=True), loo.min(1), rtol=1e-9)


def test_frey_blocks_test_extrapolation_not_interpolation():
    """With frames held out at random, a test frame is as close to its nearest training frame
    as training frames are to each other (ratio about 1); held out in guarded blocks, it is
    clearly farther (measured 1.49)."""
    both = compare_frey_splits(frey_frames())
    old, new = both["random"], both["blocks"]
    assert 0.9 < old["ratio"] < 1.1, old
    assert new["ratio"] > 1.35, new


def test_a_studys_training_states_are_not_shipped_files(tmp_path):
    """The manifest records data/ files, never a study's .partial/ training states (git
    ignores them too), notes or temporaries."""
    from vae_tutorial.datasets.files import _shipped

    for rel, shipped in (("fig2_paper/aevb-frey-z2.json", True),
                         ("fig2_paper/.partial/aevb-frey-z2-0123.pt", False),
                         ("fig2_paper/.partial/.x.pt.lock", False), ("README.md", False),
                         ("log_px/x.npz.tmp", False), ("pretrained/frey-z2.pt", True)):  # fmt: skip
        assert _shipped(tmp_path / rel, tmp_path) is shipped, rel
