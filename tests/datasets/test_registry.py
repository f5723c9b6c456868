import shutil

import numpy as np
import pytest
import torch

from vae_tutorial import datasets as data
from vae_tutorial.datasets import files, registry
from vae_tutorial.errors import DataError
from vae_tutorial.settings import DATA_VAR, data_dir


@pytest.mark.parametrize(
    "name,train,test,shape,binary",
    [
        ("mnist-binarized", (50000, 784), (10000, 784), (28, 28), True),
        ("frey-faces", (1665, 560), (200, 560), (28, 20), False),
        ("mnist-grey", (8000, 784), (2000, 784), (28, 28), False),
        ("cifar10-subset", (4000, 3072), (1000, 3072), (3, 32, 32), False),
    ],
)
def test_documented_sizes(name, train, test, shape, binary):
    """The sizes ``load`` documents; dtype, range and image shape of every dataset are checked
    by tests/test_registries.py."""
    ds = data.load(name)
    assert tuple(ds.train.shape) == train and tuple(ds.test.shape) == test
    assert ds.image_shape == shape
    if not binary:
        assert len(torch.unique(ds.train[:50])) > 50  # really grey levels


def test_binarized_labels_match_grey_mnist_class_counts():
    ds = data.load("mnist-binarized")
    grey = data.load("mnist-grey")
    counts = torch.bincount(ds.test_labels, minlength=10)
    grey_counts = torch.bincount(torch.cat([grey.train_labels, grey.test_labels]), minlength=10)
    assert torch.equal(counts, grey_counts)
    assert ds.valid.shape == (10000, 784)


def test_cifar_layout_is_channels_first():
    ds = data.load("cifar10-subset")
    raw = np.load(data_dir() / "cifar10_subset/cifar10_train_0000-0999.npz")["x"]
    img = ds.train[0].reshape(3, 32, 32)
    assert torch.allclose(img.permute(1, 2, 0) * 255, torch.from_numpy(raw[0]).float())
    assert ds.train_labels[:5].tolist() == [6, 9, 9, 4, 1]  # published order of data_batch_1
    assert ds.test_labels[:5].tolist() == [3, 8, 8, 0, 6]


def test_splits_are_fixed_and_disjoint():
    a, b = data.load("frey-faces"), data.load("frey-faces")
    assert torch.equal(a.test, b.test)
    faces = torch.from_numpy(np.load(data_dir() / "frey_faces.npz")["faces"]).float() / 255
    # every row of each split is a frame, no frame in both (the guard frames in neither)
    rows = {tuple(r) for r in faces.numpy().round(6)}
    train, test = ({tuple(r) for r in s.numpy().round(6)} for s in (a.train, a.test))
    assert train <= rows and test <= rows and not train & test
    assert len(a.train) + len(a.test) == len(faces) - 100


def test_unknown_dataset():
    with pytest.raises(DataError, match="unknown dataset 'mnist'.*mnist-binarized"):
        data.load("mnist")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of the data directory, selected with VAE_TUTORIAL_DATA."""
    src = data_dir()
    shutil.copy(src / "frey_faces.npz", tmp_path / "frey_faces.npz")
    monkeypatch.setenv(DATA_VAR, str(tmp_path))
    return tmp_path


def test_env_override_is_used(data_copy):
    assert data_dir() == data_copy
    assert data.load("frey-faces").train.shape == (1665, 560)
    with pytest.raises(DataError, match="binarized_mnist.npz is missing"):
        data.load("mnist-binarized")


def test_missing_file_says_how_to_restore(data_copy):
    (data_copy / "frey_faces.npz").unlink()
    with pytest.raises(DataError) as e:
        data.load("frey-faces")
    msg = str(e.value)
    assert "frey_faces.npz is missing" in msg and files.FILES["frey_faces.npz"].sha256 in msg
    assert "git checkout -- data/frey_faces.npz" in msg


def test_truncated_file(data_copy):
    p = data_copy / "frey_faces.npz"
    p.write_bytes(p.read_bytes()[:1000])
    with pytest.raises(DataError, match="has 1000 bytes, expected 996885: it is truncated"):
        data.load("frey-faces")


def test_corrupted_file_fails_checksum(data_copy):
    p = data_copy / "frey_faces.npz"
    raw = bytearray(p.read_bytes())
    raw[5000] ^= 0xFF  # same size, one flipped byte
    p.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="failed its checksum.*corrupted"):
        data.load("frey-faces")


def test_checksum_checked_once_per_process(data_copy, monkeypatch):
    data.load("frey-faces")
    calls = []
    monkeypatch.setattr(files, "file_digest", lambda p, a="sha256": calls.append(p) or "x")
    data.load("frey-faces")
    assert calls == []


def test_pickled_npz_is_refused(tmp_path, monkeypatch):
    """Even a file whose checksum we accept is read with allow_pickle=False."""
    p = tmp_path / "evil.npz"
    np.savez(p, faces=np.array([{"a": 1}], dtype=object))
    f = files.DataFile("evil.npz", p.stat().st_size, files.file_digest(p))
    monkeypatch.setitem(files.FILES, "evil.npz", f)
    monkeypatch.setenv(DATA_VAR, str(tmp_path))
    with pytest.raises(DataError, match="cannot read .*evil.npz"):
        registry._npz("evil.npz")


def test_grey_binarized_is_the_grey_split_thresholded():
    from vae_tutorial.datasets import load

    grey, binary = load("mnist-grey"), load("mnist-grey-binarized")
    assert torch.equal(binary.train, (grey.train > 0.5).float())
    assert torch.equal(binary.test_labels, grey.test_labels)
