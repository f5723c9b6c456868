"""Rows: a split held as float32, uint8 codes or bits gives the same float32 values, bit for
bit, whether read whole, as a slice or as a minibatch; the trainer's memory rests on it."""

import numpy as np
import pytest
import torch

from vae_tutorial.datasets import Dataset, load
from vae_tutorial.datasets.rows import Rows, to_float
from vae_tutorial.errors import DataError


def test_bits_round_trip_for_widths_that_are_not_multiples_of_eight():
    rng = np.random.default_rng(0)
    for width in (1, 7, 8, 9, 560, 784):
        a = (rng.random((37, width)) < 0.3).astype(np.uint8)
        r = Rows.from_bits(a)
        assert r.shape == (37, width) and r.rows.shape == (37, -(-width // 8))
        assert torch.equal(r.all(), torch.from_numpy(a).float())
        idx = torch.tensor([36, 0, 5, 5, 17])
        assert torch.equal(r.take(idx), torch.from_numpy(a[idx.numpy()]).float())
        assert torch.equal(r[3:11], torch.from_numpy(a[3:11]).float())
        assert torch.equal(r.codes()[0], torch.from_numpy(a))


def test_codes_give_the_bits_of_the_whole_split_division_for_any_minibatch():
    codes = torch.arange(256, dtype=torch.uint8).repeat(40).reshape(-1, 64)  # every level
    r = Rows(codes, 255.0)
    whole = to_float(codes, 255.0)
    assert whole.dtype == torch.float32 and float(whole.max()) == 1.0
    for idx in (torch.tensor([0]), torch.arange(3, 160, 7), torch.arange(160).flip(0)):
        assert torch.equal(r.take(idx), whole[idx])
    assert r.span() == (0.0, 1.0)
    assert torch.equal(r.spaced(16).all(), whole[torch.linspace(0, 159, 16).round().long()])


def test_every_shipped_dataset_reads_the_same_values_every_way():
    for name in ("mnist-binarized", "mnist-grey", "frey-faces"):
        ds = load(name)
        for split in ("train", "test"):
            r, whole = ds.rows(split), getattr(ds, split)
            idx = torch.randperm(len(r), generator=torch.Generator().manual_seed(0))[:500]
            assert torch.equal(r.take(idx), whole[idx]), (name, split)
            assert torch.equal(r[100:300], whole[100:300]), (name, split)


def test_binarized_mnist_is_held_as_bits_and_its_validation_split_read_only_when_asked():
    ds = load("mnist-binarized")
    assert ds.rows("train").rows.shape == (50000, 98)  # 4.9 MB instead of 157 MB as float32
    assert "valid (not read yet)" in repr(ds)
    assert ds.valid.shape == (10000, 784) and "valid (10000, 784)" in repr(ds)


def test_bad_rows_are_refused_in_one_line():
    with pytest.raises(DataError, match="0 or 1"):
        Rows.from_bits(np.full((2, 3), 2, np.uint8))
    with pytest.raises(DataError, match="uint8 codes or float32"):
        Rows(torch.zeros(3, 4, dtype=torch.float64))
    with pytest.raises(DataError, match="no scale"):
        Rows(torch.zeros(3, 4), 255.0)
    with pytest.raises(TypeError, match="slice"):
        Rows.from_bits(np.zeros((3, 12), np.uint8))[1]
    with pytest.raises(DataError, match="float32 tensor or Rows"):
        Dataset("x", torch.zeros(3, 4, dtype=torch.int32), torch.zeros(1, 4), (2, 2))


def test_a_dataset_pickles_before_its_lazy_split_is_read():
    import pickle

    ds = load("mnist-binarized")
    again = pickle.loads(pickle.dumps(ds))
    assert torch.equal(again.valid, ds.valid) and torch.equal(again.test, ds.test)


def test_fit_takes_rows_and_refuses_other_data_in_one_line():
    from vae_tutorial.core.config import ModelConfig, TrainConfig
    from vae_tutorial.core.model import build_model
    from vae_tutorial.core.train import fit
    from vae_tutorial.errors import ConfigError

    ds = load("mnist-binarized")
    cfg = TrainConfig(batch_size=50, max_samples=200, eval_every=100, eval_train_size=50,
                      eval_test_size=50, threads=1)  # fmt: skip
    a, b = (build_model(ModelConfig(z_dim=2, hidden=(8,)), seed=0) for _ in range(2))
    ha = fit(a, (ds.rows("train"), ds.rows("test")), cfg, progress=False)
    hb = fit(b, (ds.train, ds.test), cfg, progress=False)
    assert ha.test_elbo == hb.test_elbo  # bits or float32: the same run, bit for bit
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    fit(a, ds.rows("train"), cfg, progress=False)  # bare Rows: no test set
    for bad in (ds.train[0], ds.train.double(), ds.codes("train")[0]):
        with pytest.raises(ConfigError, match="fit expects float32 rows"):
            fit(a, bad, cfg, progress=False)
